/**
 * The partner unit's workbench (共建单位工作台, issue 14) in Chromium: the property company's account `wuye` sees the
 * matters handed to its unit and nothing of the police station's; it accepts one (接单处置), adds a photo of the work and a
 * comment, and marks it rectified — each stored once, by its unit — and a matter handed by the command centre at street
 * level (escalation with unitId) shows up in its list.
 */
import { mkdir } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
let page: Page
let command: Client
let property: number
let policeUnit: number
/** A matter the command centre hands to the property company by escalating it to the street; one handed to the police. */
let ours: number
let theirs: number

const sql = () => server.db.sql

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  command = await server.login('command')
  const units = await sql()<{ id: number; kind: string }[]>`select id::int, kind from partner_units order by id`
  property = units.find((u) => u.kind === 'property')!.id
  policeUnit = units.find((u) => u.kind === 'police')!.id
  const [spot] = await sql()<{ lon: number; lat: number }[]>`
    select ST_X(ST_PointOnSurface(geom)) as lon, ST_Y(ST_PointOnSurface(geom)) as lat from zones where community_id = 1 and parent_id is null order by id limit 1`
  const report = async (description: string): Promise<number> => {
    const res = await command.post('/api/hazards', { category: 'corridor_clutter', severity: 'major', location: spot, description })
    expect(res.status, await res.clone().text()).toBe(201)
    return ((await res.json()) as { id: number }).id
  }
  ours = await report(`楼道堆物，物业处理 ${Date.now()}`)
  theirs = await report(`可疑人员徘徊，派出所处理 ${Date.now()}`)
  for (const [id, unitId] of [
    [ours, property],
    [theirs, policeUnit],
  ] as const) {
    const res = await command.post(`/api/hazards/${id}/escalate`, { level: 'street', reason: '需共建单位处置', unitId })
    expect(res.status, await res.clone().text()).toBe(200)
    const moved = await command.post(`/api/hazards/${id}/transition`, { to: 'dispatched', unitId })
    expect(moved.status, await moved.clone().text()).toBe(200)
  }
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' })
  page = await context.newPage()
  await page.goto(server.url + '/login?redirect=/partner')
  await page.locator('input[name=username]').fill('wuye')
  await page.locator('input[name=password]').fill('demo')
  await page.locator('[data-testid=login-form] button[type=submit]').click()
  await page.waitForURL(/\/partner$/)
  await page.locator('[data-testid=partner-bench]').waitFor({ timeout: 30_000 })
  await mkdir('test-results', { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('the property company sees exactly its unit’s matters, not the police station’s', async () => {
  const item = page.locator(`[data-testid=bench-item-${ours}]`)
  await item.waitFor({ timeout: 20_000 })
  expect(await page.locator(`[data-testid=bench-item-${theirs}]`).count()).toBe(0)
  const ids = await page.locator('[data-testid^=bench-item-]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-testid')!.slice('bench-item-'.length))))
  const handed = await sql()<{ id: number }[]>`select id::int from hazards where unit_id = ${property} order by id`
  expect([...ids].sort((a, b) => a - b)).toEqual(handed.map((h) => h.id))
  expect(ids).not.toContain(theirs)
  expect(await page.locator('.bench__unit').innerText()).toContain('物业')
  await page.screenshot({ path: 'test-results/partner-bench.png' })
})

test('it accepts a matter (接单处置), adds a photo and a comment, and marks it rectified: each stored once, by its unit', async () => {
  const item = page.locator(`[data-testid=bench-item-${ours}]`)
  await item.locator('.bench__row').click()
  const accept = item.locator('[data-transition=rectifying]')
  await accept.waitFor({ timeout: 15_000 })
  expect(await accept.innerText()).toContain('接单')
  await accept.click()
  await item.locator('[data-transition=rectified]').waitFor({ timeout: 15_000 })
  const [accepted] = await sql()<{ status: string }[]>`select status from hazards where id = ${ours}`
  expect(accepted!.status).toBe('rectifying')

  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#2a9d8f' } }).png().toBuffer()
  await item.locator('[data-testid=bench-photo]').setInputFiles({ name: 'done.png', mimeType: 'image/png', buffer: png })
  await expect.poll(async () => (await sql()<{ n: number }[]>`select count(*)::int as n from hazard_photos where hazard_id = ${ours}`)[0]!.n, { timeout: 15_000 }).toBe(1)

  const note = '楼道杂物已清理，已通知业主'
  await item.locator('[data-testid=bench-comment]').fill(note)
  await item.locator('.bench__comment button[type=submit]').click()
  await expect.poll(() => item.locator('.bench__comments').innerText(), { timeout: 15_000 }).toContain(note)

  await item.locator('[data-transition=rectified]').click()
  await expect.poll(async () => (await sql()<{ status: string }[]>`select status from hazards where id = ${ours}`)[0]!.status, { timeout: 15_000 }).toBe('rectified')
  const events = await sql()<{ to: string; unitId: number | null }[]>`
    select to_status as "to", unit_id::int as "unitId" from hazard_events where hazard_id = ${ours} and to_status in ('rectifying', 'rectified') order by id`
  expect(events).toEqual([
    { to: 'rectifying', unitId: property },
    { to: 'rectified', unitId: property },
  ])
  const comments = await sql()<{ note: string; unitId: number }[]>`select note, unit_id::int as "unitId" from hazard_comments where hazard_id = ${ours}`
  expect(comments).toEqual([{ note, unitId: property }])
  // The police station's matter was untouched.
  const [other] = await sql()<{ status: string }[]>`select status from hazards where id = ${theirs}`
  expect(other!.status).toBe('dispatched')
  await page.screenshot({ path: 'test-results/partner-rectified.png', fullPage: true })
})
