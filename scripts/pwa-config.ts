/**
 * The patrol phone as an installable, offline-first web app (issue 10), for vite.config.ts:
 *
 * - the web app manifest (平安网格·巡逻, starts at /patrol, icons from scripts/make-icons.ts);
 * - a service worker (vite-plugin-pwa, Workbox `generateSW`) that precaches the patrol shell only —
 *   the entry, the sign-in, patrol and check-in views and the report map, found in the bundle's
 *   chunk graph — so the command-centre views are not downloaded onto patrol phones; chunks of
 *   other views are cached as they are used;
 * - every navigation answered with the cached index.html (the app decides the route), except
 *   /api and /ogc;
 * - of the API, only harmless reads are cached (network first, the cache when there is no
 *   network): the community list and the base map layers and tiles. Never hazards, people,
 *   sessions, and never a write (Workbox routes match GET only). The app keeps the patrol
 *   member's last known tasks itself (web/stores/patrol-phone.ts); writes go through the
 *   IndexedDB outbox (web/offline/).
 *
 * The build log prints the shell's gzipped size.
 */
import { gzipSync } from 'node:zlib'
import type { Plugin } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

/** Lazy route components that belong to the patrol phone's shell. */
const SHELL_MODULES = [
  /\/web\/views\/(PatrolView|LoginView|CheckinView)\.vue$/,
  /\/web\/components\/layout\/NotFound\.vue$/,
  /\/web\/components\/patrol\/ReportMap\.vue$/,
]
/** What `/patrol` loads before it is usable (the map comes after). */
const FIRST_MODULES = [/\/web\/views\/PatrolView\.vue$/]

/**
 * Whether the service worker may keep a copy of this API read: the community list and the base map
 * layers and tiles only — never hazards (not their list, not `/api/tiles/hazards/…`), people or
 * sessions. Workbox copies this function's source into sw.js, so it refers to nothing outside itself.
 */
export function cachedApiRead({ url, sameOrigin }: { url: URL; sameOrigin: boolean }): boolean {
  if (!sameOrigin) return false
  const path = url.pathname
  if (path === '/api/communities') return true
  const layer = /^\/api\/(?:layers|tiles)\/([a-z-]+)(?:\/|$)/.exec(path)?.[1]
  return layer !== undefined && ['communities', 'compounds', 'buildings', 'roads', 'water', 'key-places', 'zones'].includes(layer)
}

/** The Cache Storage name of the cached API reads (the app deletes it at sign-out). */
export const API_CACHE = 'sg-api'

interface ChunkLike {
  type: 'chunk'
  fileName: string
  isEntry: boolean
  facadeModuleId: string | null
  imports: string[]
  dynamicImports: string[]
  code: string
  viteMetadata?: { importedCss: Set<string>; importedAssets: Set<string> }
}

/** Finds the patrol shell's files in the bundle and reports its size. */
function patrolShell(shell: Set<string>): Plugin {
  return {
    name: 'safegrid-patrol-shell',
    apply: 'build',
    generateBundle(_options, bundle) {
      shell.clear()
      const chunks = new Map<string, ChunkLike>()
      const sources = new Map<string, string | Uint8Array>()
      for (const [file, out] of Object.entries(bundle)) {
        if (out.type === 'chunk') chunks.set(file, out as unknown as ChunkLike)
        else sources.set(file, out.source)
      }
      const collect = (start: ChunkLike[], into: Set<string>, follow: RegExp[]): void => {
        const visit = (file: string): void => {
          if (into.has(file)) return
          into.add(file)
          const chunk = chunks.get(file)
          if (!chunk) return
          chunk.imports.forEach(visit)
          chunk.viteMetadata?.importedCss.forEach((f) => into.add(f))
          chunk.viteMetadata?.importedAssets.forEach((f) => into.add(f))
          for (const d of chunk.dynamicImports) {
            const id = chunks.get(d)?.facadeModuleId ?? ''
            if (follow.some((r) => r.test(id))) visit(d)
          }
        }
        start.forEach((c) => visit(c.fileName))
      }
      const entries = [...chunks.values()].filter((c) => c.isEntry)
      collect(entries, shell, SHELL_MODULES)
      // What /patrol needs before it is usable: the entry and the patrol view, not the map.
      const first = new Set<string>()
      collect(entries, first, FIRST_MODULES)
      const size = (files: Set<string>, ext: RegExp): number =>
        [...files]
          .filter((f) => ext.test(f))
          .reduce((n, f) => n + gzipSync(chunks.get(f)?.code ?? sources.get(f) ?? '').length, 0)
      const kb = (n: number): string => `${(n / 1024).toFixed(1)} kB`
      this.info(
        `patrol shell (gzip): before usable JS ${kb(size(first, /\.js$/))} + CSS ${kb(size(first, /\.css$/))}; ` +
          `whole precached shell JS ${kb(size(shell, /\.m?js$/))} + CSS ${kb(size(shell, /\.css$/))} (${shell.size} files)`,
      )
    },
  }
}

/** The Vite plugins of the installable patrol app. */
export function patrolPwa(): Plugin[] {
  const shell = new Set<string>()
  return [
    patrolShell(shell),
    ...VitePWA({
      strategies: 'generateSW',
      registerType: 'autoUpdate',
      injectRegister: false,
      filename: 'sw.js',
      manifestFilename: 'manifest.webmanifest',
      includeAssets: ['icons/apple-touch-icon-180.png', 'icons/favicon-32.png'],
      manifest: {
        id: '/patrol',
        name: '平安网格·巡逻',
        short_name: '平安巡逻',
        description: '平安网格巡逻队员手机端：执勤轨迹、隐患上报、扫码打卡，没有信号也能记录。',
        lang: 'zh-CN',
        dir: 'ltr',
        start_url: '/patrol',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#18202b',
        theme_color: '#18202b',
        categories: ['utilities', 'productivity'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The icons and the manifest are added by the plugin (manifest icons, includeAssets).
        globPatterns: ['**/*.{js,mjs,css,html}'],
        globIgnores: ['**/.vite/**'],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
        // Only the patrol shell (and the non-asset files: index.html, icons, manifest) is precached.
        manifestTransforms: [
          (entries) => {
            const seen = new Set<string>()
            const manifest = entries.filter((e) => {
              if (seen.has(e.url)) return false
              seen.add(e.url)
              return !e.url.startsWith('assets/') || shell.size === 0 || shell.has(e.url)
            })
            return { manifest, warnings: shell.size === 0 ? ['patrol shell not found: precaching every asset'] : [] }
          },
        ],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/ogc(\/|$)/],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
        runtimeCaching: [
          {
            // Hashed build files outside the shell (other views), as they are used.
            urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/assets/'),
            handler: 'CacheFirst',
            options: { cacheName: 'sg-assets', expiration: { maxEntries: 80 }, cacheableResponse: { statuses: [200] } },
          },
          {
            // The map's own Latin glyphs (web/public/glyphs), so labels draw offline too.
            urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/glyphs/'),
            handler: 'CacheFirst',
            options: { cacheName: 'sg-glyphs', expiration: { maxEntries: 20 }, cacheableResponse: { statuses: [200] } },
          },
          {
            // Harmless reads: the community list and the base map (no hazards, no people).
            urlPattern: cachedApiRead,
            handler: 'NetworkFirst',
            options: {
              cacheName: API_CACHE,
              networkTimeoutSeconds: 6,
              expiration: { maxEntries: 300, maxAgeSeconds: 14 * 86_400 },
              cacheableResponse: { statuses: [200] },
            },
          },
        ],
      },
    }),
  ]
}
