import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono, type MiddlewareHandler } from 'hono'
import { compress } from 'hono/compress'
import { secureHeaders } from 'hono/secure-headers'
import type { AppDeps, AppEnv } from './context.ts'
import { problemDocument, sendProblem, toProblem } from './problem.ts'
import { jsonDepthGuard, limitBody, loadNetworkConfig } from './http.ts'
import { SignInThrottle } from './auth/throttle.ts'
import { authenticate } from './auth/middleware.ts'
import { partnerBoundary } from './auth/partner.ts'
import { SESSION_CACHE_MS, SessionCache } from './auth/session-cache.ts'
import { dataVersions } from './cache/data-version.ts'
import { TileCache } from './cache/tile-cache.ts'
import { LiveHub } from './live/hub.ts'
import { alertSettings } from './alerts/config.ts'
import { alertChannels } from './routes/alerts.ts'
import { deadSessions } from './queries/users.ts'
import { audit } from './routes/audit.ts'
import { authRoutes } from './routes/auth.ts'
import { communities } from './routes/communities.ts'
import { hazards, PHOTO_UPLOAD_PATH } from './routes/hazards.ts'
import { arrivals } from './routes/arrivals.ts'
import { matters } from './routes/matters.ts'
import { health } from './routes/health.ts'
import { layers } from './routes/layers.ts'
import { live } from './routes/live.ts'
import { people } from './routes/people.ts'
import { zoneImport } from './routes/import-zones.ts'
import { layerImport } from './routes/import.ts'
import { zones } from './routes/zones.ts'
import { checkins } from './routes/checkins.ts'
import { coverage } from './routes/coverage.ts'
import { routePlanning, walking } from './routes/route.ts'
import { keyPlaces } from './routes/key-places.ts'
import { owntracks } from './routes/owntracks.ts'
import { tracks } from './routes/tracks.ts'
import { tiles } from './routes/tiles.ts'
import { analysis } from './routes/analysis.ts'
import { stats } from './routes/stats.ts'
import { basemapOrigin, loadBasemap } from './basemap.ts'
import { exportDownloads } from './export/middleware.ts'
import { configRoutes } from './routes/config.ts'
import { ogc } from './routes/ogc.ts'
import { reports } from './routes/reports.ts'
import { isUploadPath } from './uploads.ts'
import { JobRunner } from './jobs/community-import.ts'
import { users } from './routes/users.ts'
import { teams } from './routes/teams.ts'
import { devices } from './routes/devices.ts'
import { buildings } from './routes/buildings.ts'
import { communityImports } from './routes/community-imports.ts'
import { setupRoutes } from './routes/setup.ts'
import { openApiRoutes } from './openapi/routes.ts'
import { units } from './routes/units.ts'
import { patrolPlans } from './routes/plans.ts'
import { duty } from './routes/duty.ts'
import { care } from './routes/care.ts'
import { points } from './routes/points.ts'
import { PUBLIC_REPORT_PATH, publicReports } from './routes/public-reports.ts'
import { publicSummaryRoutes } from './routes/public-summary.ts'
import { hotline } from './routes/hotline.ts'
import { posters } from './routes/posters.ts'

/** Largest JSON body accepted (uploads have their own limits). */
export const JSON_BODY_LIMIT = 1024 * 1024

const BODILESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Build the SafeGrid HTTP app. It never listens: `server/index.ts` serves it, and tests call it.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const databaseKind = deps.databaseKind ?? 'postgres'
  const liveHub = deps.live ?? new LiveHub()
  // Cached sessions last while no session, account or community changes (migration 065).
  const sessions = deps.sessions ?? new SessionCache(SESSION_CACHE_MS, dataVersions(deps.sql))
  const jobs = deps.jobs ?? new JobRunner(deps.sql)
  const alerts = deps.alerts ?? alertSettings()
  // Streams end with their session: revoked, expired, or its user disabled (checked in one query every 15 s).
  liveHub.watchSessions((sessions) => deadSessions(deps.sql, sessions))
  const network = deps.network ?? loadNetworkConfig()
  // One sign-in throttle for every way of signing in (the login form and HTTP Basic on /api/owntracks).
  const signIn = deps.signIn ?? new SignInThrottle()
  // An operator's base map (BASEMAP_URL): the browser may fetch from its origin, and from nowhere else.
  const basemap = deps.basemap !== undefined ? deps.basemap : loadBasemap()
  const mapOrigins = basemapOrigin(basemap) ? [basemapOrigin(basemap)!] : []

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...mapOrigins],
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'", ...mapOrigins],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
      },
      crossOriginEmbedderPolicy: false,
    }),
  )
  const tileCache = deps.tileCache ?? new TileCache(dataVersions(deps.sql))
  const withDeps: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set('sql', deps.sql)
    c.set('sessions', sessions)
    c.set('tileCache', tileCache)
    c.set('exporting', false)
    c.set('databaseKind', databaseKind)
    c.set('live', liveHub)
    c.set('jobs', jobs)
    c.set('alerts', alerts)
    c.set('communityIds', null)
    c.set('network', network)
    c.set('signIn', signIn)
    await next()
  }
  app.use('/api/*', withDeps)
  // An oversized body is drained before the 413, so the client reads the answer instead of a reset.
  const jsonBodyLimit = limitBody(JSON_BODY_LIMIT, `The request body is larger than ${JSON_BODY_LIMIT} bytes.`)
  // Photo uploads, roster workbooks and a community's map files carry their own, larger limits (server/uploads.ts).
  const isPhotoUpload = (method: string, path: string): boolean => (method === 'POST' && PHOTO_UPLOAD_PATH.test(path)) || isUploadPath(method, path)
  // A resident's report has its own limits: small as JSON, with a photo as multipart (server/routes/public-reports.ts).
  const isPublicUpload = (c: { req: { method: string; path: string } }): boolean => c.req.method === 'POST' && PUBLIC_REPORT_PATH.test(c.req.path)
  // Reads carry no body to limit.
  app.use('/api/*', (c, next) => (BODILESS_METHODS.has(c.req.method) || isPhotoUpload(c.req.method, c.req.path) || isPublicUpload(c) ? next() : jsonBodyLimit(c, next)))
  // Deeply nested JSON is refused (400) before any parser or validator recurses into it.
  app.use('/api/*', (c, next) => (isPhotoUpload(c.req.method, c.req.path) || isPublicUpload(c) ? next() : jsonDepthGuard(c, next)))

  app.route('/api/health', health)
  app.route('/api/auth', authRoutes())
  app.route('/api/config', configRoutes(basemap))
  app.route('/api/setup', setupRoutes(deps.setupToken))
  // The API's own description (OpenAPI 3.0 and a reference page), built from the routes registered here.
  app.route('/api', openApiRoutes(() => app.routes))
  // Residents report without signing in (人人都是安全员, issue 15): rate-limited, answered by tracking code.
  app.route('/api/public/reports', publicReports())
  // The public monthly summary (公示): counts only, by the community's public code; rate-limited.
  app.route('/api/public/summary', publicSummaryRoutes())
  // Everything below needs a signed-in user.
  app.use('/api/*', authenticate)
  // A partner unit's account reaches only its unit's matters (deny by default; server/auth/partner.ts).
  app.use('/api/*', partnerBoundary)
  // `?format=csv|xlsx|geojson|gpx` on the list endpoints (server/export/middleware.ts).
  app.use('/api/*', exportDownloads)
  app.route('/api/reports', reports)
  app.route('/api/hotline', hotline)
  app.route('/api/tiles', tiles)
  app.route('/api/communities', communities)
  app.route('/api/people', people)
  app.route('/api/teams', teams)
  app.route('/api/units', units)
  app.route('/api/users', users)
  app.route('/api/devices', devices)
  app.route('/api/buildings', buildings)
  app.route('/api/community-imports', communityImports)
  app.route('/api/audit', audit)
  app.route('/api/alert-channels', alertChannels)
  app.route('/api/layers', layers)
  app.route('/api/hazards', arrivals)
  app.route('/api/hazards', hazards)
  app.route('/api/matters', matters)
  app.route('/api/live', live)
  app.route('/api/zones', zones)
  app.route('/api/import/zones', zoneImport)
  app.route('/api/import', layerImport)
  app.route('/api/tracks', tracks)
  app.route('/api/owntracks', owntracks)
  app.route('/api/checkins', checkins)
  app.route('/api/key-places', keyPlaces)
  app.route('/api/analysis/coverage', coverage)
  app.route('/api/coverage', routePlanning)
  app.route('/api/route', walking)
  app.route('/api/analysis', analysis)
  app.route('/api/stats', stats)
  app.route('/api/patrol-plans', patrolPlans)
  app.route('/api/duty', duty)
  app.route('/api/care', care)
  app.route('/api/points', points)
  app.route('/api/posters', posters)

  app.all('/api/*', (c) => sendProblem(c, problemDocument(404, `No endpoint ${c.req.method} ${c.req.path}.`)))

  // OGC API – Features for QGIS and GDAL, behind the same sign-in (Bearer tokens).
  app.use('/ogc', withDeps, authenticate, partnerBoundary)
  app.use('/ogc/*', withDeps, authenticate, partnerBoundary)
  app.route('/ogc', ogc)

  if (deps.webRoot) {
    const root = deps.webRoot
    // The web app's files go out gzip-compressed (the patrol shell over a weak phone signal).
    app.use('*', compress())
    app.use('/assets/*', async (c, next) => {
      await next()
      if (c.res.status === 200) c.header('cache-control', 'public, max-age=31536000, immutable')
    })
    app.use('*', serveStatic({ root }))
    // A glyph range the app does not ship is a 404 (MapLibre then draws it locally), not the page.
    app.use('/glyphs/*', async (c) => c.text('Not Found', 404))
    let indexHtml: string | undefined
    app.get('*', async (c) => {
      indexHtml ??= await readFile(join(root, 'index.html'), 'utf8')
      return c.html(indexHtml)
    })
  }

  app.notFound((c) => sendProblem(c, problemDocument(404, `Nothing at ${c.req.path}.`)))
  app.onError((error, c) => {
    const doc = toProblem(error)
    if (doc.status >= 500 && doc.status !== 503) console.error(`[${c.req.method} ${c.req.path}]`, error)
    if (doc.status === 503) c.header('retry-after', '1')
    return sendProblem(c, doc)
  })
  return app
}
