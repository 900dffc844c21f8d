import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { hashPassword } from '../server/domain/password.ts'
import { tileOf } from '../server/domain/mvt.ts'
import { createUser } from '../server/queries/users.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'
import { decodeTile } from './helpers/tiles.ts'

/**
 * The server's tile cache and session cache (issue #21): a tile is rendered once and then served from
 * memory, keyed by the caller's scope and filters, until its table changes; a cached tile answers
 * If-None-Match without rendering; a signed-out session stops working at once.
 */

let server: TestServer
let admin: Client
let centre: { lon: number; lat: number }
const at = (z: number): { z: number; x: number; y: number } => ({ z, ...tileOf(centre.lon, centre.lat, z) })
const path = (layer: string, t: { z: number; x: number; y: number }, query = ''): string => `/api/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt${query}`

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

describe('tile cache', () => {
  test('the second request of a tile is served from the cache, byte for byte, with the same ETag', async () => {
    const first = await admin.get(path('buildings', at(16)))
    const firstBody = new Uint8Array(await first.arrayBuffer())
    const second = await admin.get(path('buildings', at(16)))
    expect(first.headers.get('x-tile-cache')).toBe('miss')
    expect(second.headers.get('x-tile-cache')).toBe('hit')
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'))
    expect(new Uint8Array(await second.arrayBuffer())).toEqual(firstBody)
  })

  test('If-None-Match is answered 304 from the cache', async () => {
    const first = await admin.get(path('roads', at(15)))
    await first.arrayBuffer()
    const again = await admin.get(path('roads', at(15)), { 'if-none-match': first.headers.get('etag')! })
    expect(again.status).toBe(304)
    expect(again.headers.get('x-tile-cache')).toBe('hit')
    expect(await again.text()).toBe('')
  })

  test('a hazard reported through the API is on the next hazards tile', async () => {
    const t = at(15)
    const before = await admin.get(path('hazards', t))
    const count = (body: ArrayBuffer) => (body.byteLength === 0 ? 0 : (decodeTile(new Uint8Array(body)).layers.hazards?.features.length ?? 0))
    const n0 = count(await before.arrayBuffer())
    expect((await admin.get(path('hazards', t))).headers.get('x-tile-cache')).toBe('hit')
    const res = await admin.post('/api/hazards', { category: 'corridor_clutter', severity: 'minor', location: centre })
    expect(res.status).toBe(201)
    const after = await admin.get(path('hazards', t))
    expect(after.headers.get('x-tile-cache')).toBe('miss')
    expect(count(await after.arrayBuffer())).toBe(n0 + 1)
  })

  test('a change written straight to the database is seen by the next tile', async () => {
    const t = at(16)
    const first = await admin.get(path('buildings', t))
    await first.arrayBuffer()
    const [b] = await server.db.sql<{ id: number }[]>`
      select id from buildings
      where ST_Within(ST_Centroid(footprint), ST_Transform(ST_TileEnvelope(${t.z}::int, ${t.x}::int, ${t.y}::int), 4326))
      order by id limit 1`
    await server.db.sql`update buildings set name = '缓存测试楼' where id = ${b!.id}`
    const after = await admin.get(path('buildings', t))
    expect(after.headers.get('x-tile-cache')).toBe('miss')
    const names = decodeTile(new Uint8Array(await after.arrayBuffer())).layers.buildings!.features.map((f) => f.properties.name)
    expect(names).toContain('缓存测试楼')
  })

  test('filters and scope are part of the key: a caller of another community never gets a cached tile of this one', async () => {
    const t = at(15)
    const mine = await admin.get(path('hazards', t, '?status=verified'))
    expect(mine.status).toBe(200)
    await mine.arrayBuffer()
    const [c] = await server.db.sql<{ id: number }[]>`
      insert into communities (name, utm_srid, boundary) values ('缓存隔离社区', 32650, ST_Multi(ST_MakeEnvelope(114.7, 30.8, 114.71, 30.81, 4326))) returning id`
    await createUser(server.db.sql, { username: 'tc-other', name: '隔离', role: 'command', passwordHash: await hashPassword('tc-secret-1'), communityIds: [c!.id] })
    const other = await server.login('tc-other', 'tc-secret-1')
    const theirs = await other.get(path('hazards', t, '?status=verified'))
    expect(theirs.status).toBe(204)
    const open = await admin.get(path('hazards', t))
    const verified = await admin.get(path('hazards', t, '?status=verified'))
    expect(open.headers.get('etag')).not.toBe(verified.headers.get('etag'))
  })
})

describe('session cache', () => {
  test('a signed-out token stops working at once, though it was just used', async () => {
    const leader = await server.login('leader')
    expect((await leader.get('/api/auth/me')).status).toBe(200)
    expect((await leader.post('/api/auth/logout')).status).toBe(204)
    expect((await leader.get('/api/auth/me')).status).toBe(401)
    expect((await leader.get(path('buildings', at(16)))).status).toBe(401)
  })
})
