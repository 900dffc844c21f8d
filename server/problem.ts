import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'

/** One field-level reason in a validation problem. */
export interface ProblemFieldError {
  path: string
  message: string
}

/** An RFC 9457 problem document. */
export interface ProblemDocument {
  type: string
  title: string
  status: number
  detail: string
  errors?: ProblemFieldError[]
  [extension: string]: unknown
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** An error that becomes a problem+json response with this status. Thrown from handlers and queries. */
export class Problem extends Error {
  readonly status: ContentfulStatusCode
  readonly errors: ProblemFieldError[] | undefined
  readonly extensions: Record<string, unknown>

  constructor(status: ContentfulStatusCode, detail: string, options: { errors?: ProblemFieldError[]; extensions?: Record<string, unknown> } = {}) {
    super(detail)
    this.name = 'Problem'
    this.status = status
    this.errors = options.errors
    this.extensions = options.extensions ?? {}
  }
}

/** Shorthands for the common problems. */
export const problems = {
  badRequest: (detail: string, errors?: ProblemFieldError[]) => new Problem(400, detail, errors ? { errors } : {}),
  unauthorized: (detail = 'Sign in first.') => new Problem(401, detail),
  forbidden: (detail = 'Your role or community does not allow this.') => new Problem(403, detail),
  notFound: (detail = 'No such resource.') => new Problem(404, detail),
  conflict: (detail: string, extensions?: Record<string, unknown>) => new Problem(409, detail, extensions ? { extensions } : {}),
  unprocessable: (detail: string, errors?: ProblemFieldError[]) => new Problem(422, detail, errors ? { errors } : {}),
}

/** Build the problem document for a status. */
export function problemDocument(status: number, detail: string, extra: Partial<ProblemDocument> = {}): ProblemDocument {
  return {
    type: status >= 500 ? 'about:blank' : `https://safegrid.dev/problems/${status}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...extra,
  }
}

/** Send a problem+json response. */
export function sendProblem(c: Context, doc: ProblemDocument): Response {
  return c.body(JSON.stringify(doc), doc.status as ContentfulStatusCode, { 'content-type': 'application/problem+json; charset=utf-8' })
}

/** Turn zod issues into `errors: [{ path, message }]`. */
export function zodErrors(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): ProblemFieldError[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message }))
}

interface PgErrorLike {
  name?: string
  code?: string
  message?: string
}

const isPgError = (e: unknown): e is PgErrorLike => typeof e === 'object' && e !== null && (e as PgErrorLike).name === 'PostgresError'

/** postgres.js and socket codes of a connection that was refused, cut or timed out. */
const CONNECTION_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'])

/**
 * Whether an error means the database could not be reached or dropped the connection (server
 * restart, admin shutdown, terminated backend): answered 503, and the client may retry (writes are
 * idempotent by clientId or (device, t)).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'string') return false
  if (CONNECTION_CODES.has(code)) return true
  // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 08xxx connection exceptions.
  return isPgError(error) && (code === '57P01' || code === '57P02' || code === '57P03' || code.startsWith('08'))
}

/**
 * Map any thrown error to a problem document. SQL text and database messages never reach the client
 * except for the few PostGIS geometry messages that name a reason the user can act on.
 */
export function toProblem(error: unknown): ProblemDocument {
  if (error instanceof Problem) {
    return problemDocument(error.status, error.message, { ...(error.errors ? { errors: error.errors } : {}), ...error.extensions })
  }
  if (error instanceof z.ZodError) return problemDocument(400, 'The request is malformed.', { errors: zodErrors(error) })
  if (error instanceof HTTPException) {
    const status = error.status
    const detail = status === 413 ? 'The request body is too large.' : error.message || (TITLES[status] ?? 'Error')
    return problemDocument(status, detail)
  }
  if (error instanceof SyntaxError) return problemDocument(400, 'The request body is not valid JSON.')
  if (isDatabaseUnavailable(error)) return problemDocument(503, 'The database is unavailable for a moment; try again.')
  if (isPgError(error)) {
    switch (error.code) {
      case '23505':
        return problemDocument(409, 'That already exists.')
      case '23503':
        return problemDocument(422, 'A referenced record does not exist.')
      case '23514':
      case '23502':
        return problemDocument(422, 'A value is out of range or missing.')
      case '22021':
      case '22P05':
        // A text value with a NUL or a character the database encoding cannot hold.
        return problemDocument(400, 'A text value holds a character that cannot be stored (e.g. NUL).')
      case '22P02':
      case '22007':
      case '22008':
      case '22003':
        return problemDocument(400, 'A value has the wrong format or is out of range.')
      case '40001':
      case '40P01':
        return problemDocument(409, 'A concurrent change won; try again.')
      case '57014':
        return problemDocument(503, 'The query took too long.')
      default:
        break
    }
  }
  return problemDocument(500, 'Something went wrong on the server.')
}
