/**
 * Issue 15, "Done when": a resident reports from a poster's link on a phone (no sign-in), the command centre
 * accepts it, the grid worker closes it, the resident rates it unsatisfied and it reopens.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

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

async function signedIn(username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  await page.goto(`${server.url}/login`)
  await page.locator('[data-testid=login-form] input[autocomplete=username]').fill(username)
  await page.locator('[data-testid=login-form] input[type=password]').fill('demo')
  await page.locator('[data-testid=login-form] button[type=submit]').click()
  await page.waitForURL((url) => url.pathname !== '/login', { timeout: 60_000 })
  return page
}

async function move(client: Client, id: number, body: Record<string, unknown>): Promise<void> {
  const res = await client.post(`/api/hazards/${id}/transition`, body)
  if (res.status !== 200) throw new Error(`transition ${JSON.stringify(body)}: ${res.status} ${await res.text()}`)
}

const statusOf = async (id: number): Promise<string> => (await server.db.sql<{ status: string }[]>`select status from hazards where id = ${id}`)[0]!.status

test('a resident reports from a poster, the command centre accepts, the loop closes, the resident is unsatisfied and it reopens', { timeout: 480_000 }, async () => {
  const [b] = await server.db.sql<{ code: string; name: string | null }[]>`select report_code as code, name from buildings where name is not null order by id limit 1`
  // The resident's phone: no sign-in, the poster's link.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' })
  const resident = await phone.newPage()
  await resident.goto(`${server.url}/report?place=${b!.code}`)
  await expect.poll(() => resident.locator('[data-testid=resident-place]').textContent(), { timeout: 60_000 }).toContain(b!.name!)
  await resident.locator('[data-testid=resident-category]').selectOption('corridor_clutter')
  await resident.locator('[data-testid=resident-description]').fill('2单元楼道堆满纸箱，挡住了安全出口')
  await resident.locator('[data-testid=resident-contact]').fill('139 1234 5678')
  await resident.screenshot({ path: 'test-results/resident-report-form.png', fullPage: true, timeout: 60_000 })
  await resident.locator('[data-testid=resident-send]').click()
  await resident.locator('[data-testid=resident-sent]').waitFor({ timeout: 60_000 })
  const code = (await resident.locator('[data-testid=resident-code]').textContent())!.trim()
  expect(code).toMatch(/^[0-9A-Z]{12}$/)
  await resident.screenshot({ path: 'test-results/resident-report-sent.png', fullPage: true, timeout: 60_000 })
  const [row] = await server.db.sql<{ id: number; status: string; contact: string }[]>`
    select id::int, status, contact_phone as contact from hazards where tracking_code = ${code}`
  expect(row).toMatchObject({ status: 'pending_review', contact: '13912345678' })
  const id = row!.id

  // The command centre sees it as 待核实, with the phone, and accepts it.
  const command = await signedIn('command')
  await command.goto(`${server.url}/?hazard=${id}`)
  await command.locator('[data-testid=review-accept]').waitFor({ timeout: 90_000 })
  expect(await command.locator('[data-testid=review-contact]').textContent()).toBe('13912345678')
  await command.locator('[data-testid=review-answer]').fill('已受理，网格员今天到场清理')
  await command.screenshot({ path: 'test-results/resident-review.png', timeout: 60_000 })
  await command.locator('[data-testid=review-accept]').click()
  await expect.poll(() => statusOf(id), { timeout: 30_000 }).toBe('reported')
  await command.context().close()

  // The grid worker closes the loop (through the API).
  const leader = await server.login('leader')
  const patrol = await server.login('patrol')
  const [assignee] = await server.db.sql<{ id: number }[]>`select id::int from people where active and community_id = (select community_id from hazards where id = ${id}) order by id limit 1`
  await move(leader, id, { to: 'dispatched', assigneeId: assignee!.id })
  await move(patrol, id, { to: 'rectifying' })
  await move(patrol, id, { to: 'rectified', note: '已清理' })
  await move(leader, id, { to: 'verified' })

  // The resident follows the link, reads the answer and is unsatisfied: the matter reopens.
  await resident.goto(`${server.url}/r/${code}`)
  await resident.locator('[data-testid=track-rate]').waitFor({ timeout: 60_000 })
  expect(await resident.locator('[data-testid=track-answer]').textContent()).toContain('已受理')
  const page = await resident.content()
  expect(page).not.toContain('13912345678')
  await resident.screenshot({ path: 'test-results/resident-track-closed.png', fullPage: true, timeout: 60_000 })
  await resident.locator('[data-testid=track-comment]').fill('纸箱又堆回来了')
  await resident.locator('[data-rating=unsatisfied]').click()
  await expect.poll(() => resident.locator('[data-testid=track-status]').getAttribute('data-status'), { timeout: 30_000 }).toBe('reopened')
  await resident.screenshot({ path: 'test-results/resident-track-reopened.png', fullPage: true, timeout: 60_000 })
  expect(await statusOf(id)).toBe('reopened')
  await phone.close()
})

test('the command centre prints one A4 poster per compound with its report QR code', { timeout: 240_000 }, async () => {
  const page = await signedIn('command')
  await page.goto(`${server.url}/print/posters`)
  const first = page.locator('[data-testid=poster]').first()
  await first.waitFor({ timeout: 60_000 })
  expect(await first.textContent()).toContain('扫码上报')
  await expect.poll(() => first.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0)
  await page.emulateMedia({ media: 'print' })
  await page.screenshot({ path: 'test-results/resident-poster.png', timeout: 60_000 })
  await page.context().close()
})
