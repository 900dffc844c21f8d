import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { secureHeaders } from 'hono/secure-headers'
import type { AppDeps, AppEnv } from './context.ts'
import { problemDocument, sendProblem, toProblem } from './problem.ts'
import { authenticate } from './auth/middleware.ts'
import { LiveHub } from './live/hub.ts'
import { audit } from './routes/audit.ts'
import { authRoutes } from './routes/auth.ts'
import { communities } from './routes/communities.ts'
import { hazards, PHOTO_UPLOAD_PATH } from './routes/hazards.ts'
import { health } from './routes/health.ts'
import { layers } from './routes/layers.ts'
import { live } from './routes/live.ts'
import { people } from './routes/people.ts'

/** Largest JSON body accepted (uploads have their own limits). */
export const JSON_BODY_LIMIT = 1024 * 1024

/**
 * Build the SafeGrid HTTP app. It never listens: `server/index.ts` serves it, and tests call it.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const databaseKind = deps.databaseKind ?? 'postgres'
  const liveHub = deps.live ?? new LiveHub()

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
      },
      crossOriginEmbedderPolicy: false,
    }),
  )
  app.use('/api/*', async (c, next) => {
    c.set('sql', deps.sql)
    c.set('databaseKind', databaseKind)
    c.set('live', liveHub)
    c.set('communityIds', null)
    await next()
  })
  const jsonBodyLimit = bodyLimit({
    maxSize: JSON_BODY_LIMIT,
    onError: (c) => {
      // The unread rest of the body would poison a kept-alive connection: close it after the answer.
      c.header('connection', 'close')
      return sendProblem(c, problemDocument(413, `The request body is larger than ${JSON_BODY_LIMIT} bytes.`))
    },
  })
  // Photo uploads carry their own, larger limit (server/routes/hazards.ts).
  app.use('/api/*', (c, next) => (c.req.method === 'POST' && PHOTO_UPLOAD_PATH.test(c.req.path) ? next() : jsonBodyLimit(c, next)))

  app.route('/api/health', health)
  app.route('/api/auth', authRoutes())
  // Everything below needs a signed-in user.
  app.use('/api/*', authenticate)
  app.route('/api/communities', communities)
  app.route('/api/people', people)
  app.route('/api/audit', audit)
  app.route('/api/layers', layers)
  app.route('/api/hazards', hazards)
  app.route('/api/live', live)

  app.all('/api/*', (c) => sendProblem(c, problemDocument(404, `No endpoint ${c.req.method} ${c.req.path}.`)))

  if (deps.webRoot) {
    const root = deps.webRoot
    app.use('/assets/*', async (c, next) => {
      await next()
      if (c.res.status === 200) c.header('cache-control', 'public, max-age=31536000, immutable')
    })
    app.use('*', serveStatic({ root }))
    let indexHtml: string | undefined
    app.get('*', async (c) => {
      indexHtml ??= await readFile(join(root, 'index.html'), 'utf8')
      return c.html(indexHtml)
    })
  }

  app.notFound((c) => sendProblem(c, problemDocument(404, `Nothing at ${c.req.path}.`)))
  app.onError((error, c) => {
    const doc = toProblem(error)
    if (doc.status >= 500) console.error(`[${c.req.method} ${c.req.path}]`, error)
    return sendProblem(c, doc)
  })
  return app
}
