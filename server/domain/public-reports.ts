/**
 * Rules of residents' public reports (人人都是安全员, issue 15) without I/O: the tracking code, the phone a
 * resident leaves, and the small in-memory limiter that keeps one address or one device from flooding the
 * command centre.
 */
import { randomBytes } from 'node:crypto'

/** Letters of a tracking code: digits and capitals without 0/O, 1/I/L (read from a phone, typed back). */
export const TRACKING_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
/** Length of a tracking code: 12 letters of 31 ≈ 59 bits, never guessed. */
export const TRACKING_CODE_LENGTH = 12
/** What a tracking code looks like (anything else is answered 404 without a query). */
export const TRACKING_CODE_PATTERN = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}$/

/** A new tracking code from crypto random bytes (rejection sampling, so every letter is equally likely). */
export function newTrackingCode(): string {
  let code = ''
  while (code.length < TRACKING_CODE_LENGTH) {
    for (const byte of randomBytes(32)) {
      // 248 = 8 × 31: bytes at or above it would favour the first letters.
      if (byte < 248 && code.length < TRACKING_CODE_LENGTH) code += TRACKING_ALPHABET[byte % TRACKING_ALPHABET.length]
    }
  }
  return code
}

/**
 * A phone number as stored: its digits (a leading `+` kept), or null when it is not one — spaces, dashes and
 * brackets are dropped; 5 to 20 digits.
 */
export function normalizePhone(text: string): string | null {
  const trimmed = text.trim()
  if (!/^\+?[\d\s\-()]+$/.test(trimmed)) return null
  const digits = trimmed.replace(/[^\d]/g, '')
  if (digits.length < 5 || digits.length > 20) return null
  return trimmed.startsWith('+') ? `+${digits}` : digits
}

/** How many reports one key may send in a window. */
export interface RateLimit {
  max: number
  windowMs: number
}

/** The default limits: 5 reports per 10 minutes per address and per device, 300 per 10 minutes in all. */
export const PUBLIC_REPORT_LIMITS = {
  perAddress: { max: 5, windowMs: 10 * 60_000 },
  perDevice: { max: 5, windowMs: 10 * 60_000 },
  overall: { max: 300, windowMs: 10 * 60_000 },
} as const satisfies Record<string, RateLimit>

/** Most keys remembered; beyond it the oldest are forgotten (memory stays small under a spray of addresses). */
export const LIMITER_MAX_KEYS = 10_000

/**
 * Sliding-window counters in memory, per address, per device and overall. {@link check} says how long to wait
 * (0 = may send); {@link record} counts one report. One per app: a restart forgets, which is acceptable for a
 * nuisance limit (the command centre still reviews every report).
 */
export class PublicReportLimiter {
  private readonly hits = new Map<string, number[]>()

  constructor(readonly limits: { perAddress: RateLimit; perDevice: RateLimit; overall: RateLimit } = PUBLIC_REPORT_LIMITS) {}

  /** Milliseconds to wait before `address` (and `device`, when given) may send again; 0 when it may now. */
  check(now: number, address: string, device?: string | null): number {
    const waits = [this.waitFor(`a:${address}`, this.limits.perAddress, now), this.waitFor('all', this.limits.overall, now)]
    if (device) waits.push(this.waitFor(`d:${device}`, this.limits.perDevice, now))
    return Math.max(...waits)
  }

  /** Count one report of `address` (and `device`). */
  record(now: number, address: string, device?: string | null): void {
    this.push(`a:${address}`, now, this.limits.perAddress.max)
    this.push('all', now, this.limits.overall.max)
    if (device) this.push(`d:${device}`, now, this.limits.perDevice.max)
  }

  private waitFor(key: string, limit: RateLimit, now: number): number {
    const times = (this.hits.get(key) ?? []).filter((t) => t > now - limit.windowMs)
    if (times.length) this.hits.set(key, times)
    else this.hits.delete(key)
    if (times.length < limit.max) return 0
    return times[times.length - limit.max]! + limit.windowMs - now
  }

  /** Remember `now` for `key`, keeping the last `keep` times (its limit's max: fewer could never reach it). */
  private push(key: string, now: number, keep: number): void {
    const times = this.hits.get(key) ?? []
    times.push(now)
    // Re-inserted last: the Map's order is the order of last use.
    this.hits.delete(key)
    this.hits.set(key, times.slice(-keep))
    while (this.hits.size > LIMITER_MAX_KEYS) this.hits.delete(this.hits.keys().next().value!)
  }
}
