/**
 * The public monthly summary (公示, issue 15) against a real server: no sign-in, a community named by its random
 * public code (never its id), counts only (no names, phones or descriptions), leads and unreviewed reports left
 * out, bad input refused, and the per-address rate limit. Each test writes into a month of its own.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'
import { PUBLIC_SUMMARY_LIMITS } from '../server/routes/public-summary.ts'

interface Summary {
  community: { name: string; nameEn: string | null }
  month: string
  label: string
  total: number
  byType: Record<string, number>
  byCategory: { category: string; count: number }[]
  byLevel: Record<string, number>
  closed: number
  closedRate: number | null
  averageHandlingHours: number | null
  satisfaction: { rated: number; satisfied: number; basically: number; unsatisfied: number; rate: number | null }
  residentReports: number
  byGrid: { name: string | null; count: number }[]
}

let server: TestServer
let command: Client
let communityId: number
let publicCode: string
let spot: { lon: number; lat: number }
let addresses = 0

const sql = () => server.db.sql
/** A fresh client address (the server trusts X-Forwarded-For here), so tests do not share one rate limit. */
const from = (): Record<string, string> => ({ 'x-forwarded-for': `203.0.113.${++addresses}` })

async function matter(at: string, cols: { type?: string; category?: string; status?: string; level?: string; source?: string; closedAfterHours?: number; rating?: string } = {}): Promise<number> {
  const closedAt = cols.closedAfterHours === undefined ? null : new Date(Date.parse(at) + cols.closedAfterHours * 3_600_000).toISOString()
  const [h] = await sql()<{ id: number }[]>`
    insert into hazards (community_id, type, category, severity, level, status, source, geom, reported_at, due_at, description, closed_at, contact_phone, rating, rated_at)
    values (${communityId}, ${cols.type ?? 'hazard'}, ${cols.category ?? 'corridor_clutter'}, 'minor', ${cols.level ?? 'micro_grid'}, ${cols.status ?? 'reported'},
            ${cols.source ?? 'patrol'}, ST_SetSRID(ST_MakePoint(${spot.lon}, ${spot.lat}), 4326), ${at}::timestamptz, ${at}::timestamptz + interval '1 day',
            '张三家门口楼道堆物 13912345678', ${closedAt}::timestamptz, '13912345678', ${cols.rating ?? null}, ${cols.rating ? at : null}::timestamptz)
    returning id::int`
  return h!.id
}

async function summary(month: string, code = publicCode): Promise<Response> {
  return server.get(`/api/public/summary?community=${encodeURIComponent(code)}&month=${month}`, from())
}

beforeAll(async () => {
  server = await startTestServer({ network: { trustProxy: true, publicUrl: null, allowedHosts: [] } })
  command = await server.login('command')
  const [c] = await sql()<{ id: number; code: string; lon: number; lat: number }[]>`
    with z as (select z.community_id, ST_PointOnSurface(z.geom) as pt from zones z where z.parent_id is null order by z.id limit 1)
    select c.id::int, c.public_code as code, ST_X(z.pt) as lon, ST_Y(z.pt) as lat from communities c join z on z.community_id = c.id`
  communityId = c!.id
  publicCode = c!.code
  spot = { lon: c!.lon, lat: c!.lat }
})
afterAll(async () => {
  await server?.close()
})

test('every community has a random public code, and signed-in users read it on its feature', async () => {
  expect(publicCode).toMatch(/^PS-[0-9A-F]{12}$/)
  const res = await command.get('/api/communities')
  const fc = (await res.json()) as { features: { id: number; properties: { publicCode: string } }[] }
  expect(fc.features.find((f) => f.id === communityId)?.properties.publicCode).toBe(publicCode)
})

test('anyone reads a month’s counts by kind, category, level and grid, the closed rate, handling time and satisfaction', async () => {
  const at = '2022-03-10T02:00:00.000Z'
  await matter(at, { status: 'verified', closedAfterHours: 4, rating: 'satisfied' })
  await matter(at, { status: 'verified', closedAfterHours: 8, rating: 'unsatisfied' })
  await matter(at, { type: 'request', category: 'repair', level: 'grid', source: 'resident' })
  await matter(at, { type: 'dispute', category: 'neighbours', level: 'street', status: 'dispatched' })
  const res = await summary('2022-03')
  expect(res.status).toBe(200)
  expect(res.headers.get('cache-control')).toContain('public')
  const s = (await res.json()) as Summary
  expect(s).toMatchObject({ month: '2022-03', label: '2022年3月', total: 4, closed: 2, residentReports: 1 })
  expect(s.byType).toEqual({ hazard: 2, dispute: 1, emergency: 0, request: 1, information: 0 })
  expect(s.byLevel).toEqual({ micro_grid: 2, grid: 1, street: 1 })
  expect(s.byCategory[0]).toEqual({ category: 'corridor_clutter', count: 2 })
  expect(s.closedRate).toBeCloseTo(0.5, 10)
  expect(s.averageHandlingHours).toBeCloseTo(6, 6)
  expect(s.satisfaction).toEqual({ rated: 2, satisfied: 1, basically: 0, unsatisfied: 1, rate: 0.5 })
  // No grid had been drawn yet in 2022 (the demo's zones begin with its seed): all outside every grid then.
  expect(s.byGrid).toEqual([{ name: null, count: 4 }])
})

test('the count per grid is by the grid that covered the place then, under the name it had then', async () => {
  const [z] = await sql()<{ id: number }[]>`
    insert into zone_history (community_id, zone_id, name, geom, valid_from, valid_to)
    select z.community_id, z.id, '公示测试网格（旧名）', z.geom, '2022-07-01T00:00:00Z', '2022-08-01T00:00:00Z'
    from zones z where z.community_id = ${communityId} and z.parent_id is null and ST_Covers(z.geom, ST_SetSRID(ST_MakePoint(${spot.lon}, ${spot.lat}), 4326))
    order by z.id limit 1 returning zone_id::int as id`
  expect(z).toBeDefined()
  await matter('2022-07-10T02:00:00.000Z')
  await matter('2022-07-11T02:00:00.000Z')
  const s = (await (await summary('2022-07')).json()) as Summary
  expect(s.byGrid).toEqual([{ name: '公示测试网格（旧名）', count: 2 }])
})

test('leads, declined reports and reports waiting for review are left out of a summary', async () => {
  const at = '2022-04-10T02:00:00.000Z'
  await matter(at)
  await matter(at, { type: 'lead', category: 'suspicious_person' })
  await matter(at, { status: 'rejected', source: 'resident' })
  await matter(at, { status: 'pending_review', source: 'resident' })
  const s = (await (await summary('2022-04')).json()) as Summary
  expect(s.total).toBe(1)
  expect(Object.keys(s.byType)).not.toContain('lead')
})

test('a summary carries no names, phones, descriptions or ids of matters', async () => {
  const at = '2022-05-10T02:00:00.000Z'
  const id = await matter(at, { source: 'resident' })
  const text = await (await summary('2022-05')).text()
  expect(text).not.toContain('13912345678')
  expect(text).not.toContain('张三')
  expect(text).not.toContain('堆物')
  expect(text).not.toMatch(/assignee|contact|description|trackingCode|"id"/i)
  const [p] = await sql()<{ name: string }[]>`select p.name from zones z join people p on p.id = z.assignee_id where z.community_id = ${communityId} limit 1`
  if (p) expect(text).not.toContain(p.name)
  expect(text).not.toContain(`"${id}"`)
})

test('a community id, an unknown code and a malformed one are the same 404', async () => {
  for (const code of [String(communityId), 'PS-000000000000', '../../etc']) {
    const res = await summary('2022-03', code)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
  }
})

test('a malformed month is 400, a month not begun yet 422, and a missing community 400', async () => {
  for (const month of ['2022-13', '2022-3', 'March', '1999-12']) expect((await summary(month)).status).toBe(400)
  expect((await summary('2999-01')).status).toBe(422)
  expect((await server.get('/api/public/summary?month=2022-03', from())).status).toBe(400)
})

test('one address is limited: past the limit it gets 429 with Retry-After, another address still reads', async () => {
  const one = { 'x-forwarded-for': '192.0.2.77' }
  const codes: number[] = []
  for (let i = 0; i < PUBLIC_SUMMARY_LIMITS.perAddress.max; i++) codes.push((await server.get(`/api/public/summary?community=${publicCode}&month=2022-06`, one)).status)
  expect(codes.every((s) => s === 200)).toBe(true)
  const last = await server.get(`/api/public/summary?community=${publicCode}&month=2022-06`, one)
  expect(last.status).toBe(429)
  expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0)
  expect((await summary('2022-06')).status).toBe(200)
})

test('the limiter remembers as many requests as its largest limit (the overall 300 of residents’ reports is reached)', async () => {
  const { PublicReportLimiter, PUBLIC_REPORT_LIMITS } = await import('../server/domain/public-reports.ts')
  const limiter = new PublicReportLimiter()
  const now = Date.now()
  for (let i = 0; i < PUBLIC_REPORT_LIMITS.overall.max; i++) limiter.record(now, `198.18.${Math.floor(i / 250)}.${i % 250}`)
  expect(limiter.check(now, '198.19.0.1')).toBeGreaterThan(0)
})
