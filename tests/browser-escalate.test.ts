/**
 * Escalation from the patrol phone (升级, issue 14) in Chromium at 360 px: the assignee escalates a task to the grid
 * with a reason while offline; it waits in the outbox; back online, the first answer is lost on the way (the server
 * escalated, the phone saw a network failure) and the phone sends it again with the same clientId — the matter is
 * escalated exactly once. Then the command centre's list filters by handling level and by micro-grid.
 */
import { mkdir } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { outboxItems } from './helpers/outbox.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
let command: Client
/** Two micro-grids of one demo grid; the task lies in the first. */
let micro: { id: number; parentId: number; name: string; lon: number; lat: number }[]
let taskId: number

const sql = () => server.db.sql

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  command = await server.login('command')
  micro = await sql()<{ id: number; parentId: number; name: string; lon: number; lat: number }[]>`
    select id::int, parent_id::int as "parentId", name, ST_X(ST_PointOnSurface(geom)) as lon, ST_Y(ST_PointOnSurface(geom)) as lat
    from zones where community_id = 1 and parent_id is not null order by parent_id, id`
  micro = micro.filter((m) => m.parentId === micro[0]!.parentId)
  const [u] = await sql()<{ personId: number }[]>`select person_id::int as "personId" from users where username = 'patrol'`
  const res = await command.post('/api/hazards', { category: 'ebike_indoor', severity: 'major', location: { lon: micro[0]!.lon, lat: micro[0]!.lat }, description: `升级测试 ${Date.now()}` })
  expect(res.status, await res.clone().text()).toBe(201)
  const created = (await res.json()) as { id: number; properties: { microGridId: number | null; level: string } }
  expect(created.properties).toMatchObject({ microGridId: micro[0]!.id, level: 'micro_grid' })
  taskId = created.id
  const moved = await command.post(`/api/hazards/${taskId}/transition`, { to: 'dispatched', assigneeId: u!.personId })
  expect(moved.status, await moved.clone().text()).toBe(200)
  await mkdir('test-results', { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('offline, the assignee escalates a task with a reason; online, a lost answer is sent again and the matter is escalated once', { timeout: 180_000 }, async () => {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    // The app's service worker would hide the phone's requests from page.route.
    serviceWorkers: 'block',
  })
  const page = await context.newPage()
  await page.goto(server.url + '/login?redirect=/patrol')
  await page.locator('input[name=username]').fill('patrol')
  await page.locator('input[name=password]').fill('demo')
  await page.locator('[data-testid=login-form] button[type=submit]').click()
  await page.waitForURL(/\/patrol$/)
  await page.locator('[data-testid=tab-tasks]').click()
  const task = page.locator(`[data-testid=task-item][data-hazard-id="${taskId}"]`)
  await task.waitFor({ timeout: 30_000 })

  // The first escalate request reaches the server, but its answer never reaches the phone.
  let sent = 0
  await page.route('**/api/hazards/*/escalate', async (route) => {
    sent++
    if (sent === 1) {
      await route.fetch()
      await route.abort('connectionreset')
    } else await route.continue()
  })

  await context.setOffline(true)
  await task.locator('[data-testid=escalate-button]').click()
  const form = task.locator('[data-testid=escalate-form]')
  await form.waitFor()
  expect(await task.locator('[data-testid=escalate-level] option').allInnerTexts()).toEqual(['网格', '街道'])
  await task.locator('[data-testid=escalate-submit]').click()
  expect(await form.innerText()).toContain('请填写升级原因')
  const reason = '住户拒不整改，需网格协调物业'
  await task.locator('[data-testid=escalate-reason]').fill(reason)
  await page.screenshot({ path: 'test-results/escalate-form.png' })
  await task.locator('[data-testid=escalate-submit]').click()
  await task.locator('[data-testid=escalate-pending]').waitFor()
  expect(await task.locator('[data-testid=escalate-pending]').innerText()).toContain('升级到网格')
  const waiting = (await outboxItems(page)).filter((i) => i.kind === 'escalation')
  expect(waiting.map((i) => i.status)).toEqual(['pending'])
  const [before] = await sql()<{ level: string }[]>`select level from hazards where id = ${taskId}`
  expect(before!.level).toBe('micro_grid')

  await context.setOffline(false)
  await page.evaluate(() => window.dispatchEvent(new Event('online')))
  await expect.poll(async () => (await outboxItems(page)).filter((i) => i.kind === 'escalation' && i.status === 'sent').length, { timeout: 60_000, interval: 250 }).toBe(1)
  expect(sent).toBeGreaterThanOrEqual(2)
  const [after] = await sql()<{ level: string; escalations: number; events: number; clientId: string | null; note: string | null }[]>`
    select h.level, h.escalations,
           (select count(*)::int from hazard_events e where e.hazard_id = h.id and e.kind = 'escalation') as events,
           (select e.client_id from hazard_events e where e.hazard_id = h.id and e.kind = 'escalation' limit 1) as "clientId",
           (select e.note from hazard_events e where e.hazard_id = h.id and e.kind = 'escalation' limit 1) as note
    from hazards h where h.id = ${taskId}`
  expect(after).toMatchObject({ level: 'grid', escalations: 1, events: 1, note: reason })
  expect(after!.clientId).toBe(waiting[0]!.id)
  await task.locator('[data-testid=escalate-done]').waitFor({ timeout: 20_000 })
  expect(await task.locator('[data-testid=escalate-done]').innerText()).toContain('已升级到网格办理')
  await page.screenshot({ path: 'test-results/escalate-done.png' })
  // The matter is the grid's now: a reload of my tasks no longer lists it, but the phone keeps it with its
  // confirmation (handed over) until the member dismisses it — whichever of the two answers lands last.
  await page.locator('[data-testid=tasks-refresh]').click()
  await expect.poll(() => page.locator('[data-testid=tasks-refresh]').isEnabled(), { timeout: 20_000 }).toBe(true)
  expect(await task.locator('[data-testid=escalate-done]').innerText()).toContain('已升级到网格办理')
  expect(await task.locator('[data-testid=arrive-button]').count()).toBe(0)
  await task.locator('[data-testid=task-dismiss]').click()
  await expect.poll(() => task.count()).toBe(0)
  await context.close()
})

test('the command centre filters its list by handling level and by micro-grid; micro-grids are listed under their grid', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
  const page: Page = await context.newPage()
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'command', password: 'demo' } })
  expect(login.status()).toBe(200)
  await page.goto(server.url + '/')
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
  const items = page.locator('[data-testid=hazard-list-item]')
  await expect.poll(() => items.count(), { timeout: 30_000 }).toBeGreaterThan(0)

  const level = page.locator('[data-testid=filter-level]')
  expect(await level.locator('option').allInnerTexts()).toEqual(['全部', '微网格', '网格', '街道'])
  await level.selectOption('grid')
  await expect.poll(async () => (await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-level')))).every((l) => l === 'grid')).toBe(true)
  expect(await page.locator(`[data-testid=hazard-list-item][data-hazard-id="${taskId}"]`).count()).toBe(1)
  await level.selectOption('micro_grid')
  await expect.poll(() => page.locator(`[data-testid=hazard-list-item][data-hazard-id="${taskId}"]`).count()).toBe(0)
  await level.selectOption('')

  // The zone filter: each grid followed by its micro-grids, indented.
  const zone = page.locator('[data-testid=filter-zone]')
  const options = await zone.locator('option').evaluateAll((els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, text: e.textContent ?? '', micro: e.hasAttribute('data-micro') })))
  const at = options.findIndex((o) => o.value === String(micro[0]!.parentId))
  expect(at).toBeGreaterThan(0)
  expect(options.slice(at + 1, at + 1 + micro.length).map((o) => o.value)).toEqual(micro.map((m) => String(m.id)))
  expect(options.slice(at + 1, at + 1 + micro.length).every((o) => o.micro && o.text.includes('└'))).toBe(true)

  await zone.selectOption(String(micro[0]!.id))
  await expect.poll(() => page.locator(`[data-testid=hazard-list-item][data-hazard-id="${taskId}"]`).count()).toBe(1)
  const shown = (await items.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-hazard-id'))))).filter(Number.isFinite)
  const inMicro = new Set((await sql()<{ id: number }[]>`select id::int from hazards where micro_zone_id = ${micro[0]!.id}`).map((r) => r.id))
  expect(shown.length).toBeGreaterThan(0)
  expect(shown.every((id) => inMicro.has(id))).toBe(true)
  await page.screenshot({ path: 'test-results/command-micro-filter.png' })
  await zone.selectOption(String(micro[1]!.id))
  await expect.poll(() => page.locator(`[data-testid=hazard-list-item][data-hazard-id="${taskId}"]`).count()).toBe(0)
  await context.close()
})
