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

test('offline: arrive, 整改完成 with an after photo and a comment reach the server exactly once after the route was shown', { timeout: 180_000 }, async () => {
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
  // Without the network the last directions to the task come from the phone, with when they were planned.
  await near.locator('[data-testid=walk-button]').click()
  await expect.poll(() => summary.count()).toBe(0)
  await near.locator('[data-testid=walk-button]').click()
  await expect.poll(() => summary.innerText(), { timeout: 30_000 }).toMatch(new RegExp(`^${walkText} · 离线，\\d{2}:\\d{2}:\\d{2} 规划$`))

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

test('现场处置 offline with a before and an after photo: both reach the matter once, each with its role', { timeout: 180_000 }, async () => {
  const context = await phoneContext(browser, here)
  const page = await context.newPage()
  await signIn(page)
  await context.setOffline(true)
  const shot = (color: string) => sharp({ create: { width: 1600, height: 1200, channels: 3, background: color } }).jpeg().toBuffer()
  const description = `楼道电动车 ${Date.now()}`
  await page.locator('[data-testid=locate]').click()
  await expect.poll(() => page.locator('[data-testid=report-location]').innerText()).toContain('已定位')
  await page.locator('[data-category=corridor_clutter]').click()
  await page.locator('[data-testid=report-description]').fill(description)
  await page.locator('[data-testid=report-fixed-on-spot]').check()
  await page.locator('[data-testid=report-fixed-note]').fill('已劝离电动车，楼道清空')
  await page.locator('[data-testid=report-photo]').setInputFiles({ name: 'before.jpg', mimeType: 'image/jpeg', buffer: await shot('#8d6e63') })
  await page.locator('[data-testid=report-photo-after]').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: await shot('#66bb6a') })
  await page.locator('[data-testid=report-after] img').waitFor()
  await page.locator('[data-testid=report-after]').scrollIntoViewIfNeeded()
  await page.screenshot({ path: 'test-results/tasks-fixed-two-photos.png' })
  await page.locator('[data-testid=report-submit]').click()
  await expect.poll(() => page.locator('[data-testid=report-receipt]').getAttribute('data-state'), { timeout: 30_000 }).toBe('pending')
  expect((await outboxItems(page)).filter((i) => i.kind === 'photo' && i.status === 'pending')).toHaveLength(2)

  await context.setOffline(false)
  await page.evaluate(() => window.dispatchEvent(new Event('online')))
  await expect.poll(async () => (await outboxItems(page)).filter((i) => i.status !== 'sent').length, { timeout: 60_000, interval: 250 }).toBe(0)
  const rows = await server.db.sql<{ id: number; status: string; roles: string[] }[]>`
    select h.id::int, h.status, (select array_agg(p.role order by p.id) from hazard_photos p where p.hazard_id = h.id) as roles
    from hazards h where h.reporter_id = ${patrolUserId} and h.description = ${description}`
  expect(rows.map((r) => ({ status: r.status, roles: [...r.roles].sort() }))).toEqual([{ status: 'verified', roles: ['after', 'before'] }])
  await context.close()

  // The command centre's drawer names each photo's role.
  const desk = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  const deskPage = await desk.newPage()
  expect((await deskPage.request.post(`${server.url}/api/auth/login`, { data: { username: 'command', password: 'demo' } })).status()).toBe(200)
  await deskPage.goto(`${server.url}/?hazard=${rows[0]!.id}`)
  const roles = deskPage.locator('[data-testid=photo-role]')
  await expect.poll(() => roles.allInnerTexts(), { timeout: 60_000 }).toEqual(['处置前', '处置后'])
  await deskPage.locator('[data-testid=hazard-photos]').screenshot({ path: 'test-results/tasks-drawer-roles.png' })
  await desk.close()
})

test('我的: a closed report shows its outcome, marked new live while open and on the next opening of the app', { timeout: 180_000 }, async () => {
  const patrol = await server.login('patrol')
  const report = async (description: string): Promise<number> => {
    const res = await patrol.post('/api/hazards', { category: 'poor_lighting', severity: 'minor', location: here, description })
    expect(res.status, await res.clone().text()).toBe(201)
    return ((await res.json()) as { id: number }).id
  }
  const declined = await report('楼道灯不亮（重复）')
  const verified = await report('车棚照明不足')
  const context = await phoneContext(browser, here)
  const page = await context.newPage()
  await signIn(page)
  await page.locator('[data-testid=tab-mine]').click()
  await page.locator(`[data-testid=my-report][data-hazard-id="${declined}"]`).waitFor({ timeout: 30_000 })
  // The first look on this phone: nothing is news.
  expect(await page.locator('[data-testid=my-report-new]').count()).toBe(0)

  // Declined while the app is open: it moves to the closed ones at once, marked, with the answer.
  const rejected = await command.post(`/api/hazards/${declined}/transition`, { to: 'rejected', note: '重复上报，已并入前一件' })
  expect(rejected.status, await rejected.clone().text()).toBe(200)
  const closedItem = page.locator(`[data-testid=my-closed-report][data-hazard-id="${declined}"]`)
  await closedItem.waitFor({ timeout: 30_000 })
  expect(await closedItem.getAttribute('data-new')).toBe('true')
  expect(await closedItem.locator('[data-testid=my-report-outcome]').innerText()).toBe('不予受理')
  await expect.poll(() => closedItem.locator('[data-testid=my-report-answer]').innerText(), { timeout: 20_000 }).toBe('答复：重复上报，已并入前一件')
  await closedItem.scrollIntoViewIfNeeded()
  await page.screenshot({ path: 'test-results/tasks-mine-live.png' })

  // Seen: the member leaves the tab and closes the app; meanwhile the other report is fixed and verified.
  await page.locator('[data-testid=tab-tasks]').click()
  await page.goto('about:blank')
  const [who] = await server.db.sql<{ personId: number }[]>`select person_id::int as "personId" from users where username = 'patrol'`
  expect((await command.post(`/api/hazards/${verified}/transition`, { to: 'dispatched', assigneeId: who!.personId })).status).toBe(200)
  expect((await patrol.post(`/api/hazards/${verified}/rectify`, { note: '已换灯泡', clientId: 'mine-rect' })).status).toBe(201)
  expect((await command.post(`/api/hazards/${verified}/transition`, { to: 'verified', note: '复查：照明正常' })).status).toBe(200)

  // The next opening: the tab says one report changed, and marks it (not the one already seen).
  await page.goto(`${server.url}/patrol`)
  await expect.poll(() => page.locator('[data-testid=mine-new]').innerText(), { timeout: 30_000 }).toBe('1 新')
  await page.locator('[data-testid=tab-mine]').click()
  const verifiedItem = page.locator(`[data-testid=my-closed-report][data-hazard-id="${verified}"]`)
  await verifiedItem.waitFor({ timeout: 30_000 })
  expect(await verifiedItem.getAttribute('data-new')).toBe('true')
  expect(await closedItem.getAttribute('data-new')).toBe('false')
  expect(await verifiedItem.locator('[data-testid=my-report-outcome]').innerText()).toBe('已办结')
  expect(await verifiedItem.innerText()).toContain('办结于')
  await expect.poll(() => verifiedItem.locator('[data-testid=my-report-answer]').innerText(), { timeout: 20_000 }).toBe('答复：复查：照明正常')
  await verifiedItem.scrollIntoViewIfNeeded()
  await page.screenshot({ path: 'test-results/tasks-mine-next-open.png' })
  await context.close()
})
