/**
 * A patrol member walks a task on the phone (issue 15), in Chromium at 360 × 740 with emulated GPS and network:
 * the tasks come nearest first, the walking directions follow the roads on the small map; then, offline, the member
 * arrives, completes the task (整改完成) with an after photo and a note, and comments; back online each action
 * reaches the server exactly once — even when the first answers of 整改完成 and of the comment are lost on the way.
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
/** Where the phone stands: beside a walkable road of the demo community. */
let here: { lon: number; lat: number }
/** A task 60 m from the phone, and one farther away that is due sooner. */
let nearTask: number
let farTask: number

/** A task handed to the patrol member at `at`. */
async function task(at: { lon: number; lat: number }, personId: number, description: string): Promise<number> {
  const res = await command.post('/api/hazards', { category: 'fire_lane_blocked', severity: 'minor', location: at, description })
  expect(res.status, await res.clone().text()).toBe(201)
  const { id } = (await res.json()) as { id: number }
  const moved = await command.post(`/api/hazards/${id}/transition`, { to: 'dispatched', assigneeId: personId })
  expect(moved.status, await moved.clone().text()).toBe(200)
  return id
}

async function signIn(page: Page): Promise<void> {
  await page.goto(server.url + '/login?redirect=/patrol')
  await page.locator('input[name=username]').fill('patrol')
  await page.locator('input[name=password]').fill('demo')
  await page.locator('[data-testid=login-form] button[type=submit]').click()
  await page.waitForURL(/\/patrol$/)
  await page.locator('[data-testid=duty-toggle]:enabled').waitFor({ timeout: 30_000 })
}

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  command = await server.login('command')
  const sql = server.db.sql
  const [u] = await sql<{ id: number; personId: number; communityId: number }[]>`
    select u.id::int, u.person_id::int as "personId", p.community_id::int as "communityId" from users u join people p on p.id = u.person_id where u.username = 'patrol'`
  patrolUserId = u!.id
  const [p] = await sql<{ lon: number; lat: number }[]>`
    select ST_X(g) as lon, ST_Y(g) as lat from (
      select ST_Project(ST_LineInterpolatePoint(ST_GeometryN(r.geom, 1), 0.5)::geography, 10, 0)::geometry as g
      from roads r join communities c on c.id = r.community_id
      where r.community_id = ${u!.communityId} and r.kind_detail in ('residential', 'service')
        and ST_Covers(c.boundary, ST_Buffer(ST_LineInterpolatePoint(ST_GeometryN(r.geom, 1), 0.5)::geography, 500)::geometry)
      order by r.id limit 1) s`
  here = p!
  // The far one first: due sooner, yet listed after the near one once the phone knows where it is.
  farTask = await task({ lon: here.lon + 400 / (M_PER_DEG * Math.cos((here.lat * Math.PI) / 180)), lat: here.lat }, u!.personId, '远处的任务')
  nearTask = await task({ lon: here.lon, lat: here.lat + 60 / M_PER_DEG }, u!.personId, '消防通道被三轮车堵住')
  await mkdir('test-results', { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('offline: arrive, 整改完成 with an after photo and a comment reach the server exactly once after the route was shown', async () => {
  const context: BrowserContext = await phoneContext(browser, here)
  const page = await context.newPage()
  await signIn(page)
  await page.locator('[data-testid=tab-tasks]').click()
  const near = page.locator(`[data-testid=task-item][data-hazard-id="${nearTask}"]`)
  await near.waitFor({ timeout: 20_000 })

  // Nearest first: the near task leads although the far one is due sooner.
  await expect.poll(() => page.locator('[data-testid=tasks-order]').innerText(), { timeout: 20_000 }).toBe('按距离由近到远')
  const order = await page.locator('[data-testid=task-item]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-hazard-id'))))
  expect(order.indexOf(nearTask)).toBeLessThan(order.indexOf(farTask))
  expect(order[0]).toBe(nearTask)

  // Walking directions along the roads, on the map and in words.
  await near.locator('[data-testid=walk-button]').click()
  const summary = near.locator('[data-testid=walk-summary]')
  await expect.poll(() => summary.getAttribute('data-state'), { timeout: 30_000 }).toBe('ready')
  const walkText = await summary.innerText()
  expect(walkText).toMatch(/^步行 \d+ 米 · 约 \d+ 分钟$/)
  const walkedM = Number(/步行 (\d+) 米/.exec(walkText)![1])
  expect(walkedM).toBeGreaterThanOrEqual(55)
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
  await page.waitForTimeout(600) // the map eases to the route
  await page.screenshot({ path: 'test-results/tasks-route.png' })

  // The first answers of 整改完成 and of the comment are lost on the way back: the outbox sends them again.
  const sent = { rectify: 0, comment: 0 }
  for (const kind of ['rectify', 'comments'] as const) {
    await page.route(`**/api/hazards/${nearTask}/${kind}`, async (route) => {
      const n = ++sent[kind === 'rectify' ? 'rectify' : 'comment']
      if (n === 1) {
        await route.fetch()
        await route.abort('connectionreset')
      } else await route.continue()
    })
  }

  await context.setOffline(true)
  await near.locator('[data-testid=arrive-button]').click()
  await near.locator('[data-testid=arrive-pending]').waitFor()

  await near.locator('[data-testid=rectify-button]').click()
  await near.locator('[data-testid=rectify-submit]').click()
  expect(await near.locator('[data-testid=rectify-form]').innerText()).toContain('请先拍一张整改后的照片')
  const photo = await sharp({ create: { width: 3000, height: 4000, channels: 3, background: '#2e7d32' } }).jpeg({ quality: 90 }).toBuffer()
  await near.locator('[data-testid=rectify-photo]').setInputFiles({ name: 'IMG_after.jpg', mimeType: 'image/jpeg', buffer: photo })
  await near.locator('.tasks__preview img').waitFor()
  await near.locator('[data-testid=rectify-note]').fill('已联系车主挪走三轮车，通道畅通')
  await near.scrollIntoViewIfNeeded()
  await page.screenshot({ path: 'test-results/tasks-rectify-form.png' })
  await near.locator('[data-testid=rectify-submit]').click()
  await near.locator('[data-testid=rectify-pending]').waitFor()

  await near.locator('[data-testid=comment-button]').click()
  await near.locator('[data-testid=comment-input]').fill('车主电话已登记，明天回访')
  await near.locator('[data-testid=comment-submit]').click()
  await expect.poll(() => near.locator('[data-testid=comment-item]').getAttribute('data-state')).toBe('pending')
  await near.scrollIntoViewIfNeeded()
  await page.screenshot({ path: 'test-results/tasks-offline.png' })

  const waiting = await outboxItems(page)
  expect(waiting.filter((i) => i.status === 'pending').map((i) => i.kind).sort()).toEqual(['arrival', 'comment', 'photo', 'rectify'])
  const [before] = await server.db.sql<{ status: string; arrivedAt: Date | null; comments: number; photos: number }[]>`
    select h.status, h.arrived_at as "arrivedAt",
           (select count(*)::int from hazard_comments c where c.hazard_id = h.id) as comments,
           (select count(*)::int from hazard_photos p where p.hazard_id = h.id) as photos
    from hazards h where h.id = ${nearTask}`
  expect(before).toEqual({ status: 'dispatched', arrivedAt: null, comments: 0, photos: 0 })

  // Back online: each action goes, once.
  await context.setOffline(false)
  await page.evaluate(() => window.dispatchEvent(new Event('online')))
  await expect.poll(async () => (await outboxItems(page)).filter((i) => i.status !== 'sent').length, { timeout: 60_000, interval: 250 }).toBe(0)
  expect(sent.rectify).toBeGreaterThanOrEqual(2)
  expect(sent.comment).toBeGreaterThanOrEqual(2)
  const [after] = await server.db.sql<{
    status: string
    arrivedBy: number | null
    arrivals: number
    rectified: number
    rectifiedNote: string | null
    comments: string[]
    roles: (string | null)[]
    width: number
  }[]>`
    select h.status, h.arrived_by::int as "arrivedBy",
           (select count(*)::int from hazard_events e where e.hazard_id = h.id and e.kind = 'arrival') as arrivals,
           (select count(*)::int from hazard_events e where e.hazard_id = h.id and e.to_status = 'rectified') as rectified,
           (select e.note from hazard_events e where e.hazard_id = h.id and e.to_status = 'rectified') as "rectifiedNote",
           (select coalesce(array_agg(c.note order by c.id), '{}') from hazard_comments c where c.hazard_id = h.id) as comments,
           (select coalesce(array_agg(p.role order by p.id), '{}') from hazard_photos p where p.hazard_id = h.id) as roles,
           (select max(greatest(p.width, p.height))::int from hazard_photos p where p.hazard_id = h.id) as width
    from hazards h where h.id = ${nearTask}`
  expect(after).toMatchObject({
    status: 'rectified',
    arrivedBy: patrolUserId,
    arrivals: 1,
    rectified: 1,
    rectifiedNote: '已联系车主挪走三轮车，通道畅通',
    comments: ['车主电话已登记，明天回访'],
    roles: ['after'],
  })
  expect(after!.width).toBeLessThanOrEqual(2048)

  await near.locator('[data-testid=rectify-done]').waitFor({ timeout: 20_000 })
  await expect.poll(() => near.locator('[data-testid=task-status]').innerText()).toBe('待回访')
  await expect.poll(() => near.locator('[data-testid=comment-item]').getAttribute('data-state')).toBe('sent')
  await near.scrollIntoViewIfNeeded()
  await page.screenshot({ path: 'test-results/tasks-done.png' })
  await context.close()
})
