import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureWebBuilt, launchChromium } from './helpers/browser.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

/**
 * Issue 19, item 2: names on every map, drawn from the app's own glyphs (Latin) and the system's
 * CJK font, with nothing fetched from another host.
 */
let server: TestServer
let browser: Browser
const foreignRequests: string[] = []
const glyphRequests: string[] = []

beforeAll(async () => {
  server = await startTestServer({ webRoot: await ensureWebBuilt() })
  browser = await launchChromium()
  mkdirSync('docs/screenshots', { recursive: true })
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

async function open(username: string, path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.error(`[${username}] ${msg.text()}`)
  })
  page.on('request', (req) => {
    const url = new URL(req.url())
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== server.url) foreignRequests.push(req.url())
    if (url.pathname.startsWith('/glyphs/')) glyphRequests.push(url.pathname)
  })
  const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username, password: 'demo' } })
  expect(login.status()).toBe(200)
  await page.goto(server.url + path)
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 60_000 })
  return page
}

/** Texts of the rendered features of symbol layers. */
function renderedTexts(page: Page, layers: string[]): Promise<string[]> {
  return page.evaluate((ids) => {
    const map = window.__safegrid!.map
    const present = ids.filter((id) => map.getLayer(id))
    return map.queryRenderedFeatures({ layers: present }).map((f) => String(f.properties.text ?? f.properties.name ?? ''))
  }, layers)
}

/** The map's style: its glyphs URL and its symbol layers with their text fields. */
function styleSummary(page: Page): Promise<{ glyphs: string | undefined; symbols: { id: string; field: string }[] }> {
  return page.evaluate(() => {
    const style = window.__safegrid!.map.getStyle()
    return {
      glyphs: style.glyphs,
      symbols: style.layers
        .filter((l) => l.type === 'symbol')
        .map((l) => ({ id: l.id, field: JSON.stringify((l.layout as Record<string, unknown> | undefined)?.['text-field']) })),
    }
  })
}

test('the app serves its own Latin glyph PBFs', async () => {
  const res = await fetch(`${server.url}/glyphs/noto-sans/0-255.pbf`)
  expect(res.status).toBe(200)
  const body = new Uint8Array(await res.arrayBuffer())
  expect(body.length).toBeGreaterThan(10_000)
  // A glyphs message: field 1 (fontstack), length-delimited.
  expect(body[0]).toBe(0x0a)
  // A range the app does not ship is a 404 (MapLibre draws it locally), not the web page.
  expect((await fetch(`${server.url}/glyphs/noto-sans/19968-20223.pbf`)).status).toBe(404)
})

test('the planner map labels its zones, compounds and roads, and numbers buildings up close', { timeout: 240_000 }, async () => {
  const page = await open('planner', '/planner')
  const style = await styleSummary(page)
  expect(style.glyphs).toBe(`${server.url}/glyphs/{fontstack}/{range}.pbf`)
  const ids = style.symbols.map((s) => s.id)
  expect(ids).toEqual(expect.arrayContaining(['zone-edit-labels', 'compounds-label', 'roads-label', 'buildings-label']))
  expect(style.symbols.find((s) => s.id === 'zone-edit-labels')?.field).toContain('text')

  // Zone names are drawn (collision may hide some, never all).
  await expect.poll(() => renderedTexts(page, ['zone-edit-labels']), { timeout: 30_000 }).toEqual(expect.arrayContaining([expect.stringMatching(/^第\d+网格$/)]))
  const zoneNames = await renderedTexts(page, ['zone-edit-labels'])
  expect(new Set(zoneNames).size).toBe(zoneNames.length)
  // The digits in "第2网格" come from the app's own glyphs.
  expect(glyphRequests).toContain('/glyphs/noto-sans/0-255.pbf')
  await page.waitForTimeout(300)
  await page.screenshot({ path: 'docs/screenshots/planner-labels.png' })

  // Up close: building numbers ("3栋") and compound names.
  const [b] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(ST_PointOnSurface(b.footprint)) as lon, ST_Y(ST_PointOnSurface(b.footprint)) as lat
    from buildings b join compounds c on c.id = b.compound_id
    where b.community_id = 1 and b.name ~ '[0-9]+栋$' order by b.id limit 1`
  expect(b).toBeDefined()
  await page.evaluate(([lon, lat]) => {
    const map = window.__safegrid!.map
    map.jumpTo({ center: [lon!, lat!], zoom: 18 })
  }, [b!.lon, b!.lat])
  await expect.poll(() => renderedTexts(page, ['buildings-label']), { timeout: 30_000 }).toEqual(
    expect.arrayContaining([expect.stringMatching(/^\d+栋$/)]),
  )
  await expect.poll(() => renderedTexts(page, ['compounds-label']), { timeout: 30_000 }).not.toEqual([])
  await page.screenshot({ path: 'test-results/planner-labels-close.png' })
  await page.context().close()
})

test('the command centre labels its zones and main roads', { timeout: 240_000 }, async () => {
  const page = await open('command', '/')
  const style = await styleSummary(page)
  expect(style.glyphs).toBe(`${server.url}/glyphs/{fontstack}/{range}.pbf`)
  expect(style.symbols.map((s) => s.id)).toEqual(expect.arrayContaining(['zone-labels', 'compounds-label', 'roads-label', 'buildings-label']))
  await expect.poll(() => renderedTexts(page, ['zone-labels']), { timeout: 30_000 }).toEqual(expect.arrayContaining([expect.stringMatching(/网格$/)]))
  await page.evaluate(() => window.__safegrid!.map.zoomTo(16, { animate: false }))
  await expect.poll(() => renderedTexts(page, ['roads-label']), { timeout: 30_000 }).not.toEqual([])
  await page.evaluate(() => window.__safegrid!.map.zoomTo(15, { animate: false }))
  await page.waitForTimeout(800)
  await page.screenshot({ path: 'docs/screenshots/command-labels.png' })
  await page.context().close()
})

test('no request left the machine', () => {
  expect(foreignRequests).toEqual([])
})
