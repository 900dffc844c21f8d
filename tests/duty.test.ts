import { afterAll, beforeAll, expect, test } from 'vitest'
import { expectProblem } from './helpers/http.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Session {
  id: number
  personId: number | null
  deviceId: string
  startedAt: string
  stoppedAt: string | null
  open: boolean
  minutes: number
  distanceM: number
}

let server: TestServer
let leader: Client
let patrol: Client
let patrolPerson: number
let othersDevice: string
let base: { lon: number; lat: number }
/** Times are minutes before this instant, fixed for the file (whole minutes apart, whatever the test's pace). */
const NOW = Date.now()
const ago = (min: number) => new Date(NOW - min * 60_000).toISOString()

beforeAll(async () => {
  server = await startTestServer()
  leader = await server.login('leader')
  patrol = await server.login('patrol')
  const sql = server.db.sql
  const [me] = await sql<{ personId: number }[]>`select person_id::int as "personId" from users where username = 'patrol'`
  patrolPerson = me!.personId
  // Another person's phone, and no duty of the demo's for the patrol member (this file counts its own).
  const [other] = await sql<{ id: number }[]>`select id::int from people where id <> ${patrolPerson} and community_id = (select min(id) from communities) order by id limit 1`
  othersDevice = 'others-phone'
  await sql`insert into devices (id, community_id, person_id) values (${othersDevice}, (select min(id) from communities), ${other!.id})`
  await sql`delete from duty_sessions where person_id = ${patrolPerson}`
  const [c] = await sql<{ lon: number; lat: number }[]>`
    select ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities order by id limit 1`
  base = c!
})
afterAll(async () => {
  await server?.close()
})

test('a start is stored once: the same clientId again answers the same session (200)', async () => {
  const body = { action: 'start', deviceId: 'duty-phone-1', t: ago(30), clientId: 'start-1' }
  const first = await patrol.post('/api/duty', body)
  expect(first.status).toBe(201)
  const session = (await first.json()) as Session
  expect(session).toMatchObject({ personId: patrolPerson, deviceId: 'duty-phone-1', open: true, stoppedAt: null })
  const again = await patrol.post('/api/duty', body)
  expect(again.status).toBe(200)
  expect(((await again.json()) as Session).id).toBe(session.id)
  const [n] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from duty_sessions where device_id = 'duty-phone-1'`
  expect(n!.n).toBe(1)
})

test('a second start while on duty is 409', async () => {
  await expectProblem(await patrol.post('/api/duty', { action: 'start', deviceId: 'duty-phone-1', t: ago(29), clientId: 'start-2' }), 409)
})

test('a stop closes the session with its minutes and the metres of its plausible points; sent again it is 200', async () => {
  // 11 points 0.0001° of latitude (≈ 11.1 m) apart, 10 s apart, on duty; the last one flagged as impossible.
  const points = Array.from({ length: 11 }, (_, i) => ({ lon: base.lon, lat: base.lat + i * 0.0001, t: new Date(Date.parse(ago(25)) + i * 10_000).toISOString() }))
  expect((await patrol.post('/api/tracks/points', { deviceId: 'duty-phone-1', points })).status).toBe(200)
  await server.db.sql`update track_points set flag = 'test: impossible' where device_id = 'duty-phone-1' and t = ${points[10]!.t}`
  const stop = { action: 'stop', deviceId: 'duty-phone-1', t: ago(10), clientId: 'stop-1' }
  const res = await patrol.post('/api/duty', stop)
  expect(res.status).toBe(201)
  const session = (await res.json()) as Session
  expect(session.open).toBe(false)
  expect(session.minutes).toBe(20)
  // Nine joined steps of 0.0001° latitude ≈ 9 × 11.09 m ≈ 99.8 m (UTM scale ≈ 1.0003); the flagged tenth is left out.
  expect(session.distanceM).toBeGreaterThanOrEqual(99)
  expect(session.distanceM).toBeLessThanOrEqual(101)
  const again = await patrol.post('/api/duty', stop)
  expect(again.status).toBe(200)
  expect(((await again.json()) as Session).id).toBe(session.id)
})

test('a stop without a start is 409', async () => {
  await expectProblem(await patrol.post('/api/duty', { action: 'stop', deviceId: 'duty-phone-2', t: ago(5), clientId: 'stop-x' }), 409)
  await expectProblem(await patrol.post('/api/duty', { action: 'stop', deviceId: 'duty-phone-1', t: ago(5), clientId: 'stop-y' }), 409)
})

test("another person's device is 403; a leader may record on it", async () => {
  await expectProblem(await patrol.post('/api/duty', { action: 'start', deviceId: othersDevice, t: ago(3), clientId: 'x-1' }), 403)
  expect((await leader.post('/api/duty', { action: 'start', deviceId: othersDevice, t: ago(3), clientId: 'x-2' })).status).toBe(201)
  expect((await leader.post('/api/duty', { action: 'stop', deviceId: othersDevice, t: ago(2), clientId: 'x-3' })).status).toBe(201)
})

test('a time far in the future, before the community, or days old is 422; a bad action is 400', async () => {
  const future = new Date(Date.now() + 3_600_000).toISOString()
  expect((await expectProblem(await patrol.post('/api/duty', { action: 'start', deviceId: 'duty-phone-3', t: future, clientId: 'f-1' }), 422)).errors?.[0]?.path).toBe('t')
  await expectProblem(await patrol.post('/api/duty', { action: 'start', deviceId: 'duty-phone-3', t: '2001-01-01T00:00:00Z', clientId: 'f-2' }), 422)
  await expectProblem(await patrol.post('/api/duty', { action: 'start', deviceId: 'duty-phone-3', t: ago(3 * 24 * 60), clientId: 'f-3' }), 422)
  await expectProblem(await patrol.post('/api/duty', { action: 'pause', deviceId: 'duty-phone-3', t: ago(1), clientId: 'f-4' }), 400)
  const [n] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from duty_sessions where device_id = 'duty-phone-3'`
  expect(n!.n).toBe(0)
})

test('GET /api/duty lists the sessions of the window; a patrol member sees only their own', async () => {
  const from = encodeURIComponent(ago(60))
  const to = encodeURIComponent(ago(0))
  const mine = (await (await patrol.get(`/api/duty?from=${from}&to=${to}`)).json()) as { items: Session[] }
  expect(mine.items.map((s) => s.deviceId)).toEqual(['duty-phone-1'])
  expect(mine.items[0]).toMatchObject({ minutes: 20, open: false })
  const all = (await (await leader.get(`/api/duty?from=${from}&to=${to}`)).json()) as { items: Session[] }
  expect(all.items.map((s) => s.deviceId)).toEqual(expect.arrayContaining(['duty-phone-1', othersDevice]))
  await expectProblem(await patrol.get(`/api/duty?from=${from}&to=${to}&personId=${patrolPerson + 1}`), 403)
})

test("a person's activity counts duty clipped to the window, distance, reports and check-ins", async () => {
  const from = ago(20)
  const to = ago(0)
  const res = await leader.get(`/api/people/${patrolPerson}/activity?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)
  expect(res.status).toBe(200)
  const a = (await res.json()) as { dutyMinutes: number; dutyHours: number; distanceM: number; sessions: number; reports: { total: number }; checkins: number }
  // The session ran 30 → 10 minutes ago: 10 minutes of it fall in the window, after the walk (25 → 23.3 minutes ago).
  expect(a).toMatchObject({ dutyMinutes: 10, dutyHours: 0.2, distanceM: 0, sessions: 1 })
  const [reports] = await server.db.sql<{ n: number }[]>`
    select count(*)::int as n from hazards h join users u on u.id = h.reporter_id
    where u.person_id = ${patrolPerson} and h.reported_at >= ${from} and h.reported_at < ${to}`
  expect(a.reports.total).toBe(reports!.n)
  await expectProblem(await patrol.get(`/api/people/${patrolPerson + 1}/activity?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`), 403)
})
