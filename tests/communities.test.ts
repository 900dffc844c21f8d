import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface CommunityFeature {
  id: number
  geometry: { type: string; coordinates: number[][][][] }
  properties: { id: number; name: string; utmSrid: number }
}

let server: TestServer
let admin: Client

const square = (x: number, y: number, clockwise = false): number[][] => {
  const ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
  return clockwise ? ring.reverse() : ring
}
const feature = (ring: number[][], name = '新社区') => ({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { name } })
const count = async () => (await server.db.sql<{ n: number }[]>`select count(*)::int as n from communities`)[0]!.n

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
})
afterAll(async () => {
  await server?.close()
})

test('an admin creates a community and gets its UTM zone', async () => {
  const res = await admin.post('/api/communities', feature(square(114.6, 30.7), '花山社区'))
  expect(res.status).toBe(201)
  const body = (await res.json()) as CommunityFeature
  expect(body.id).toBe(body.properties.id)
  expect(body.properties.utmSrid).toBe(32650)
  const listed = (await (await admin.get('/api/communities')).json()) as { features: { id: number }[] }
  expect(listed.features.map((f) => f.id)).toContain(body.id)
})

test('the UTM zone follows the longitude and hemisphere', async () => {
  const res = await admin.post('/api/communities', feature(square(-70.2, -33.5), 'Santiago'))
  expect(((await res.json()) as CommunityFeature).properties.utmSrid).toBe(32719)
})

test('a clockwise ring is accepted and stored counter-clockwise', async () => {
  const res = await admin.post('/api/communities', feature(square(114.7, 30.7, true)))
  const ring = ((await res.json()) as CommunityFeature).geometry.coordinates[0]![0]!
  const signedArea = ring.slice(1).reduce((acc, [x, y], i) => acc + (ring[i]![0]! * y! - x! * ring[i]![1]!), 0)
  expect(signedArea).toBeGreaterThan(0)
})

test('a self-intersecting boundary is a 422 naming the reason, and nothing is stored', async () => {
  const before = await count()
  const bowtie = [[114.8, 30.7], [114.81, 30.71], [114.81, 30.7], [114.8, 30.71], [114.8, 30.7]]
  const res = await admin.post('/api/communities', feature(bowtie))
  expect(res.status).toBe(422)
  expect(((await res.json()) as { detail: string }).detail).toMatch(/Self-intersection/)
  expect(await count()).toBe(before)
})

test('only admins create communities', async () => {
  const before = await count()
  const planner = await server.login('planner')
  const res = await planner.post('/api/communities', feature(square(114.9, 30.7)))
  expect(res.status).toBe(403)
  expect(await count()).toBe(before)
})
