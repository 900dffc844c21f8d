/**
 * Duty sessions (执勤) are evidence of hours worked (and later of points, 积分): the limits a start or
 * stop keeps to, beyond the community's time window (server/domain/evidence.ts).
 *
 * - A start or stop is at most {@link DUTY_MAX_AGE_MS} old when it reaches the server (an offline phone
 *   sends its outbox within a day or two).
 *
 * Pure functions: no database, no HTTP.
 */

/** Oldest duty start or stop accepted. */
export const DUTY_MAX_AGE_MS = 48 * 3_600_000

/** Why a duty start or stop at `t` is too old, or null. */
export function dutyAgeProblem(t: number, now = Date.now()): string | null {
  return now - t > DUTY_MAX_AGE_MS ? `t is more than ${DUTY_MAX_AGE_MS / 3_600_000} hours ago; duty is recorded on the day` : null
}
