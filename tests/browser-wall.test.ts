/**
 * Issue 19 item 3, the wall screen (`/?wall=1`) and the command centre's everyday edges: no
 * controls on the wall, type that grows with the screen, the map fitted to the community, header
 * counters that filter the list and the map (mouse and keyboard), a flash (and a sound once a click
 * allowed it) when a critical matter arrives over the live stream, search and relative time ranges,
 * the replayed moment's counts in the header, and overlays that keep clear of the controls and of
 * the community. Screenshots of the wall go to docs/screenshots/.
 */
import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { onDutyAt } from '../web/stores/on-duty.ts'
import type { DutySession } from '../web/api/plans.ts'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Hazards {
  features: { id: number; geometry: { coordinates: [number, number] }; properties: { id: number; status: string } }[]
}

const SHOTS = 'docs/screenshots'

let server: TestServer
let browser: Browser
let page: Page
let leader: Client
const foreignRequests: string[] = []

function listIds(): Promise<string[]> {
  return page.$$eval('[data-testid=hazard-list-item]', (els) => els.map((el) => (el as HTMLElement).dataset.hazardId!))
}

function sourceIds(): Promise<string[]> {
  return page.evaluate(async () => {
    const source = window.__safegrid!.map.getSource('hazards') as unknown as { getData: () => Promise<GeoJSON.FeatureCollection> }
    const data = await source.getData()
    return data.features.map((f) => String(f.id ?? f.properties?.id))
  })
}

/** Computed font size (px) of the first element matching `selector`. */
function fontPx(selector: string): Promise<number> {
  return page.$eval(selector, (el) => parseFloat(getComputedStyle(el).fontSize))
}

async function countOf(testId: string): Promise<number> {
  return Number(await page.locator(`[data-testid=${testId}]`).innerText())
}

function mapReady(): Promise<unknown> {
  return page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
}

/** Waits for the map to settle (after a resize the wall fits itself to the community again). */
function idle(): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const map = window.__safegrid!.map
        map.once('idle', () => resolve())
        map.triggerRepaint()
      }),
  )
}

interface Box {
  x: number
  y: number
  width: number
  height: number
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

/** The community's outline, projected to the page: its bounding box on screen. */
function communityBoxOnScreen(): Promise<Box> {
  return page.evaluate(async () => {
    const map = window.__safegrid!.map
    const source = map.getSource('community') as unknown as { getData: () => Promise<GeoJSON.FeatureCollection> }
    const data = await source.getData()
    const el = map.getCanvas()
    const canvas = el.getBoundingClientRect()
    // The wall draws the map scaled up by CSS on large screens: map pixels × k = page pixels.
    const k = canvas.width / el.offsetWidth || 1
    let x0 = Infinity
    let y0 = Infinity
    let x1 = -Infinity
    let y1 = -Infinity
    const visit = (c: unknown): void => {
      if (Array.isArray(c) && typeof c[0] === 'number') {
        const p = map.project(c as [number, number])
        x0 = Math.min(x0, p.x)
        y0 = Math.min(y0, p.y)
        x1 = Math.max(x1, p.x)
        y1 = Math.max(y1, p.y)
      } else if (Array.isArray(c)) c.forEach(visit)
    }
    for (const f of data.features) visit((f.geometry as GeoJSON.Polygon).coordinates)
    return { x: canvas.left + k * x0, y: canvas.top + k * y0, width: k * (x1 - x0), height: k * (y1 - y0) }
  })
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  leader = await server.login('leader')
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } })
  page = await context.newPage()
  page.on('request', (req) => {
    const url = new URL(req.url())
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== server.url) foreignRequests.push(req.url())
  })
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'command', password: 'demo' } })
  expect(login.status()).toBe(200)
  await page.goto(server.url + '/?wall=1')
  await mapReady()
  await page.waitForSelector('[data-testid=live-indicator][data-live-state=live]', { timeout: 20_000 })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('the wall has no controls, a dark theme, and type that grows with the screen; the map fits the community', async () => {
  expect(await page.locator('html').getAttribute('class')).toContain('sg-wall')
  for (const selector of [
    '[data-testid=app-nav]',
    '[data-testid=hazard-filters]',
    '[data-testid=analytics-toggle]',
    '[data-testid=replay-time]',
    '.maplibregl-ctrl-zoom-in',
    '.maplibregl-ctrl-scale',
    '.language-switch',
  ]) {
    expect(await page.locator(selector).count(), selector).toBe(0)
  }
  expect(await page.locator('[data-testid=hazard-counts]').isVisible()).toBe(true)
  expect(await page.locator('[data-testid=wall-clock]').innerText()).toMatch(/^\d{2}:\d{2}$/)
  // Patrol members on duty now, as the API counts them.
  const command = await server.login('command')
  const now = new Date()
  const duty = (await (
    await command.get(`/api/duty?from=${encodeURIComponent(new Date(now.getTime() - 86_400_000).toISOString())}&to=${encodeURIComponent(now.toISOString())}`)
  ).json()) as { items: DutySession[] }
  await expect.poll(async () => page.locator('[data-testid=count-on-duty]').innerText()).toBe(String(onDutyAt(duty.items, now)))
  expect(await page.locator('[data-testid=hazard-list-item]').count()).toBeGreaterThan(0)
  await expect.poll(() => page.locator('[data-testid=wall-sound-hint]').innerText()).toContain('点击启用声音')
  // Dark: the panel's background is dark.
  const panelBg = await page.$eval('[data-testid=hazard-list]', (el) => getComputedStyle(el).backgroundColor)
  const [r, g, b] = panelBg.match(/\d+/g)!.map(Number)
  expect(r! + g! + b!).toBeLessThan(150)

  await idle()
  const small = {
    root: await fontPx('html'),
    count: await fontPx('[data-testid=count-open]'),
    label: await fontPx('.app-header__count-label'),
    item: await fontPx('.hazard-list__category'),
    meta: await fontPx('.hazard-list__meta'),
  }
  const community1920 = await communityBoxOnScreen()
  await page.screenshot({ path: `${SHOTS}/wall-1920.png` })

  await page.setViewportSize({ width: 3840, height: 2160 })
  await expect.poll(() => fontPx('html')).toBeGreaterThan(small.root * 1.8)
  await page.waitForTimeout(300)
  await idle()
  const large = {
    root: await fontPx('html'),
    count: await fontPx('[data-testid=count-open]'),
    label: await fontPx('.app-header__count-label'),
    item: await fontPx('.hazard-list__category'),
    meta: await fontPx('.hazard-list__meta'),
  }
  console.log(`[wall] font px at 1920×1080 → 3840×2160: ${JSON.stringify(small)} → ${JSON.stringify(large)}`)
  // About twice the size at twice the resolution, and readable from a distance.
  for (const key of ['root', 'count', 'label', 'item', 'meta'] as const) {
    expect(large[key], key).toBeGreaterThanOrEqual(small[key] * 1.8)
  }
  expect(large.count).toBeGreaterThanOrEqual(48)
  expect(large.meta).toBeGreaterThanOrEqual(22)
  // The community fills the larger screen as it did the smaller one (fitted again after the resize).
  const community3840 = await communityBoxOnScreen()
  expect(community3840.width).toBeGreaterThan(community1920.width * 1.6)
  const canvas = (await page.locator('.maplibregl-canvas').boundingBox())!
  expect(community3840.x).toBeGreaterThanOrEqual(canvas.x - 1)
  expect(community3840.x + community3840.width).toBeLessThanOrEqual(canvas.x + canvas.width + 1)
  expect(community3840.y).toBeGreaterThanOrEqual(canvas.y - 1)
  expect(community3840.y + community3840.height).toBeLessThanOrEqual(canvas.y + canvas.height + 1)
  // Fitted: it fills most of the map one way or the other.
  expect(Math.max(community3840.width / canvas.width, community3840.height / canvas.height)).toBeGreaterThan(0.6)
  // Map symbols grow too: the map is drawn at twice the scale (as with OS scaling).
  expect(await page.evaluate(() => window.__safegrid!.map.getPixelRatio())).toBeGreaterThanOrEqual(2)
  await page.screenshot({ path: `${SHOTS}/wall-3840.png` })

  await page.setViewportSize({ width: 1920, height: 1080 })
  await expect.poll(() => fontPx('html')).toBe(small.root)
  await page.waitForTimeout(300)
  await idle()
}, 300_000)

test('header counters filter the list and the map, with a pressed state, by mouse and by keyboard', async () => {
  const all = (await listIds()).length
  expect(all).toBe(await countOf('count-open'))

  const overdue = page.locator('button[data-counter=overdue]')
  await overdue.click()
  expect(await overdue.getAttribute('aria-pressed')).toBe('true')
  const overdueCount = await countOf('count-overdue')
  expect(overdueCount).toBeGreaterThan(0)
  await expect.poll(async () => (await listIds()).length).toBe(overdueCount)
  const list = await listIds()
  await expect.poll(async () => (await sourceIds()).sort()).toEqual([...list].sort())
  // Every one shown is overdue, by the API's word.
  const api = (await (await leader.get('/api/hazards?overdue=true')).json()) as Hazards
  const apiIds = new Set(api.features.map((f) => String(f.id)))
  for (const id of list) expect(apiIds.has(id), id).toBe(true)

  // Pressed again: released, everything open again.
  await overdue.click()
  expect(await overdue.getAttribute('aria-pressed')).toBe('false')
  await expect.poll(async () => (await listIds()).length).toBe(all)

  // Keyboard: Tab reaches the counters, Enter presses one.
  const critical = page.locator('button[data-counter=critical]')
  await critical.focus()
  await page.keyboard.press('Enter')
  expect(await critical.getAttribute('aria-pressed')).toBe('true')
  const criticalCount = await countOf('count-critical')
  await expect.poll(async () => (await listIds()).length).toBe(criticalCount)
  await expect.poll(async () => (await sourceIds()).length).toBe(criticalCount)
  await page.keyboard.press('Space')
  expect(await critical.getAttribute('aria-pressed')).toBe('false')
  await expect.poll(async () => (await listIds()).length).toBe(all)
})

test('a critical matter reported over the API flashes the wall and sounds once sound is enabled', async () => {
  // Sound needs a gesture first: any click enables it (the counters' clicks did) and the hint goes away.
  const hint = page.locator('[data-testid=wall-sound-hint]')
  if ((await hint.count()) > 0) await hint.click()
  await expect.poll(() => page.locator('[data-testid=wall-sound-hint]').count()).toBe(0)
  await expect.poll(() => page.locator('[data-testid=sound-toggle]').getAttribute('data-sound-ready')).toBe('1')
  const soundsBefore = Number(await page.locator('[data-testid=sound-toggle]').getAttribute('data-sounds'))
  expect(await page.locator('[data-testid=wall-alert]').count()).toBe(0)

  const open = (await (await leader.get('/api/hazards?status=reported,dispatched')).json()) as Hazards
  const [lon, lat] = open.features[0]!.geometry.coordinates
  const res = await leader.post('/api/hazards', {
    category: 'fire_lane_blocked',
    severity: 'critical',
    location: { lon: lon + 0.0002, lat: lat + 0.0002 },
    description: '大屏测试：消防通道被堵死',
    clientId: `wall-test-${Date.now()}`,
  })
  expect(res.status).toBe(201)
  const id = String(((await res.json()) as { id: number }).id)

  const alert = page.locator('[data-testid=wall-alert]')
  await alert.waitFor({ timeout: 15_000 })
  expect(await alert.getAttribute('data-hazard-id')).toBe(id)
  expect(await alert.getAttribute('data-kind')).toBe('critical')
  expect(await alert.innerText()).toContain('新的重大隐患')
  expect(await page.locator('[data-testid=wall-flash]').count()).toBe(1)
  expect(await page.locator('button[data-counter=critical]').getAttribute('class')).toContain('app-header__count--flash')
  await expect.poll(async () => Number(await page.locator('[data-testid=sound-toggle]').getAttribute('data-sounds'))).toBe(soundsBefore + 1)
  await page.screenshot({ path: 'test-results/wall-alert.png' })

  // Mute: the next alert flashes without a sound.
  await page.locator('[data-testid=sound-toggle]').click()
  expect(await page.locator('[data-testid=sound-toggle]').getAttribute('aria-pressed')).toBe('false')

  // 查看 opens the matter; the drawer does not cover the alert's place for long: the alert is gone.
  await alert.locator('.wall-alert__open').click()
  await page.waitForURL((url) => url.searchParams.get('hazard') === id)
  await expect.poll(() => alert.count()).toBe(0)
  await page.locator('[data-testid=hazard-drawer]').waitFor()
  await page.screenshot({ path: 'test-results/wall-drawer.png' })
  await page.keyboard.press('Escape')
  await page.waitForURL((url) => !url.searchParams.has('hazard'))
})

test('the command centre searches by number and text and filters by relative time ranges', async () => {
  await page.goto(server.url + '/')
  await mapReady()
  expect(await page.locator('html').getAttribute('class') ?? '').not.toContain('sg-wall')
  expect(await page.locator('[data-testid=app-nav]').count()).toBe(1)
  const all = (await listIds()).length

  // The matter reported a minute ago is within the last hour; the seeded ones mostly are not.
  await page.selectOption('[data-testid=filter-since]', 'hour')
  await expect.poll(async () => (await listIds()).length).toBeLessThan(all)
  const recent = await listIds()
  expect(recent.length).toBeGreaterThan(0)
  const newest = recent.map(Number).sort((a, b) => b - a)[0]!
  await page.selectOption('[data-testid=filter-since]', '')

  await page.fill('[data-testid=filter-text]', `#${newest}`)
  await expect.poll(() => listIds()).toEqual([String(newest)])
  await expect.poll(() => sourceIds()).toEqual([String(newest)])
  await page.fill('[data-testid=filter-text]', '消防通道被堵死')
  await expect.poll(() => listIds()).toEqual([String(newest)])
  await page.fill('[data-testid=filter-text]', '')
  await expect.poll(async () => (await listIds()).length).toBe(all)
})

test('while replaying, the header shows the replayed moment and its counts, not the live light', async () => {
  const liveOpen = await countOf('count-open')
  expect(await page.locator('[data-testid=live-indicator]').count()).toBe(1)
  const day = new Date(server.seededAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
  const at = new Date(Date.parse(`${day}T22:10:00+08:00`) - 86_400_000)
  const local = new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 16)
  const expected = (await (await leader.get(`/api/hazards?at=${encodeURIComponent(at.toISOString())}`)).json()) as Hazards
  expect(expected.features.length).toBeGreaterThan(0)

  await page.fill('[data-testid=replay-time]', local)
  await page.locator('[data-testid=replay-time]').dispatchEvent('change')
  await expect.poll(() => page.locator('[data-testid=header-replay]').innerText()).toContain('回放 22:10')
  expect(await page.locator('[data-testid=live-indicator]').count()).toBe(0)
  const thenOpen = expected.features.length
  await expect.poll(() => page.locator('[data-testid=replay-banner]').innerText()).toContain(`当时未闭环 ${thenOpen} 条`)
  await expect.poll(() => countOf('count-open')).toBe(thenOpen)
  expect(thenOpen).not.toBe(liveOpen)
  expect((await listIds()).length).toBe(thenOpen)

  // A counter filters the replayed moment too.
  await page.locator('button[data-counter=critical]').click()
  const thenCritical = await countOf('count-critical')
  await expect.poll(async () => (await listIds()).length).toBe(thenCritical)
  await page.locator('button[data-counter=critical]').click()
  await page.screenshot({ path: 'test-results/wall-replay-header.png' })

  await page.locator('[data-testid=replay-banner-exit]').click()
  await expect.poll(() => page.locator('[data-testid=live-indicator]').count()).toBe(1)
  await expect.poll(() => countOf('count-open')).toBe(liveOpen)
})

test('at 1280×720 the drawer leaves the zoom buttons and the statistics button free, and the legend leaves the community free', async () => {
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto(server.url + '/')
  await mapReady()
  await idle()
  const legend = (await page.locator('[data-testid=map-legend]').boundingBox())!
  const community = await communityBoxOnScreen()
  expect(overlaps(legend, community), `legend ${JSON.stringify(legend)} community ${JSON.stringify(community)}`).toBe(false)
  // Opened by hand, the map makes room beside it.
  await page.locator('[data-testid=map-legend] summary').click()
  const opened = (await page.locator('[data-testid=map-legend]').boundingBox())!
  expect(opened.height).toBeGreaterThan(legend.height)
  await page.waitForTimeout(400)
  await idle()
  expect(overlaps(opened, await communityBoxOnScreen())).toBe(false)
  await page.screenshot({ path: 'test-results/wall-1280-legend.png' })
  await page.locator('[data-testid=map-legend] summary').click()

  await page.locator('[data-testid=hazard-list-item]').first().click()
  const drawer = page.locator('[data-testid=hazard-drawer]')
  await drawer.waitFor()
  await page.waitForTimeout(50)
  const drawerBox = (await drawer.boundingBox())!
  for (const selector of ['.maplibregl-ctrl-zoom-in', '.maplibregl-ctrl-zoom-out', '[data-testid=analytics-toggle]']) {
    const box = (await page.locator(selector).boundingBox())!
    expect(overlaps(drawerBox, box), selector).toBe(false)
    expect(box.x + box.width).toBeLessThanOrEqual(1280)
  }
  await page.screenshot({ path: 'test-results/wall-1280-drawer.png' })
  await page.keyboard.press('Escape')
})

test('no request left the machine', () => {
  expect(foreignRequests).toEqual([])
})
