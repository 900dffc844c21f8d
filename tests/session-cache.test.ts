/**
 * The session cache (server/auth/session-cache.ts) never serves what the database no longer says:
 * a change to sessions, accounts or their communities is honoured at the very next request, with no
 * waiting for the cache's few seconds (migration 065 announces those changes).
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

test('a session deleted in the database is refused at the next request', async () => {
  const leader = await server.login('leader')
  expect((await leader.get('/api/auth/me')).status).toBe(200)
  await server.db.sql`delete from sessions where user_id = ${leader.user.id}`
  expect((await leader.get('/api/auth/me')).status).toBe(401)
})

test('a role changed in the database holds from the next request on', async () => {
  const planner = await server.login('planner')
  expect(((await (await planner.get('/api/auth/me')).json()) as { user: { role: string } }).user.role).toBe('planner')
  await server.db.sql`update users set role = 'patrol' where id = ${planner.user.id}`
  expect(((await (await planner.get('/api/auth/me')).json()) as { user: { role: string } }).user.role).toBe('patrol')
})

test('a community taken from an account leaves its scope at the next request', async () => {
  const command = await server.login('command')
  const before = (await (await command.get('/api/communities')).json()) as { features: unknown[] }
  expect(before.features.length).toBeGreaterThan(0)
  await server.db.sql`delete from user_communities where user_id = ${command.user.id}`
  const after = (await (await command.get('/api/communities')).json()) as { features: unknown[] }
  expect(after.features).toEqual([])
})
