/**
 * First map render of the command centre in Chromium, in a city of 500 communities: sign in as the
 * city's admin (`city-admin`, who sees every community), open `/` in a fresh browser context (empty
 * cache) and time navigation → `<body data-map-ready="1">` (the map has loaded, the page's data has
 * arrived, every source has settled and the map is idle). Also counts the bytes that came over the
 * wire (headers and encoded bodies, MapLibre's workers included) and the vector tiles among them.
 *
 * Needs the built web app (dist/, `npx vite build`; built here only when missing) and Chromium at
 * /usr/bin/chromium. Knobs: BENCH_FIRST_RENDER_RUNS (3, after one warm-up).
 */
import { ensureWebBuilt, launchChromium } from '../tests/helpers/browser.ts'
import { quantile, type BenchContext, type BenchRow } from './lib.ts'

interface Run {
  ms: number
  bytes: number
  requests: number
  tiles: number
  tileBytes: number
  buildings: number
}

export default async function firstRender(ctx: BenchContext): Promise<BenchRow[]> {
  const runs = ctx.env('BENCH_FIRST_RENDER_RUNS', 3)
  await ensureWebBuilt()
  return ctx.withServer(async (server) => {
    const browser = await launchChromium()
    try {
      const once = async (): Promise<Run> => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
        try {
          const page = await context.newPage()
          const login = await page.request.post(`${server.url}/api/auth/login`, { data: { username: 'city-admin', password: ctx.password } })
          if (login.status() !== 200) throw new Error(`login city-admin: ${login.status()} ${await login.text()}`)
          // Playwright reports the requests of MapLibre's workers too (a CDP session on the page would not).
          const sizes: Promise<void>[] = []
          let bytes = 0
          let requests = 0
          let tiles = 0
          let tileBytes = 0
          page.on('requestfinished', (req) => {
            sizes.push(
              req.sizes().then((s) => {
                const n = s.responseHeadersSize + s.responseBodySize
                bytes += n
                requests++
                if (req.url().includes('/api/tiles/')) {
                  tiles++
                  tileBytes += n
                }
              }),
            )
          })
          const t0 = performance.now()
          await page.goto(`${server.url}/`)
          await page.waitForFunction(() => document.body.dataset.mapReady === '1', undefined, { timeout: 120_000, polling: 16 })
          const ms = performance.now() - t0
          await Promise.all(sizes)
          const buildings = await page.evaluate(() => window.__safegrid!.map.queryRenderedFeatures({ layers: ['buildings-fill'] }).length)
          return { ms, bytes, requests, tiles, tileBytes, buildings }
        } finally {
          await context.close()
        }
      }
      const warm = await once()
      ctx.log(`first render: warm-up ${warm.ms.toFixed(0)} ms, ${warm.requests} requests, ${Math.round(warm.bytes / 1024)} KiB, ${warm.buildings} buildings drawn`)
      const results: Run[] = []
      for (let k = 0; k < runs; k++) results.push(await once())
      const ms = results.map((r) => r.ms)
      const mid = [...results].sort((a, b) => a.ms - b.ms)[Math.floor(results.length / 2)]!
      if (mid.buildings === 0) throw new Error('the command centre drew no buildings')
      return [
        {
          what: 'command centre first map render in Chromium (navigation → map ready)',
          backend: ctx.backend,
          size: `${ctx.city.communities} communities, admin sees all`,
          median: quantile(ms, 0.5),
          p95: quantile(ms, 0.95),
          notes:
            `${runs} cold runs (fresh context) after a warm-up, 1280×800, headless; median run: ${mid.requests} requests, ` +
            `${Math.round(mid.bytes / 1024).toLocaleString('en-US')} KiB over the wire, of which ${mid.tiles} vector tiles ` +
            `${Math.round(mid.tileBytes / 1024).toLocaleString('en-US')} KiB; ${mid.buildings} building features drawn`,
        },
      ]
    } finally {
      await browser.close()
    }
  })
}
