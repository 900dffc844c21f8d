import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { createApp } from './app.ts'
import { listenDataChanges } from './cache/data-version.ts'
import { openDatabase, type Database } from './db/connect.ts'
import { migrate } from './db/migrate.ts'
import { LiveHub } from './live/hub.ts'
import { listenLive, type LiveListener } from './live/notify.ts'
import { hasCommunities } from './queries/communities.ts'

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
}

/** A running server. */
export interface RunningServer {
  url: string
  port: number
  db: Database
  /** Stop accepting, close open connections (SSE included), then close the database. */
  close: () => Promise<void>
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
  const app = createApp({ sql: db.sql, databaseKind: db.kind, webRoot, live })
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host ?? '127.0.0.1' }, () => resolve(s as Server))
  })
  const port = (server.address() as AddressInfo).port
  const shownHost = !options.host || options.host === '0.0.0.0' ? '127.0.0.1' : options.host
  let closing: Promise<void> | undefined
  return {
    url: `http://${shownHost}:${port}`,
    port,
    db,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
        await listener?.close()
        await dataListener?.close()
        await db.close()
      })()),
  }
}
