import { mkdir } from 'node:fs/promises'
import postgres from 'postgres'
import type { PGlite } from '@electric-sql/pglite'
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { lockDataDir } from './lock.ts'
import { STATEMENT_TIMEOUT_MS } from './timeouts.ts'
import { DataVersions, registerDataVersions } from '../cache/data-version.ts'

/** The postgres.js client every query module takes. */
export type Sql = postgres.Sql<Record<string, never>>

/** A client or an open transaction: what query functions that may run inside a transaction take. */
export type Queryable = Sql | postgres.TransactionSql<Record<string, never>>

/** Which kind of database the server talks to. */
export type DatabaseKind = 'embedded' | 'postgres'

/** An open database: the client, its kind, and how to close it cleanly. */
export interface Database {
  sql: Sql
  kind: DatabaseKind
  /** Where it lives: the data folder (embedded) or the URL without its password. */
  location: string
  close: () => Promise<void>
}

/** Options for {@link openDatabase}. */
export interface OpenOptions {
  /** A PostgreSQL + PostGIS URL; when absent the embedded PGlite database is used. */
  url?: string | undefined
  /** Folder of the embedded database (created when missing). */
  dataDir?: string
  /** Retry the first connection to a real server for this long (ms) before giving up. */
  connectTimeoutMs?: number
}

/** int8 (ids, counts) as JS numbers: ids stay far below 2^53, and JSON cannot carry BigInt. */
const int8AsNumber = {
  to: 20,
  from: [20],
  serialize: (value: number | bigint | string) => String(value),
  parse: (value: string) => Number(value),
}


/** Open the database the configuration names: a real PostgreSQL by URL, or the embedded PGlite. */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.connectTimeoutMs ?? 60_000)
  return openEmbedded(options.dataDir ?? './data')
}

async function openPostgres(url: string, connectTimeoutMs: number): Promise<Database> {
  const versions = new DataVersions()
  const sql: Sql = postgres(url, {
    max: Number(process.env.PGPOOL_MAX ?? 10),
    // Data-change notices feed the tile cache; every other notice (ST_IsValid's carry coordinates) stays out of logs.
    onnotice: (notice) => versions.notice(notice),
    // Every statement is bounded (the `read` class); heavy work and imports set their own (server/db/timeouts.ts).
    connection: { application_name: 'safegrid', TimeZone: 'UTC', statement_timeout: STATEMENT_TIMEOUT_MS.read },
    types: { bigint: int8AsNumber },
    transform: { undefined: null },
  }) as unknown as Sql
  registerDataVersions(sql, versions)
  const deadline = Date.now() + connectTimeoutMs
  // The server may start before the database is up: wait for it.
  for (let attempt = 0; ; attempt++) {
    try {
      await sql`select 1`
      break
    } catch (error) {
      if (Date.now() > deadline) throw error
      if (attempt === 0) console.warn(`waiting for the database at ${redact(url)} …`)
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }
  await sql`create extension if not exists postgis`
  return { sql, kind: 'postgres', location: redact(url), close: () => sql.end({ timeout: 5 }) }
}

async function openEmbedded(dataDir: string): Promise<Database> {
  await mkdir(dataDir, { recursive: true })
  // One process per embedded database (server/db/lock.ts): a second opener is refused with the holder's PID.
  const unlock = await lockDataDir(dataDir)
  let db: PGlite
  let server: PGLiteSocketServer
  try {
    const [{ PGlite }, { postgis }, { btree_gist }, { PGLiteSocketServer }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite-postgis'),
      import('@electric-sql/pglite/contrib/btree_gist'),
      import('@electric-sql/pglite-socket'),
    ])
    // btree_gist: track pieces are indexed by place and time in one GiST index (migration 040).
    db = await PGlite.create({ dataDir, extensions: { postgis, btree_gist } })
    await db.exec('create extension if not exists postgis')
    // Serve PGlite on loopback so the same postgres.js code runs against both backends.
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 })
    await server.start()
  } catch (error) {
    await unlock()
    throw error
  }
  const conn = server.getServerConn()
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1))
  // PGlite is single-connection: one postgres.js connection, so queries and transactions queue.
  const versions = new DataVersions()
  const sql: Sql = postgres({
    host: '127.0.0.1',
    port,
    database: 'postgres',
    username: 'postgres',
    max: 1,
    // Data-change notices feed the tile cache; every other notice (ST_IsValid's carry coordinates) stays out of logs.
    onnotice: (notice) => versions.notice(notice),
    connection: { application_name: 'safegrid', TimeZone: 'UTC' },
    types: { bigint: int8AsNumber },
    transform: { undefined: null },
  }) as unknown as Sql
  registerDataVersions(sql, versions)
  let closed = false
  return {
    sql,
    kind: 'embedded',
    location: dataDir,
    close: async () => {
      if (closed) return
      closed = true
      await sql.end({ timeout: 5 })
      await server.stop()
      // CHECKPOINT before closing so everything acknowledged is in the data files.
      try {
        await db.exec('checkpoint')
      } catch {
        // already closing
      }
      await db.close()
      await unlock()
    },
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'postgres://…'
  }
}
