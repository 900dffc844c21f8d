/**
 * Which map data changed, as cheaply as a number compare: every write to a table the tiles read bumps
 * that table's epoch in each server process, so a cached tile is served only while the epochs it was
 * rendered at still hold (server/cache/tile-cache.ts).
 *
 * Statement triggers on those tables (migration 041, `sg_data_changed` in db/functions/tiles.sql) say
 * so twice: a NOTICE on the writing connection, which reaches this process before the write's
 * statement returns (so a change made here is seen by the very next request), and
 * `NOTIFY safegrid_data` at commit, which reaches every process sharing a real PostgreSQL (and bumps
 * again after the commit, so a tile rendered from the old rows meanwhile is not kept).
 */
import type { Notice } from 'postgres'
import type { Sql } from '../db/connect.ts'

/** The NOTIFY channel of data changes. */
export const DATA_CHANNEL = 'safegrid_data'
/** The prefix of the NOTICE a data change raises (followed by the table name). */
export const DATA_NOTICE_PREFIX = 'safegrid data changed: '

/** The tables vector tiles read, by the epoch they are tracked under. */
export const TRACKED_TABLES = ['buildings', 'zones', 'key_places', 'hazards', 'roads', 'compounds', 'communities'] as const
export type TrackedTable = (typeof TRACKED_TABLES)[number]

/**
 * The tables that decide who a session is and what it may see, tracked the same way (migration 065)
 * for the session cache (server/auth/session-cache.ts); `communities` is among {@link TRACKED_TABLES}.
 */
export const AUTH_TABLES = ['sessions', 'users', 'user_communities', 'partner_units', 'partner_unit_communities'] as const

/** Per-table change counters of one database client. */
export class DataVersions {
  private readonly epochs = new Map<string, number>()
  /** False when nothing reports changes to this client (then nothing may be cached). */
  live: boolean

  constructor(live = true) {
    this.live = live
  }

  /** The table's current epoch. */
  epoch(table: TrackedTable | (typeof AUTH_TABLES)[number]): number {
    return this.epochs.get(table) ?? 0
  }

  /** A table changed. */
  bump(table: string): void {
    this.epochs.set(table, (this.epochs.get(table) ?? 0) + 1)
  }

  /** Anything may have changed (a lost NOTIFY connection). */
  bumpAll(): void {
    for (const t of [...TRACKED_TABLES, ...AUTH_TABLES]) this.bump(t)
  }

  /** The handler for postgres.js `onnotice`: a data-change NOTICE bumps its table; others are ignored. */
  notice(notice: Partial<Notice> | { message?: string }): void {
    const message = notice.message
    if (typeof message === 'string' && message.startsWith(DATA_NOTICE_PREFIX)) this.bump(message.slice(DATA_NOTICE_PREFIX.length))
  }
}

const registry = new WeakMap<Sql, DataVersions>()

/** Tie a client to the counters its notices feed (server/db/connect.ts). */
export function registerDataVersions(sql: Sql, versions: DataVersions): void {
  registry.set(sql, versions)
}

/**
 * The counters of a client. A client opened elsewhere (not by openDatabase) hears of no change:
 * it gets counters marked not live, and nothing is cached for it.
 */
export function dataVersions(sql: Sql): DataVersions {
  let found = registry.get(sql)
  if (!found) {
    found = new DataVersions(false)
    registry.set(sql, found)
  }
  return found
}

/**
 * LISTEN for data changes made by other processes (a real PostgreSQL only). After a lost connection
 * (postgres.js listens again by itself) everything counts as changed.
 */
export async function listenDataChanges(sql: Sql): Promise<{ close: () => Promise<void> }> {
  const versions = dataVersions(sql)
  let first = true
  const { unlisten } = await sql.listen(
    DATA_CHANNEL,
    (payload) => versions.bump(payload),
    () => {
      if (!first) versions.bumpAll()
      first = false
    },
  )
  return { close: () => unlisten() }
}
