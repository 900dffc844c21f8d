import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { heldOutExtract, rectangle, toKml, toOsmXml } from './helpers/map-files.ts'
import { peopleRows, rosterXlsx } from './helpers/roster.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
let admin: Client
let dir: string
const shots = 'test-results'

// A part of the extract the demo never sees in this place: moved 0.05° east and 0.04° north.
const part = heldOutExtract({ west: 114.394, east: 114.41, dx: 0.05, dy: 0.04 })
const [minx, miny, maxx, maxy] = part.bbox

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(server.url + '/login')
  await page.locator('input[name=username]').fill(username)
  await page.locator('input[name=password]').fill(password)
  await page.locator('[data-testid=login-form] button[type=submit]').click()
}

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  admin = await server.login('admin')
  dir = await mkdtemp(join(tmpdir(), 'sg-new-community-'))
  await writeFile(join(dir, 'boundary.kml'), toKml(rectangle(minx - 0.0004, miny - 0.0004, maxx - 0.00015, maxy + 0.0004), '试点社区边界'))
  await writeFile(join(dir, 'extract.osm'), toOsmXml(part))
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('an admin sets up a community from files it has never seen, imports a 60-person roster with 3 bad rows, makes a leader account, and that leader dispatches a matter to a roster member', { timeout: 600_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  await signIn(page, 'admin', 'demo')
  await page.waitForURL((u) => u.pathname === '/')

  // 1. The new community from a KML boundary and an OSM XML extract: checked in the background, previewed, committed.
  await page.goto(server.url + '/admin?tab=new-community')
  await page.locator('[data-testid=community-name]').fill('试点社区')
  await page.locator('[data-testid=community-boundary-file]').setInputFiles(join(dir, 'boundary.kml'))
  await page.locator('[data-testid=community-data-files]').setInputFiles(join(dir, 'extract.osm'))
  await page.locator('[data-testid=community-check]').click()
  await expect.poll(() => page.locator('[data-testid=community-job]').getAttribute('data-status'), { timeout: 120_000 }).toBe('ready')
  const ready = await page.locator('[data-testid=community-ready]').innerText()
  expect(ready).toMatch(/跨边界保留 [1-9]\d* 栋/)
  expect(await page.locator('[data-testid=community-reasons]').innerText()).toContain('amenity=bench')
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
  await page.screenshot({ path: `${shots}/new-community-preview.png` })
  await page.locator('[data-testid=community-commit]').click()
  await expect.poll(() => page.locator('[data-testid=community-job]').getAttribute('data-status'), { timeout: 120_000 }).toBe('done')
  expect(await page.locator('[data-testid=community-done]').innerText()).toContain('社区已创建')
  const [community] = await server.db.sql<{ id: number; buildings: number }[]>`
    select c.id::int, (select count(*)::int from buildings b where b.community_id = c.id) as buildings from communities c where c.name = '试点社区'`
  expect(community!.buildings).toBeGreaterThan(50)

  console.log('[browser-new-community] step 2', new Date().toISOString())
  // 2. A team, then the roster from Excel: 60 rows, 3 of them bad (unknown team, duplicate phone, bad date).
  await page.goto(server.url + '/admin?tab=roster', { waitUntil: 'networkidle' })
  await page.waitForSelector('[data-testid=roster-community]', { timeout: 60_000 })
  await page.locator('[data-testid=roster-community]').selectOption(String(community!.id))
  await page.locator('[data-testid=team-add]').click()
  await page.locator('[data-testid=team-dialog] input').first().fill('试点巡逻队')
  await page.locator('[data-testid=team-dialog] button[type=submit]').click()
  await expect.poll(() => page.locator('[data-testid=team-table]').innerText()).toContain('试点巡逻队')
  const rows = peopleRows(60, ['试点巡逻队'], 7)
  rows[10]!.teams = '不存在的队伍'
  rows[20]!.phone = rows[19]!.phone!
  rows[30]!.joinedOn = '2025-13-01'
  await writeFile(join(dir, 'roster.xlsx'), await rosterXlsx(rows, { title: '试点社区 花名册' }))
  await page.locator('[data-testid=roster-import-open]').click()
  await page.locator('[data-testid=roster-file]').setInputFiles(join(dir, 'roster.xlsx'))
  await expect.poll(() => page.locator('[data-testid=roster-preview]').innerText()).toContain('新增 57 人')
  const rejected = await page.locator('[data-testid=roster-rejected]').innerText()
  expect(rejected).toContain('unknown team')
  expect(rejected).toContain('duplicate phone')
  expect(rejected).toContain('bad date')
  await page.screenshot({ path: `${shots}/roster-import-preview.png` })
  await page.locator('[data-testid=roster-commit]').click()
  await expect.poll(() => page.locator('[data-testid=roster-imported]').innerText()).toContain('新增 57 人')
  await page.locator('[data-testid=roster-import] button').first().click()
  await expect.poll(() => page.locator('[data-testid=roster-count]').innerText()).toContain('57')
  await page.screenshot({ path: `${shots}/roster.png` })

  console.log('[browser-new-community] step 3', new Date().toISOString())
  // 3. A leader account linked to a roster member, with a one-time password.
  const leaderName = rows[0]!.name as string
  const memberName = rows[5]!.name as string
  await page.goto(server.url + '/admin?tab=accounts')
  await page.locator('[data-testid=account-add]').click()
  const personOption = page.locator('[data-testid=account-person] option', { hasText: leaderName })
  await page.locator('[data-testid=account-person]').selectOption({ value: (await personOption.getAttribute('value'))! })
  await page.locator('[data-testid=account-username]').fill('pilot.leader')
  await page.locator('[data-testid=account-role]').selectOption('leader')
  await page.locator('[data-testid=account-dialog] label', { hasText: '试点社区' }).locator('input').check()
  await page.locator('[data-testid=account-dialog] label', { hasText: '光谷广场社区' }).locator('input').uncheck()
  await page.locator('[data-testid=account-save]').click()
  const password = (await page.locator('[data-testid=account-password]').innerText()).trim()
  expect(password).toMatch(/^[A-Za-z0-9_-]{12}$/)
  await page.screenshot({ path: `${shots}/account-one-time-password.png` })

  console.log('[browser-new-community] step 4', new Date().toISOString())
  // A matter in the new community, reported by the admin.
  const [spot] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(ST_PointOnSurface(footprint)) as lon, ST_Y(ST_PointOnSurface(footprint)) as lat from buildings where community_id = ${community!.id} order by id limit 1`
  const created = await admin.post('/api/hazards', { category: 'flying_wire_charging', severity: 'major', location: { lon: spot!.lon, lat: spot!.lat }, description: '试点社区：楼道飞线充电' })
  expect(created.status).toBe(201)
  const hazardId = ((await created.json()) as { id: number }).id

  console.log('[browser-new-community] step 5', new Date().toISOString())
  // 4. The leader signs in on a phone, must choose a password first, then dispatches the matter to a roster member.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
  const lp = await phone.newPage()
  lp.on('console', (m) => console.log('[leader page]', m.type(), m.text().slice(0, 200)))
  await signIn(lp, 'pilot.leader', password)
  await lp.waitForURL(/\/account\/password/)
  expect(await lp.locator('[data-testid=password-forced]').innerText()).toContain('请先设置')
  await lp.screenshot({ path: `${shots}/phone-forced-password.png` })
  await lp.locator('[data-testid=password-current]').fill(password)
  await lp.locator('[data-testid=password-new]').fill('pilot-leader-2026')
  await lp.locator('[data-testid=password-repeat]').fill('pilot-leader-2026')
  await lp.locator('[data-testid=password-submit]').click()
  // A leader lands on the leader view (issue 19: each role lands where it works).
  await lp.waitForURL((u) => u.pathname === '/leader')
  await lp.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
  await lp.screenshot({ path: `${shots}/phone-leader-home.png` })
  // The matter opens from its link (on a phone the replay bar lies over the list's last row).
  await lp.goto(`${server.url}/?hazard=${hazardId}`)
  await expect.poll(() => lp.locator('[data-testid=hazard-drawer]').innerText()).toContain('飞线')
  const picker = lp.locator('[data-testid=hazard-drawer] [data-testid=person-picker] input')
  await picker.click()
  await picker.fill(memberName)
  await lp.locator('[data-testid=hazard-drawer] [role=option]', { hasText: memberName }).first().dispatchEvent('mousedown')
  await lp.screenshot({ path: `${shots}/phone-leader-dispatch.png` })
  await lp.locator('[data-testid=hazard-drawer] [data-transition=dispatched]').click()
  await expect.poll(() => lp.locator('[data-testid=drawer-status]').innerText()).toContain('已派')
  const [h] = await server.db.sql<{ status: string; assignee: string }[]>`
    select h.status, p.name as assignee from hazards h join people p on p.id = h.assignee_id where h.id = ${hazardId}`
  expect(h).toEqual({ status: 'dispatched', assignee: memberName })
  await lp.screenshot({ path: `${shots}/phone-leader-dispatched.png` })

  // The roster on a phone, as the leader sees it (their own team's phones in full).
  await lp.goto(server.url + '/admin?tab=roster')
  await expect.poll(() => lp.locator('[data-testid=roster-count]').innerText()).toContain('57')
  await lp.screenshot({ path: `${shots}/phone-leader-roster.png` })
  await phone.close()
  await context.close()
})
