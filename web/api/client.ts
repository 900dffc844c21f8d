/**
 * The one place the web app talks HTTP to the SafeGrid server.
 *
 * Every request goes through {@link apiRequest}: it adds credentials (the HttpOnly session cookie
 * the server sets at sign-in, or a Bearer token once {@link setAuthToken} is called), sends the
 * session's CSRF token (see {@link setCsrfToken}) as `X-CSRF-Token` on every write, parses
 * RFC 9457 problem+json errors into {@link ApiError}, and reports 401s to the handler registered
 * with {@link onUnauthorized}.
 */
import type {
  BaseLayerCollections,
  BaseLayerName,
  BBox,
  CommunityCollection,
  FeatureId,
  HazardCollection,
  HazardDetailFeature,
  HazardFeature,
  HazardQuery,
  Health,
  LayerQuery,
  LoginResponse,
  MeResponse,
  NewHazardRequest,
  PeopleResponse,
  PhotoUploadResponse,
  ProblemDocument,
  TransitionRequest,
} from './types.ts'

/** How an {@link ApiError} came about. */
export type ApiErrorKind = 'http' | 'network' | 'timeout' | 'parse'

/** A failed API call: the server's problem document, or what went wrong on the way. */
export class ApiError extends Error {
  /** HTTP status, or 0 when no response arrived (network down, timeout). */
  readonly status: number
  /** Short human-readable summary (problem `title`). */
  readonly title: string
  /** Longer explanation (problem `detail`), if any. */
  readonly detail: string | null
  /** Problem `type` URI, if any. */
  readonly type: string | null
  /** Validation failures, for 400/422. */
  readonly errors: { path: string; message: string }[]
  /** Whether the server answered (`http`) or the request never completed. */
  readonly kind: ApiErrorKind
  /** The problem's other members (RFC 9457 extensions), e.g. the `overlaps` of a strict zone write's 409. */
  readonly extensions: Record<string, unknown>

  constructor(init: {
    status: number
    title: string
    detail?: string | null
    type?: string | null
    errors?: { path: string; message: string }[]
    kind: ApiErrorKind
    extensions?: Record<string, unknown>
  }) {
    super(init.detail ? `${init.title}: ${init.detail}` : init.title)
    this.name = 'ApiError'
    this.status = init.status
    this.title = init.title
    this.detail = init.detail ?? null
    this.type = init.type ?? null
    this.errors = init.errors ?? []
    this.kind = init.kind
    this.extensions = init.extensions ?? {}
  }

  /** True when the server could not be reached at all (as opposed to answering with an error). */
  get unreachable(): boolean {
    return this.kind === 'network' || this.kind === 'timeout' || this.status === 502 || this.status === 503 || this.status === 504
  }
}

/** Turns any thrown value into an {@link ApiError} (non-API errors become `parse` errors). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  const message = err instanceof Error ? err.message : String(err)
  return new ApiError({ status: 0, title: message, kind: 'parse' })
}

/** What went wrong, for a form: the problem's detail (or title) and each field's reason. */
export function problemText(err: unknown): string {
  const e = toApiError(err)
  return [e.detail ?? e.title, ...e.errors.map((x) => `${x.path}: ${x.message}`)].join(' · ')
}

/** Whether `err` is the result of an aborted request (not worth showing to anyone). */
export function isAbortError(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError'
}

let authToken: string | null = null
let csrfToken: string | null = null
let unauthorizedHandler: ((err: ApiError) => void) | null = null

/** Sets (or clears, with `null`) the Bearer token sent with every request. */
export function setAuthToken(token: string | null): void {
  authToken = token
}

/**
 * Sets (or clears, with `null`) the session's CSRF token, sent as `X-CSRF-Token` on every
 * request that is not a GET: the server refuses cookie-authenticated writes without it.
 */
export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/**
 * Registers the function called whenever a request answers 401 (not signed in), e.g. to
 * show the sign-in screen. The failing call still rejects with its {@link ApiError}.
 */
export function onUnauthorized(handler: ((err: ApiError) => void) | null): void {
  unauthorizedHandler = handler
}

/** A query-string value: arrays are sent comma-separated, `undefined`/`null` are left out. */
export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[]

/** Options for {@link apiRequest}. */
export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'
  query?: Record<string, QueryValue>
  /** Sent as JSON, or as it is when a `FormData` (multipart upload). */
  body?: unknown
  signal?: AbortSignal
  /** Milliseconds before the request is given up (default 20 s). */
  timeoutMs?: number
  /**
   * Do not call the {@link onUnauthorized} handler on 401 (sign-in and "who am I" calls,
   * where 401 is an expected answer rather than an expired session).
   */
  expectUnauthorized?: boolean
  /** Extra request headers (e.g. `Idempotency-Key`). */
  headers?: Record<string, string>
}

const DEFAULT_TIMEOUT_MS = 20_000

/** Builds `path?query` with the empty parts of `query` left out. */
export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','))
    } else {
      params.set(key, String(value))
    }
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

/** The members of a problem document every problem has; the rest are its extensions. */
const PROBLEM_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'errors', 'instance'])

async function readProblem(response: Response): Promise<ProblemDocument | null> {
  const type = response.headers.get('content-type') ?? ''
  if (!type.includes('json')) return null
  try {
    return (await response.json()) as ProblemDocument
  } catch {
    return null
  }
}

/**
 * Every page of a matter list (`GET /api/hazards` or `GET /api/matters`), one after the other: the
 * server answers `next` while more follow.
 */
export async function allMatterPages(path: '/api/hazards' | '/api/matters', query: Record<string, QueryValue>, signal?: AbortSignal): Promise<HazardCollection> {
  const features: HazardCollection['features'] = []
  let cursor: string | undefined
  do {
    const page = await apiRequest<HazardCollection & { next?: string | null }>(path, { query: { ...query, cursor }, signal })
    features.push(...page.features)
    cursor = page.next ?? undefined
  } while (cursor)
  return { type: 'FeatureCollection', features }
}

/**
 * Performs one API call and returns the parsed JSON body.
 *
 * @throws {@link ApiError} for any non-2xx answer, network failure or timeout;
 *   a `DOMException` named `AbortError` when `options.signal` aborts.
 */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET'
  const isForm = typeof FormData !== 'undefined' && options.body instanceof FormData
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...options.headers }
  // A FormData body sets its own multipart content type (with the boundary).
  if (options.body !== undefined && !isForm) headers['Content-Type'] = 'application/json'
  if (authToken) headers.Authorization = `Bearer ${authToken}`
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken

  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout

  let response: Response
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : isForm ? (options.body as FormData) : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal,
    })
  } catch (err) {
    if (options.signal?.aborted) throw err
    if (timeout.aborted) throw new ApiError({ status: 0, title: 'Request timed out', kind: 'timeout' })
    throw new ApiError({
      status: 0,
      title: 'Network error',
      detail: err instanceof Error ? err.message : null,
      kind: 'network',
    })
  }

  if (!response.ok) {
    const problem = await readProblem(response)
    const error = new ApiError({
      status: response.status,
      title: problem?.title ?? (response.statusText || `HTTP ${response.status}`),
      detail: problem?.detail ?? null,
      type: problem?.type ?? null,
      errors: problem?.errors ?? [],
      kind: 'http',
      extensions: Object.fromEntries(Object.entries(problem ?? {}).filter(([k]) => !PROBLEM_MEMBERS.has(k))),
    })
    if (response.status === 401 && !options.expectUnauthorized) unauthorizedHandler?.(error)
    throw error
  }

  if (response.status === 204) return undefined as T
  try {
    return (await response.json()) as T
  } catch (err) {
    // Aborted while the body was still arriving: report the abort, not a broken answer.
    if (options.signal?.aborted) throw err instanceof DOMException ? err : new DOMException('Aborted', 'AbortError')
    throw new ApiError({ status: response.status, title: 'Invalid JSON from server', kind: 'parse' })
  }
}

function bboxParam(bbox: BBox | undefined): string | undefined {
  return bbox ? bbox.map((n) => n.toFixed(6)).join(',') : undefined
}

/** URL of a hazard photo (`size=thumb` for the small variant). */
export function photoUrl(url: string, size: 'thumb' | 'full'): string {
  return buildUrl(url, { size })
}

/** Typed wrappers for the endpoints the web app uses. */
/** Hazards per page the client asks for (the server's most). */
export const HAZARD_PAGE_LIMIT = 5000

export const api = {
  /** `GET /api/health`. */
  health(signal?: AbortSignal): Promise<Health> {
    return apiRequest<Health>('/api/health', { signal })
  },

  /** `POST /api/auth/login`: the server sets the session cookie; a wrong password is a 401. */
  login(username: string, password: string): Promise<LoginResponse> {
    return apiRequest<LoginResponse>('/api/auth/login', {
      method: 'POST',
      body: { username, password },
      expectUnauthorized: true,
    })
  },

  /** `GET /api/auth/me`: the signed-in user and the session's CSRF token; 401 when signed out. */
  me(signal?: AbortSignal): Promise<MeResponse> {
    return apiRequest<MeResponse>('/api/auth/me', { signal, expectUnauthorized: true })
  },

  /** `POST /api/auth/logout`: ends the session (204). */
  logout(): Promise<void> {
    return apiRequest<void>('/api/auth/logout', { method: 'POST', expectUnauthorized: true })
  },

  /** `GET /api/communities`: the communities the current user may see. */
  communities(signal?: AbortSignal): Promise<CommunityCollection> {
    return apiRequest<CommunityCollection>('/api/communities', { signal })
  },

  /** `GET /api/layers/:layer`, optionally limited to a community and/or a bbox. */
  layer<L extends BaseLayerName>(layer: L, query: LayerQuery = {}, signal?: AbortSignal): Promise<BaseLayerCollections[L]> {
    return apiRequest<BaseLayerCollections[L]>(`/api/layers/${layer}`, {
      query: { communityId: query.communityId, bbox: bboxParam(query.bbox) },
      signal,
    })
  },

  /**
   * `GET /api/hazards` with the given filters (with `at`: the map as it stood then): every page, one
   * after the other ({@link HAZARD_PAGE_LIMIT} a page; the server answers `next` while more follow).
   */
  async hazards(query: HazardQuery = {}, signal?: AbortSignal): Promise<HazardCollection> {
    const base = {
      status: query.status,
      category: query.category,
      severity: query.severity,
      from: query.from,
      to: query.to,
      bbox: bboxParam(query.bbox),
      zoneId: query.zoneId,
      communityId: query.communityId,
      at: query.at,
      limit: HAZARD_PAGE_LIMIT,
    }
    return allMatterPages('/api/hazards', base, signal)
  },

  /** `GET /api/hazards/:id`: one hazard with its history (`events`) and `photos`. */
  hazard(id: FeatureId, signal?: AbortSignal): Promise<HazardDetailFeature> {
    return apiRequest<HazardDetailFeature>(`/api/hazards/${encodeURIComponent(String(id))}`, { signal })
  },

  /** `POST /api/hazards`: report a hazard (idempotent per `clientId`). */
  createHazard(body: NewHazardRequest): Promise<HazardFeature> {
    return apiRequest<HazardFeature>('/api/hazards', { method: 'POST', body })
  },

  /** `POST /api/hazards/:id/transition`: one move of the closed loop; 409 when refused. */
  /** `POST /api/hazards/:id/escalate { level, reason }` (升级, contract v2). */
  escalate(id: FeatureId, body: { level: string; reason: string }): Promise<HazardDetailFeature> {
    return apiRequest<HazardDetailFeature>(`/api/hazards/${encodeURIComponent(String(id))}/escalate`, { method: 'POST', body })
  },

  transition(id: FeatureId, body: TransitionRequest): Promise<HazardDetailFeature> {
    return apiRequest<HazardDetailFeature>(`/api/hazards/${encodeURIComponent(String(id))}/transition`, {
      method: 'POST',
      body,
    })
  },

  /** `POST /api/hazards/:id/photos`: upload one photo (multipart field `photo`). */
  uploadPhoto(id: FeatureId, photo: Blob, filename = 'photo.jpg'): Promise<PhotoUploadResponse> {
    const form = new FormData()
    form.append('photo', photo, filename)
    return apiRequest<PhotoUploadResponse>(`/api/hazards/${encodeURIComponent(String(id))}/photos`, {
      method: 'POST',
      body: form,
      timeoutMs: 120_000,
    })
  },

  /** `GET /api/people`: people of the user's communities (phone numbers masked). */
  people(query: { q?: string; teamId?: FeatureId } = {}, signal?: AbortSignal): Promise<PeopleResponse> {
    return apiRequest<PeopleResponse>('/api/people', { query: { q: query.q, teamId: query.teamId }, signal })
  },
}
