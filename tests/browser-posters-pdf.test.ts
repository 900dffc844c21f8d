/**
 * The residents' posters as a PDF file (issue 15): a leader downloads the compounds' posters from /print/posters;
 * the file is checked with poppler (one A4 page per poster) and its first page rendered to a PNG to look at.
 */
import { execFile } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Browser } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

const run = promisify(execFile)
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

test('a leader downloads the compounds’ posters as one PDF, an A4 page each with its QR code', { timeout: 300_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', acceptDownloads: true })
  const page = await context.newPage()
  await page.goto(`${server.url}/login`)
  await page.locator('[data-testid=login-form] input[autocomplete=username]').fill('leader')
  await page.locator('[data-testid=login-form] input[type=password]').fill('demo')
  await page.locator('[data-testid=login-form] button[type=submit]').click()
  await page.waitForURL((url) => url.pathname !== '/login', { timeout: 60_000 })
  await page.goto(`${server.url}/print/posters`)
  await page.locator('[data-testid=poster]').first().waitFor({ timeout: 60_000 })
  const posters = await page.locator('[data-testid=poster]').count()
  const [compounds] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from compounds`
  expect(posters).toBe(compounds!.n)
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 180_000 }), page.locator('[data-testid=posters-pdf]').click()])
  const dir = await mkdtemp(join(tmpdir(), 'posters-'))
  const file = join(dir, 'posters.pdf')
  await download.saveAs(file)
  expect(download.suggestedFilename()).toMatch(/^扫码上报海报-.+\.pdf$/)
  const { stdout } = await run('pdfinfo', [file])
  expect(stdout).toMatch(new RegExp(`Pages:\\s+${posters}\\n`))
  expect(stdout).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/)
  await run('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '1', file, join(dir, 'first')])
  const png = (await run('sh', ['-c', `ls ${dir}/first*.png`])).stdout.trim()
  await sharp(png).toFile('test-results/posters-pdf-page1.png')
  const meta = await sharp(png).metadata()
  // 60 dpi A4: 496 × 702 px.
  expect(Math.abs(meta.width! - 496)).toBeLessThanOrEqual(2)
  expect(Math.abs(meta.height! - 702)).toBeLessThanOrEqual(2)
  await context.close()
})
