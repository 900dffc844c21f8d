/**
 * One loop, one map (issue 14): the command centre draws the open matters of the other kinds (disputes,
 * leads, emergencies, requests, information) beside the hazards, each kind with its own marker, listed in
 * the legend; a matter reported meanwhile appears live with its kind's marker, and clicking a marker opens
 * the matter in the drawer. Chromium, desktop size.
 */
import { mkdir } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
let command: Client

const OTHER_KINDS = ['dispute', 'lead', 'emergency', 'request', 'information']
const OPEN = ['reported', 'dispatched', 'rectifying', 'rectified']

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  command = await server.login('command')
  await mkdir('test-results', { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

/** The ids and kinds of the matters drawn on the `matters-icon` layer. */
async function drawn(page: Page): Promise<{ id: string; type: string }[]> {
  return page.evaluate(() =>
    window.__safegrid!.map.queryRenderedFeatures({ layers: ['matters-icon'] }).map((f) => ({ id: String(f.properties.id), type: String(f.properties.type) })),
  )
}

test('the command centre draws the open matters of every other kind with a marker per kind, live too, and opens one on click', { timeout: 180_000 }, async () => {
  // The seed's open matters of other kinds depend on the hour it ran: one reported now makes sure there is one.
  const [at] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(ST_PointOnSurface(footprint)) as lon, ST_Y(ST_PointOnSurface(footprint)) as lat from buildings where community_id = 1 order by id limit 1`
  const request = await command.post('/api/matters', { type: 'request', category: 'repair', location: { lon: at!.lon, lat: at!.lat }, description: '楼道灯坏了，请求维修' })
  expect(request.status, await request.clone().text()).toBe(201)
  const res = await command.get(`/api/matters?communityId=1&type=${OTHER_KINDS.join(',')}&status=${OPEN.join(',')}&limit=1000`)
  expect(res.status).toBe(200)
  const api = (await res.json()) as { features: { id: number; properties: { type: string } }[] }
  expect(api.features.length).toBeGreaterThan(0)

  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' })
  const page = await context.newPage()
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'command', password: 'demo' } })
  expect(login.status()).toBe(200)
  await page.goto(server.url + '/')
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })

  // Every open matter of the other kinds is drawn (the map shows the whole community), with its own kind.
  const expected = api.features.map((f) => ({ id: String(f.id), type: f.properties.type })).sort((a, b) => a.id.localeCompare(b.id))
  await expect.poll(async () => [...new Map((await drawn(page)).map((d) => [d.id, d])).values()].sort((a, b) => a.id.localeCompare(b.id)), { timeout: 30_000 }).toEqual(expected)
  expect(expected.every((d) => OTHER_KINDS.includes(d.type))).toBe(true)
  // Each kind has its marker image, and the legend names the five kinds.
  expect(await page.evaluate((kinds) => kinds.every((k) => window.__safegrid!.map.hasImage(`matter-${k}`)), OTHER_KINDS)).toBe(true)
  const legend = (await page.locator('[data-testid=legend-kinds] li').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim())
  expect(legend).toEqual(['纠 矛盾纠纷', '线 治安线索', '急 突发事件', '诉 居民诉求', '民 社情民意'])
  // Not in the hazard list: that lists hazards.
  const listed = await page.locator('[data-testid=hazard-list-item]').evaluateAll((els) => els.map((e) => e.getAttribute('data-hazard-id')))
  expect(listed.some((id) => expected.some((d) => d.id === id))).toBe(false)

  // A dispute reported now appears live, as a dispute: at the building farthest from every other matter, so a click hits it alone.
  const [spot] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(p) as lon, ST_Y(p) as lat
    from buildings b, ST_PointOnSurface(b.footprint) p
    where b.community_id = 1
    order by (select min(ST_Distance(p::geography, h.geom::geography)) from hazards h where h.community_id = 1) desc nulls last
    limit 1`
  const created = await command.post('/api/matters', { type: 'dispute', category: 'noise', location: { lon: spot!.lon, lat: spot!.lat }, description: `邻里噪音 ${Date.now()}` })
  expect(created.status, await created.clone().text()).toBe(201)
  const dispute = (await created.json()) as { id: number }
  await expect.poll(async () => (await drawn(page)).find((d) => d.id === String(dispute.id))?.type, { timeout: 30_000 }).toBe('dispute')
  await page.screenshot({ path: 'test-results/command-matters.png' })

  // Clicking its marker opens it in the drawer.
  const point = await page.evaluate((p) => window.__safegrid!.map.project([p.lon, p.lat]), spot!)
  const box = (await page.locator('.maplibregl-canvas').boundingBox())!
  await page.mouse.click(box.x + point.x, box.y + point.y)
  await expect.poll(() => page.locator('.hazard-drawer__title').innerText().catch(() => ''), { timeout: 20_000 }).toBe('噪音扰民')
  await context.close()
})
