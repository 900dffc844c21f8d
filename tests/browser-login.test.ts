import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
let api: Client
/** A point inside the demo community (an existing hazard's location). */
let inside: { lon: number; lat: number }
const foreignRequests: string[] = []

async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options })
  const page = await context.newPage()
  page.on('request', (req) => {
    const url = new URL(req.url())
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== server.url) foreignRequests.push(req.url())
  })
  return { context, page }
}

/** Signs in through the form on the current (sign-in) page. */
async function signIn(page: Page, username: string, password = 'demo'): Promise<void> {
  await page.locator('input[name=username]').fill(username)
  await page.locator('input[name=password]').fill(password)
  await page.locator('[data-testid=login-form] button[type=submit]').click()
}

async function mapReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
}

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  api = await server.login('leader')
  const list = (await (await api.get('/api/hazards?status=reported,dispatched,rectifying')).json()) as {
    features: { geometry: { coordinates: [number, number] } }[]
  }
  const [lon, lat] = list.features[0]!.geometry.coordinates
  inside = { lon, lat }
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('the sign-in page shows the demo accounts; signing in as command opens the map with the user and role in the header', async () => {
  const { context, page } = await newPage()
  await page.goto(server.url + '/')
  await page.waitForURL(/\/login/)
  const demo = page.locator('[data-testid=demo-accounts]')
  await expect.poll(() => demo.innerText()).toContain('演示账号')
  for (const name of ['admin', 'planner', 'command', 'leader', 'patrol']) expect(await demo.innerText()).toContain(name)
  await page.screenshot({ path: 'test-results/login.png' })

  // A wrong password says so and stays on the page.
  await signIn(page, 'command', 'wrong')
  await expect.poll(() => page.locator('[data-testid=login-error]').innerText()).toContain('用户名或密码错误')

  await signIn(page, 'command')
  await page.waitForURL((url) => url.pathname === '/')
  await mapReady(page)
  expect(await page.locator('[data-testid=user-name]').innerText()).toBe('指挥中心值班员')
  expect(await page.locator('[data-testid=user-role]').innerText()).toBe('指挥中心')
  expect(await page.evaluate(() => window.__safegrid!.map.queryRenderedFeatures({ layers: ['buildings-fill'] }).length)).toBeGreaterThan(50)
  await page.screenshot({ path: 'test-results/signed-in-command.png' })

  // Signing out ends the session at the server and returns to the sign-in page.
  await page.locator('[data-testid=logout]').click()
  await page.waitForURL(/\/login/)
  expect((await page.request.get(`${server.url}/api/auth/me`)).status()).toBe(401)
  await page.goto(server.url + '/')
  await page.waitForURL(/\/login/)
  await context.close()
})

test('a patrol member lands on /patrol; / sends them there', async () => {
  const { context, page } = await newPage({ viewport: { width: 360, height: 740 } })
  await page.goto(server.url + '/login')
  await signIn(page, 'patrol')
  await page.waitForURL(/\/patrol$/)
  await page.goto(server.url + '/')
  await page.waitForURL(/\/patrol$/)
  expect(await page.locator('[data-testid=user-role]').innerText()).toBe('巡逻队员')
  await context.close()
})

test('an expired session while writing a report returns to sign-in and the report is restored afterwards', async () => {
  const { context, page } = await newPage({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    geolocation: { latitude: inside.lat, longitude: inside.lon, accuracy: 8 },
    permissions: ['geolocation'],
  })
  const description = `过期测试：3栋楼道电动车充电 ${Date.now()}`
  await page.goto(server.url + '/patrol')
  await page.waitForURL(/\/login/)
  await signIn(page, 'patrol')
  await page.waitForURL(/\/patrol$/)
  await mapReady(page)

  await page.locator('[data-testid=locate]').click()
  await expect.poll(() => page.locator('[data-testid=report-location]').innerText()).toContain('已定位')
  await page.locator('[data-category=ebike_indoor]').click()
  await page.locator('[data-severity=major]').click()
  await page.locator('[data-testid=report-description]').fill(description)

  // The session ends on the server while the form is being filled in.
  await server.db.sql`delete from sessions`
  await page.locator('[data-testid=report-submit]').click()
  await page.waitForURL(/\/login\?/)
  expect(new URL(page.url()).searchParams.get('redirect')).toBe('/patrol')
  await expect.poll(() => page.locator('[data-testid=session-expired]').innerText()).toContain('登录已过期')
  expect(await page.locator('input[name=username]').inputValue()).toBe('patrol')
  await page.screenshot({ path: 'test-results/session-expired.png' })

  await page.locator('input[name=password]').fill('demo')
  await page.locator('[data-testid=login-form] button[type=submit]').click()
  await page.waitForURL(/\/patrol$/)
  expect(await page.locator('[data-testid=report-description]').inputValue()).toBe(description)
  expect(await page.locator('[data-category=ebike_indoor]').getAttribute('aria-pressed')).toBe('true')
  expect(await page.locator('[data-severity=major]').getAttribute('aria-pressed')).toBe('true')
  expect(await page.locator('[data-testid=report-location]').innerText()).toContain('已定位')
  await page.screenshot({ path: 'test-results/report-restored.png' })

  // Sending now works, once.
  await page.locator('[data-testid=report-submit]').click()
  await expect.poll(() => page.locator('[data-testid=report-receipt]').innerText(), { timeout: 10_000 }).toContain('已上报')
  // The leader's session went with the others: sign in again to check.
  api = await server.login('leader')
  const all = (await (await api.get('/api/hazards?category=ebike_indoor')).json()) as { features: { properties: { description: string | null } }[] }
  expect(all.features.filter((f) => f.properties.description === description)).toHaveLength(1)
  await context.close()
})

test('an expired session while writing a note in the command centre restores the hazard and the note', async () => {
  const { context, page } = await newPage()
  await page.goto(server.url + '/login')
  await signIn(page, 'command')
  await page.waitForURL((url) => url.pathname === '/')
  await mapReady(page)
  const item = page.locator('[data-testid=hazard-list-item]').first()
  const id = await item.getAttribute('data-hazard-id')
  await item.click()
  await page.waitForURL((url) => url.searchParams.get('hazard') === id)
  const note = page.locator('[data-testid=transition-note]')
  await note.fill('已电话联系物业，等待回复')
  await server.db.sql`delete from sessions`
  // Any move answers 401 now (the deletion dropped the server's cached sessions).
  await page.locator('[data-transition]').first().click()
  await page.waitForURL(/\/login\?/)
  await signIn(page, 'command')
  await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('hazard') === id)
  await expect.poll(() => page.locator('[data-testid=hazard-drawer]').innerText()).toContain(`#${id}`)
  expect(await page.locator('[data-testid=transition-note]').inputValue()).toBe('已电话联系物业，等待回复')
  await context.close()
})

test('no request left the machine', () => {
  expect(foreignRequests).toEqual([])
})
