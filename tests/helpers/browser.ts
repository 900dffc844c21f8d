import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core'

/** Folder of the built web app; tests that need it build it first (`npm run build`). */
export const WEB_ROOT = resolve(import.meta.dirname, '../../dist')

/** Debian's Chromium with the flags that keep it off the network. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync('/usr/bin/chromium')) throw new Error('Chromium is missing: apt-get install chromium')
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  })
}

/** Build the web app once when dist/ is missing (CI builds before testing). */
export async function ensureWebBuilt(): Promise<string> {
  if (!existsSync(resolve(WEB_ROOT, 'index.html'))) {
    const { build } = await import('vite')
    await build({ configFile: resolve(import.meta.dirname, '../../vite.config.ts'), logLevel: 'warn' })
  }
  return WEB_ROOT
}

/** A phone-sized Chinese browser context (360 × 740, touch), standing at `at` when given (geolocation allowed). */
export function phoneContext(browser: Browser, at?: { lon: number; lat: number }, extra: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    ...(at ? { geolocation: { latitude: at.lat, longitude: at.lon, accuracy: 8 }, permissions: ['geolocation'] } : {}),
    ...extra,
  })
}
