/**
 * Failed sign-in attempts, in memory (one process's view; with several processes each throttles
 * its own share).
 *
 * - {@link LoginThrottle}: failures per key in a sliding window (used per client address).
 * - {@link SignInThrottle}: the one throttle every way of signing in shares (the login form and HTTP
 *   Basic on /api/owntracks): per (account, address) with exponential backoff, plus a cap per address.
 *   There is deliberately no lock of an account as a whole: wrong passwords for `admin` sent from
 *   one address slow down that address only, never the real admin at another one.
 */

/** Failed attempts per key in a sliding window. */
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
    if (this.failures.size >= MAX_KEYS) this.prune(now)
    this.failures.set(key, [...this.recent(key, now), now])
  }

  /** Clear a key's failures. */
  clear(key: string): void {
    this.failures.delete(key)
  }

  /** Drop keys whose failures are all older than the window. */
  prune(now = Date.now()): void {
    for (const key of [...this.failures.keys()]) this.recent(key, now)
  }
}

/** Most keys a throttle keeps before pruning expired ones. */
const MAX_KEYS = 100_000

/** Limits of {@link SignInThrottle}. */
export interface SignInLimits {
  /** Failures of one (account, address) before backoff starts. */
  freeFailures: number
  /** The first backoff (ms); each further failure doubles it. */
  baseBackoffMs: number
  /** Longest backoff, and how long a (account, address) is remembered after its last failure (ms). */
  maxBackoffMs: number
  /** Failures from one address (any accounts) in {@link windowMs} before that address waits. */
  perAddress: number
  windowMs: number
}

/** The defaults: 5 free tries per (account, address), then 1 s, 2 s, 4 s … up to 15 min; 30 failures per address per 15 min. */
export const SIGN_IN_LIMITS: SignInLimits = { freeFailures: 5, baseBackoffMs: 1000, maxBackoffMs: 15 * 60_000, perAddress: 30, windowMs: 15 * 60_000 }

interface PairState {
  failures: number
  last: number
}

/** The sign-in throttle shared by every sign-in path (see the file comment). */
export class SignInThrottle {
  private readonly pairs = new Map<string, PairState>()
  private readonly addresses: LoginThrottle

  constructor(readonly limits: SignInLimits = SIGN_IN_LIMITS) {
    this.addresses = new LoginThrottle(limits.perAddress, limits.windowMs)
  }

  private static key(account: string, address: string): string {
    return `${account.trim().toLowerCase()}\u0000${address}`
  }

  /** Backoff of a (account, address) after `failures` failures, in ms. */
  backoffMs(failures: number): number {
    if (failures < this.limits.freeFailures) return 0
    return Math.min(this.limits.maxBackoffMs, this.limits.baseBackoffMs * 2 ** (failures - this.limits.freeFailures))
  }

  private pair(key: string, now: number): PairState | undefined {
    const state = this.pairs.get(key)
    if (state && now - state.last > this.limits.maxBackoffMs) {
      this.pairs.delete(key)
      return undefined
    }
    return state
  }

  /** Seconds `account` must wait before trying again from `address`; 0 when it may try now. */
  retryAfter(account: string, address: string, now = Date.now()): number {
    const state = this.pair(SignInThrottle.key(account, address), now)
    const pairWait = state ? state.last + this.backoffMs(state.failures) - now : 0
    const addressWait = this.addresses.retryAfter(address, now) * 1000
    const wait = Math.max(pairWait, addressWait)
    return wait > 0 ? Math.max(1, Math.ceil(wait / 1000)) : 0
  }

  /** Record a failed attempt of `account` from `address`. */
  fail(account: string, address: string, now = Date.now()): void {
    const key = SignInThrottle.key(account, address)
    if (this.pairs.size >= MAX_KEYS) for (const k of [...this.pairs.keys()]) this.pair(k, now)
    const state = this.pair(key, now)
    this.pairs.set(key, { failures: (state?.failures ?? 0) + 1, last: now })
    this.addresses.fail(address, now)
  }

  /** A successful sign-in clears that (account, address)'s failures. */
  succeed(account: string, address: string): void {
    this.pairs.delete(SignInThrottle.key(account, address))
  }
}
