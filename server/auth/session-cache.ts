/**
 * Sessions remembered for a few seconds (issue #21: one session query per request was a third of a
 * tile's cost). A revoked session stops working at once in this process (logout forgets it here) and
 * within {@link SESSION_CACHE_MS} in any other process sharing the database; so does a disabled user
 * or a changed role or scope.
 */
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

/** Sessions of one app, by token hash. */
export class SessionCache {
  private readonly entries = new Map<string, CachedSession & { until: number }>()

  constructor(readonly ttlMs = SESSION_CACHE_MS) {}

  /** A session looked up less than {@link ttlMs} ago and not expired, or undefined. */
  get(tokenHash: string, now = Date.now()): CachedSession | undefined {
    const entry = this.entries.get(tokenHash)
    if (!entry) return undefined
    if (entry.until <= now || entry.expiresAt.getTime() <= now) {
      this.entries.delete(tokenHash)
      return undefined
    }
    return entry
  }

  /** Remember a session just read from the database. */
  set(tokenHash: string, session: CachedSession, now = Date.now()): void {
    if (this.ttlMs <= 0) return
    this.entries.delete(tokenHash)
    this.entries.set(tokenHash, { ...session, until: now + this.ttlMs })
    if (this.entries.size > SESSION_CACHE_MAX) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) this.entries.delete(oldest.value)
    }
  }

  /** Forget a session (logout, revocation). */
  forget(tokenHash: string): void {
    this.entries.delete(tokenHash)
  }

  /** Forget every session (a new community changes the scope of everyone who sees all communities). */
  forgetAll(): void {
    this.entries.clear()
  }

  /** Forget every session of a user (disabled, role or scope changed). */
  forgetUser(userId: number): void {
    for (const [key, entry] of this.entries) if (entry.user.id === userId) this.entries.delete(key)
  }
}
