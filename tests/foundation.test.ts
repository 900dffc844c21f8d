import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Feature {
  type: 'Feature'
  id: number | string
  geometry: { type: string; coordinates: unknown }
  properties: Record<string, unknown>
}
interface FeatureCollection {
  type: 'FeatureCollection'
  features: Feature[]
}

/** Distinct OSM building ids in the shipped extract, computed here independently of the seed. */
function extractBuildingIds(): Set<number> {
  const fc = JSON.parse(readFileSync(new URL('../db/seed/wuhan-guanggu.osm.geojson', import.meta.url), 'utf8')) as FeatureCollection
  const ids = new Set<number>()
  for (const f of fc.features) {
    if (f.properties.layer === 'buildings' && (f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon')) ids.add(Number(f.properties.id))
  }
  return ids
}

let server: TestServer
let command: Client
beforeAll(async () => {
  server = await startTestServer()
  command = await server.login('command')
})
afterAll(async () => {
  await server?.close()
})

describe('health', () => {
  test('reports the database kind and the PostGIS version', async () => {
    const res = await server.get('/api/health')
    expect(res.status).toBe(200)
    const body = (await res.json()) as { status: string; database: string; postgis: string }
    expect(body.status).toBe('ok')
    expect(body.database).toBe(server.backend)
    expect(body.postgis).toMatch(/^3\.\d+/)
  })
})

describe('layers', () => {
  test('buildings hold every distinct building of the extract and no label points', async () => {
    const res = await command.get('/api/layers/buildings')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('json')
    const fc = (await res.json()) as FeatureCollection
    const expected = extractBuildingIds()
    expect(fc.features.length).toBe(expected.size)
    expect(fc.features.every((f) => f.geometry.type === 'MultiPolygon' || f.geometry.type === 'Polygon')).toBe(true)
    expect(fc.features.every((f) => f.id === f.properties.id)).toBe(true)
  })

  test('every building lies inside its community', async () => {
    const [row] = await server.db.sql<{ outside: number }[]>`
      select count(*)::int as outside from buildings b join communities c on c.id = b.community_id
      where not ST_Within(b.footprint, c.boundary)`
    expect(row?.outside).toBe(0)
  })

  test('a bbox keeps only what intersects it', async () => {
    const all = (await (await command.get('/api/layers/buildings')).json()) as FeatureCollection
    const some = (await (await command.get('/api/layers/buildings?bbox=114.3833,30.5008,114.3950,30.5080')).json()) as FeatureCollection
    expect(some.features.length).toBeGreaterThan(0)
    expect(some.features.length).toBeLessThan(all.features.length)
  })

  test.each(['communities', 'compounds', 'key-places', 'zones', 'roads', 'water'])('%s is a non-empty FeatureCollection', async (layer) => {
    const res = await command.get(`/api/layers/${layer}`)
    expect(res.status).toBe(200)
    const fc = (await res.json()) as FeatureCollection
    expect(fc.type).toBe('FeatureCollection')
    expect(fc.features.length).toBeGreaterThan(0)
  })

  test('zones carry their area in square metres', async () => {
    const fc = (await (await command.get('/api/layers/zones')).json()) as FeatureCollection
    // Grids, and the micro-grids (微网格) nested in some of them.
    const grids = fc.features.filter((f) => f.properties.parentId === null)
    expect(grids.length).toBeGreaterThanOrEqual(8)
    expect(grids.length).toBeLessThanOrEqual(12)
    expect(fc.features.length - grids.length).toBeGreaterThan(0)
    for (const f of fc.features) expect(f.properties.areaM2).toBeGreaterThan(1000)
  })

  test.each([
    ['four numbers required', 'bbox=1,2,3'],
    ['not numbers', 'bbox=a,b,c,d'],
    ['infinite', 'bbox=1e999,30,114.4,30.6'],
    ['min above max', 'bbox=114.5,30.5,114.4,30.6'],
    ['out of range', 'bbox=114,30,200,31'],
    ['too large', 'bbox=100,20,120,40'],
  ])('a malformed bbox (%s) is a 400 problem', async (_why, query) => {
    const res = await command.get(`/api/layers/buildings?${query}`)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    const body = (await res.json()) as { status: number; title: string; errors: { path: string }[] }
    expect(body.status).toBe(400)
    expect(body.errors[0]?.path).toBe('bbox')
  })

  test('an unknown layer is a 400 problem', async () => {
    const res = await command.get('/api/layers/secrets')
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
  })
})

describe('hazards list', () => {
  test('lists the seeded hazards with the contract properties', async () => {
    const res = await command.get('/api/hazards')
    expect(res.status).toBe(200)
    const fc = (await res.json()) as FeatureCollection
    expect(fc.features.length).toBeGreaterThan(100)
    const p = fc.features[0]!.properties
    for (const key of ['status', 'category', 'severity', 'reportedAt', 'dueAt', 'overdue', 'zoneId', 'assigneeId']) expect(p).toHaveProperty(key)
    expect(String(p.reportedAt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/)
  })

  test('filters by status and severity match a direct count', async () => {
    const fc = (await (await command.get('/api/hazards?status=verified&severity=major')).json()) as FeatureCollection
    const [row] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from hazards where type = 'hazard' and status = 'verified' and severity = 'major'`
    expect(fc.features.length).toBe(row?.n)
    expect(fc.features.every((f) => f.properties.status === 'verified' && f.properties.severity === 'major')).toBe(true)
  })

  test('overdue is computed from the due time now', async () => {
    const fc = (await (await command.get('/api/hazards?overdue=true')).json()) as FeatureCollection
    const [row] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from hazards where type = 'hazard' and status not in ('verified', 'rejected') and due_at < now()`
    expect(fc.features.length).toBe(row?.n)
    expect(fc.features.length).toBeGreaterThan(0)
  })

  test('a time window keeps hazards reported inside it', async () => {
    const from = new Date(server.seededAt.getTime() - 7 * 86_400_000).toISOString()
    const fc = (await (await command.get(`/api/hazards?from=${from}`)).json()) as FeatureCollection
    expect(fc.features.length).toBeGreaterThan(0)
    expect(fc.features.every((f) => Date.parse(String(f.properties.reportedAt)) >= Date.parse(from))).toBe(true)
  })

  test.each([
    ['unknown status', 'status=lost'],
    ['bad time', 'from=yesterday'],
    ['bad zone id', 'zoneId=abc'],
  ])('a bad filter (%s) is a 400 problem', async (_why, query) => {
    const res = await command.get(`/api/hazards?${query}`)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
  })
})

test('an unknown API path is a 404 problem', async () => {
  const res = await command.get('/api/nothing-here')
  expect(res.status).toBe(404)
  expect(res.headers.get('content-type')).toContain('application/problem+json')
})
