/**
 * Issue 18, item 6 — patrol records are evidence: a device is bound to its person; OwnTracks ids are
 * scoped to the community and account; devices per request and registrations per account are
 * capped; QR codes are random (old sequential ones retired); a check-in carries the phone's position
 * and a time within limits; no record is older than its community or from the future.
 * (Physically impossible tracks are flagged by issue 21.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { MAX_DEVICES_PER_REQUEST, MAX_REGISTRATIONS_PER_DAY, ownTracksDeviceKey } from '../server/domain/devices.ts'
import { CHECKIN_MAX_ACCURACY_M } from '../server/domain/evidence.ts'
import { hashPassword } from '../server/domain/password.ts'
import { migrate } from '../server/db/migrate.ts'
import { createUser } from '../server/queries/users.ts'
import { expectProblem } from './helpers/http.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

let server: TestServer
let patrol: Client
let leader: Client
let communityA: number
let patrolPersonDevice: string
let otherPersonDevice: string
/** Key places of the demo community with where they are, far apart first. */
let places: { id: number; code: string; lon: number; lat: number; name: string }[]
const sql = () => server.db.sql

beforeAll(async () => {
  server = await startTestServer()
  patrol = await server.login('patrol')
  leader = await server.login('leader')
  const [c] = await sql()<{ id: number }[]>`select id from communities order by id limit 1`
  communityA = c!.id
  const [own] = await sql()<{ id: string }[]>`select d.id from devices d join users u on u.person_id = d.person_id where u.username = 'patrol' order by d.id limit 1`
  patrolPersonDevice = own!.id
  const [other] = await sql()<{ id: string }[]>`
    select d.id from devices d where d.person_id is not null and d.person_id <> (select person_id from users where username = 'patrol') order by d.id limit 1`
  otherPersonDevice = other!.id
  places = await sql()<{ id: number; code: string; lon: number; lat: number; name: string }[]>`
    select id, code, ST_X(ST_PointOnSurface(geom)) as lon, ST_Y(ST_PointOnSurface(geom)) as lat, name
    from key_places where community_id = ${communityA} order by id`
})

afterAll(async () => {
  await server?.close()
})

const SPOT = { lon: 114.3985, lat: 30.5055 }
const pointsAt = (start: number, n = 2) => Array.from({ length: n }, (_, i) => ({ ...SPOT, t: new Date(start + i * 10_000).toISOString(), accuracy: 5 }))
const stored = async (deviceId: string) => (await sql()<{ n: number }[]>`select count(*)::int as n from track_points where device_id = ${deviceId}`)[0]!.n

describe('a device is bound to its person', () => {
  test('a patrol member cannot write points into another person’s device (403, nothing stored)', async () => {
    const before = await stored(otherPersonDevice)
    const res = await patrol.post('/api/tracks/points', { deviceId: otherPersonDevice, points: pointsAt(Date.now() - 600_000) })
    const doc = await expectProblem(res, 403)
    expect(doc.detail).toContain('another person')
    expect(await stored(otherPersonDevice)).toBe(before)
  })

  test('nor check in with it', async () => {
    const p = places[0]!
    const res = await patrol.post('/api/checkins', { keyPlaceId: p.id, deviceId: otherPersonDevice, lon: p.lon, lat: p.lat, accuracy: 5 })
    await expectProblem(res, 403)
  })

  test('the person’s own account and a leader may', async () => {
    expect((await patrol.post('/api/tracks/points', { deviceId: patrolPersonDevice, points: pointsAt(Date.now() - 500_000) })).status).toBe(200)
    expect((await leader.post('/api/tracks/points', { deviceId: otherPersonDevice, points: pointsAt(Date.now() - 400_000) })).status).toBe(200)
  })

  test('a device registered by one account without a person takes no writes from another', async () => {
    const command = await server.login('command')
    const planner = await server.login('planner')
    expect((await command.post('/api/tracks/points', { deviceId: 'desk-tracker-1', points: pointsAt(Date.now() - 300_000) })).status).toBe(200)
    await expectProblem(await planner.post('/api/tracks/points', { deviceId: 'desk-tracker-1', points: pointsAt(Date.now() - 200_000) }), 403)
  })
})

describe('OwnTracks ids are scoped', () => {
  test('a user of community B using tid "JD" does not lock community A’s phone with tid "JD" out', async () => {
    const [b] = await sql()<{ id: number }[]>`
      insert into communities (name, utm_srid, boundary, created_at)
      values ('乙社区', 32650, ST_Multi(ST_MakeEnvelope(114.60, 30.70, 114.61, 30.71, 4326)), now() - interval '30 days') returning id`
    const [person] = await sql()<{ id: number }[]>`insert into people (community_id, name, title) values (${b!.id}, '乙社区队员', '队员') returning id`
    await createUser(sql(), { username: 'squatter', name: '乙社区队员', role: 'patrol', passwordHash: await hashPassword('squat-pass-2026'), personId: person!.id, communityIds: [b!.id] })
    const squatter = await server.login('squatter', 'squat-pass-2026')
    const tst = Math.floor(Date.now() / 1000) - 60
    expect((await squatter.post('/api/owntracks', { _type: 'location', lat: 30.705, lon: 114.605, tst, tid: 'JD' })).status).toBe(200)
    const res = await patrol.post('/api/owntracks', { _type: 'location', lat: SPOT.lat, lon: SPOT.lon, tst, tid: 'JD' })
    expect(res.status).toBe(200)
    const [u] = await sql()<{ id: number }[]>`select id from users where username = 'patrol'`
    expect(await stored(ownTracksDeviceKey(communityA, u!.id, 'JD'))).toBe(1)
    const [sq] = await sql()<{ id: number }[]>`select id from users where username = 'squatter'`
    expect(await stored(ownTracksDeviceKey(b!.id, sq!.id, 'JD'))).toBe(1)
  })

  test(`one OwnTracks request naming 3,000 devices is refused (at most ${MAX_DEVICES_PER_REQUEST}) and registers none`, async () => {
    const [before] = await sql()<{ n: number }[]>`select count(*)::int as n from devices`
    const tst = Math.floor(Date.now() / 1000) - 30
    const flood = Array.from({ length: 3000 }, (_, i) => ({ _type: 'location', lat: SPOT.lat, lon: SPOT.lon, tst, tid: `f${i}` }))
    await expectProblem(await patrol.post('/api/owntracks', flood), 422)
    const [after] = await sql()<{ n: number }[]>`select count(*)::int as n from devices`
    expect(after!.n).toBe(before!.n)
  })

  test(`an account registers at most ${MAX_REGISTRATIONS_PER_DAY} devices a day (429 beyond)`, async () => {
    const [u] = await sql()<{ id: number }[]>`select id from users where username = 'patrol'`
    const [done] = await sql()<{ n: number }[]>`select count(*)::int as n from devices where registered_by = ${u!.id} and created_at > now() - interval '1 day'`
    for (let i = done!.n; i < MAX_REGISTRATIONS_PER_DAY; i++) {
      expect((await patrol.post('/api/tracks/points', { deviceId: `reinstall-${i}`, points: pointsAt(Date.now() - 100_000) })).status).toBe(200)
    }
    await expectProblem(await patrol.post('/api/tracks/points', { deviceId: 'reinstall-one-too-many', points: pointsAt(Date.now() - 100_000) }), 429)
    expect((await sql()<{ n: number }[]>`select count(*)::int as n from devices where id = 'reinstall-one-too-many'`)[0]!.n).toBe(0)
  })
})

describe('QR codes are unguessable', () => {
  test('no key place has a sequential code; codes are 48 random bits', async () => {
    const codes = (await sql()<{ code: string }[]>`select code from key_places`).map((r) => r.code)
    expect(codes.length).toBeGreaterThan(10)
    // Sequential codes were KP- and the id (KP-000123); random ones are 12 hex digits (digits only now and then).
    expect(codes.filter((c) => /^KP-\d{1,11}$/.test(c))).toEqual([])
    expect(codes.every((c) => /^KP-[0-9A-F]{12}$/.test(c))).toBe(true)
    expect(new Set(codes).size).toBe(codes.length)
  })

  test('the migration replaces existing sequential codes, and an old sticker is told to reprint (410)', async () => {
    const p = places[1]!
    await sql()`alter table key_places drop column retired_code`
    await sql()`update key_places set code = 'KP-000777' where id = ${p.id}`
    await sql()`delete from schema_migrations where name = '017_key_place_codes.sql'`
    const { applied } = await migrate(sql())
    expect(applied).toEqual(['017_key_place_codes.sql'])
    const [row] = await sql()<{ code: string; retiredCode: string }[]>`select code, retired_code as "retiredCode" from key_places where id = ${p.id}`
    expect(row!.retiredCode).toBe('KP-000777')
    expect(row!.code).toMatch(/^KP-[0-9A-F]{12}$/)
    const doc = await expectProblem(await patrol.post('/api/checkins', { code: 'KP-000777', lon: p.lon, lat: p.lat, accuracy: 5 }), 410)
    expect(doc.detail).toContain('print the new QR sheet')
    p.code = row!.code
  })

  test('the printed sheet keeps working: leaders list codes and QR links, the new code opens its place', async () => {
    const list = (await (await leader.get(`/api/key-places?communityId=${communityA}`)).json()) as { items: { id: number; code: string; checkinUrl: string; qrUrl: string }[] }
    const item = list.items.find((i) => i.id === places[1]!.id)!
    expect(item.code).toBe(places[1]!.code)
    expect(item.checkinUrl).toBe(`${server.url}/patrol/checkin?code=${item.code}`)
    expect((await leader.get(item.qrUrl)).headers.get('content-type')).toContain('image/svg+xml')
    expect(((await (await patrol.get(`/api/key-places/by-code/${item.code}`)).json()) as { id: number }).id).toBe(item.id)
  })

  test('patrol members do not get the list of codes (nor the QR images)', async () => {
    const list = (await (await patrol.get(`/api/key-places?communityId=${communityA}`)).json()) as { items: Record<string, unknown>[] }
    expect(list.items.length).toBeGreaterThan(0)
    expect(list.items.some((i) => 'code' in i || 'checkinUrl' in i)).toBe(false)
    await expectProblem(await patrol.get(`/api/key-places/${places[0]!.id}/qr`), 403)
    const layer = await (await patrol.get(`/api/layers/key-places?communityId=${communityA}`)).text()
    expect(places.some((p) => layer.includes(p.code))).toBe(false)
  })
})

describe('a check-in carries the phone’s position and a time within limits', () => {
  /** The command account: no seeded check-ins of its own to run into the speed rule. */
  let desk: Client
  beforeAll(async () => {
    desk = await server.login('command')
  })

  test('without a position it is a 400; far from the key place or too vague it is a 422', async () => {
    const p = places[2]!
    await expectProblem(await desk.post('/api/checkins', { keyPlaceId: p.id }), 400)
    const far = await expectProblem(await desk.post('/api/checkins', { keyPlaceId: p.id, lon: p.lon + 0.01, lat: p.lat, accuracy: 10 }), 422)
    expect(far.detail).toMatch(/m from the key place/)
    const vague = await expectProblem(await desk.post('/api/checkins', { keyPlaceId: p.id, lon: p.lon, lat: p.lat, accuracy: CHECKIN_MAX_ACCURACY_M + 1 }), 422)
    expect(vague.detail).toContain('imprecise')
  })

  test('backdated 3 days, or stamped an hour ahead, it is a 422', async () => {
    const p = places[2]!
    const at = { keyPlaceId: p.id, lon: p.lon, lat: p.lat, accuracy: 5 }
    await expectProblem(await desk.post('/api/checkins', { ...at, t: new Date(Date.now() - 3 * 86_400_000).toISOString() }), 422)
    await expectProblem(await desk.post('/api/checkins', { ...at, t: new Date(Date.now() + 3_600_000).toISOString() }), 422)
  })

  test('a desk checking in at 60 places one second apart gets one through; the rest are impossible speeds', async () => {
    const start = Date.now() - 2 * 3_600_000
    const statuses: number[] = []
    for (const [i, p] of places.slice(0, 60).entries()) {
      const res = await desk.post('/api/checkins', { code: p.code, lon: p.lon, lat: p.lat, accuracy: 5, t: new Date(start + i * 1000).toISOString() })
      statuses.push(res.status)
    }
    const accepted = statuses.filter((s) => s === 201).length
    // Places within 200 m of each other may pass together; far ones never within a second.
    expect(accepted).toBeLessThan(10)
    expect(statuses.filter((s) => s === 422).length).toBeGreaterThan(50)
  })

  test('at the key place, now, it is recorded with its position and distance', async () => {
    const p = places[3]!
    const res = await patrol.post('/api/checkins', { code: p.code, lon: p.lon + 0.0002, lat: p.lat, accuracy: 12 })
    expect(res.status).toBe(201)
    const { id } = (await res.json()) as { id: number }
    const [row] = await sql()<{ accuracy: number; distanceM: number; hasGeom: boolean }[]>`
      select accuracy, distance_m as "distanceM", geom is not null as "hasGeom" from checkins where id = ${id}`
    expect(row).toMatchObject({ accuracy: 12, hasGeom: true })
    expect(row!.distanceM).toBeGreaterThan(10)
    expect(row!.distanceM).toBeLessThan(40)
  })
})

describe('times are bounded by the community', () => {
  test('a report or a track point older than the community is refused', async () => {
    const [c] = await sql()<{ createdAt: Date }[]>`select created_at as "createdAt" from communities where id = ${communityA}`
    const before = new Date(c!.createdAt.getTime() - 86_400_000).toISOString()
    const hazard = await expectProblem(await patrol.post('/api/hazards', { category: 'other', severity: 'minor', location: SPOT, reportedAt: before }), 422)
    expect(hazard.detail).toContain('before the community')
    const res = await patrol.post('/api/tracks/points', { deviceId: patrolPersonDevice, points: [{ ...SPOT, t: before }] })
    const body = (await res.json()) as { accepted: number; rejected: { reason: string }[] }
    expect(body.accepted).toBe(0)
    expect(body.rejected[0]!.reason).toContain('before the community')
  })

  test('a report more than a few minutes ahead is refused', async () => {
    await expectProblem(await patrol.post('/api/hazards', { category: 'other', severity: 'minor', location: SPOT, reportedAt: new Date(Date.now() + 3_600_000).toISOString() }), 422)
  })
})
