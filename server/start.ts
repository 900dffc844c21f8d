import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { createApp } from './app.ts'
import { alertSettings, type AlertSettings } from './alerts/config.ts'
import { AlertWorker } from './alerts/worker.ts'
import { listenDataChanges } from './cache/data-version.ts'
import { openDatabase, type Database } from './db/connect.ts'
import { migrate } from './db/migrate.ts'
import { LiveHub } from './live/hub.ts'
import { listenLive, type LiveListener } from './live/notify.ts'
import { randomBytes } from 'node:crypto'
import { hasCommunities } from './queries/communities.ts'
import { demoAccounts, demoPasswordRefusal, isLoopbackHost } from './queries/demo-accounts.ts'
import type { NetworkConfig } from './http.ts'
import type { SignInThrottle } from './auth/throttle.ts'
import { failInterruptedJobs } from './queries/community-imports.ts'
import { hasAdmin } from './routes/setup.ts'

/** Options of {@link startServer}. */
export interface StartOptions {
  port: number
  /**
   * Address to listen on. Unset: 127.0.0.1 while demo accounts exist, else 0.0.0.0. Any
   * non-loopback address is refused while a demo account still has the demo password.
   */
  host?: string | undefined
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
  /** Proxy trust, public URL and allowed hosts (default: from the environment). */
  network?: NetworkConfig
  /** The sign-in throttle (default: SIGN_IN_LIMITS). */
  signIn?: SignInThrottle
}

/** A running server. */
export interface RunningServer {
  /** A URL this machine reaches the server at (127.0.0.1 when it listens on every address). */
  url: string
  /** The address it really listens on, e.g. `0.0.0.0:8080` or `127.0.0.1:8080`. */
  listening: string
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
  // Demo accounts are not a deployment: loopback unless HOST says otherwise, and never another
  // address while a demo password is unchanged.
  let host = options.host
  let setupToken: string | undefined
  try {
    const demo = await demoAccounts(db.sql)
    host ??= demo.present.length > 0 ? '127.0.0.1' : '0.0.0.0'
    if (!isLoopbackHost(host) && demo.unchanged.length > 0) throw new Error(demoPasswordRefusal(host, demo.unchanged))
    if (options.host === undefined && demo.present.length > 0) log(`demo accounts present (${demo.present.join(', ')}): listening on ${host} only; set HOST to listen elsewhere`)
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
  let dataListener: { close: () => Promise<void> } | undefined
  if (db.kind === 'postgres') {
    try {
      listener = await listenLive(db.sql, live)
      // …and the others' writes to map data, which drop cached tiles (server/cache/data-version.ts).
      dataListener = await listenDataChanges(db.sql)
    } catch (error) {
      await db.close()
      throw error
    }
  }
  const alerts = alertSettings(options.alerts || {})
  const app = createApp({ sql: db.sql, databaseKind: db.kind, webRoot, live, alerts, setupToken, ...(options.network ? { network: options.network } : {}), ...(options.signIn ? { signIn: options.signIn } : {}) })
  let server: Server
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: options.port, hostname: host }, () => resolve(s as Server)) as Server
      s.once('error', reject)
    })
  } catch (error) {
    await listener?.close()
    await dataListener?.close()
    await db.close()
    throw error
  }
  const address = server.address() as AddressInfo
  const port = address.port
  const bound = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const reachable = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '[::1]' : bound
  // Alerts to the work groups go out in the background, never inside the request that caused them.
  const worker = options.alerts === false ? undefined : new AlertWorker({ sql: db.sql, settings: alerts, hub: live })
  worker?.start()
  let closing: Promise<void> | undefined
  if (setupToken) {
    log(`no admin account yet: open http://${reachable}:${port}/setup on this machine to create it`)
    log(`(from another machine, give this one-time setup token: ${setupToken})`)
  }
  return {
    url: `http://${reachable}:${port}`,
    listening: `${bound}:${port}`,
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
        await dataListener?.close()
        await db.close()
      })()),
  }
}
