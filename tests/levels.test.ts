/**
 * Handling levels and escalation (issue #14, contract v2 "Severity and handling level"): the deadline
 * comes from the level (1/3/5 days), not the severity; `POST /api/hazards/:id/escalate` moves a matter up
 * with a reason, to the level's handler, into the timeline, the live stream and the alert outbox.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { LEVEL_DAYS } from '../core/matters.ts'
import { startReceiver, type Receiver } from './helpers/receiver.ts'
import { openSse } from './helpers/sse.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

type Json = Record<string, unknown>
interface Feature {
  id: number
  properties: Json & {
    level: string
    dueAt: string
    reportedAt: string
    assigneeId: number | null
    escalations: number
    events?: { kind: string; from: string | null; to: string; fromLevel: string | null; toLevel: string | null; by: string | null; note: string | null }[]
  }
}

const DAY = 86_400_000

let server: TestServer
let admin: Client
let command: Client
let leader: Client
let patrol: Client
let receiver: Receiver
let spot: { lon: number; lat: number; zoneId: number; communityId: number; leaderPersonId: number | null }

async function expectProblem(res: Response, status: number): Promise<Json> {
  expect(res.headers.get('content-type')).toContain('application/problem+json')
  const body = (await res.json()) as Json
  expect({ http: res.status, body: body.status }).toEqual({ http: status, body: status })
  return body
}

async function report(extra: Json = {}, client = patrol): Promise<Feature> {
  const res = await client.post('/api/hazards', { category: 'corridor_clutter', severity: 'minor', location: { lon: spot.lon, lat: spot.lat }, ...extra })
  expect(res.status, await res.clone().text()).toBe(201)
  return (await res.json()) as Feature
}

const escalate = (client: Client, id: number, body: Json) => client.post(`/api/hazards/${id}/escalate`, body)

async function detail(id: number): Promise<Feature> {
  const res = await admin.get(`/api/hazards/${id}`)
  expect(res.status).toBe(200)
  return (await res.json()) as Feature
}

beforeAll(async () => {
  server = await startTestServer({
    alerts: { allowPrivateAddresses: true, publicUrl: 'https://safegrid.test', pollMs: 100, overdueScanMs: 0, retryDelaysMs: [300], timeoutMs: 5_000, perChannelPerMinute: 1000 },
  })
  admin = await server.login('admin')
  command = await server.login('command')
  leader = await server.login('leader')
  patrol = await server.login('patrol')
  const [row] = await server.db.sql<(typeof spot)[]>`
    with p as (select z.id, ST_PointOnSurface(z.geom) as pt from zones z where z.assignee_id is not null and z.team_id is not null order by z.id limit 1)
    select ST_X(p.pt) as lon, ST_Y(p.pt) as lat, z.id as "zoneId", z.community_id as "communityId", t.leader_id as "leaderPersonId"
    from p join lateral (select * from zones z where ST_Covers(z.geom, p.pt) order by z.id limit 1) z on true
    left join teams t on t.id = z.team_id`
  spot = row!
  receiver = await startReceiver({ success: { status: 204, body: '' }, rejection: { status: 400, body: '' }, check: () => [] })
  const res = await admin.post('/api/alert-channels', {
    communityId: spot.communityId,
    name: 'levels',
    provider: 'webhook',
    url: `${receiver.url}/hook`,
    events: ['critical', 'escalation'],
  })
  expect(res.status, await res.clone().text()).toBe(201)
})

afterAll(async () => {
  await server?.close()
  await receiver?.close()
})

test('a new matter starts at the micro-grid and is due in one day, whatever its severity', async () => {
  for (const severity of ['minor', 'major', 'critical']) {
    const f = await report({ severity })
    expect(f.properties).toMatchObject({ level: 'micro_grid', type: 'hazard', source: 'patrol', escalations: 0 })
    expect(Date.parse(f.properties.dueAt) - Date.parse(f.properties.reportedAt)).toBe(LEVEL_DAYS.micro_grid * DAY)
  }
})

test('escalating to the grid recomputes the deadline (3 days) and hands it to the zone team’s leader', async () => {
  const f = await report()
  const res = await escalate(leader, f.id, { level: 'grid', reason: '微网格内无法协调' })
  expect(res.status, await res.clone().text()).toBe(200)
  const g = (await res.json()) as Feature
  expect(g.properties).toMatchObject({ level: 'grid', escalations: 1 })
  expect(Date.parse(g.properties.dueAt) - Date.parse(g.properties.reportedAt)).toBe(3 * DAY)
  if (spot.leaderPersonId !== null) expect(g.properties.assigneeId).toBe(spot.leaderPersonId)
})

test('escalating to the street gives 5 days and leaves it to the command centre (no person)', async () => {
  const f = await report()
  const g = (await (await escalate(command, f.id, { level: 'street', reason: '需街道统筹' })).json()) as Feature
  expect(g.properties).toMatchObject({ level: 'street', assigneeId: null })
  expect(Date.parse(g.properties.dueAt) - Date.parse(g.properties.reportedAt)).toBe(5 * DAY)
})

test('escalating to the street may hand the matter to a partner unit: the police account then sees it', async () => {
  const f = await report()
  const [police] = await server.db.sql<{ id: number }[]>`
    select pu.id::int from partner_units pu join partner_unit_communities pc on pc.unit_id = pu.id
    where pu.kind = 'police' and pc.community_id = ${spot.communityId}`
  const res = await escalate(command, f.id, { level: 'street', reason: '涉及治安，移交派出所', unitId: police!.id })
  expect(res.status, await res.clone().text()).toBe(200)
  expect(((await res.json()) as Feature).properties).toMatchObject({ level: 'street', unitId: police!.id })
  const officer = await server.login('police')
  expect((await officer.get(`/api/hazards/${f.id}`)).status).toBe(200)
  const [event] = await server.db.sql<{ unitId: number }[]>`select unit_id::int as "unitId" from hazard_events where hazard_id = ${f.id} and kind = 'escalation'`
  expect(event!.unitId).toBe(police!.id)
})

test('a unit below street level, or a unit not serving the community, is a 422 and changes nothing', async () => {
  const f = await report()
  const [unit] = await server.db.sql<{ id: number }[]>`select id::int from partner_units order by id limit 1`
  await expectProblem(await escalate(command, f.id, { level: 'grid', reason: '测试', unitId: unit!.id }), 422)
  const [lonely] = await server.db.sql<{ id: number }[]>`insert into partner_units (name, kind) values ('未服务本社区的单位', 'utility') returning id::int`
  await expectProblem(await escalate(command, f.id, { level: 'street', reason: '测试', unitId: lonely!.id }), 422)
  expect((await detail(f.id)).properties).toMatchObject({ level: 'micro_grid', escalations: 0 })
})

test('an escalation is in the timeline with who and why', async () => {
  const f = await report()
  expect((await escalate(command, f.id, { level: 'grid', reason: '住户拒不整改' })).status).toBe(200)
  const events = (await detail(f.id)).properties.events!
  const e = events.find((x) => x.kind === 'escalation')
  expect(e).toMatchObject({ from: 'reported', to: 'reported', fromLevel: 'micro_grid', toLevel: 'grid', by: command.user.name, note: '住户拒不整改' })
})

test('escalating to the same or a lower level is a 409 and changes nothing', async () => {
  const f = await report()
  await expectProblem(await escalate(admin, f.id, { level: 'micro_grid', reason: 'x' }), 409)
  expect((await escalate(admin, f.id, { level: 'street', reason: 'x' })).status).toBe(200)
  await expectProblem(await escalate(admin, f.id, { level: 'grid', reason: '降级' }), 409)
  const after = await detail(f.id)
  expect(after.properties).toMatchObject({ level: 'street', escalations: 1 })
})

test('an escalation without a reason is a 422 and changes nothing', async () => {
  const f = await report()
  const body = await expectProblem(await escalate(admin, f.id, { level: 'grid' }), 422)
  expect(JSON.stringify(body.errors)).toContain('reason')
  await expectProblem(await escalate(admin, f.id, { level: 'grid', reason: '   ' }), 422)
  expect((await detail(f.id)).properties).toMatchObject({ level: 'micro_grid', escalations: 0 })
})

test('a patrol member who is not the assignee may not escalate (403); the assignee’s own account may', async () => {
  const f = await report()
  const [me] = await server.db.sql<{ personId: number | null }[]>`select person_id as "personId" from users where id = ${patrol.user.id}`
  await server.db.sql`update hazards set assignee_id = null where id = ${f.id}`
  await expectProblem(await escalate(patrol, f.id, { level: 'grid', reason: '需协调' }), 403)
  if (me?.personId) {
    await server.db.sql`update hazards set assignee_id = ${me.personId} where id = ${f.id}`
    expect((await escalate(patrol, f.id, { level: 'grid', reason: '需协调' })).status).toBe(200)
  }
})

test('an escalation from the phone’s outbox (clientId) sent twice escalates once; the repeat answers the matter as it is', async () => {
  const f = await report()
  const [me] = await server.db.sql<{ personId: number | null }[]>`select person_id as "personId" from users where id = ${patrol.user.id}`
  expect(me?.personId).toBeTruthy()
  await server.db.sql`update hazards set assignee_id = ${me!.personId} where id = ${f.id}`
  const body = { level: 'grid', reason: '业主拒不配合，需网格协调', clientId: 'esc-7f3a' }
  const first = await escalate(patrol, f.id, body)
  expect(first.status).toBe(200)
  // The matter has gone to the grid's leader: the repeat is no longer the assignee's, and is answered anyway.
  const again = await escalate(patrol, f.id, body)
  expect(again.status, await again.clone().text()).toBe(200)
  const g = (await again.json()) as Feature
  expect(g.properties).toMatchObject({ level: 'grid', escalations: 1 })
  const d = await detail(f.id)
  expect(d.properties.events!.filter((e) => e.kind === 'escalation')).toHaveLength(1)
  // Another clientId is another escalation: refused as not above the level (and by now not the assignee's).
  const other = await escalate(patrol, f.id, { ...body, clientId: 'esc-other' })
  expect([403, 409]).toContain(other.status)
  expect((await detail(f.id)).properties.escalations).toBe(1)
})

test('an escalation is published live (`escalation`) and queued in the alert outbox', async () => {
  const f = await report()
  const stream = await openSse(server.url, command.token)
  try {
    expect((await escalate(leader, f.id, { level: 'grid', reason: '需网格协调' })).status).toBe(200)
    const e = await stream.until((x) => x.event === 'escalation', 5000)
    expect(e).toBeDefined()
    expect(JSON.parse(e!.data)).toMatchObject({ hazardId: f.id, from: 'micro_grid', to: 'grid', reason: '需网格协调' })
  } finally {
    stream.close()
  }
  server.alerts!.kick()
  const until = Date.now() + 15_000
  for (;;) {
    const rows = await server.db.sql<{ event: string }[]>`select event from alert_deliveries where hazard_id = ${f.id}`
    if (rows.some((r) => r.event === 'escalation')) break
    if (Date.now() > until) throw new Error('no escalation delivery queued')
    await new Promise((r) => setTimeout(r, 100))
  }
})

test('a new critical matter is announced at once: a live event and a queued alert', async () => {
  const stream = await openSse(server.url, command.token)
  let id: number
  try {
    id = (await report({ severity: 'critical', category: 'fire_lane_blocked' })).id
    const e = await stream.until((x) => x.event === 'hazard' && (JSON.parse(x.data) as { id: number }).id === id, 5000)
    expect(JSON.parse(e!.data)).toMatchObject({ properties: { severity: 'critical', level: 'micro_grid' } })
  } finally {
    stream.close()
  }
  const until = Date.now() + 15_000
  for (;;) {
    const rows = await server.db.sql<{ event: string }[]>`select event from alert_deliveries where hazard_id = ${id}`
    if (rows.some((r) => r.event === 'critical')) break
    if (Date.now() > until) throw new Error('no critical delivery queued')
    await new Promise((r) => setTimeout(r, 100))
  }
})

test('an unknown matter is a 404, an unknown level a 400', async () => {
  await expectProblem(await escalate(admin, 987654321, { level: 'grid', reason: 'x' }), 404)
  const f = await report()
  await expectProblem(await escalate(admin, f.id, { level: 'district', reason: 'x' }), 400)
})

test('/api/stats counts matters by level and type, and how many were escalated', async () => {
  const from = new Date(Date.now() - 30 * DAY).toISOString()
  const to = new Date(Date.now() + 60_000).toISOString()
  const res = await admin.get(`/api/stats?communityId=${spot.communityId}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)
  expect(res.status).toBe(200)
  const stats = (await res.json()) as { hazards: { total: number; byLevel: Record<string, number>; byType: Record<string, number>; escalated: number }; escalatedRate: number | null }
  const rows = await server.db.sql<{ level: string; type: string; escalations: number }[]>`
    select level, type, escalations from hazards
    where community_id = ${spot.communityId} and reported_at >= ${from} and reported_at < ${to} and status <> 'rejected'`
  const count = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).length
  expect(stats.hazards.byLevel).toEqual({ micro_grid: count((r) => r.level === 'micro_grid'), grid: count((r) => r.level === 'grid'), street: count((r) => r.level === 'street') })
  expect(Object.values(stats.hazards.byType).reduce((a, b) => a + b, 0)).toBe(stats.hazards.total)
  expect(stats.hazards.byType.hazard).toBe(count((r) => r.type === 'hazard'))
  expect(stats.hazards.escalated).toBe(count((r) => r.escalations > 0))
  expect(stats.hazards.escalated).toBeGreaterThan(0)
  expect(stats.escalatedRate).toBeCloseTo(stats.hazards.escalated / stats.hazards.total, 12)
})

test('the month report has the by-level and by-type sections and the escalated count', async () => {
  const date = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
  const res = await admin.get(`/api/reports/month?date=${date}&communityId=${spot.communityId}&format=html`)
  expect(res.status).toBe(200)
  const html = await res.text()
  expect(html).toContain('事项按办理层级')
  expect(html).toContain('事项按类型')
  expect(html).toContain('升级率')
  expect(html).toContain('微网格（小事）')
})

test('POST /api/matters takes every kind with its own categories; a category of another kind is a 422', async () => {
  const at = { lon: spot.lon, lat: spot.lat }
  const ok = await patrol.post('/api/matters', { type: 'dispute', category: 'noise', location: at, source: 'resident', description: '夜间装修噪音' })
  expect(ok.status, await ok.clone().text()).toBe(201)
  expect(((await ok.json()) as Feature).properties).toMatchObject({ type: 'dispute', category: 'noise', source: 'resident', level: 'micro_grid' })
  const wrong = await expectProblem(await patrol.post('/api/matters', { type: 'dispute', category: 'flying_wire_charging', location: at }), 422)
  expect(JSON.stringify(wrong.errors)).toContain('category')
  await expectProblem(await patrol.post('/api/matters', { category: 'noise', location: at }), 400)
  // /api/hazards lists hazards only.
  const list = (await (await admin.get('/api/hazards?limit=500')).json()) as { features: Feature[] }
  expect(list.features.every((f) => f.properties.type === 'hazard')).toBe(true)
})
