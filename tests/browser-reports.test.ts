import ExcelJS from 'exceljs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

let server: TestServer
let browser: Browser
let page: Page

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })
  page = await context.newPage()
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'command', password: 'demo' } })
  expect(login.status()).toBe(200)
  await page.goto(server.url + '/')
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('the export menu downloads what the filtered list shows', async () => {
  await page.selectOption('[data-testid=filter-status]', 'all')
  await page.selectOption('[data-testid=filter-category]', 'corridor_clutter')
  const shown = Number(await page.getAttribute('[data-testid=hazard-list-count]', 'data-count'))
  expect(shown).toBeGreaterThan(0)
  await page.click('[data-testid=export-menu] summary')
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-xlsx]')])
  expect(download.suggestedFilename()).toMatch(/^隐患-\d+-\d{4}-\d{2}-\d{2}\.xlsx$/)
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.readFile(await download.path())
  const sheet = wb.worksheets[0]!
  expect(sheet.rowCount - 1).toBe(shown)
  const header = (sheet.getRow(1).values as unknown[]).indexOf('category')
  for (let r = 2; r <= sheet.rowCount; r++) expect(sheet.getRow(r).getCell(header).value).toBe('corridor_clutter')
})

test('the header links to the reports page, which previews the period and offers the downloads', async () => {
  await page.click('[data-testid=nav-reports]')
  await page.waitForSelector('[data-testid=report-preview]')
  await page.click('[data-testid=period-month]')
  await expect.poll(() => page.locator('[data-testid=report-preview] h2').innerText()).toMatch(/^\d{4}年\d{1,2}月$/)
  const xlsx = await page.getAttribute('[data-testid=report-xlsx]', 'href')
  expect(xlsx).toMatch(/^\/api\/reports\/month\?date=\d{4}-\d{2}-\d{2}&format=xlsx$/)
  await page.screenshot({ path: 'test-results/reports-page.png' })
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=report-csv]')])
  expect(download.suggestedFilename()).toMatch(/^.*月通报-\d{4}-\d{2}\.csv$/)
})
