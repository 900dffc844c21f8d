import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

/** Issue 19: the patrol phone's rough edges (item 7). */
let server: TestServer
let browser: Browser
let spot: { lon: number; lat: number }

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  const [c] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities order by id limit 1`
  spot = c!
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

async function signedIn(username: string, width: number, height: number): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width, height },
    geolocation: { latitude: spot.lat, longitude: spot.lon, accuracy: 6 },
    permissions: ['geolocation'],
  })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username, password: 'demo' } })
  expect(login.status()).toBe(200)
  return { context, page, errors }
}

test('a mistyped check-in code is refused on the spot in Chinese, online and offline, and nothing is queued', { timeout: 240_000 }, async () => {
  const { context, page } = await signedIn('patrol', 390, 844)
  await page.goto(`${server.url}/patrol`)
  // The phone keeps the key places (each code's hash, not the code) for offline checks.
  const cached = () => page.evaluate(() => Object.keys(localStorage).some((k) => (localStorage.getItem(k) ?? '').includes('"hashes":{"')))
  await expect.poll(cached, { timeout: 60_000 }).toBe(true)
  for (const offline of [false, true]) {
    await context.setOffline(offline)
    await page.locator('[data-testid=open-checkin]').click()
    await page.locator('[data-testid=checkin-code]').fill('KP-NOSUCHCODE')
    await page.locator('[data-testid=checkin-submit]').click()
    await expect.poll(() => page.locator('[data-testid=checkin-refused]').innerText()).toContain('没有编码为 KP-NOSUCHCODE 的重点部位')
    expect(await page.locator('[data-testid=checkin-result]').count()).toBe(0)
    await page.screenshot({ path: `test-results/everyday-refused-${offline ? 'offline' : 'online'}.png` })
    await page.keyboard.press('Escape')
  }
  await context.setOffline(false)
  await context.close()
})

test('at 390×844 the report hint sits on an opaque bar, and description and photo scroll clear of the send button', { timeout: 240_000 }, async () => {
  const { context, page } = await signedIn('patrol', 390, 844)
  await page.goto(`${server.url}/patrol`)
  const bar = page.locator('.report-form__send')
  await expect.poll(() => bar.isVisible(), { timeout: 60_000 }).toBe(true)
  expect(await bar.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(255, 255, 255)')
  for (const target of ['[data-testid=report-description]', '.report-form__add-photo', '.severity-picker button']) {
    const el = page.locator(target).last()
    if ((await el.count()) === 0) continue
    await el.focus()
    await el.evaluate((node) => node.scrollIntoView({ block: 'nearest' }))
    const box = await el.boundingBox()
    const barBox = await bar.boundingBox()
    expect(box!.y + box!.height, target).toBeLessThanOrEqual(barBox!.y + 1)
  }
  await page.screenshot({ path: 'test-results/everyday-report-form.png' })
  await context.close()
})

test('reloading /patrol on duty raises no IndexedDB error (a duplicate track point is ignored)', { timeout: 240_000 }, async () => {
  const { context, page, errors } = await signedIn('patrol', 390, 844)
  await page.goto(`${server.url}/patrol`)
  await page.locator('[data-testid=duty-toggle]').click()
  await expect.poll(() => page.locator('[data-testid=duty-status]').innerText(), { timeout: 60_000 }).toContain('执勤中')
  await page.waitForTimeout(3000)
  for (let i = 0; i < 2; i++) {
    await page.reload()
    await page.waitForTimeout(4000)
  }
  expect(errors.filter((e) => /IndexedDB/i.test(e))).toEqual([])
  await context.close()
})

