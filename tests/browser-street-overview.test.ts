/**
 * The street office's overview on the wall (街道总览, issue 19.3): a user who sees two communities gets a row
 * per community; choosing one moves the map, the counters and the list to it.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
let admin: Client

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  admin = await server.login('admin')
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('the wall lists every community and switches to the one chosen', async () => {
  const created = await admin.post('/api/communities', {
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: [[[114.0, 30.0], [114.01, 30.0], [114.01, 30.01], [114.0, 30.01], [114.0, 30.0]]] },
    properties: { name: '街道总览二社区' },
  })
  expect(created.status).toBe(201)
  const otherId = ((await created.json()) as { id: number }).id
  const hazard = await admin.post('/api/hazards', { category: 'fire_lane_blocked', severity: 'critical', location: { lon: 114.005, lat: 30.005 } })
  expect(hazard.status).toBe(201)

  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } })
  const page = await context.newPage()
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'admin', password: 'demo' } })
  expect(login.status()).toBe(200)
  await page.goto(`${server.url}/?wall=1`)
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 120_000 })
  const rows = page.getByTestId('street-overview-row')
  await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2)
  const other = page.locator(`[data-testid=street-overview-row][data-community-id="${otherId}"]`)
  expect(await other.innerText()).toContain('街道总览二社区')
  await expect.poll(async () => Number(await page.getByTestId('count-open').innerText()), { timeout: 30_000 }).toBeGreaterThan(1)
  const centreBefore = await page.evaluate(() => window.__safegrid!.map.getCenter().toArray())

  await other.getByRole('button').click()
  await expect.poll(() => other.getAttribute('aria-current')).toBe('true')
  await expect.poll(async () => page.getByTestId('count-open').innerText(), { timeout: 30_000 }).toBe('1')
  expect(await page.getByTestId('count-critical').innerText()).toBe('1')
  // Its matters are the wall's new baseline, not new arrivals: no alert flashes for them.
  expect(await page.locator('.wall-alert, [data-testid=wall-alert]').count()).toBe(0)
  await expect
    .poll(async () => page.evaluate(() => window.__safegrid!.map.getCenter().toArray()), { timeout: 10_000 })
    .not.toEqual(centreBefore)
  const centre = await page.evaluate(() => window.__safegrid!.map.getCenter().toArray())
  expect(Math.abs(centre[0]! - 114.005)).toBeLessThan(0.01)
  await page.screenshot({ path: 'test-results/wall-street-overview.png' })
  await context.close()
}, 240_000)
