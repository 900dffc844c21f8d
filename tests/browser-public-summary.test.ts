/**
 * The public monthly summary (公示, issue 15) in a browser: the command centre finds the page's link on the reports
 * page, and anyone opens it on a phone without signing in, reads the month's figures and steps to the month before.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium, phoneContext } from './helpers/browser.ts'
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

test('the reports page links to the month’s public summary, which a phone reads without signing in', { timeout: 300_000 }, async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await desk.newPage()
  await page.goto(`${server.url}/login`)
  await page.locator('[data-testid=login-form] input[autocomplete=username]').fill('command')
  await page.locator('[data-testid=login-form] input[type=password]').fill('demo')
  await page.locator('[data-testid=login-form] button[type=submit]').click()
  await page.waitForURL((url) => url.pathname !== '/login', { timeout: 60_000 })
  await page.goto(`${server.url}/reports`)
  await page.locator('[data-testid=period-month]').check()
  const link = page.locator('[data-testid=report-public-summary]')
  await link.waitFor({ timeout: 60_000 })
  const href = (await link.getAttribute('href'))!
  const [c] = await server.db.sql<{ code: string; name: string }[]>`select public_code as code, name from communities order by id limit 1`
  const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7)
  expect(href).toBe(`/public/summary?community=${c!.code}&month=${month}`)
  const [n] = await server.db.sql<{ n: number }[]>`
    select count(*)::int as n from hazards where community_id = (select id from communities where public_code = ${c!.code})
      and type <> 'lead' and status <> all(array['rejected', 'pending_review'])
      and reported_at >= (${`${month}-01`}::date::timestamp at time zone 'Asia/Shanghai')
      and reported_at < ((${`${month}-01`}::date + interval '1 month')::timestamp at time zone 'Asia/Shanghai')`

  // A resident's phone: no session, the link as shared in a WeChat group.
  const phone = await phoneContext(browser)
  const resident = await phone.newPage()
  await resident.goto(server.url + href)
  await expect.poll(() => resident.locator('[data-testid=summary-heading]').textContent(), { timeout: 60_000 }).toContain(c!.name)
  expect(await resident.locator('[data-testid=summary-total]').textContent()).toBe(String(n!.n))
  expect(resident.url()).not.toContain('/login')
  await resident.screenshot({ path: 'test-results/public-summary-phone.png', fullPage: true, timeout: 60_000 })
  await resident.locator('[data-testid=summary-prev]').click()
  await expect.poll(() => new URL(resident.url()).searchParams.get('month'), { timeout: 30_000 }).not.toBe(month)
  await resident.locator('[data-testid=summary-total]').waitFor({ timeout: 60_000 })
  await desk.close()
  await phone.close()
})
