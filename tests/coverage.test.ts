import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { hashPassword } from '../server/domain/password.ts'
import { createUser } from '../server/queries/users.ts'
import { UNVISITED_COMPOUNDS_TONIGHT } from '../server/seed/patrols.ts'
import { tonightWindow } from '../server/seed/time.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Count {
  total: number
  visited: number
  coverage: number
}
interface Coverage {
  window: { from: string; to: string }
  radiusM: number
  buildings: Count & { byTrack: number; byCheckin: number }
  keyPlaces: Count & { byTrack: number; byCheckin: number }
  byZone: { zoneId: number; name: string; buildings: Count }[]
  byTeam: { teamId: number | null; buildings: Count }[]
  unvisited: {
    type: 'FeatureCollection'
    features: { id: number; geometry: { type: string }; properties: { id: number; kind: 'building' | 'key_place'; name: string | null; zoneId: number | null; compoundId: number | null } }[]
  }
}
interface Calendar {
  days: string[]
  compounds: { id: number; name: string; patrolled: boolean[]; longestGapDays: number }[]
  weeks: { week: string; breaking: number[] }[]
  last7Days: { from: string; to: string; breaking: number[] }
  breakingAnyWeek: number[]
}

const UTM = 32650
const HOUR = 3_600_000

let server: TestServer
let owner: Client
let community: number
let building: number
let compound: number
let zone: number
/** The key place at the building's door (key_places.building_id = building). */
let door: number
/** A key place 500 m east, on its own. */
let shed: number
/** The building's centre in UTM 50N. */
let x0 = 0
let y0 = 0
/** Start of the first test window: 01:00 Asia/Shanghai ten days before the seed. */
let base = 0

/** Window i: one hour, `base + i h`, so the cases never see each other's points. */
const windowOf = (i: number) => ({ from: base + i * HOUR, to: base + (i + 1) * HOUR })

/** Track points of device cov-dev at (x0 + dx, y0 + dy) UTM metres, `dt` seconds into window i. */
async function track(i: number, points: [dx: number, dy: number, dt: number][]): Promise<void> {
  const rows = points.map(([dx, dy, dt]) => ({ x: x0 + dx, y: y0 + dy, t: new Date(windowOf(i).from + dt * 1000).toISOString() }))
  await server.db.sql`
    insert into track_points (community_id, device_id, t, geom)
    select ${community}, 'cov-dev', r.t, ST_Transform(ST_SetSRID(ST_MakePoint(r.x, r.y), ${UTM}::int), 4326)
    from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as r(x float8, y float8, t timestamptz)`
}

async function coverage(i: number, extra = '', span?: { from: number; to: number }): Promise<Coverage> {
  const w = span ?? windowOf(i)
  const res = await owner.get(
    `/api/analysis/coverage?communityId=${community}&from=${new Date(w.from).toISOString()}&to=${new Date(w.to).toISOString()}${extra}`,
  )
  expect(res.status).toBe(200)
  return (await res.json()) as Coverage
}

const unvisitedIds = (c: Coverage, kind: 'building' | 'key_place') =>
  c.unvisited.features.filter((f) => f.properties.kind === kind).map((f) => f.properties.id)
const buildingVisited = (c: Coverage) => !unvisitedIds(c, 'building').includes(building)

beforeAll(async () => {
  server = await startTestServer()
  const sql = server.db.sql
  const shanghaiMidnight = Math.floor((server.seededAt.getTime() + 8 * HOUR) / (24 * HOUR)) * 24 * HOUR - 8 * HOUR
  base = shanghaiMidnight - 10 * 24 * HOUR + HOUR
  // A community far from the demo one, with one 20 m × 20 m building centred at 114.505, 30.605.
  const [c] = await sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('覆盖测试社区', ${UTM}, ST_Multi(ST_MakeEnvelope(114.49, 30.59, 114.52, 30.62, 4326))) returning id`
  community = c!.id
  const [centre] = await sql<{ x: number; y: number }[]>`
    select ST_X(p) as x, ST_Y(p) as y from (select ST_Transform(ST_SetSRID(ST_MakePoint(114.505, 30.605), 4326), ${UTM}::int) as p) q`
  x0 = centre!.x
  y0 = centre!.y
  const [cp] = await sql<{ id: number }[]>`
    insert into compounds (community_id, name, geom)
    values (${community}, '测试小区', ST_Multi(ST_Transform(ST_MakeEnvelope(${x0 - 60}, ${y0 - 60}, ${x0 + 60}, ${y0 + 60}, ${UTM}), 4326)))
    returning id`
  compound = cp!.id
  const [b] = await sql<{ id: number }[]>`
    insert into buildings (community_id, compound_id, name, footprint)
    values (${community}, ${compound}, '测试楼', ST_Multi(ST_Transform(ST_MakeEnvelope(${x0 - 10}, ${y0 - 10}, ${x0 + 10}, ${y0 + 10}, ${UTM}), 4326)))
    returning id`
  building = b!.id
  const [k1] = await sql<{ id: number }[]>`
    insert into key_places (community_id, building_id, kind, name, code, geom)
    values (${community}, ${building}, 'entrance', '测试楼单元门', 'KP-TEST-DOOR',
            ST_Transform(ST_SetSRID(ST_MakePoint(${x0}, ${y0 - 11}), ${UTM}::int), 4326))
    returning id`
  door = k1!.id
  const [k2] = await sql<{ id: number }[]>`
    insert into key_places (community_id, kind, name, code, geom)
    values (${community}, 'charging_shed', '测试充电棚', 'KP-TEST-SHED',
            ST_Transform(ST_SetSRID(ST_MakePoint(${x0 + 500}, ${y0}), ${UTM}::int), 4326))
    returning id`
  shed = k2!.id
  const [z] = await sql<{ id: number }[]>`
    insert into zones (community_id, name, geom) select ${community}, '测试网格', boundary from communities where id = ${community}
    returning id`
  zone = z!.id
  await sql`
    insert into zone_history (community_id, zone_id, name, geom, valid_from)
    select community_id, id, name, geom, ${new Date(base - 30 * 24 * HOUR)} from zones where id = ${zone}`
  await sql`insert into devices (id, community_id) values ('cov-dev', ${community})`
  await createUser(sql, { username: 'cov-leader', name: '覆盖测试队长', role: 'leader', passwordHash: await hashPassword('cov-secret'), communityIds: [community] })
  owner = await server.login('cov-leader', 'cov-secret')
})
afterAll(async () => {
  await server?.close()
})

describe('hand-built cases', () => {
  test('a track passing 29 m from the building visits it at radius 30', async () => {
    await track(0, [
      [10 + 29, -90, 0],
      [10 + 29, 90, 60],
    ])
    const c = await coverage(0)
    expect(buildingVisited(c)).toBe(true)
    expect(c.buildings).toMatchObject({ total: 1, visited: 1, coverage: 1, byTrack: 1 })
  })

  test('a track passing 31 m from the building does not visit it at radius 30', async () => {
    await track(1, [
      [10 + 31, -90, 0],
      [10 + 31, 90, 60],
    ])
    const c = await coverage(1)
    expect(buildingVisited(c)).toBe(false)
    expect(c.buildings).toMatchObject({ total: 1, visited: 0, coverage: 0 })
  })

  test('the radius parameter widens the reach: 31 m is visited at radius 32', async () => {
    const c = await coverage(1, '&radius=32')
    expect(c.radiusM).toBe(32)
    expect(buildingVisited(c)).toBe(true)
  })

  test('two points 119 s apart are joined: the segment across the building visits it', async () => {
    await track(2, [
      [0, -90, 0],
      [0, 90, 119],
    ])
    expect(buildingVisited(await coverage(2))).toBe(true)
  })

  test('two points 121 s apart are not joined: the building in the gap is unvisited', async () => {
    await track(3, [
      [0, -90, 0],
      [0, 90, 121],
    ])
    expect(buildingVisited(await coverage(3))).toBe(false)
  })

  test('two points 199 m apart are joined', async () => {
    await track(4, [
      [0, -99.5, 0],
      [0, 99.5, 60],
    ])
    expect(buildingVisited(await coverage(4))).toBe(true)
  })

  test('two points 201 m apart are not joined', async () => {
    await track(5, [
      [0, -100.5, 0],
      [0, 100.5, 60],
    ])
    expect(buildingVisited(await coverage(5))).toBe(false)
  })

  test('a lone point within the radius visits the building', async () => {
    await track(6, [[0, 35, 0]])
    expect(buildingVisited(await coverage(6))).toBe(true)
  })

  test('a check-in alone visits the key place and its building', async () => {
    // Ten days back is older than a check-in may be sent (server/domain/evidence.ts), so it is stored as
    // the API would have stored it on the day: at the door, with its distance.
    const t = new Date(windowOf(7).from + 600_000).toISOString()
    await server.db.sql`
      insert into checkins (community_id, key_place_id, t, geom, accuracy, distance_m)
      select community_id, id, ${t}, geom, 5, 0 from key_places where id = ${door}`
    const c = await coverage(7)
    expect(buildingVisited(c)).toBe(true)
    expect(unvisitedIds(c, 'key_place')).toEqual([shed])
    expect(c.buildings).toMatchObject({ visited: 1, byTrack: 0, byCheckin: 1 })
    expect(c.keyPlaces).toMatchObject({ total: 2, visited: 1, coverage: 0.5, byCheckin: 1 })
  })

  test('a track passing within the radius of a key place visits it', async () => {
    await track(8, [
      [480, -50, 0],
      [480, 50, 60],
    ])
    const c = await coverage(8)
    expect(unvisitedIds(c, 'key_place')).toEqual([door])
  })

  test('points outside the window are ignored', async () => {
    // A pair 60 s apart whose segment passes 29 m from the building; the first point falls just
    // before window 9, so inside the window the second stands alone, 85 m from the building.
    const w = windowOf(9)
    await track(9, [
      [39, -90, -30],
      [39, 90, 30],
    ])
    expect(buildingVisited(await coverage(9))).toBe(false)
    expect(buildingVisited(await coverage(9, '', { from: w.from - 60_000, to: w.to }))).toBe(true)
  })

  test('unvisited places come as GeoJSON with id, kind, name, zoneId and compoundId', async () => {
    const c = await coverage(10)
    const b = c.unvisited.features.find((f) => f.properties.kind === 'building')
    expect(b).toMatchObject({ id: building, properties: { id: building, kind: 'building', name: '测试楼', zoneId: zone, compoundId: compound } })
    expect(b!.geometry.type).toBe('MultiPolygon')
    const door_ = c.unvisited.features.find((f) => f.properties.id === door && f.properties.kind === 'key_place')
    expect(door_?.properties.compoundId).toBe(compound)
    expect(door_?.geometry.type).toBe('Point')
  })

  test('coverage is given by zone and by team', async () => {
    const c = await coverage(0)
    expect(c.byZone).toEqual([expect.objectContaining({ zoneId: zone, name: '测试网格', buildings: { total: 1, visited: 1, coverage: 1 } })])
    expect(c.byTeam).toHaveLength(1)
  })

  test('zoneId limits the answer to that zone', async () => {
    const c = await coverage(0, `&zoneId=${zone}`)
    expect(c.byZone.map((z) => z.zoneId)).toEqual([zone])
    expect(c.buildings.total).toBe(1)
  })

  test('a community the caller may not see is a 404', async () => {
    const demoLeader = await server.login('leader')
    const w = windowOf(0)
    const res = await demoLeader.get(`/api/analysis/coverage?communityId=${community}&from=${new Date(w.from).toISOString()}&to=${new Date(w.to).toISOString()}`)
    expect(res.status).toBe(404)
  })

  test('from after to is a 400 problem', async () => {
    const res = await owner.get(`/api/analysis/coverage?communityId=${community}&from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z`)
    expect(res.status).toBe(400)
  })
})

describe('calendar', () => {
  test('the compound is patrolled on the day of the test tracks only, and breaks the weekly rule of the last 7 days', async () => {
    const res = await owner.get(`/api/analysis/coverage/calendar?communityId=${community}&days=28`)
    expect(res.status).toBe(200)
    const cal = (await res.json()) as Calendar
    expect(cal.days).toHaveLength(28)
    const row = cal.compounds.find((c) => c.id === compound)!
    const day = new Date(base + 8 * HOUR).toISOString().slice(0, 10)
    expect(cal.days.filter((_, i) => row.patrolled[i])).toEqual([day])
    expect(cal.last7Days.breaking).toEqual([compound])
    expect(cal.breakingAnyWeek).toEqual([compound])
    expect(row.longestGapDays).toBe(Math.max(cal.days.indexOf(day), 27 - cal.days.indexOf(day)))
    const weekOfDay = cal.weeks.filter((w) => !w.breaking.includes(compound))
    expect(weekOfDay).toHaveLength(1)
  })
})

describe('the demo community tonight', () => {
  let leader: Client
  let tonight: Coverage
  beforeAll(async () => {
    leader = await server.login('leader')
    const w = tonightWindow(server.seededAt)
    const res = await leader.get(`/api/analysis/coverage?from=${w.start.toISOString()}&to=${w.end.toISOString()}`)
    expect(res.status).toBe(200)
    tonight = (await res.json()) as Coverage
  })

  test('the buildings of the seeded unvisited compounds are all unvisited', async () => {
    const rows = await server.db.sql<{ id: number }[]>`
      select b.id from buildings b join compounds c on c.id = b.compound_id where c.name = any(${UNVISITED_COMPOUNDS_TONIGHT as string[]}::text[])`
    expect(rows.length).toBeGreaterThan(0)
    const unvisited = new Set(unvisitedIds(tonight, 'building'))
    expect(rows.filter((r) => !unvisited.has(r.id))).toEqual([])
  })

  test('some buildings were visited and coverage is visited / total', () => {
    expect(tonight.buildings.visited).toBeGreaterThan(0)
    expect(tonight.buildings.visited).toBeLessThan(tonight.buildings.total)
    expect(tonight.buildings.coverage).toBeCloseTo(tonight.buildings.visited / tonight.buildings.total, 3)
    expect(tonight.byZone.length).toBeGreaterThanOrEqual(8)
  })

  test('the calendar shows the quiet compound unpatrolled for the last six days', async () => {
    const cal = (await (await leader.get('/api/analysis/coverage/calendar?days=28')).json()) as Calendar
    const quiet = cal.compounds.find((c) => c.name === '工大学生公寓区')!
    expect(quiet.patrolled.slice(-6)).toEqual([false, false, false, false, false, false])
    expect(cal.compounds.some((c) => c.patrolled.some(Boolean))).toBe(true)
  })
})
