/**
 * Residents' reports (人人都是安全员, issue 15) against a real server: report by coordinates and by a poster's
 * code, the rate limit, the public tracking page without names or phones, the command centre's review, and
 * the resident's one rating after the close (unsatisfied reopens).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Feature {
  id: number
  properties: Record<string, unknown> & { id: number; status: string; contact?: string | null; source?: string }
}
interface PublicView {
  trackingCode: string
  status: string
  category: string
  reportedAt: string
  timeline: { at: string; status: string }[]
  answer: string | null
  rating: string | null
  mayRate: boolean
}

let server: TestServer
let admin: Client
let command: Client
let leader: Client
let patrol: Client
let spot: { lon: number; lat: number; assigneeId: number }
let buildingCode: string
let buildingId: number
let keyPlaceCode: string
let addressCount = 0

const PHONE = '13812345678'

/** A fresh client address (the server trusts X-Forwarded-For here), so tests do not share one rate limit. */
function fromAddress(): Record<string, string> {
  addressCount += 1
  return { 'x-forwarded-for': `198.51.100.${addressCount}` }
}

async function expectProblem(res: Response, status: number): Promise<{ detail: string; errors?: { path: string }[] }> {
  expect(res.headers.get('content-type')).toContain('application/problem+json')
  const body = (await res.json()) as { status: number; detail: string; errors?: { path: string }[] }
  expect({ http: res.status, body: body.status }).toEqual({ http: status, body: status })
  return body
}

async function report(body: Record<string, unknown>, headers = fromAddress()): Promise<{ trackingCode: string; url: string; id: number }> {
  const res = await server.post('/api/public/reports', body, headers)
  if (res.status !== 201) throw new Error(`report: ${res.status} ${await res.text()}`)
  const answer = (await res.json()) as { trackingCode: string; url: string }
  const [row] = await server.db.sql<{ id: number }[]>`select id::int from hazards where tracking_code = ${answer.trackingCode}`
  return { ...answer, id: row!.id }
}

const hazardReport = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'hazard',
  category: 'corridor_clutter',
  lon: spot.lon,
  lat: spot.lat,
  description: '楼道堆放杂物，堵住了安全出口',
  contact: PHONE,
  ...extra,
})

async function track(code: string): Promise<PublicView> {
  const res = await server.get(`/api/public/reports/${code}`)
  expect(res.status).toBe(200)
  return (await res.json()) as PublicView
}

async function move(client: Client, id: number, body: Record<string, unknown>): Promise<Feature> {
  const res = await client.post(`/api/hazards/${id}/transition`, body)
  if (res.status !== 200) throw new Error(`transition ${JSON.stringify(body)}: ${res.status} ${await res.text()}`)
  return (await res.json()) as Feature
}

async function review(client: Client, id: number, body: Record<string, unknown>): Promise<Response> {
  return client.post(`/api/hazards/${id}/review`, body)
}

/** Accept, dispatch, rectify and verify: the loop closed by the staff. */
async function closeLoop(id: number): Promise<void> {
  expect((await review(command, id, { decision: 'accept', answer: '已受理，网格员将到场处理' })).status).toBe(200)
  await move(leader, id, { to: 'dispatched', assigneeId: spot.assigneeId })
  await move(patrol, id, { to: 'rectifying' })
  await move(patrol, id, { to: 'rectified', note: '已清理' })
  await move(leader, id, { to: 'verified' })
}

async function rate(code: string, body: Record<string, unknown>): Promise<Response> {
  return server.post(`/api/public/reports/${code}/rating`, body)
}

beforeAll(async () => {
  server = await startTestServer({ network: { trustProxy: true, publicUrl: null, allowedHosts: [] } })
  admin = await server.login('admin')
  command = await server.login('command')
  leader = await server.login('leader')
  patrol = await server.login('patrol')
  const sql = server.db.sql
  const [z] = await sql<(typeof spot)[]>`
    with p as (select ST_PointOnSurface(z.geom) as pt from zones z where z.assignee_id is not null order by z.id limit 1)
    select ST_X(p.pt) as lon, ST_Y(p.pt) as lat, z.assignee_id::int as "assigneeId"
    from p join zones z on ST_Covers(z.geom, p.pt) order by z.id limit 1`
  spot = z!
  const [b] = await sql<{ id: number; code: string }[]>`select id::int, report_code as code from buildings where name is not null or households > 0 order by id limit 1`
  buildingId = b!.id
  buildingCode = b!.code
  const [k] = await sql<{ code: string }[]>`select code from key_places order by id limit 1`
  keyPlaceCode = k!.code
})
afterAll(async () => {
  await server?.close()
})

describe('reporting without signing in', () => {
  test('a report by coordinates waits for review (待核实) as a resident’s, with an unguessable tracking code', async () => {
    const { trackingCode, url, id } = await report(hazardReport())
    expect(trackingCode).toMatch(/^[0-9A-Z]{12}$/)
    expect(url).toBe(`/r/${trackingCode}`)
    const [row] = await server.db.sql<{ status: string; source: string; contact: string; reporterId: number | null }[]>`
      select status, source, contact_phone as contact, reporter_id as "reporterId" from hazards where id = ${id}`
    expect(row).toEqual({ status: 'pending_review', source: 'resident', contact: PHONE, reporterId: null })
  })

  test('a report by a building poster’s code lands on that building, without coordinates', async () => {
    const { id } = await report({ type: 'request', category: 'repair', placeCode: buildingCode, description: '单元门禁坏了' })
    const [row] = await server.db.sql<{ buildingId: number; type: string; category: string }[]>`
      select building_id::int as "buildingId", type, category from hazards where id = ${id}`
    expect(row).toEqual({ buildingId, type: 'request', category: 'repair' })
  })

  test('a key place’s code is a place too, and a poster’s code names its place for the page', async () => {
    await report({ type: 'hazard', placeCode: keyPlaceCode, description: '消防通道被占' })
    const res = await server.get(`/api/public/reports/places/${buildingCode}`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { name: string }).name.length).toBeGreaterThan(0)
  })

  test('a multipart report carries one photo', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')
    const form = new FormData()
    form.set('type', 'hazard')
    form.set('lon', String(spot.lon))
    form.set('lat', String(spot.lat))
    form.set('description', '飞线充电')
    form.set('photo', new Blob([png], { type: 'image/png' }), 'a.png')
    const res = await server.send('POST', '/api/public/reports', form, fromAddress())
    expect(res.status).toBe(201)
    const { trackingCode } = (await res.json()) as { trackingCode: string }
    const [row] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from hazard_photos ph join hazards h on h.id = ph.hazard_id where h.tracking_code = ${trackingCode}`
    expect(row!.n).toBe(1)
  })

  test('a place outside every community is refused (422) and nothing is stored', async () => {
    const before = await server.db.sql<{ n: number }[]>`select count(*)::int as n from hazards`
    const res = await server.post('/api/public/reports', hazardReport({ lon: 10, lat: 10 }), fromAddress())
    await expectProblem(res, 422)
    const after = await server.db.sql<{ n: number }[]>`select count(*)::int as n from hazards`
    expect(after[0]!.n).toBe(before[0]!.n)
  })

  test('an unknown place code, a category of another kind and a bad phone are 422', async () => {
    await expectProblem(await server.post('/api/public/reports', hazardReport({ lon: undefined, lat: undefined, placeCode: 'RB-NOSUCHCODE0' }), fromAddress()), 422)
    await expectProblem(await server.post('/api/public/reports', hazardReport({ category: 'repair' }), fromAddress()), 422)
    await expectProblem(await server.post('/api/public/reports', hazardReport({ contact: 'call me' }), fromAddress()), 422)
  })

  test('more than 5 reports in 10 minutes from one address are refused with 429 and Retry-After', async () => {
    const headers = fromAddress()
    for (let i = 0; i < 5; i++) await report(hazardReport({ deviceId: `dev-a-${i}` }), headers)
    const res = await server.post('/api/public/reports', hazardReport({ deviceId: 'dev-a-9' }), headers)
    await expectProblem(res, 429)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  test('a JSON report larger than 32 KB is refused (413) before it is read', async () => {
    await expectProblem(await server.post('/api/public/reports', hazardReport({ description: 'x'.repeat(40_000) }), fromAddress()), 413)
  })

  test('more than 5 reports from one device are refused, whatever the address', async () => {
    for (let i = 0; i < 5; i++) await report(hazardReport({ deviceId: 'dev-b' }))
    await expectProblem(await server.post('/api/public/reports', hazardReport({ deviceId: 'dev-b' }), fromAddress()), 429)
  })
})

describe('tracking', () => {
  test('the tracking page shows status and timeline without names or the phone', async () => {
    const { trackingCode, id } = await report(hazardReport())
    await review(command, id, { decision: 'accept', answer: '已受理' })
    await move(leader, id, { to: 'dispatched', assigneeId: spot.assigneeId, note: '请张三处理' })
    const res = await server.get(`/api/public/reports/${trackingCode}`)
    const text = await res.text()
    const view = JSON.parse(text) as PublicView
    expect(view).toMatchObject({ trackingCode, status: 'dispatched', category: 'corridor_clutter', answer: '已受理', mayRate: false })
    expect(view.timeline.map((s) => s.status)).toEqual(['pending_review', 'reported', 'dispatched'])
    const names = await server.db.sql<{ name: string }[]>`select name from people where id = ${spot.assigneeId} union select name from users where username in ('command', 'leader')`
    for (const { name } of names) expect(text).not.toContain(name)
    expect(text).not.toContain(PHONE)
    expect(text).not.toContain('张三')
  })

  test('an unknown or malformed code is 404, the same answer', async () => {
    const a = await expectProblem(await server.get('/api/public/reports/ZZZZZZZZZZZZ'), 404)
    const b = await expectProblem(await server.get('/api/public/reports/x'), 404)
    expect(a.detail).toBe(b.detail)
  })
})

describe('review by the command centre', () => {
  test('accept moves the report to reported (已上报), with a fresh deadline', async () => {
    const { id } = await report(hazardReport())
    const res = await review(command, id, { decision: 'accept' })
    expect(res.status).toBe(200)
    const f = (await res.json()) as Feature
    expect(f.properties).toMatchObject({ status: 'reported', source: 'resident' })
    expect(new Date(f.properties.dueAt as string).getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000)
  })

  test('decline needs an answer (422), then closes the report with it', async () => {
    const { id, trackingCode } = await report(hazardReport())
    await expectProblem(await review(command, id, { decision: 'decline' }), 422)
    const res = await review(command, id, { decision: 'decline', answer: '经核实为临时堆放，已由物业清理' })
    expect(res.status).toBe(200)
    expect((await track(trackingCode)).status).toBe('rejected')
    expect((await track(trackingCode)).answer).toBe('经核实为临时堆放，已由物业清理')
  })

  test('only a report waiting for review is reviewed (409), and only by admin or command (403)', async () => {
    const { id } = await report(hazardReport())
    await expectProblem(await review(leader, id, { decision: 'accept' }), 403)
    expect((await review(admin, id, { decision: 'accept' })).status).toBe(200)
    await expectProblem(await review(command, id, { decision: 'accept' }), 409)
  })

  test('the transition route does not take a report out of review (409)', async () => {
    const { id } = await report(hazardReport())
    await expectProblem(await command.post(`/api/hazards/${id}/transition`, { to: 'reported' }), 409)
  })

  test('a report waiting for review is never overdue, even past its deadline', async () => {
    const { id } = await report(hazardReport())
    await server.db.sql`update hazards set reported_at = now() - interval '3 days', due_at = now() - interval '2 days' where id = ${id}`
    const f = (await (await command.get(`/api/hazards/${id}`)).json()) as Feature
    expect(f.properties.overdue).toBe(false)
    const overdue = (await (await command.get('/api/hazards?overdue=true&status=pending_review')).json()) as { features: Feature[] }
    expect(overdue.features.map((x) => x.id)).not.toContain(id)
  })

  test('the phone is masked for a leader, in lists and by id; whole for the command centre by id', async () => {
    const { id } = await report(hazardReport())
    const list = (await (await leader.get('/api/hazards?status=pending_review')).json()) as { features: Feature[] }
    const mine = list.features.find((x) => x.id === id)!
    expect(mine.properties.contact).toBe('138****5678')
    expect(JSON.stringify(list)).not.toContain(PHONE)
    expect(((await (await leader.get(`/api/hazards/${id}`)).json()) as Feature).properties.contact).toBe('138****5678')
    expect(((await (await command.get(`/api/hazards/${id}`)).json()) as Feature).properties.contact).toBe(PHONE)
  })
})

describe('rating after the close', () => {
  test('a rating before the close is refused (409)', async () => {
    const { id, trackingCode } = await report(hazardReport())
    await expectProblem(await rate(trackingCode, { rating: 'satisfied' }), 409)
    await review(command, id, { decision: 'accept' })
    await expectProblem(await rate(trackingCode, { rating: 'satisfied' }), 409)
  })

  test('unsatisfied after the close reopens the matter for a recheck, on the timeline', async () => {
    const { id, trackingCode } = await report(hazardReport())
    await closeLoop(id)
    expect((await track(trackingCode)).mayRate).toBe(true)
    const res = await rate(trackingCode, { rating: 'unsatisfied', comment: '杂物又堆回来了' })
    expect(res.status).toBe(200)
    const view = (await res.json()) as PublicView
    expect(view).toMatchObject({ status: 'reopened', rating: 'unsatisfied', mayRate: false })
    expect(view.timeline.at(-1)!.status).toBe('reopened')
    const f = (await (await command.get(`/api/hazards/${id}`)).json()) as Feature
    expect(f.properties).toMatchObject({ status: 'reopened', closedAt: null, rating: 'unsatisfied', ratingComment: '杂物又堆回来了' })
    // The recheck goes on through the machine: dispatched again.
    expect((await move(leader, id, { to: 'dispatched', assigneeId: spot.assigneeId })).properties.status).toBe('dispatched')
  })

  test('a report is rated once (the second rating is 409)', async () => {
    const { id, trackingCode } = await report(hazardReport())
    await closeLoop(id)
    expect((await rate(trackingCode, { rating: 'satisfied' })).status).toBe(200)
    await expectProblem(await rate(trackingCode, { rating: 'unsatisfied' }), 409)
    expect((await track(trackingCode)).status).toBe('verified')
  })

  test('a bad rating is 400 and an unknown code 404', async () => {
    const { trackingCode } = await report(hazardReport())
    await expectProblem(await rate(trackingCode, { rating: 'great' }), 400)
    await expectProblem(await rate('ZZZZZZZZZZZZ', { rating: 'satisfied' }), 404)
  })
})

describe('posters (扫码上报)', () => {
  test('those who print codes list every compound and building with its report link, and get its QR code', async () => {
    const res = await command.get('/api/posters')
    expect(res.status).toBe(200)
    const { items } = (await res.json()) as { items: { kind: string; code: string; reportUrl: string; qrUrl: string }[] }
    expect(items.some((i) => i.kind === 'compound')).toBe(true)
    const mine = items.find((i) => i.code === buildingCode)
    expect(mine?.reportUrl).toMatch(new RegExp(`/report\\?place=${buildingCode}$`))
    const qr = await command.get(mine!.qrUrl)
    expect(qr.status).toBe(200)
    expect(qr.headers.get('content-type')).toContain('image/svg+xml')
    expect(await qr.text()).toContain('<svg')
  })

  test('a patrol member may not print posters (403), and an unknown poster code is 404', async () => {
    await expectProblem(await patrol.get('/api/posters'), 403)
    await expectProblem(await command.get('/api/posters/RB-000000000000/qr'), 404)
  })
})
