import { afterAll, beforeAll, expect, test } from 'vitest'
import { wgs84ToGcj02 } from '../core/gcj02.ts'
import { zoneAt } from '../server/queries/zone-history.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

/**
 * Zones on a hand-built layout: a 200 m × 200 m square community (test-only, far from the demo one)
 * at 114.50,30.60 in UTM 50N. Rectangles are made in UTM metres and projected to lon/lat by PostGIS,
 * so their areas are known.
 */

type Ring = number[][]
interface Polygon {
  type: 'Polygon'
  coordinates: Ring[]
}
interface ZoneFeature {
  type: 'Feature'
  id: number
  geometry: { type: 'MultiPolygon'; coordinates: Ring[][] }
  properties: Record<string, unknown> & { id: number; name: string; areaM2: number; households: number; buildings: number }
  overlaps?: { zoneId: number; areaM2: number }[]
}
interface Problem {
  status: number
  detail: string
  errors?: { path: string; message: string }[]
}
interface Check {
  overlaps: { a: number; b: number; areaM2: number; geometry: unknown }[]
  gaps: { areaM2: number; geometry: { type: string } }
  coverage: number
}

const SRID = 32650
let server: TestServer
let planner: Client
let communityId: number
/** UTM origin (south-west corner) of the test community. */
let x0: number
let y0: number

/** A rectangle given in metres from the community's south-west corner, as a lon/lat Polygon (counter-clockwise). */
async function rect(minX: number, minY: number, maxX: number, maxY: number): Promise<Polygon> {
  const [row] = await server.db.sql<{ g: Polygon }[]>`
    select ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Transform(ST_MakeEnvelope(${x0 + minX}, ${y0 + minY}, ${x0 + maxX}, ${y0 + maxY}, ${SRID}::int), 4326)), 12)::json as g`
  return row!.g
}

/** Lon/lat of a point given in metres from the south-west corner. */
async function lonLat(x: number, y: number): Promise<[number, number]> {
  const [row] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(p) as lon, ST_Y(p) as lat from ST_Transform(ST_SetSRID(ST_MakePoint(${x0 + x}, ${y0 + y}), ${SRID}::int), 4326) p`
  return [row!.lon, row!.lat]
}

const feature = (geometry: unknown, properties: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry,
  properties: { name: '测试网格', communityId, ...properties },
})

async function counts(): Promise<{ zones: number; history: number }> {
  const [row] = await server.db.sql<{ zones: number; history: number }[]>`
    select (select count(*)::int from zones) as zones, (select count(*)::int from zone_history) as history`
  return row!
}

async function createZone(geometry: unknown, properties: Record<string, unknown> = {}): Promise<ZoneFeature> {
  const res = await planner.post('/api/zones', feature(geometry, properties))
  if (res.status !== 201) throw new Error(`create zone: ${res.status} ${await res.text()}`)
  return (await res.json()) as ZoneFeature
}

async function deleteZonesOfTestCommunity(): Promise<void> {
  const ids = await server.db.sql<{ id: number }[]>`select id from zones where community_id = ${communityId}`
  for (const { id } of ids) expect((await planner.del(`/api/zones/${id}`)).status).toBe(204)
}

async function check(): Promise<Check> {
  const res = await planner.get(`/api/zones/check?communityId=${communityId}`)
  expect(res.status).toBe(200)
  return (await res.json()) as Check
}

/** Signed area of a ring in lon/lat (shoelace): > 0 counter-clockwise. */
function signedArea(ring: Ring): number {
  let s = 0
  for (let i = 0; i + 1 < ring.length; i++) s += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!
  return s / 2
}

beforeAll(async () => {
  server = await startTestServer()
  const sql = server.db.sql
  const [origin] = await sql<{ x: number; y: number }[]>`
    select ST_X(p) as x, ST_Y(p) as y from ST_Transform(ST_SetSRID(ST_MakePoint(114.50, 30.60), 4326), ${SRID}::int) p`
  x0 = origin!.x
  y0 = origin!.y
  const [c] = await sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('网格测试社区', ${SRID}, ST_Multi(ST_Transform(ST_MakeEnvelope(${x0}, ${y0}, ${x0 + 200}, ${y0 + 200}, ${SRID}::int), 4326)))
    returning id`
  communityId = c!.id
  // The planner and the patrol work in both communities.
  await sql`insert into user_communities (user_id, community_id)
            select id, ${communityId} from users where username in ('planner', 'patrol') on conflict do nothing`
  planner = await server.login('planner')
})
afterAll(async () => {
  await server?.close()
})

test('two zones overlapping by 20 m × 100 m report a 2,000 m² overlap, the empty half as the gap, and coverage 0.5', async () => {
  const a = await createZone(await rect(0, 0, 120, 100), { name: 'A' })
  const b = await createZone(await rect(100, 0, 200, 100), { name: 'B' })
  expect(a.properties.areaM2).toBeCloseTo(12_000, -1)
  expect(b.overlaps?.map((o) => o.zoneId)).toEqual([a.id])
  const result = await check()
  expect(result.overlaps).toHaveLength(1)
  expect(result.overlaps[0]).toMatchObject({ a: a.id, b: b.id })
  expect(Math.abs(result.overlaps[0]!.areaM2 - 2000)).toBeLessThan(20)
  expect(Math.abs(result.gaps.areaM2 - 20_000)).toBeLessThan(200)
  expect(result.gaps.geometry.type).toBe('MultiPolygon')
  expect(result.coverage).toBeCloseTo(0.5, 2)
  await deleteZonesOfTestCommunity()
})

test('a community without zones is all gap, coverage 0', async () => {
  const result = await check()
  expect(result.overlaps).toEqual([])
  expect(Math.abs(result.gaps.areaM2 - 40_000)).toBeLessThan(400)
  expect(result.coverage).toBe(0)
})

test('zones that tile the community leave no gap and no overlap', async () => {
  await createZone(await rect(0, 0, 100, 200), { name: '西' })
  await createZone(await rect(100, 0, 200, 200), { name: '东' })
  const result = await check()
  expect(result.overlaps).toEqual([])
  expect(result.gaps.areaM2).toBeLessThan(1)
  expect(result.coverage).toBeGreaterThan(0.9999)
  await deleteZonesOfTestCommunity()
})

test('with ?strict=true an overlapping zone is refused with 409 and nothing is stored', async () => {
  const a = await createZone(await rect(0, 0, 120, 100), { name: 'A' })
  const before = await counts()
  const res = await planner.post('/api/zones?strict=true', feature(await rect(100, 0, 200, 100)))
  expect(res.status).toBe(409)
  const body = (await res.json()) as Problem & { overlaps: { zoneId: number }[] }
  expect(body.overlaps.map((o) => o.zoneId)).toEqual([a.id])
  expect(await counts()).toEqual(before)
  await deleteZonesOfTestCommunity()
})

/** Post a bad zone: the status, the problem, and that nothing changed. */
async function refused(body: unknown, status: number): Promise<Problem> {
  const before = await counts()
  const res = await planner.send('POST', '/api/zones', body, typeof body === 'string' ? { 'content-type': 'application/json' } : {})
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toContain('application/problem+json')
  expect(await counts()).toEqual(before)
  return (await res.json()) as Problem
}

test('a self-intersecting bowtie is refused with 422 naming the self-intersection and where it is', async () => {
  const [sw, se, ne, nw] = await Promise.all([lonLat(10, 10), lonLat(90, 10), lonLat(90, 90), lonLat(10, 90)])
  const centre = await lonLat(50, 50)
  const problem = await refused(feature({ type: 'Polygon', coordinates: [[sw, ne, se, nw, sw]] }), 422)
  expect(problem.detail).toMatch(/Self-intersection at -?\d+\.\d+,-?\d+\.\d+/)
  const [, lon, lat] = /at (-?\d+\.\d+),(-?\d+\.\d+)/.exec(problem.detail)!
  expect(Math.abs(Number(lon) - centre[0])).toBeLessThan(1e-5)
  expect(Math.abs(Number(lat) - centre[1])).toBeLessThan(1e-5)
  expect(problem.errors?.[0]?.path).toBe('geometry')
})

test('an unclosed ring is refused with 422 at its path', async () => {
  const ring = (await rect(10, 10, 50, 50)).coordinates[0]!.slice(0, 4)
  const problem = await refused(feature({ type: 'Polygon', coordinates: [ring] }), 422)
  expect(problem.errors?.[0]).toMatchObject({ path: 'geometry.coordinates.0' })
  expect(problem.errors?.[0]?.message).toMatch(/not closed/)
})

test('a ring of 3 positions is refused with 422', async () => {
  const [a, b] = await Promise.all([lonLat(10, 10), lonLat(50, 10)])
  const problem = await refused(feature({ type: 'Polygon', coordinates: [[a, b, a]] }), 422)
  expect(problem.errors?.[0]?.message).toMatch(/at least 4 positions/)
})

test('NaN in the JSON text is malformed: 400', async () => {
  const text = `{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[NaN,30.6],[114.5,30.6],[114.5,30.601],[NaN,30.6]]]}}`
  const problem = await refused(text, 400)
  expect(problem.detail).toMatch(/JSON/i)
})

test('1e999 (infinite) coordinates are refused with 422 as not finite', async () => {
  const text = `{"type":"Feature","properties":{"name":"x","communityId":${communityId}},"geometry":{"type":"Polygon","coordinates":[[[1e999,30.6],[114.5,30.6],[114.5,30.601],[1e999,30.6]]]}}`
  const problem = await refused(text, 422)
  expect(problem.errors?.[0]).toMatchObject({ path: 'geometry.coordinates.0.0.0' })
  expect(problem.errors?.[0]?.message).toMatch(/finite/)
})

test('longitude 200 is refused with 422 as out of range', async () => {
  const problem = await refused(feature({ type: 'Polygon', coordinates: [[[200, 30.6], [114.5, 30.6], [114.5, 30.601], [200, 30.6]]] }), 422)
  expect(problem.errors?.[0]).toMatchObject({ path: 'geometry.coordinates.0.0.0' })
  expect(problem.errors?.[0]?.message).toMatch(/longitude 200/)
})

test('a zone of 10,001 vertices is refused with 422', async () => {
  const [cx, cy] = await lonLat(100, 100)
  const ring: number[][] = []
  for (let i = 0; i < 10_000; i++) {
    const a = (2 * Math.PI * i) / 10_000
    ring.push([cx + 0.0005 * Math.cos(a), cy + 0.0004 * Math.sin(a)])
  }
  ring.push(ring[0]!)
  const problem = await refused(feature({ type: 'Polygon', coordinates: [ring] }), 422)
  expect(problem.detail).toMatch(/10000 vertices/)
})

test('a body far past the size limit is refused with 413', async () => {
  const big = JSON.stringify(feature({ type: 'Polygon', coordinates: [Array.from({ length: 100_000 }, () => [114.5, 30.6])] }))
  await refused(big, 413)
})

test('a zone sticking out of its community is refused with 422', async () => {
  const problem = await refused(feature(await rect(150, 150, 260, 260)), 422)
  expect(problem.detail).toMatch(/not inside its community/)
})

test('a zone far from every community is refused with 422', async () => {
  const problem = await refused({ type: 'Feature', properties: { name: '远方' }, geometry: { type: 'Polygon', coordinates: [[[10, 10], [10.001, 10], [10.001, 10.001], [10, 10]]] } }, 422)
  expect(problem.detail).toMatch(/outside every community/)
})

test('a LineString is refused with 422: a zone is a Polygon or MultiPolygon', async () => {
  const [a, b] = await Promise.all([lonLat(10, 10), lonLat(50, 50)])
  const problem = await refused(feature({ type: 'LineString', coordinates: [a, b] }), 422)
  expect(problem.errors?.[0]).toMatchObject({ path: 'geometry.type' })
  expect(problem.errors?.[0]?.message).toMatch(/Polygon or MultiPolygon, not a LineString/)
})

test('a clockwise ring is accepted and comes back counter-clockwise', async () => {
  const ccw = (await rect(20, 20, 80, 80)).coordinates[0]!
  expect(signedArea(ccw)).toBeGreaterThan(0)
  const zone = await createZone({ type: 'Polygon', coordinates: [[...ccw].reverse()] })
  const exterior = zone.geometry.coordinates[0]![0]!
  expect(zone.geometry.type).toBe('MultiPolygon')
  expect(signedArea(exterior)).toBeGreaterThan(0)
  const listed = (await (await planner.get(`/api/zones?communityId=${communityId}`)).json()) as { features: ZoneFeature[] }
  expect(signedArea(listed.features.find((f) => f.id === zone.id)!.geometry.coordinates[0]![0]!)).toBeGreaterThan(0)
  await deleteZonesOfTestCommunity()
})

test('a patrol may not create zones: 403', async () => {
  const patrol = await server.login('patrol')
  const before = await counts()
  const res = await patrol.post('/api/zones', feature(await rect(10, 10, 50, 50)))
  expect(res.status).toBe(403)
  expect(await counts()).toEqual(before)
})

test('a patrol may not import zones: 403', async () => {
  const patrol = await server.login('patrol')
  const res = await patrol.post(`/api/import/zones?communityId=${communityId}`, { type: 'FeatureCollection', features: [] })
  expect(res.status).toBe(403)
})

test('a planner reassigns a zone: a new history version opens and the old one closes', async () => {
  const zone = await createZone(await rect(0, 0, 100, 100))
  const [person] = await server.db.sql<{ id: number }[]>`
    insert into people (community_id, name, title) values (${communityId}, '测试网格员', '网格员') returning id`
  const res = await planner.put(`/api/zones/${zone.id}`, { type: 'Feature', properties: { assigneeId: person!.id } })
  expect(res.status).toBe(200)
  const updated = (await res.json()) as ZoneFeature
  expect(updated.properties.assigneeId).toBe(person!.id)
  expect(updated.properties.assigneeName).toBe('测试网格员')
  const rows = await server.db.sql<{ assigneeId: number | null; open: boolean }[]>`
    select assignee_id as "assigneeId", valid_to is null as open from zone_history where zone_id = ${zone.id} order by id`
  expect(rows).toEqual([
    { assigneeId: null, open: false },
    { assigneeId: person!.id, open: true },
  ])
  const audit = await server.db.sql<{ action: string }[]>`select action from audit_log where entity = 'zone' and entity_id = ${String(zone.id)} order by id`
  expect(audit.map((a) => a.action)).toEqual(['create', 'assign'])
  await deleteZonesOfTestCommunity()
})

test('a zone lists its versions newest first: when, who, area and its change, the geometry of each', async () => {
  const zone = await createZone(await rect(0, 0, 100, 100), { name: '版本网格' })
  const res = await planner.put(`/api/zones/${zone.id}`, { type: 'Feature', geometry: await rect(0, 0, 150, 100) })
  expect(res.status).toBe(200)
  const versions = await planner.get(`/api/zones/${zone.id}/versions`)
  expect(versions.status).toBe(200)
  const { items } = (await versions.json()) as { items: { validTo: string | null; userName: string | null; action: string | null; areaM2: number; areaChangeM2: number | null; geometry: { type: string } }[] }
  expect(items.map((v) => [v.action, v.userName, v.validTo === null])).toEqual([
    ['update', '网格规划员', true],
    ['create', '网格规划员', false],
  ])
  expect(items[0]!.areaM2).toBeCloseTo(15_000, -1)
  expect(items[0]!.areaChangeM2).toBeCloseTo(5_000, -1)
  expect(items[1]!.areaM2).toBeCloseTo(10_000, -1)
  expect(items[1]!.areaChangeM2).toBeNull()
  expect(items[1]!.geometry.type).toBe('MultiPolygon')
  await deleteZonesOfTestCommunity()
})

test('the versions of a zone in a community the caller may not see are a 404', async () => {
  const zone = await createZone(await rect(0, 0, 100, 100))
  await server.db.sql`insert into users (username, name, role, password_hash) select 'planner-elsewhere', '别处规划员', 'planner', password_hash from users where username = 'planner'`
  await server.db.sql`insert into user_communities (user_id, community_id) select u.id, c.id from users u, communities c where u.username = 'planner-elsewhere' and c.id <> ${communityId} order by c.id limit 1`
  const other = await server.login('planner-elsewhere')
  expect((await other.get(`/api/zones/${zone.id}/versions`)).status).toBe(404)
  await deleteZonesOfTestCommunity()
})

test('people list the names of the zones they are responsible for', async () => {
  const [person] = await server.db.sql<{ id: number }[]>`
    insert into people (community_id, name, title) values (${communityId}, '负责网格员', '网格员') returning id::int`
  await createZone(await rect(0, 0, 100, 100), { name: '东片网格', assigneeId: person!.id })
  const res = await planner.get(`/api/people?communityId=${communityId}`)
  const { items } = (await res.json()) as { items: { id: number; zoneNames: string[]; teamZoneNames: string[] }[] }
  expect(items.find((p) => p.id === person!.id)).toMatchObject({ zoneNames: ['东片网格'], teamZoneNames: [] })
  await deleteZonesOfTestCommunity()
})

test('deleting a zone keeps its history, closed', async () => {
  const zone = await createZone(await rect(0, 0, 100, 100))
  expect((await planner.del(`/api/zones/${zone.id}`)).status).toBe(204)
  expect((await planner.get(`/api/zones/${zone.id}`)).status).toBe(404)
  const rows = await server.db.sql<{ open: boolean }[]>`select valid_to is null as open from zone_history where zone_id = ${zone.id}`
  expect(rows).toEqual([{ open: false }])
})

test("redrawing a zone today leaves last month's statistics by zone unchanged", async () => {
  const sql = server.db.sql
  const west = await createZone(await rect(0, 0, 100, 200), { name: '西' })
  const east = await createZone(await rect(100, 0, 200, 200), { name: '东' })
  // Both zones were drawn 90 days ago.
  await sql`update zone_history set valid_from = now() - interval '90 days' where zone_id in (${west.id}, ${east.id})`
  // Three hazards last month in the west zone, at x = 80 m (which the redraw gives to the east zone).
  const [hx, hy] = await lonLat(80, 50)
  for (let i = 0; i < 3; i++) {
    await sql`insert into hazards (community_id, zone_id, category, severity, status, geom, reported_at, due_at)
              values (${communityId}, ${west.id}, 'other', 'minor', 'verified', ST_SetSRID(ST_MakePoint(${hx}, ${hy}), 4326),
                      now() - interval '30 days', now() - interval '29 days')`
  }
  const window = `from=${encodeURIComponent(new Date(Date.now() - 40 * 86_400_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() - 20 * 86_400_000).toISOString())}`
  const stats = async () => {
    const res = await planner.get(`/api/zones/stats?communityId=${communityId}&${window}`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { byZone: { zoneId: number; hazards: { total: number } }[] }
    return Object.fromEntries(body.byZone.map((z) => [z.zoneId, z.hazards.total]))
  }
  const before = await stats()
  expect(before).toEqual({ [west.id]: 3, [east.id]: 0 })
  // Today the boundary between them moves from x = 100 m to x = 60 m.
  expect((await planner.put(`/api/zones/${west.id}`, feature(await rect(0, 0, 60, 200)))).status).toBe(200)
  expect((await planner.put(`/api/zones/${east.id}`, feature(await rect(60, 0, 200, 200)))).status).toBe(200)
  expect(await stats()).toEqual(before)
  // The place belonged to the west zone last month and belongs to the east zone today.
  const [zoneNow] = await sql<{ id: number | null }[]>`select zone_at(ST_SetSRID(ST_MakePoint(${hx}, ${hy}), 4326), ${communityId}, now()) as id`
  expect(zoneNow!.id).toBe(east.id)
  expect((await zoneAt(sql, { lon: hx, lat: hy }, new Date(Date.now() - 30 * 86_400_000)))?.zoneId).toBe(west.id)
  expect((await zoneAt(sql, { lon: hx, lat: hy }, new Date()))?.zoneId).toBe(east.id)
  await deleteZonesOfTestCommunity()
})

test('import merges features sharing properties.id and rejects a bad one with its index and reason', async () => {
  const [left, right, bowtieA, bowtieB, bowtieC, bowtieD] = await Promise.all([
    rect(0, 0, 50, 100),
    rect(50, 0, 100, 100),
    lonLat(110, 10),
    lonLat(190, 10),
    lonLat(190, 90),
    lonLat(110, 90),
  ])
  const body = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { id: 'G1', name: '导入一' }, geometry: left },
      { type: 'Feature', properties: { id: 'G1' }, geometry: right },
      { type: 'Feature', properties: { id: 'G2', name: '坏的' }, geometry: { type: 'Polygon', coordinates: [[bowtieA, bowtieC, bowtieB, bowtieD, bowtieA]] } },
      { type: 'Feature', properties: { id: 'G3' }, geometry: { type: 'Point', coordinates: bowtieA } },
      { type: 'Feature', properties: { id: 'G4', name: '北' }, geometry: await rect(0, 120, 200, 200) },
    ],
  }
  const res = await planner.post(`/api/import/zones?communityId=${communityId}`, body)
  expect(res.status).toBe(200)
  const result = (await res.json()) as { imported: number; merged: number; rejected: { index: number; reason: string }[]; ids: number[] }
  expect(result.imported).toBe(2)
  expect(result.merged).toBe(1)
  expect(result.rejected.map((r) => r.index)).toEqual([2, 3])
  expect(result.rejected[0]!.reason).toMatch(/Self-intersection/)
  expect(result.rejected[1]!.reason).toMatch(/Polygon or MultiPolygon/)
  const merged = (await (await planner.get(`/api/zones/${result.ids[0]}`)).json()) as ZoneFeature
  expect(merged.properties.name).toBe('导入一')
  expect(merged.properties.areaM2).toBeGreaterThan(9_900)
  expect(merged.properties.areaM2).toBeLessThan(10_100)
  await deleteZonesOfTestCommunity()
})

test('import with crs=gcj02 lands within a metre of the WGS84 original', async () => {
  const original = await rect(20, 20, 180, 180)
  const shifted = { type: 'Polygon', coordinates: original.coordinates.map((ring) => ring.map(([lon, lat]) => wgs84ToGcj02(lon!, lat!))) }
  // The GCJ-02 offset is hundreds of metres: imported as WGS84 it would fall outside the community.
  const res = await planner.post(`/api/import/zones?communityId=${communityId}&crs=gcj02`, {
    type: 'FeatureCollection',
    features: [{ type: 'Feature', properties: { name: '火星坐标' }, geometry: shifted }],
  })
  expect(res.status).toBe(200)
  const result = (await res.json()) as { imported: number; ids: number[] }
  expect(result.imported).toBe(1)
  const [row] = await server.db.sql<{ d: number }[]>`
    select ST_HausdorffDistance(ST_Transform(z.geom, ${SRID}::int), ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(original)}::text), 4326), ${SRID}::int)) as d
    from zones z where z.id = ${result.ids[0]!}`
  expect(row!.d).toBeLessThan(1)
  await deleteZonesOfTestCommunity()
})

test('export as geojson is a download', async () => {
  const res = await planner.get(`/api/zones?communityId=${communityId}&format=geojson`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="zones-\d+\.geojson"/)
  const fc = (await res.json()) as { type: string }
  expect(fc.type).toBe('FeatureCollection')
})

test('the demo zones list households and buildings, and the detail names the buildings inside', async () => {
  const fc = (await (await planner.get('/api/zones?communityId=1')).json()) as { features: ZoneFeature[] }
  expect(fc.features.length).toBeGreaterThanOrEqual(8)
  const zone = fc.features.find((f) => f.properties.buildings > 0)!
  expect(zone.properties).toMatchObject({ communityId: 1 })
  expect(typeof zone.properties.assigneeName).toBe('string')
  const detail = (await (await planner.get(`/api/zones/${zone.id}`)).json()) as ZoneFeature & {
    properties: { buildingsInside: { households: number }[]; keyPlaces: unknown[]; assignee: { name: string } | null; team: unknown }
  }
  expect(detail.properties.buildingsInside).toHaveLength(zone.properties.buildings)
  expect(detail.properties.buildingsInside.reduce((s, b) => s + b.households, 0)).toBe(zone.properties.households)
  expect(detail.properties.assignee?.name).toBe(zone.properties.assigneeName)
})

test('the suggestion for the demo community balances households within ±15 % and cuts no building', async () => {
  const res = await planner.post('/api/zones/suggest', { communityId: 1, n: 8 })
  expect(res.status).toBe(200)
  const fc = (await res.json()) as {
    features: { geometry: unknown; properties: { households: number; buildingIds: number[] } }[]
    balance: { mean: number; min: number; max: number; withinTolerance: boolean }
  }
  expect(fc.features).toHaveLength(8)
  const households = fc.features.map((f) => f.properties.households)
  const mean = households.reduce((s, v) => s + v, 0) / households.length
  expect(Math.min(...households)).toBeGreaterThanOrEqual(mean * 0.85)
  expect(Math.max(...households)).toBeLessThanOrEqual(mean * 1.15)
  expect(fc.balance.withinTolerance).toBe(true)
  // Every building lies (≥ 99 % of its footprint) in one suggested zone, and the zones tile the community.
  const [row] = await server.db.sql<{ cut: number; coverage: number; overlap: number }[]>`
    with s as (
      select n, ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(g::text), 4326), 32650) as g
      from jsonb_array_elements(${JSON.stringify(fc.features.map((f) => f.geometry))}::text::jsonb) with ordinality as t(g, n)
    ), b as (select id, ST_Transform(footprint, 32650) as fp from buildings where community_id = 1)
    select
      (select count(*)::int from b where (select max(ST_Area(ST_Intersection(b.fp, s.g))) from s) < 0.99 * ST_Area(b.fp)) as cut,
      (select ST_Area(ST_Union(g)) from s) / (select ST_Area(ST_Transform(boundary, 32650)) from communities where id = 1) as coverage,
      (select coalesce(sum(ST_Area(ST_Intersection(a.g, c.g))), 0) from s a join s c on a.n < c.n and ST_Intersects(a.g, c.g)) as overlap`
  expect(row!.cut).toBe(0)
  expect(row!.coverage).toBeGreaterThan(0.999)
  expect(row!.overlap).toBeLessThan(1)
})

test('a suggested zone can be accepted as it is', async () => {
  const fc = (await (await planner.post('/api/zones/suggest', { communityId: 1, n: 10 })).json()) as { features: { geometry: unknown }[] }
  expect(fc.features).toHaveLength(10)
  const res = await planner.post('/api/zones', { type: 'Feature', geometry: fc.features[0]!.geometry, properties: { name: '采纳的建议网格', communityId: 1 } })
  expect(res.status).toBe(201)
})

test('a zone split by a drawn cut becomes two zones that tile it exactly', async () => {
  const zone = await createZone(await rect(0, 0, 200, 200), { name: '整片' })
  const res = await planner.post(`/api/zones/${zone.id}/split`, { type: 'Feature', geometry: await rect(-10, -10, 80, 210), properties: { name: '西片' } })
  expect(res.status).toBe(201)
  const { zone: rest, created } = (await res.json()) as { zone: ZoneFeature; created: ZoneFeature }
  expect(created.properties.name).toBe('西片')
  expect(Math.abs(created.properties.areaM2 - 16_000)).toBeLessThan(160)
  expect(Math.abs(rest.properties.areaM2 - 24_000)).toBeLessThan(240)
  const result = await check()
  expect(result.overlaps).toEqual([])
  expect(result.coverage).toBeGreaterThan(0.9999)
  await deleteZonesOfTestCommunity()
})

test('a cut that misses the zone is refused with 422 and nothing changes', async () => {
  const zone = await createZone(await rect(0, 0, 100, 100))
  const before = await counts()
  const res = await planner.post(`/api/zones/${zone.id}/split`, { type: 'Feature', geometry: await rect(120, 120, 180, 180) })
  expect(res.status).toBe(422)
  expect(await counts()).toEqual(before)
  await deleteZonesOfTestCommunity()
})
