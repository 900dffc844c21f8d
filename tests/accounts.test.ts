import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Account {
  id: number
  username: string
  name: string
  role: string
  personId: number | null
  communityIds: number[]
  active: boolean
  mustChangePassword: boolean
  password?: string
}

let server: TestServer
let admin: Client
let communityId: number
let personIds: number[]
let seq = 0

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  const [c] = await server.db.sql<{ id: number }[]>`select id::int from communities order by id limit 1`
  communityId = c!.id
  const rows = await server.db.sql<{ id: number }[]>`
    select p.id::int from people p where p.community_id = ${communityId} and not exists (select 1 from users u where u.person_id = p.id) order by p.id`
  personIds = rows.map((r) => r.id)
})
afterAll(async () => {
  await server?.close()
})

const create = async (body: Record<string, unknown>) => admin.post('/api/users', { name: '测试账号', role: 'leader', communityIds: [communityId], ...body })

test('an admin creates a leader linked to a person; the one-time password is shown once and must be changed first', async () => {
  const personId = personIds[seq++]!
  const res = await create({ username: 'Team.Lead1', personId })
  expect(res.status).toBe(201)
  const account = (await res.json()) as Account
  expect(account).toMatchObject({ username: 'Team.Lead1', role: 'leader', personId, communityIds: [communityId], active: true, mustChangePassword: true })
  expect(account.password).toMatch(/^[A-Za-z0-9_-]{12}$/)
  const listed = ((await (await admin.get('/api/users')).json()) as { items: Account[] }).items.find((u) => u.id === account.id)!
  expect(listed.password).toBeUndefined()
  // Sign-in is case-insensitive; until the password is changed, only /me, /password and /logout answer.
  const lead = await server.login('team.lead1', account.password)
  expect((await lead.get('/api/hazards')).status).toBe(403)
  const me = (await (await lead.get('/api/auth/me')).json()) as { user: { mustChangePassword: boolean } }
  expect(me.user.mustChangePassword).toBe(true)
  expect((await lead.post('/api/auth/password', { currentPassword: 'wrong-one', newPassword: 'a-good-passphrase' })).status).toBe(403)
  expect((await lead.post('/api/auth/password', { currentPassword: account.password, newPassword: 'short' })).status).toBe(422)
  expect((await lead.post('/api/auth/password', { currentPassword: account.password, newPassword: 'a-good-passphrase' })).status).toBe(204)
  expect((await lead.get('/api/hazards')).status).toBe(200)
  await expect(server.login('Team.Lead1', account.password)).rejects.toThrow(/401/)
  await server.login('TEAM.LEAD1', 'a-good-passphrase')
})

test('usernames are unique case-insensitively, never empty; short passwords are refused', async () => {
  expect((await create({ username: 'casefold' })).status).toBe(201)
  expect((await create({ username: 'CaseFold' })).status).toBe(409)
  expect((await create({ username: '   ' })).status).toBe(400)
  expect((await create({ username: 'has space' })).status).toBe(400)
  const weak = await create({ username: 'weakpw', password: '1234567' })
  expect(weak.status).toBe(422)
  expect(JSON.stringify(await weak.json())).toContain('at least 8')
})

test('one person, one active account: linking a second account to the same person is 409', async () => {
  const personId = personIds[seq++]!
  expect((await create({ username: `p-${personId}-a`, personId })).status).toBe(201)
  expect((await create({ username: `p-${personId}-b`, personId })).status).toBe(409)
})

test('an admin changes role and communities; the account is signed out at once', async () => {
  const account = (await (await create({ username: 'rolechange', password: 'rolechange-pass', mustChangePassword: false })).json()) as Account
  const c = await server.login('rolechange', 'rolechange-pass')
  expect((await c.get('/api/hazards')).status).toBe(200)
  const res = await admin.put(`/api/users/${account.id}`, { role: 'patrol' })
  expect(res.status).toBe(200)
  expect(((await res.json()) as Account).role).toBe('patrol')
  expect((await c.get('/api/hazards')).status).toBe(401)
})

test('deactivating revokes every session; signing in is then refused; reactivating lets them back', async () => {
  const account = (await (await create({ username: 'leaver', password: 'leaver-password', mustChangePassword: false })).json()) as Account
  const c = await server.login('leaver', 'leaver-password')
  expect((await admin.put(`/api/users/${account.id}`, { active: false })).status).toBe(200)
  expect((await c.get('/api/auth/me')).status).toBe(401)
  await expect(server.login('leaver', 'leaver-password')).rejects.toThrow(/401/)
  expect((await admin.put(`/api/users/${account.id}`, { active: true })).status).toBe(200)
  await server.login('leaver', 'leaver-password')
})

test('reset password: a new one-time password, old sessions revoked, the old password no longer works', async () => {
  const account = (await (await create({ username: 'forgetful', password: 'forgetful-pass', mustChangePassword: false })).json()) as Account
  const c = await server.login('forgetful', 'forgetful-pass')
  const res = await admin.post(`/api/users/${account.id}/reset-password`)
  expect(res.status).toBe(200)
  expect(res.headers.get('cache-control')).toBe('no-store')
  const { password, mustChangePassword } = (await res.json()) as Account
  expect(mustChangePassword).toBe(true)
  expect((await c.get('/api/auth/me')).status).toBe(401)
  await expect(server.login('forgetful', 'forgetful-pass')).rejects.toThrow(/401/)
  const again = await server.login('forgetful', password)
  expect((await again.get('/api/zones')).status).toBe(403)
})

test('an admin cannot deactivate or demote themself', async () => {
  expect((await admin.put(`/api/users/${admin.user.id}`, { active: false })).status).toBe(409)
  expect((await admin.put(`/api/users/${admin.user.id}`, { role: 'leader' })).status).toBe(409)
})

test("a person of another community cannot be linked (422); a district admin cannot grant a community outside the district (403)", async () => {
  const [c] = await server.db.sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary) values ('账号测试B', 32650, ST_Multi(ST_MakeEnvelope(114.6, 30.7, 114.61, 30.71, 4326))) returning id::int`
  const [p] = await server.db.sql<{ id: number }[]>`insert into people (community_id, name) values (${c!.id}, 'B 的人') returning id::int`
  expect((await create({ username: 'cross', personId: p!.id })).status).toBe(422)
  expect((await create({ username: 'elsewhere', communityIds: [c!.id] })).status).toBe(403)
  expect((await create({ username: 'nowhere', communityIds: [99_999_999] })).status).toBe(403)
})

test('changing your own password signs out your other sessions but keeps this one', async () => {
  await create({ username: 'twodevices', password: 'two-devices-pw', mustChangePassword: false })
  const phone = await server.login('twodevices', 'two-devices-pw')
  const desk = await server.login('twodevices', 'two-devices-pw')
  expect((await desk.post('/api/auth/password', { currentPassword: 'two-devices-pw', newPassword: 'two-devices-pw2' })).status).toBe(204)
  expect((await desk.get('/api/auth/me')).status).toBe(200)
  expect((await phone.get('/api/auth/me')).status).toBe(401)
})

test('only admins manage accounts', async () => {
  for (const role of ['planner', 'command', 'leader', 'patrol']) {
    const c = await server.login(role)
    expect((await c.get('/api/users')).status).toBe(403)
    expect((await c.post('/api/users', { username: `by-${role}`, name: 'x', role: 'admin' })).status).toBe(403)
  }
})
