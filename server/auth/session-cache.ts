/**
 * Sessions remembered for a few seconds (issue #21: one session query per request was a third of a
 * tile's cost). Nothing stale is served: a cached session is trusted only while the tables that say
 * who it is and what it may see are as they were when it was read — a revoked or deleted session, a
 * disabled account, a changed role, community or partner unit, a new community — which their triggers
 * announce (migration 065, server/cache/data-version.ts) to this process before the write returns and
 * to other processes on a real PostgreSQL at commit. {@link SESSION_CACHE_MS} bounds the rest (an
 * expiry passing, a process that hears of no changes).
 */
import { AUTH_TABLES, type DataVersions } from '../cache/data-version.ts'
import type { SessionUser } from '../queries/users.ts'

/** How long a looked-up session is trusted without asking the database again. */
export const SESSION_CACHE_MS = 5_000
/** Most sessions remembered at once (the oldest go first). */
export const SESSION_CACHE_MAX = 10_000

/** A session as the middleware needs it. */
export interface CachedSession {
  user: SessionUser
  csrfToken: string
  expiresAt: Date
}

/** The state of the sessions' tables as one number: it grows with every announced change. */
function authStamp(versions: DataVersions | undefined): number {
  if (!versions) return 0
  let sum = versions.epoch('communities')
  for (const table of AUTH_TABLES) sum += versions.epoch(table)
  return sum
}

/** Sessions of one app, by token hash. */
export class SessionCache {
  private readonly entries = new Map<string, CachedSession & { until: number; stamp: number }>()

  /**
   * @param ttlMs how long an entry is trusted at most
   * @param versions the database client's change counters; without them (or when nothing reports
   *   changes to that client) an entry lives its `ttlMs` only
   */
  constructor(
    readonly ttlMs = SESSION_CACHE_MS,
    private readonly versions?: DataVersions,
  ) {}

  /** Whether changes are announced to this cache (else it trusts entries for `ttlMs`). */
  private get hearsChanges(): boolean {
    return this.versions?.live ?? false
  }

  /** A session looked up less than {@link ttlMs} ago and not expired, or undefined. */
  get(tokenHash: string, now = Date.now()): CachedSession | undefined {
    const entry = this.entries.get(tokenHash)
    if (!entry) return undefined
    if (entry.until <= now || entry.expiresAt.getTime() <= now || (this.hearsChanges && entry.stamp !== authStamp(this.versions))) {
      this.entries.delete(tokenHash)
      return undefined
    }
    return entry
  }

  /** Remember a session just read from the database. */
  set(tokenHash: string, session: CachedSession, now = Date.now()): void {
    if (this.ttlMs <= 0) return
    this.entries.delete(tokenHash)
    this.entries.set(tokenHash, { ...session, until: now + this.ttlMs, stamp: authStamp(this.versions) })
    if (this.entries.size > SESSION_CACHE_MAX) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) this.entries.delete(oldest.value)
    }
  }

  /** Forget a session (logout, revocation). */
  forget(tokenHash: string): void {
    this.entries.delete(tokenHash)
  }

  /** Forget every session of a user (disabled, role or scope changed). */
  forgetUser(userId: number): void {
    for (const [key, entry] of this.entries) if (entry.user.id === userId) this.entries.delete(key)
  }
}
