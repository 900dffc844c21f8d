/**
 * Issue 17 — plan ahead and compare with reality: a leader plans a night patrol in the browser, two members
 * go on duty with their phones offline and come back online, and the leader sees both as came (到岗) in the
 * plan against reality.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
/** The two members: the demo `patrol` account's person and a second account made for a teammate. */
let members: { username: string; password: string; personId: number }[]
let spot: { lon: number; lat: number }

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  const [first] = await server.db.sql<{ personId: number; teamId: number; lon: number; lat: number }[]>`
    select u.person_id::int as "personId", p.team_id::int as "teamId",
           ST_X(ST_PointOnSurface(c.boundary)) as lon, ST_Y(ST_PointOnSurface(c.boundary)) as lat
    from users u join people p on p.id = u.person_id join communities c on c.id = p.community_id
    where u.username = 'patrol'`
  spot = { lon: first!.lon, lat: first!.lat }
  const [mate] = await server.db.sql<{ id: number }[]>`
    select p.id::int from people p
    where p.team_id = ${first!.teamId} and p.active and p.id <> ${first!.personId}
      and not exists (select 1 from users u where u.person_id = p.id)
    order by p.id limit 1`
  const admin = await server.login('admin')
  const communities = (await (await admin.get('/api/communities')).json()) as { features: { id: number }[] }
  const created = await admin.post('/api/users', {
    username: 'plan-mate',
    name: '计划测试队员',
    role: 'patrol',
    password: 'plan-mate-secret-1',
    personId: mate!.id,
    communityIds: communities.features.map((f) => Number(f.id)),
    mustChangePassword: false,
  })
  expect(created.status).toBe(201)
  members = [
    { username: 'patrol', password: 'demo', personId: first!.personId },
    { username: 'plan-mate', password: 'plan-mate-secret-1', personId: mate!.id },
  ]
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

/** A member's phone: signs in, goes on duty offline, walks a little, comes back online; resolves when the outbox is empty. */
async function dutyOffline(member: (typeof members)[number]): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    geolocation: { longitude: spot.lon, latitude: spot.lat, accuracy: 6 },
    permissions: ['geolocation'],
  })
  const page: Page = await context.newPage()
  expect((await page.request.post(`${server.url}/api/auth/login`, { data: { username: member.username, password: member.password } })).status()).toBe(200)
  await page.goto(`${server.url}/patrol`)
  const toggle = page.locator('[data-testid=duty-toggle]')
  await page.locator('[data-testid=duty-toggle]:enabled').waitFor({ timeout: 60_000 })
  await context.setOffline(true)
  await toggle.click()
  await expect.poll(() => toggle.innerText()).toBe('结束执勤')
  for (let i = 1; i <= 3; i++) {
    await context.setGeolocation({ longitude: spot.lon, latitude: spot.lat + i * 0.0002, accuracy: 6 })
    await page.waitForTimeout(300)
  }
  const status = page.locator('[data-testid=outbox-status]')
  expect(Number(await status.getAttribute('data-pending'))).toBeGreaterThan(0)
  await context.setOffline(false)
  await expect.poll(() => status.getAttribute('data-pending'), { timeout: 60_000 }).toBe('0')
  return context
}

test('a leader plans a night patrol; two members on duty offline come back; the plan shows both came', { timeout: 300_000 }, async () => {
  const desk = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  const leader = await desk.newPage()
  expect((await leader.request.post(`${server.url}/api/auth/login`, { data: { username: 'leader', password: 'demo' } })).status()).toBe(200)
  await leader.goto(`${server.url}/leader`)
  await leader.getByTestId('plan-new').click()
  await leader.getByTestId('plan-name').fill('今晚专项夜查（测试）')
  await leader.getByTestId('plan-type').selectOption('night_special')
  await leader.locator('[data-testid^=plan-zone-]').first().check()
  for (const m of members) await leader.getByTestId(`plan-person-${m.personId}`).check()
  await leader.getByTestId('plan-save').click()
  await expect.poll(async () => (await server.db.sql`select 1 from patrol_plans where name = '今晚专项夜查（测试）'`).length, { timeout: 30_000 }).toBe(1)

  // Before anyone goes on duty: both planned, both absent.
  await leader.getByTestId('plan-item').filter({ hasText: '今晚专项夜查（测试）' }).click()
  for (const m of members) await expect.poll(() => leader.getByTestId(`plan-person-row-${m.personId}`).innerText(), { timeout: 30_000 }).toContain('未到')

  const phones = [await dutyOffline(members[0]!), await dutyOffline(members[1]!)]
  // Each start reached the server once, with the time it was pressed offline.
  const sessions = await server.db.sql<{ personId: number }[]>`
    select person_id::int as "personId" from duty_sessions where person_id = any(${members.map((m) => m.personId)}::bigint[]) and stopped_at is null`
  expect(sessions.map((s) => s.personId).sort()).toEqual(members.map((m) => m.personId).sort())

  await leader.getByTestId('plan-refresh').click()
  for (const m of members) await expect.poll(() => leader.getByTestId(`plan-person-row-${m.personId}`).innerText(), { timeout: 30_000 }).toContain('到岗')
  await leader.getByTestId('plan-reality').screenshot({ path: 'test-results/plan-reality.png' })
  for (const p of phones) await p.close()
  await desk.close()
})
