import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

/** The planner shows both tiers of the demo (grids and micro-grids 微网格) and draws a micro-grid of a chosen grid. */

let server: TestServer
let browser: Browser
let page: Page

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  page = await context.newPage()
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'planner', password: 'demo' } })
  expect(login.status()).toBe(200)
  await page.goto(server.url + '/planner')
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('the planner lists the micro-grid tier of each split grid and marks micro-grids in the table', async () => {
  const tiers = page.locator('[data-testid=zone-summary-micro] li')
  await expect.poll(() => tiers.count(), { timeout: 15_000 }).toBe(2)
  expect(await tiers.nth(0).innerText()).toMatch(/^第7网格：3 个微网格 · 重叠 0 处 · 空白 0 m²$/)
  expect(await tiers.nth(1).innerText()).toMatch(/^第9网格：2 个微网格/)
  const table = page.locator('[data-testid=zone-table] tbody tr')
  await expect.poll(() => table.count()).toBe(15)
  // Each split grid is followed by its micro-grids.
  const names = await table.locator('td:first-child').allInnerTexts()
  const at = names.findIndex((n) => n.startsWith('第7网格'))
  expect(names.slice(at, at + 4).map((n) => n.replace(/\s+/g, ''))).toEqual(['第7网格', '第7网格·微网格1微网格', '第7网格·微网格2微网格', '第7网格·微网格3微网格'])
  await page.screenshot({ path: 'test-results/planner-micro-grids.png' })
})

test('a planner draws a micro-grid of 第7网格: the tier select names the grid, the saved zone carries its parentId', async () => {
  const [spot] = await server.db.sql<{ lon: number; lat: number; parent: number }[]>`
    select ST_X(p) as lon, ST_Y(p) as lat, z.parent_id as parent
    from zones z, ST_PointOnSurface(z.geom) p where z.name = '第7网格·微网格3'`
  await page.evaluate(([lon, lat]) => window.__safegrid!.map.jumpTo({ center: [lon!, lat!], zoom: 18 }), [spot!.lon, spot!.lat])
  await page.waitForTimeout(500)
  await page.click('[data-testid=zone-draw]')
  const select = page.locator('[data-testid=zone-parent]')
  await expect.poll(() => select.locator('option').allInnerTexts()).toContain('第7网格 的微网格')
  await select.selectOption(String(spot!.parent))
  const centre = await page.evaluate(([lon, lat]) => {
    const p = window.__safegrid!.map.project([lon!, lat!])
    const box = window.__safegrid!.map.getCanvas().getBoundingClientRect()
    return { x: box.left + p.x, y: box.top + p.y }
  }, [spot!.lon, spot!.lat])
  const h = 14
  const corners = [
    [centre.x - h, centre.y - h],
    [centre.x + h, centre.y - h],
    [centre.x + h, centre.y + h],
    [centre.x - h, centre.y + h],
  ] as const
  for (const [x, y] of [...corners, corners[0]]) {
    await page.mouse.move(x, y, { steps: 4 })
    await page.mouse.click(x, y)
    await page.waitForTimeout(120)
  }
  await page.fill('[data-testid=zone-name]', '手绘微网格')
  await expect.poll(() => page.locator('[data-testid=zone-save]').isEnabled()).toBe(true)
  await page.screenshot({ path: 'test-results/planner-micro-draw.png' })
  await page.click('[data-testid=zone-save]')
  // 第7网格 is covered by its micro-grids, so the new one overlaps its siblings: the planner is asked first (issue 19.5).
  const question = page.locator('[data-testid=zone-overlap-question]')
  await question.waitFor({ timeout: 15_000 })
  expect(await question.locator('[data-testid=zone-overlap-row]').first().innerText()).toMatch(/微网格/)
  await page.click('[data-testid=zone-overlap-save]')
  await expect.poll(() => page.locator('[data-testid=zone-table]').innerText(), { timeout: 15_000 }).toContain('手绘微网格')
  const [saved] = await server.db.sql<{ parent: number | null }[]>`select parent_id as parent from zones where name = '手绘微网格'`
  expect(saved?.parent).toBe(spot!.parent)
})

test('拆分为微网格: a selected grid is split by the suggestion, previewed with households and area, and saved as its micro-grids', async () => {
  const [grid] = await server.db.sql<{ id: number; name: string; households: number; buildings: number }[]>`
    select z.id::int, z.name, coalesce(sum(b.households), 0)::int as households, count(b.id)::int as buildings
    from zones z join buildings b on b.community_id = z.community_id and ST_Covers(z.geom, ST_PointOnSurface(b.footprint))
    where z.community_id = 1 and z.parent_id is null and not exists (select 1 from zones m where m.parent_id = z.id)
    group by z.id having count(b.id) >= 4 order by z.id limit 1`
  const rowOf = (name: string) => page.locator('[data-testid=zone-table] tbody tr', { has: page.locator('td:first-child', { hasText: new RegExp(`^\\s*${name}\\s*$`) }) })
  // A grid already split has no such button.
  await rowOf('第7网格').click()
  await page.locator('.zone-form .save').first().waitFor({ timeout: 10_000 })
  expect(await page.locator('[data-testid=split-micro]').count()).toBe(0)
  const row = rowOf(grid!.name)
  await row.click()
  const split = page.locator('[data-testid=split-micro]')
  await split.waitFor({ timeout: 10_000 })
  expect(await split.innerText()).toBe('拆分为微网格')
  await split.click()
  const dialog = page.locator('[data-testid=suggest-dialog]')
  await dialog.waitFor()
  expect(await dialog.getAttribute('data-parent-id')).toBe(String(grid!.id))
  expect(await dialog.locator('h2').innerText()).toBe(`拆分为微网格：${grid!.name}`)
  await page.fill('[data-testid=suggest-n]', '2')
  await page.click('[data-testid=suggest-run]')
  const rows = page.locator('[data-testid=suggest-preview-row]')
  await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(2)
  const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')))
  // Households and buildings of the preview add up to the grid's; each has an area.
  expect(cells.reduce((s, c) => s + Number(c[1]), 0)).toBe(grid!.households)
  expect(cells.reduce((s, c) => s + Number(c[2]), 0)).toBe(grid!.buildings)
  expect(cells.every((c) => Number(c[3]!.replace(/[^\d]/g, '')) > 0)).toBe(true)
  await page.screenshot({ path: 'test-results/planner-micro-split.png' })
  await page.click('[data-testid=suggest-save-micro]')
  await expect.poll(async () => (await server.db.sql<{ n: number }[]>`select count(*)::int as n from zones where parent_id = ${grid!.id}`)[0]!.n, { timeout: 30_000 }).toBe(2)
  const saved = await server.db.sql<{ name: string }[]>`select name from zones where parent_id = ${grid!.id} order by id`
  expect(saved.map((s) => s.name)).toEqual(cells.map((c) => c[0]))
  await expect.poll(() => page.locator('[data-testid=zone-summary-micro] li').count(), { timeout: 15_000 }).toBe(3)
})
