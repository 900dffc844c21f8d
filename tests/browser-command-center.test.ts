import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
let page: Page
const foreignRequests: string[] = []

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  page = await context.newPage()
  page.on('request', (req) => {
    const url = new URL(req.url())
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== server.url) foreignRequests.push(req.url())
  })
  // Sign in as the command centre; the session cookie rides along.
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'command', password: 'demo' } })
  expect(login.status()).toBe(200)
  await page.goto(server.url + '/')
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('the command centre renders buildings from the database', async () => {
  const n = await page.evaluate(() => window.__safegrid!.map.queryRenderedFeatures({ layers: ['buildings-fill'] }).length)
  expect(n).toBeGreaterThan(50)
})

test('the command centre renders hazard markers', async () => {
  const n = await page.evaluate(() => window.__safegrid!.map.queryRenderedFeatures({ layers: ['hazards-circle'] }).length)
  expect(n).toBeGreaterThan(10)
})

test('the header names the community and counts open hazards', async () => {
  const text = await page.locator('header').first().innerText()
  expect(text).toContain('光谷')
  expect(text).toMatch(/\d+/)
})

test('the map shows the OpenStreetMap attribution', async () => {
  await expect.poll(() => page.locator('.maplibregl-ctrl-attrib').innerText()).toContain('OpenStreetMap')
})

test('no request left the machine', async () => {
  await page.screenshot({ path: 'test-results/command-center.png' })
  expect(foreignRequests).toEqual([])
})
