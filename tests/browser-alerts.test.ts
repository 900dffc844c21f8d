/**
 * The administration tab 告警推送 in Chromium: an admin adds a channel to a local receiver, sends a test and
 * reads the result and the delivery log; the stored URL and secret are never on the page. Phone size too.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startReceiver, type Receiver } from './helpers/receiver.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

const SECRET = 'SECbrowser0123456789abcdefXYZ'
const TOKEN = 'browserToken0123456789abcdef'

let server: TestServer
let browser: Browser
let receiver: Receiver

async function signedIn(username: string, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport })
  const page = await context.newPage()
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username, password: 'demo' } })
  expect(login.status()).toBe(200)
  return { context, page }
}

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt(), alerts: { allowPrivateAddresses: true, publicUrl: 'https://safegrid.test', pollMs: 200 } })
  browser = await launchChromium()
  receiver = await startReceiver({ success: { status: 200, body: '{"errcode":0,"errmsg":"ok"}' } })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await receiver?.close()
})

test('an admin adds a DingTalk channel, sends a test, sees the result and the log; the secret never reaches the page', async () => {
  const { context, page } = await signedIn('admin')
  await page.goto(`${server.url}/admin?tab=alerts`)
  await page.waitForSelector('[data-testid=alerts-empty]', { timeout: 30_000 })
  await expect.poll(() => page.locator('[data-testid=admin-tab-alerts]').innerText()).toBe('告警推送')
  await page.screenshot({ path: 'test-results/alerts-empty.png' })

  await page.click('[data-testid=alerts-add]')
  await page.fill('[data-testid=alert-name]', '钉钉-网格工作群')
  await page.selectOption('[data-testid=alert-provider]', 'dingtalk')
  await expect.poll(() => page.locator('[data-testid=alert-hint]').innerText()).toContain('加签')
  await page.fill('[data-testid=alert-url]', `${receiver.url}/robot/send?access_token=${TOKEN}`)
  await page.fill('[data-testid=alert-secret]', SECRET)
  await page.uncheck('[data-testid=alert-event-overdue]')
  await page.screenshot({ path: 'test-results/alerts-form.png' })
  await page.click('[data-testid=alert-save]')
  const card = page.locator('[data-testid^=alert-channel-]').first()
  await card.waitFor({ timeout: 20_000 })
  await expect.poll(() => card.innerText()).toContain('钉钉-网格工作群')
  expect(await card.innerText()).toContain('重大事项、事项升级')

  const id = Number((await card.getAttribute('data-testid'))!.replace('alert-channel-', ''))
  await page.click(`[data-testid=alert-test-${id}]`)
  await expect.poll(() => page.locator(`[data-testid=alert-test-result-${id}]`).innerText(), { timeout: 30_000 }).toContain('测试消息已送达（HTTP 200）')
  expect(receiver.requests).toHaveLength(1)
  expect(receiver.requests[0]!.url.searchParams.get('sign')).toBeTruthy()

  await page.click(`[data-testid=alert-log-${id}]`)
  await page.waitForSelector('[data-testid=alert-log] tbody tr', { timeout: 20_000 })
  expect(await page.locator('[data-testid=alert-log] tbody tr').first().innerText()).toContain('已送达')
  await page.screenshot({ path: 'test-results/alerts-log.png', fullPage: true })

  // Editing shows the masked URL and secret as hints, never the stored values.
  await page.click(`[data-testid=alert-edit-${id}]`)
  await page.waitForSelector('[data-testid=alert-form]')
  const html = await page.content()
  expect(html).not.toContain(SECRET)
  expect(html).not.toContain(TOKEN)
  expect(await page.getAttribute('[data-testid=alert-secret]', 'placeholder')).toContain(`SECb••••${SECRET.slice(-4)}`)
  await context.close()
})

test('on a phone the tab stays usable; English works', async () => {
  const { context, page } = await signedIn('admin', { width: 390, height: 844 })
  await page.addInitScript(() => localStorage.setItem('safegrid.locale', 'en'))
  await page.goto(`${server.url}/admin?tab=alerts`)
  await page.waitForSelector('[data-testid=alerts-panel]', { timeout: 30_000 })
  await expect.poll(() => page.locator('[data-testid=alerts-add]').innerText()).toContain('Add a channel')
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  expect(overflow).toBeLessThanOrEqual(0)
  await page.screenshot({ path: 'test-results/alerts-phone.png', fullPage: true })
  await context.close()
})

test('other roles have no alerts tab and the API refuses them', async () => {
  const { context, page } = await signedIn('leader')
  const res = await page.request.get(`${server.url}/api/alert-channels`)
  expect(res.status()).toBe(403)
  await page.goto(`${server.url}/admin?tab=alerts`)
  await page.waitForLoadState('networkidle')
  expect(await page.locator('[data-testid=alerts-panel]').count()).toBe(0)
  await context.close()
})
