/**
 * Issue 17 — care visits (每日两访): the register of households under care, visits at the door by the paired
 * members (position or door QR code, time bounds, idempotent), the household × day calendar with misses, the
 * member's list of households still to visit today, and address and phone only for admins and paired members.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { expectProblem } from './helpers/http.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

let server: TestServer
let admin: Client
let leader: Client
let patrol: Client
let command: Client
let communityId: number
let patrolPersonId: number
let otherPersonId: number
/** A spot inside the demo community (a building's point on surface). */
let door: { lon: number; lat: number; buildingId: number }
let seq = 0
const sql = () => server.db.sql

interface Resident {
  id: number
  address: string | null
  phone: string | null
  masked: boolean
  doorCode?: string
  visitsPerDay: number | null
  visitsPerWeek: number | null
  people: { id: number; name: string }[]
}

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  leader = await server.login('leader')
  patrol = await server.login('patrol')
  command = await server.login('command')
  const [c] = await sql()<{ id: number }[]>`select id::int from communities order by id limit 1`
  communityId = c!.id
  const [p] = await sql()<{ id: number }[]>`select person_id::int as id from users where username = 'patrol'`
  patrolPersonId = p!.id
  const [o] = await sql()<{ id: number }[]>`select id::int from people where community_id = ${communityId} and active and id <> ${patrolPersonId} order by id desc limit 1`
  otherPersonId = o!.id
  const [b] = await sql()<{ id: number; lon: number; lat: number }[]>`
    select id::int, ST_X(ST_PointOnSurface(footprint)) as lon, ST_Y(ST_PointOnSurface(footprint)) as lat
    from buildings where community_id = ${communityId} order by id limit 1 offset 5`
  door = { lon: b!.lon, lat: b!.lat, buildingId: b!.id }
})

afterAll(async () => {
  await server?.close()
})

/** A household paired with the demo patrol member (by the leader), 2 visits a day unless told. */
async function household(extra: Record<string, unknown> = {}): Promise<Resident> {
  const res = await leader.post('/api/care/residents', {
    communityId,
    name: `测试关爱对象${++seq}`,
    address: '光谷广场社区3栋2单元501室',
    phone: '13812341234',
    group: 'elderly_alone',
    lon: door.lon,
    lat: door.lat,
    visitsPerDay: 2,
    personIds: [patrolPersonId],
    ...extra,
  })
  expect(res.status).toBe(201)
  return (await res.json()) as Resident
}

const visitCount = async (residentId: number) => (await sql()<{ n: number }[]>`select count(*)::int as n from care_visits where resident_id = ${residentId}`)[0]!.n
const atDoor = (residentId: number, extra: Record<string, unknown> = {}) => ({ residentId, lon: door.lon + 0.0002, lat: door.lat, accuracy: 10, clientId: `v-${++seq}`, ...extra })

describe('the register', () => {
  test('a leader adds a household with its paired member; its door code is random', async () => {
    const a = await household()
    const b = await household()
    expect(a.people.map((p) => p.id)).toEqual([patrolPersonId])
    expect(a.doorCode).toMatch(/^CV-[0-9A-F]{12}$/)
    expect(a.doorCode).not.toBe(b.doorCode)
  })

  test('address and phone are masked for a leader who is not paired, shown to an admin', async () => {
    const r = await household()
    expect(r.masked).toBe(true)
    expect(r.phone).toBe('138****1234')
    expect(r.address).not.toContain('501')
    const full = (await (await admin.get(`/api/care/residents/${r.id}`)).json()) as Resident
    expect(full.masked).toBe(false)
    expect(full.phone).toBe('13812341234')
    expect(full.address).toBe('光谷广场社区3栋2单元501室')
  })

  test('a household placed by its building takes the building’s position', async () => {
    const res = await leader.post('/api/care/residents', { communityId, name: '按楼栋登记', group: 'empty_nest', buildingId: door.buildingId, visitsPerWeek: 3 })
    expect(res.status).toBe(201)
    const r = (await res.json()) as Resident & { lon: number; lat: number }
    expect(r.lon).toBeCloseTo(door.lon, 6)
    expect(r.visitsPerWeek).toBe(3)
    expect(r.visitsPerDay).toBeNull()
  })

  test('two visit rules at once are refused with 422 and nothing is stored', async () => {
    const before = (await sql()<{ n: number }[]>`select count(*)::int as n from care_residents`)[0]!.n
    const res = await leader.post('/api/care/residents', { communityId, name: 'x', group: 'other', lon: door.lon, lat: door.lat, visitsPerDay: 2, visitsPerWeek: 3 })
    await expectProblem(res, 422)
    expect((await sql()<{ n: number }[]>`select count(*)::int as n from care_residents`)[0]!.n).toBe(before)
  })

  test('a household far outside the community is refused with 422', async () => {
    await expectProblem(await leader.post('/api/care/residents', { communityId, name: 'x', group: 'other', lon: door.lon + 0.2, lat: door.lat, visitsPerDay: 1 }), 422)
  })

  test('PUT changes the rule and replaces the pairs', async () => {
    const r = await household()
    const res = await leader.put(`/api/care/residents/${r.id}`, { visitsPerWeek: 2, personIds: [otherPersonId] })
    expect(res.status).toBe(200)
    const after = (await res.json()) as Resident
    expect(after.visitsPerDay).toBeNull()
    expect(after.visitsPerWeek).toBe(2)
    expect(after.people.map((p) => p.id)).toEqual([otherPersonId])
  })

  test('a patrol member may not read the register (403)', async () => {
    await expectProblem(await patrol.get('/api/care/residents'), 403)
  })
})

describe('visits at the door', () => {
  test('a paired member records a visit near the door (201) and the same clientId again answers the first (200)', async () => {
    const r = await household()
    const body = atDoor(r.id)
    const first = await patrol.post('/api/care/visits', body)
    expect(first.status).toBe(201)
    const v = (await first.json()) as { id: number; personId: number; distanceM: number; byCode: boolean }
    expect(v.personId).toBe(patrolPersonId)
    expect(v.distanceM).toBeGreaterThan(5)
    expect(v.distanceM).toBeLessThan(40)
    const again = await patrol.post('/api/care/visits', body)
    expect(again.status).toBe(200)
    expect(((await again.json()) as { id: number }).id).toBe(v.id)
    expect(await visitCount(r.id)).toBe(1)
  })

  test('a visit 500 m from the door is refused with 422 and nothing is stored', async () => {
    const r = await household()
    const doc = await expectProblem(await patrol.post('/api/care/visits', atDoor(r.id, { lon: door.lon + 0.005 })), 422)
    expect(doc.detail).toContain("household's door")
    expect(await visitCount(r.id)).toBe(0)
  })

  test('the door QR code stands for the position; a wrong code is 422', async () => {
    const r = await household()
    await expectProblem(await patrol.post('/api/care/visits', { residentId: r.id, code: 'CV-000000000001', clientId: `c-${++seq}` }), 422)
    const ok = await patrol.post('/api/care/visits', { residentId: r.id, code: r.doorCode, clientId: `c-${++seq}` })
    expect(ok.status).toBe(201)
    expect(((await ok.json()) as { byCode: boolean }).byCode).toBe(true)
  })

  test('neither position nor code is 422', async () => {
    const r = await household()
    await expectProblem(await patrol.post('/api/care/visits', { residentId: r.id, clientId: `n-${++seq}` }), 422)
  })

  test('a time in the future or two days ago is refused with 422', async () => {
    const r = await household()
    await expectProblem(await patrol.post('/api/care/visits', atDoor(r.id, { t: new Date(Date.now() + 3_600_000).toISOString() })), 422)
    await expectProblem(await patrol.post('/api/care/visits', atDoor(r.id, { t: new Date(Date.now() - 2 * 86_400_000).toISOString() })), 422)
    expect(await visitCount(r.id)).toBe(0)
  })

  test('someone not paired with the household (and not admin or leader) is refused with 403', async () => {
    const r = await household({ personIds: [otherPersonId] })
    await expectProblem(await patrol.post('/api/care/visits', atDoor(r.id)), 403)
    await expectProblem(await command.post('/api/care/visits', atDoor(r.id)), 403)
    expect(await visitCount(r.id)).toBe(0)
  })

  test('a household no longer under care takes no visits (409)', async () => {
    const r = await household()
    await leader.put(`/api/care/residents/${r.id}`, { active: false })
    await expectProblem(await patrol.post('/api/care/visits', atDoor(r.id)), 409)
  })
})

describe('today and the calendar', () => {
  interface Today {
    items: { residentId: number; remaining: number; visitsToday: number; address: string | null; phone: string | null }[]
  }
  interface Calendar {
    today: string
    households: { residentId: number; days: { date: string; visits: number; state: string; missed: number }[]; missed: number }[]
  }

  test('a paired member sees the household with its address until its two visits are done; the calendar shows the day done', async () => {
    const r = await household()
    const listed = ((await (await patrol.get('/api/care/today')).json()) as Today).items.find((i) => i.residentId === r.id)
    expect(listed).toMatchObject({ remaining: 2, visitsToday: 0, phone: '13812341234', address: '光谷广场社区3栋2单元501室' })
    expect((await patrol.post('/api/care/visits', atDoor(r.id))).status).toBe(201)
    const once = ((await (await patrol.get('/api/care/today')).json()) as Today).items.find((i) => i.residentId === r.id)
    expect(once?.remaining).toBe(1)
    expect((await patrol.post('/api/care/visits', atDoor(r.id))).status).toBe(201)
    const done = ((await (await patrol.get('/api/care/today')).json()) as Today).items.find((i) => i.residentId === r.id)
    expect(done).toBeUndefined()
    const cal = (await (await leader.get('/api/care/calendar?days=7')).json()) as Calendar
    const today = cal.households.find((h) => h.residentId === r.id)!.days.find((d) => d.date === cal.today)
    expect(today).toMatchObject({ visits: 2, state: 'done' })
  })

  test('a past day with one of two visits is a miss of one; a day with none a miss of two', async () => {
    const r = await household()
    await sql()`update care_residents set created_at = now() - interval '10 days' where id = ${r.id}`
    await sql()`
      insert into care_visits (community_id, resident_id, person_id, t, by_code)
      values (${communityId}, ${r.id}, ${patrolPersonId}, now() - interval '2 days', true)`
    const cal = (await (await leader.get('/api/care/calendar?days=7')).json()) as Calendar
    const h = cal.households.find((x) => x.residentId === r.id)!
    const twoAgo = h.days[h.days.length - 3]!
    expect(twoAgo).toMatchObject({ visits: 1, state: 'partial', missed: 1 })
    const threeAgo = h.days[h.days.length - 4]!
    expect(threeAgo).toMatchObject({ visits: 0, state: 'missed', missed: 2 })
    expect(h.missed).toBe(11)
  })

  test('days before a household was registered are never missed', async () => {
    const r = await household()
    const cal = (await (await leader.get('/api/care/calendar?days=7')).json()) as Calendar
    const h = cal.households.find((x) => x.residentId === r.id)!
    expect(h.missed).toBe(0)
    expect(h.days.slice(0, -1).every((d) => d.state === 'none')).toBe(true)
  })

  test('days outside 1..62 are refused with 400', async () => {
    await expectProblem(await leader.get('/api/care/calendar?days=0'), 400)
    await expectProblem(await leader.get('/api/care/calendar?days=63'), 400)
  })
})
