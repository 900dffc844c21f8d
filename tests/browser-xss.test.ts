import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

const PAYLOAD = '<img src=x onerror=alert(1)><script>alert(2)</script>'

let server: TestServer
let browser: Browser
let page: Page
let hazardId: number
const dialogs: string[] = []

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  const patrol = await server.login('patrol')
  const [c] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities order by id limit 1`
  const res = await patrol.post('/api/hazards', { category: 'other', severity: 'critical', location: { lon: c!.lon, lat: c!.lat }, description: PAYLOAD })
  expect(res.status).toBe(201)
  hazardId = ((await res.json()) as { id: number }).id
  browser = await launchChromium()
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  page = await context.newPage()
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'command', password: 'demo' } })
  expect(login.status()).toBe(200)
  await page.goto(server.url + '/')
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('a hazard described with HTML shows the text literally in the drawer and runs nothing', async () => {
  const item = page.locator(`[data-testid=hazard-list-item][data-hazard-id="${hazardId}"]`)
  await item.waitFor({ timeout: 30_000 })
  await item.click()
  const drawer = page.locator('[data-testid=hazard-drawer]')
  await expect.poll(() => drawer.innerText(), { timeout: 10_000 }).toContain(PAYLOAD)
  // Not parsed into elements: no <img src=x> or injected <script> anywhere in the page.
  expect(await page.locator('img[src="x"]').count()).toBe(0)
  expect(await drawer.locator('script').count()).toBe(0)
  await page.waitForTimeout(500)
  expect(dialogs).toEqual([])
})
