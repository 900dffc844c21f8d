import { clustersDbscan, featureCollection, point } from '@turf/turf'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { hexCellOf, hexCentre, SQRT3 } from '../server/domain/gistar.ts'
import { hashPassword } from '../server/domain/password.ts'
import { createUser } from '../server/queries/users.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Feature<P = Record<string, unknown>> {
  type: 'Feature'
  id: number | string
  geometry: { type: string; coordinates: unknown }
  properties: P
}
interface ClusterProps {
  id: number
  clusterId: number
  count: number
  hazardIds: number[]
  categories: Record<string, number>
}
interface HexProps {
  id: string
  col: number
  row: number
  count: number
  giZ: number | null
  giP: number | null
  confidence: number
}
interface Hotspots {
  type: 'FeatureCollection'
  communityId: number
  cellM: number
  hazards: number
  cells: number
  nonEmptyCells: number
  note: { code: string; zh: string; en: string } | null
  features: Feature<HexProps>[]
}
interface Clusters {
  type: 'FeatureCollection'
  hazards: number
  noise: number
  features: Feature<ClusterProps>[]
}

/** UTM zone 50N, the zone of the test community. */
const UTM = 32650
const CELL = 100

let server: TestServer
let analyst: Client
let command: Client
let community: number
let hugeCommunity: number
let demoCommunity: number
/** UTM metres of the test layouts' origin (114.603°E, 30.703°N), inside the test community. */
let origin: { x: number; y: number }

type Layout = { dx: number; dy: number; category?: string; status?: string; reportedAt: string; closedAt?: string | null }

/** Insert hazards at UTM offsets from {@link origin}; answers their ids in the order given. */
async function insert(layout: Layout[]): Promise<number[]> {
  const sql = server.db.sql
  const ids: number[] = []
  for (const h of layout) {
    const [row] = await sql<{ id: number }[]>`
      insert into hazards (community_id, category, severity, status, geom, reported_at, due_at, closed_at)
      values (${community}, ${h.category ?? 'corridor_clutter'}, 'minor', ${h.status ?? 'reported'},
              ST_Transform(ST_SetSRID(ST_MakePoint(${origin.x + h.dx}::float8, ${origin.y + h.dy}::float8), ${UTM}::int), 4326),
              ${h.reportedAt}::timestamptz, ${h.reportedAt}::timestamptz + interval '1 day', ${h.closedAt ?? null}::timestamptz)
      returning id`
    ids.push(row!.id)
  }
  return ids
}

/** The lon/lat of a UTM offset from the origin. */
async function lonLat(dx: number, dy: number): Promise<{ lon: number; lat: number }> {
  const [row] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(g) as lon, ST_Y(g) as lat
    from (select ST_Transform(ST_SetSRID(ST_MakePoint(${origin.x + dx}::float8, ${origin.y + dy}::float8), ${UTM}::int), 4326) as g) x`
  return row!
}

const window = (month: string) => `from=${month}-01T00:00:00Z&to=${month}-28T00:00:00Z`

async function json<T>(res: Response, status = 200): Promise<T> {
  if (res.status !== status) throw new Error(`${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

async function expectProblem(res: Response, status: number): Promise<{ detail: string; errors?: { path: string; message: string }[] }> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toContain('application/problem+json')
  return (await res.json()) as { detail: string; errors?: { path: string; message: string }[] }
}

const hotspots = (query: string) => analyst.get(`/api/analysis/hotspots?communityId=${community}&cell=${CELL}&${query}`)
const clusters = (query: string) => analyst.get(`/api/analysis/clusters?communityId=${community}&${query}`)

/** DBSCAN layout (January 2020): three clear clusters and five lone points; no two points 45–55 m apart. */
const DBSCAN_LAYOUT: Layout[] = [
  // A: a 3 × 3 grid at 15 m, one corner missing: 8 points, 3 of them ebike_indoor
  ...[0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => ({ dx: 200 + 15 * i, dy: 200 + 15 * j }))).slice(0, 8),
  // B: a line of 5 at 30 m
  ...[0, 1, 2, 3, 4].map((k) => ({ dx: 700 + 30 * k, dy: 300 })),
  // C: a 20 m square
  { dx: 400, dy: 900 },
  { dx: 420, dy: 900 },
  { dx: 400, dy: 920 },
  { dx: 420, dy: 920 },
  // noise
  { dx: 100, dy: 1400 },
  { dx: 1300, dy: 150 },
  { dx: 1200, dy: 1300 },
  { dx: 760, dy: 600 },
  { dx: 1000, dy: 1000 },
].map((p, k) => ({ ...p, category: k < 3 ? 'ebike_indoor' : 'corridor_clutter', reportedAt: `2020-01-${String(2 + (k % 20)).padStart(2, '0')}T08:00:00Z` }))
let dbscanIds: number[] = []

/** The hot layout (May 2020): 20 hazards in a hexagon and 8 in each of its 6 neighbours; one in each of ≥ 35 cells elsewhere. */
let hotCentre: { i: number; j: number; x: number; y: number }

beforeAll(async () => {
  server = await startTestServer()
  const sql = server.db.sql
  const [c] = await sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('分析测试社区', ${UTM}, ST_Multi(ST_MakeEnvelope(114.60, 30.70, 114.62, 30.72, 4326))) returning id`
  community = c!.id
  const [huge] = await sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('超大测试社区', ${UTM}, ST_Multi(ST_MakeEnvelope(114.70, 30.70, 115.00, 31.00, 4326))) returning id`
  hugeCommunity = huge!.id
  const [demo] = await sql<{ id: number }[]>`select id from communities order by id limit 1`
  demoCommunity = demo!.id
  const [o] = await sql<{ x: number; y: number }[]>`
    select ST_X(g) as x, ST_Y(g) as y from (select ST_Transform(ST_SetSRID(ST_MakePoint(114.603, 30.703), 4326), ${UTM}::int) as g) p`
  origin = o!
  await createUser(sql, { username: 'analyst', name: '分析员', role: 'command', passwordHash: await hashPassword('an-secret'), communityIds: [community, hugeCommunity] })
  analyst = await server.login('analyst', 'an-secret')
  command = await server.login('command')

  dbscanIds = await insert(DBSCAN_LAYOUT)
  // One point (February), two points 20 m apart (March).
  await insert([{ dx: 640, dy: 1210, reportedAt: '2020-02-10T08:00:00Z' }])
  await insert([
    { dx: 500, dy: 500, reportedAt: '2020-03-10T08:00:00Z' },
    { dx: 520, dy: 500, reportedAt: '2020-03-11T08:00:00Z' },
  ])
  // 40 hazards within 5 m of a hexagon centre (April).
  const spot = hexCellOf(origin.x + 300, origin.y + 300, CELL)
  const spotXY = hexCentre(spot.i, spot.j, CELL)
  await insert(
    Array.from({ length: 40 }, (_, k) => ({ dx: spotXY.x - origin.x + (k % 5), dy: spotXY.y - origin.y + Math.floor(k / 8), reportedAt: '2020-04-10T08:00:00Z' })),
  )
  // The hot layout (May).
  const centre = hexCellOf(origin.x + 1200, origin.y + 1500, CELL)
  hotCentre = { ...centre, ...hexCentre(centre.i, centre.j, CELL) }
  const at = (x: number, y: number, n: number): Layout[] =>
    Array.from({ length: n }, (_, k) => ({ dx: x - origin.x + (k % 4) * 3, dy: y - origin.y + Math.floor(k / 4) * 3, reportedAt: '2020-05-10T08:00:00Z' }))
  const hot: Layout[] = at(hotCentre.x, hotCentre.y, 20)
  for (let k = 0; k < 6; k++) {
    const angle = ((30 + 60 * k) * Math.PI) / 180
    hot.push(...at(hotCentre.x + SQRT3 * CELL * Math.cos(angle), hotCentre.y + SQRT3 * CELL * Math.sin(angle), 8))
  }
  const seen = new Set<string>()
  for (let a = 0; a < 8; a++) {
    for (let b = 0; b < 6; b++) {
      const cell = hexCellOf(origin.x + 100 + 130 * a, origin.y + 100 + 230 * b, CELL)
      if (seen.has(`${cell.i}:${cell.j}`)) continue
      seen.add(`${cell.i}:${cell.j}`)
      const centreXY = hexCentre(cell.i, cell.j, CELL)
      hot.push(...at(centreXY.x, centreXY.y, 1))
    }
  }
  expect(seen.size).toBeGreaterThanOrEqual(35)
  await insert(hot)
})

afterAll(async () => {
  await server?.close()
})

describe('clusters (DBSCAN)', () => {
  test('the layout is unambiguous: no two points between 45 and 55 m apart', () => {
    for (const a of DBSCAN_LAYOUT) {
      for (const b of DBSCAN_LAYOUT) {
        const d = Math.hypot(a.dx - b.dx, a.dy - b.dy)
        expect(d < 45 || d > 55).toBe(true)
      }
    }
  })

  test('the clusters are those of turf.clustersDbscan on the same points', async () => {
    const fc = await json<Clusters>(await clusters(`eps=50&minPoints=3&${window('2020-01')}`))
    const rows = await server.db.sql<{ id: number; lon: number; lat: number }[]>`
      select id, ST_X(geom) as lon, ST_Y(geom) as lat from hazards where id = any(${dbscanIds}::bigint[]) order by id`
    const turf = clustersDbscan(featureCollection(rows.map((r) => point([r.lon, r.lat], { id: r.id }))), 0.05, { units: 'kilometers', minPoints: 3 })
    const expected = new Map<number, number[]>()
    for (const f of turf.features) {
      if (f.properties.cluster === undefined) continue
      const list = expected.get(f.properties.cluster) ?? []
      list.push(f.properties.id as number)
      expected.set(f.properties.cluster, list)
    }
    const sets = (lists: number[][]) => lists.map((l) => [...l].sort((a, b) => a - b).join(',')).sort()
    expect(sets(fc.features.map((f) => f.properties.hazardIds))).toEqual(sets([...expected.values()]))
    expect(fc.features.map((f) => f.properties.count).sort((a, b) => b - a)).toEqual([8, 5, 4])
    expect(fc.noise).toBe(5)
  })

  test('clusters are numbered biggest first, with the id at Feature level and in properties', async () => {
    const fc = await json<Clusters>(await clusters(`eps=50&minPoints=3&${window('2020-01')}`))
    expect(fc.features.map((f) => f.properties.clusterId)).toEqual([1, 2, 3])
    for (const f of fc.features) expect(f.id).toBe(f.properties.id)
  })

  test('a cluster counts its members by category', async () => {
    const fc = await json<Clusters>(await clusters(`eps=50&minPoints=3&${window('2020-01')}`))
    expect(fc.features[0]!.properties.categories).toEqual({ ebike_indoor: 3, corridor_clutter: 5 })
  })

  test('a cluster is the convex hull of its members', async () => {
    const fc = await json<Clusters>(await clusters(`eps=50&minPoints=3&${window('2020-01')}`))
    const f = fc.features[0]!
    expect(f.geometry.type).toBe('Polygon')
    const [row] = await server.db.sql<{ inside: boolean }[]>`
      select bool_and(ST_Covers(ST_Buffer(ST_GeomFromGeoJSON(${JSON.stringify(f.geometry)}), 1e-7), h.geom)) as inside
      from hazards h where h.id = any(${f.properties.hazardIds}::bigint[])`
    expect(row!.inside).toBe(true)
  })

  test('a lone point with minPoints 1 is a cluster drawn as a Point', async () => {
    const fc = await json<Clusters>(await clusters(`eps=50&minPoints=1&${window('2020-02')}`))
    expect(fc.features.length).toBe(1)
    expect(fc.features[0]!.geometry.type).toBe('Point')
    expect(fc.features[0]!.properties.count).toBe(1)
  })

  test('two points within eps with minPoints 2 are a cluster drawn as a LineString', async () => {
    const fc = await json<Clusters>(await clusters(`eps=50&minPoints=2&${window('2020-03')}`))
    expect(fc.features.map((f) => [f.geometry.type, f.properties.count])).toEqual([['LineString', 2]])
  })

  test('a lone point with minPoints 3 is noise: no cluster', async () => {
    const fc = await json<Clusters>(await clusters(`eps=50&minPoints=3&${window('2020-02')}`))
    expect(fc.features).toEqual([])
    expect(fc.noise).toBe(1)
  })

  test('the category filter keeps only that category', async () => {
    const fc = await json<Clusters>(await clusters(`eps=50&minPoints=3&category=ebike_indoor&${window('2020-01')}`))
    expect(fc.features.map((f) => f.properties.categories)).toEqual([{ ebike_indoor: 3 }])
  })

  test.each(['eps=0', 'eps=5001', 'eps=abc', 'minPoints=0', 'minPoints=1001', 'minPoints=2.5'])('%s is a 400 problem', async (query) => {
    const body = await expectProblem(await clusters(query), 400)
    expect(body.errors?.[0]?.path).toBe(query.split('=')[0])
  })

  test('from after to is a 400 problem', async () => {
    await expectProblem(await clusters('from=2020-02-01T00:00:00Z&to=2020-01-01T00:00:00Z'), 400)
  })
})

describe('hot spots (Getis-Ord Gi*)', () => {
  test('the cells are flat-topped hexagons of the asked edge covering the boundary', async () => {
    const fc = await json<Hotspots>(await hotspots(window('2020-05')))
    expect(fc.cellM).toBe(CELL)
    expect(fc.cells).toBe(fc.features.length)
    const f = fc.features[0]!
    const [row] = await server.db.sql<{ edge: number; flatTop: boolean; covered: boolean }[]>`
      with hex as (select ST_Transform(ST_GeomFromGeoJSON(${JSON.stringify(f.geometry)}), ${UTM}::int) as g),
           pts as (select (ST_DumpPoints(g)).geom as p, (ST_DumpPoints(g)).path[2] as k from hex)
      select (select ST_Perimeter(g) / 6 from hex) as edge,
             -- two vertices share the hexagon's lowest northing: a flat bottom (and top)
             (select count(*) from pts where k < 7 and abs(ST_Y(p) - (select min(ST_Y(p)) from pts)) < 0.05) = 2 as "flatTop",
             ST_Covers(
               (select ST_Union(ST_Transform(ST_GeomFromGeoJSON(x.geometry), ${UTM}::int))
                from jsonb_to_recordset(${JSON.stringify(fc.features.map((x) => ({ geometry: JSON.stringify(x.geometry) })))}::text::jsonb) as x(geometry text)),
               (select ST_Transform(c.boundary, ${UTM}::int) from communities c where c.id = ${community})) as covered`
    expect(row!.edge).toBeCloseTo(CELL, 0)
    expect(row!.flatTop).toBe(true)
    expect(row!.covered).toBe(true)
  })

  test('an empty window: counts 0, no cell significant, and a note', async () => {
    const fc = await json<Hotspots>(await hotspots('from=2019-01-01T00:00:00Z&to=2019-12-31T00:00:00Z'))
    expect(fc.features.length).toBeGreaterThan(100)
    expect(fc.hazards).toBe(0)
    expect(fc.features.every((f) => f.properties.count === 0 && f.properties.confidence === 0 && f.properties.giZ === null && f.properties.giP === null)).toBe(true)
    expect(fc.note?.code).toBe('too_few_hazards')
  })

  test('one point: counted once in the hexagon that covers it, with a note', async () => {
    const fc = await json<Hotspots>(await hotspots(window('2020-02')))
    const counted = fc.features.filter((f) => f.properties.count > 0)
    expect(counted.map((f) => f.properties.count)).toEqual([1])
    expect(fc.note?.code).toBe('too_few_hazards')
    const [row] = await server.db.sql<{ covered: boolean }[]>`
      select ST_Covers(ST_GeomFromGeoJSON(${JSON.stringify(counted[0]!.geometry)}), h.geom) as covered
      from hazards h where h.community_id = ${community} and h.reported_at >= '2020-02-01' and h.reported_at < '2020-02-28'`
    expect(row!.covered).toBe(true)
  })

  test('all points in one cell: the counts, confidence 0 everywhere, and a note', async () => {
    const fc = await json<Hotspots>(await hotspots(window('2020-04')))
    expect(fc.hazards).toBe(40)
    expect(fc.nonEmptyCells).toBe(1)
    expect(fc.note?.code).toBe('too_few_cells')
    expect(fc.note?.zh.length).toBeGreaterThan(0)
    expect(fc.features.every((f) => f.properties.confidence === 0 && f.properties.giZ === null)).toBe(true)
  })

  test('a clear hot cluster: its hexagon and the 6 around it are hot at 99 %', async () => {
    const fc = await json<Hotspots>(await hotspots(window('2020-05')))
    expect(fc.note).toBeNull()
    const byId = new Map(fc.features.map((f) => [f.id, f.properties]))
    const centre = byId.get(`${hotCentre.i}:${hotCentre.j}`)!
    expect(centre.count).toBe(20)
    expect(centre.confidence).toBe(3)
    const ring = fc.features.filter((f) => {
      const c = hexCentre(f.properties.col, f.properties.row, CELL)
      const d = Math.hypot(c.x - hotCentre.x, c.y - hotCentre.y)
      return d > 1 && d < 1.01 * SQRT3 * CELL
    })
    expect(ring.map((f) => [f.properties.count, f.properties.confidence])).toEqual(Array.from({ length: 6 }, () => [8, 3]))
  })

  test('hot cells lie only around the cluster', async () => {
    const fc = await json<Hotspots>(await hotspots(window('2020-05')))
    for (const f of fc.features.filter((x) => x.properties.confidence > 0)) {
      const c = hexCentre(f.properties.col, f.properties.row, CELL)
      expect(Math.hypot(c.x - hotCentre.x, c.y - hotCentre.y)).toBeLessThan(2.02 * SQRT3 * CELL)
    }
  })

  test('every hazard is counted exactly once', async () => {
    const fc = await json<Hotspots>(await hotspots(window('2020-05')))
    const [row] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from hazards h join communities c on c.id = h.community_id
      where h.community_id = ${community} and h.reported_at >= '2020-05-01' and h.reported_at < '2020-05-28'`
    expect(fc.hazards).toBe(row!.n)
    expect(fc.features.reduce((s, f) => s + f.properties.count, 0)).toBe(row!.n)
  })

  test('giP is the two-sided normal p of giZ', async () => {
    const fc = await json<Hotspots>(await hotspots(window('2020-05')))
    const f = fc.features.find((x) => x.properties.giZ !== null && Math.abs(x.properties.giZ) > 1)!
    const { erfc } = await import('../server/domain/gistar.ts')
    expect(f.properties.giP).toBeCloseTo(erfc(Math.abs(f.properties.giZ!) / Math.SQRT2), 12)
  })

  test('the SQL hexagon of a point is the ST_HexagonGrid hexagon that covers it', async () => {
    const [row] = await server.db.sql<{ wrong: number; total: number }[]>`
      with pts as (
        select 500000 + 3000 * random() as x, 3400000 + 3000 * random() as y from generate_series(1, 300)
      ), found as (
        select p.x, p.y, sg_hex_col(p.x, p.y, 37.5) as i, sg_hex_row(p.y, 37.5, sg_hex_col(p.x, p.y, 37.5)) as j from pts p
      )
      select count(*) filter (where not exists (
               select 1 from ST_HexagonGrid(37.5, ST_Expand(ST_SetSRID(ST_MakePoint(f.x, f.y), ${UTM}::int), 1)) g
               where g.i = f.i and g.j = f.j and ST_Covers(g.geom, ST_SetSRID(ST_MakePoint(f.x, f.y), ${UTM}::int))))::int as wrong,
             count(*)::int as total
      from found f`
    expect(row).toEqual({ wrong: 0, total: 300 })
  })

  test.each(['cell=9', 'cell=2001', 'cell=abc'])('%s is a 400 problem', async (query) => {
    const body = await expectProblem(await analyst.get(`/api/analysis/hotspots?communityId=${community}&${query}`), 400)
    expect(body.errors?.[0]?.path).toBe('cell')
  })

  test('a grid of more than 20,000 cells is a 422 problem naming a cell size that fits', async () => {
    const body = await expectProblem(await analyst.get(`/api/analysis/hotspots?communityId=${hugeCommunity}&cell=10`), 422)
    expect(body.errors?.[0]?.path).toBe('cell')
    const smallest = Number(/at least (\d+) m/.exec(body.errors![0]!.message)![1])
    const fits = await analyst.get(`/api/analysis/hotspots?communityId=${hugeCommunity}&cell=${smallest}&${window('2020-05')}`)
    expect(fits.status).toBe(200)
  })

  test('a community the caller may not see is a 404 problem', async () => {
    await expectProblem(await analyst.get(`/api/analysis/hotspots?communityId=${demoCommunity}`), 404)
  })

  test('without signing in it is a 401 problem', async () => {
    await expectProblem(await server.get('/api/analysis/hotspots'), 401)
  })
})

describe('recurrences (防反弹)', () => {
  let r: number[]
  beforeAll(async () => {
    r = await insert([
      { dx: 900, dy: 1600, category: 'flying_wire_charging', status: 'verified', reportedAt: '2020-06-01T08:00:00Z', closedAt: '2020-06-02T00:00:00Z' },
      { dx: 910, dy: 1600, category: 'flying_wire_charging', reportedAt: '2020-06-10T08:00:00Z' },
      { dx: 905, dy: 1600, category: 'poor_lighting', reportedAt: '2020-06-11T08:00:00Z' },
      { dx: 960, dy: 1600, category: 'flying_wire_charging', reportedAt: '2020-06-12T08:00:00Z' },
      { dx: 900, dy: 1612, category: 'flying_wire_charging', reportedAt: '2020-07-20T08:00:00Z' },
    ])
  })

  test('a hazard of the same category within 30 m of one verified in the 30 days before is a repeat', async () => {
    const fc = await json<{ features: Feature<{ hazardId: number; earlierId: number; category: string; count: number; distanceM: number }>[] }>(
      await analyst.get(`/api/analysis/recurrences?communityId=${community}&from=2020-06-01T00:00:00Z&to=2020-08-01T00:00:00Z`),
    )
    expect(fc.features.map((f) => [f.properties.hazardId, f.properties.earlierId, f.properties.category])).toEqual([[r[1], r[0], 'flying_wire_charging']])
    expect(fc.features[0]!.geometry.type).toBe('Point')
    expect(fc.features[0]!.properties.distanceM).toBeCloseTo(10, 0)
  })

  test('the count is the hazards of that category within 30 m in the window', async () => {
    const fc = await json<{ features: Feature<{ count: number }>[] }>(
      await analyst.get(`/api/analysis/recurrences?communityId=${community}&from=2020-06-01T00:00:00Z&to=2020-08-01T00:00:00Z`),
    )
    expect(fc.features[0]!.properties.count).toBe(3)
  })

  test('a new report near a recently verified hazard is stored with recurrence_of and listed', async () => {
    const [verified] = await insert([
      { dx: 1100, dy: 700, category: 'ebike_indoor', status: 'verified', reportedAt: new Date(Date.now() - 4 * 86_400_000).toISOString(), closedAt: new Date(Date.now() - 2 * 86_400_000).toISOString() },
    ])
    const location = await lonLat(1108, 700)
    const created = await json<Feature<{ recurrenceOf: number | null }>>(await analyst.post('/api/hazards', { category: 'ebike_indoor', severity: 'minor', location }), 201)
    expect(created.properties.recurrenceOf).toBe(verified)
    const fc = await json<{ features: Feature<{ hazardId: number; earlierId: number; recordedRecurrenceOf: number | null }>[] }>(
      await analyst.get(`/api/analysis/recurrences?communityId=${community}&from=${new Date(Date.now() - 86_400_000).toISOString()}`),
    )
    expect(fc.features.map((f) => [f.properties.hazardId, f.properties.earlierId, f.properties.recordedRecurrenceOf])).toEqual([[created.id, verified, verified]])
  })

  test('the seeded history has repeats too', async () => {
    const fc = await json<{ features: unknown[] }>(await command.get(`/api/analysis/recurrences?communityId=${demoCommunity}`))
    expect(fc.features.length).toBeGreaterThan(0)
  })
})

describe('statistics', () => {
  interface Row {
    status: string
    category: string
    severity: string
    reportedAt: Date
    dueAt: Date
    respondedAt: Date | null
    closedAt: Date | null
    arrivedAt: Date | null
    foundOnPatrol: boolean
  }
  interface Stats {
    hazards: { total: number; byStatus: Record<string, number>; byCategory: Record<string, number>; bySeverity: Record<string, number> }
    responseRate: number | null
    closureRate: number | null
    onTimeClosureRate: number | null
    overdue: number
    medianResponseMinutes: number | null
    medianHoursToClose: number | null
  }
  let from: string
  let to: string
  let rows: Row[]
  let stats: Stats

  const median = (values: number[]): number => {
    const v = [...values].sort((a, b) => a - b)
    const mid = Math.floor(v.length / 2)
    return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
  }

  beforeAll(async () => {
    from = new Date(server.seededAt.getTime() - 30 * 86_400_000).toISOString()
    to = new Date(server.seededAt.getTime() + 86_400_000).toISOString()
    rows = await server.db.sql<Row[]>`
      select status, category, severity, reported_at as "reportedAt", due_at as "dueAt", responded_at as "respondedAt", closed_at as "closedAt",
             arrived_at as "arrivedAt", found_on_patrol as "foundOnPatrol"
      from hazards where community_id = ${demoCommunity} and reported_at >= ${from}::timestamptz and reported_at < ${to}::timestamptz
        and status <> 'rejected'`
    stats = await json<Stats>(await command.get(`/api/stats?communityId=${demoCommunity}&from=${from}&to=${to}`))
  })

  test('the window holds enough hazards to mean something', () => {
    expect(rows.length).toBeGreaterThan(50)
  })

  test('totals by status, category and severity leave rejected hazards out', () => {
    const count = (key: keyof Row, value: string) => rows.filter((r) => r[key] === value).length
    expect(stats.hazards.total).toBe(rows.length)
    for (const [status, n] of Object.entries(stats.hazards.byStatus)) expect([status, n]).toEqual([status, count('status', status)])
    for (const [category, n] of Object.entries(stats.hazards.byCategory)) expect([category, n]).toEqual([category, count('category', category)])
    for (const [severity, n] of Object.entries(stats.hazards.bySeverity)) expect([severity, n]).toEqual([severity, count('severity', severity)])
    expect(stats.hazards.byStatus).not.toHaveProperty('rejected')
    expect(Object.keys(stats.hazards.byCategory).length).toBe(8)
  })

  test('responseRate is the share of the matters not found on patrol reached on site within 7 minutes (issue 15)', () => {
    const now = Date.now()
    const base = rows.filter((r) => !r.foundOnPatrol && !(r.arrivedAt === null && now - r.reportedAt.getTime() < 7 * 60_000))
    const inTime = base.filter((r) => r.arrivedAt && r.arrivedAt.getTime() - r.reportedAt.getTime() <= 7 * 60_000).length
    expect(base.length).toBeGreaterThan(10)
    expect(stats.responseRate).toBeCloseTo(inTime / base.length, 12)
  })

  test('closureRate and onTimeClosureRate are the shares verified, and verified by dueAt', () => {
    const verified = rows.filter((r) => r.status === 'verified')
    expect(stats.closureRate).toBeCloseTo(verified.length / rows.length, 12)
    expect(stats.onTimeClosureRate).toBeCloseTo(verified.filter((r) => r.closedAt! <= r.dueAt).length / rows.length, 12)
  })

  test('overdue counts the open hazards past dueAt now', () => {
    const now = Date.now()
    expect(stats.overdue).toBe(rows.filter((r) => !['verified', 'rejected'].includes(r.status) && r.dueAt.getTime() < now).length)
  })

  test('the medians are those of the response minutes and the hours to close', () => {
    const minutes = rows.filter((r) => r.arrivedAt && !r.foundOnPatrol).map((r) => (r.arrivedAt!.getTime() - r.reportedAt.getTime()) / 60_000)
    const hours = rows.filter((r) => r.status === 'verified').map((r) => (r.closedAt!.getTime() - r.reportedAt.getTime()) / 3_600_000)
    expect(stats.medianResponseMinutes).toBeCloseTo(median(minutes), 6)
    expect(stats.medianHoursToClose).toBeCloseTo(median(hours), 6)
  })

  test('the category filter counts only that category', async () => {
    const one = await json<Stats>(await command.get(`/api/stats?communityId=${demoCommunity}&from=${from}&to=${to}&category=ebike_indoor`))
    expect(one.hazards.total).toBe(stats.hazards.byCategory.ebike_indoor)
    expect(one.hazards.byCategory.flying_wire_charging).toBe(0)
  })

  test('an empty window has zero counts and no rates', async () => {
    const empty = await json<Stats>(await analyst.get(`/api/stats?communityId=${community}&from=2019-01-01T00:00:00Z&to=2019-02-01T00:00:00Z`))
    expect(empty.hazards.total).toBe(0)
    expect([empty.responseRate, empty.closureRate, empty.onTimeClosureRate, empty.medianResponseMinutes]).toEqual([null, null, null, null])
  })

  test('a community the caller may not see is a 404 problem', async () => {
    await expectProblem(await analyst.get(`/api/stats?communityId=${demoCommunity}`), 404)
  })
})

describe('trend', () => {
  interface Trend {
    days: string[]
    from: string
    to: string
    series: { category: string; counts: number[]; total: number }[]
    total: number[]
  }

  test('one count per Asia/Shanghai day, today last', async () => {
    const trend = await json<Trend>(await command.get(`/api/stats/trend?days=30&communityId=${demoCommunity}`))
    expect(trend.days.length).toBe(30)
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
    expect(trend.days.at(-1)).toBe(today)
    expect(new Date(trend.from).toISOString()).toBe(new Date(`${trend.days[0]}T00:00:00+08:00`).toISOString())
  })

  test('the series add up to the hazards reported in those days, by category', async () => {
    const trend = await json<Trend>(await command.get(`/api/stats/trend?days=30&communityId=${demoCommunity}`))
    const rows = await server.db.sql<{ category: string; n: number }[]>`
      select category, count(*)::int as n from hazards
      where community_id = ${demoCommunity} and type = 'hazard' and status <> 'rejected' and reported_at >= ${trend.from}::timestamptz and reported_at < ${trend.to}::timestamptz
      group by category`
    for (const s of trend.series) {
      expect([s.category, s.counts.reduce((a, b) => a + b, 0)]).toEqual([s.category, rows.find((r) => r.category === s.category)?.n ?? 0])
    }
    expect(trend.total.reduce((a, b) => a + b, 0)).toBe(rows.reduce((a, r) => a + r.n, 0))
  })

  test('the category filter gives one series', async () => {
    const trend = await json<Trend>(await command.get(`/api/stats/trend?days=7&category=ebike_indoor&communityId=${demoCommunity}`))
    expect(trend.series.map((s) => s.category)).toEqual(['ebike_indoor'])
  })

  test.each(['days=0', 'days=367', 'days=1.5'])('%s is a 400 problem', async (query) => {
    await expectProblem(await command.get(`/api/stats/trend?${query}`), 400)
  })
})
