/**
 * The 12345 hotline import in a browser (issue 15): the command centre uploads a platform's export, the page
 * suggests the column mapping, the user corrects one column, previews (one row refused with its reason), and
 * imports the accepted tickets as matters.
 */
import ExcelJS from 'exceljs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('the command centre maps an export’s columns, previews the rows and imports the accepted tickets', { timeout: 300_000 }, async () => {
  const [b] = await server.db.sql<{ compound: string; number: string }[]>`
    select cp.name as compound, substring(b.name from '([0-9]+)(?:栋|幢|号楼)$') as number
    from buildings b join compounds cp on cp.id = b.compound_id
    where cp.name ~ '^[^?？()（）\\s]+$' and b.name ~ '(^|[^0-9])[0-9]+(栋|幢|号楼)$'
      and (select count(*) from buildings b2 where b2.compound_id = cp.id and b2.name ~ ('(^|[^0-9])' || substring(b.name from '([0-9]+)(?:栋|幢|号楼)$') || '(栋|幢|号楼)$')) = 1
      and (select count(*) from compounds c2 where c2.name like '%' || cp.name || '%') = 1
    order by b.id limit 1`
  // A 12345 export whose address column has a header the page cannot guess ("位置"), and a content column it can.
  const book = new ExcelJS.Workbook()
  const sheet = book.addWorksheet('工单')
  sheet.addRow(['工单编号', '来电时间', '位置', '诉求内容', '备注'])
  sheet.addRow(['W-1', '2026-11-20 09:00', `${b!.compound}${b!.number}栋3单元`, '楼道堆放杂物', ''])
  sheet.addRow(['W-2', '2026-11-20 10:00', `${b!.compound}${b!.number}栋`, '路灯不亮', ''])
  sheet.addRow(['W-3', '2026-11-20 11:00', '不在本社区的地址', '噪音扰民', ''])
  const dir = await mkdtemp(join(tmpdir(), 'hotline-'))
  const path = join(dir, '12345工单.xlsx')
  await writeFile(path, new Uint8Array(await book.xlsx.writeBuffer()))

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' })).newPage()
  await page.goto(`${server.url}/login`)
  await page.locator('[data-testid=login-form] input[autocomplete=username]').fill('command')
  await page.locator('[data-testid=login-form] input[type=password]').fill('demo')
  await page.locator('[data-testid=login-form] button[type=submit]').click()
  await page.waitForURL((url) => url.pathname !== '/login', { timeout: 60_000 })
  await page.locator('[data-testid=nav-hotline]').click({ timeout: 90_000 })
  await page.waitForURL((url) => url.pathname === '/hotline', { timeout: 60_000 })
  await page.locator('[data-testid=hotline-file]').setInputFiles(path)
  await page.locator('[data-testid=hotline-mapping]').waitFor({ timeout: 60_000 })
  // Suggested from the headers: the ticket, the time and the content; the address is left for the user.
  expect(await page.locator('[data-testid=hotline-map-ticket]').inputValue()).toBe('0')
  expect(await page.locator('[data-testid=hotline-map-time]').inputValue()).toBe('1')
  expect(await page.locator('[data-testid=hotline-map-content]').inputValue()).toBe('3')
  expect(await page.locator('[data-testid=hotline-map-address]').inputValue()).toBe('')
  expect(await page.locator('[data-testid=hotline-preview]').isDisabled()).toBe(true)
  await page.locator('[data-testid=hotline-map-address]').selectOption('2')
  await page.locator('[data-testid=hotline-preview]').click()
  await page.locator('[data-testid=hotline-result]').waitFor({ timeout: 60_000 })
  expect(await page.locator('[data-testid=hotline-summary]').textContent()).toContain('可导入 2 条')
  expect(await page.locator('[data-testid=hotline-rejected]').textContent()).toContain('地址中没有找到本社区的小区名')
  await page.screenshot({ path: 'test-results/hotline-preview.png', fullPage: true, timeout: 60_000 })
  const [before] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from hazards where hotline_ticket like 'W-%'`
  expect(before!.n).toBe(0)
  await page.locator('[data-testid=hotline-import]').click()
  await expect.poll(() => page.locator('[data-testid=hotline-done]').textContent(), { timeout: 60_000 }).toContain('已导入 2 条')
  const rows = await server.db.sql<{ ticket: string; source: string }[]>`select hotline_ticket as ticket, source from hazards where hotline_ticket like 'W-%' order by 1`
  expect(rows).toEqual([
    { ticket: 'W-1', source: 'hotline_12345' },
    { ticket: 'W-2', source: 'hotline_12345' },
  ])
  await page.context().close()
})
