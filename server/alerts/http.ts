/**
 * One HTTP POST of an alert: node:http(s) with the guarded `lookup` (server/alerts/address.ts), a hard
 * deadline, no redirects followed (a 3xx is an answer, not a hop to somewhere the guard did not check)
 * and at most {@link RESPONSE_LIMIT} bytes of the answer read.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { guardedLookup, urlProblem } from './address.ts'

/** Most bytes of a receiver's answer kept (enough for every robot's `{ errcode, errmsg }`). */
export const RESPONSE_LIMIT = 16 * 1024

/** What a receiver answered. */
export interface PostAnswer {
  status: number
  body: string
  /** `Retry-After` in ms, when the receiver sent one. */
  retryAfterMs: number | undefined
}

/** A send that got no answer: refused address, DNS, connection, timeout. */
export class SendFailure extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SendFailure'
  }
}

function retryAfter(res: IncomingMessage): number | undefined {
  const value = res.headers['retry-after']
  if (typeof value !== 'string') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}

/**
 * POST `body` (JSON text) to `url` and read the answer. Rejects with {@link SendFailure} when no answer
 * came within `timeoutMs` (or `signal` aborted, or the address is refused).
 */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; allowPrivate: boolean; signal?: AbortSignal },
): Promise<PostAnswer> {
  const problem = urlProblem(url, options.allowPrivate)
  if (problem) return Promise.reject(new SendFailure(`URL refused: ${problem}`))
  const target = new URL(url)
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise<PostAnswer>((resolve, reject) => {
    let settled = false
    const finish = (error: Error | undefined, answer?: PostAnswer): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      if (error) {
        req.destroy()
        reject(error instanceof SendFailure ? error : new SendFailure(error.message || String(error)))
      } else resolve(answer!)
    }
    const req = send(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'SafeGrid-Alerts/1', ...headers },
        lookup: guardedLookup(options.allowPrivate),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          if (size >= RESPONSE_LIMIT) return
          chunks.push(chunk)
          size += chunk.length
          if (size >= RESPONSE_LIMIT) res.destroy()
        })
        const done = (): void =>
          finish(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_LIMIT), retryAfterMs: retryAfter(res) })
        res.on('end', done)
        res.on('close', done)
        res.on('error', (error) => finish(error))
      },
    )
    const timer = setTimeout(() => finish(new SendFailure(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs)
    const onAbort = (): void => finish(new SendFailure('the server is shutting down'))
    if (options.signal?.aborted) return onAbort()
    options.signal?.addEventListener('abort', onAbort, { once: true })
    req.on('error', (error) => finish(error))
    req.end(body)
  })
}
