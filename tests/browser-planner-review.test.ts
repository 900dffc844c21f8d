import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

/*
 * The planner's second look (issue 19.5) at 1600 × 1000: saving an overlapping zone asks first and says
 * by how much against which zones; the person picker finds people by zone name; a zone's versions are
 * listed (when, who, area change) and a past one is drawn on the map.
 */

let server: TestServer
let browser: Browser
let page: Page
let planner: Client

const zoneRows = () => page.locator('[data-testid=zone-table] tbody tr')

/** A demo zone with its person, and a point well inside it (lon/lat). */
async function zoneWithPerson(): Promise<{ id: number; name: string; person: string; lon: number; lat: number }> {
  const [row] = await server.db.sql<{ id: number; name: string; person: string; lon: number; lat: number }[]>`
    select z.id::int, z.name, p.name as person, ST_X(ST_PointOnSurface(z.geom)) as lon, ST_Y(ST_PointOnSurface(z.geom)) as lat
    from zones z join people p on p.id = z.assignee_id
    where z.community_id = 1 and z.parent_id is null and z.name like '第%网格'
    order by z.id limit 1`
  return row!
}

/** Select a zone by its row in the table. */
async function selectZone(name: string): Promise<void> {
  await zoneRows().filter({ hasText: name }).first().click()
  await expect.poll(() => page.locator('[data-testid=zone-people]').count()).toBe(1)
}

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  planner = await server.login('planner')
  browser = await launchChromium()
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } })
  page = await context.newPage()
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'planner', password: 'demo' } })
  expect(login.status()).toBe(200)
  await page.goto(server.url + '/planner')
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=zone-table] tbody tr').length >= 8, undefined, { timeout: 30_000 })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('saving a zone that overlaps others asks first, naming each zone with m² and its share; going back saves nothing, then it is saved anyway', async () => {
  const zone = await zoneWithPerson()
  const before = await zoneRows().count()
  await page.click('[data-testid=zone-draw]')
  // A square of 120 px around a point inside a demo zone: it overlaps that zone.
  const c = await page.evaluate((a) => window.__safegrid!.map.project(a as [number, number]), [zone.lon, zone.lat])
  const box = (await page.locator('.map-view__canvas canvas').boundingBox())!
  for (const [dx, dy] of [[-60, -60], [60, -60], [60, 60], [-60, 60], [-60, -60]] as const) {
    await page.mouse.move(box.x + c.x + dx, box.y + c.y + dy, { steps: 4 })
    await page.mouse.click(box.x + c.x + dx, box.y + c.y + dy)
    await page.waitForTimeout(120)
  }
  await expect.poll(() => page.locator('[data-testid=zone-save]').isEnabled()).toBe(true)
  await page.fill('[data-testid=zone-name]', '重叠确认网格')
  await page.click('[data-testid=zone-save]')
  const question = page.locator('[data-testid=zone-overlap-question]')
  await expect.poll(() => question.isVisible(), { timeout: 15_000 }).toBe(true)
  const rows = await page.locator('[data-testid=zone-overlap-row]').allInnerTexts()
  expect(rows.some((r) => r.includes(`「${zone.name}」`))).toBe(true)
  for (const r of rows) expect(r).toMatch(/重叠 [\d,.]+ (m²|公顷)（占本网格 [\d.]+%）/)
  expect(await question.innerText()).toMatch(/共与 \d+ 个网格重叠/)
  await page.screenshot({ path: 'test-results/planner-overlap-question.png' })
  // Nothing was saved while asking.
  const [none] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from zones where name = '重叠确认网格'`
  expect(none!.n).toBe(0)
  await page.click('[data-testid=zone-overlap-back]')
  expect(await question.count()).toBe(0)
  expect(await page.locator('[data-testid=zone-name]').inputValue()).toBe('重叠确认网格')
  await page.click('[data-testid=zone-save]')
  await page.click('[data-testid=zone-overlap-save]')
  await expect.poll(() => zoneRows().count(), { timeout: 15_000 }).toBe(before + 1)
  const [saved] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from zones where name = '重叠确认网格'`
  expect(saved!.n).toBe(1)
})

test('the person picker finds a zone’s person by the zone’s name', async () => {
  const zone = await zoneWithPerson()
  await selectZone(zone.name)
  const input = page.locator('.zone-form [data-testid=person-picker] input').first()
  await input.click()
  await input.fill(zone.name)
  // The zone's own person (its 网格员) comes first, the zone named beside them; its team's members follow.
  const first = page.locator('.zone-form [role=option]').first()
  await expect.poll(() => first.innerText()).toContain(zone.person)
  expect(await first.innerText()).toContain(zone.name)
  await page.screenshot({ path: 'test-results/planner-picker-zone.png' })
  await input.press('Escape')
})

test('a zone’s versions list when, who and the change of area; a past version is drawn on the map', async () => {
  const zone = await zoneWithPerson()
  // The planner shrinks the zone by 5 m all round (a new version written by 网格规划员).
  const [g] = await server.db.sql<{ geometry: unknown }[]>`
    select ST_AsGeoJSON(ST_Buffer(geom::geography, -5)::geometry, 9)::json as geometry from zones where id = ${zone.id}`
  expect((await planner.put(`/api/zones/${zone.id}`, { type: 'Feature', geometry: g!.geometry })).status).toBe(200)
  // The versions are read when the list is opened: no reload needed to see the new one.
  await selectZone(zone.name)
  await page.locator('[data-testid=zone-versions] summary').click()
  const versions = page.locator('[data-testid=zone-version]')
  await expect.poll(() => versions.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2)
  const newest = await versions.first().innerText()
  expect(newest).toContain('网格规划员')
  expect(newest).toContain('当前')
  expect(await versions.first().locator('[data-testid=zone-version-change]').innerText()).toMatch(/^−[\d,.]+ (m²|公顷)$/)
  await versions.nth(1).locator('[data-testid=zone-version-show]').click()
  await expect
    .poll(() => page.evaluate(() => window.__safegrid!.map.queryRenderedFeatures({ layers: ['zone-version-outline'] }).length), { timeout: 10_000 })
    .toBeGreaterThan(0)
  await page.screenshot({ path: 'test-results/planner-versions.png' })
})

test('reshaping a zone with a long, detailed boundary shows fewer, larger handles than it has vertices', async () => {
  const [zone] = await server.db.sql<{ name: string; n: number }[]>`
    select name, ST_NPoints(geom)::int as n from zones where community_id = 1 and parent_id is null order by ST_NPoints(geom) desc limit 1`
  expect(zone!.n).toBeGreaterThan(40)
  await selectZone(zone!.name)
  await page.click('[data-testid=zone-reshape]')
  const handles = () =>
    page.evaluate(() => {
      const all = window.__safegrid!.map.queryRenderedFeatures().filter((f) => f.properties.selectionPoint || f.properties.midPoint)
      const count = (kind: string, shown: boolean) => all.filter((f) => f.properties[kind] && (Number(f.properties.pointWidth) > 0) === shown).length
      const widths = all.filter((f) => f.properties.selectionPoint && Number(f.properties.pointWidth) > 0).map((f) => Number(f.properties.pointWidth))
      return { vertices: count('selectionPoint', true), hiddenVertices: count('selectionPoint', false), midpoints: count('midPoint', true), hiddenMidpoints: count('midPoint', false), minWidth: Math.min(...widths) }
    })
  await expect.poll(async () => (await handles()).vertices, { timeout: 10_000 }).toBeGreaterThan(3)
  const h = await handles()
  expect(h.hiddenVertices).toBeGreaterThan(0)
  expect(h.hiddenMidpoints).toBeGreaterThan(0)
  expect(h.midpoints).toBeLessThan(h.vertices)
  expect(h.minWidth).toBeGreaterThanOrEqual(7)
  await page.screenshot({ path: 'test-results/planner-handles.png' })
  await page.click('[data-testid=zone-cancel]')
})
