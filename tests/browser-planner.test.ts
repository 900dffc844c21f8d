import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
let page: Page

/** Where the map shows, right of the 360 px panel: a point `dx`, `dy` pixels from its middle. */
async function mapPoint(dx: number, dy: number): Promise<{ x: number; y: number }> {
  const box = (await page.locator('.map-view__canvas canvas').boundingBox())!
  const left = 384
  return { x: box.x + left + (box.width - left) / 2 + dx, y: box.y + box.height / 2 + dy }
}

/** Click the corners of a square of `size` px centred `dx`, `dy` from the map's middle, then the first corner again to close it. */
async function drawSquare(dx: number, dy: number, size: number): Promise<void> {
  const h = size / 2
  const corners = [await mapPoint(dx - h, dy - h), await mapPoint(dx + h, dy - h), await mapPoint(dx + h, dy + h), await mapPoint(dx - h, dy + h)]
  for (const p of [...corners, corners[0]!]) {
    await page.mouse.move(p.x, p.y, { steps: 4 })
    await page.mouse.click(p.x, p.y)
    await page.waitForTimeout(120)
  }
}

/** A vertex the first demo zone shares with a neighbour, away from the community boundary, and a point inside that neighbour. */
async function sharedVertex(): Promise<{ name: string; lon: number; lat: number; tlon: number; tlat: number }> {
  const [row] = await server.db.sql<{ name: string; lon: number; lat: number; tlon: number; tlat: number }[]>`
    with v as (
      select z.id, z.name, (ST_DumpPoints(z.geom)).geom as p from zones z where z.community_id = 1 and z.name like '第%网格'
    )
    select v.name, ST_X(v.p) as lon, ST_Y(v.p) as lat,
           ST_X(ST_PointOnSurface(n.geom)) as tlon, ST_Y(ST_PointOnSurface(n.geom)) as tlat
    from v join zones n on n.id <> v.id and n.community_id = 1 and n.name like '第%网格' and ST_Intersects(n.geom, v.p)
    join communities c on c.id = 1
    where ST_Distance(v.p::geography, ST_Boundary(c.boundary)::geography) > 30
    order by v.id, n.id limit 1`
  return row!
}

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

test('the planner sees the demo zones on the map and in the table', async () => {
  await expect.poll(() => page.locator('[data-testid=zone-table] tbody tr').count()).toBeGreaterThanOrEqual(8)
  const n = await page.evaluate(() => window.__safegrid!.map.queryRenderedFeatures({ layers: ['zone-edit-fill'] }).length)
  expect(n).toBeGreaterThan(0)
})

test('a planner draws a zone by clicking on the map, saves it and sees it in the table', async () => {
  const before = await page.locator('[data-testid=zone-table] tbody tr').count()
  await page.click('[data-testid=zone-draw]')
  await drawSquare(-60, 40, 90)
  await expect.poll(() => page.locator('[data-testid=zone-save]').isEnabled()).toBe(true)
  await page.fill('[data-testid=zone-name]', '手绘测试网格')
  await page.click('[data-testid=zone-save]')
  // The demo zones tile the community: the new one overlaps them, and saving asks first (issue 19.5).
  await page.click('[data-testid=zone-overlap-save]')
  await expect.poll(() => page.locator('[data-testid=zone-table] tbody tr').count(), { timeout: 15_000 }).toBe(before + 1)
  await expect.poll(() => page.locator('[data-testid=zone-table]').innerText()).toContain('手绘测试网格')
  await page.waitForTimeout(300)
  await page.screenshot({ path: 'test-results/planner-saved.png' })
  const res = await server.login('planner').then((c) => c.get('/api/zones?communityId=1'))
  const fc = (await res.json()) as { features: { properties: { name: string; areaM2: number } }[] }
  const saved = fc.features.find((f) => f.properties.name === '手绘测试网格')
  expect(saved?.properties.areaM2).toBeGreaterThan(100)
})

test('a drawn overlap is highlighted in red before saving', async () => {
  await page.click('[data-testid=zone-draw]')
  await drawSquare(80, -40, 120)
  await expect
    .poll(() => page.evaluate(() => window.__safegrid!.map.queryRenderedFeatures({ layers: ['zone-check-overlap-fill'] }).length), { timeout: 10_000 })
    .toBeGreaterThan(0)
  await expect.poll(() => page.locator('[data-testid=zone-live]').innerText()).toMatch(/重叠|Overlaps/)
  await page.screenshot({ path: 'test-results/planner-overlap.png' })
  await page.click('[data-testid=zone-cancel]')
  await expect.poll(() => page.evaluate(() => window.__safegrid!.map.queryRenderedFeatures({ layers: ['zone-check-overlap-fill'] }).length)).toBeGreaterThan(0)
})

test('reshaping a zone into its neighbour shows the overlap live, and undo puts the vertex back', async () => {
  const zone = await sharedVertex()
  await page.locator('[data-testid=zone-table] tbody tr', { hasText: zone.name }).first().click()
  await page.click('[data-testid=zone-reshape]')
  await expect.poll(() => page.locator('[data-testid=zone-live]').innerText()).toMatch(/无重叠|No overlap/)
  const [from, towards] = await page.evaluate(
    ([a, b]) => [window.__safegrid!.map.project(a as [number, number]), window.__safegrid!.map.project(b as [number, number])],
    [
      [zone.lon, zone.lat],
      [zone.tlon, zone.tlat],
    ],
  )
  const box = (await page.locator('.map-view__canvas canvas').boundingBox())!
  const len = Math.hypot(towards!.x - from!.x, towards!.y - from!.y)
  const to = { x: from!.x + ((towards!.x - from!.x) / len) * 40, y: from!.y + ((towards!.y - from!.y) / len) * 40 }
  await page.mouse.move(box.x + from!.x, box.y + from!.y, { steps: 4 })
  await page.mouse.down()
  await page.mouse.move(box.x + to.x, box.y + to.y, { steps: 12 })
  await page.mouse.up()
  await expect.poll(() => page.locator('[data-testid=zone-live]').innerText()).toMatch(/重叠|Overlaps/)
  await expect.poll(() => page.locator('[data-testid=zone-live]').innerText()).not.toMatch(/无重叠|No overlap/)
  await page.screenshot({ path: 'test-results/planner-reshape.png' })
  await page.click('[data-testid=zone-undo]')
  await expect.poll(() => page.locator('[data-testid=zone-live]').innerText()).toMatch(/无重叠|No overlap/)
  await page.click('[data-testid=zone-redo]')
  await expect.poll(() => page.locator('[data-testid=zone-live]').innerText()).not.toMatch(/无重叠|No overlap/)
  await page.click('[data-testid=zone-cancel]')
})

test('splitting a zone by drawing the part to split off makes a new zone', async () => {
  const zone = await sharedVertex()
  const before = await page.locator('[data-testid=zone-table] tbody tr').count()
  await page.locator('[data-testid=zone-table] tbody tr', { hasText: zone.name }).first().click()
  await page.click('[data-testid=zone-split]')
  const p = await page.evaluate((a) => window.__safegrid!.map.project(a as [number, number]), [zone.lon, zone.lat])
  const box = (await page.locator('.map-view__canvas canvas').boundingBox())!
  // A square around the shared vertex: part of it lies in the zone, part in the neighbour.
  const corners = [
    [-35, -35],
    [35, -35],
    [35, 35],
    [-35, 35],
    [-35, -35],
  ].map(([dx, dy]) => ({ x: box.x + p.x + dx!, y: box.y + p.y + dy! }))
  for (const c of corners) {
    await page.mouse.move(c.x, c.y, { steps: 4 })
    await page.mouse.click(c.x, c.y)
    await page.waitForTimeout(120)
  }
  await expect.poll(() => page.locator('.zone-form').innerText()).toMatch(/拆分后|After the split/)
  await page.click('[data-testid=zone-save]')
  await expect.poll(() => page.locator('[data-testid=zone-table] tbody tr').count(), { timeout: 15_000 }).toBe(before + 1)
  await expect.poll(() => page.locator('[data-testid=zone-table]').innerText()).toContain(`${zone.name}-2`)
  await page.screenshot({ path: 'test-results/planner-split.png' })
  // PostGIS cut the zone exactly: the two parts overlap nothing (the only overlaps are the hand-drawn zone's).
  const res = await server.login('planner').then((x) => x.get('/api/zones/check?communityId=1'))
  const check = (await res.json()) as { overlaps: { a: number; b: number }[] }
  const [drawn] = await server.db.sql<{ id: number }[]>`select id from zones where name = '手绘测试网格'`
  expect(check.overlaps.filter((o) => o.a !== drawn?.id && o.b !== drawn?.id)).toEqual([])
})

test('suggested zones are previewed on the map with their household balance', async () => {
  await page.click('[data-testid=zone-suggest]')
  await page.fill('[data-testid=suggest-n]', '8')
  await page.click('[data-testid=suggest-run]')
  await expect.poll(() => page.locator('[data-testid=suggest-balance]').innerText(), { timeout: 20_000 }).toMatch(/±15/)
  await expect
    .poll(() => page.evaluate(() => new Set(window.__safegrid!.map.queryRenderedFeatures({ layers: ['zone-suggestions-fill'] }).map((f) => f.properties.id)).size))
    .toBe(8)
  await page.screenshot({ path: 'test-results/planner-suggest.png' })
  await page.getByRole('button', { name: /放弃|Discard/ }).click()
})
