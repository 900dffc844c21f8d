/**
 * Issue 17 — a paired member records two visits from the patrol phone (position from the phone, through the
 * offline outbox) and the leader's care calendar shows the day complete.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
let residentId: number
let door: { lon: number; lat: number }

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  const leader = await server.login('leader')
  const [c] = await server.db.sql<{ id: number; lon: number; lat: number; personId: number }[]>`
    select c.id::int, ST_X(ST_PointOnSurface(c.boundary)) as lon, ST_Y(ST_PointOnSurface(c.boundary)) as lat,
           (select person_id::int from users where username = 'patrol') as "personId"
    from communities c order by c.id limit 1`
  door = { lon: c!.lon, lat: c!.lat }
  const res = await leader.post('/api/care/residents', { communityId: c!.id, name: '浏览器测试户', group: 'elderly_alone', ...door, visitsPerDay: 2, personIds: [c!.personId] })
  expect(res.status).toBe(201)
  residentId = ((await res.json()) as { id: number }).id
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('a paired member records two visits at the door and the calendar shows the day complete', { timeout: 180_000 }, async () => {
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    geolocation: { longitude: door.lon + 0.0001, latitude: door.lat, accuracy: 8 },
    permissions: ['geolocation'],
  })
  const page = await phone.newPage()
  expect((await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'patrol', password: 'demo' } })).status()).toBe(200)
  await page.goto(`${server.url}/patrol`)
  await page.getByTestId('tab-care').click()
  const item = page.getByTestId(`care-item-${residentId}`)
  await expect.poll(() => item.count(), { timeout: 30_000 }).toBe(1)
  await page.getByTestId(`care-record-${residentId}`).click()
  await expect.poll(async () => (await item.textContent()) ?? '', { timeout: 30_000 }).toMatch(/1/)
  await page.getByTestId(`care-record-${residentId}`).click()
  // Both visits reach the server through the outbox; the household leaves today's list.
  await expect.poll(async () => (await server.db.sql<{ n: number }[]>`select count(*)::int as n from care_visits where resident_id = ${residentId}`)[0]!.n, { timeout: 30_000 }).toBe(2)
  await expect.poll(() => item.count(), { timeout: 30_000 }).toBe(0)
  await phone.close()

  const desk = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  const leaderPage = await desk.newPage()
  expect((await leaderPage.request.post(`${server.url}/api/auth/login`, { data: { username: 'leader', password: 'demo' } })).status()).toBe(200)
  await leaderPage.goto(`${server.url}/leader`)
  const row = leaderPage.getByTestId(`care-row-${residentId}`)
  await expect.poll(() => row.count(), { timeout: 60_000 }).toBe(1)
  const today = row.locator('td').last()
  expect(await today.getAttribute('data-state')).toBe('done')
  expect((await today.textContent())?.trim()).toBe('2')
  await desk.close()
})
