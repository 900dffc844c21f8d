import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Device {
  id: string
  personId: number
  communityId: number
  lastPositionAt: string | null
  addedBy: number | null
}

let server: TestServer
let admin: Client
let leader: Client
let patrol: Client
let communityId: number
let ownMember: number
let otherMember: number

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  leader = await server.login('leader')
  patrol = await server.login('patrol')
  const sql = server.db.sql
  const [c] = await sql<{ id: number }[]>`select id::int from communities order by id limit 1`
  communityId = c!.id
  const [own] = await sql<{ id: number }[]>`
    select p.id::int from people p join teams t on t.id = p.team_id join users u on u.person_id = t.leader_id
    where u.username = 'leader' and p.id <> t.leader_id order by p.id limit 1`
  const [other] = await sql<{ id: number }[]>`
    select p.id::int from people p join teams t on t.id = p.team_id
    where t.leader_id <> (select person_id from users where username = 'leader') order by p.id limit 1`
  ownMember = own!.id
  otherMember = other!.id
})
afterAll(async () => {
  await server?.close()
})

test("a leader registers a phone for their own team's member; the same registration again answers 200", async () => {
  const res = await leader.post('/api/devices', { id: 'phone-own-1', personId: ownMember, communityId })
  expect(res.status).toBe(201)
  expect((await res.json()) as Device).toMatchObject({ id: 'phone-own-1', personId: ownMember, communityId, lastPositionAt: null, addedBy: leader.user.id })
  expect((await leader.post('/api/devices', { id: 'phone-own-1', personId: ownMember, communityId })).status).toBe(200)
})

test("a leader may not register a device for another team's member; a patrol member may not register at all", async () => {
  expect((await leader.post('/api/devices', { id: 'phone-other-1', personId: otherMember, communityId })).status).toBe(403)
  expect((await patrol.post('/api/devices', { id: 'phone-p-1', personId: ownMember, communityId })).status).toBe(403)
})

test('a device id held by someone else is 409; a person of another community is 422', async () => {
  expect((await admin.post('/api/devices', { id: 'dev-01', personId: otherMember, communityId })).status).toBe(409)
  const [b] = await server.db.sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary) values ('设备测试B', 32650, ST_Multi(ST_MakeEnvelope(114.6, 30.7, 114.61, 30.71, 4326))) returning id::int`
  const [p] = await server.db.sql<{ id: number }[]>`insert into people (community_id, name) values (${b!.id}, 'B') returning id::int`
  expect((await admin.post('/api/devices', { id: 'phone-b', personId: p!.id, communityId })).status).toBe(422)
})

test("a person's devices are listed with the time of their last position", async () => {
  const [d] = await server.db.sql<{ personId: number; last: Date }[]>`
    select d.person_id::int as "personId", max(tp.t) as last from devices d join track_points tp on tp.device_id = d.id
    where d.id = 'dev-01' group by d.person_id`
  const person = (await (await admin.get(`/api/people/${d!.personId}`)).json()) as { devices: Device[] }
  const dev = person.devices.find((x) => x.id === 'dev-01')!
  expect(new Date(dev.lastPositionAt!).getTime()).toBe(d!.last.getTime())
  const list = (await (await leader.get(`/api/devices?personId=${d!.personId}`)).json()) as { items: Device[] }
  expect(list.items.map((x) => x.id)).toContain('dev-01')
})

test('a phone still registers itself at first duty, for its own person', async () => {
  const t = new Date(Date.now() - 60_000).toISOString()
  const [c] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities where id = ${communityId}`
  const res = await patrol.post('/api/tracks/points', { deviceId: 'self-registered', points: [{ lon: c!.lon, lat: c!.lat, t }] })
  expect(res.status).toBe(200)
  const me = (await (await patrol.get('/api/auth/me')).json()) as { user: { personId: number } }
  const list = (await (await admin.get(`/api/devices?personId=${me.user.personId}`)).json()) as { items: Device[] }
  expect(list.items.find((x) => x.id === 'self-registered')?.lastPositionAt).toBeTruthy()
})

test('a building head is named (planner), shown on the buildings layer and in the zone detail', async () => {
  const planner = await server.login('planner')
  const [z] = await server.db.sql<{ zoneId: number; buildingId: number }[]>`
    select z.id::int as "zoneId", b.id::int as "buildingId" from zones z join buildings b
      on b.community_id = z.community_id and ST_Covers(z.geom, ST_PointOnSurface(b.footprint))
    where z.community_id = ${communityId} order by z.id, b.id limit 1`
  const res = await planner.put(`/api/buildings/${z!.buildingId}`, { properties: { headPersonId: ownMember } })
  expect(res.status).toBe(200)
  expect(await res.json()).toMatchObject({ headPersonId: ownMember })
  const zone = (await (await leader.get(`/api/zones/${z!.zoneId}`)).json()) as { properties: { buildingsInside: { id: number; headPersonId: number | null; headName: string | null }[] } }
  expect(zone.properties.buildingsInside.find((b) => b.id === z!.buildingId)).toMatchObject({ headPersonId: ownMember, headName: expect.any(String) })
  const layer = (await (await leader.get(`/api/layers/buildings?communityId=${communityId}`)).json()) as { features: { id: number; properties: { headPersonId: number | null } }[] }
  expect(layer.features.find((f) => f.id === z!.buildingId)!.properties.headPersonId).toBe(ownMember)
  expect((await leader.put(`/api/buildings/${z!.buildingId}`, { properties: { headPersonId: null } })).status).toBe(403)
})

test('a zone takes several teams; the first is its teamId', async () => {
  const planner = await server.login('planner')
  const teams = await server.db.sql<{ id: number }[]>`select id::int from teams where community_id = ${communityId} order by id limit 2`
  const [z] = await server.db.sql<{ id: number }[]>`select id::int from zones where community_id = ${communityId} order by id limit 1`
  const res = await planner.put(`/api/zones/${z!.id}`, { type: 'Feature', properties: { teamIds: [teams[1]!.id, teams[0]!.id] } })
  expect(res.status).toBe(200)
  const zone = (await res.json()) as { properties: { teamId: number; teamIds: number[] } }
  expect(zone.properties.teamId).toBe(teams[1]!.id)
  expect(zone.properties.teamIds).toEqual([teams[1]!.id, teams[0]!.id])
  const detail = (await (await planner.get(`/api/zones/${z!.id}`)).json()) as { properties: { teams: { id: number }[] } }
  expect(detail.properties.teams.map((t) => t.id)).toEqual([teams[1]!.id, teams[0]!.id])
})
