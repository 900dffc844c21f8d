/**
 * The six teams each report the kind of matter they work on (金槐义警 一队多能, issue 14): a member of the
 * mediation team opens 上报 on the phone and finds 矛盾纠纷 chosen with its categories; the report goes
 * through the outbox to `POST /api/matters` as a dispute, once. A patrol member still starts with hazards.
 * Chromium at 360 px.
 */
import { mkdir } from 'node:fs/promises'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
let here: { lon: number; lat: number }

const sql = () => server.db.sql

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  const [spot] = await sql()<{ lon: number; lat: number }[]>`
    select ST_X(p) as lon, ST_Y(p) as lat from buildings b, ST_PointOnSurface(b.footprint) p where b.community_id = 1 order by b.id limit 1`
  here = spot!
  // The leader account's person becomes a member of a mediation team only.
  await sql()`
    with p as (select person_id from users where username = 'leader'),
    t as (
      insert into teams (community_id, name, kind) values (1, '调解队（测试）', 'mediation') returning id
    ),
    gone as (delete from person_teams where person_id = (select person_id from p))
    insert into person_teams (community_id, person_id, team_id) select 1, p.person_id, t.id from p, t`
  await mkdir('test-results', { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

async function phone(): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    geolocation: { latitude: here.lat, longitude: here.lon, accuracy: 8 },
    permissions: ['geolocation'],
  })
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(server.url + '/login?redirect=/patrol')
  await page.locator('input[name=username]').fill(username)
  await page.locator('input[name=password]').fill('demo')
  await page.locator('[data-testid=login-form] button[type=submit]').click()
  await page.waitForURL(/\/patrol$/)
  await page.locator('[data-testid=tab-report]').click()
}

test('a mediation team member reports a dispute: the kind is chosen for them and the matter is stored once as a dispute', { timeout: 180_000 }, async () => {
  const me = await server.login('leader')
  const answer = (await (await me.get('/api/auth/me')).json()) as { teamKinds: string[] }
  expect(answer.teamKinds).toEqual(['mediation'])

  const context = await phone()
  const page = await context.newPage()
  await signIn(page, 'leader')
  await expect.poll(() => page.locator('[data-testid=report-kinds] [aria-pressed=true]').getAttribute('data-kind'), { timeout: 30_000 }).toBe('dispute')
  expect(await page.locator('.category-picker [data-category]').evaluateAll((els) => els.map((e) => e.getAttribute('data-category')))).toEqual(['neighbours', 'family', 'noise', 'property', 'other'])
  // Fixing on the spot is for hazards.
  expect(await page.locator('[data-testid=report-fixed]').count()).toBe(0)

  const description = `楼上深夜噪音 ${Date.now()}`
  await page.locator('[data-testid=locate]').click()
  await expect.poll(() => page.locator('[data-testid=report-location]').innerText()).toContain('已定位')
  await page.locator('[data-category=noise]').click()
  await page.locator('[data-testid=report-description]').fill(description)
  await page.screenshot({ path: 'test-results/report-kinds-dispute.png', fullPage: true })
  await page.locator('[data-testid=report-submit]').click()
  await expect.poll(() => page.locator('[data-testid=report-receipt]').getAttribute('data-state'), { timeout: 30_000 }).toBe('sent')
  expect(await page.locator('[data-testid=report-receipt]').innerText()).toContain('噪音扰民')
  const rows = await sql()<{ type: string; category: string; source: string }[]>`select type, category, source from hazards where description = ${description}`
  expect(rows).toEqual([{ type: 'dispute', category: 'noise', source: 'patrol' }])
  await context.close()
})

test('a patrol member starts with hazards, and may switch to another kind, whose categories replace the hazard ones', { timeout: 180_000 }, async () => {
  const context = await phone()
  const page = await context.newPage()
  await signIn(page, 'patrol')
  await expect.poll(() => page.locator('[data-testid=report-kinds] [aria-pressed=true]').getAttribute('data-kind'), { timeout: 30_000 }).toBe('hazard')
  await page.locator('[data-category=corridor_clutter]').click()
  await page.locator('[data-testid=report-kinds] [data-kind=request]').click()
  expect(await page.locator('.category-picker [data-category]').evaluateAll((els) => els.map((e) => e.getAttribute('data-category')))).toEqual(['repair', 'environment', 'elderly_help', 'micro_wish', 'other'])
  // The hazard category no longer applies: nothing is chosen.
  expect(await page.locator('.category-picker [aria-pressed=true]').count()).toBe(0)
  await context.close()
})
