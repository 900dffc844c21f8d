/**
 * The patrol phone offline (issue 10), in Chromium at 360 px with emulated GPS and network:
 * the app shell opens offline; a track, two hazards with photos and a check-in recorded offline
 * reach the server exactly once when the network returns; killing the page in the middle of the
 * sync (after the server took a hazard, after it took a photo) still ends with each stored once;
 * a refused record is shown with its reason; an expired session keeps the queue. Also measures
 * the patrol shell on a throttled phone profile (written to test-results/patrol-perf.json).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { outboxItems, type OutboxItem } from './helpers/outbox.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
/** A point inside the demo community (an open hazard's location). */
let inside: { lon: number; lat: number }
/** A seeded key place's printed code. */
let placeCode: string
let placeAt: { latitude: number; longitude: number; accuracy: number }
let patrolUserId: number
const foreignRequests: string[] = []

/** A phone: 360 × 740, touch, GPS allowed at `inside`. */
async function phone(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    geolocation: { latitude: inside.lat, longitude: inside.lon, accuracy: 6 },
    permissions: ['geolocation'],
    ...options,
  })
  context.on('request', (req) => {
    const url = new URL(req.url())
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== server.url) foreignRequests.push(req.url())
  })
  return context
}

async function signIn(page: Page): Promise<void> {
  await page.goto(server.url + '/login?redirect=/patrol')
  await page.locator('input[name=username]').fill('patrol')
  await page.locator('input[name=password]').fill('demo')
  await page.locator('[data-testid=login-form] button[type=submit]').click()
  await page.waitForURL(/\/patrol$/)
  await dutyReady(page)
}

async function dutyReady(page: Page): Promise<void> {
  await page.locator('[data-testid=duty-toggle]:enabled').waitFor({ timeout: 30_000 })
}

/** A small PNG photo. */
async function photo(color: string): Promise<Buffer> {
  return sharp({ create: { width: 96, height: 64, channels: 3, background: color } })
    .png()
    .toBuffer()
}

type StoredItem = OutboxItem
const outbox = outboxItems

/** Waits until nothing waits or failed in the outbox. */
async function drained(page: Page, timeout = 30_000): Promise<StoredItem[]> {
  await expect
    .poll(async () => (await outbox(page)).filter((i) => i.status !== 'sent').length, { timeout, interval: 250 })
    .toBe(0)
  return outbox(page)
}

/** Reports a hazard through the form (located by GPS, with a photo). */
async function report(page: Page, category: string, description: string, png: Buffer): Promise<void> {
  await page.locator('[data-testid=tab-report]').click()
  await page.locator('[data-testid=locate]').click()
  await expect.poll(() => page.locator('[data-testid=report-location]').innerText()).toContain('已定位')
  await page.locator(`[data-category=${category}]`).click()
  await page.locator('[data-testid=report-description]').fill(description)
  await page.locator('[data-testid=report-photo]').setInputFiles({ name: `${category}.png`, mimeType: 'image/png', buffer: png })
  await page.locator('[data-testid=report-submit]').click()
}

/** Hazards of the patrol user with this description: how many, and their photo counts. */
async function stored(description: string): Promise<{ id: number; clientId: string | null; photos: number }[]> {
  return server.db.sql<{ id: number; clientId: string | null; photos: number }[]>`
    select h.id, h.client_id as "clientId", (select count(*)::int from hazard_photos p where p.hazard_id = h.id) as photos
    from hazards h where h.reporter_id = ${patrolUserId} and h.description = ${description}`
}

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  const [h] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(geom) as lon, ST_Y(geom) as lat from hazards where status in ('reported', 'dispatched') order by id limit 1`
  inside = h!
  const [k] = await server.db.sql<{ code: string; lon: number; lat: number }[]>`
    select code, ST_X(ST_PointOnSurface(geom)) as lon, ST_Y(ST_PointOnSurface(geom)) as lat from key_places order by id limit 1`
  placeCode = k!.code
  // A check-in carries the phone's position, which must be at the key place (issue 18).
  placeAt = { latitude: k!.lat, longitude: k!.lon, accuracy: 6 }
  const [u] = await server.db.sql<{ id: number }[]>`select id from users where username = 'patrol'`
  patrolUserId = u!.id
  await mkdir('test-results', { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('after one online visit the app shell opens offline: reloading /patrol shows the patrol view', async () => {
  const context = await phone()
  const page = await context.newPage()
  await signIn(page)
  // The service worker is installed (the shell precached) and controls the page.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined))
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 })
  const manifest = (await (await page.request.get(server.url + '/manifest.webmanifest')).json()) as { name: string; start_url: string; icons: { src: string }[] }
  expect(manifest.name).toBe('平安网格·巡逻')
  expect(manifest.start_url).toBe('/patrol')
  for (const icon of manifest.icons) expect((await page.request.get(server.url + icon.src)).headers()['content-type']).toBe('image/png')

  // The community list and base map went through the worker once it took over: cached for offline.
  await expect
    .poll(() => page.evaluate(async () => (await (await caches.open('sg-api')).keys()).map((r) => new URL(r.url).pathname)), { timeout: 20_000 })
    .toEqual(expect.arrayContaining(['/api/communities', '/api/layers/buildings']))

  await context.setOffline(true)
  await page.reload()
  await dutyReady(page)
  await expect.poll(() => page.locator('[data-testid=outbox-status]').innerText()).toContain('离线')
  // The map and the community come from the cache: no "server unreachable" banner.
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 30_000 })
  expect(await page.locator('.patrol__banner').count()).toBe(0)
  await page.screenshot({ path: 'test-results/patrol-offline-shell.png' })

  // A fresh tab opened offline (the installed app started in a basement) shows it too.
  const again = await context.newPage()
  await again.goto(server.url + '/patrol')
  await dutyReady(again)
  await context.close()
})

test('a track, two hazards with photos and a check-in recorded offline reach the server once when the network returns', async () => {
  const context = await phone()
  const page = await context.newPage()
  await signIn(page)
  const deviceId = await page.evaluate(() => localStorage.getItem('safegrid.deviceId'))
  expect(deviceId).toMatch(/^web-[0-9a-f]{12}$/)
  await page.screenshot({ path: 'test-results/patrol-online.png' })

  await context.setOffline(true)
  await expect.poll(() => page.locator('[data-testid=outbox-status]').innerText()).toContain('离线')

  // On duty: five moves of about 22 m northwards.
  await page.locator('[data-testid=duty-toggle]').click()
  await expect.poll(() => page.locator('[data-testid=duty-toggle]').innerText()).toBe('结束执勤')
  for (let i = 1; i <= 5; i++) {
    await context.setGeolocation({ latitude: inside.lat + i * 0.0002, longitude: inside.lon, accuracy: 6 })
    await expect.poll(() => page.locator('[data-testid=duty-status]').innerText(), { timeout: 10_000 }).toMatch(new RegExp(`已记录 ${i + 1} 个点|已记录 ${i} 个点`))
    await page.waitForTimeout(150)
  }
  await expect.poll(() => page.locator('[data-testid=duty-status]').innerText()).toMatch(/已记录 [5-9] 个点/)
  await page.screenshot({ path: 'test-results/patrol-offline-duty.png' })

  // Two hazards with photos.
  const stamp = Date.now()
  const descA = `离线上报A：楼道飞线充电 ${stamp}`
  const descB = `离线上报B：消防通道堵塞 ${stamp}`
  await context.setGeolocation({ latitude: inside.lat, longitude: inside.lon, accuracy: 6 })
  await report(page, 'flying_wire_charging', descA, await photo('#c0392b'))
  const receipt = page.locator('[data-testid=report-receipt]')
  await expect.poll(() => receipt.getAttribute('data-state')).toBe('pending')
  expect(await receipt.innerText()).toContain('已保存，待发送')
  await page.screenshot({ path: 'test-results/patrol-offline-receipt.png' })
  await page.locator('[data-testid=report-another]').click()
  await report(page, 'fire_lane_blocked', descB, await photo('#2471a3'))
  await expect.poll(() => receipt.getAttribute('data-state')).toBe('pending')
  await page.locator('[data-testid=report-another]').click()

  // A check-in by typing the printed code (Chromium on Linux has no BarcodeDetector), standing at the place.
  await context.setGeolocation(placeAt)
  await page.locator('[data-testid=open-checkin]').click()
  await page.locator('[data-testid=checkin-code]').fill(placeCode.toLowerCase())
  await page.locator('[data-testid=checkin-submit]').click()
  const result = page.locator('[data-testid=checkin-result]')
  await expect.poll(() => result.getAttribute('data-state')).toBe('pending')
  expect(await result.innerText()).toContain('已保存打卡')
  await page.screenshot({ path: 'test-results/patrol-offline-checkin.png' })
  await page.keyboard.press('Escape')

  // End duty (still offline); everything waits on the phone and nothing reached the server.
  const recorded = Number(/已记录 (\d+) 个点/.exec(await page.locator('[data-testid=duty-status]').innerText())![1])
  await page.locator('[data-testid=duty-toggle]').click()
  const waiting = await outbox(page)
  expect(waiting.filter((i) => i.kind === 'point')).toHaveLength(recorded)
  expect(waiting.filter((i) => i.kind === 'hazard')).toHaveLength(2)
  expect(waiting.filter((i) => i.kind === 'photo')).toHaveLength(2)
  expect(waiting.filter((i) => i.kind === 'checkin')).toHaveLength(1)
  // Going on and off duty are records too (issue 17: duty sessions on the server).
  expect(waiting.filter((i) => i.kind === 'duty')).toHaveLength(2)
  expect(waiting.every((i) => i.status === 'pending')).toBe(true)
  expect(await stored(descA)).toHaveLength(0)
  expect((await server.db.sql`select 1 from track_points where device_id = ${deviceId}`).length).toBe(0)
  const status = page.locator('[data-testid=outbox-status]')
  expect(Number(await status.getAttribute('data-pending'))).toBe(recorded + 7)
  await status.click()
  await page.locator('[data-testid=outbox-panel]').waitFor()
  await page.screenshot({ path: 'test-results/patrol-offline-outbox.png' })
  await page.keyboard.press('Escape')

  // Back online: the outbox empties by itself.
  await context.setOffline(false)
  const items = await drained(page)
  await expect.poll(() => status.getAttribute('data-pending')).toBe('0')
  expect(await status.innerText()).toContain('已全部发送')

  const [a] = await stored(descA)
  const [b] = await stored(descB)
  expect(await stored(descA)).toHaveLength(1)
  expect(await stored(descB)).toHaveLength(1)
  expect(a!.photos).toBe(1)
  expect(b!.photos).toBe(1)
  const hazardClientIds = items.filter((i) => i.kind === 'hazard').map((i) => i.id)
  expect(hazardClientIds.sort()).toEqual([a!.clientId, b!.clientId].sort())
  const [points] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from track_points where device_id = ${deviceId}`
  expect(points!.n).toBe(recorded)
  const [device] = await server.db.sql<{ personId: number | null }[]>`select person_id as "personId" from devices where id = ${deviceId}`
  expect(device).toBeDefined()
  const checkinId = items.find((i) => i.kind === 'checkin')!.id
  const checkins = await server.db.sql<{ code: string }[]>`
    select k.code from checkins c join key_places k on k.id = c.key_place_id where c.user_id = ${patrolUserId} and c.client_id = ${checkinId}`
  expect(checkins.map((c) => c.code)).toEqual([placeCode])
  await page.screenshot({ path: 'test-results/patrol-synced.png' })

  // The same report sent again (its clientId) answers the first hazard: nothing new is stored.
  const again = await page.request.post(server.url + '/api/hazards', {
    headers: { 'x-csrf-token': await csrf(page) },
    data: { category: 'flying_wire_charging', severity: 'minor', location: inside, clientId: a!.clientId },
  })
  expect(again.status()).toBe(200)
  expect(await stored(descA)).toHaveLength(1)

  // My tasks (a hazard assigned to my person) and tonight's unvisited places near me.
  const [me] = await server.db.sql<{ personId: number }[]>`select person_id as "personId" from users where id = ${patrolUserId}`
  await server.db.sql`update hazards set assignee_id = ${me!.personId}, status = 'dispatched' where id = ${b!.id}`
  await page.locator('[data-testid=tab-tasks]').click()
  await expect.poll(() => page.locator('[data-testid=task-item]').count(), { timeout: 20_000 }).toBeGreaterThan(0)
  expect(await page.locator(`[data-testid=task-item][data-hazard-id="${b!.id}"]`).innerText()).toContain('期限')
  await page.screenshot({ path: 'test-results/patrol-tasks.png' })
  await page.locator('[data-testid=tab-nearby]').click()
  await expect.poll(() => page.locator('[data-testid=nearby-item]').count(), { timeout: 60_000 }).toBeGreaterThan(0)
  await page.screenshot({ path: 'test-results/patrol-nearby.png' })
  await page.locator('[data-testid=tab-report]').click()

  // A mistyped code (no such key place) is refused on the spot in Chinese, and nothing is queued (issue 19).
  await page.locator('[data-testid=open-checkin]').click()
  await page.locator('[data-testid=checkin-code]').fill('KP-999999')
  await page.locator('[data-testid=checkin-submit]').click()
  await expect.poll(() => page.locator('[data-testid=checkin-refused]').innerText()).toContain('没有编码为 KP-999999 的重点部位')
  await page.screenshot({ path: 'test-results/patrol-refused-code.png' })
  await page.keyboard.press('Escape')
  expect(await status.getAttribute('data-failed')).toBe('0')
  expect((await outbox(page)).filter((i) => i.kind === 'checkin' && i.status !== 'sent')).toEqual([])
  await context.close()
})

/** The session's CSRF token, for a write from the test through the page's cookie. */
async function csrf(page: Page): Promise<string> {
  const me = (await (await page.request.get(server.url + '/api/auth/me')).json()) as { csrfToken: string }
  return me.csrfToken
}

test('killing the page mid-sync (after the server took a hazard, then after it took a photo) still stores each once', async () => {
  const context = await phone()
  let page = await context.newPage()
  await signIn(page)
  await context.setOffline(true)
  const stamp = Date.now()
  const descA = `中断同步A ${stamp}`
  const descB = `中断同步B ${stamp}`
  await report(page, 'corridor_clutter', descA, await photo('#8e44ad'))
  await expect.poll(() => page.locator('[data-testid=report-receipt]').getAttribute('data-state')).toBe('pending')
  await page.locator('[data-testid=report-another]').click()
  await report(page, 'poor_lighting', descB, await photo('#16a085'))
  await expect.poll(() => page.locator('[data-testid=report-receipt]').getAttribute('data-state')).toBe('pending')

  // 1. The first hazard's POST reaches the server; its answer never reaches the page, which dies.
  let tookHazard!: () => void
  const hazardTaken = new Promise<void>((resolve) => (tookHazard = resolve))
  let hazardSent = false
  await page.route('**/api/hazards', async (route) => {
    if (route.request().method() !== 'POST') return route.continue()
    // Only the first request gets through; the page is being killed.
    if (hazardSent) return route.abort('connectionreset')
    hazardSent = true
    // The request reaches the server; the connection drops before the answer (a held request
    // would be let through again when the page closes, and sent twice).
    await route.fetch()
    await route.abort('connectionreset')
    tookHazard()
  })
  await context.setOffline(false)
  await hazardTaken
  await page.close({ runBeforeUnload: false })
  expect(await stored(descA)).toHaveLength(1)
  expect(await stored(descB)).toHaveLength(0)

  // 2. Reopened: the hazards go (the first one again: the server answers the same one), then the
  //    first photo reaches the server and the page dies before the answer.
  page = await context.newPage()
  let tookPhoto!: () => void
  const photoTaken = new Promise<void>((resolve) => (tookPhoto = resolve))
  let photoSent = false
  await page.route('**/api/hazards/*/photos', async (route) => {
    expect(route.request().headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/)
    if (photoSent) return route.abort('connectionreset')
    photoSent = true
    await route.fetch()
    await route.abort('connectionreset')
    tookPhoto()
  })
  await page.goto(server.url + '/patrol')
  await photoTaken
  await page.close({ runBeforeUnload: false })
  expect(await stored(descA)).toEqual([expect.objectContaining({ photos: 1 })])
  expect(await stored(descB)).toEqual([expect.objectContaining({ photos: 0 })])

  // 3. Reopened again: the photo whose answer was lost is sent again with the same Idempotency-Key
  //    (the server answers the first copy), and the other photo goes.
  page = await context.newPage()
  const uploads: string[] = []
  page.on('request', (req) => {
    if (req.method() === 'POST' && /\/photos$/.test(new URL(req.url()).pathname)) uploads.push(req.url())
  })
  await page.goto(server.url + '/patrol')
  await dutyReady(page)
  await drained(page)
  expect(uploads).toHaveLength(2)
  expect(await stored(descA)).toEqual([expect.objectContaining({ photos: 1 })])
  expect(await stored(descB)).toEqual([expect.objectContaining({ photos: 1 })])
  await context.close()
})

test('an expired session while records wait: sign in again, nothing is lost, each is sent once', async () => {
  const context = await phone()
  const page = await context.newPage()
  await signIn(page)
  await context.setOffline(true)
  await context.setGeolocation(placeAt)
  await page.locator('[data-testid=open-checkin]').click()
  await page.locator('[data-testid=checkin-code]').fill(placeCode)
  await page.locator('[data-testid=checkin-submit]').click()
  await expect.poll(() => page.locator('[data-testid=checkin-result]').getAttribute('data-state')).toBe('pending')
  await page.keyboard.press('Escape')
  const [item] = (await outbox(page)).filter((i) => i.kind === 'checkin')

  await server.db.sql`delete from sessions`
  await context.setOffline(false)
  await page.waitForURL(/\/login\?/)
  expect((await outbox(page)).find((i) => i.id === item!.id)?.status).toBe('pending')
  await page.locator('input[name=password]').fill('demo')
  await page.locator('[data-testid=login-form] button[type=submit]').click()
  await page.waitForURL(/\/patrol$/)
  await drained(page)
  const rows = await server.db.sql`select id from checkins where user_id = ${patrolUserId} and client_id = ${item!.id}`
  expect(rows).toHaveLength(1)
  await context.close()
})

test('the patrol shell on a throttled phone (1.6 Mbps, 150 ms RTT, 4× CPU): time until the duty button works', async () => {
  const results: Record<string, unknown> = {}
  for (const visit of ['first', 'repeat'] as const) {
    const context = await phone(visit === 'first' ? { serviceWorkers: 'block' } : {})
    const login = await context.request.post(server.url + '/api/auth/login', { data: { username: 'patrol', password: 'demo' } })
    expect(login.status()).toBe(200)
    if (visit === 'repeat') {
      const warm = await context.newPage()
      await warm.goto(server.url + '/patrol')
      await dutyReady(warm)
      await warm.evaluate(() => navigator.serviceWorker.ready.then(() => undefined))
      await warm.close()
    }
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6 * 1024 * 1024) / 8,
      uploadThroughput: (750 * 1024) / 8,
    })
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 })
    const started = Date.now()
    await page.goto(server.url + '/patrol', { waitUntil: 'commit' })
    const interactiveMs = (await (
      await page.waitForFunction(
        () => {
          const button = document.querySelector<HTMLButtonElement>('[data-testid=duty-toggle]')
          return button && !button.disabled ? performance.now() : false
        },
        undefined,
        { polling: 'raf', timeout: 60_000 },
      )
    ).jsonValue()) as number
    const wallMs = Date.now() - started
    const resources = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((e) => {
        const r = e as PerformanceResourceTiming
        return { name: new URL(r.name).pathname, transfer: r.transferSize, body: r.encodedBodySize, end: r.responseEnd }
      }),
    )
    const before = resources.filter((r) => r.end <= interactiveMs && /\.(js|css)$/.test(r.name))
    results[visit] = {
      interactiveMs: Math.round(interactiveMs),
      wallMs,
      jsCssBeforeInteractive: { files: before.length, transferBytes: before.reduce((n, r) => n + r.transfer, 0), bodyBytes: before.reduce((n, r) => n + r.body, 0) },
    }
    expect(interactiveMs).toBeLessThan(60_000)
    await context.close()
  }
  await writeFile('test-results/patrol-perf.json', JSON.stringify(results, null, 2))
  console.log('patrol shell, throttled:', JSON.stringify(results))
}, 180_000)

test('no request left the machine', () => {
  expect(foreignRequests).toEqual([])
})
