/**
 * Failed sign-in attempts per key (account or address) in a sliding window.
 * In memory: one process's view; with several processes each throttles its own share.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>()

  constructor(
    readonly limit = 10,
    readonly windowMs = 15 * 60 * 1000,
  ) {}

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs)
    if (kept.length === 0) this.failures.delete(key)
    else this.failures.set(key, kept)
    return kept
  }

  /** Seconds until the key may try again; 0 when it may try now. */
  retryAfter(key: string, now = Date.now()): number {
    const recent = this.recent(key, now)
    if (recent.length < this.limit) return 0
    return Math.max(1, Math.ceil((recent[recent.length - this.limit]! + this.windowMs - now) / 1000))
  }

  /** Record a failure. */
  fail(key: string, now = Date.now()): void {
    this.failures.set(key, [...this.recent(key, now), now])
  }

  /** A success clears the account's failures. */
  clear(key: string): void {
    this.failures.delete(key)
  }
}
