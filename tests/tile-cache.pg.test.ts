import postgres from 'postgres'
import { afterAll, beforeAll, expect, inject, test } from 'vitest'
import { tileOf } from '../server/domain/mvt.ts'
import { withDatabase } from './helpers/backend.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'
import { decodeTile } from './helpers/tiles.ts'

// A real PostgreSQL only: another process writing to the database (here another client) reaches this
// server's tile cache through NOTIFY safegrid_data.

let server: TestServer
let admin: Client
let other: postgres.Sql

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  const [db] = await server.db.sql<{ name: string }[]>`select current_database() as name`
  other = postgres(withDatabase(inject('template').url!, db!.name), { max: 1, onnotice: () => {} })
})
afterAll(async () => {
  await other?.end()
  await server?.close()
})

test('a write by another process drops the cached tile', async () => {
  const [c] = await server.db.sql<{ lon: number; lat: number; id: number }[]>`
    select b.id, ST_X(ST_Centroid(b.footprint)) as lon, ST_Y(ST_Centroid(b.footprint)) as lat from buildings b order by b.id limit 1`
  const t = { z: 16, ...tileOf(c!.lon, c!.lat, 16) }
  const url = `/api/tiles/buildings/${t.z}/${t.x}/${t.y}.mvt`
  await (await admin.get(url)).arrayBuffer()
  expect((await admin.get(url)).headers.get('x-tile-cache')).toBe('hit')
  await other`update buildings set name = '别处改名' where id = ${c!.id}`
  await expect
    .poll(async () => {
      const res = await admin.get(url)
      return decodeTile(new Uint8Array(await res.arrayBuffer())).layers.buildings!.features.some((f) => f.properties.name === '别处改名')
    })
    .toBe(true)
})
