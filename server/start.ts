import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { createApp } from './app.ts'
import { alertSettings, type AlertSettings } from './alerts/config.ts'
import { AlertWorker } from './alerts/worker.ts'
import { openDatabase, type Database } from './db/connect.ts'
import { migrate } from './db/migrate.ts'
import { LiveHub } from './live/hub.ts'
import { listenLive, type LiveListener } from './live/notify.ts'
import { randomBytes } from 'node:crypto'
import { hasCommunities } from './queries/communities.ts'
import { failInterruptedJobs } from './queries/community-imports.ts'
import { hasAdmin } from './routes/setup.ts'

/** Options of {@link startServer}. */
export interface StartOptions {
  port: number
  host?: string
  databaseUrl?: string | undefined
  dataDir: string
  /** Load the demo community into an empty database. */
  seedDemo: boolean
  /** Create the demo accounts with the demo community. */
  demoAccounts?: boolean
  /** Folder of the built web app, served when it holds index.html. */
  webRoot?: string | undefined
  log?: (message: string) => void
  /** Alert delivery settings over the environment's (ALERT_ALLOW_PRIVATE_URLS, PUBLIC_URL); `false` runs no alert worker. */
  alerts?: Partial<AlertSettings> | false
}

/** A running server. */
export interface RunningServer {
  url: string
  port: number
  db: Database
  /** The alert worker of this process (undefined when started with `alerts: false`). */
  alerts: AlertWorker | undefined
  /** Stop accepting, close open connections (SSE included), stop the alert worker, then close the database. */
  close: () => Promise<void>
  /** The first-admin setup token, while no admin exists at start (also printed by `log`). */
  setupToken: string | undefined
}

/** Open the database, migrate, seed when asked and empty, then serve the app. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const log = options.log ?? (() => {})
  const db = await openDatabase({ url: options.databaseUrl, dataDir: options.dataDir })
  try {
    const { applied } = await migrate(db.sql)
    if (applied.length > 0) log(`migrations applied: ${applied.join(', ')}`)
    if (options.seedDemo && !(await hasCommunities(db.sql))) {
      const started = Date.now()
      log('loading the demo community (first start) …')
      const { seedDemo } = await import('./seed/demo.ts')
      await seedDemo(db.sql, { log, demoAccounts: options.demoAccounts ?? true })
      log(`demo community loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    }
  } catch (error) {
    await db.close()
    throw error
  }
  let setupToken: string | undefined
  try {
    const failed = await failInterruptedJobs(db.sql)
    if (failed > 0) log(`${failed} import job(s) interrupted by the last stop were marked failed`)
    if (!(await hasAdmin(db.sql))) setupToken = randomBytes(18).toString('base64url')
  } catch (error) {
    await db.close()
    throw error
  }
  const webRoot = options.webRoot && existsSync(join(options.webRoot, 'index.html')) ? options.webRoot : undefined
  const live = new LiveHub()
  // Several processes may serve one real database: each hears the others' live events (LISTEN/NOTIFY).
  let listener: LiveListener | undefined
  if (db.kind === 'postgres') {
    try {
      listener = await listenLive(db.sql, live)
    } catch (error) {
      await db.close()
      throw error
    }
  }
  const alerts = alertSettings(options.alerts || {})
  const app = createApp({ sql: db.sql, databaseKind: db.kind, webRoot, live, alerts, setupToken })
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host ?? '127.0.0.1' }, () => resolve(s as Server))
  })
  // Alerts to the work groups go out in the background, never inside the request that caused them.
  const worker = options.alerts === false ? undefined : new AlertWorker({ sql: db.sql, settings: alerts, hub: live })
  worker?.start()
  const port = (server.address() as AddressInfo).port
  const shownHost = !options.host || options.host === '0.0.0.0' ? '127.0.0.1' : options.host
  let closing: Promise<void> | undefined
  if (setupToken) {
    log(`no admin account yet: open http://${shownHost}:${port}/setup on this machine to create it`)
    log(`(from another machine, give this one-time setup token: ${setupToken})`)
  }
  return {
    url: `http://${shownHost}:${port}`,
    port,
    db,
    setupToken,
    alerts: worker,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
        await worker?.stop()
        await listener?.close()
        await db.close()
      })()),
  }
}
