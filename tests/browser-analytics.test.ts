import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
let page: Page
const foreignRequests: string[] = []
const hotspotRequests: string[] = []

/** What the map's hot-spot source holds right now: cell count, hazards, and the cells per confidence bin. */
async function hotspotSource(): Promise<{ cells: number; hazards: number; bins: Record<string, number> }> {
  return page.evaluate(async () => {
    const source = window.__safegrid!.map.getSource('hotspots') as unknown as { getData: () => Promise<GeoJSON.FeatureCollection> }
    const data = await source.getData()
    const bins: Record<string, number> = {}
    let hazards = 0
    for (const f of data.features) {
      hazards += Number(f.properties!.count)
      const key = String(f.properties!.confidence)
      bins[key] = (bins[key] ?? 0) + 1
    }
    return { cells: data.features.length, hazards, bins }
  })
}

/** The legend's cells per bin, as written on screen. */
async function legendBins(): Promise<Record<string, number>> {
  return page.locator('[data-testid="hotspot-legend"] li').evaluateAll((items) =>
    Object.fromEntries(items.map((li) => [(li as HTMLElement).dataset.confidence!, Number((li as HTMLElement).dataset.cells)]).filter(([, n]) => Number(n) > 0)),
  )
}

/** Wait until the panel shows the data of `days|category|status|cell` and the map is idle again. */
async function settled(shown: string): Promise<void> {
  await page.waitForFunction(
    (key) => {
      const panel = document.querySelector('[data-testid="analytics-panel"]')
      return panel?.getAttribute('data-shown') === key && panel.getAttribute('data-status') === 'ready'
    },
    shown,
    { timeout: 60_000 },
  )
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const map = window.__safegrid!.map
        map.once('idle', () => resolve())
        map.triggerRepaint()
      }),
  )
}

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  page = await context.newPage()
  page.on('request', (req) => {
    const url = new URL(req.url())
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== server.url) foreignRequests.push(req.url())
    if (url.pathname === '/api/analysis/hotspots') hotspotRequests.push(url.search)
  })
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'command', password: 'demo' } })
  expect(login.status()).toBe(200)
  await page.goto(server.url + '/')
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
  await page.getByTestId('analytics-toggle').click()
  await settled('30|||100')
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('the hot-spot layer draws hexagon cells', async () => {
  const n = await page.evaluate(() => window.__safegrid!.map.queryRenderedFeatures({ layers: ['hotspots-fill'] }).length)
  expect(n).toBeGreaterThan(20)
})

test('the legend shows the seven ArcGIS bins and the cells in each, as on the map', async () => {
  await expect.poll(() => page.locator('[data-testid="hotspot-legend"] li').count()).toBe(7)
  const source = await hotspotSource()
  expect(await legendBins()).toEqual(source.bins)
  await page.screenshot({ path: 'test-results/analytics.png' })
})

test('the headline figures carry their targets, green or red', async () => {
  const response = page.getByTestId('headline-response')
  await expect.poll(() => response.getAttribute('data-met')).toMatch(/^(true|false)$/)
  expect(await response.innerText()).toMatch(/%/)
  expect(await page.getByTestId('headline-on-time').innerText()).toContain('98')
})

test('the trend draws one line per category reported', async () => {
  const trend = page.getByTestId('analytics-trend')
  await trend.scrollIntoViewIfNeeded()
  await page.getByTestId('analytics-panel').screenshot({ path: 'test-results/analytics-panel.png' })
  expect(await trend.locator('path[data-category]').count()).toBeGreaterThan(3)
})

test('cluster counts are HTML markers, and the style takes its glyphs from the app itself', async () => {
  await expect.poll(() => page.locator('.sg-analysis-cluster').count()).toBeGreaterThan(0)
  // Labels (issue 19.2) use glyphs the app ships (web/public/glyphs): never from another origin.
  const glyphs = await page.evaluate(() => {
    const url = window.__safegrid!.map.getStyle().glyphs
    return url ? new URL(url.replace('{fontstack}', 'f').replace('{range}', '0-255'), location.href).origin === location.origin : null
  })
  expect(glyphs).toBe(true)
})

test('a category change asks again and redraws the cells and the legend', async () => {
  const before = await hotspotSource()
  const asked = hotspotRequests.length
  await page.getByTestId('analytics-category').selectOption('ebike_indoor')
  await settled('30|ebike_indoor||100')
  expect(hotspotRequests.slice(asked).some((q) => new URLSearchParams(q).get('category') === 'ebike_indoor')).toBe(true)
  const after = await hotspotSource()
  expect(after.hazards).toBeGreaterThan(0)
  expect(after.hazards).toBeLessThan(before.hazards)
  expect(await legendBins()).toEqual(after.bins)
  const lines = await page.locator('[data-testid="analytics-trend"] path[data-category]').evaluateAll((paths) => paths.map((p) => p.getAttribute('data-category')))
  expect(lines).toEqual(['ebike_indoor'])
  await page.screenshot({ path: 'test-results/analytics-ebike.png' })
})

test('a one-week window of one category is too small for Gi*: the note is on screen', async () => {
  await page.getByTestId('analytics-category').selectOption('other')
  await page.getByTestId('analytics-window-7').click()
  await settled('7|other||100')
  const note = page.getByTestId('hotspot-note')
  await expect.poll(() => note.isVisible()).toBe(true)
  expect(await note.innerText()).toMatch(/少于|fewer than/)
  const source = await hotspotSource()
  expect(Object.keys(source.bins)).toEqual(['0'])
  await note.scrollIntoViewIfNeeded()
  await page.screenshot({ path: 'test-results/analytics-note.png' })
})

test('no request left the machine', () => {
  expect(foreignRequests).toEqual([])
})
