/**
 * A local stand-in for a group robot or webhook receiver: node:http on 127.0.0.1 at a free port. It
 * records every request, checks it with the test's `check` (the provider's documented shape and
 * signature) and answers as that robot would: its success body, or its error body when the check
 * fails, or whatever `answer` says (a status, or `'hang'` until {@link Receiver.release}).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request as received. */
export interface Received {
  /** The request URL as sent (path and raw query). */
  rawUrl: string
  url: URL
  headers: IncomingMessage['headers']
  body: string
  json: Record<string, unknown>
  /** Date.now() on arrival. */
  at: number
  /** What `check` found wrong (empty: the request is as documented). */
  problems: string[]
}

/** How to answer one request. */
export type Answer = { status: number; body?: string } | 'hang'

/** A running receiver. */
export interface Receiver {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string
  requests: Received[]
  /** Wait until at least `n` requests arrived (rejects after `timeoutMs`). */
  waitFor: (n: number, timeoutMs?: number) => Promise<Received[]>
  /** Answer every hanging request now (200 with the success body). */
  release: () => void
  close: () => Promise<void>
}

/** Options of {@link startReceiver}. */
export interface ReceiverOptions {
  /** The documented success answer, e.g. `{"errcode":0,"errmsg":"ok"}`. */
  success: { status: number; body: string }
  /** The answer when `check` finds problems (the robot's error), default 400. */
  rejection?: { status: number; body: string }
  /** Checks a request against the documentation; returns what is wrong. */
  check?: (r: Omit<Received, 'problems'>) => string[]
  /** Overrides the answer of the n-th request (0-based). */
  answer?: (index: number, r: Received) => Answer | undefined
}

/** Start a receiver; close it in `afterAll`. */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const requests: Received[] = []
  const waiters: { n: number; resolve: (r: Received[]) => void }[] = []
  const hanging: ServerResponse[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let json: Record<string, unknown> = {}
      try {
        json = JSON.parse(body) as Record<string, unknown>
      } catch {
        // Left empty: `check` reports a body that is not JSON.
      }
      const base = { rawUrl: req.url ?? '/', url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, body, json, at: Date.now() }
      const received: Received = { ...base, problems: options.check ? options.check(base) : [] }
      const index = requests.length
      requests.push(received)
      for (const w of [...waiters]) {
        if (requests.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(requests.slice())
        }
      }
      const answer = options.answer?.(index, received)
      if (answer === 'hang') {
        hanging.push(res)
        return
      }
      const out = answer ?? (received.problems.length ? (options.rejection ?? { status: 400, body: '{"error":"rejected"}' }) : options.success)
      res.writeHead(out.status, { 'content-type': 'application/json' })
      res.end(out.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitFor: (n, timeoutMs = 30_000) =>
      requests.length >= n
        ? Promise.resolve(requests.slice())
        : new Promise<Received[]>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`the receiver got ${requests.length} of ${n} requests within ${timeoutMs} ms`)), timeoutMs)
            waiters.push({
              n,
              resolve: (r) => {
                clearTimeout(timer)
                resolve(r)
              },
            })
          }),
    release: () => {
      for (const res of hanging.splice(0)) {
        res.writeHead(options.success.status, { 'content-type': 'application/json' })
        res.end(options.success.body)
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging.splice(0)) res.destroy()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
