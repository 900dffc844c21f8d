import { afterAll, beforeAll, expect, test } from 'vitest'
import { tileOf } from '../server/domain/mvt.ts'
import { TILE_BUFFER, TILE_LAYERS, tileWithNode, tileWithPostgis, type TileRequest } from '../server/queries/tiles.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

// A real PostGIS only (a *.pg.test.ts file runs in the postgres project only): ST_AsMVT and
// ST_AsMVTGeom exist there, so the portable tile path is compared with them.

let server: TestServer
let centre: { lon: number; lat: number }
const at = (z: number): { z: number; x: number; y: number } => ({ z, ...tileOf(centre.lon, centre.lat, z) })

beforeAll(async () => {
  server = await startTestServer()
  const [c] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(ST_Centroid(boundary)) as lon, ST_Y(ST_Centroid(boundary)) as lat from communities order by id limit 1`
  centre = c!
})
afterAll(async () => {
  await server?.close()
})

test('ST_AsMVT and the Node encoder give byte-identical tiles for every layer', async () => {
  const mismatched: string[] = []
  for (const layer of TILE_LAYERS) {
    for (const z of [14, 15, 16]) {
      const req: TileRequest = { layer, ...at(z), communityIds: null }
      const a = Buffer.from(await tileWithPostgis(server.db.sql, req))
      const b = Buffer.from(await tileWithNode(server.db.sql, req))
      if (!a.equals(b)) mismatched.push(`${layer}/${z}`)
    }
  }
  expect(mismatched).toEqual([])
})

test('safegrid_tile_geom keeps the features ST_AsMVTGeom keeps, within a pixel of its geometry', async () => {
  const t = at(15)
  const [row] = await server.db.sql<{ mismatched: number; kept: number; worst: number }[]>`
    with a as (
      select ST_AsMVTGeom(ST_Transform(footprint, 3857), ST_TileEnvelope(${t.z}::int, ${t.x}::int, ${t.y}::int), 4096, ${TILE_BUFFER}::int, true) as native,
             safegrid_tile_geom(footprint, ${t.z}::int, ${t.x}::int, ${t.y}::int) as portable
      from buildings
      where footprint && ST_Transform(ST_TileEnvelope(${t.z}::int, ${t.x}::int, ${t.y}::int, margin => ${TILE_BUFFER / 4096}::float8), 4326)
    )
    select count(*) filter (where (native is null) <> (portable is null))::int as mismatched,
           count(portable)::int as kept,
           coalesce(max(ST_HausdorffDistance(ST_SetSRID(native, 0), portable)), 0) as worst
    from a`
  expect(row!.kept).toBeGreaterThan(10)
  expect(row!.mismatched).toBe(0)
  expect(row!.worst).toBeLessThanOrEqual(1.5)
})
