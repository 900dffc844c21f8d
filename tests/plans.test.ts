import { afterAll, beforeAll, expect, test } from 'vitest'
import { expectProblem } from './helpers/http.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Plan {
  id: number
  communityId: number
  type: string
  name: string
  from: string
  to: string
  repeat: { weekdays: number[]; start: string; end: string } | null
  zoneIds: number[]
  personIds: number[]
  leaderId: number | null
  occurrences?: { from: string; to: string }[]
}

interface Count {
  total: number
  visited: number
  coverage: number
}

interface PlanCoverage {
  occurrences: { from: string; to: string }[]
  buildings: Count & { byTrack: number; byCheckin: number }
  keyPlaces: Count & { byTrack: number; byCheckin: number }
  byZone: { zoneId: number; buildings: Count; keyPlaces: Count }[]
  unvisited: { features: { properties: { id: number; kind: string } }[] }
  people: { personId: number; name: string; planned: boolean; came: boolean; onDutyMinutes: number; distanceM: number }[]
  runningNow: boolean
  zonesWithoutDutyNow: { zoneId: number }[]
}

let server: TestServer
let admin: Client
let leader: Client
let patrol: Client
let demo: { communityId: number; zoneIds: number[]; personIds: number[] }
/** The hand-computed small community. */
const small = { communityId: 0, zoneA: 0, zoneB: 0, b: [] as number[], k1: 0, p1: 0, p2: 0, p3: 0 }
/** The small case's plan window: one hour, three hours ago (whole minutes). */
const T0 = Math.floor((Date.now() - 3 * 3_600_000) / 60_000) * 60_000
const iso = (ms: number) => new Date(ms).toISOString()
const MIN = 60_000

const square = (x: number, y: number, d: number) => `POLYGON((${x} ${y}, ${x + d} ${y}, ${x + d} ${y + d}, ${x} ${y + d}, ${x} ${y}))`

beforeAll(async () => {
  server = await startTestServer()
  leader = await server.login('leader')
  patrol = await server.login('patrol')
  const sql = server.db.sql
  const [c] = await sql<{ id: number }[]>`select id::int from communities order by id limit 1`
  const zones = await sql<{ id: number }[]>`select id::int from zones where community_id = ${c!.id} order by id limit 2`
  const people = await sql<{ id: number }[]>`select id::int from people where community_id = ${c!.id} order by id limit 3`
  demo = { communityId: c!.id, zoneIds: zones.map((z) => z.id), personIds: people.map((p) => p.id) }

  // A small community of two zones (west A, east B), four buildings and a key place, set up a month ago.
  const [sc] = await sql<{ id: number }[]>`
    insert into communities (district_id, name, utm_srid, boundary, created_at)
    values ((select district_id from communities where id = ${c!.id}), '计划测试', 32650, ST_Multi(ST_MakeEnvelope(114.50, 30.50, 114.51, 30.51, 4326)), now() - interval '30 days') returning id::int`
  small.communityId = sc!.id
  const [za] = await sql<{ id: number }[]>`
    insert into zones (community_id, name, geom) values (${sc!.id}, 'A', ST_Multi(ST_MakeEnvelope(114.50, 30.50, 114.505, 30.51, 4326))) returning id::int`
  const [zb] = await sql<{ id: number }[]>`
    insert into zones (community_id, name, geom) values (${sc!.id}, 'B', ST_Multi(ST_MakeEnvelope(114.505, 30.50, 114.51, 30.51, 4326))) returning id::int`
  small.zoneA = za!.id
  small.zoneB = zb!.id
  // b1 (A) 22 m north of the planned walk; b2 (A) next to a flagged point; b3 (B) 130 m from the walk; b4 (B) on the unplanned walk.
  for (const [x, y] of [[114.501, 30.501], [114.504, 30.508], [114.507, 30.502], [114.509, 30.509]] as const) {
    const [b] = await sql<{ id: number }[]>`
      insert into buildings (community_id, footprint) values (${sc!.id}, ST_Multi(ST_GeomFromText(${square(x, y, 0.0002)}, 4326))) returning id::int`
    small.b.push(b!.id)
  }
  const [k] = await sql<{ id: number }[]>`
    insert into key_places (community_id, kind, name, code, geom)
    values (${sc!.id}, 'entrance', '北门', 'KP-PLANTEST01', ST_SetSRID(ST_MakePoint(114.503, 30.505), 4326)) returning id::int`
  small.k1 = k!.id
  const person = async (name: string) => (await sql<{ id: number }[]>`insert into people (community_id, name) values (${sc!.id}, ${name}) returning id::int`)[0]!.id
  small.p1 = await person('计划一')
  small.p2 = await person('路过二')
  small.p3 = await person('缺席三')
  await sql`insert into devices (id, community_id, person_id) values ('plan-d1', ${sc!.id}, ${small.p1}), ('plan-d2', ${sc!.id}, ${small.p2})`
  // P1 walks east along lat 30.5008 from lon 114.5005 to 114.5075, 0.0001° (≈ 9.59 m) every 10 s, from T0+10 min.
  const walk = Array.from({ length: 71 }, (_, i) => ({ t: iso(T0 + 10 * MIN + i * 10_000), x: 114.5005 + i * 0.0001, y: 30.5008 }))
  for (const p of walk) {
    await sql`insert into track_points (community_id, device_id, t, geom) values (${sc!.id}, 'plan-d1', ${p.t}, ST_SetSRID(ST_MakePoint(${p.x}, ${p.y}), 4326))`
  }
  // A physically impossible point of P1 at b2, 5 s after a walk point 800 m away: flagged at ingest, it counts for nothing.
  await sql`insert into track_points (community_id, device_id, t, geom)
            values (${sc!.id}, 'plan-d1', ${iso(T0 + 10 * MIN + 305_000)}, ST_SetSRID(ST_MakePoint(114.5041, 30.5081), 4326))`
  const [flagged] = await sql<{ flag: string | null }[]>`select flag from track_points where device_id = 'plan-d1' and t = ${iso(T0 + 10 * MIN + 305_000)}`
  expect(flagged!.flag).not.toBeNull()
  // P2 (not planned) stands at b4 in zone B.
  for (let i = 0; i < 3; i++) {
    await sql`insert into track_points (community_id, device_id, t, geom)
              values (${sc!.id}, 'plan-d2', ${iso(T0 + 35 * MIN + i * 10_000)}, ST_SetSRID(ST_MakePoint(114.5091, 30.5091), 4326))`
  }
  // P1 checks in at the key place; P2's check-in there later would not count (not planned), so none.
  await sql`insert into checkins (community_id, key_place_id, device_id, person_id, t) values (${sc!.id}, ${small.k1}, 'plan-d1', ${small.p1}, ${iso(T0 + 40 * MIN)})`
  // Duty: P1 T0+5..T0+50 min (45 min in the window), P2 T0+30..T0+90 min (30 min in the window).
  await sql`insert into duty_sessions (community_id, person_id, device_id, started_at, stopped_at, start_client_id, stop_client_id)
            values (${sc!.id}, ${small.p1}, 'plan-d1', ${iso(T0 + 5 * MIN)}, ${iso(T0 + 50 * MIN)}, 's1', 'e1'),
                   (${sc!.id}, ${small.p2}, 'plan-d2', ${iso(T0 + 30 * MIN)}, ${iso(T0 + 90 * MIN)}, 's2', 'e2')`
  // Signed in after the small community exists (an admin of the district sees it).
  admin = await server.login('admin')
})
afterAll(async () => {
  await server?.close()
})

function nightPlan(extra: Record<string, unknown> = {}) {
  return {
    communityId: demo.communityId,
    type: 'night_special',
    name: '专项夜查',
    from: '2026-11-30T00:00:00+08:00',
    to: '2026-12-07T00:00:00+08:00',
    repeat: { weekdays: [1, 2, 3, 4, 5], start: '19:00', end: '22:00' },
    zoneIds: demo.zoneIds,
    personIds: demo.personIds.slice(0, 2),
    leaderId: demo.personIds[2],
    ...extra,
  }
}

test('a leader creates a repeating plan; it is listed with its weekday occurrences in Asia/Shanghai time', async () => {
  const res = await leader.post('/api/patrol-plans', nightPlan())
  expect(res.status).toBe(201)
  const plan = (await res.json()) as Plan
  expect(plan).toMatchObject({ type: 'night_special', zoneIds: demo.zoneIds, repeat: { weekdays: [1, 2, 3, 4, 5], start: '19:00', end: '22:00' } })
  const list = (await (await leader.get(`/api/patrol-plans?from=${encodeURIComponent('2026-11-30T00:00:00+08:00')}&to=${encodeURIComponent('2026-12-07T00:00:00+08:00')}`)).json()) as { items: Plan[] }
  const listed = list.items.find((p) => p.id === plan.id)!
  // Monday 30 Nov to Friday 4 Dec, 19:00–22:00 local = 11:00–14:00 UTC.
  expect(listed.occurrences).toEqual(['11-30', '12-01', '12-02', '12-03', '12-04'].map((d) => ({ from: `2026-${d}T11:00:00.000Z`, to: `2026-${d}T14:00:00.000Z` })))
})

test('a night repeat that ends after midnight runs into the next day', async () => {
  const res = await leader.post('/api/patrol-plans', nightPlan({ name: '通宵', repeat: { weekdays: [6], start: '22:00', end: '02:00' } }))
  expect(res.status).toBe(201)
  const plan = (await res.json()) as Plan
  const list = (await (await leader.get(`/api/patrol-plans?from=2026-11-30T00:00:00Z&to=2026-12-08T00:00:00Z`)).json()) as { items: Plan[] }
  expect(list.items.find((p) => p.id === plan.id)!.occurrences).toEqual([{ from: '2026-12-05T14:00:00.000Z', to: '2026-12-05T18:00:00.000Z' }])
})

test('PUT changes the fields given and keeps the others', async () => {
  const plan = (await (await leader.post('/api/patrol-plans', nightPlan())).json()) as Plan
  const res = await leader.put(`/api/patrol-plans/${plan.id}`, { name: '改名', repeat: null })
  expect(res.status).toBe(200)
  expect((await res.json()) as Plan).toMatchObject({ id: plan.id, name: '改名', repeat: null, zoneIds: demo.zoneIds, type: 'night_special' })
})

test('from after to is 422 and nothing is stored', async () => {
  const before = await server.db.sql<{ n: number }[]>`select count(*)::int as n from patrol_plans`
  const body = await expectProblem(await leader.post('/api/patrol-plans', nightPlan({ from: '2026-12-07T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' })), 422)
  expect(body.errors?.[0]?.path).toBe('to')
  const after = await server.db.sql<{ n: number }[]>`select count(*)::int as n from patrol_plans`
  expect(after[0]!.n).toBe(before[0]!.n)
})

test("zones and people of another community are 422, each named", async () => {
  const body = await expectProblem(await admin.post('/api/patrol-plans', nightPlan({ zoneIds: [small.zoneA], personIds: [small.p1] })), 422)
  expect(body.errors?.map((e) => e.path).sort()).toEqual(['personIds', 'zoneIds'])
})

test('an event area must be a valid polygon inside the community', async () => {
  const bowtie = { type: 'Polygon', coordinates: [[[114.501, 30.501], [114.503, 30.503], [114.503, 30.501], [114.501, 30.503], [114.501, 30.501]]] }
  const outside = { type: 'Polygon', coordinates: [[[120, 30], [120.01, 30], [120.01, 30.01], [120, 30.01], [120, 30]]] }
  const event = { communityId: small.communityId, type: 'event', name: '庙会', from: iso(T0), to: iso(T0 + 3_600_000), personIds: [small.p1] }
  expect((await expectProblem(await admin.post('/api/patrol-plans', { ...event, area: bowtie }), 422)).errors?.[0]).toMatchObject({ path: 'area', message: expect.stringMatching(/valid/) })
  expect((await expectProblem(await admin.post('/api/patrol-plans', { ...event, area: outside }), 422)).errors?.[0]).toMatchObject({ path: 'area', message: expect.stringMatching(/inside/) })
  expect((await expectProblem(await admin.post('/api/patrol-plans', event), 422)).errors?.[0]?.path).toBe('area')
  const good = { type: 'Polygon', coordinates: [[[114.506, 30.506], [114.508, 30.506], [114.508, 30.508], [114.506, 30.508], [114.506, 30.506]]] }
  expect((await admin.post('/api/patrol-plans', { ...event, area: good })).status).toBe(201)
})

test('a patrol member may not plan; a bad type or time of day is 400', async () => {
  expect((await patrol.post('/api/patrol-plans', nightPlan())).status).toBe(403)
  await expectProblem(await leader.post('/api/patrol-plans', nightPlan({ type: 'picnic' })), 400)
  await expectProblem(await leader.post('/api/patrol-plans', nightPlan({ repeat: { weekdays: [8], start: '25:00', end: '22:00' } })), 400)
})

test('plan coverage matches the hand-computed small case: zones, people, minutes, metres', async () => {
  const plan = (await (
    await admin.post('/api/patrol-plans', {
      communityId: small.communityId,
      type: 'routine',
      name: '日常巡查',
      from: iso(T0),
      to: iso(T0 + 3_600_000),
      zoneIds: [small.zoneA, small.zoneB],
      personIds: [small.p1, small.p3],
      leaderId: small.p1,
    })
  ).json()) as Plan
  const res = await admin.get(`/api/patrol-plans/${plan.id}/coverage`)
  expect(res.status).toBe(200)
  const cov = (await res.json()) as PlanCoverage
  expect(cov.occurrences).toEqual([{ from: iso(T0), to: iso(T0 + 3_600_000) }])
  // Only b1 is within 30 m of P1's plausible walk; b2 only near a flagged point; b4 only near P2 (not planned).
  expect(cov.buildings).toMatchObject({ total: 4, visited: 1, byTrack: 1, byCheckin: 0, coverage: 0.25 })
  expect(cov.keyPlaces).toMatchObject({ total: 1, visited: 1, byTrack: 0, byCheckin: 1 })
  expect(cov.byZone).toEqual([
    { zoneId: small.zoneA, name: 'A', buildings: { total: 2, visited: 1, coverage: 0.5 }, keyPlaces: { total: 1, visited: 1, coverage: 1 } },
    { zoneId: small.zoneB, name: 'B', buildings: { total: 2, visited: 0, coverage: 0 }, keyPlaces: { total: 0, visited: 0, coverage: 1 } },
  ])
  expect(cov.unvisited.features.map((f) => f.properties.id).sort()).toEqual([small.b[1], small.b[2], small.b[3]].sort())
  const byId = new Map(cov.people.map((p) => [p.personId, p]))
  expect(byId.get(small.p1)).toMatchObject({ planned: true, came: true, onDutyMinutes: 45 })
  // 70 steps of 0.0001° of longitude at 30.5008°N: 70 × 111,320 m × cos(30.5008°) × 1e-4 ≈ 671.5 m (UTM scale ≈ 1.0003).
  expect(byId.get(small.p1)!.distanceM).toBeGreaterThanOrEqual(668)
  expect(byId.get(small.p1)!.distanceM).toBeLessThanOrEqual(675)
  expect(byId.get(small.p2)).toMatchObject({ planned: false, came: true, onDutyMinutes: 30, distanceM: 0 })
  expect(byId.get(small.p3)).toMatchObject({ planned: true, came: false, onDutyMinutes: 0, distanceM: 0 })
  expect(cov.runningNow).toBe(false)
  expect(cov.zonesWithoutDutyNow.map((z) => z.zoneId)).toEqual([small.zoneA, small.zoneB])
})

test('a zone with someone on duty in it now drops out of "nobody on duty now"', async () => {
  const sql = server.db.sql
  const plan = (await (
    await admin.post('/api/patrol-plans', {
      communityId: small.communityId,
      type: 'routine',
      name: '此刻',
      from: iso(Date.now() - 3_600_000),
      to: iso(Date.now() + 3_600_000),
      zoneIds: [small.zoneA, small.zoneB],
      personIds: [small.p1],
    })
  ).json()) as Plan
  await sql`insert into duty_sessions (community_id, person_id, device_id, started_at, start_client_id)
            values (${small.communityId}, ${small.p1}, 'plan-d1', now() - interval '5 minutes', 'now-1')`
  await sql`insert into track_points (community_id, device_id, t, geom)
            values (${small.communityId}, 'plan-d1', now() - interval '1 minute', ST_SetSRID(ST_MakePoint(114.502, 30.503), 4326))`
  const cov = (await (await admin.get(`/api/patrol-plans/${plan.id}/coverage`)).json()) as PlanCoverage
  expect(cov.runningNow).toBe(true)
  expect(cov.zonesWithoutDutyNow.map((z) => z.zoneId)).toEqual([small.zoneB])
  await sql`delete from duty_sessions where start_client_id = 'now-1'`
})

test('coverage outside every occurrence is 422; an unknown plan is 404', async () => {
  const plan = (await (await leader.post('/api/patrol-plans', nightPlan())).json()) as Plan
  await expectProblem(await leader.get(`/api/patrol-plans/${plan.id}/coverage?from=2026-12-05T00:00:00Z&to=2026-12-06T00:00:00Z`), 422)
  await expectProblem(await leader.get('/api/patrol-plans/999999/coverage'), 404)
})
