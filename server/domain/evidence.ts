/**
 * Patrol records are evidence: the limits a claimed time and a check-in must keep to.
 *
 * - Times (`t` of track points and check-ins, `reportedAt` of reports) lie between the day the
 *   community was created and {@link CLOCK_SKEW_MS} after the server's clock.
 * - A check-in carries the phone's position: within {@link CHECKIN_MAX_DISTANCE_M} (plus its
 *   accuracy, counted up to {@link CHECKIN_MAX_ACCURACY_M}) of the key place; at most
 *   {@link CHECKIN_MAX_AGE_MS} old (an offline phone syncs within a day); and no faster than
 *   {@link CHECKIN_MAX_SPEED_MPS} from any check-in of the same account within an hour of it
 *   (position to position, less their accuracies; those recorded with a position, under these rules).
 * - QR codes of key places are random ({@link newKeyPlaceCode}), never sequential.
 *
 * Pure functions: no database, no HTTP.
 */
import { randomBytes } from 'node:crypto'

/** How far ahead of the server clock a phone may stamp a time (its clock runs a little fast). */
export const CLOCK_SKEW_MS = 5 * 60_000

/** Farthest a check-in's position may be from its key place, before the accuracy is added (m). */
export const CHECKIN_MAX_DISTANCE_M = 100
/** Worst accuracy a check-in's position may claim (m); a vaguer fix is no evidence of being there. */
export const CHECKIN_MAX_ACCURACY_M = 150
/** Oldest check-in accepted (an offline phone sends its outbox within a day). */
export const CHECKIN_MAX_AGE_MS = 24 * 3_600_000
/** Fastest a patrol moves between two check-ins (m/s): 8 m/s ≈ 29 km/h, an e-bike on a clear road. */
export const CHECKIN_MAX_SPEED_MPS = 8

/** The time window a claimed time must lie in. */
export interface TimeWindow {
  /** Epoch ms: the community's creation. */
  min: number
  /** Epoch ms: now + {@link CLOCK_SKEW_MS}. */
  max: number
}

/** The window of a community created at `createdAt`, at `now`. */
export function timeWindow(createdAt: Date | number, now = Date.now()): TimeWindow {
  return { min: new Date(createdAt).getTime(), max: now + CLOCK_SKEW_MS }
}

/** Why `t` is outside the window, or null. `what` names the field for the message. */
export function timeProblem(t: number, window: TimeWindow, what = 't'): string | null {
  if (t > window.max) return `${what} is more than ${CLOCK_SKEW_MS / 60_000} minutes in the future (check the phone's clock)`
  if (t < window.min) return `${what} is before the community was set up in SafeGrid (${new Date(window.min).toISOString().slice(0, 10)})`
  return null
}

/** Distance allowed between a check-in's position and its key place, for a claimed accuracy (m). */
export function checkinAllowanceM(accuracy: number | null): number {
  return CHECKIN_MAX_DISTANCE_M + Math.min(Math.max(accuracy ?? 0, 0), CHECKIN_MAX_ACCURACY_M)
}

/** Why a check-in's position is no evidence of being at the key place, or null. */
export function checkinPositionProblem(distanceM: number, accuracy: number | null): string | null {
  if (accuracy !== null && accuracy > CHECKIN_MAX_ACCURACY_M) {
    return `the position is too imprecise (±${Math.round(accuracy)} m; at most ±${CHECKIN_MAX_ACCURACY_M} m): wait for a better fix`
  }
  const allowed = checkinAllowanceM(accuracy)
  if (distanceM > allowed) return `the phone was ${Math.round(distanceM)} m from the key place (at most ${Math.round(allowed)} m)`
  return null
}

/** Why a check-in's time is too old, or null. */
export function checkinAgeProblem(t: number, now = Date.now()): string | null {
  return now - t > CHECKIN_MAX_AGE_MS ? `t is more than ${CHECKIN_MAX_AGE_MS / 3_600_000} hours ago; a check-in is recorded on the day` : null
}

/** Slack for two positions' noise when comparing them (m): their accuracies, each counted up to {@link CHECKIN_MAX_ACCURACY_M}, at least 10 m. */
export function positionSlackM(a: number | null, b: number | null): number {
  const one = (x: number | null) => Math.min(Math.max(x ?? 0, 0), CHECKIN_MAX_ACCURACY_M)
  return Math.max(10, one(a) + one(b))
}

/**
 * Why moving between two check-ins of one account is impossible, or null: `distanceM` between
 * the positions they were recorded at (less `slackM` for the positions' noise) over `seconds`
 * between them.
 */
export function checkinSpeedProblem(distanceM: number, seconds: number, slackM: number, other: { name: string; t: string }): string | null {
  const beyondSlack = distanceM - slackM
  if (beyondSlack <= 0) return null
  const speed = beyondSlack / Math.max(Math.abs(seconds), 1)
  if (speed <= CHECKIN_MAX_SPEED_MPS) return null
  return `the check-in at ${other.name} (${other.t}) is ${Math.round(distanceM)} m away and ${Math.round(Math.abs(seconds))} s apart: faster than ${Math.round(CHECKIN_MAX_SPEED_MPS * 3.6)} km/h`
}

/** A new random QR code for a key place, e.g. `KP-3F9A1C0B7E2D` (48 random bits). */
export function newKeyPlaceCode(): string {
  return `KP-${randomBytes(6).toString('hex').toUpperCase()}`
}

/** Farthest a care visit's position may be from the household's door, before the accuracy is added (m). */
export const CARE_VISIT_MAX_DISTANCE_M = CHECKIN_MAX_DISTANCE_M

/**
 * Why a care visit's position is no evidence of being at the household's door, or null: the same limits as a
 * check-in (within {@link CARE_VISIT_MAX_DISTANCE_M} m plus the accuracy, a fix no vaguer than
 * {@link CHECKIN_MAX_ACCURACY_M} m). A visit may instead carry the door's QR code ({@link newDoorCode}).
 */
export function careVisitPositionProblem(distanceM: number, accuracy: number | null): string | null {
  return checkinPositionProblem(distanceM, accuracy)?.replace('from the key place', "from the household's door") ?? null
}

/** Why a care visit's time is too old, or null (an offline phone sends its outbox within a day). */
export function careVisitAgeProblem(t: number, now = Date.now()): string | null {
  return now - t > CHECKIN_MAX_AGE_MS ? `t is more than ${CHECKIN_MAX_AGE_MS / 3_600_000} hours ago; a visit is recorded on the day` : null
}

/** A new random door code for a household under care, e.g. `CV-3F9A1C0B7E2D` (48 random bits). */
export function newDoorCode(): string {
  return `CV-${randomBytes(6).toString('hex').toUpperCase()}`
}
