import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ownTracksDeviceKey } from '../server/domain/devices.ts'
import { MAX_POINTS_PER_REQUEST } from '../server/domain/tracks.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface UploadResult {
  accepted: number
  duplicates: number
  rejected: { index: number; reason: string }[]
}

interface TrackFC {
  type: 'FeatureCollection'
  features: {
    id: string
    geometry: { type: string; coordinates: [number, number][] }
    properties: { id: string; deviceId: string; personName: string | null; from: string; to: string; points: number; times: number[] }
  }[]
}

let server: TestServer
let patrol: Client
let leader: Client
/** A time well before tonight's seeded tracks, on a whole minute. */
let base: number
/** A spot inside the demo community. */
const SPOT = { lon: 114.3985, lat: 30.5055 }

beforeAll(async () => {
  server = await startTestServer()
  patrol = await server.login('patrol')
  leader = await server.login('leader')
  base = Math.floor((server.seededAt.getTime() - 3 * 86_400_000) / 60_000) * 60_000
})
afterAll(async () => {
  await server?.close()
})

/** `n` points of a slow walk north, one every 10 s from `start` (ms). */
function walk(n: number, start: number, step = 10_000): { lon: number; lat: number; t: string; accuracy: number }[] {
  return Array.from({ length: n }, (_, i) => ({ lon: SPOT.lon, lat: SPOT.lat + i * 0.00005, t: new Date(start + i * step).toISOString(), accuracy: 5 }))
}

async function upload(client: Client, deviceId: string, points: unknown[]): Promise<{ status: number; body: UploadResult }> {
  const res = await client.post('/api/tracks/points', { deviceId, points })
  return { status: res.status, body: (await res.json()) as UploadResult }
}

/** The device an OwnTracks id of the demo patrol account becomes (scoped to its community and account). */
async function ownTracksDevice(id: string): Promise<string> {
  const [u] = await server.db.sql<{ id: number; communityId: number }[]>`
    select u.id, p.community_id as "communityId" from users u join people p on p.id = u.person_id where u.username = 'patrol'`
  return ownTracksDeviceKey(u!.communityId, u!.id, id)
}

async function stored(deviceId: string): Promise<number> {
  const [row] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from track_points where device_id = ${deviceId}`
  return row?.n ?? 0
}

describe('POST /api/tracks/points', () => {
  test('a batch is accepted and stored', async () => {
    const { status, body } = await upload(patrol, 'phone-batch', walk(5, base))
    expect(status).toBe(200)
    expect(body).toEqual({ accepted: 5, duplicates: 0, rejected: [] })
    expect(await stored('phone-batch')).toBe(5)
  })

  test('an unknown device is registered for the caller on first use', async () => {
    await upload(patrol, 'phone-new', walk(1, base))
    const [device] = await server.db.sql<{ personId: number | null; communityId: number }[]>`
      select person_id as "personId", community_id as "communityId" from devices where id = 'phone-new'`
    const [user] = await server.db.sql<{ personId: number }[]>`select person_id as "personId" from users where username = 'patrol'`
    expect(device?.personId).toBe(user?.personId)
  })

  test('resending a batch stores nothing twice and counts duplicates', async () => {
    const points = walk(4, base + 60_000)
    await upload(patrol, 'phone-resend', points)
    const { body } = await upload(patrol, 'phone-resend', points)
    expect(body).toEqual({ accepted: 0, duplicates: 4, rejected: [] })
    expect(await stored('phone-resend')).toBe(4)
  })

  test('a point repeated within a batch is stored once and counted as a duplicate', async () => {
    const [a, b] = walk(2, base + 120_000)
    // The same instant written with another offset is the same point.
    const sameAsA = { ...a!, t: new Date(Date.parse(a!.t)).toISOString().replace('Z', '+00:00') }
    const { body } = await upload(patrol, 'phone-dupes', [a, b, a, sameAsA])
    expect(body).toEqual({ accepted: 2, duplicates: 2, rejected: [] })
    expect(await stored('phone-dupes')).toBe(2)
  })

  test('out-of-order points and a late batch older than stored points are accepted', async () => {
    const later = walk(3, base + 3_600_000).reverse()
    const first = await upload(patrol, 'phone-late', later)
    const late = await upload(patrol, 'phone-late', walk(3, base + 600_000))
    expect(first.body.accepted).toBe(3)
    expect(late.body.accepted).toBe(3)
    expect(await stored('phone-late')).toBe(6)
  })

  test('each bad point is rejected with its index and reason, and the rest are stored', async () => {
    const good = walk(3, base + 7_200_000)
    const future = new Date(Date.now() + 3_600_000).toISOString()
    const points = [
      good[0],
      { lon: 'x', lat: SPOT.lat, t: good[1]!.t },
      { lon: SPOT.lon, lat: 95, t: good[1]!.t },
      { lon: '__INFINITY__', lat: SPOT.lat, t: good[1]!.t },
      { lon: SPOT.lon, lat: SPOT.lat, t: 'yesterday evening' },
      { lon: SPOT.lon, lat: SPOT.lat, t: '2026-11-20T22:00:00' },
      { lon: SPOT.lon, lat: SPOT.lat, t: future },
      { lon: SPOT.lon, lat: SPOT.lat, t: good[1]!.t, accuracy: -3 },
      42,
      good[1],
      good[2],
    ]
    const res = await patrol.send('POST', '/api/tracks/points', JSON.stringify({ deviceId: 'phone-bad', points }).replace('"__INFINITY__"', '1e999'), {
      'content-type': 'application/json',
    })
    const body = (await res.json()) as UploadResult
    expect(res.status).toBe(200)
    expect(body.accepted).toBe(3)
    expect(body.rejected.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(body.rejected[0]!.reason).toMatch(/lon/)
    expect(body.rejected[1]!.reason).toMatch(/lat/)
    expect(body.rejected[3]!.reason).toMatch(/ISO 8601/)
    expect(body.rejected[4]!.reason).toMatch(/offset/)
    expect(body.rejected[5]!.reason).toMatch(/future/)
    expect(body.rejected[6]!.reason).toMatch(/accuracy/)
    expect(await stored('phone-bad')).toBe(3)
  })

  test(`more than ${MAX_POINTS_PER_REQUEST} points is a 413 problem and stores nothing`, async () => {
    const res = await patrol.post('/api/tracks/points', { deviceId: 'phone-flood', points: walk(MAX_POINTS_PER_REQUEST + 1, base, 1000) })
    expect(res.status).toBe(413)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(await stored('phone-flood')).toBe(0)
  })

  test(`exactly ${MAX_POINTS_PER_REQUEST} points are stored in one request`, async () => {
    const { body } = await upload(patrol, 'phone-full', walk(MAX_POINTS_PER_REQUEST, base - 86_400_000, 1000))
    expect(body.accepted).toBe(MAX_POINTS_PER_REQUEST)
    expect(await stored('phone-full')).toBe(MAX_POINTS_PER_REQUEST)
  })

  test('a device of another community is refused with 403', async () => {
    const sql = server.db.sql
    const [c] = await sql<{ id: number }[]>`
      insert into communities (name, utm_srid, boundary)
      values ('别的社区', 32650, ST_Multi(ST_MakeEnvelope(114.50, 30.60, 114.51, 30.61, 4326))) returning id`
    await sql`insert into devices (id, community_id) values ('phone-elsewhere', ${c!.id})`
    const { status } = await upload(patrol, 'phone-elsewhere', walk(2, base))
    expect(status).toBe(403)
    expect(await stored('phone-elsewhere')).toBe(0)
  })

  test('the newest point of a batch goes out as a live position event', async () => {
    const points = walk(3, base + 9_000_000)
    await upload(patrol, 'phone-live', points)
    const [event] = await server.db.sql<{ data: { deviceId: string; lon: number; lat: number; t: string } }[]>`
      select data from live_events where type = 'position' and data->>'deviceId' = 'phone-live' order by id desc limit 1`
    expect(event?.data.t).toBe(points[2]!.t)
    expect(event?.data.lat).toBeCloseTo(points[2]!.lat, 6)
  })

  test('a late batch does not move the live position back', async () => {
    await upload(patrol, 'phone-live-late', walk(2, base + 9_600_000))
    await upload(patrol, 'phone-live-late', walk(2, base + 9_000_000))
    const rows = await server.db.sql<{ t: string }[]>`
      select data->>'t' as t from live_events where type = 'position' and data->>'deviceId' = 'phone-live-late'`
    expect(rows).toHaveLength(1)
  })

  test('signed-out callers get 401', async () => {
    const res = await server.post('/api/tracks/points', { deviceId: 'x', points: [] })
    expect(res.status).toBe(401)
  })
})

const GPX = (points: string) => `<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<gpx xmlns="http://www.topografix.com/GPX/1/1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.1" creator="OsmAnd~ 4.7.8"
  xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd">
  <metadata><name>2026-11-22_19-02_Sun</name><time>2026-11-22T11:02:11Z</time></metadata>
  <trk>
    <name>夜间巡逻</name>
    <trkseg>
${points}
    </trkseg>
  </trk>
</gpx>`

describe('POST /api/tracks/gpx', () => {
  test('a GPX 1.1 track as GPS apps write it is stored', async () => {
    const t0 = base + 12_000_000
    const pts = [0, 1, 2]
      .map(
        (i) => `      <trkpt lat="${(SPOT.lat + i * 0.0001).toFixed(7)}" lon="${SPOT.lon.toFixed(7)}">
        <ele>23.4</ele>
        <time>${new Date(t0 + i * 5000).toISOString()}</time>
        <hdop>1.2</hdop>
        <extensions><osmand:speed xmlns:osmand="https://osmand.net">1.3</osmand:speed></extensions>
      </trkpt>`,
      )
      .join('\n')
    const res = await patrol.send('POST', '/api/tracks/gpx?deviceId=phone-gpx', GPX(pts), { 'content-type': 'application/gpx+xml' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] })
    const [row] = await server.db.sql<{ lat: number }[]>`
      select ST_Y(geom) as lat from track_points where device_id = 'phone-gpx' order by t desc limit 1`
    expect(row?.lat).toBeCloseTo(SPOT.lat + 0.0002, 7)
  })

  test('a GPX point without a time is rejected with its index', async () => {
    const t0 = base + 12_600_000
    const pts = `<trkpt lat="${SPOT.lat}" lon="${SPOT.lon}"><time>${new Date(t0).toISOString()}</time></trkpt>
      <trkpt lat="${SPOT.lat}" lon="${SPOT.lon}"><ele>20</ele></trkpt>
      <trkpt lat="${SPOT.lat}" lon="${SPOT.lon}"/>`
    const res = await patrol.send('POST', '/api/tracks/gpx?deviceId=phone-gpx-2', GPX(pts), { 'content-type': 'application/gpx+xml' })
    const body = (await res.json()) as UploadResult
    expect(body.accepted).toBe(1)
    expect(body.rejected.map((r) => r.index)).toEqual([1, 2])
  })

  test('a GPX with a DOCTYPE / ENTITY bomb is refused with 400 at once', async () => {
    const bomb = `<?xml version="1.0"?>
<!DOCTYPE gpx [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<gpx version="1.1" creator="evil"><trk><name>&e;</name><trkseg>
<trkpt lat="${SPOT.lat}" lon="${SPOT.lon}"><time>${new Date(base).toISOString()}</time></trkpt>
</trkseg></trk></gpx>`
    const started = Date.now()
    const res = await patrol.send('POST', '/api/tracks/gpx?deviceId=phone-bomb', bomb, { 'content-type': 'application/gpx+xml' })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(Date.now() - started).toBeLessThan(2000)
    expect(await stored('phone-bomb')).toBe(0)
  })

  test('a body that is not GPX is a 400 problem', async () => {
    const res = await patrol.send('POST', '/api/tracks/gpx?deviceId=phone-gpx-3', '{"not":"gpx"}', { 'content-type': 'application/gpx+xml' })
    expect(res.status).toBe(400)
  })

  test('without deviceId it is a 400 problem', async () => {
    const res = await patrol.send('POST', '/api/tracks/gpx', GPX(''), { 'content-type': 'application/gpx+xml' })
    expect(res.status).toBe(400)
  })
})

describe('POST /api/owntracks', () => {
  test('a location as the OwnTracks app sends it is answered [] and stored for X-Limit-U/X-Limit-D', async () => {
    const tst = Math.floor((base + 15_000_000) / 1000)
    const message = {
      _type: 'location',
      acc: 12,
      alt: 31,
      batt: 78,
      bs: 1,
      conn: 'm',
      created_at: tst + 1,
      lat: SPOT.lat,
      lon: SPOT.lon,
      m: 1,
      tid: 'zl',
      tst,
      vac: 3,
      vel: 4,
    }
    const res = await patrol.post('/api/owntracks', message, { 'x-limit-u': 'patrol', 'x-limit-d': 'pixel7' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([])
    const [row] = await server.db.sql<{ t: Date; accuracy: number }[]>`select t, accuracy from track_points where device_id = ${await ownTracksDevice('patrol/pixel7')}`
    expect(row?.t.getTime()).toBe(tst * 1000)
    expect(row?.accuracy).toBe(12)
  })

  test('without the headers the tracker id names the device', async () => {
    const tst = Math.floor((base + 15_600_000) / 1000)
    await patrol.post('/api/owntracks', { _type: 'location', lat: SPOT.lat, lon: SPOT.lon, tst, tid: 'q7' })
    expect(await stored(await ownTracksDevice('q7'))).toBe(1)
  })

  test('the app signing in with HTTP Basic credentials is accepted', async () => {
    const tst = Math.floor((base + 15_900_000) / 1000)
    const res = await server.post('/api/owntracks', { _type: 'location', lat: SPOT.lat, lon: SPOT.lon, tst, tid: 'bx' }, {
      authorization: `Basic ${Buffer.from('patrol:demo').toString('base64')}`,
      'x-limit-u': 'patrol',
      'x-limit-d': 'basic-phone',
    })
    expect(res.status).toBe(200)
    expect(await stored(await ownTracksDevice('patrol/basic-phone'))).toBe(1)
  })

  test('wrong Basic credentials are a 401 problem and store nothing', async () => {
    const tst = Math.floor((base + 15_950_000) / 1000)
    const res = await server.post('/api/owntracks', { _type: 'location', lat: SPOT.lat, lon: SPOT.lon, tst, tid: 'by' }, {
      authorization: `Basic ${Buffer.from('patrol:wrong').toString('base64')}`,
    })
    expect(res.status).toBe(401)
    expect(await stored('by')).toBe(0)
  })

  test('other message types are answered [] and ignored', async () => {
    const before = await server.db.sql<{ n: number }[]>`select count(*)::int as n from track_points`
    const res = await patrol.post('/api/owntracks', { _type: 'transition', event: 'enter', desc: 'home', tst: 1, tid: 'zl' }, { 'x-limit-u': 'patrol', 'x-limit-d': 'pixel7' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([])
    const after = await server.db.sql<{ n: number }[]>`select count(*)::int as n from track_points`
    expect(after[0]?.n).toBe(before[0]?.n)
  })
})

describe('GET /api/tracks', () => {
  test('one LineString per device run, split at a gap of more than 120 s', async () => {
    const t0 = base + 20_000_000
    const runA = walk(3, t0)
    const runB = walk(3, t0 + 20_000 + 121_000)
    await upload(patrol, 'phone-runs', [...runA, ...runB])
    const from = new Date(t0 - 1000).toISOString()
    const to = new Date(t0 + 3_600_000).toISOString()
    const fc = (await (await leader.get(`/api/tracks?deviceId=phone-runs&from=${from}&to=${to}`)).json()) as TrackFC
    expect(fc.features).toHaveLength(2)
    expect(fc.features.every((f) => f.geometry.type === 'LineString')).toBe(true)
    const [first] = fc.features
    expect(first!.properties).toMatchObject({ deviceId: 'phone-runs', points: 3, times: [0, 10, 20] })
    expect(Date.parse(first!.properties.from)).toBe(t0)
    expect(first!.properties.personName).toBeTruthy()
  })

  test('points 119 s apart stay one run', async () => {
    const t0 = base + 21_000_000
    await upload(patrol, 'phone-run-119', walk(3, t0, 119_000))
    const from = new Date(t0).toISOString()
    const to = new Date(t0 + 3_600_000).toISOString()
    const fc = (await (await leader.get(`/api/tracks?deviceId=phone-run-119&from=${from}&to=${to}`)).json()) as TrackFC
    expect(fc.features).toHaveLength(1)
  })

  test('points more than 200 m apart start a new run', async () => {
    const t0 = base + 22_000_000
    const far = { lon: SPOT.lon, lat: SPOT.lat + 0.0025, t: new Date(t0 + 30_000).toISOString() } // ≈ 277 m north
    await upload(patrol, 'phone-run-far', [...walk(1, t0), far])
    const from = new Date(t0).toISOString()
    const to = new Date(t0 + 3_600_000).toISOString()
    const fc = (await (await leader.get(`/api/tracks?deviceId=phone-run-far&from=${from}&to=${to}`)).json()) as TrackFC
    expect(fc.features).toHaveLength(2)
    expect(fc.features[0]!.geometry.coordinates).toHaveLength(2)
  })

  test("tonight's seeded tracks are listed for the leader", async () => {
    const to = server.seededAt.toISOString()
    const from = new Date(server.seededAt.getTime() - 12 * 3_600_000).toISOString()
    const fc = (await (await leader.get(`/api/tracks?from=${from}&to=${to}`)).json()) as TrackFC
    const devices = new Set(fc.features.map((f) => f.properties.deviceId))
    expect([...devices].filter((d) => d.startsWith('dev-')).length).toBeGreaterThan(0)
  })

  test('a window longer than 31 days is a 400 problem', async () => {
    const res = await leader.get('/api/tracks?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z')
    expect(res.status).toBe(400)
  })
})

describe('check-ins and QR codes', () => {
  let place: { id: number; code: string; name: string; lon: number; lat: number }
  /** An hour ago: check-ins are at most a day old. */
  let recent: number
  beforeAll(async () => {
    const [row] = await server.db.sql<{ id: number; code: string; name: string; lon: number; lat: number }[]>`
      select id, code, name, ST_X(ST_PointOnSurface(geom)) as lon, ST_Y(ST_PointOnSurface(geom)) as lat from key_places order by id limit 1`
    place = row!
    recent = Date.now() - 3_600_000
  })
  /** The phone at the key place. */
  const here = () => ({ lon: place.lon, lat: place.lat, accuracy: 8 })

  test('a check-in is recorded, and the same clientId answers the first one', async () => {
    const body = { keyPlaceId: place.id, deviceId: 'dev-01', t: new Date(recent).toISOString(), clientId: 'scan-1', ...here() }
    const first = await patrol.post('/api/checkins', body)
    const again = await patrol.post('/api/checkins', body)
    expect(first.status).toBe(201)
    expect(again.status).toBe(200)
    const a = (await first.json()) as { id: number; keyPlaceId: number }
    const b = (await again.json()) as { id: number }
    expect(b.id).toBe(a.id)
    expect(a.keyPlaceId).toBe(place.id)
    const [n] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from checkins where client_id = 'scan-1'`
    expect(n?.n).toBe(1)
  })

  test('a check-in by printed code goes out as a live checkin event', async () => {
    const res = await patrol.post('/api/checkins', { code: place.code, t: new Date(recent + 60_000).toISOString(), ...here() })
    const checkin = (await res.json()) as { id: number }
    const [event] = await server.db.sql<{ data: { id: number; keyPlaceId: number } }[]>`
      select data from live_events where type = 'checkin' order by id desc limit 1`
    expect(event?.data).toMatchObject({ id: checkin.id, keyPlaceId: place.id })
  })

  test('an unknown key place is a 404 problem', async () => {
    const res = await patrol.post('/api/checkins', { keyPlaceId: 987654321, t: new Date(recent).toISOString(), ...here() })
    expect(res.status).toBe(404)
  })

  test('a check-in in the future is a 422 problem', async () => {
    const res = await patrol.post('/api/checkins', { keyPlaceId: place.id, t: new Date(Date.now() + 3_600_000).toISOString(), ...here() })
    expect(res.status).toBe(422)
  })

  test('the QR code of a key place is an SVG', async () => {
    const res = await leader.get(`/api/key-places/${place.id}/qr`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('image/svg+xml')
    expect(await res.text()).toMatch(/^<svg[^>]*viewBox/)
  })

  test('the code opens the check-in page of that key place', async () => {
    const res = await leader.get(`/api/key-places/by-code/${place.code}`)
    const body = (await res.json()) as { id: number; name: string; checkinUrl: string }
    expect(body.id).toBe(place.id)
    expect(body.checkinUrl).toBe(`${server.url}/patrol/checkin?code=${place.code}`)
  })
})
