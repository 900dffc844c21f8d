import { afterAll, beforeAll, expect, inject, test } from 'vitest'
import { createApp } from '../server/app.ts'
import { isLoopback } from '../server/routes/setup.ts'
import { startServer, type RunningServer } from '../server/start.ts'
import { emptyDatabase, type FreshDatabase } from './helpers/backend.ts'

let server: RunningServer
let db: FreshDatabase
const logs: string[] = []

const post = (path: string, body: unknown) =>
  fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

beforeAll(async () => {
  db = await emptyDatabase(inject('template'))
  server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: db.databaseUrl, dataDir: db.dataDir, seedDemo: false, log: (m) => logs.push(m) })
  // A new embedded database installs PostGIS and every migration: minutes on a busy two-core machine.
}, 600_000)
afterAll(async () => {
  await server?.close()
  await db?.drop()
})

test('an empty start without the demo has no account and prints a one-time setup token', async () => {
  expect(server.setupToken).toMatch(/^[A-Za-z0-9_-]{24}$/)
  expect(logs.join('\n')).toContain(server.setupToken!)
  const res = await fetch(`${server.url}/api/setup`)
  expect(await res.json()).toEqual({ needsAdmin: true, communities: 0 })
  const [users] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from users`
  expect(users!.n).toBe(0)
})

test('from another machine the setup needs the token: 403 without it, and nothing is created', async () => {
  const app = createApp({ sql: server.db.sql, setupToken: 'the-token-printed-on-the-console' })
  const env = { incoming: { socket: { remoteAddress: '192.0.2.7' } } }
  const init = (token?: string) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'remote', name: '远程', password: 'remote-passphrase', ...(token ? { setupToken: token } : {}) }),
  })
  expect((await app.request('/api/setup', init(), env)).status).toBe(403)
  expect((await app.request('/api/setup', init('wrong-token'), env)).status).toBe(403)
  const [users] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from users`
  expect(users!.n).toBe(0)
  expect(isLoopback('::ffff:127.0.0.1')).toBe(true)
  expect(isLoopback('10.0.0.1')).toBe(false)
})

test('a weak password or an empty username is refused', async () => {
  expect((await post('/api/setup', { username: 'root', name: '管理员', password: 'short' })).status).toBe(422)
  expect((await post('/api/setup', { username: ' ', name: '管理员', password: 'a-long-passphrase' })).status).toBe(400)
})

test('the first admin is created from this machine and signed in; then setup is closed (409)', async () => {
  const res = await post('/api/setup', { username: 'Root', name: '首位管理员', password: 'a-long-passphrase' })
  expect(res.status).toBe(201)
  const body = (await res.json()) as { token: string; user: { role: string } }
  expect(body.user.role).toBe('admin')
  const me = await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${body.token}` } })
  expect(((await me.json()) as { user: { communityIds: unknown } }).user.communityIds).toBeNull()
  expect((await post('/api/setup', { username: 'second', name: '第二', password: 'another-passphrase' })).status).toBe(409)
  expect(await (await fetch(`${server.url}/api/setup`)).json()).toEqual({ needsAdmin: false, communities: 0 })
  const login = await post('/api/auth/login', { username: 'root', password: 'a-long-passphrase' })
  expect(login.status).toBe(200)
})
