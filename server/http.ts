/**
 * What the server may believe about a request's network side, in one place: the client's address
 * (`X-Forwarded-For` only with `TRUST_PROXY=1`), whether it came over TLS (`X-Forwarded-Proto`
 * likewise), the public origin that links and QR codes point at (`PUBLIC_URL`, or a `Host` on the
 * allow list, never an arbitrary `Host` header), the JSON nesting guard, and a 413 the client can read.
 */
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from './context.ts'
import { Problem, problemDocument, sendProblem } from './problem.ts'

/** How the server sits on the network (from the environment by default: {@link loadNetworkConfig}). */
export interface NetworkConfig {
  /** `TRUST_PROXY=1`: a reverse proxy in front sets `X-Forwarded-For` / `X-Forwarded-Proto`. */
  trustProxy: boolean
  /** `PUBLIC_URL`: the origin phones and GIS clients reach the server at (no trailing slash). */
  publicUrl: string | null
  /** `ALLOWED_HOSTS` (comma-separated host names, optionally with `:port`): `Host` headers links may use when `PUBLIC_URL` is unset. Loopback names are always allowed. */
  allowedHosts: string[]
}

/** Read `TRUST_PROXY`, `PUBLIC_URL`, `ALLOWED_HOSTS`. */
export function loadNetworkConfig(env: NodeJS.ProcessEnv = process.env): NetworkConfig {
  const publicUrl = env.PUBLIC_URL?.trim()
  let origin: string | null = null
  if (publicUrl) {
    const url = new URL(publicUrl)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`PUBLIC_URL must be an http(s) URL, got ${publicUrl}`)
    origin = `${url.origin}${url.pathname.replace(/\/+$/, '')}`
  }
  return {
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    publicUrl: origin,
    allowedHosts: (env.ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  }
}

/** The client's address: the socket's peer, or with `TRUST_PROXY=1` the last hop the proxy appended to `X-Forwarded-For`. */
export function clientAddress(c: Context<AppEnv>): string {
  if (c.get('network').trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')
    const last = forwarded?.split(',').map((s) => s.trim()).filter(Boolean).at(-1)
    if (last && last.length <= 64) return last
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/** Whether the client reached us over TLS: the URL's scheme, or `X-Forwarded-Proto: https` behind a trusted proxy. */
export function isHttps(c: Context<AppEnv>): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true
  if (!c.get('network').trustProxy) return false
  const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase()
  return proto === 'https'
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** `host[:port]` → the host name alone, lower case (`[::1]` kept bracketed). */
function hostName(host: string): string {
  const h = host.trim().toLowerCase()
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1)
  return h.replace(/:\d+$/, '')
}

/**
 * The origin that links and QR codes point at: `PUBLIC_URL` when set; else the request's own
 * origin when its `Host` is a loopback name or on `ALLOWED_HOSTS`. Any other `Host` is refused
 * (400), so a forged `Host` header never ends up in a printed QR code or an OGC link.
 */
export function publicOrigin(c: Context<AppEnv>): string {
  const network = c.get('network')
  if (network.publicUrl) return network.publicUrl
  const host = (c.req.header('host') ?? new URL(c.req.url).host).trim().toLowerCase()
  const name = hostName(host)
  if (LOOPBACK_HOSTS.has(name) || /^127\.\d+\.\d+\.\d+$/.test(name) || network.allowedHosts.includes(host) || network.allowedHosts.includes(name)) {
    return `${isHttps(c) ? 'https' : 'http'}://${host}`
  }
  throw new Problem(400, `Links are not made for the host '${host.slice(0, 100)}': set PUBLIC_URL (or list the host in ALLOWED_HOSTS).`)
}

/** Deepest JSON nesting a request body may have (a FeatureCollection of MultiPolygons needs 7). */
export const MAX_JSON_DEPTH = 32

/**
 * The nesting depth of JSON text, counted without parsing (strings skipped), stopping as soon as
 * it passes `limit`: a 200,000-deep array is refused after 33 characters instead of being parsed.
 */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 92 /* \ */) i++
      else if (ch === 34 /* " */) inString = false
      continue
    }
    if (ch === 34) inString = true
    else if (ch === 91 /* [ */ || ch === 123 /* { */) {
      if (++depth > limit) return true
    } else if (ch === 93 /* ] */ || ch === 125 /* } */) depth--
  }
  return false
}

/** 400 for a JSON body nested deeper than {@link MAX_JSON_DEPTH}, before anything parses it. */
export const jsonDepthGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  const method = c.req.method
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'DELETE') return next()
  const type = c.req.header('content-type') ?? ''
  // Bodies the JSON validators and handlers parse: JSON types, and untyped bodies (parsed as JSON too).
  if (type !== '' && !/json/i.test(type)) return next()
  const text = await c.req.text()
  if (jsonDepthExceeds(text)) {
    throw new Problem(400, `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`, { errors: [{ path: '(root)', message: `at most ${MAX_JSON_DEPTH} levels of nesting` }] })
  }
  return next()
}

/** Most of an oversized body read and thrown away so the client can read the 413 (beyond it, the connection is closed). */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024
/** Longest time spent draining an oversized body. */
export const DRAIN_MAX_MS = 10_000

/**
 * Read and discard the rest of a body (at most {@link DRAIN_MAX_BYTES} bytes and {@link DRAIN_MAX_MS}
 * ms). A client still sending when the server answers and closes sees a connection reset instead of
 * the answer; draining first lets it read the 413. Returns whether the whole body was read (then
 * the connection may be kept alive).
 */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<boolean> {
  let read = 0
  const deadline = Date.now() + DRAIN_MAX_MS
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return true
      read += value.byteLength
      if (read > DRAIN_MAX_BYTES || Date.now() > deadline) {
        await reader.cancel().catch(() => {})
        return false
      }
    }
  } catch {
    return false
  }
}

/**
 * A request body limit whose 413 the client can read (problem+json, `detail`): a body declared or
 * found larger than `maxSize` is drained before the answer, and the connection is closed only when
 * it could not be drained. Within the limit the body is buffered for the handlers.
 */
export function limitBody(maxSize: number, detail: string): MiddlewareHandler {
  return async (c, next) => {
    const raw = c.req.raw
    if (!raw.body) return next()
    const tooLarge = async (reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Response> => {
      if (!(await drain(reader))) c.header('connection', 'close')
      return sendProblem(c, problemDocument(413, detail, { maxBytes: maxSize }))
    }
    const reader = raw.body.getReader()
    const declared = raw.headers.has('transfer-encoding') ? NaN : Number(raw.headers.get('content-length'))
    if (Number.isFinite(declared) && declared > maxSize) return tooLarge(reader)
    const chunks: Uint8Array[] = []
    let size = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxSize) return tooLarge(reader)
      chunks.push(value)
    }
    const buffer = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      buffer.set(chunk, offset)
      offset += chunk.byteLength
    }
    c.req.raw = new Request(raw, { body: buffer })
    return next()
  }
}
