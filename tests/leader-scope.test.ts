import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'
import { openSse, type SseEvent } from './helpers/sse.ts'

/**
 * The leader view's data on the server (issue 19, item 1): patrol members get nobody's tracks,
 * positions or QR codes; a leader gets their own team's members'; command gets everyone's.
 */
let server: TestServer
let patrol: Client
let leader: Client
let command: Client
let admin: Client
let spot: { lon: number; lat: number }
/** A device of a member of the leader's team, and one of a person in no team the leader leads. */
const own = 'scope-own-phone'
const other = 'scope-other-phone'

interface Fc {
  features: { properties: { deviceId: string } }[]
}

async function upload(deviceId: string, at: number): Promise<void> {
  const points = [0, 1, 2].map((i) => ({ lon: spot.lon + i * 0.00005, lat: spot.lat, t: new Date(at + i * 10_000).toISOString() }))
  const res = await admin.post('/api/tracks/points', { deviceId, points })
  expect(res.status).toBe(200)
}

beforeAll(async () => {
  server = await startTestServer()
  patrol = await server.login('patrol')
  leader = await server.login('leader')
  command = await server.login('command')
  admin = await server.login('admin')
  const sql = server.db.sql
  const [c] = await sql<{ id: number; lon: number; lat: number }[]>`
    select id::int, ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities order by id limit 1`
  spot = { lon: c!.lon, lat: c!.lat }
  const [mine] = await sql<{ id: number }[]>`
    select pt.person_id::int as id from person_teams pt join teams t on t.id = pt.team_id join users u on u.person_id = t.leader_id
    where u.username = 'leader' and pt.person_id <> t.leader_id order by 1 limit 1`
  const [theirs] = await sql<{ id: number }[]>`
    select p.id::int from people p join users u on u.username = 'leader'
    where p.community_id = ${c!.id} and p.id <> u.person_id
      and not exists (select 1 from person_teams pt join teams t on t.id = pt.team_id where pt.person_id = p.id and t.leader_id = u.person_id)
    order by 1 limit 1`
  await sql`insert into devices (id, community_id, person_id, name) values (${own}, ${c!.id}, ${mine!.id}, 'own'), (${other}, ${c!.id}, ${theirs!.id}, 'other')`
})
afterAll(async () => {
  await server?.close()
})

const window = () => `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`

test('a patrol member gets no tracks and no flagged stretches (403)', async () => {
  expect((await patrol.get(`/api/tracks?${window()}`)).status).toBe(403)
  expect((await patrol.get(`/api/tracks/flags?${window()}`)).status).toBe(403)
})

test("a leader gets their own team's members' tracks and not other people's; command gets both", async () => {
  const at = Date.now() - 600_000
  await upload(own, at)
  await upload(other, at)
  const mine = (await (await leader.get(`/api/tracks?${window()}`)).json()) as Fc
  const devices = new Set(mine.features.map((f) => f.properties.deviceId))
  expect(devices.has(own)).toBe(true)
  expect(devices.has(other)).toBe(false)
  const all = (await (await command.get(`/api/tracks?${window()}`)).json()) as Fc
  const everyone = new Set(all.features.map((f) => f.properties.deviceId))
  expect(everyone.has(own) && everyone.has(other)).toBe(true)
})

test("the live stream carries own-team positions to the leader, none to a patrol member", async () => {
  const leaderStream = await openSse(server.url, leader.token)
  const patrolStream = await openSse(server.url, patrol.token)
  const isPosition = (id: string) => (e: SseEvent) => e.event === 'position' && (JSON.parse(e.data) as { deviceId: string }).deviceId === id
  await upload(other, Date.now() - 30_000)
  await upload(own, Date.now() - 30_000)
  expect(await leaderStream.until(isPosition(own), 3000)).toBeDefined()
  expect(await patrolStream.until((e) => e.event === 'position', 1000)).toBeUndefined()
  leaderStream.close()
  patrolStream.close()
  // The other team's position came before the own one: had the leader been sent it, it would have come first.
  const replay = await openSse(server.url, leader.token, { 'last-event-id': '0' })
  const seen: string[] = []
  for (let e = await replay.next(1000); e; e = await replay.next(500)) if (e.event === 'position') seen.push((JSON.parse(e.data) as { deviceId: string }).deviceId)
  replay.close()
  expect(seen).toContain(own)
  expect(seen).not.toContain(other)
})

test('a patrol member gets the key places without their codes, and no QR image', async () => {
  const body = (await (await patrol.get('/api/key-places')).json()) as { items: Record<string, unknown>[] }
  expect(body.items.length).toBeGreaterThan(0)
  expect(body.items.every((k) => !('code' in k) && !('qrUrl' in k))).toBe(true)
  const id = body.items[0]!.id as number
  expect((await patrol.get(`/api/key-places/${id}/qr`)).status).toBe(403)
})
