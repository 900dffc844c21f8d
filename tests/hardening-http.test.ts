/**
 * Issue 18, item 7 — the smaller ones: deep JSON nesting, the Host header in links, /api/people's
 * communityId and the download file name, the Secure cookie behind TLS, the service worker and
 * hazard tiles, and a 413 the client can read.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { cachedApiRead } from '../scripts/pwa-config.ts'
import { createApp } from '../server/app.ts'
import { JSON_BODY_LIMIT } from '../server/app.ts'
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../server/http.ts'
import { expectProblem, rawRequest } from './helpers/http.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

let server: TestServer
let admin: Client
let planner: Client
let communityA: number
let communityB: number

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  planner = await server.login('planner')
  const sql = server.db.sql
  const [a] = await sql<{ id: number; districtId: number }[]>`select id, district_id as "districtId" from communities order by id limit 1`
  communityA = a!.id
  const [b] = await sql<{ id: number }[]>`
    insert into communities (district_id, name, utm_srid, boundary)
    values (${a!.districtId}, '乙社区', 32650, ST_Multi(ST_MakeEnvelope(114.50, 30.60, 114.51, 30.61, 4326))) returning id`
  communityB = b!.id
  await sql`insert into people (community_id, name, title) values (${communityB}, '乙社区的人', '队员')`
})

afterAll(async () => {
  await server?.close()
})

/** A zone whose coordinates are nested `depth` arrays deep. */
function deeplyNested(depth: number): string {
  return `{"type":"Feature","properties":{"name":"深"},"geometry":{"type":"Polygon","coordinates":${'['.repeat(depth)}${']'.repeat(depth)}}}`
}

describe('deeply nested JSON', () => {
  test('200,000-deep coordinates are a 400 problem on every JSON endpoint, and nothing is stored', async () => {
    const body = deeplyNested(200_000)
    const [before] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from zones`
    for (const path of ['/api/zones', `/api/import/zones?communityId=${communityA}`, '/api/tracks/points', '/api/owntracks']) {
      const doc = await expectProblem(await planner.post(path, body, { 'content-type': 'application/json' }), 400)
      expect(doc.detail).toContain(`${MAX_JSON_DEPTH}`)
    }
    const [after] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from zones`
    expect(after!.n).toBe(before!.n)
  })

  test('the depth is counted without parsing, strings and escapes skipped', () => {
    expect(jsonDepthExceeds('['.repeat(33) + ']'.repeat(33))).toBe(true)
    expect(jsonDepthExceeds('['.repeat(32) + ']'.repeat(32))).toBe(false)
    expect(jsonDepthExceeds(JSON.stringify({ s: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"[[[[' }))).toBe(false)
  })

  test('a FeatureCollection of MultiPolygons (7 levels) still passes', async () => {
    const res = await planner.post(`/api/import/zones?communityId=${communityA}`, { type: 'FeatureCollection', features: [] })
    expect(res.status).toBe(200)
  })
})

describe('links never carry a forged Host header', () => {
  test('without PUBLIC_URL a Host off the allow list is refused (400) for QR links and OGC links', async () => {
    const auth = { authorization: `Bearer ${admin.token}`, host: 'evil.example' }
    const list = await rawRequest(server.url, '/api/key-places', { headers: auth })
    expect(list.status).toBe(400)
    expect(list.text).not.toContain('evil.example/patrol')
    expect(list.text).toContain('PUBLIC_URL')
    const places = (await (await admin.get('/api/key-places')).json()) as { items: { id: number }[] }
    const qr = await rawRequest(server.url, `/api/key-places/${places.items[0]!.id}/qr`, { headers: auth })
    expect(qr.status).toBe(400)
    const ogc = await rawRequest(server.url, '/ogc/collections', { headers: auth })
    expect(ogc.status).toBe(400)
    expect(ogc.text).not.toContain('http://evil.example')
  })

  test('a loopback Host is used as it is', async () => {
    const body = (await (await admin.get('/api/key-places')).json()) as { items: { checkinUrl: string }[] }
    expect(body.items[0]!.checkinUrl.startsWith(`${server.url}/patrol/checkin?code=`)).toBe(true)
  })

  test('PUBLIC_URL wins over any Host; ALLOWED_HOSTS lets a listed Host through', async () => {
    const app = createApp({ sql: server.db.sql, databaseKind: server.backend, basemap: null, network: { trustProxy: false, publicUrl: 'https://grid.example.org', allowedHosts: [] } })
    const auth = { authorization: `Bearer ${admin.token}` }
    const list = (await (await app.request('http://evil.example/api/key-places', { headers: auth })).json()) as { items: { checkinUrl: string }[] }
    expect(list.items.every((p) => p.checkinUrl.startsWith('https://grid.example.org/patrol/checkin?code='))).toBe(true)
    const ogc = await (await app.request('http://evil.example/ogc', { headers: auth })).text()
    expect(ogc).toContain('https://grid.example.org/ogc')
    expect(ogc).not.toContain('evil.example')
    const lan = createApp({ sql: server.db.sql, databaseKind: server.backend, basemap: null, network: { trustProxy: false, publicUrl: null, allowedHosts: ['grid.lan'] } })
    const allowed = (await (await lan.request('http://grid.lan:8080/api/key-places', { headers: auth })).json()) as { items: { checkinUrl: string }[] }
    expect(allowed.items[0]!.checkinUrl.startsWith('http://grid.lan:8080/patrol/checkin')).toBe(true)
    expect((await lan.request('http://evil.example/api/key-places', { headers: auth })).status).toBe(400)
  })
})

describe('/api/people', () => {
  test('communityId filters the list', async () => {
    const all = (await (await admin.get('/api/people')).json()) as { items: { communityId: number }[] }
    expect(all.items.some((p) => p.communityId === communityB)).toBe(true)
    const onlyA = (await (await admin.get(`/api/people?communityId=${communityA}`)).json()) as { items: { communityId: number }[] }
    expect(onlyA.items.length).toBeGreaterThan(0)
    expect(onlyA.items.every((p) => p.communityId === communityA)).toBe(true)
  })

  test('a communityId that is not an id is a 400, and never reaches the download file name', async () => {
    await expectProblem(await admin.get(`/api/people?format=csv&communityId=${encodeURIComponent('../x";evil')}`), 400)
    const ok = await admin.get(`/api/people?format=csv&communityId=${communityA}`)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-disposition')).toContain(`filename="people-${communityA}.csv"`)
  })
})

describe('the session cookie behind TLS', () => {
  const login = (app: ReturnType<typeof createApp>, headers: Record<string, string>) =>
    app.request('http://127.0.0.1/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ username: 'command', password: 'demo' }),
    })
  const cookie = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('sg_session=')) ?? ''

  test('with TRUST_PROXY=1 and X-Forwarded-Proto: https the cookie is Secure', async () => {
    const app = createApp({ sql: server.db.sql, databaseKind: server.backend, basemap: null, network: { trustProxy: true, publicUrl: null, allowedHosts: [] } })
    const res = await login(app, { 'x-forwarded-proto': 'https' })
    expect(res.status).toBe(200)
    expect(cookie(res)).toMatch(/;\s*Secure/i)
    expect(cookie(await login(app, { 'x-forwarded-proto': 'http' }))).not.toMatch(/;\s*Secure/i)
  })

  test('without TRUST_PROXY the header is not believed', async () => {
    const app = createApp({ sql: server.db.sql, databaseKind: server.backend, basemap: null, network: { trustProxy: false, publicUrl: null, allowedHosts: [] } })
    expect(cookie(await login(app, { 'x-forwarded-proto': 'https' }))).not.toMatch(/;\s*Secure/i)
  })
})

describe('the service worker', () => {
  const read = (path: string) => cachedApiRead({ url: new URL(path, 'https://grid.example.org'), sameOrigin: true })
  test('never caches hazard tiles or hazards; caches the base map', () => {
    expect(read('/api/tiles/hazards/16/53360/27120.mvt')).toBe(false)
    expect(read('/api/hazards')).toBe(false)
    expect(read('/api/people')).toBe(false)
    expect(read('/api/tiles/buildings/16/53360/27120.mvt')).toBe(true)
    expect(read('/api/layers/roads')).toBe(true)
    expect(read('/api/communities')).toBe(true)
    expect(cachedApiRead({ url: new URL('https://elsewhere.example/api/communities'), sameOrigin: false })).toBe(false)
  })
})

describe('a body over the limit', () => {
  const big = JSON.stringify({ category: 'other', severity: 'minor', location: { lon: 114.4, lat: 30.5 }, description: 'x'.repeat(JSON_BODY_LIMIT * 2) })

  test('gets a 413 problem the client can read (Content-Length)', async () => {
    const res = await admin.post('/api/hazards', big, { 'content-type': 'application/json' })
    const doc = await expectProblem(res, 413)
    expect(doc.detail).toContain(String(JSON_BODY_LIMIT))
  })

  test('gets a 413 problem the client can read (chunked, no Content-Length)', async () => {
    const bytes = new TextEncoder().encode(big)
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.subarray(i, i + 64 * 1024))
        controller.close()
      },
    })
    const res = await fetch(`${server.url}/api/hazards`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit)
    await expectProblem(res, 413)
  })

  test('an oversized photo gets a readable 413 too', async () => {
    const [h] = await server.db.sql<{ id: number }[]>`select id from hazards order by id limit 1`
    const form = new FormData()
    form.set('photo', new Blob([new Uint8Array(11 * 1024 * 1024)], { type: 'image/jpeg' }), 'big.jpg')
    await expectProblem(await admin.send('POST', `/api/hazards/${h!.id}/photos`, form), 413)
  })

  test('the server keeps answering afterwards', async () => {
    expect((await server.get('/api/health')).status).toBe(200)
  })
})
