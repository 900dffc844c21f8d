import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { UNVISITED_COMPOUNDS_TONIGHT } from '../server/seed/patrols.ts'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
let page: Page
const foreignRequests: string[] = []

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  page = await context.newPage()
  page.on('request', (req) => {
    const url = new URL(req.url())
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== server.url) foreignRequests.push(req.url())
  })
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'leader', password: 'demo' } })
  expect(login.status()).toBe(200)
  await page.goto(`${server.url}/leader`)
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test("the seeded unvisited compounds' buildings are drawn red (visited = false)", async () => {
  const rows = await server.db.sql<{ id: number; compound: string }[]>`
    select b.id, c.name as compound from buildings b join compounds c on c.id = b.compound_id
    where c.name = any(${UNVISITED_COMPOUNDS_TONIGHT as string[]}::text[])`
  expect(rows.length).toBeGreaterThan(0)
  const rendered = await page.evaluate(() =>
    window.__safegrid!.map.queryRenderedFeatures({ layers: ['coverage-buildings-fill'] }).map((f) => ({
      id: Number(f.properties.id),
      visited: f.properties.visited as boolean,
    })),
  )
  const byId = new Map(rendered.map((f) => [f.id, f.visited]))
  for (const name of UNVISITED_COMPOUNDS_TONIGHT) {
    const ids = rows.filter((r) => r.compound === name).map((r) => r.id)
    const shown = ids.filter((id) => byId.has(id))
    expect(shown.length, `${name} buildings on screen`).toBeGreaterThan(0)
    expect(shown.every((id) => byId.get(id) === false), `${name} all red`).toBe(true)
  }
})

test('some buildings are drawn green (visited)', async () => {
  const visited = await page.evaluate(
    () => window.__safegrid!.map.queryRenderedFeatures({ layers: ['coverage-buildings-fill'], filter: ['==', ['get', 'visited'], true] }).length,
  )
  expect(visited).toBeGreaterThan(0)
})

test("tonight's tracks and people's positions are drawn", async () => {
  const counts = await page.evaluate(() => ({
    tracks: window.__safegrid!.map.queryRenderedFeatures({ layers: ['tracks-line'] }).length,
    positions: window.__safegrid!.map.queryRenderedFeatures({ layers: ['positions-circle'] }).length,
  }))
  expect(counts.tracks).toBeGreaterThan(0)
  expect(counts.positions).toBeGreaterThan(0)
})

test('the coverage table has a row per grid (micro-grids are counted within their grid)', async () => {
  const [zones] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from zones where parent_id is null`
  await expect.poll(() => page.locator('[data-testid="coverage-row"]').count()).toBe(zones!.n)
  const first = await page.locator('[data-testid="coverage-row"]').first().innerText()
  expect(first).toMatch(/第\d+网格/)
  expect(first).toMatch(/\d+\/\d+/)
})

test('the next round lists the unvisited places in walking order', async () => {
  const items = page.locator('[data-testid="next-round"] li')
  expect(await items.count()).toBeGreaterThan(5)
  // Places read as addresses ("光谷花园 3栋"), never as database ids or a mapper's doubts (issue 19.2).
  const names = await page.locator('[data-testid="next-round"] .route__name').allInnerTexts()
  expect(names.filter((n) => /#\d|[?？]/.test(n))).toEqual([])
  await page.screenshot({ path: 'docs/screenshots/leader-labels.png' })
})

test('the calendar has a row per compound', async () => {
  const [compounds] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from compounds`
  await expect.poll(() => page.locator('[data-testid="calendar-row"]').count()).toBe(compounds!.n)
  await page.locator('[data-testid="coverage-calendar"]').screenshot({ path: 'test-results/leader-calendar.png' })
  await page.locator('[data-testid="next-round"]').scrollIntoViewIfNeeded()
})

test('the playback slider draws the tracks up to its time', async () => {
  const vertices = () =>
    page.evaluate(() => {
      const source = window.__safegrid!.map.getSource('tracks') as unknown as { serialize: () => { data: { features: { geometry: { coordinates: unknown[] } }[] } } }
      return source.serialize().data.features.reduce((n, f) => n + f.geometry.coordinates.length, 0)
    })
  const all = await vertices()
  expect(all).toBeGreaterThan(10)
  const slider = page.locator('[data-testid="playback-slider"]')
  const min = Number(await slider.getAttribute('min'))
  await slider.evaluate((el, value) => {
    const input = el as HTMLInputElement
    input.value = String(value)
    input.dispatchEvent(new Event('input', { bubbles: true }))
  }, min + 10 * 60_000)
  await expect.poll(vertices).toBeLessThan(all)
  await page.screenshot({ path: 'test-results/leader-playback.png' })
  await page.getByRole('button', { name: /最新|Latest/ }).click()
  await expect.poll(vertices).toBe(all)
})

test('scanning a key place code opens the check-in page, which checks in', async () => {
  const [place] = await server.db.sql<{ id: number; code: string; name: string; lon: number; lat: number }[]>`
    select id, code, name, ST_X(ST_PointOnSurface(geom)) as lon, ST_Y(ST_PointOnSurface(geom)) as lat from key_places order by id limit 1`
  // The phone stands at the key place: the check-in carries its position (issue 18).
  const phone = await browser.newContext({
    viewport: { width: 390, height: 760 },
    deviceScaleFactor: 2,
    geolocation: { latitude: place!.lat, longitude: place!.lon, accuracy: 8 },
    permissions: ['geolocation'],
  })
  const p = await phone.newPage()
  // A signed-out phone is sent to the sign-in page first, and back to the check-in afterwards.
  await p.goto(`${server.url}/patrol/checkin?code=${place!.code}`)
  await p.waitForURL(/\/login/)
  await p.locator('input[autocomplete="username"], input[name="username"]').first().fill('patrol')
  await p.locator('input[type="password"]').first().fill('demo')
  await p.locator('form button[type="submit"]').first().click()
  await p.waitForURL(/\/patrol\/checkin/)
  await p.locator('[data-testid="checkin-done"]').waitFor({ timeout: 20_000 })
  expect(await p.locator('[data-testid="checkin-place"]').innerText()).toBe(place!.name)
  await p.screenshot({ path: 'test-results/checkin-phone.png' })
  // Reloading the page does not check in twice.
  await p.reload()
  await p.locator('[data-testid="checkin-done"]').waitFor({ timeout: 20_000 })
  const rows = await server.db.sql<{ n: number }[]>`
    select count(*)::int as n from checkins c join users u on u.id = c.user_id
    where u.username = 'patrol' and c.key_place_id = ${place!.id} and c.created_at > now() - interval '5 minutes'`
  expect(rows[0]?.n).toBe(1)
  await phone.close()
})

test('the printable QR sheet shows a code for every key place', async () => {
  const [community] = await server.db.sql<{ id: number; n: number }[]>`
    select community_id as id, count(*)::int as n from key_places group by community_id order by community_id limit 1`
  const sheet = await browser.newPage({ viewport: { width: 1000, height: 1300 } })
  await sheet.request.post(`${server.url}/api/auth/login`, { data: { username: 'leader', password: 'demo' } })
  await sheet.goto(`${server.url}/print/qr?communityId=${community!.id}`)
  const cards = sheet.locator('[data-testid="qr-sheet"] figure')
  await expect.poll(() => cards.count()).toBe(community!.n)
  await expect
    .poll(() => sheet.evaluate(() => [...document.querySelectorAll('[data-testid="qr-sheet"] img')].slice(0, 12).every((img) => (img as HTMLImageElement).naturalWidth > 0)))
    .toBe(true)
  await sheet.screenshot({ path: 'test-results/qr-sheet.png' })
  await sheet.emulateMedia({ media: 'print' })
  await sheet.pdf({ path: 'test-results/qr-sheet.pdf', format: 'A4' }).catch(() => undefined)
  await sheet.close()
})

test('no request left the machine', async () => {
  await page.waitForTimeout(300)
  await page.screenshot({ path: 'test-results/leader.png' })
  expect(foreignRequests).toEqual([])
})
