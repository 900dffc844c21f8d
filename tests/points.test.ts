/**
 * Issue 17 — points (积分): rules an admin sets, points earned only from verified records (a matter rejected
 * later loses its points), redemptions that never take the balance below zero, the monthly ranking.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { expectProblem } from './helpers/http.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

let server: TestServer
let admin: Client
let leader: Client
let patrol: Client
let communityId: number
let patrolPersonId: number
let patrolDevice: string
let spot: { lon: number; lat: number }
let seq = 0
const sql = () => server.db.sql

interface Points {
  personId: number
  earned: number
  redeemed: number
  balance: number
  byKind: Record<'duty' | 'report' | 'checkin' | 'care_visit' | 'redemption', number>
  entries: { kind: string; points: number; ref: string }[]
}
const mine = async (): Promise<Points> => (await (await patrol.get('/api/points')).json()) as Points

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  leader = await server.login('leader')
  patrol = await server.login('patrol')
  const [c] = await sql()<{ id: number; lon: number; lat: number }[]>`
    select id::int, ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities order by id limit 1`
  communityId = c!.id
  spot = { lon: c!.lon, lat: c!.lat }
  const [p] = await sql()<{ id: number; device: string }[]>`
    select u.person_id::int as id, d.id as device from users u join devices d on d.person_id = u.person_id where u.username = 'patrol' order by d.id limit 1`
  patrolPersonId = p!.id
  patrolDevice = p!.device
})

afterAll(async () => {
  await server?.close()
})

describe('earned points', () => {
  test('the balance is what was earned less what was redeemed, and the entries add up to it', async () => {
    const p = await mine()
    expect(p.personId).toBe(patrolPersonId)
    expect(p.balance).toBeCloseTo(Math.max(0, p.earned - p.redeemed), 2)
    expect(p.earned).toBeCloseTo(p.byKind.duty + p.byKind.report + p.byKind.checkin + p.byKind.care_visit, 2)
  })

  test('a report earns the rule’s points, and loses them when its matter is rejected', async () => {
    const before = await mine()
    const res = await patrol.post('/api/hazards', { category: 'other', severity: 'minor', location: spot, clientId: `pt-${++seq}` })
    expect(res.status).toBe(201)
    const hazard = (await res.json()) as { id: number }
    const reported = await mine()
    expect(reported.byKind.report - before.byKind.report).toBeCloseTo(5, 2)
    expect(reported.entries.some((e) => e.kind === 'report' && e.ref === String(hazard.id))).toBe(true)
    expect((await leader.post(`/api/hazards/${hazard.id}/transition`, { to: 'rejected', note: '重复上报' })).status).toBe(200)
    const rejected = await mine()
    expect(rejected.byKind.report).toBeCloseTo(before.byKind.report, 2)
    expect(rejected.entries.some((e) => e.kind === 'report' && e.ref === String(hazard.id))).toBe(false)
  })

  test('a care visit earns the rule’s points', async () => {
    const before = await mine()
    const r = (await (
      await leader.post('/api/care/residents', { communityId, name: '积分测试户', group: 'elderly_alone', ...spot, visitsPerDay: 2, personIds: [patrolPersonId] })
    ).json()) as { id: number }
    expect((await patrol.post('/api/care/visits', { residentId: r.id, ...spot, accuracy: 5, clientId: `pv-${++seq}` })).status).toBe(201)
    expect((await mine()).byKind.care_visit - before.byKind.care_visit).toBeCloseTo(3, 2)
  })

  test('hours on the phone’s track earn points per hour; an impossible jump earns nothing', async () => {
    const before = await mine()
    const start = Date.now() - 20 * 60_000
    // Ten minutes of walking, a point every 30 s, 15 m apart.
    const points = Array.from({ length: 21 }, (_, i) => ({ lon: spot.lon + i * 0.00015, lat: spot.lat, t: new Date(start + i * 30_000).toISOString(), accuracy: 5 }))
    expect((await patrol.post('/api/tracks/points', { deviceId: patrolDevice, points })).status).toBeLessThan(300)
    const walked = await mine()
    expect(walked.byKind.duty - before.byKind.duty).toBeCloseTo(10 * (10 / 60), 1)
    // A point 30 km away 30 s later is flagged as impossible: no more hours.
    const jump = [{ lon: spot.lon + 0.3, lat: spot.lat, t: new Date(start + 21 * 30_000).toISOString(), accuracy: 5 }]
    expect((await patrol.post('/api/tracks/points', { deviceId: patrolDevice, points: jump })).status).toBeLessThan(300)
    expect((await mine()).byKind.duty).toBeCloseTo(walked.byKind.duty, 1)
  })
})

describe('rules', () => {
  test('an admin sets the rules; the points follow at once', async () => {
    const before = await mine()
    const res = await admin.put('/api/points/rules', { communityId, perCheckin: 2 })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ communityId, perCheckin: 2, perReport: 5, perCareVisit: 3, perDutyHour: 10 })
    const after = await mine()
    expect(after.byKind.checkin).toBeCloseTo(before.byKind.checkin * 2, 2)
    await admin.put('/api/points/rules', { communityId, perCheckin: 1 })
  })

  test('a leader may not set them (403); a negative rate is 400 and nothing changes', async () => {
    await expectProblem(await leader.put('/api/points/rules', { communityId, perReport: 50 }), 403)
    await expectProblem(await admin.put('/api/points/rules', { communityId, perReport: -1 }), 400)
    const rules = (await (await leader.get(`/api/points/rules?communityId=${communityId}`)).json()) as { perReport: number }
    expect(rules.perReport).toBe(5)
  })
})

describe('redemptions', () => {
  test('a leader enters what was exchanged; the balance drops by it; the same clientId again answers the first', async () => {
    const before = await mine()
    expect(before.balance).toBeGreaterThan(1)
    const body = { personId: patrolPersonId, points: 1, item: '理发服务一次', clientId: `r-${++seq}` }
    const res = await leader.post('/api/points/redemptions', body)
    expect(res.status).toBe(201)
    const r = (await res.json()) as { id: number; balance: number; byName: string }
    expect(r.balance).toBeCloseTo(before.balance - 1, 2)
    const again = await leader.post('/api/points/redemptions', body)
    expect(again.status).toBe(200)
    expect(((await again.json()) as { id: number }).id).toBe(r.id)
    const after = await mine()
    expect(after.redeemed).toBeCloseTo(before.redeemed + 1, 2)
    expect(after.entries.some((e) => e.kind === 'redemption' && e.points === -1)).toBe(true)
  })

  test('more than the balance is refused with 409 and nothing is stored', async () => {
    const before = await mine()
    const doc = await expectProblem(await admin.post('/api/points/redemptions', { personId: patrolPersonId, points: before.balance + 1, item: '超额兑换' }), 409)
    expect(doc.detail).toContain('below zero')
    expect((await mine()).redeemed).toBeCloseTo(before.redeemed, 2)
  })

  test('a patrol member may not enter redemptions (403)', async () => {
    await expectProblem(await patrol.post('/api/points/redemptions', { personId: patrolPersonId, points: 1, item: 'x' }), 403)
  })
})

describe('ranking', () => {
  test('the month’s ranking is best first with ranks, and its points are earned in that month only', async () => {
    const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7)
    const res = await leader.get(`/api/points/ranking?month=${month}`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { month: string; items: { rank: number; personId: number; points: number; byKind: Record<string, number> }[] }
    expect(body.month).toBe(month)
    expect(body.items.length).toBeGreaterThan(0)
    for (let i = 1; i < body.items.length; i++) expect(body.items[i - 1]!.points).toBeGreaterThanOrEqual(body.items[i]!.points)
    expect(body.items[0]!.rank).toBe(1)
    const me = body.items.find((i) => i.personId === patrolPersonId)
    expect(me).toBeDefined()
    expect(me!.points).toBeLessThanOrEqual((await mine()).earned + 1e-6)
  })

  test('a month that is not YYYY-MM is 400', async () => {
    await expectProblem(await leader.get('/api/points/ranking?month=2026-13'), 400)
  })
})

describe('month report', () => {
  test('the month report carries the care section and the points ranking', async () => {
    const date = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
    const res = await leader.get(`/api/reports/month?date=${date}&communityId=${communityId}&format=json`)
    expect(res.status).toBe(200)
    const report = (await res.json()) as { care: { households: number; visits: number }[]; pointsRanking: { rank: number }[] }
    expect(report.care[0]!.households).toBeGreaterThanOrEqual(20)
    expect(report.care[0]!.visits).toBeGreaterThan(0)
    expect(report.pointsRanking[0]!.rank).toBe(1)
  })
})
