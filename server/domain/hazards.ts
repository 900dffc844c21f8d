/** Hazard categories (隐患类别) of the contract. */
export const CATEGORIES = [
  'flying_wire_charging',
  'ebike_indoor',
  'fire_lane_blocked',
  'corridor_clutter',
  'facility_aging',
  'poor_lighting',
  'falling_object_risk',
  'other',
] as const
export type Category = (typeof CATEGORIES)[number]

/** Severity: small, big and hard matters (小事、大事、难事). */
export const SEVERITIES = ['minor', 'major', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]

/** Every hazard status of the closed loop. */
export const STATUSES = ['reported', 'dispatched', 'rectifying', 'rectified', 'verified', 'reopened', 'rejected'] as const
export type Status = (typeof STATUSES)[number]

/** Statuses that end the loop. */
export const CLOSED_STATUSES: readonly Status[] = ['verified', 'rejected']

/** Statuses still open (counted for overdue). */
export const OPEN_STATUSES: readonly Status[] = STATUSES.filter((s) => !CLOSED_STATUSES.includes(s))

/** Days allowed to close, by severity: minor 1, major 3, critical 5. */
export const SLA_DAYS: Record<Severity, number> = { minor: 1, major: 3, critical: 5 }

/** Target from report to someone on site, in minutes. */
export const RESPONSE_TARGET_MINUTES = 7

/** The due time of a hazard reported at `reportedAt` with this severity. */
export function dueAt(reportedAt: Date, severity: Severity): Date {
  return new Date(reportedAt.getTime() + SLA_DAYS[severity] * 86_400_000)
}
