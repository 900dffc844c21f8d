import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { wgs84ToGcj02 } from '../core/gcj02.ts'
import { OSM_EXTRACT_PATH } from '../server/seed/osm.ts'
import { heldOutExtract, rectangle, toKml, toOsmXml, toShapefileZip } from './helpers/map-files.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Job {
  id: number
  status: string
  stage: string
  done: number
  total: number
  error: string | null
  communityId: number | null
  boundaryAreaM2: number | null
  params: { files: { name: string; format: string; features: number }[]; boundaryFrom: string; timings: Record<string, number> }
  summary: {
    buildings: { accepted: number; straddling: number; refused: number; merged: number }
    roads: { accepted: number; refused: number; merged: number }
    other: { refused: number }
    byReason: { layer: string; reason: string; count: number }[]
  }
}
interface FC {
  features: { id: number; geometry: { type: string; coordinates: number[][][][] } | null; properties: Record<string, unknown> }[]
}

let server: TestServer
let admin: Client
// Far from the demo community: the same streets moved 0.06° east and 0.03° north.
const part = heldOutExtract({ west: 114.392, east: 114.41, dx: 0.06, dy: 0.03 })
const [minx, miny, maxx, maxy] = part.bbox
// The boundary cuts about 20 m off the east side, so the easternmost buildings straddle it.
const boundary = rectangle(minx - 0.0005, miny - 0.0005, maxx - 0.0002, maxy + 0.0005)

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
})
afterAll(async () => {
  await server?.close()
})

async function upload(files: { field: string; name: string; body: string | Uint8Array }[], fields: Record<string, string> = {}, who: Client = admin): Promise<Response> {
  const form = new FormData()
  form.append('name', fields.name ?? '新社区')
  for (const [k, v] of Object.entries(fields)) if (k !== 'name') form.append(k, v)
  for (const f of files) form.append(f.field, new Blob([f.body as BlobPart]), f.name)
  return who.post('/api/community-imports', form)
}

async function settle(id: number): Promise<Job> {
  for (let i = 0; i < 600; i++) {
    const job = (await (await admin.get(`/api/community-imports/${id}`)).json()) as Job
    if (['ready', 'done', 'failed'].includes(job.status)) return job
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`job ${id} did not settle`)
}

test('OSM XML with a KML boundary: checked in the background, previewed with every refusal, then committed', async () => {
  const res = await upload([
    { field: 'boundary', name: 'boundary.kml', body: toKml(boundary) },
    { field: 'data', name: 'extract.osm', body: toOsmXml(part) },
  ], { name: '试点社区', nameEn: 'Pilot' })
  expect(res.status).toBe(202)
  const queued = (await res.json()) as Job
  const job = await settle(queued.id)
  expect(job.status, job.error ?? '').toBe('ready')
  expect(job.params.boundaryFrom).toBe('file')
  expect(job.params.files.map((f) => f.format)).toEqual(['kml', 'osm'])
  const s = job.summary
  expect(s.buildings.accepted + s.buildings.straddling).toBeGreaterThan(part.buildings.length * 0.8)
  expect(s.buildings.straddling).toBeGreaterThan(0)
  expect(s.byReason.some((r) => r.reason.startsWith('straddles the boundary'))).toBe(true)
  // The bench on the map is a point: refused with its reason.
  expect(s.byReason).toContainEqual({ layer: 'other', reason: 'not a building or road (amenity=bench)', count: 1 })
  const straddling = (await (await admin.get(`/api/community-imports/${job.id}/features?status=straddling`)).json()) as FC
  expect(straddling.features.length).toBe(s.buildings.straddling)
  for (const f of straddling.features) expect(f.properties.insideShare as number).toBeGreaterThanOrEqual(0.5)
  // Nothing is written before the commit.
  const before = (await (await admin.get('/api/communities')).json()) as FC
  expect(before.features.some((f) => f.properties.name === '试点社区')).toBe(false)
  const commit = await admin.post(`/api/community-imports/${job.id}/commit`, {})
  expect(commit.status).toBe(202)
  const done = await settle(job.id)
  expect(done.status, done.error ?? '').toBe('done')
  const [counts] = await server.db.sql<{ buildings: number; roads: number; name: string }[]>`
    select (select count(*)::int from buildings where community_id = c.id) as buildings,
           (select count(*)::int from roads where community_id = c.id) as roads, c.name
    from communities c where c.id = ${done.communityId}`
  expect(counts).toEqual({ buildings: s.buildings.accepted + s.buildings.straddling, roads: s.roads.accepted, name: '试点社区' })
  // The planner's suggestion offers zones over the new buildings.
  const planner = await server.login('planner')
  await server.db.sql`insert into user_communities (user_id, community_id) select id, ${done.communityId} from users where username = 'planner'`
  const suggest = await planner.post('/api/zones/suggest', { communityId: done.communityId, n: 3 })
  expect(suggest.status).toBe(200)
  expect(((await suggest.json()) as FC).features).toHaveLength(3)
  // A committed job cannot be committed twice.
  expect((await admin.post(`/api/community-imports/${job.id}/commit`, {})).status).toBe(409)
})

test('a zipped Shapefile of buildings in GCJ-02: coordinates converted back to WGS84; no boundary = around the buildings', async () => {
  const shapes = part.buildings.slice(0, 30).map((b) => ({ rings: b.rings.map((r) => r.map(([x, y]) => wgs84ToGcj02(x!, y!) as number[])), name: b.name ?? '楼', floors: b.levels }))
  const res = await upload([{ field: 'buildings', name: '楼栋.zip', body: toShapefileZip(shapes) }], { crs: 'gcj02', name: '火星坐标社区' })
  const job = await settle(((await res.json()) as Job).id)
  expect(job.status, job.error ?? '').toBe('ready')
  expect(job.params.boundaryFrom).toBe('hull')
  expect(job.summary.buildings.accepted, JSON.stringify(job.summary.byReason)).toBe(30)
  const fc = (await (await admin.get(`/api/community-imports/${job.id}/features?layer=buildings`)).json()) as FC
  const first = fc.features[0]!.geometry!.coordinates as unknown as number[][][]
  const original = part.buildings[0]!.rings[0]!
  const xs = first[0]!.map((p) => p[0]!)
  const ox = original.map((p) => p[0]!)
  expect(Math.abs(Math.min(...xs) - Math.min(...ox))).toBeLessThan(1e-6)
  expect(fc.features[0]!.properties.name).toBe(part.buildings[0]!.name ?? '楼')
})

test('the demo extract itself (Tilezen GeoJSON) imports with its refusals counted by reason', async () => {
  const res = await upload([{ field: 'data', name: 'wuhan-guanggu.osm.geojson', body: await readFile(OSM_EXTRACT_PATH) }], { name: '光谷副本' })
  const job = await settle(((await res.json()) as Job).id)
  expect(job.status, job.error ?? '').toBe('ready')
  const reasons = Object.fromEntries(job.summary.byReason.map((r) => [`${r.layer}: ${r.reason}`, r.count]))
  expect(reasons['buildings: a label point, not a footprint']).toBe(89)
  expect(job.summary.buildings.merged).toBeGreaterThan(0)
  console.log(`[community-import] demo extract: ${JSON.stringify(job.params.timings)} ${JSON.stringify(job.summary)}`)
})

test('files refused whole: an unknown format, a DOCTYPE, nesting too deep, a projected Shapefile, an invalid boundary', async () => {
  const cases: [{ field: string; name: string; body: string | Uint8Array }[], Record<string, string>, RegExp][] = [
    [[{ field: 'data', name: 'x.txt', body: 'hello' }], {}, /not GeoJSON, KML, OSM XML/],
    [[{ field: 'data', name: 'x.osm', body: '<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "aaaa">]><osm>&a;</osm>' }], {}, /DOCTYPE/],
    [[{ field: 'data', name: 'deep.geojson', body: '{"type":"FeatureCollection","features":' + '['.repeat(50) + ']'.repeat(50) + '}' }], {}, /nested deeper/],
    [[{ field: 'data', name: 'p.zip', body: toShapefileZip([{ rings: part.buildings[0]!.rings, name: 'a', floors: 1 }], { prj: 'PROJCS["CGCS2000_3_Degree_GK_CM_114E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000"]]' }) }], {}, /projected/],
    [
      [{ field: 'data', name: 'x.osm', body: toOsmXml(part) }],
      { boundary: JSON.stringify({ type: 'Polygon', coordinates: [[[minx, miny], [maxx, maxy], [maxx, miny], [minx, maxy], [minx, miny]]] }) },
      /Self-intersection/,
    ],
  ]
  for (const [files, fields, reason] of cases) {
    const res = await upload(files, fields)
    expect(res.status).toBe(202)
    const job = await settle(((await res.json()) as Job).id)
    expect(job.status).toBe('failed')
    expect(job.error).toMatch(reason)
  }
  const before = await server.db.sql<{ n: number }[]>`select count(*)::int as n from communities`
  expect(before[0]!.n).toBeGreaterThan(0)
})

test('an upload without data, or with an unknown file field, is 400; only admins may start a job', async () => {
  expect((await upload([{ field: 'boundary', name: 'b.kml', body: toKml(boundary) }])).status).toBe(400)
  expect((await upload([{ field: 'photo', name: 'x.osm', body: toOsmXml(part) }])).status).toBe(400)
  const planner = await server.login('planner')
  expect((await upload([{ field: 'data', name: 'x.osm', body: toOsmXml(part) }], {}, planner)).status).toBe(403)
})

test("another admin's job is not visible to a district admin", async () => {
  const res = await upload([{ field: 'data', name: 'x.osm', body: toOsmXml(part) }])
  const job = await settle(((await res.json()) as Job).id)
  await server.db.sql`update import_jobs set user_id = null where id = ${job.id}`
  expect((await admin.get(`/api/community-imports/${job.id}`)).status).toBe(404)
})
