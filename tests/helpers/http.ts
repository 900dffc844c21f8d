import { request as httpRequest } from 'node:http'
import { expect } from 'vitest'

/** Assert a problem+json answer with this status; returns the document. */
export async function expectProblem(res: Response, status: number): Promise<{ detail: string; errors?: { path: string; message: string }[]; [k: string]: unknown }> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toContain('application/problem+json')
  const body = (await res.json()) as { status: number; detail: string; errors?: { path: string; message: string }[] }
  expect(body.status).toBe(status)
  expect(body.detail.length).toBeGreaterThan(0)
  return body
}

/** An answer of {@link rawRequest}. */
export interface RawAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/**
 * A request through node:http, for what fetch cannot do: a chosen `Host` header, or a chosen
 * loopback source address (`localAddress: '127.0.0.2'`) to act as another client.
 */
export function rawRequest(
  baseUrl: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<RawAnswer> {
  const url = new URL(path, baseUrl)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? 'GET',
        headers: { ...(options.body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(options.body)) } : {}), ...options.headers },
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    if (options.body !== undefined) req.write(options.body)
    req.end()
  })
}
