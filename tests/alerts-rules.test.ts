/**
 * The rules of alert delivery that need no server: where an alert may go (SSRF guard), what the API
 * shows of a channel's credentials, what a message says, how each robot's answer is read, which live
 * events raise an alert, and the retry schedule.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, test } from 'vitest'
import { guardedLookup, isPrivateAddress, urlProblem } from '../server/alerts/address.ts'
import { DEFAULT_RETRY_DELAYS_MS } from '../server/alerts/config.ts'
import { postJson, SendFailure } from '../server/alerts/http.ts'
import { maskSecret, maskUrl } from '../server/alerts/mask.ts'
import { alertText, isAnnounced, matterAlert, maskDigits, plain, type MatterFacts } from '../server/alerts/message.ts'
import { buildRequest, dingtalkSign, feishuSign, fitBytes, judgeAnswer, webhookSignature } from '../server/alerts/providers.ts'
import { channelTakes, retryDelay, triggerOf } from '../server/alerts/worker.ts'

describe('where an alert may be sent', () => {
  test('private, loopback, link-local and special addresses are refused; public ones pass', () => {
    const refused = ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::a00:1', '[::1]']
    const allowed = ['8.8.8.8', '203.119.0.1', '172.32.0.1', '2400:3200::1', '64:ff9b::808:808', '::ffff:8.8.8.8']
    expect(refused.filter((a) => !isPrivateAddress(a))).toEqual([])
    expect(allowed.filter((a) => isPrivateAddress(a))).toEqual([])
  })

  test('only http(s) URLs without credentials, and no private host unless allowed', () => {
    expect(urlProblem('https://oapi.dingtalk.com/robot/send?access_token=x', false)).toBeUndefined()
    expect(urlProblem('ftp://example.com/x', false)).toMatch(/https/)
    expect(urlProblem('file:///etc/passwd', false)).toMatch(/https/)
    expect(urlProblem('https://u:p@example.com/x', false)).toMatch(/user name/)
    expect(urlProblem('nonsense', false)).toMatch(/absolute/)
    for (const u of ['http://127.0.0.1:5432/', 'http://localhost:8080/', 'http://api.localhost/', 'http://[::1]/', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.7/hook']) {
      expect({ u, problem: urlProblem(u, false) }).toEqual({ u, problem: expect.any(String) })
      expect(urlProblem(u, true)).toBeUndefined()
    }
  })

  test('a name that resolves to a private address is refused at connect time', async () => {
    const lookup = guardedLookup(false)
    const error = await new Promise<Error | null>((resolve) => lookup('localhost', { all: true }, (e) => resolve(e)))
    expect(error?.name).toBe('AddressRefused')
    const allowed = await new Promise<Error | null>((resolve) => guardedLookup(true)('localhost', { all: true }, (e) => resolve(e)))
    expect(allowed).toBeNull()
  })

  test('postJson refuses a private receiver unless allowed, follows no redirect and gives up after its timeout', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/' })
        res.end()
      } else if (req.url === '/hang') {
        // never answers
      } else {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"ok":true}')
      }
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      await expect(postJson(`${base}/`, '{}', {}, { timeoutMs: 5000, allowPrivate: false })).rejects.toBeInstanceOf(SendFailure)
      expect(await postJson(`${base}/`, '{}', {}, { timeoutMs: 5000, allowPrivate: true })).toMatchObject({ status: 200, body: '{"ok":true}' })
      expect(await postJson(`${base}/redirect`, '{}', {}, { timeoutMs: 5000, allowPrivate: true })).toMatchObject({ status: 302 })
      await expect(postJson(`${base}/hang`, '{}', {}, { timeoutMs: 200, allowPrivate: true })).rejects.toThrow(/no answer within 200 ms/)
    } finally {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  })
})

describe('what the API shows of a channel', () => {
  test('secrets and URL tokens are masked to their ends', () => {
    expect(maskSecret('SEC0123456789abcdef')).toBe('SEC0••••cdef')
    expect(maskSecret('short')).toBe('••••')
    expect(maskUrl('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa')).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a••••5aaa')
    expect(maskUrl('https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07-bd07-265f269f86fd')).toBe('https://open.feishu.cn/open-apis/bot/v2/hook/5e3d••••86fd')
    expect(maskUrl('https://hooks.example.com/in?token=abc&id=0123456789')).toBe('https://hooks.example.com/in?token=••••&id=••••')
    expect(maskUrl('not a url')).toBe('••••')
  })
})

const facts: MatterFacts = {
  id: 42,
  communityId: 1,
  zoneId: 3,
  buildingId: 7,
  type: 'hazard',
  category: 'flying_wire_charging',
  severity: 'critical',
  level: 'micro_grid',
  status: 'reported',
  reportedAt: '2026-12-05T06:30:00Z',
  dueAt: '2026-12-06T06:30:00Z',
  description: '5栋2单元飞线充电 [点我](http://evil.example) <font color="red">@all</font> 电话 138 1234 5678',
  communityName: '光谷广场社区',
  zoneName: '第1网格',
  buildingName: '5栋',
}

describe('what an alert says', () => {
  test('a critical matter: kind, category, danger, level, place, due time (Beijing time) and link', () => {
    const text = alertText(matterAlert('critical', facts, 'https://pingan.example.cn/'))
    expect(text.split('\n')).toEqual([
      '【平安网格】重大事项，请立即处置',
      '事项：隐患 · 飞线充电（编号 42）',
      '危险程度：重大',
      '办理层级：微网格（小事，1 天内办结）',
      '地点：光谷广场社区 · 5栋 · 第1网格',
      '状态：已上报',
      '办结期限：12月06日 14:30',
      expect.stringMatching(/^描述：5栋2单元飞线充电 ［点我］（http:\/\/evil\.example） ＜font color="red"＞＠all＜\/font＞ 电话 138\*{4}5678$/),
      '查看：https://pingan.example.cn/?hazard=42',
    ])
  })

  test('leads (治安线索) are never posted to a work group; every other kind is', () => {
    expect(isAnnounced({ type: 'lead' })).toBe(false)
    expect(['hazard', 'dispute', 'emergency', 'request', 'information', null].map((type) => isAnnounced({ type }))).toEqual([true, true, true, true, true, true])
  })

  test('people’s text is cut, masked and stripped of markup', () => {
    expect(maskDigits('call 13812345678 or 027-8765 4321, room 1203')).toBe('call 138****5678 or 027****4321, room 1203')
    expect(plain('a'.repeat(200)).length).toBe(80)
    expect(plain('**bold** `code` #h <@u> [x](y)')).toBe('··bold·· ·code· ＃h ＜＠u＞ ［x］（y）')
    expect(plain(null)).toBe('')
  })

  test('an escalation names the levels and the reason; an overdue matter says so; no link without PUBLIC_URL', () => {
    const esc = matterAlert('escalation', facts, null, { from: 'micro_grid', to: 'grid', reason: '需网格协调', unitId: null })
    expect(esc.title).toBe('【平安网格】事项升级：微网格 → 网格')
    expect(esc.lines).toContainEqual({ label: '升级原因', value: '需网格协调' })
    expect(esc.url).toBeNull()
    expect(alertText(matterAlert('overdue', facts, null))).toContain('办结期限（已超期）：12月06日 14:30')
  })
})

describe('each robot’s request and answer', () => {
  const payload = matterAlert('critical', facts, 'https://pingan.example.cn')
  const now = new Date('2026-12-05T06:31:00Z')

  test('the signatures follow the documented algorithms', () => {
    // Expected values computed apart with Python's hmac (DingTalk: keyed with the secret over "timestamp\nsecret";
    // Feishu: keyed with "timestamp\nsecret" over the empty message).
    expect(dingtalkSign('this is secret', 1577808000000)).toBe('ijHEivi6YiCNPZOq4hZstmvZ3sPfbioAiMhP30ae7W0=')
    expect(feishuSign('this is secret', 1577808000)).toBe('auEpGaeER5bQKROzNWMLY+1CepR1G6J5G+wGCBnAxDM=')
    expect(webhookSignature('k', 1, '{}')).toMatch(/^[0-9a-f]{64}$/)
  })

  test('DingTalk gets timestamp and the URL-encoded sign in the query; Feishu gets them in the body; WeCom and the webhook as documented', () => {
    const ding = buildRequest({ provider: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=T', secret: 'S' }, payload, { id: 1, communityId: 1 }, now)
    const q = new URL(ding.url).searchParams
    expect(q.get('access_token')).toBe('T')
    expect(q.get('timestamp')).toBe(String(now.getTime()))
    expect(ding.url).toContain(`sign=${encodeURIComponent(dingtalkSign('S', now.getTime()))}`)
    expect(JSON.parse(ding.body)).toMatchObject({ msgtype: 'markdown', markdown: { title: payload.title, text: expect.stringContaining('#### 【平安网格】') } })

    const fs = JSON.parse(buildRequest({ provider: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/H', secret: 'S' }, payload, { id: 1, communityId: 1 }, now).body)
    expect(fs).toEqual({ timestamp: String(now.getTime() / 1000), sign: feishuSign('S', now.getTime() / 1000), msg_type: 'text', content: { text: alertText(payload) } })
    const fsUnsigned = JSON.parse(buildRequest({ provider: 'feishu', url: 'https://open.feishu.cn/x', secret: null }, payload, { id: 1, communityId: 1 }, now).body)
    expect(Object.keys(fsUnsigned)).toEqual(['msg_type', 'content'])

    const wx = buildRequest({ provider: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K', secret: 'ignored' }, payload, { id: 1, communityId: 1 }, now)
    expect(wx.url).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K')
    expect(JSON.parse(wx.body)).toEqual({ msgtype: 'markdown', markdown: { content: expect.stringContaining('[查看详情](https://pingan.example.cn/?hazard=42)') } })

    const hook = buildRequest({ provider: 'webhook', url: 'https://h.example/x', secret: 'S' }, payload, { id: 9, communityId: 1 }, now)
    const t = Math.floor(now.getTime() / 1000)
    expect(hook.headers['x-safegrid-signature']).toBe(`t=${t},v1=${webhookSignature('S', t, hook.body)}`)
    expect(JSON.parse(hook.body)).toMatchObject({ event: 'critical', deliveryId: 9, matter: { id: 42, level: 'micro_grid' } })
  })

  test('WeCom markdown is cut to 4096 bytes on a character boundary', () => {
    const cut = fitBytes('隐'.repeat(2000), 4096)
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(4096)
    expect(cut.endsWith('…')).toBe(true)
  })

  test('answers: 2xx with code 0 is sent; rate limits and 5xx are retried; other robot errors and 4xx are final', () => {
    expect(judgeAnswer('wecom', 200, '{"errcode":0,"errmsg":"ok"}')).toEqual({ ok: true })
    expect(judgeAnswer('dingtalk', 200, '{"errcode":0,"errmsg":"ok"}')).toEqual({ ok: true })
    expect(judgeAnswer('feishu', 200, '{"code":0,"msg":"success","data":{}}')).toEqual({ ok: true })
    expect(judgeAnswer('feishu', 200, '{"Extra":null,"StatusCode":0,"StatusMessage":"success"}')).toEqual({ ok: true })
    expect(judgeAnswer('webhook', 204, '')).toEqual({ ok: true })
    expect(judgeAnswer('dingtalk', 200, '{"errcode":310000,"errmsg":"sign not match"}')).toMatchObject({ ok: false, retryable: false })
    expect(judgeAnswer('dingtalk', 200, '{"errcode":130101,"errmsg":"send too fast"}')).toMatchObject({ ok: false, retryable: true })
    expect(judgeAnswer('wecom', 200, '{"errcode":45009,"errmsg":"api freq out of limit"}')).toMatchObject({ ok: false, retryable: true })
    expect(judgeAnswer('feishu', 200, '{"code":19021,"msg":"sign match fail"}')).toMatchObject({ ok: false, retryable: false })
    expect(judgeAnswer('webhook', 500, 'x')).toMatchObject({ ok: false, retryable: true })
    expect(judgeAnswer('webhook', 429, '')).toMatchObject({ ok: false, retryable: true })
    expect(judgeAnswer('webhook', 404, '')).toMatchObject({ ok: false, retryable: false })
    expect(judgeAnswer('wecom', 200, '<html>proxy</html>')).toMatchObject({ ok: false, retryable: true })
  })
})

describe('which live events raise an alert', () => {
  const at = new Date('2026-12-05T06:30:00Z')
  const feature = (props: Record<string, unknown>) => ({ type: 'Feature', id: 42, properties: { id: 42, communityId: 1, zoneId: 3, severity: 'critical', version: 1, ...props } })

  test('a critical matter at version 1 raises `critical`; later versions, other severities and other events do not', () => {
    expect(triggerOf({ id: 5, type: 'hazard', communityId: 1, data: feature({}), at })).toEqual({ event: 'critical', key: 'critical:42', hazardId: 42, communityId: 1, zoneId: 3, microGridId: null, liveEventId: 5, at })
    expect(triggerOf({ id: 5, type: 'hazard', communityId: 1, data: feature({ version: 2 }), at })).toBeNull()
    expect(triggerOf({ id: 5, type: 'hazard', communityId: 1, data: feature({ severity: 'major' }), at })).toBeNull()
    expect(triggerOf({ id: 5, type: 'position', communityId: 1, data: { deviceId: 'x' }, at })).toBeNull()
    expect(triggerOf({ id: 5, type: 'hazard', communityId: 1, data: 'garbage', at })).toBeNull()
  })

  test('an `escalation` row (issue #14: { hazardId, communityId, from, to, reason, by, unitId, feature }) raises `escalation`, once per event', () => {
    const data = { hazardId: 42, communityId: 1, from: 'grid', to: 'street', reason: '需街道协调', by: 'command', unitId: 9, feature: feature({ version: 4 }) }
    expect(triggerOf({ id: 77, type: 'escalation', communityId: 1, data, at })).toEqual({
      event: 'escalation',
      key: 'escalation:77',
      hazardId: 42,
      communityId: 1,
      zoneId: 3,
      microGridId: null,
      liveEventId: 77,
      at,
      escalation: { from: 'grid', to: 'street', reason: '需街道协调', unitId: 9, unitName: null },
    })
  })

  test('a channel takes alerts of its community, its zone, its events, raised after it was made', () => {
    const ch = { id: 1, communityId: 1, zoneId: null, events: ['critical' as const], createdAt: new Date(at.getTime() - 1000) }
    const t = { event: 'critical' as const, communityId: 1, zoneId: 3, at }
    expect(channelTakes(ch, t)).toBe(true)
    expect(channelTakes({ ...ch, zoneId: 4 }, t)).toBe(false)
    expect(channelTakes({ ...ch, communityId: 2 }, t)).toBe(false)
    expect(channelTakes({ ...ch, events: ['overdue'] }, t)).toBe(false)
    expect(channelTakes({ ...ch, createdAt: new Date(at.getTime() + 1) }, t)).toBe(false)
  })

  test('a channel of a micro-grid (issue #14) takes the alerts of matters reported in it, not of others in its grid', () => {
    expect(triggerOf({ id: 5, type: 'hazard', communityId: 1, data: feature({ microGridId: 31 }), at })).toMatchObject({ zoneId: 3, microGridId: 31 })
    const ch = { id: 1, communityId: 1, zoneId: 31, events: ['critical' as const], createdAt: new Date(at.getTime() - 1000) }
    expect(channelTakes(ch, { event: 'critical', communityId: 1, zoneId: 3, microGridId: 31, at })).toBe(true)
    expect(channelTakes(ch, { event: 'critical', communityId: 1, zoneId: 3, microGridId: 32, at })).toBe(false)
    expect(channelTakes(ch, { event: 'critical', communityId: 1, zoneId: 3, microGridId: null, at })).toBe(false)
    // The grid's channel still takes them.
    expect(channelTakes({ ...ch, zoneId: 3 }, { event: 'critical', communityId: 1, zoneId: 3, microGridId: 31, at })).toBe(true)
  })
})

test('the retry schedule: 10 s, 30 s, 2 min, 10 min, 30 min, 2 h (±10 %), then given up; Retry-After is honoured', () => {
  const settings = { retryDelaysMs: DEFAULT_RETRY_DELAYS_MS }
  const max = DEFAULT_RETRY_DELAYS_MS.length + 1
  expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(settings, n, max, undefined, () => 0.5))).toEqual([10_000, 30_000, 120_000, 600_000, 1_800_000, 7_200_000])
  expect(retryDelay(settings, 1, max, undefined, () => 0)).toBe(9_000)
  expect(retryDelay(settings, 1, max, undefined, () => 1)).toBe(11_000)
  expect(retryDelay(settings, 7, max)).toBeNull()
  expect(retryDelay(settings, 1, max, 60_000, () => 0.5)).toBe(60_000)
})
