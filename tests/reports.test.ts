import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { periodWindow } from '../core/period.ts'
import { launchChromium } from './helpers/browser.ts'
import { parseCsv } from './helpers/csv.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface ReportJson {
  window: { firstDay: string; lastDay: string; from: string; to: string; key: string }
  scope: { communities: { id: number; name: string }[] }
  headline: {
    found: number
    closed: number
    overdue: number
    respondedInTime: number
    responseRate: number | null
    onTimeClosureRate: number | null
    recurrences: number
    buildings: { total: number; visited: number }
    keyPlaces: { total: number }
  }
  byCategory: { category: string; found: number; closed: number; overdue: number }[]
  byType: { type: string; found: number; closed: number; overdue: number }[]
  byZone: { zoneId: number; name: string; assigneeName: string | null; found: number; closed: number; overdue: number }[]
  unzoned: { found: number }
  coverageByZone: { zoneId: number }[]
  coverageByTeam: { teamName: string }[]
  weeklyRule: { week: string; compounds: number; patrolled: number; met: boolean }[]
  hotspots: { count: number }[]
  topPlaces: { buildingId: number; count: number }[]
  map: { hazards: unknown[]; zones: unknown[]; communities: unknown[] }
}


let server: TestServer
let command: Client
let communityId: number
/** The Asia/Shanghai month of the seed's "now", the month with the most data. */
let month: string
let date: string
let w: ReturnType<typeof periodWindow>
let report: ReportJson

beforeAll(async () => {
  server = await startTestServer()
  command = await server.login('command')
  const [c] = await server.db.sql<{ id: number }[]>`select id from communities order by id limit 1`
  communityId = c!.id
  date = new Date(server.seededAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
  month = date.slice(0, 7)
  w = periodWindow('month', date)
  const res = await command.get(`/api/reports/month?date=${date}&communityId=${communityId}&format=json`)
  expect(res.status).toBe(200)
  report = (await res.json()) as ReportJson
})
afterAll(async () => {
  await server?.close()
})

describe('periods', () => {
  test('a week is the ISO week (Monday to Sunday) containing the date, across a new year', () => {
    const p = periodWindow('week', '2026-01-01')
    expect(p).toMatchObject({ firstDay: '2025-12-29', lastDay: '2026-01-04', key: '2026-W01', days: 7 })
    expect(p.from).toBe('2025-12-28T16:00:00.000Z')
  })

  test('a month ends at the last day, Asia/Shanghai midnight', () => {
    expect(periodWindow('month', '2028-02-10')).toMatchObject({ firstDay: '2028-02-01', lastDay: '2028-02-29', days: 29, to: '2028-02-29T16:00:00.000Z' })
  })

  test('a day is the Shanghai calendar day', () => {
    expect(periodWindow('day', '2026-11-25')).toMatchObject({ from: '2026-11-24T16:00:00.000Z', to: '2026-11-25T16:00:00.000Z', days: 1 })
  })
})

describe('figures against the seeded data', () => {
  test('the window is the month containing the date', () => {
    expect(report.window.key).toBe(month)
    expect(report.window.firstDay).toBe(`${month}-01`)
    expect(report.scope.communities.map((c) => c.id)).toEqual([communityId])
  })

  test('found, closed and overdue by category match SQL', async () => {
    // The category table is the hazards' (type = hazard); the headline counts every kind of matter.
    const rows = await server.db.sql<{ category: string; type: string; found: number; closed: number; overdue: number }[]>`
      select category, type,
        count(*) filter (where reported_at >= ${w.from}::timestamptz and reported_at < ${w.to}::timestamptz)::int as found,
        count(*) filter (where status = 'verified' and closed_at >= ${w.from}::timestamptz and closed_at < ${w.to}::timestamptz)::int as closed,
        count(*) filter (where due_at >= ${w.from}::timestamptz and due_at < least(${w.to}::timestamptz, now())
                           and (closed_at is null or closed_at > due_at))::int as overdue
      from hazards where community_id = ${communityId} and status <> 'rejected' group by category, type`
    const expected = Object.fromEntries(rows.filter((r) => r.type === 'hazard').map((r) => [r.category, { found: r.found, closed: r.closed, overdue: r.overdue }]))
    for (const r of report.byCategory) {
      expect({ category: r.category, found: r.found, closed: r.closed, overdue: r.overdue }).toEqual({ category: r.category, ...(expected[r.category] ?? { found: 0, closed: 0, overdue: 0 }) })
    }
    expect(report.headline.found).toBe(rows.reduce((s, r) => s + r.found, 0))
    expect(report.headline.found).toBeGreaterThan(20)
  })

  test('the 7-minute response rate and on-time closure rate match SQL', async () => {
    const [r] = await server.db.sql<{ n: number; base: number; fast: number; onTime: number }[]>`
      select count(*)::int as n,
             count(*) filter (where not found_on_patrol and not (arrived_at is null and now() - reported_at < interval '7 minutes'))::int as base,
             count(*) filter (where not found_on_patrol and extract(epoch from arrived_at - reported_at) <= 420)::int as fast,
             count(*) filter (where status = 'verified' and closed_at <= due_at)::int as "onTime"
      from hazards where community_id = ${communityId} and status <> 'rejected'
        and reported_at >= ${w.from}::timestamptz and reported_at < ${w.to}::timestamptz`
    expect(report.headline.respondedInTime).toBe(r!.fast)
    // Issue 15: arrivals on site over the matters not found on patrol.
    expect(report.headline.responseRate).toBeCloseTo(r!.fast / r!.base, 10)
    expect(report.headline.onTimeClosureRate).toBeCloseTo(r!.onTime / r!.n, 10)
  })

  test('hazards count for the zone that covered them when reported (zone_history)', async () => {
    const rows = await server.db.sql<{ zoneId: number | null; n: number }[]>`
      select (select zh.zone_id from zone_history zh
              where zh.community_id = h.community_id and zh.parent_id is null and zh.valid_from <= h.reported_at
                and (zh.valid_to is null or zh.valid_to > h.reported_at) and ST_Intersects(zh.geom, h.geom)
              order by zh.zone_id limit 1) as "zoneId", count(*)::int as n
      from hazards h where h.community_id = ${communityId} and h.status <> 'rejected'
        and h.reported_at >= ${w.from}::timestamptz and h.reported_at < ${w.to}::timestamptz
      group by 1`
    for (const r of rows) {
      if (r.zoneId === null) expect(report.unzoned.found).toBe(r.n)
      else expect(report.byZone.find((z) => z.zoneId === r.zoneId)?.found).toBe(r.n)
    }
    expect(report.byZone.reduce((s, z) => s + z.found, 0) + report.unzoned.found).toBe(report.headline.found)
  })

  // Reports are by grid: micro-grids (zone_history.parent_id set) are not zones of their own there.
  test("each zone names its assignee as valid in the period", async () => {
    const rows = await server.db.sql<{ zoneId: number; name: string | null }[]>`
      select distinct on (zh.zone_id) zh.zone_id as "zoneId", p.name
      from zone_history zh left join people p on p.id = zh.assignee_id
      where zh.community_id = ${communityId} and zh.parent_id is null and zh.valid_from < ${w.to}::timestamptz and (zh.valid_to is null or zh.valid_to > ${w.from}::timestamptz)
      order by zh.zone_id, zh.valid_from desc`
    expect(report.byZone.map((z) => [z.zoneId, z.assigneeName])).toEqual(rows.map((r) => [r.zoneId, r.name]))
  })

  test('patrol coverage counts every building and key place of the community, per zone and per team', async () => {
    const [r] = await server.db.sql<{ b: number; k: number; z: number }[]>`
      select (select count(*)::int from buildings where community_id = ${communityId}) as b,
             (select count(*)::int from key_places where community_id = ${communityId}) as k,
             (select count(*)::int from zones where community_id = ${communityId} and parent_id is null) as z`
    expect(report.headline.buildings.total).toBe(r!.b)
    expect(report.headline.keyPlaces.total).toBe(r!.k)
    expect(report.headline.buildings.visited).toBeGreaterThan(0)
    expect(report.coverageByZone).toHaveLength(r!.z)
    expect(report.coverageByTeam.length).toBeGreaterThan(0)
  })

  test('the weekly rule covers every ISO week the month touches up to today', async () => {
    const [r] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from compounds where community_id = ${communityId}`
    expect(report.weeklyRule.length).toBeGreaterThanOrEqual(1)
    for (const wk of report.weeklyRule) {
      expect(wk.compounds).toBe(r!.n)
      expect(wk.met).toBe(wk.patrolled === wk.compounds)
    }
  })

  test('the top buildings are the ones with most hazards reported in the period', async () => {
    const [top] = await server.db.sql<{ buildingId: number; n: number }[]>`
      select building_id as "buildingId", count(*)::int as n from hazards
      where community_id = ${communityId} and status <> 'rejected' and building_id is not null
        and reported_at >= ${w.from}::timestamptz and reported_at < ${w.to}::timestamptz
      group by 1 order by 2 desc, 1 limit 1`
    expect(report.topPlaces[0]).toMatchObject({ buildingId: top!.buildingId, count: top!.n })
    expect(report.hotspots.length).toBeGreaterThan(0)
  })

  test('the map carries the period’s hazards, zones and boundary', () => {
    expect(report.map.hazards.length).toBe(report.headline.found)
    expect(report.map.zones.length).toBe(report.byZone.length)
    expect(report.map.communities).toHaveLength(1)
  })
})

describe('forms', () => {
  test('the CSV is the headline table, UTF-8 with a BOM', async () => {
    const res = await command.get(`/api/reports/month?date=${date}&communityId=${communityId}&format=csv`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/csv')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="monthly-report-\d{4}-\d{2}-\d+\.csv"; filename\*=UTF-8''/)
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const rows = parseCsv(new TextDecoder().decode(bytes.slice(3)))
    expect(rows[0]).toEqual(['key', '指标', '数值', '单位', '目标', '是否达标'])
    const byKey = new Map(rows.slice(1).map((r) => [r[0], r]))
    expect(byKey.get('found')?.[2]).toBe(String(report.headline.found))
    expect(byKey.get('overdue')?.[2]).toBe(String(report.headline.overdue))
    expect(byKey.get('responseRate')?.[2]).toMatch(/^\d+(\.\d)?%$/)
  })

  test('the workbook has one sheet per table with typed, frozen columns', async () => {
    const res = await command.get(`/api/reports/month?date=${date}&communityId=${communityId}&format=xlsx`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(await res.arrayBuffer())
    const names = wb.worksheets.map((s) => s.name)
    expect(names).toEqual(['核心指标', '按类别', '按等级', '按办理层级', '按事项类型', '按网格', '共建单位', '居民上报', '每日', '巡查覆盖-网格', '巡查覆盖-队伍', '每周覆盖', '热点', '隐患最多楼栋', '反弹', '关爱走访', '积分排行', '报告信息'])
    const cat = wb.getWorksheet('按类别')!
    expect(cat.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
    const total = cat.getRow(cat.rowCount)
    expect(total.getCell(1).value).toBe('合计')
    // 按类别 counts the hazards (the other kinds have their own categories, in 按事项类型).
    const hazardsOnly = report.byType.find((t) => t.type === 'hazard')!
    expect(total.getCell(2).value).toBe(hazardsOnly.found)
    expect(total.getCell(3).value).toBe(hazardsOnly.closed)
    expect(total.getCell(4).value).toBe(hazardsOnly.overdue)
    const cov = wb.getWorksheet('巡查覆盖-网格')!
    const column = (cov.getRow(1).values as unknown[]).indexOf('楼栋覆盖率')
    expect(column).toBeGreaterThan(0)
    const pctCell = cov.getRow(2).getCell(column)
    expect(typeof pctCell.value).toBe('number')
    expect(pctCell.numFmt).toContain('%')
    const days = wb.getWorksheet('每日')!
    expect(days.getRow(2).getCell(1).value).toBeInstanceOf(Date)
    expect(days.rowCount - 1).toBe(Number(w.lastDay.slice(8, 10)))
    expect(cat.getColumn(1).width).toBeGreaterThan(8)
  })

  test('the printable page is A4 HTML and prints to a PDF (saved to test-results/report.pdf)', async () => {
    const res = await command.get(`/api/reports/month?date=${date}&communityId=${communityId}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    const html = await res.text()
    expect(html).toContain('size: A4')
    expect(html).toContain('<svg')
    const browser = await launchChromium()
    try {
      const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${command.token}` } })
      const page = await context.newPage()
      await page.goto(`${server.url}/api/reports/month?date=${date}&communityId=${communityId}`)
      const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true })
      const pages = (new TextDecoder('latin1').decode(pdf).match(/\/Type\s*\/Page\b/g) ?? []).length
      expect(pages).toBeGreaterThan(0)
      await mkdir('test-results', { recursive: true })
      await writeFile('test-results/report.pdf', pdf)
      if (existsSync('/usr/bin/pdftoppm')) {
        execFileSync('/usr/bin/pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', 'test-results/report.pdf', 'test-results/report-page1'])
        expect(existsSync('test-results/report-page1.png')).toBe(true)
      } else {
        await page.screenshot({ path: 'test-results/report-page1.png', fullPage: false })
      }
    } finally {
      await browser.close()
    }
  })

  test('a day report of today answers with the day window', async () => {
    const res = await command.get(`/api/reports/day?date=${date}&format=json`)
    expect(res.status).toBe(200)
    const day = (await res.json()) as ReportJson
    expect(day.window).toMatchObject({ firstDay: date, lastDay: date })
  })
})

describe('scope and validation', () => {
  test('without communityId the report covers every community the user may see', async () => {
    const visible = (await (await command.get('/api/communities')).json()) as { features: { id: number }[] }
    const res = await command.get(`/api/reports/week?date=${date}&format=json`)
    const body = (await res.json()) as ReportJson
    expect(body.scope.communities.map((c) => c.id).sort()).toEqual(visible.features.map((f) => f.id).sort())
  })

  test('a community the user may not see is 404', async () => {
    const res = await command.get(`/api/reports/week?date=${date}&communityId=999999`)
    expect(res.status).toBe(404)
  })

  test('a malformed date is 400', async () => {
    const res = await command.get('/api/reports/week?date=2026-02-30')
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('problem+json')
  })

  test('an unknown period is 400', async () => {
    expect((await command.get(`/api/reports/year?date=${date}`)).status).toBe(400)
  })

  test('reports need a signed-in user', async () => {
    expect((await server.get(`/api/reports/week?date=${date}`)).status).toBe(401)
  })
})
