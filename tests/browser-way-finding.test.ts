import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

/** Issue 19, item 1: each role lands where it works, and the navigation shows only the views it may use. */
let server: TestServer
let browser: Browser

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

async function signedIn(username: string, width = 1280, height = 720): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } })
  const page = await context.newPage()
  await page.goto(`${server.url}/login`)
  await page.locator('[data-testid=login-form] input[autocomplete=username]').fill(username)
  await page.locator('[data-testid=login-form] input[type=password]').fill('demo')
  await page.locator('[data-testid=login-form] button[type=submit]').click()
  return page
}

const navOf = (page: Page) => page.locator('[data-testid=app-nav] a').evaluateAll((links) => links.map((a) => a.getAttribute('data-testid')))

test.each([
  ['planner', '/planner', ['nav-command', 'nav-planner', 'nav-report', 'nav-reports']],
  ['leader', '/leader', ['nav-command', 'nav-leader', 'nav-report', 'nav-reports', 'nav-admin']],
  ['command', '/', ['nav-command', 'nav-leader', 'nav-report', 'nav-reports', 'nav-hotline']],
  ['admin', '/', ['nav-command', 'nav-planner', 'nav-leader', 'nav-report', 'nav-reports', 'nav-hotline', 'nav-admin']],
])('%s lands on %s with a navigation of the views the role may use', { timeout: 240_000 }, async (username, path, links) => {
  const page = await signedIn(username)
  await page.waitForURL((url) => url.pathname === path, { timeout: 30_000 })
  await expect.poll(() => navOf(page)).toEqual(links)
  await page.screenshot({ path: `test-results/way-finding-${username}.png`, timeout: 90_000 })
  await page.context().close()
})

test('a patrol member lands on the phone view, and /leader and the QR sheet send them back there', { timeout: 240_000 }, async () => {
  const page = await signedIn('patrol', 390, 844)
  await page.waitForURL((url) => url.pathname === '/patrol', { timeout: 30_000 })
  for (const path of ['/leader', '/print/qr', '/']) {
    await page.goto(server.url + path)
    await page.waitForURL((url) => url.pathname === '/patrol', { timeout: 30_000 })
  }
  await page.context().close()
})

test('the navigation moves between views: leader → command centre → report form', { timeout: 240_000 }, async () => {
  const page = await signedIn('leader')
  await page.waitForURL((url) => url.pathname === '/leader', { timeout: 30_000 })
  await page.locator('[data-testid=nav-command]').click({ timeout: 90_000 })
  await page.waitForURL((url) => url.pathname === '/', { timeout: 60_000 })
  await page.locator('[data-testid=nav-report]').click({ timeout: 90_000 })
  await page.waitForURL((url) => url.pathname === '/report', { timeout: 60_000 })
  await expect.poll(() => page.locator('[data-testid=desktop-report-form]').isVisible()).toBe(true)
  await page.screenshot({ path: 'test-results/way-finding-desktop-report.png', timeout: 60_000 })
  await page.context().close()
})
