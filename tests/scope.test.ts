import { afterAll, beforeAll, expect, test } from 'vitest'
import { hashPassword } from '../server/domain/password.ts'
import { createUser } from '../server/queries/users.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface FC {
  features: { id: number; properties: { communityId: number } }[]
}

let server: TestServer
let otherCommunity: number
let otherHazard: number
let leaderA: Client
let leaderB: Client

beforeAll(async () => {
  server = await startTestServer()
  const sql = server.db.sql
  // A second community far from the demo one, with one hazard and its own leader.
  const [c] = await sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('测试社区B', 32650, ST_Multi(ST_MakeEnvelope(114.50, 30.60, 114.51, 30.61, 4326))) returning id`
  otherCommunity = c!.id
  const [h] = await sql<{ id: number }[]>`
    insert into hazards (community_id, category, severity, status, geom, reported_at, due_at, description)
    values (${otherCommunity}, 'other', 'minor', 'reported', ST_SetSRID(ST_MakePoint(114.505, 30.605), 4326),
            now(), now() + interval '1 day', 'B 社区的隐患') returning id`
  otherHazard = h!.id
  await createUser(sql, { username: 'leader-b', name: '乙社区队长', role: 'leader', passwordHash: await hashPassword('b-secret'), communityIds: [otherCommunity] })
  leaderA = await server.login('leader')
  leaderB = await server.login('leader-b', 'b-secret')
})
afterAll(async () => {
  await server?.close()
})

test('a leader of community A never sees community B hazards in the list', async () => {
  const fc = (await (await leaderA.get('/api/hazards')).json()) as FC
  expect(fc.features.length).toBeGreaterThan(0)
  expect(fc.features.some((f) => f.id === otherHazard)).toBe(false)
  expect(fc.features.every((f) => f.properties.communityId !== otherCommunity)).toBe(true)
})

test('asking for community B by id gives A nothing', async () => {
  const fc = (await (await leaderA.get(`/api/hazards?communityId=${otherCommunity}`)).json()) as FC
  expect(fc.features).toEqual([])
  const layer = (await (await leaderA.get(`/api/layers/communities`)).json()) as FC
  expect(layer.features.map((f) => f.id)).not.toContain(otherCommunity)
})

test('the leader of community B sees only B', async () => {
  const fc = (await (await leaderB.get('/api/hazards')).json()) as FC
  expect(fc.features.map((f) => f.id)).toEqual([otherHazard])
  const buildings = (await (await leaderB.get('/api/layers/buildings')).json()) as FC
  expect(buildings.features).toEqual([])
})

test('an admin without a district sees both communities', async () => {
  const admin = await server.login('admin')
  const me = (await (await admin.get('/api/auth/me')).json()) as { user: { communityIds: number[] | null; districtId: number | null } }
  const layer = (await (await admin.get('/api/layers/communities')).json()) as FC
  if (me.user.districtId === null) expect(layer.features.map((f) => f.id)).toContain(otherCommunity)
  else expect(layer.features.map((f) => f.id)).not.toContain(otherCommunity)
})

test('a partner of unit X sees neither unit Y’s matters (in its own community or B) nor anyone’s people', async () => {
  const sql = server.db.sql
  const [a] = await sql<{ id: number; lon: number; lat: number }[]>`
    select id::int, ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities order by id limit 1`
  const units = await sql<{ id: number; kind: string }[]>`select id::int, kind from partner_units order by id`
  const x = units.find((u) => u.kind === 'property')!.id
  const y = units.find((u) => u.kind === 'police')!.id
  // Unit Y also serves B; a matter of Y in A and one in B, and B's own hazard handed to nobody.
  await sql`insert into partner_unit_communities (community_id, unit_id) values (${otherCommunity}, ${y})`
  const SECRET = 'Y-UNIT-ONLY-91c2'
  const [ya] = await sql<{ id: number }[]>`
    insert into hazards (community_id, category, severity, status, geom, reported_at, due_at, description, unit_id)
    values (${a!.id}, 'other', 'minor', 'dispatched', ST_SetSRID(ST_MakePoint(${a!.lon}, ${a!.lat}), 4326), now(), now() + interval '1 day', ${SECRET}, ${y})
    returning id::int`
  const [yb] = await sql<{ id: number }[]>`
    insert into hazards (community_id, category, severity, status, geom, reported_at, due_at, description, unit_id)
    values (${otherCommunity}, 'other', 'minor', 'dispatched', ST_SetSRID(ST_MakePoint(114.505, 30.605), 4326), now(), now() + interval '1 day', ${SECRET}, ${y})
    returning id::int`
  const wuye = await server.login('wuye')
  const fc = (await (await wuye.get('/api/hazards?limit=500')).json()) as { features: { id: number; properties: { unitId: number } }[] }
  expect(fc.features.length).toBeGreaterThan(0)
  expect(fc.features.every((f) => f.properties.unitId === x)).toBe(true)
  for (const id of [ya!.id, yb!.id, otherHazard]) {
    expect((await wuye.get(`/api/hazards/${id}`)).status).toBe(404)
    expect((await wuye.post(`/api/hazards/${id}/transition`, { to: 'rectifying' })).status).toBe(404)
  }
  for (const path of [`/api/hazards?communityId=${otherCommunity}`, `/api/hazards?unitId=${y}`, '/api/hazards?format=csv', '/api/stats', `/api/stats?communityId=${a!.id}`]) {
    const res = await wuye.get(path)
    expect(res.status).toBeLessThan(500)
    expect(await res.text()).not.toContain(SECRET)
  }
  const [person] = await sql<{ name: string }[]>`select name from people where community_id = ${a!.id} order by id limit 1`
  for (const path of ['/api/people', '/api/teams', '/api/tracks', '/api/devices', '/api/checkins', `/api/analysis/coverage?communityId=${a!.id}`, '/api/layers/zones', '/api/reports/day']) {
    const res = await wuye.get(path)
    expect([path, res.status]).toEqual([path, 403])
    expect(await res.text()).not.toContain(person!.name)
  }
})
