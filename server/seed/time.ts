/**
 * Asia/Shanghai clock helpers (UTC+8 all year, no daylight saving time).
 */

/** Milliseconds per minute. */
export const MINUTE = 60_000
/** Milliseconds per hour. */
export const HOUR = 60 * MINUTE
/** Milliseconds per day. */
export const DAY = 24 * HOUR

const SHANGHAI_OFFSET = 8 * HOUR

/** The instant of a Shanghai wall-clock time: `dayOffset` days after the Shanghai day of `now`, at `hours`. */
export function shanghaiTime(now: Date, dayOffset: number, hours: number): Date {
  const localDay = Math.floor((now.getTime() + SHANGHAI_OFFSET) / DAY)
  return new Date((localDay + dayOffset) * DAY + hours * HOUR - SHANGHAI_OFFSET)
}

/** Hours since Shanghai midnight of an instant (0 ≤ h < 24). */
export function shanghaiHour(t: Date): number {
  const local = t.getTime() + SHANGHAI_OFFSET
  return (local - Math.floor(local / DAY) * DAY) / HOUR
}

/**
 * "Tonight": the most recent 18:00–06:00 Shanghai night window that started before `now`.
 * At 10:00 that is yesterday 18:00 → today 06:00; at 21:00 it is today 18:00 → tomorrow 06:00.
 */
export function tonightWindow(now: Date): { start: Date; end: Date } {
  const start = shanghaiHour(now) >= 18 ? shanghaiTime(now, 0, 18) : shanghaiTime(now, -1, 18)
  return { start, end: new Date(start.getTime() + 12 * HOUR) }
}
