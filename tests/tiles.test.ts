import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { OPEN_STATUSES } from '../core/matters.ts'
import { hashPassword } from '../server/domain/password.ts'
import { tileOf } from '../server/domain/mvt.ts'
import { createUser } from '../server/queries/users.ts'
import { TILE_BUFFER, TILE_LAYERS, tileFeatures, tileWithNode, type TileRequest } from '../server/queries/tiles.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'
import { decodeTile, type DecodedFeature } from './helpers/tiles.ts'
import { buildingLabel } from '../core/address.ts'

/**
 * Tiles of the demo community stored once from a real PostGIS's ST_AsMVT; both backends must serve exactly these.
 * After a deliberate change of the demo's buildings or roads or of the tile geometry, store them again with
 * `UPDATE_TILE_FIXTURES=1 TEST_DATABASE_URL=… npx vitest run --project postgres tests/tiles.test.ts`.
 */
const FIXTURE = resolve(import.meta.dirname, 'fixtures/demo-tiles.json')
const FIXTURE_TILES = [
  { layer: 'buildings', z: 16 },
  { layer: 'buildings', z: 15 },
  { layer: 'roads', z: 15 },
] as const

interface StoredTile {
  layer: string
  z: number
  x: number
  y: number
  etag: string
  features: DecodedFeature[]
}

const backend = inject('template').backend
let server: TestServer
let admin: Client
let centre: { lon: number; lat: number }

const at = (z: number): { z: number; x: number; y: number } => ({ z, ...tileOf(centre.lon, centre.lat, z) })

/** The z14 tile holding the first hazard of these statuses (hazards move with the seed's date; tiles do not). */
async function hazardTile(statuses: string[]): Promise<{ z: number; x: number; y: number }> {
  const [h] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(geom) as lon, ST_Y(geom) as lat from hazards where status = any(${statuses}::text[]) order by id limit 1`
  return { z: 14, ...tileOf(h!.lon, h!.lat, 14) }
}
const OPEN = [...OPEN_STATUSES]
const path = (layer: string, t: { z: number; x: number; y: number }): string => `/api/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`

async function fetchTile(client: Client, layer: string, t: { z: number; x: number; y: number }, query = '') {
  const res = await client.get(path(layer, t) + query)
  return { res, body: new Uint8Array(await res.arrayBuffer()) }
}

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  const [c] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(ST_Centroid(boundary)) as lon, ST_Y(ST_Centroid(boundary)) as lat from communities order by id limit 1`
  centre = c!
})
afterAll(async () => {
  await server?.close()
})

describe('content', () => {
  test('a tile is one MVT layer named like the layer, extent 4096, served as application/vnd.mapbox-vector-tile', async () => {
    const { res, body } = await fetchTile(admin, 'buildings', at(16))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile')
    const tile = decodeTile(body)
    expect(Object.keys(tile.layers)).toEqual(['buildings'])
    expect(tile.layers.buildings!.extent).toBe(4096)
  })

  test('every layer of the contract is served over the demo community', async () => {
    const statuses: Record<string, number> = {}
    for (const layer of TILE_LAYERS) {
      const { res, body } = await fetchTile(admin, layer, layer === 'hazards' ? await hazardTile(OPEN) : at(15))
      statuses[layer] = res.status
      if (res.status === 200) expect(Object.keys(decodeTile(body).layers)).toEqual([layer])
    }
    expect(statuses).toEqual(Object.fromEntries(TILE_LAYERS.map((l) => [l, 200])))
  })

  test('the buildings of a z16 tile are those whose footprint meets the tile (and its buffer)', async () => {
    const t = at(16)
    const { body } = await fetchTile(admin, 'buildings', t)
    const ids = decodeTile(body).layers.buildings!.features.map((f) => f.id)
    const [row] = await server.db.sql<{ inside: number[]; buffered: number[] }[]>`
      select array(select id from buildings
                   where ST_Intersects(footprint, ST_Transform(ST_TileEnvelope(${t.z}::int, ${t.x}::int, ${t.y}::int), 4326))
                   order by id) as inside,
             array(select id from buildings
                   where ST_Intersects(footprint, ST_Transform(ST_TileEnvelope(${t.z}::int, ${t.x}::int, ${t.y}::int, margin => ${TILE_BUFFER / 4096}::float8), 4326))
                   order by id) as buffered`
    expect(row!.inside.length).toBeGreaterThan(5)
    expect(ids).toEqual(expect.arrayContaining(row!.inside))
    expect(row!.buffered).toEqual(expect.arrayContaining(ids as number[]))
  })

  test('the buildings count of a z15 tile over the community matches PostGIS', async () => {
    const t = at(15)
    const { body } = await fetchTile(admin, 'buildings', t)
    const [row] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from buildings
      where ST_Intersects(footprint, ST_Transform(ST_TileEnvelope(${t.z}::int, ${t.x}::int, ${t.y}::int, margin => ${TILE_BUFFER / 4096}::float8), 4326))`
    expect(decodeTile(body).layers.buildings!.features.length).toBe(row!.n)
  })

  test('a feature id is the database id, and the properties are the building row with its readable label', async () => {
    const { body } = await fetchTile(admin, 'buildings', at(16))
    const features = decodeTile(body).layers.buildings!.features
    const rows = await server.db.sql<{ id: number; name: string | null; floors: number | null; households: number; compoundId: number | null; compoundName: string | null }[]>`
      select b.id, b.name, b.floors, b.households, b.compound_id as "compoundId", c.name as "compoundName" from buildings b
      left join compounds c on c.id = b.compound_id
      where b.id = any(${features.map((f) => f.id as number)}::bigint[]) order by b.id`
    const expected = rows.map(({ compoundName, ...r }) => ({
      id: r.id,
      properties: Object.fromEntries(Object.entries({ ...r, label: buildingLabel({ name: r.name, compoundName }) }).filter(([, v]) => v !== null)),
    }))
    expect(features.map((f) => ({ id: f.id, properties: f.properties })).sort((a, b) => a.id! - b.id!)).toEqual(expected)
  })

  test('polygon geometry lies within a pixel of the footprint, exterior rings clockwise on screen', async () => {
    const t = at(16)
    const { body } = await fetchTile(admin, 'buildings', t)
    const size = 40075016.685578488 / 2 ** t.z
    const pixel = size / 4096
    // Buildings of one ring that lie wholly inside the tile (nothing clipped).
    const whole = decodeTile(body).layers.buildings!.features.filter((f) => f.geometry.length === 1 && f.geometry[0]!.every(([x, y]) => x >= 0 && x <= 4096 && y >= 0 && y <= 4096))
    expect(whole.length).toBeGreaterThan(3)
    const off: number[] = []
    for (const f of whole) {
      const ring = f.geometry[0]!
      let area = 0
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) area += ring[j]![0] * ring[i]![1] - ring[i]![0] * ring[j]![1]
      expect(area).toBeGreaterThan(0) // MVT 2.1: exterior rings have positive area in tile coordinates (y down)
      // Back to Web Mercator, closed, and compared with the footprint's outline.
      const merc = [...ring, ring[0]!].map(([x, y]) => [-20037508.342789244 + (t.x + x / 4096) * size, 20037508.342789244 - (t.y + y / 4096) * size])
      const [row] = await server.db.sql<{ d: number | null }[]>`
        select ST_HausdorffDistance(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify({ type: 'LineString', coordinates: merc })}), 3857),
                                    ST_Transform(ST_ExteriorRing(ST_GeometryN(footprint, 1)), 3857)) as d
        from buildings where id = ${f.id!} and ST_NumGeometries(footprint) = 1 and ST_NumInteriorRings(ST_GeometryN(footprint, 1)) = 0`
      if (row?.d != null) off.push(row.d / pixel)
    }
    expect(off.length).toBeGreaterThan(3)
    expect(Math.max(...off)).toBeLessThanOrEqual(1.5)
  })

  test('hazards carry status, category, severity and overdue; only open ones by default', async () => {
    const t = await hazardTile(OPEN)
    const { body } = await fetchTile(admin, 'hazards', t)
    const features = decodeTile(body).layers.hazards!.features
    const rows = await server.db.sql<{ id: number; status: string; category: string; severity: string; overdue: boolean }[]>`
      select id, status, category, severity, (due_at < now()) as overdue from hazards
      where status not in ('verified', 'rejected') and type <> 'lead'
        and geom && ST_Transform(ST_TileEnvelope(${t.z}::int, ${t.x}::int, ${t.y}::int), 4326)
      order by id`
    expect(rows.length).toBeGreaterThan(0)
    const got = features.map((f) => ({ id: f.id, ...f.properties })).filter((f) => rows.some((r) => r.id === f.id))
    expect(got).toEqual(rows.map((r) => ({ ...r })))
    expect(features.every((f) => f.properties.status !== 'verified' && f.properties.status !== 'rejected')).toBe(true)
  })

  test('?status= picks the hazards a hazard tile shows', async () => {
    const { body } = await fetchTile(admin, 'hazards', await hazardTile(['verified']), '?status=verified')
    const features = decodeTile(body).layers.hazards!.features
    expect(features.length).toBeGreaterThan(0)
    expect(new Set(features.map((f) => f.properties.status))).toEqual(new Set(['verified']))
  })

  test('roads carry kind and kindDetail', async () => {
    const { body } = await fetchTile(admin, 'roads', at(15))
    const features = decodeTile(body).layers.roads!.features
    expect(features.length).toBeGreaterThan(10)
    expect(features.every((f) => f.type === 2 && typeof f.properties.kind === 'string')).toBe(true)
    expect(features.some((f) => typeof f.properties.kindDetail === 'string')).toBe(true)
  })

  test('key places carry id, kind and name', async () => {
    const { body } = await fetchTile(admin, 'key-places', at(15))
    const features = decodeTile(body).layers['key-places']!.features
    expect(features.length).toBeGreaterThan(10)
    expect(features.every((f) => f.properties.id === f.id && typeof f.properties.kind === 'string' && typeof f.properties.name === 'string')).toBe(true)
  })

  test('zones carry id, name and assigneeId', async () => {
    const { body } = await fetchTile(admin, 'zones', at(15))
    const features = decodeTile(body).layers.zones!.features
    expect(features.length).toBeGreaterThan(0)
    expect(features.every((f) => f.type === 3 && f.properties.id === f.id && typeof f.properties.name === 'string' && typeof f.properties.assigneeId === 'number')).toBe(true)
  })
})

describe('the same tile on both backends', () => {
  test('the served tiles equal the ones stored from a real PostGIS (features, ids, properties, geometry, bytes)', async () => {
    const stored: StoredTile[] = []
    for (const { layer, z } of FIXTURE_TILES) {
      const t = at(z)
      const { res, body } = await fetchTile(admin, layer, t)
      expect(res.status).toBe(200)
      stored.push({ layer, ...t, etag: res.headers.get('etag')!, features: decodeTile(body).layers[layer]!.features })
    }
    if (process.env.UPDATE_TILE_FIXTURES === '1' && backend === 'postgres') writeFileSync(FIXTURE, `${JSON.stringify(stored, null, 0).replaceAll('},{"id"', '},\n{"id"')}\n`)
    expect(existsSync(FIXTURE)).toBe(true)
    const expected = JSON.parse(readFileSync(FIXTURE, 'utf8')) as StoredTile[]
    expect(stored.map(({ etag: _etag, ...t }) => t)).toEqual(expected.map(({ etag: _etag, ...t }) => t))
    expect(stored.map((t) => t.etag)).toEqual(expected.map((t) => t.etag))
  })

  test('the Node encoder writes what it is given: decoding gives back the rows of the tile query', async () => {
    const req: TileRequest = { layer: 'key-places', ...at(15), communityIds: null }
    const rows = await tileFeatures(server.db.sql, req)
    const decoded = decodeTile(await tileWithNode(server.db.sql, req)).layers['key-places']!.features
    expect(decoded.map((f) => f.id)).toEqual(rows.map((r) => r.id))
    expect(decoded.map((f) => f.properties)).toEqual(rows.map((r) => Object.fromEntries(r.properties.filter(([, v]) => v !== null))))
    const asParts = (g: (typeof rows)[number]['geometry']): number[][][] =>
      g.type === 'Point' ? [[g.coordinates]] : g.type === 'LineString' ? [g.coordinates] : []
    expect(decoded.map((f) => f.geometry)).toEqual(rows.map((r) => asParts(r.geometry)))
  })
})

describe('responses', () => {
  test('an empty tile is 204 with no body', async () => {
    const { res, body } = await fetchTile(admin, 'buildings', { z: 16, x: 10, y: 10 })
    expect(res.status).toBe(204)
    expect(body.length).toBe(0)
  })

  test('a tile has an ETag, and If-None-Match with it gives 304 with no body', async () => {
    const first = await fetchTile(admin, 'buildings', at(16))
    const etag = first.res.headers.get('etag')
    expect(etag).toMatch(/^"[\w-]+"$/)
    const again = await admin.get(path('buildings', at(16)), { 'if-none-match': etag! })
    expect(again.status).toBe(304)
    expect(again.headers.get('etag')).toBe(etag)
    expect((await again.arrayBuffer()).byteLength).toBe(0)
  })

  test('a stale If-None-Match gets the tile', async () => {
    const res = await admin.get(path('buildings', at(16)), { 'if-none-match': '"stale"' })
    expect(res.status).toBe(200)
  })

  test('hazard tiles may be cached a minute, the other layers five, privately', async () => {
    const hazards = await fetchTile(admin, 'hazards', await hazardTile(OPEN))
    const buildings = await fetchTile(admin, 'buildings', at(14))
    expect([hazards.res.headers.get('cache-control'), buildings.res.headers.get('cache-control')]).toEqual(['private, max-age=60', 'private, max-age=300'])
  })

  test('tiles need a signed-in user', async () => {
    const res = await server.get(path('buildings', at(16)))
    expect(res.status).toBe(401)
  })

  test('a user sees only the communities they may see: another community’s tile is empty', async () => {
    const [c] = await server.db.sql<{ id: number }[]>`
      insert into communities (name, utm_srid, boundary)
      values ('测试社区T', 32650, ST_Multi(ST_MakeEnvelope(114.50, 30.60, 114.51, 30.61, 4326))) returning id`
    await createUser(server.db.sql, { username: 'tiles-b', name: '乙社区', role: 'leader', passwordHash: await hashPassword('t-secret'), communityIds: [c!.id] })
    const other = await server.login('tiles-b', 't-secret')
    const { res } = await fetchTile(other, 'buildings', at(16))
    expect(res.status).toBe(204)
  })
})

describe('bad tile addresses are 400 problem+json', () => {
  const bad = async (p: string): Promise<{ status: number; type: string | null; detail: string }> => {
    const res = await admin.get(p)
    return { status: res.status, type: res.headers.get('content-type'), detail: ((await res.json()) as { detail: string }).detail }
  }

  test('z above 22', async () => {
    const r = await bad('/api/tiles/buildings/23/0/0.mvt')
    expect(r.status).toBe(400)
    expect(r.type).toContain('application/problem+json')
  })

  test('x or y not below 2^z', async () => {
    expect((await bad('/api/tiles/buildings/2/4/0.mvt')).status).toBe(400)
    expect((await bad('/api/tiles/buildings/2/0/4.mvt')).status).toBe(400)
  })

  test('non-integer or negative numbers', async () => {
    const statuses = await Promise.all(['/api/tiles/buildings/1.5/0/0.mvt', '/api/tiles/buildings/3/-1/0.mvt', '/api/tiles/buildings/3/0/1e1.mvt', '/api/tiles/buildings/x/0/0.mvt'].map(async (p) => (await bad(p)).status))
    expect(statuses).toEqual([400, 400, 400, 400])
  })

  test('the .mvt suffix missing or another one', async () => {
    expect((await bad('/api/tiles/buildings/3/0/0')).status).toBe(400)
    expect((await bad('/api/tiles/buildings/3/0/0.png')).status).toBe(400)
  })

  test('an unknown layer', async () => {
    const r = await bad('/api/tiles/water-mains/3/0/0.mvt')
    expect(r.status).toBe(400)
    expect(r.detail).toBeTruthy()
  })
})
