/**
 * Arrival on site (到场) and on-the-spot fixes (现场处置), contract v2 "Arrival and on-the-spot fixes".
 * Pure: no I/O. The server checks arrivals with these numbers; the patrol phone shows them.
 */
import type { Severity, Source } from './matters.ts'

/** Farthest a phone's position may be from the matter (m) for an arrival without a note, before its accuracy. */
export const ARRIVAL_RADIUS_M = 100

/**
 * The most of the phone's reported accuracy (m) that widens {@link ARRIVAL_RADIUS_M}: a position "±3 km"
 * (a cell tower fix) proves nothing about being on site, so at most 100 m more is allowed without a note.
 */
export const ARRIVAL_ACCURACY_CAP_M = 100

/** The distance (m) up to which an arrival is accepted without a note, for a position of this accuracy. */
export function arrivalLimitM(accuracyM?: number | null): number {
  const accuracy = accuracyM !== undefined && accuracyM !== null && Number.isFinite(accuracyM) && accuracyM > 0 ? accuracyM : 0
  return ARRIVAL_RADIUS_M + Math.min(accuracy, ARRIVAL_ACCURACY_CAP_M)
}

/** Whether an arrival at `distanceM` from the matter, with this accuracy, needs a note explaining it. */
export function arrivalNeedsNote(distanceM: number, accuracyM?: number | null): boolean {
  return distanceM > arrivalLimitM(accuracyM)
}

/** Roles whose report from the phone (source `patrol`) counts as found on patrol: arrived at once. */
export const ON_PATROL_ROLES: readonly string[] = ['patrol']

/** Roles that may report a matter fixed on the spot (现场处置): being there, on the phone. */
export const FIXED_ON_SPOT_ROLES: readonly string[] = ['patrol', 'leader']

/**
 * Whether a report was found on site on patrol (arrived at once, counted apart from the 7-minute rate): source
 * `patrol` and made by a patrol member, or fixed on the spot (whoever fixed it was there). A leader's report from
 * the desk is not.
 */
export function foundOnPatrol(role: string, source: Source, fixedOnSpot = false): boolean {
  return source === 'patrol' && (ON_PATROL_ROLES.includes(role) || (fixedOnSpot && FIXED_ON_SPOT_ROLES.includes(role)))
}

/**
 * Where a matter fixed on the spot (现场处置) goes at once: a `minor` one is closed (`verified`, counted apart,
 * spot-checked by leaders); a `major` or `critical` one is `rectified` and waits for a recheck by someone else.
 */
export function fixedOnSpotStatus(severity: Severity): 'verified' | 'rectified' {
  return severity === 'minor' ? 'verified' : 'rectified'
}

/** Default days and size of a leader's spot-check sample of matters fixed on the spot. */
export const SPOT_CHECK_DAYS = 7
export const SPOT_CHECK_SAMPLE = 5
