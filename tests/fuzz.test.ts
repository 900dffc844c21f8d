import fc from 'fast-check'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

/** Runs per generated property; modest so the suite stays fast on both backends. */
const RUNS = 60

let server: TestServer
let admin: Client
let patrol: Client
let centre: { lon: number; lat: number }
let hazardId: number
let zoneId: number
let communityId: number
let keyPlaceId: number
const tally = { tried: 0, fiveHundreds: 0, byEndpoint: {} as Record<string, number> }

/** One hostile request: a body (text or bytes) and its content type. */
interface Attack {
  body: string | Uint8Array
  contentType: string
}

const HOSTILE_TEXT = [
  "'; drop table hazards; --",
  "1' or '1'='1",
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '\u0000',
  '\ud800',
  '${7*7}{{7*7}}',
  '../../../../etc/passwd',
  '𠜎𠜱𠝹' + '\u202e',
]
/** Tokens spliced raw into JSON text: not JSON, or numbers no double holds. */
const RAW_TOKENS = ['NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '0x10', 'undefined', '01', '1e-999', '9007199254740993', '"\\ud800"', "'x'"]

const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e308, -1e308, 2 ** 63, -(2 ** 63), Number.MAX_SAFE_INTEGER + 2, -0, 181, -91, 360, 1e-320),
)
const hostileString = fc.oneof(fc.string({ maxLength: 50 }), fc.constantFrom(...HOSTILE_TEXT), fc.string({ unit: 'binary', maxLength: 20 }), fc.constant('x'.repeat(5000)))
const hostileValue = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null), fc.anything({ maxDepth: 2 }), fc.array(hostileNumber, { maxLength: 4 }))

function setPath(obj: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(obj) as Record<string, unknown>
  const keys = path.split('.')
  let at: Record<string, unknown> = copy
  for (const k of keys.slice(0, -1)) {
    if (typeof at[k] !== 'object' || at[k] === null) at[k] = {}
    at = at[k] as Record<string, unknown>
  }
  if (value === '__DELETE__') delete at[keys.at(-1)!]
  else at[keys.at(-1)!] = value
  return copy
}

const json = (value: unknown): Attack => ({ body: JSON.stringify(value) ?? 'null', contentType: 'application/json' })

/**
 * Hostile variants of a valid JSON body: one field replaced by a hostile value or removed, a raw
 * non-JSON token spliced into a field, foreign members, a wrong content type, or anything at all.
 */
function mutations(valid: unknown, paths: string[]): fc.Arbitrary<Attack> {
  return fc.oneof(
    fc.tuple(fc.constantFrom(...paths), fc.oneof(hostileValue, fc.constant('__DELETE__'))).map(([p, v]) => json(setPath(valid, p, v))),
    fc.tuple(fc.constantFrom(...paths), fc.constantFrom(...RAW_TOKENS)).map(([p, raw]) => ({
      body: JSON.stringify(setPath(valid, p, '__RAW__')).replace('"__RAW__"', raw),
      contentType: 'application/json',
    })),
    fc.dictionary(fc.string({ maxLength: 10 }), hostileValue, { maxKeys: 3 }).map((extra) => json({ ...(valid as object), ...extra, __proto__: { polluted: 1 }, constructor: { prototype: { x: 1 } } })),
    fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data', 'application/x-www-form-urlencoded', '').map((ct) => ({ body: JSON.stringify(valid), contentType: ct })),
    fc.anything().map((v) => json(v)),
    fc.string({ maxLength: 200 }).map((s) => ({ body: s, contentType: 'application/json' })),
  )
}

/** The same fixed extremes for every JSON endpoint. */
function extremes(valid: unknown, textPath: string): Attack[] {
  const deep = '['.repeat(10_000) + ']'.repeat(10_000)
  return [
    { body: deep, contentType: 'application/json' },
    { body: JSON.stringify(setPath(valid, textPath, '__RAW__')).replace('"__RAW__"', deep), contentType: 'application/json' },
    json(setPath(valid, textPath, 'x'.repeat(10 * 1024 * 1024))),
    { body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]), contentType: 'application/json' },
    { body: new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(JSON.stringify(valid))]), contentType: 'application/json' },
    { body: '', contentType: 'application/json' },
    { body: 'null', contentType: 'application/json' },
    { body: '[]', contentType: 'application/json' },
    { body: '"just a string"', contentType: 'application/json' },
    json(setPath(valid, textPath, HOSTILE_TEXT.join(' '))),
  ]
}

/** Fire one attack and check the promises; returns the status. */
async function fire(client: Client, method: string, path: string, attack: Attack, count: () => Promise<string>): Promise<number> {
  const before = await count()
  const res = await client.send(method, path, attack.body, { 'content-type': attack.contentType })
  const text = await res.text()
  tally.tried++
  const key = `${method} ${path.replace(/\d+/g, ':id').replace(/\?.*/, '')}`
  tally.byEndpoint[key] = (tally.byEndpoint[key] ?? 0) + 1
  if (res.status >= 500) tally.fiveHundreds++
  const where = `${method} ${path} ${String(attack.body).slice(0, 200)} → ${res.status} ${text.slice(0, 300)}`
  expect(res.status, where).toBeLessThan(500)
  if (res.status >= 400) {
    expect(res.headers.get('content-type'), where).toMatch(/^application\/problem\+json/)
    const doc = JSON.parse(text) as { detail?: unknown; status?: unknown }
    expect(typeof doc.detail === 'string' && doc.detail.length > 0, where).toBe(true)
    expect(doc.status, where).toBe(res.status)
    expect(await count(), `${where}: a refused write changed the table`).toBe(before)
  }
  return res.status
}

async function stillAnswering(): Promise<void> {
  const res = await server.get('/api/health')
  expect(res.status).toBe(200)
}

const counter = (table: string) => async () => {
  const [r] = await server.db.sql<{ n: string }[]>`select count(*)::text as n from ${server.db.sql(table)}`
  return r!.n
}

/** Property: no attack from `arb` gets a 5xx, refusals are problem+json and store nothing. */
async function attackWith(client: Client, method: string, path: string | (() => string), valid: unknown, paths: string[], table: () => Promise<string>): Promise<void> {
  const url = typeof path === 'string' ? () => path : path
  for (const a of extremes(valid, paths[0]!)) await fire(client, method, url(), a, table)
  await fc.assert(
    fc.asyncProperty(mutations(valid, paths), async (a) => {
      await fire(client, method, url(), a, table)
    }),
    { numRuns: RUNS },
  )
  await stillAnswering()
}

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  patrol = await server.login('patrol')
  const sql = server.db.sql
  const [c] = await sql<{ id: number; lon: number; lat: number }[]>`
    select id, ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities order by id limit 1`
  centre = { lon: c!.lon, lat: c!.lat }
  communityId = c!.id
  const [h] = await sql<{ id: number }[]>`select id from hazards where community_id = ${communityId} order by id limit 1`
  hazardId = h!.id
  const [z] = await sql<{ id: number }[]>`select id from zones where community_id = ${communityId} order by id limit 1`
  zoneId = z!.id
  const [k] = await sql<{ id: number }[]>`select id from key_places where community_id = ${communityId} order by id limit 1`
  keyPlaceId = k!.id
})
afterAll(async () => {
  console.log(`[fuzz ${server?.backend}] payloads tried: ${tally.tried}, 5xx seen: ${tally.fiveHundreds}`)
  console.table(tally.byEndpoint)
  await server?.close()
})

const square = (lon: number, lat: number, d = 0.0002): number[][][] => [
  [
    [lon, lat],
    [lon + d, lat],
    [lon + d, lat + d],
    [lon, lat + d],
    [lon, lat],
  ],
]

test('POST /api/hazards refuses hostile reports with a problem and stores nothing', async () => {
  const valid = { category: 'other', severity: 'minor', location: centre, description: 'fuzz' }
  const paths = ['description', 'category', 'severity', 'location', 'location.lon', 'location.lat', 'buildingId', 'reportedAt', 'clientId']
  await attackWith(patrol, 'POST', '/api/hazards', valid, paths, counter('hazards'))
  // Swapped lon/lat and a GeoJSON Point with foreign members.
  await fire(patrol, 'POST', '/api/hazards', json({ ...valid, location: { lon: centre.lat, lat: centre.lon } }), counter('hazards'))
  const point = JSON.stringify({ ...valid, location: { type: 'Point', coordinates: [centre.lon, '__RAW__'], crs: 'x', bbox: 'y' } }).replace('"__RAW__"', '1e999')
  await fire(patrol, 'POST', '/api/hazards', { body: point, contentType: 'application/json' }, counter('hazards'))
})

test('POST /api/hazards/:id/transition refuses hostile moves and writes no event', async () => {
  const valid = { to: 'dispatched', note: 'fuzz', assigneeId: 1, version: 1 }
  await attackWith(admin, 'POST', `/api/hazards/${hazardId}/transition`, valid, ['note', 'to', 'assigneeId', 'version'], counter('hazard_events'))
  for (const id of ['0', '-1', '1e999', 'NaN', '99999999999999999999', "1'or'1", '%00']) {
    await fire(admin, 'POST', `/api/hazards/${id}/transition`, json({ to: 'rejected' }), counter('hazard_events'))
  }
})

test('POST /api/hazards/:id/photos refuses files that are not photos', async () => {
  const forms: [string, Blob][] = [
    ['photo', new Blob([new Uint8Array(0)], { type: 'image/jpeg' })],
    ['photo', new Blob(['<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'], { type: 'image/svg+xml' })],
    ['photo', new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])], { type: 'image/jpeg' })],
    ['photo', new Blob(['GIF89a' + 'x'.repeat(100)], { type: 'image/gif' })],
    ['other', new Blob(['x'], { type: 'image/png' })],
  ]
  for (const [field, blob] of forms) {
    const form = new FormData()
    form.append(field, blob, 'x.jpg')
    const before = await counter('hazard_photos')()
    const res = await patrol.send('POST', `/api/hazards/${hazardId}/photos`, form)
    tally.tried++
    expect(res.status, await res.clone().text()).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
    expect(res.headers.get('content-type')).toMatch(/problem\+json/)
    expect(await counter('hazard_photos')()).toBe(before)
  }
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
      const form = new FormData()
      form.append('photo', new Blob([bytes], { type: 'image/png' }), 'x.png')
      const res = await patrol.send('POST', `/api/hazards/${hazardId}/photos`, form)
      tally.tried++
      expect(res.status).toBeLessThan(500)
    }),
    { numRuns: 20 },
  )
  await fire(patrol, 'POST', `/api/hazards/${hazardId}/photos`, { body: 'not a form', contentType: 'multipart/form-data; boundary=x' }, counter('hazard_photos'))
  await stillAnswering()
})

const bowtie = (lon: number, lat: number, d = 0.0002): number[][][] => [
  [
    [lon, lat],
    [lon + d, lat + d],
    [lon + d, lat],
    [lon, lat + d],
    [lon, lat],
  ],
]

function hugePolygon(n: number, lon: number, lat: number): number[][][] {
  const ring = Array.from({ length: n }, (_, i) => [lon + 0.001 * Math.cos((2 * Math.PI * i) / n), lat + 0.001 * Math.sin((2 * Math.PI * i) / n)])
  ring.push(ring[0]!)
  return [ring]
}

/** Geometries that must be refused: bad rings, hostile numbers, wrong types. */
const badGeometry = fc.oneof(
  fc.constantFrom(
    { type: 'Polygon', coordinates: bowtie(114.3, 30.5) },
    { type: 'Polygon', coordinates: [[[114.3, 30.5], [114.31, 30.5], [114.31, 30.51]]] },
    { type: 'Polygon', coordinates: [[[114.3, 30.5], [114.31, 30.5], [114.31, 30.51], [114.3, 30.51]]] },
    { type: 'Polygon', coordinates: square(200, 95) },
    { type: 'Point', coordinates: [114.3, 30.5] },
    { type: 'GeometryCollection', geometries: [] },
    { type: 'Polygon', coordinates: [] },
    { type: 'Polygon', coordinates: [[]] },
    { type: 'MultiPolygon', coordinates: [[[]]] },
    { type: 'Polygon', coordinates: 'x' },
  ),
  fc.record({ type: fc.constantFrom('Polygon', 'MultiPolygon'), coordinates: fc.array(fc.array(fc.array(hostileNumber, { maxLength: 3 }), { maxLength: 6 }), { maxLength: 2 }) }),
)

test('POST /api/zones refuses hostile zones and stores none', async () => {
  const valid = { type: 'Feature', geometry: { type: 'Polygon', coordinates: bowtie(centre.lon, centre.lat) }, properties: { name: 'fuzz', communityId } }
  await attackWith(admin, 'POST', '/api/zones', valid, ['properties.name', 'geometry', 'geometry.coordinates', 'properties.communityId', 'properties.assigneeId', 'type'], counter('zones'))
  await fc.assert(
    fc.asyncProperty(badGeometry, async (g) => {
      const status = await fire(admin, 'POST', '/api/zones', json({ ...valid, geometry: g }), counter('zones'))
      expect(status).toBeGreaterThanOrEqual(400)
    }),
    { numRuns: RUNS },
  )
  const huge = { ...valid, geometry: { type: 'Polygon', coordinates: hugePolygon(100_000, centre.lon, centre.lat) } }
  expect(await fire(admin, 'POST', '/api/zones', json(huge), counter('zones'))).toBe(413)
})

test('PUT /api/zones/:id refuses hostile updates and leaves the zone as it was', async () => {
  const zoneRow = async () => {
    const [r] = await server.db.sql<{ h: string }[]>`select md5(z::text) as h from zones z where id = ${zoneId}`
    return r!.h
  }
  const valid = { type: 'Feature', geometry: { type: 'Polygon', coordinates: bowtie(centre.lon, centre.lat) }, properties: { name: 'fuzz' } }
  await attackWith(admin, 'PUT', `/api/zones/${zoneId}`, valid, ['properties.name', 'geometry', 'geometry.coordinates', 'properties.communityId', 'properties.assigneeId'], zoneRow)
  await fc.assert(
    fc.asyncProperty(badGeometry, async (g) => {
      expect(await fire(admin, 'PUT', `/api/zones/${zoneId}`, json({ ...valid, geometry: g }), zoneRow)).toBeGreaterThanOrEqual(400)
    }),
    { numRuns: RUNS },
  )
})

test('POST /api/import/zones refuses or rejects hostile features and stores no refused one', async () => {
  const valid = { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: bowtie(centre.lon, centre.lat) }, properties: { name: 'fuzz' } }] }
  await attackWith(admin, 'POST', `/api/import/zones?communityId=${communityId}`, valid, ['features', 'features.0', 'features.0.geometry', 'features.0.properties', 'type'], counter('zones'))
  await fc.assert(
    fc.asyncProperty(fc.array(badGeometry, { minLength: 1, maxLength: 5 }), async (gs) => {
      const before = await counter('zones')()
      const fcoll = { type: 'FeatureCollection', features: gs.map((g) => ({ type: 'Feature', geometry: g, properties: { name: 'x', id: 'same' } })) }
      const status = await fire(admin, 'POST', `/api/import/zones?communityId=${communityId}`, json(fcoll), counter('zones'))
      if (status === 200) expect(await counter('zones')()).toBe(before)
    }),
    { numRuns: RUNS },
  )
  for (const q of ['communityId=1e999', 'communityId=-1', 'communityId=x&crs=evil', `communityId=${communityId}&crs=gcj02%00`]) {
    await fire(admin, 'POST', `/api/import/zones?${q}`, json(valid), counter('zones'))
  }
})

test('POST /api/tracks/points refuses hostile batches or rejects the bad points, storing none of them', async () => {
  const t = new Date(Date.now() - 60_000).toISOString()
  const valid = { deviceId: 'fuzz-dev', points: [{ lon: centre.lon, lat: centre.lat, t: 'not a time' }] }
  const paths = ['deviceId', 'points', 'points.0', 'points.0.lon', 'points.0.lat', 'points.0.accuracy']
  await attackWith(patrol, 'POST', '/api/tracks/points', valid, paths, counter('track_points'))
  await fc.assert(
    fc.asyncProperty(fc.array(fc.record({ lon: hostileValue, lat: hostileValue, t: fc.oneof(hostileString, fc.constant(t)), accuracy: fc.oneof(hostileNumber, fc.constant(undefined)) }), { maxLength: 20 }), async (points) => {
      const before = await counter('track_points')()
      const res = await patrol.post('/api/tracks/points', { deviceId: 'fuzz-dev', points })
      tally.tried++
      expect(res.status).toBeLessThan(500)
      if (res.status === 200) {
        const body = (await res.json()) as { accepted: number }
        expect(Number(await counter('track_points')())).toBe(Number(before) + body.accepted)
      } else {
        await res.body?.cancel()
        expect(await counter('track_points')()).toBe(before)
      }
    }),
    { numRuns: RUNS },
  )
})

test('POST /api/tracks/gpx refuses bad XML and entity bombs', async () => {
  const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><gpx><trk><trkseg><trkpt lat="&lol3;" lon="1"><time>&lol3;</time></trkpt></trkseg></trk></gpx>`
  const xxe = `<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><gpx><trk><trkseg><trkpt lat="30" lon="114"><time>&xxe;</time></trkpt></trkseg></trk></gpx>`
  const fixed = [
    laughs,
    xxe,
    '<gpx',
    '<gpx><trk><trkseg><trkpt lat="30" lon="114">',
    '<gpx>' + '<trkpt '.repeat(50_000),
    `<gpx><trkpt lat="NaN" lon="1e999"><time>2026-01-01T00:00:00Z</time></trkpt></gpx>`,
    '<html><script>alert(1)</script></html>',
    '',
  ]
  const gpxUrl = '/api/tracks/gpx?deviceId=fuzz-gpx'
  for (const body of fixed) await fire(patrol, 'POST', gpxUrl, { body, contentType: 'application/gpx+xml' }, counter('track_points'))
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ maxLength: 100 }).map((s) => `<gpx><trk><trkseg><trkpt lat="${s}" lon="${s}"><time>${s}</time></trkpt></trkseg></trk></gpx>`)), async (body) => {
      const status = await fire(patrol, 'POST', gpxUrl, { body, contentType: 'application/gpx+xml' }, counter('track_points'))
      expect([200, 400, 413, 422]).toContain(status)
    }),
    { numRuns: RUNS },
  )
  for (const q of ['', '?deviceId=', `?deviceId=${'x'.repeat(200)}`]) await fire(patrol, 'POST', `/api/tracks/gpx${q}`, { body: '<gpx></gpx>', contentType: 'application/gpx+xml' }, counter('track_points'))
  await stillAnswering()
})

test('POST /api/owntracks refuses hostile messages and stores nothing from them', async () => {
  const valid = { _type: 'location', lat: 'x', lon: centre.lon, tst: 1, tid: 'fz' }
  await attackWith(patrol, 'POST', '/api/owntracks', valid, ['lat', 'lon', 'tst', 'tid', 'acc', '_type'], counter('track_points'))
})

test('POST /api/checkins refuses hostile check-ins and stores none', async () => {
  const valid = { keyPlaceId: 999_999_999, t: new Date().toISOString() }
  await attackWith(patrol, 'POST', '/api/checkins', valid, ['keyPlaceId', 'code', 't', 'deviceId', 'clientId'], counter('checkins'))
  await fire(patrol, 'POST', '/api/checkins', json({ keyPlaceId, t: '1e999' }), counter('checkins'))
})

test('GET /api/tiles refuses huge and malformed z/x/y with a problem', async () => {
  const part = fc.oneof(fc.nat(), fc.constantFrom('99999999999999999999', '-1', '1e999', 'NaN', '0x1', '%00', '..', '1.5'), fc.string({ maxLength: 8 }).map(encodeURIComponent))
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('buildings', 'hazards', 'zones', 'nope'), part, part, part, async (layer, z, x, y) => {
      const res = await patrol.get(`/api/tiles/${layer}/${z}/${x}/${y}.mvt`)
      tally.tried++
      expect(res.status).toBeLessThan(500)
      if (res.status >= 400) expect(res.headers.get('content-type')).toMatch(/problem\+json/)
      await res.arrayBuffer()
    }),
    { numRuns: RUNS },
  )
  await stillAnswering()
})

test('POST /api/communities refuses hostile boundaries and names with a problem, nothing stored', async () => {
  const valid = { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[120, 31], [120.01, 31], [120.01, 31.01], [120, 31.01], [120, 31]]] }, properties: { name: '测试' } }
  expect(await fire(admin, 'POST', '/api/communities', json({ ...valid, geometry: { type: 'Polygon', coordinates: bowtie(1, 1) } }), counter('communities'))).toBe(422)
  await attackWith(admin, 'POST', '/api/communities', valid, ['properties.name', 'geometry.coordinates.0.1.0'], counter('communities'))
})

test('POST /api/auth/login refuses hostile sign-ins with a problem and opens no session', async () => {
  const valid = { username: 'admin', password: 'wrong' }
  await attackWith(admin, 'POST', '/api/auth/login', valid, ['username', 'password'], counter('sessions'))
})

test('POST /api/import/roads refuses hostile collections with a problem or per-feature reasons, nothing stored for refusals', async () => {
  const valid = {
    type: 'FeatureCollection',
    features: [{ type: 'Feature', geometry: { type: 'LineString', coordinates: [[centre.lon, centre.lat], [centre.lon + 0.0005, centre.lat]] }, properties: { kind: 'path', name: '小路' } }],
  }
  await attackWith(admin, 'POST', `/api/import/roads?communityId=${communityId}`, valid, ['features.0.properties.name', 'features.0.geometry.coordinates.0.0', 'features'], counter('roads'))
})
