/**
 * Alerts to the work groups (issue #14): channels configured through the API, local receivers standing
 * in for each robot (they check the documented message shape and verify the signature independently of
 * the server's code), alerts raised by matters created through the real API.
 */
import { createHmac } from 'node:crypto'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { recordLiveEvent } from '../server/live/hub.ts'
import { AlertWorker } from '../server/alerts/worker.ts'
import { alertSettings } from '../server/alerts/config.ts'
import { hashPassword } from '../server/domain/password.ts'
import { createUser } from '../server/queries/users.ts'
import { startReceiver, type Received, type Receiver, type ReceiverOptions } from './helpers/receiver.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

const PUBLIC_URL = 'https://safegrid.test'
const PHONE = '13812345678'
const SECRETS = {
  dingtalk: 'SECd1e2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7',
  feishu: 'fsSecret-9Xq2Lm7Pz',
  webhook: 'whsec_0123456789abcdef',
}
const WECOM_KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa'
const DINGTALK_TOKEN = 'dt0123456789abcdef0123456789abcdef'
const FEISHU_HOOK = '5e3d587e-d78e-4a07-bd07-265f269f86fd'

let server: TestServer
let admin: Client
let spot: { lon: number; lat: number; zoneId: number; communityId: number }
let otherZone: { lon: number; lat: number; zoneId: number }
const receivers: Receiver[] = []
const channels: number[] = []

type Json = Record<string, unknown>
const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Json)[k] : undefined), o)

/** WeCom: key in the URL, `{ msgtype: markdown, markdown: { content } }`, content ≤ 4096 bytes, no signature. */
const wecom: ReceiverOptions = {
  success: { status: 200, body: '{"errcode":0,"errmsg":"ok"}' },
  rejection: { status: 200, body: '{"errcode":40008,"errmsg":"invalid message type"}' },
  check: (r) => {
    const out: string[] = []
    if (r.url.searchParams.get('key') !== WECOM_KEY) out.push('key')
    if (r.json.msgtype !== 'markdown') out.push('msgtype')
    const content = get(r.json, 'markdown', 'content')
    if (typeof content !== 'string' || Buffer.byteLength(content) > 4096) out.push('markdown.content')
    return out
  },
}

/** DingTalk 加签: `timestamp` (ms) and `sign` = urlEncode(Base64(HmacSHA256(secret, timestamp + "\n" + secret))) in the query. */
const dingtalk: ReceiverOptions = {
  success: { status: 200, body: '{"errcode":0,"errmsg":"ok"}' },
  rejection: { status: 200, body: '{"errcode":310000,"errmsg":"sign not match"}' },
  check: (r) => {
    const out: string[] = []
    if (r.url.searchParams.get('access_token') !== DINGTALK_TOKEN) out.push('access_token')
    const ts = r.url.searchParams.get('timestamp') ?? ''
    if (!/^\d{13}$/.test(ts) || Math.abs(Date.now() - Number(ts)) > 3_600_000) out.push('timestamp')
    const expected = createHmac('sha256', SECRETS.dingtalk).update(`${ts}\n${SECRETS.dingtalk}`).digest('base64')
    if (!r.rawUrl.includes(`sign=${encodeURIComponent(expected)}`)) out.push('sign')
    if (r.json.msgtype !== 'markdown' || typeof get(r.json, 'markdown', 'title') !== 'string' || typeof get(r.json, 'markdown', 'text') !== 'string') out.push('markdown')
    return out
  },
}

/** Feishu 签名校验: `timestamp` (s) and `sign` = Base64(HmacSHA256(key = timestamp + "\n" + secret, "")) in the body. */
const feishu: ReceiverOptions = {
  success: { status: 200, body: '{"code":0,"msg":"success","data":{}}' },
  rejection: { status: 200, body: '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time","data":{}}' },
  check: (r) => {
    const out: string[] = []
    if (r.url.pathname !== `/open-apis/bot/v2/hook/${FEISHU_HOOK}`) out.push('path')
    const ts = r.json.timestamp
    if (typeof ts !== 'string' || !/^\d{10}$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > 3600) out.push('timestamp')
    const expected = createHmac('sha256', `${String(ts)}\n${SECRETS.feishu}`).update('').digest('base64')
    if (r.json.sign !== expected) out.push('sign')
    if (r.json.msg_type !== 'text' || typeof get(r.json, 'content', 'text') !== 'string') out.push('msg_type/content')
    return out
  },
}

/** Our webhook: `X-SafeGrid-Signature: t=<s>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`, at most 5 minutes old. */
const webhook: ReceiverOptions = {
  success: { status: 204, body: '' },
  rejection: { status: 401, body: '{"error":"bad signature"}' },
  check: (r) => {
    const out: string[] = []
    const sig = String(r.headers['x-safegrid-signature'] ?? '')
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig)
    if (!m) return ['signature header']
    if (Math.abs(Date.now() / 1000 - Number(m[1])) > 300) out.push('stale timestamp')
    const expected = createHmac('sha256', SECRETS.webhook).update(`${m[1]}.${r.body}`).digest('hex')
    if (m[2] !== expected) out.push('signature')
    if (typeof r.json.event !== 'string' || typeof r.json.text !== 'string' || String(r.headers['x-safegrid-delivery'] ?? '') !== String(r.json.deliveryId)) out.push('body')
    return out
  },
}

async function receiver(options: ReceiverOptions): Promise<Receiver> {
  const r = await startReceiver(options)
  receivers.push(r)
  return r
}

interface ChannelView {
  id: number
  url: string
  secret: string | null
  hasSecret: boolean
  events: string[]
  deliveries: { sent: number; failed: number; pending: number }
}
interface Delivery {
  id: number
  event: string
  hazardId: number | null
  status: string
  attempts: number
  lastError: string | null
  responseCode: number | null
  sentAt: string | null
  lastAttemptAt: string | null
}

async function addChannel(body: Record<string, unknown>): Promise<ChannelView> {
  const res = await admin.post('/api/alert-channels', { communityId: spot.communityId, ...body })
  expect(res.status, await res.clone().text()).toBe(201)
  const view = (await res.json()) as ChannelView
  channels.push(view.id)
  return view
}

const urls = (r: Receiver) => ({
  wecom: `${r.url}/cgi-bin/webhook/send?key=${WECOM_KEY}`,
  dingtalk: `${r.url}/robot/send?access_token=${DINGTALK_TOKEN}`,
  feishu: `${r.url}/open-apis/bot/v2/hook/${FEISHU_HOOK}`,
  webhook: `${r.url}/hooks/safegrid`,
})

async function report(extra: Record<string, unknown> = {}, at = spot): Promise<{ id: number; properties: Json }> {
  const res = await admin.post('/api/hazards', { category: 'fire_lane_blocked', severity: 'critical', location: { lon: at.lon, lat: at.lat }, ...extra })
  expect(res.status, await res.clone().text()).toBe(201)
  return (await res.json()) as { id: number; properties: Json }
}

async function deliveries(channelId: number): Promise<Delivery[]> {
  const res = await admin.get(`/api/alert-channels/${channelId}/deliveries`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { items: Delivery[] }).items
}

/** Poll the delivery log until `done` holds (the worker runs in the background). */
async function waitForLog(channelId: number, done: (items: Delivery[]) => boolean, timeoutMs = 30_000): Promise<Delivery[]> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const items = await deliveries(channelId)
    if (done(items)) return items
    if (Date.now() > until) throw new Error(`delivery log never settled: ${JSON.stringify(items)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const textOf = (r: Received): string => String(get(r.json, 'markdown', 'content') ?? get(r.json, 'markdown', 'text') ?? get(r.json, 'content', 'text') ?? r.json.text ?? '')

beforeAll(async () => {
  server = await startTestServer({
    alerts: { allowPrivateAddresses: true, publicUrl: PUBLIC_URL, pollMs: 100, overdueScanMs: 0, retryDelaysMs: [300, 300, 300], timeoutMs: 15_000, perChannelPerMinute: 1000 },
  })
  admin = await server.login('admin')
  const zones = await server.db.sql<{ lon: number; lat: number; zoneId: number; communityId: number }[]>`
    with p as (select z.id, ST_PointOnSurface(z.geom) as pt from zones z order by z.id limit 6)
    select ST_X(p.pt) as lon, ST_Y(p.pt) as lat, p.id as "zoneId", z.community_id as "communityId"
    from p join lateral (select id, community_id from zones z where ST_Covers(z.geom, p.pt) order by z.id limit 1) z on z.id = p.id
    order by p.id`
  if (zones.length < 2) throw new Error('the seed has fewer than two zones with their own point')
  spot = zones[0]!
  otherZone = zones.find((z) => z.zoneId !== spot.zoneId && z.communityId === spot.communityId)!
})

afterEach(async () => {
  // Each test's channels go, so the next test's matters reach only its own receivers.
  for (const id of channels.splice(0)) await admin.del(`/api/alert-channels/${id}`)
})

afterAll(async () => {
  await server?.close()
  await Promise.all(receivers.map((r) => r.close()))
})

test('a new critical matter reported through the API reaches WeCom, DingTalk, Feishu and the webhook, each as documented and signed', async () => {
  const rx = { wecom: await receiver(wecom), dingtalk: await receiver(dingtalk), feishu: await receiver(feishu), webhook: await receiver(webhook) }
  const made = {
    wecom: await addChannel({ name: '企业微信-网格群', provider: 'wecom', url: urls(rx.wecom).wecom }),
    dingtalk: await addChannel({ name: '钉钉-指挥群', provider: 'dingtalk', url: urls(rx.dingtalk).dingtalk, secret: SECRETS.dingtalk }),
    feishu: await addChannel({ name: '飞书-物业群', provider: 'feishu', url: urls(rx.feishu).feishu, secret: SECRETS.feishu }),
    webhook: await addChannel({ name: '区平台', provider: 'webhook', url: urls(rx.webhook).webhook, secret: SECRETS.webhook }),
  }
  const hazard = await report({ description: `3栋消防通道被堵，业主电话 ${PHONE}，<@all> **速来**` })

  for (const [provider, r] of Object.entries(rx)) {
    const [got] = await r.waitFor(1)
    expect({ provider, problems: got!.problems }).toEqual({ provider, problems: [] })
    const text = textOf(got!)
    expect(text).toContain('【平安网格】')
    expect(text).toContain('重大')
    expect(text).toContain('消防通道堵塞')
    expect(text).toContain(`${PUBLIC_URL}/?hazard=${hazard.id}`)
    expect(text).not.toContain(PHONE)
    expect(text).toContain('138****5678')
    expect(text).not.toContain('<@all>')
  }
  expect(get(rx.webhook.requests[0]!.json, 'matter', 'id')).toBe(hazard.id)
  expect(get(rx.webhook.requests[0]!.json, 'event')).toBe('critical')
  for (const ch of Object.values(made)) {
    const [d] = await waitForLog(ch.id, (items) => items[0]?.status === 'sent')
    expect(d).toMatchObject({ event: 'critical', hazardId: hazard.id, status: 'sent', attempts: 1 })
    expect(d!.responseCode).toBe(ch === made.webhook ? 204 : 200)
  }
})

test('only critical matters, only the channel’s zone and only the events it asked for', async () => {
  const all = await receiver(webhook)
  const zoneOnly = await receiver(webhook)
  const overdueOnly = await receiver(webhook)
  const everything = await addChannel({ name: 'all', provider: 'webhook', url: urls(all).webhook, secret: SECRETS.webhook, events: ['critical'] })
  const zoned = await addChannel({ name: 'zone', provider: 'webhook', url: urls(zoneOnly).webhook, secret: SECRETS.webhook, zoneId: otherZone.zoneId })
  const late = await addChannel({ name: 'overdue', provider: 'webhook', url: urls(overdueOnly).webhook, secret: SECRETS.webhook, events: ['overdue'] })
  await report({ severity: 'minor' })
  const critical = await report()
  const [got] = await all.waitFor(1)
  expect(get(got!.json, 'matter', 'id')).toBe(critical.id)
  await server.alerts!.afterRounds(2)
  expect({ all: all.requests.length, zone: zoneOnly.requests.length, overdue: overdueOnly.requests.length }).toEqual({ all: 1, zone: 0, overdue: 0 })
  expect((await deliveries(zoned.id)).length + (await deliveries(late.id)).length).toBe(0)
  expect((await deliveries(everything.id)).length).toBe(1)
  // The zone's own critical matter does reach the zone's channel.
  const inZone = await report({}, { ...otherZone, communityId: spot.communityId })
  const [zoneGot] = await zoneOnly.waitFor(1)
  expect(get(zoneGot!.json, 'matter', 'id')).toBe(inZone.id)
})

test('a channel of a micro-grid (issue #14) gets the critical and overdue matters reported in that micro-grid, not its sibling’s', async () => {
  const micro = await server.db.sql<{ id: number; parentId: number; name: string; lon: number; lat: number }[]>`
    select m.id::int, m.parent_id::int as "parentId", m.name, ST_X(ST_PointOnSurface(m.geom)) as lon, ST_Y(ST_PointOnSurface(m.geom)) as lat
    from zones m where m.community_id = ${spot.communityId} and m.parent_id is not null order by m.parent_id, m.id`
  const [a, b] = micro.filter((m) => m.parentId === micro[0]!.parentId)
  expect(a && b).toBeTruthy()
  const rxA = await receiver(wecom)
  const rxB = await receiver(webhook)
  const rxLate = await receiver(webhook)
  const chA = await addChannel({ name: '企业微信-微网格群', provider: 'wecom', url: urls(rxA).wecom, zoneId: a!.id })
  const chB = await addChannel({ name: 'sibling', provider: 'webhook', url: urls(rxB).webhook, secret: SECRETS.webhook, zoneId: b!.id })
  const late = await addChannel({ name: 'overdue-micro', provider: 'webhook', url: urls(rxLate).webhook, secret: SECRETS.webhook, zoneId: a!.id, events: ['overdue'] })
  const hazard = await report({}, { ...spot, lon: a!.lon, lat: a!.lat })
  expect(hazard.properties).toMatchObject({ zoneId: a!.parentId, microGridId: a!.id })
  const [got] = await rxA.waitFor(1)
  expect(got!.problems).toEqual([])
  expect(textOf(got!)).toContain(`${PUBLIC_URL}/?hazard=${hazard.id}`)
  expect(textOf(got!)).toContain(a!.name)
  const [d] = await waitForLog(chA.id, (items) => items[0]?.status === 'sent')
  expect(d).toMatchObject({ event: 'critical', hazardId: hazard.id })
  // Overdue in the micro-grid: the micro-grid's overdue channel (the overdue scan joins on micro_zone_id).
  const reportedAt = new Date(Date.now() - 86_400_000 + 2_000).toISOString()
  const overdue = await report({ severity: 'minor', category: 'corridor_clutter', reportedAt }, { ...spot, lon: a!.lon, lat: a!.lat })
  const [lateGot] = await rxLate.waitFor(1)
  expect(get(lateGot!.json, 'event')).toBe('overdue')
  expect(get(lateGot!.json, 'matter', 'id')).toBe(overdue.id)
  expect(get(lateGot!.json, 'matter', 'microGridId')).toBe(a!.id)
  await waitForLog(late.id, (items) => items.some((x) => x.event === 'overdue' && x.hazardId === overdue.id && x.status === 'sent'))
  await server.alerts!.afterRounds(2)
  expect(rxB.requests).toHaveLength(0)
  expect(await deliveries(chB.id)).toHaveLength(0)
})

test('a matter turning overdue is announced once per channel', async () => {
  const r = await receiver(webhook)
  const ch = await addChannel({ name: 'overdue', provider: 'webhook', url: urls(r).webhook, secret: SECRETS.webhook, events: ['overdue'] })
  // A minor matter reported almost a day ago: its one day runs out in two seconds.
  const reportedAt = new Date(Date.now() - 86_400_000 + 2_000).toISOString()
  const hazard = await report({ severity: 'minor', category: 'corridor_clutter', reportedAt })
  const [got] = await r.waitFor(1)
  expect(got!.problems).toEqual([])
  expect(get(got!.json, 'event')).toBe('overdue')
  expect(get(got!.json, 'matter', 'id')).toBe(hazard.id)
  expect(String(get(got!.json, 'text'))).toContain('超期')
  await server.alerts!.afterRounds(5)
  expect(r.requests.filter((x) => get(x.json, 'matter', 'id') === hazard.id)).toHaveLength(1)
  const log = await deliveries(ch.id)
  expect(log.filter((d) => d.hazardId === hazard.id).map((d) => [d.event, d.status])).toEqual([['overdue', 'sent']])
})

test('a receiver that fails (500, 500, then OK) is retried with backoff, and the log shows the attempts', async () => {
  const r = await receiver({ ...webhook, answer: (i) => (i < 2 ? { status: 500, body: 'upstream down' } : undefined) })
  const ch = await addChannel({ name: 'flaky', provider: 'webhook', url: urls(r).webhook, secret: SECRETS.webhook })
  await report()
  const got = await r.waitFor(3)
  const [d] = await waitForLog(ch.id, (items) => items[0]?.status === 'sent')
  expect(d).toMatchObject({ status: 'sent', attempts: 3, responseCode: 204 })
  expect(d!.lastError).toContain('HTTP 500')
  // The backoff (300 ms ± 10 %) separates the attempts.
  expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(270)
  expect(got[2]!.at - got[1]!.at).toBeGreaterThanOrEqual(270)
  expect(got.every((x) => x.problems.length === 0)).toBe(true)
  // Every attempt is the same delivery (the receiver can dedupe by it).
  expect(new Set(got.map((x) => x.headers['x-safegrid-delivery'])).size).toBe(1)
})

test('a delivery that keeps failing is given up after its attempts; a robot refusing the signature is not retried', async () => {
  const down = await receiver({ ...webhook, answer: () => ({ status: 503, body: '' }) })
  const wrong = await receiver(dingtalk)
  const a = await addChannel({ name: 'down', provider: 'webhook', url: urls(down).webhook })
  const b = await addChannel({ name: 'wrong secret', provider: 'dingtalk', url: urls(wrong).dingtalk, secret: 'SEC-not-the-robots-secret' })
  await report()
  const [da] = await waitForLog(a.id, (items) => items[0]?.status === 'failed')
  expect(da).toMatchObject({ status: 'failed', attempts: 4, responseCode: 503 })
  const [db] = await waitForLog(b.id, (items) => items[0]?.status === 'failed')
  expect(db).toMatchObject({ status: 'failed', attempts: 1 })
  expect(db!.lastError).toContain('310000')
  expect(down.requests).toHaveLength(4)
  expect(wrong.requests).toHaveLength(1)
})

test('a hanging receiver never holds up the request that caused the alert, nor the next ones', async () => {
  const r = await receiver({ ...webhook, answer: () => 'hang' })
  const ch = await addChannel({ name: 'hangs', provider: 'webhook', url: urls(r).webhook, secret: SECRETS.webhook })
  const first = await report()
  await r.waitFor(1)
  // The receiver holds the alert's connection open; the API answers meanwhile.
  const second = await report({ category: 'flying_wire_charging' })
  expect(second.id).toBeGreaterThan(first.id)
  expect((await admin.get(`/api/hazards/${first.id}`)).status).toBe(200)
  const [pending] = await deliveries(ch.id).then((items) => items.filter((d) => d.hazardId === first.id))
  expect(pending!.status).toBe('sending')
  await r.waitFor(2)
  r.release()
  const log = await waitForLog(ch.id, (items) => items.length === 2 && items.every((d) => d.status === 'sent'))
  expect(log.map((d) => d.hazardId).sort()).toEqual([first.id, second.id].sort())
})

test('an escalation recorded as a live event (issue #14) is announced with its levels and reason', async () => {
  const r = await receiver(webhook)
  await addChannel({ name: 'escalations', provider: 'webhook', url: urls(r).webhook, secret: SECRETS.webhook, events: ['escalation'] })
  const hazard = await report({ severity: 'major', category: 'facility_aging' })
  // What POST /api/hazards/:id/escalate records (branch issue-14): one `escalation` live event in its transaction.
  const feature = (await (await admin.get(`/api/hazards/${hazard.id}`)).json()) as Json
  const event = await recordLiveEvent(server.db.sql, {
    type: 'escalation' as never,
    communityId: spot.communityId,
    data: { hazardId: hazard.id, communityId: spot.communityId, from: 'micro_grid', to: 'street', reason: `需街道协调，联系 ${PHONE}`, by: 'command', unitId: null, feature },
  })
  server.alerts!.kick()
  const [got] = await r.waitFor(1)
  expect(got!.problems).toEqual([])
  expect(get(got!.json, 'event')).toBe('escalation')
  expect(get(got!.json, 'escalation', 'to')).toBe('street')
  const text = String(get(got!.json, 'text'))
  expect(text).toContain('事项升级：微网格 → 街道')
  expect(text).toContain('需街道协调')
  expect(text).not.toContain(PHONE)
  await server.alerts!.afterRounds(3)
  expect(r.requests).toHaveLength(1)
  expect(event.id).toBeGreaterThan(0)
})

test('two workers over one database send each alert once', async () => {
  const r = await receiver(webhook)
  await addChannel({ name: 'once', provider: 'webhook', url: urls(r).webhook, secret: SECRETS.webhook })
  // A second process's worker (its own cursor, its own claims) over the same database.
  const second = new AlertWorker({ sql: server.db.sql, settings: alertSettings({ allowPrivateAddresses: true, pollMs: 50, overdueScanMs: 0, retryDelaysMs: [300] }) })
  second.start()
  try {
    const made = [await report(), await report({ category: 'ebike_indoor' }), await report({ category: 'falling_object_risk' })]
    await r.waitFor(3)
    await Promise.all([server.alerts!.afterRounds(3), second.afterRounds(3)])
    expect(r.requests.map((x) => get(x.json, 'matter', 'id')).sort()).toEqual(made.map((h) => h.id).sort())
  } finally {
    await second.stop()
  }
})

test('"send a test" answers how it went and logs it; URLs and secrets are never answered in full', async () => {
  const r = await receiver(dingtalk)
  const made = await addChannel({ name: '钉钉-测试', provider: 'dingtalk', url: urls(r).dingtalk, secret: SECRETS.dingtalk })
  const res = await admin.post(`/api/alert-channels/${made.id}/test`)
  expect(res.status).toBe(200)
  const result = (await res.json()) as { ok: boolean; responseCode: number; delivery: Delivery }
  expect(result).toMatchObject({ ok: true, responseCode: 200, delivery: { event: 'test', status: 'sent', attempts: 1 } })
  expect(r.requests[0]!.problems).toEqual([])
  expect(textOf(r.requests[0]!)).toContain('测试消息')

  const answers = [
    JSON.stringify(made),
    await (await admin.get('/api/alert-channels')).text(),
    await (await admin.get(`/api/alert-channels/${made.id}`)).text(),
    await (await admin.put(`/api/alert-channels/${made.id}`, { name: '钉钉-改名' })).text(),
    await (await admin.get(`/api/alert-channels/${made.id}/deliveries`)).text(),
    await (await admin.get('/api/audit?limit=50')).text(),
  ]
  for (const text of answers) {
    expect(text).not.toContain(SECRETS.dingtalk)
    expect(text).not.toContain(DINGTALK_TOKEN)
  }
  expect(made).toMatchObject({ hasSecret: true, secret: 'SECd••••e6f7', url: `${r.url}/robot/send?access_token=dt01••••cdef` })
  // Removing the secret is explicit.
  const cleared = (await (await admin.put(`/api/alert-channels/${made.id}`, { secret: null })).json()) as ChannelView
  expect(cleared).toMatchObject({ hasSecret: false, secret: null })
})

test('bad channels are refused with problem+json and change nothing; non-admins get 403', async () => {
  const before = ((await (await admin.get('/api/alert-channels')).json()) as { items: unknown[] }).items.length
  const bad: [Record<string, unknown>, number][] = [
    [{ name: 'x', provider: 'webhook', url: 'ftp://example.com/hook' }, 422],
    [{ name: 'x', provider: 'webhook', url: 'https://user:pw@example.com/hook' }, 422],
    [{ name: 'x', provider: 'webhook', url: 'not a url' }, 422],
    [{ name: 'x', provider: 'sms', url: 'https://example.com/hook' }, 400],
    [{ name: 'x', provider: 'webhook', url: 'https://example.com/hook', events: [] }, 400],
    [{ name: 'x', provider: 'webhook', url: 'https://example.com/hook', zoneId: 999_999_999 }, 422],
    [{ name: '', provider: 'webhook', url: 'https://example.com/hook' }, 400],
  ]
  for (const [body, status] of bad) {
    const res = await admin.post('/api/alert-channels', { communityId: spot.communityId, ...body })
    expect({ body, status: res.status, type: res.headers.get('content-type') }).toEqual({ body, status, type: expect.stringContaining('application/problem+json') })
  }
  expect((await admin.post('/api/alert-channels', { communityId: 999_999_999, name: 'x', provider: 'webhook', url: 'https://example.com/h' })).status).toBe(404)
  expect((await admin.put('/api/alert-channels/999999999', { name: 'x' })).status).toBe(404)
  expect(((await (await admin.get('/api/alert-channels')).json()) as { items: unknown[] }).items.length).toBe(before)
  for (const role of ['planner', 'command', 'leader', 'patrol']) {
    const client = await server.login(role)
    expect((await client.get('/api/alert-channels')).status).toBe(403)
    expect((await client.post('/api/alert-channels', { communityId: spot.communityId, name: 'x', provider: 'webhook', url: 'https://example.com/h' })).status).toBe(403)
  }
})

test("an admin of another community neither sees nor touches this community's channels", async () => {
  const r = await receiver(webhook)
  const ours = await addChannel({ name: 'A 的通道', provider: 'webhook', url: urls(r).webhook, secret: SECRETS.webhook })
  const [district] = await server.db.sql<{ id: number }[]>`insert into districts (name) values ('另一街道') returning id`
  await server.db.sql`
    insert into communities (district_id, name, utm_srid, boundary)
    values (${district!.id}, '另一社区', 32650, ST_Multi(ST_MakeEnvelope(114.60, 30.70, 114.61, 30.71, 4326)))`
  await createUser(server.db.sql, { username: 'admin-b', name: '乙管理员', role: 'admin', passwordHash: await hashPassword('demo-b-pass'), districtId: district!.id })
  const other = await server.login('admin-b', 'demo-b-pass')
  const listed = (await (await other.get('/api/alert-channels')).json()) as { items: { id: number }[] }
  expect(listed.items.map((c) => c.id)).not.toContain(ours.id)
  const probes: [string, string, unknown?][] = [
    ['GET', `/api/alert-channels/${ours.id}`],
    ['PUT', `/api/alert-channels/${ours.id}`, { name: 'taken' }],
    ['POST', `/api/alert-channels/${ours.id}/test`],
    ['GET', `/api/alert-channels/${ours.id}/deliveries`],
    ['DELETE', `/api/alert-channels/${ours.id}`],
    ['POST', '/api/alert-channels', { communityId: spot.communityId, name: 'into A', provider: 'webhook', url: 'https://example.com/h' }],
  ]
  for (const [method, path, body] of probes) {
    const res = await other.send(method, path, body)
    const text = await res.text()
    expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 })
    expect(text).not.toContain('A 的通道')
  }
  expect(r.requests).toHaveLength(0)
  const [still] = await server.db.sql<{ name: string }[]>`select name from alert_channels where id = ${ours.id}`
  expect(still?.name).toBe('A 的通道')
})
