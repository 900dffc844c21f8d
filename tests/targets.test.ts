/**
 * Targets per community (目标值, issue 19.8) against a real server: an admin sets a community's own targets;
 * the statistics, the reports and their exports measure against them; bad input changes nothing; only an admin
 * sets them and nobody reads another community's. And one vocabulary: the reports say what the term table says.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { DEFAULT_TARGETS, METRIC_TERMS, PERIOD_TERMS, STATUS_TERMS } from '../core/terms.ts'
import { zh } from '../web/i18n/zh.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Targets {
  communityId: number
  own: Record<string, number>
  targets: typeof DEFAULT_TARGETS
}

let server: TestServer
let admin: Client
let command: Client
let communityId: number
let date: string

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  command = await server.login('command')
  const [c] = await server.db.sql<{ id: number }[]>`select id::int from communities order by id limit 1`
  communityId = c!.id
  date = new Date(server.seededAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
})
afterAll(async () => {
  await server?.close()
})

/** A community of its own for one test (so tests do not share targets). */
async function newCommunity(name: string): Promise<number> {
  const res = await admin.post('/api/communities', {
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: [[[114.0, 30.0], [114.01, 30.0], [114.01, 30.01], [114.0, 30.01], [114.0, 30.0]]] },
    properties: { name },
  })
  expect(res.status, await res.clone().text()).toBe(201)
  return ((await res.json()) as { id: number }).id
}

async function expectProblem(res: Response, status: number): Promise<void> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toContain('application/problem+json')
}

test('a community without its own targets is measured against the defaults', async () => {
  const id = await newCommunity('目标默认社区')
  const res = await admin.get(`/api/communities/${id}/targets`)
  expect(res.status).toBe(200)
  expect(await res.json()).toEqual({ communityId: id, own: {}, targets: DEFAULT_TARGETS })
})

test('an admin sets a community’s targets; the statistics and the report measure against them, audited', async () => {
  const put = await admin.put(`/api/communities/${communityId}/targets`, { responseRate: 0.9, onTimeClosureRate: 0.95, weeklyCoverage: null })
  expect(put.status, await put.clone().text()).toBe(200)
  const saved = (await put.json()) as Targets
  expect(saved.own).toEqual({ responseRate: 0.9, onTimeClosureRate: 0.95 })
  expect(saved.targets).toMatchObject({ responseRate: 0.9, onTimeClosureRate: 0.95, weeklyCoverage: DEFAULT_TARGETS.weeklyCoverage, responseMinutes: 7 })

  const stats = (await (await command.get(`/api/stats?communityId=${communityId}`)).json()) as { targets: Targets['targets'] }
  expect(stats.targets).toEqual(saved.targets)
  const report = (await (await command.get(`/api/reports/month?date=${date}&communityId=${communityId}&format=json`)).json()) as {
    targets: Targets['targets']
    tables?: unknown
  }
  expect(report.targets).toMatchObject({ responseRate: 0.9, onTimeClosureRate: 0.95, weeklyCoverage: 1 })
  const html = await (await command.get(`/api/reports/month?date=${date}&communityId=${communityId}`)).text()
  expect(html).toContain('目标 ≥ 95%')

  const [audit] = await server.db.sql<{ after: unknown }[]>`
    select after from audit_log where entity = 'community_targets' and entity_id = ${String(communityId)} order by id desc limit 1`
  expect(audit!.after).toEqual({ responseRate: 0.9, onTimeClosureRate: 0.95 })
})

test('targets outside 0..1, unknown keys and non-numbers are refused with a problem and change nothing', async () => {
  const id = await newCommunity('目标校验社区')
  for (const body of [{ responseRate: 1.5 }, { responseRate: -0.1 }, { responseRate: '0.9' }, { speed: 0.5 }, [0.9]]) {
    await expectProblem(await admin.put(`/api/communities/${id}/targets`, body), 400)
  }
  await expectProblem(await admin.send('PUT', `/api/communities/${id}/targets`, '{"responseRate": 1e999}', { 'content-type': 'application/json' }), 400)
  const [row] = await server.db.sql<{ targets: unknown }[]>`select targets from communities where id = ${id}`
  expect(row!.targets).toEqual({})
})

test('only an admin sets targets; nobody reads or sets another community’s', async () => {
  const leader = await server.login('leader')
  const own = await leader.get(`/api/communities/${communityId}/targets`)
  expect(own.status).toBe(200)
  await expectProblem(await command.put(`/api/communities/${communityId}/targets`, { responseRate: 0.5 }), 403)
  await expectProblem(await leader.put(`/api/communities/${communityId}/targets`, { responseRate: 0.5 }), 403)
  const other = await newCommunity('目标他人社区')
  await expectProblem(await leader.get(`/api/communities/${other}/targets`), 404)
  await expectProblem(await admin.get('/api/communities/999999999/targets'), 404)
  await expectProblem(await admin.put('/api/communities/999999999/targets', { responseRate: 0.5 }), 404)
})

test('the web app, the reports and the exports use the term table’s words', async () => {
  for (const [status, term] of Object.entries(STATUS_TERMS)) expect(zh[`hazardStatus.${status}` as keyof typeof zh]).toBe(term.zh)
  const html = await (await command.get(`/api/reports/month?date=${date}&communityId=${communityId}`)).text()
  expect(html).toContain(PERIOD_TERMS.month.zh)
  expect(html).toContain(METRIC_TERMS.onTimeClosureRate.zh)
  expect(html).toContain('超期')
  for (const old of ['月度通报', '按时办结率', '逾期', '已回访销号', '已反弹']) expect(html).not.toContain(old)
  const csv = await command.get(`/api/reports/month?date=${date}&communityId=${communityId}&format=csv`)
  expect(decodeURIComponent(csv.headers.get('content-disposition') ?? '')).toContain(PERIOD_TERMS.month.zh)
  const body = await csv.text()
  expect(body).toContain(METRIC_TERMS.onTimeClosureRate.zh)
  expect(body).not.toContain('按时办结率')
})
