/**
 * Targets per community in the browser (目标值, issue 19.8): an admin sets the community's 按期办结率 target in
 * the administration page, and the command centre's statistics panel measures against it.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

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

test('an admin sets a target and the statistics panel judges against it', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'admin', password: 'demo' } })
  expect(login.status()).toBe(200)
  await page.goto(`${server.url}/admin?tab=targets`)
  const panel = page.getByTestId('targets-panel')
  await panel.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
    await page.screenshot({ path: 'test-results/admin-targets-fail.png' })
    throw e
  })
  await expect.poll(() => page.getByTestId('target-onTimeClosureRate-now').innerText(), { timeout: 20_000 }).toContain('98%')

  await page.getByTestId('target-onTimeClosureRate').fill('150')
  expect(await page.getByTestId('targets-save').isDisabled()).toBe(true)
  await page.getByTestId('target-onTimeClosureRate').fill('5')
  await page.getByTestId('targets-save').click()
  await page.getByTestId('targets-saved').waitFor()
  expect(await page.getByTestId('target-onTimeClosureRate-now').innerText()).toContain('5%')
  await page.screenshot({ path: 'test-results/admin-targets.png' })

  await page.goto(`${server.url}/`)
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
  await page.getByTestId('analytics-toggle').click()
  const onTime = page.getByTestId('headline-on-time')
  await expect.poll(() => onTime.innerText(), { timeout: 30_000 }).toContain('目标 5%')
  expect(await onTime.getAttribute('data-met')).toBe('true')
  expect(await page.getByTestId('headline-response').innerText()).toContain('目标 100%')
  await context.close()
}, 180_000)
