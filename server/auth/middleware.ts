import { timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { AppEnv } from '../context.ts'
import { can, type Permission } from '../../core/roles.ts'
import { Problem, problems } from '../problem.ts'
import { hashToken, needsTouch, sessionUser, touchSession, userById, type SessionUser } from '../queries/users.ts'
import { checkCredentials } from './sign-in.ts'

/** Name of the session cookie. */
export const SESSION_COOKIE = 'sg_session'
/** Header carrying the CSRF token on cookie-authenticated writes. */
export const CSRF_HEADER = 'x-csrf-token'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The bearer token of a request, from `Authorization: Bearer …` or the session cookie. */
export function requestToken(authorization: string | undefined, cookie: string | undefined): { token: string; via: 'bearer' | 'cookie' } | undefined {
  const match = authorization?.match(/^Bearer\s+([A-Za-z0-9_-]{20,200})\s*$/i)
  if (match?.[1]) return { token: match[1], via: 'bearer' }
  if (cookie && /^[A-Za-z0-9_-]{20,200}$/.test(cookie)) return { token: cookie, via: 'cookie' }
  return undefined
}

/**
 * The one place that decides who is calling: 401 when not signed in (or the token is unknown,
 * tampered, expired or revoked); 403 for a cookie write without the session's CSRF token. Sessions
 * are remembered for a few seconds per app (`sessions`, server/auth/session-cache.ts).
 * Sets `user` and `communityIds` for every route after it.
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const basic = c.req.header('authorization')?.match(/^Basic\s+([A-Za-z0-9+/=]{1,400})\s*$/i)
  if (basic?.[1] && BASIC_AUTH_PATHS.test(c.req.path)) {
    const user = await basicUser(c, basic[1])
    assertPasswordChosen(user, c.req.path)
    c.set('user', user)
    c.set('communityIds', user.communityIds)
    c.set('token', '')
    c.set('csrfToken', '')
    return next()
  }
  const found = requestToken(c.req.header('authorization'), getCookie(c, SESSION_COOKIE))
  if (!found) throw problems.unauthorized()
  const sql = c.get('sql')
  // A session looked up in the last few seconds is not asked for again (server/auth/session-cache.ts).
  const cache = c.get('sessions')
  const key = hashToken(found.token)
  let session = cache.get(key)
  if (!session) {
    session = await sessionUser(sql, found.token)
    if (!session) throw problems.unauthorized('Your session is unknown or has expired. Sign in again.')
    cache.set(key, session)
  }
  if (found.via === 'cookie' && !SAFE_METHODS.has(c.req.method)) {
    const sent = c.req.header(CSRF_HEADER)
    if (!sent || !sameSecret(sent, session.csrfToken)) throw new Problem(403, 'Missing or wrong CSRF token (send the X-CSRF-Token header).')
  }
  assertPasswordChosen(session.user, c.req.path)
  c.set('user', session.user)
  c.set('communityIds', session.user.communityIds)
  c.set('token', found.token)
  c.set('csrfToken', session.csrfToken)
  // No query per request in the common case: the expiry is pushed only when a minute has passed.
  if (needsTouch(session.expiresAt)) {
    await touchSession(sql, found.token)
    cache.forget(key)
  }
  await next()
}

/** What an account that must choose a new password may still call. */
const WHILE_CHANGING_PASSWORD = /^\/api\/auth\/(me|logout|password)\/?$/

/**
 * An account created with a one-time password, or whose password was reset, must choose its own before
 * anything else: every other call is 403 with `mustChangePassword: true`.
 */
function assertPasswordChosen(user: SessionUser, path: string): void {
  if (user.mustChangePassword && !WHILE_CHANGING_PASSWORD.test(path)) {
    throw new Problem(403, 'Choose a new password first (POST /api/auth/password).', { extensions: { mustChangePassword: true } })
  }
}

/** Allow only roles holding the permission (403 otherwise). */
export function requirePermission(permission: Permission): MiddlewareHandler<AppEnv> {
  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    const user = c.get('user')
    if (!user) throw problems.unauthorized()
    if (!can(user.role, permission)) throw problems.forbidden(`The role '${user.role}' may not do this.`)
    await next()
  }
  PERMISSION_OF.set(middleware, permission)
  return middleware
}

/** The permission each `requirePermission()` middleware checks, read back by the OpenAPI document. */
const PERMISSION_OF = new WeakMap<object, Permission>()

/** The permission a route handler requires, or undefined when it is no `requirePermission()` middleware. */
export function permissionOf(handler: unknown): Permission | undefined {
  return typeof handler === 'function' ? PERMISSION_OF.get(handler) : undefined
}

/** Whether the caller may see community `id`. */
export function canSeeCommunity(communityIds: number[] | null, id: number): boolean {
  return communityIds === null || communityIds.includes(id)
}

/** Paths where HTTP Basic auth is accepted: the OwnTracks app can only send Basic credentials. */
const BASIC_AUTH_PATHS = /^\/api\/owntracks\/?$/

/** The user behind Basic credentials, checked and throttled exactly like the login form (server/auth/sign-in.ts). */
async function basicUser(c: Context<AppEnv>, encoded: string): Promise<SessionUser> {
  const text = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = text.indexOf(':')
  const username = colon > 0 ? text.slice(0, colon).trim() : ''
  const password = colon > 0 ? text.slice(colon + 1) : ''
  if (username.length > 100 || password.length > 200) throw problems.unauthorized('Wrong username or password.')
  const row = await checkCredentials(c, username, password)
  const user = await userById(c.get('sql'), row.id)
  if (!user) throw problems.unauthorized('Wrong username or password.')
  return user
}
