import { inject } from 'vitest'
import { startServer, type RunningServer, type StartOptions } from '../../server/start.ts'
import { freshDatabase } from './backend.ts'

/** Send a request: JSON bodies are serialised, strings and other bodies sent as they are. */
export type Send = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>

/** A signed-in API client (Bearer token). */
export interface Client {
  token: string
  csrfToken: string
  user: { id: number; name: string; role: string; username: string }
  get: (path: string, headers?: Record<string, string>) => Promise<Response>
  post: (path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>
  put: (path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>
  del: (path: string, headers?: Record<string, string>) => Promise<Response>
  send: Send
}

/** A real SafeGrid server on a free port over a fresh copy of the seeded demo database. */
export interface TestServer extends RunningServer {
  backend: 'embedded' | 'postgres'
  /** When the demo data was seeded. */
  seededAt: Date
  /** Anonymous requests. */
  get: (path: string, headers?: Record<string, string>) => Promise<Response>
  post: (path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>
  send: Send
  /** Sign in (demo password by default) and get a Bearer client. */
  login: (username: string, password?: string) => Promise<Client>
}

function sender(base: string, auth: Record<string, string>): Send {
  return (method, path, body, headers = {}) => {
    const isJson = body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array) && !(body instanceof FormData) && !(body instanceof Blob)
    return fetch(base + path, {
      method,
      headers: { ...(isJson ? { 'content-type': 'application/json' } : {}), ...auth, ...headers },
      body: body === undefined ? undefined : isJson ? JSON.stringify(body) : (body as BodyInit),
    })
  }
}

/** Start a server for one test file; call `close()` in `afterAll`. */
export async function startTestServer(options: { webRoot?: string; alerts?: StartOptions['alerts'] } = {}): Promise<TestServer> {
  const template = inject('template')
  const fresh = await freshDatabase(template)
  const running = await startServer({
    port: 0,
    host: '127.0.0.1',
    databaseUrl: fresh.databaseUrl,
    dataDir: fresh.dataDir,
    seedDemo: false,
    webRoot: options.webRoot,
    alerts: options.alerts,
  })
  const send = sender(running.url, {})
  const login = async (username: string, password = 'demo'): Promise<Client> => {
    const res = await send('POST', '/api/auth/login', { username, password })
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`)
    const body = (await res.json()) as { token: string; csrfToken: string; user: Client['user'] }
    const s = sender(running.url, { authorization: `Bearer ${body.token}` })
    return {
      ...body,
      send: s,
      get: (path, headers) => s('GET', path, undefined, headers),
      post: (path, b, headers) => s('POST', path, b, headers),
      put: (path, b, headers) => s('PUT', path, b, headers),
      del: (path, headers) => s('DELETE', path, undefined, headers),
    }
  }
  return {
    ...running,
    backend: template.backend,
    seededAt: new Date(template.seededAt),
    send,
    get: (path, headers) => send('GET', path, undefined, headers),
    post: (path, body, headers) => send('POST', path, body, headers),
    login,
    close: async () => {
      await running.close()
      await fresh.drop()
    },
  }
}
