import { afterAll, beforeAll, expect, test } from 'vitest'
import { wgs84ToGcj02 } from '../core/gcj02.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface ImportAnswer {
  imported: number
  merged: number
  rejected: { index: number; reason: string }[]
  ids: number[]
}

let server: TestServer
let admin: Client
let communityId: number

const rect = (x: number, y: number, w = 0.0002, h = 0.0002): number[][][] => [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]]
const fc = (features: unknown[]) => ({ type: 'FeatureCollection', features })
const feature = (geometry: unknown, properties: Record<string, unknown> = {}) => ({ type: 'Feature', geometry, properties })
const count = async (table: string) => (await server.db.sql<{ n: number }[]>`select count(*)::int as n from ${server.db.sql(table)} where community_id = ${communityId}`)[0]!.n

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  const res = await admin.post('/api/communities', feature({ type: 'Polygon', coordinates: rect(114.5, 30.6, 0.01, 0.01) }, { name: '导入测试社区' }))
  communityId = ((await res.json()) as { id: number }).id
})
afterAll(async () => {
  await server?.close()
})

test('buildings: parts sharing an OSM id merge into one, label points and bad rings are rejected by index', async () => {
  const res = await admin.post(`/api/import/buildings?communityId=${communityId}`, fc([
    feature({ type: 'Polygon', coordinates: rect(114.501, 30.601) }, { id: 77, name: '1栋', 'building:levels': '18' }),
    feature({ type: 'Polygon', coordinates: rect(114.5012, 30.601) }, { id: 77 }),
    feature({ type: 'Point', coordinates: [114.5011, 30.6011] }, { id: 77, name: 'label' }),
    feature({ type: 'Polygon', coordinates: [[[114.503, 30.603], [114.5032, 30.6032], [114.5032, 30.603], [114.503, 30.6032], [114.503, 30.603]]] }, { id: 78 }),
    feature({ type: 'Polygon', coordinates: rect(114.6, 30.7) }, { id: 79 }),
  ]))
  expect(res.status).toBe(200)
  const body = (await res.json()) as ImportAnswer
  expect([body.imported, body.merged]).toEqual([1, 1])
  expect(body.rejected.map((r) => r.index)).toEqual([2, 3, 4])
  expect(body.rejected[1]!.reason).toMatch(/Self-intersection/)
  expect(body.rejected[2]!.reason).toMatch(/outside the community/)
  const [b] = await server.db.sql<{ floors: number; osm: number }[]>`select floors, osm_id as osm from buildings where id = ${body.ids[0]!}`
  expect(b).toEqual({ floors: 18, osm: 77 })
})

test('buildings already imported with the same OSM id are not stored twice', async () => {
  const geometry = { type: 'Polygon', coordinates: rect(114.505, 30.605) }
  await admin.post(`/api/import/buildings?communityId=${communityId}`, fc([feature(geometry, { id: 90 })]))
  const before = await count('buildings')
  const body = (await (await admin.post(`/api/import/buildings?communityId=${communityId}`, fc([feature(geometry, { id: 90 })]))).json()) as ImportAnswer
  expect(body.imported).toBe(0)
  expect(body.rejected[0]!.reason).toMatch(/already imported/)
  expect(await count('buildings')).toBe(before)
})

test('key places need a known kind and get a printable code', async () => {
  const body = (await (await admin.post(`/api/import/key-places?communityId=${communityId}`, fc([
    feature({ type: 'Point', coordinates: [114.502, 30.602] }, { kind: 'charging_shed', name: '3号充电棚' }),
    feature({ type: 'Point', coordinates: [114.502, 30.603] }, { kind: 'swimming_pool' }),
    feature({ type: 'LineString', coordinates: [[114.501, 30.604], [114.503, 30.604]] }, { kind: 'fire_lane' }),
  ]))).json()) as ImportAnswer
  expect(body.imported).toBe(2)
  expect(body.rejected).toEqual([{ index: 1, reason: expect.stringMatching(/properties.kind/) }])
  const codes = await server.db.sql<{ code: string }[]>`select code from key_places where id = any(${body.ids}::bigint[])`
  // Random, never sequential (issue 18): 12 hex digits.
  expect(codes.every((c) => /^KP-[0-9A-F]{12}$/.test(c.code))).toBe(true)
  expect(new Set(codes.map((c) => c.code)).size).toBe(codes.length)
})

test('roads from GCJ-02 coordinates land where the WGS84 originals are', async () => {
  const a = [114.5021, 30.6021] as const
  const b = [114.5081, 30.6031] as const
  const ga = wgs84ToGcj02(a[0], a[1])
  const gb = wgs84ToGcj02(b[0], b[1])
  const body = (await (await admin.post(`/api/import/roads?communityId=${communityId}&crs=gcj02`, fc([
    feature({ type: 'LineString', coordinates: [[ga[0], ga[1]], [gb[0], gb[1]]] }, { kind: 'path', kind_detail: 'footway' }),
  ]))).json()) as ImportAnswer
  expect(body.imported).toBe(1)
  const [row] = await server.db.sql<{ m: number }[]>`
    select ST_Distance(ST_StartPoint(ST_GeometryN(geom, 1))::geography, ST_SetSRID(ST_MakePoint(${a[0]}, ${a[1]}), 4326)::geography) as m
    from roads where id = ${body.ids[0]!}`
  expect(row!.m).toBeLessThan(1)
})

test('non-finite and out-of-range coordinates are rejected with their reason, nothing stored', async () => {
  const before = await count('roads')
  const raw = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[1e999,30.6],[114.5,30.6]]}},{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[200,30.6],[114.5,30.6]]}}]}`
  const body = (await (await admin.post(`/api/import/roads?communityId=${communityId}`, raw, { 'content-type': 'application/json' })).json()) as ImportAnswer
  expect(body.rejected.map((r) => r.reason)).toEqual([expect.stringMatching(/finite/), expect.stringMatching(/outside lon/)])
  expect(await count('roads')).toBe(before)
})

test('only admins import base layers; an unknown layer is a 400 problem', async () => {
  const planner = await server.login('planner')
  expect((await planner.post(`/api/import/buildings?communityId=${communityId}`, fc([]))).status).toBe(403)
  const res = await admin.post(`/api/import/water?communityId=${communityId}`, fc([]))
  expect(res.status).toBe(400)
  expect(res.headers.get('content-type')).toContain('problem+json')
})
