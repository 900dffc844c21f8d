/**
 * The patrol phone's side of the closed loop (issue 15), in Chromium at 360 px with emulated GPS and network:
 * a patrol member arrives at a task (到场) and reports a matter fixed on the spot (现场处置) with a large camera
 * photo while offline; back online, each action is stored exactly once and the photo went up downscaled
 * (longest side 2048 px). An arrival refused as too far shows why, and goes through with a note.
 */
import { mkdir } from 'node:fs/promises'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium, phoneContext } from './helpers/browser.ts'
import { outboxItems } from './helpers/outbox.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

/** Metres per degree of latitude. */
const M_PER_DEG = 111_320

let server: TestServer
let browser: Browser
let command: Client
let patrolUserId: number
/** Where the phone stands, and two tasks of the patrol member: one 20 m away, one far. */
let here: { lon: number; lat: number }
let nearTask: number
let farTask: number

const phone = (): Promise<BrowserContext> => phoneContext(browser, here)

async function signIn(page: Page): Promise<void> {
  await page.goto(server.url + '/login?redirect=/patrol')
  await page.locator('input[name=username]').fill('patrol')
  await page.locator('input[name=password]').fill('demo')
  await page.locator('[data-testid=login-form] button[type=submit]').click()
  await page.waitForURL(/\/patrol$/)
  await page.locator('[data-testid=duty-toggle]:enabled').waitFor({ timeout: 30_000 })
}

/** What the phone's outbox holds (read straight from IndexedDB). */
const outbox = outboxItems

/** A task handed to the patrol member at `at`. */
async function task(at: { lon: number; lat: number }, personId: number): Promise<number> {
  const res = await command.post('/api/hazards', { category: 'ebike_indoor', severity: 'minor', location: at, description: `到场测试 ${Date.now()}` })
  expect(res.status, await res.clone().text()).toBe(201)
  const { id } = (await res.json()) as { id: number }
  const moved = await command.post(`/api/hazards/${id}/transition`, { to: 'dispatched', assigneeId: personId })
  expect(moved.status, await moved.clone().text()).toBe(200)
  return id
}

/** The pending photo in the phone's outbox: its size as the browser decodes it, its type, name and bytes. */
async function queuedPhoto(page: Page): Promise<{ width: number; height: number; type: string; filename: string; bytes: number[] } | null> {
  return page.evaluate(async () => {
    const blob = await new Promise<{ blob: Blob; filename: string } | null>((resolve, reject) => {
      const open = indexedDB.open('safegrid-offline')
      open.onerror = () => reject(open.error)
      open.onsuccess = () => {
        const db = open.result
        const req = db.transaction('items').objectStore('items').getAll()
        req.onsuccess = () => {
          db.close()
          const item = (req.result as { kind: string; status: string; blob: Blob | null; filename: string }[]).find((i) => i.kind === 'photo' && i.status === 'pending')
          resolve(item?.blob ? { blob: item.blob, filename: item.filename } : null)
        }
        req.onerror = () => reject(req.error)
      }
    })
    if (!blob) return null
    const bitmap = await createImageBitmap(blob.blob)
    return { width: bitmap.width, height: bitmap.height, type: blob.blob.type, filename: blob.filename, bytes: [...new Uint8Array(await blob.blob.arrayBuffer())] }
  })
}

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  command = await server.login('command')
  const [u] = await server.db.sql<{ id: number; personId: number }[]>`select id::int, person_id::int as "personId" from users where username = 'patrol'`
  patrolUserId = u!.id
  // The phone stands at one hazard; the far task lies at another at least 400 m away.
  const [p] = await server.db.sql<{ lon: number; lat: number; flon: number; flat: number }[]>`
    select ST_X(a.geom) as lon, ST_Y(a.geom) as lat, ST_X(b.geom) as flon, ST_Y(b.geom) as flat
    from hazards a join hazards b on ST_Distance(a.geom::geography, b.geom::geography) between 400 and 900
    where a.status in ('reported', 'dispatched') order by a.id, b.id limit 1`
  here = { lon: p!.lon, lat: p!.lat }
  nearTask = await task({ lon: here.lon, lat: here.lat + 20 / M_PER_DEG }, u!.personId)
  farTask = await task({ lon: p!.flon, lat: p!.flat }, u!.personId)
  await mkdir('test-results', { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('offline: an arrival and a matter fixed on the spot with a camera photo reach the server once, the photo downscaled', async () => {
  const context = await phone()
  const page = await context.newPage()
  await signIn(page)
  await page.locator('[data-testid=tab-tasks]').click()
  const near = page.locator(`[data-testid=task-item][data-hazard-id="${nearTask}"]`)
  await near.waitFor({ timeout: 20_000 })
  await page.screenshot({ path: 'test-results/arrival-tasks.png' })

  await context.setOffline(true)
  await near.locator('[data-testid=arrive-button]').click()
  await near.locator('[data-testid=arrive-pending]').waitFor()

  // Fixed on the spot, with a 4000 × 3000 camera photo.
  const camera = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#7a8b99' } })
    .composite([{ input: await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#c0392b' } }).png().toBuffer(), left: 300, top: 200 }])
    .jpeg({ quality: 95 })
    .toBuffer()
  const description = `楼道堆放杂物 ${Date.now()}`
  await page.locator('[data-testid=tab-report]').click()
  await page.locator('[data-testid=locate]').click()
  await expect.poll(() => page.locator('[data-testid=report-location]').innerText()).toContain('已定位')
  await page.locator('[data-category=corridor_clutter]').click()
  await page.locator('[data-testid=report-description]').fill(description)
  await page.locator('[data-testid=report-fixed-on-spot]').check()
  expect(await page.locator('[data-testid=report-submit]').isDisabled()).toBe(true)
  await page.locator('[data-testid=report-fixed-note]').fill('已当场清理，楼道畅通')
  await page.locator('[data-testid=report-photo]').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: camera })
  await page.screenshot({ path: 'test-results/arrival-fixed-form.png', fullPage: true })
  await page.locator('[data-testid=report-submit]').click()
  const receipt = page.locator('[data-testid=report-receipt]')
  await expect.poll(() => receipt.getAttribute('data-state'), { timeout: 30_000 }).toBe('pending')

  const waiting = await outbox(page)
  expect(waiting.filter((i) => i.kind === 'arrival' && i.status === 'pending')).toHaveLength(1)
  expect(waiting.filter((i) => i.kind === 'hazard' && i.status === 'pending')).toHaveLength(1)
  expect(waiting.filter((i) => i.kind === 'photo' && i.status === 'pending')).toHaveLength(1)
  // The photo waits on the phone downscaled (longest side 2048 px, JPEG), not as the 4000 px original.
  const queued = await queuedPhoto(page)
  expect(queued).not.toBeNull()
  expect(Math.max(queued!.width, queued!.height)).toBe(2048)
  expect(queued!.type).toBe('image/jpeg')
  expect(queued!.filename).toBe('IMG_0001.jpg')
  const meta = await sharp(Buffer.from(queued!.bytes)).metadata()
  expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 2048, 1536])
  const [before] = await server.db.sql<{ arrivedAt: Date | null }[]>`select arrived_at as "arrivedAt" from hazards where id = ${nearTask}`
  expect(before!.arrivedAt).toBeNull()

  // Back online: everything goes, once.
  await context.setOffline(false)
  await expect
    .poll(async () => (await outbox(page)).filter((i) => i.status !== 'sent').length, { timeout: 40_000, interval: 250 })
    .toBe(0)
  const [arrived] = await server.db.sql<{ arrivedBy: number; distance: number; events: number }[]>`
    select arrived_by::int as "arrivedBy", arrival_distance_m as distance,
           (select count(*)::int from hazard_events e where e.hazard_id = h.id and e.kind = 'arrival') as events
    from hazards h where h.id = ${nearTask}`
  expect(arrived!.arrivedBy).toBe(patrolUserId)
  expect(arrived!.distance).toBeGreaterThan(15)
  expect(arrived!.distance).toBeLessThan(25)
  expect(arrived!.events).toBe(1)
  const fixed = await server.db.sql<{ status: string; fixedOnSpot: boolean; foundOnPatrol: boolean; photos: number; width: number }[]>`
    select h.status, h.fixed_on_spot as "fixedOnSpot", h.found_on_patrol as "foundOnPatrol",
           (select count(*)::int from hazard_photos p where p.hazard_id = h.id) as photos,
           (select max(p.width)::int from hazard_photos p where p.hazard_id = h.id) as width
    from hazards h where h.reporter_id = ${patrolUserId} and h.description = ${description}`
  expect(fixed).toEqual([{ status: 'verified', fixedOnSpot: true, foundOnPatrol: true, photos: 1, width: expect.any(Number) }])

  await page.locator('[data-testid=tab-tasks]').click()
  await near.locator('[data-testid=arrive-done]').waitFor({ timeout: 20_000 })
  expect(await near.locator('[data-testid=arrive-done]').innerText()).toMatch(/已到场 · 距离 (1[5-9]|2[0-5]) 米/)
  await page.screenshot({ path: 'test-results/arrival-done.png' })
  await context.close()
})

test('an arrival refused as too far shows why, and goes through with a note', async () => {
  const context = await phone()
  const page = await context.newPage()
  await signIn(page)
  await page.locator('[data-testid=tab-tasks]').click()
  const far = page.locator(`[data-testid=task-item][data-hazard-id="${farTask}"]`)
  await far.waitFor({ timeout: 20_000 })
  await far.locator('[data-testid=arrive-button]').click()
  const refused = far.locator('[data-testid=arrive-refused]')
  await refused.waitFor({ timeout: 20_000 })
  expect(await refused.innerText()).toContain('超过 108 米')
  await far.scrollIntoViewIfNeeded()
  await page.screenshot({ path: 'test-results/arrival-refused.png' })
  const [still] = await server.db.sql<{ arrivedAt: Date | null }[]>`select arrived_at as "arrivedAt" from hazards where id = ${farTask}`
  expect(still!.arrivedAt).toBeNull()

  await far.locator('[data-testid=arrive-note]').fill('地下车库无信号，已在现场')
  await far.locator('[data-testid=arrive-resend]').click()
  await far.locator('[data-testid=arrive-done]').waitFor({ timeout: 20_000 })
  const rows = await server.db.sql<{ note: string | null }[]>`select note from hazard_events where hazard_id = ${farTask} and kind = 'arrival'`
  expect(rows).toEqual([{ note: '地下车库无信号，已在现场' }])
  await context.close()
})

test('a leader spot-checks the matters fixed on the spot and reopens one with the reason', async () => {
  const [open] = await server.db.sql<{ n: number }[]>`
    select count(*)::int as n from hazards where fixed_on_spot and status = 'verified' and closed_at >= now() - interval '7 days'`
  expect(open!.n).toBeGreaterThan(0)
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  const page = await context.newPage()
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'leader', password: 'demo' } })
  expect(login.status()).toBe(200)
  await page.goto(`${server.url}/leader`)
  const card = page.locator('[data-testid=spot-checks]')
  const first = card.locator('.spot__item').first()
  await first.waitFor({ timeout: 60_000 })
  expect(await card.innerText()).toContain(`近 7 天共 ${open!.n} 件`)
  const id = Number(await first.getAttribute('data-hazard-id'))
  await first.locator('input').fill('抽查发现杂物仍在')
  await first.locator('button').click()
  await first.locator('.spot__done').waitFor()
  await card.scrollIntoViewIfNeeded()
  await card.screenshot({ path: 'test-results/arrival-spot-check.png' })
  const [row] = await server.db.sql<{ status: string; note: string | null }[]>`
    select h.status, (select e.note from hazard_events e where e.hazard_id = h.id order by e.at desc, e.id desc limit 1) as note
    from hazards h where h.id = ${id}`
  expect(row).toEqual({ status: 'reopened', note: '抽查发现杂物仍在' })
  await context.close()
})
