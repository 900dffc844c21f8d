import { afterAll, beforeAll, expect, test } from 'vitest'
import { MAX_ZONE_VERTICES } from '../server/domain/zone-geometry.ts'
import { latenciesWhile, percentile, recordFigure } from './helpers/latency.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

/**
 * No request monopolises the database (issue 18.4): a zone check over the heaviest zones a planner may
 * draw (16 grids of nearly {@link MAX_ZONE_VERTICES} vertices each, every one overlapping its neighbours) runs
 * as many short statements, so a cheap request sent meanwhile is answered in between rather than after it.
 * The latencies are recorded as figures (test-results/, docs/reliability.md), not asserted as times.
 */

const SRID = 32650
const SIDE = 4
const CELL_M = 500
let server: TestServer
let planner: Client
let communityId: number

/** A square cell with ragged edges (`perSide` points per edge), in UTM metres, as WKT. */
function raggedCell(x: number, y: number, size: number, perSide: number): string {
  const points: string[] = []
  const jitter = (k: number): number => 4 * Math.sin(k * 1.7) + 2 * Math.sin(k * 0.31)
  const edge = (fx: (t: number) => number, fy: (t: number) => number, offset: number): void => {
    for (let k = 0; k < perSide; k++) {
      const t = k / perSide
      points.push(`${(fx(t) + (offset === 0 || offset === 2 ? 0 : jitter(k))).toFixed(2)} ${(fy(t) + (offset === 1 || offset === 3 ? 0 : jitter(k))).toFixed(2)}`)
    }
  }
  edge((t) => x + t * size, () => y, 0)
  edge(() => x + size, (t) => y + t * size, 1)
  edge((t) => x + size - t * size, () => y + size, 2)
  edge(() => x, (t) => y + size - t * size, 3)
  points.push(points[0]!)
  return `POLYGON((${points.join(',')}))`
}

beforeAll(async () => {
  server = await startTestServer()
  const sql = server.db.sql
  const [origin] = await sql<{ x: number; y: number }[]>`
    select ST_X(p) as x, ST_Y(p) as y from ST_Transform(ST_SetSRID(ST_MakePoint(114.70, 30.70), 4326), ${SRID}::int) p`
  const x0 = origin!.x
  const y0 = origin!.y
  const [c] = await sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('重负载测试社区', ${SRID}, ST_Multi(ST_Transform(ST_MakeEnvelope(${x0}, ${y0}, ${x0 + SIDE * CELL_M}, ${y0 + SIDE * CELL_M}, ${SRID}::int), 4326)))
    returning id`
  communityId = c!.id
  await sql`insert into user_communities (user_id, community_id)
            select id, ${communityId} from users where username in ('planner', 'admin') on conflict do nothing`
  const perSide = Math.floor((MAX_ZONE_VERTICES - 8) / 4)
  for (let i = 0; i < SIDE; i++) {
    for (let j = 0; j < SIDE; j++) {
      // Each cell reaches 15 m into its neighbours: every pair of neighbours overlaps along a ragged band.
      const wkt = raggedCell(x0 + i * CELL_M - 15, y0 + j * CELL_M - 15, CELL_M + 30, perSide)
      await sql`insert into zones (community_id, name, geom)
                values (${communityId}, ${`重网格 ${i * SIDE + j + 1}`},
                        ST_Multi(ST_Intersection(ST_MakeValid(ST_Transform(ST_GeomFromText(${wkt}, ${SRID}::int), 4326)),
                                                 (select boundary from communities where id = ${communityId}))))`
    }
  }
  planner = await server.login('planner')
}, 240_000)
afterAll(async () => {
  await server?.close()
})

test('a zone check over the heaviest zones answers exactly while cheap requests are served in between', { timeout: 240_000 }, async () => {
  const me = await server.login('command')
  const started = performance.now()
  const heavy = planner.get(`/api/zones/check?communityId=${communityId}`)
  const { ms, statuses, duringBusy } = await latenciesWhile(heavy, { url: `${server.url}/api/hazards?limit=5`, headers: { authorization: `Bearer ${me.token}` } }, { min: 20 })
  const res = await heavy
  const checkMs = performance.now() - started
  expect(res.status).toBe(200)
  const check = (await res.json()) as { overlaps: unknown[]; coverage: number }
  // 4×4 cells: 24 edge neighbours and 18 corner neighbours overlap.
  expect(check.overlaps.length).toBe(2 * SIDE * (SIDE - 1) + 2 * (SIDE - 1) * (SIDE - 1))
  expect(check.coverage).toBeGreaterThan(0.99)
  await recordFigure(`heavy-check-${server.backend}`, {
    zones: SIDE * SIDE,
    verticesEach: MAX_ZONE_VERTICES,
    checkMs: Math.round(checkMs),
    cheapRequests: ms.length,
    duringCheck: duringBusy,
    p50Ms: Math.round(percentile(ms, 50)),
    p99Ms: Math.round(percentile(ms, 99)),
    maxMs: Math.round(Math.max(...ms)),
  })
  expect(statuses.every((s) => s === 200)).toBe(true)
  // Cheap requests were answered while the check ran, not queued behind it.
  expect(duringBusy).toBeGreaterThan(1)
})

test('a suggestion of 100 zones over the demo community answers while cheap requests are served in between', { timeout: 240_000 }, async () => {
  const me = await server.login('command')
  const started = performance.now()
  const heavy = planner.post('/api/zones/suggest', { communityId: 1, n: 100 })
  const { ms, statuses, duringBusy } = await latenciesWhile(heavy, { url: `${server.url}/api/hazards?limit=5`, headers: { authorization: `Bearer ${me.token}` } }, { min: 20 })
  const res = await heavy
  const suggestMs = performance.now() - started
  expect(res.status).toBe(200)
  const suggestion = (await res.json()) as { features: { properties: { buildings: number } }[] }
  expect(suggestion.features).toHaveLength(100)
  expect(suggestion.features.every((f) => f.properties.buildings >= 1)).toBe(true)
  await recordFigure(`heavy-suggest-${server.backend}`, {
    zones: 100,
    suggestMs: Math.round(suggestMs),
    cheapRequests: ms.length,
    duringSuggest: duringBusy,
    p50Ms: Math.round(percentile(ms, 50)),
    p99Ms: Math.round(percentile(ms, 99)),
    maxMs: Math.round(Math.max(...ms)),
  })
  expect(statuses.every((s) => s === 200)).toBe(true)
  expect(duringBusy).toBeGreaterThan(1)
})

test('an import of 5,000 buildings answers while cheap requests are served in between', { timeout: 240_000 }, async () => {
  const admin = await server.login('admin')
  const me = await server.login('command')
  const [box] = await server.db.sql<{ x: number; y: number }[]>`
    select ST_X(p) as x, ST_Y(p) as y from communities c, ST_Transform(ST_PointOnSurface(c.boundary), ${SRID}::int) p where c.id = ${communityId}`
  // 5,000 footprints of 6 m × 6 m on a 10 m raster inside the heavy community.
  const features = []
  for (let k = 0; k < 5000; k++) {
    const x = box!.x - 700 + (k % 100) * 10
    const y = box!.y - 700 + Math.floor(k / 100) * 10
    features.push({ type: 'Feature', properties: { id: 9_000_000 + k }, geometry: { type: 'Polygon', coordinates: [[[x, y], [x + 6, y], [x + 6, y + 6], [x, y + 6], [x, y]]] } })
  }
  const [converted] = await server.db.sql<{ fc: { features: unknown[] } }[]>`
    select json_build_object('type', 'FeatureCollection', 'features', json_agg(json_build_object('type', 'Feature', 'properties', f->'properties',
             'geometry', ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON((f->'geometry')::text), ${SRID}::int), 4326), 6)::json))) as fc
    from jsonb_array_elements(${JSON.stringify(features)}::text::jsonb) f`
  const started = performance.now()
  const heavy = admin.post(`/api/import/buildings?communityId=${communityId}`, converted!.fc)
  const { ms, statuses, duringBusy } = await latenciesWhile(heavy, { url: `${server.url}/api/hazards?limit=5`, headers: { authorization: `Bearer ${me.token}` } }, { min: 20 })
  const res = await heavy
  const importMs = performance.now() - started
  expect(res.status).toBe(200)
  const result = (await res.json()) as { imported: number; rejected: unknown[] }
  expect(result.imported).toBe(5000)
  expect(result.rejected).toEqual([])
  await recordFigure(`heavy-import-${server.backend}`, {
    buildings: 5000,
    importMs: Math.round(importMs),
    cheapRequests: ms.length,
    duringImport: duringBusy,
    p50Ms: Math.round(percentile(ms, 50)),
    p99Ms: Math.round(percentile(ms, 99)),
    maxMs: Math.round(Math.max(...ms)),
  })
  expect(statuses.every((s) => s === 200)).toBe(true)
  expect(duringBusy).toBeGreaterThan(1)
})
