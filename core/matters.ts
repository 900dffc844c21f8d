/**
 * The vocabulary of matters (事项) shared by the server and the web app: kinds, categories, danger
 * (severity), handling level (办理层级), statuses of the closed loop and sources. Pure: no I/O.
 *
 * Version 2 of the contract (docs/api.md, "Changes in version 2"): severity is danger only; the
 * deadline comes from the level where the matter is handled (the 7135 rule: 小事 in the micro-grid in
 * 1 day, 大事 in the grid in 3, 难事 at the street in 5), and 7 minutes is someone arriving on site.
 */

/** Kinds of matters (事项类型). `/api/hazards` is `type = hazard`. */
export const MATTER_TYPES = ['hazard', 'dispute', 'lead', 'emergency', 'request', 'information'] as const
export type MatterType = (typeof MATTER_TYPES)[number]

/**
 * Roles that see leads (治安线索, `type = lead`): admin and the command centre, and a partner account
 * those handed to its unit (a police unit: a partner sees nothing but its unit's matters anyway). Everyone else never sees a lead: not in lists, by id, stats, reports, live
 * events or exports; the map tiles and OGC layers carry no lead for anyone.
 */
export const LEAD_VIEWER_ROLES: readonly string[] = ['admin', 'command', 'partner']

/** Whether a role sees leads. */
export function seesLeads(role: string): boolean {
  return LEAD_VIEWER_ROLES.includes(role)
}

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
/** A hazard category. */
export type Category = (typeof CATEGORIES)[number]
/** The hazard categories under the name the other kinds use. */
export const HAZARD_CATEGORIES = CATEGORIES

/** The categories of each kind of matter; `other` closes every list. */
export const CATEGORIES_BY_TYPE = {
  hazard: CATEGORIES,
  dispute: ['neighbours', 'family', 'noise', 'property', 'other'],
  lead: ['suspicious_person', 'suspicious_vehicle', 'fraud', 'other'],
  emergency: ['fire', 'medical', 'flood', 'gas_leak', 'traffic', 'other'],
  request: ['repair', 'environment', 'elderly_help', 'micro_wish', 'other'],
  information: ['opinion', 'suggestion', 'complaint', 'other'],
} as const satisfies Record<MatterType, readonly string[]>

/** A category of any kind of matter. */
export type MatterCategory = (typeof CATEGORIES_BY_TYPE)[MatterType][number]

/** Every category of every kind, each once. */
export const ALL_CATEGORIES: readonly MatterCategory[] = [...new Set(Object.values(CATEGORIES_BY_TYPE).flat())] as MatterCategory[]

/** Whether `category` belongs to the kind `type`. */
export function isCategoryOf(type: MatterType, category: string): boolean {
  return (CATEGORIES_BY_TYPE[type] as readonly string[]).includes(category)
}

/** Severity is danger only (一般 / 较大 / 重大); it does not set the deadline. */
export const SEVERITIES = ['minor', 'major', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]

/** Handling level (办理层级): where a matter is handled, lowest first. */
export const LEVELS = ['micro_grid', 'grid', 'street'] as const
export type Level = (typeof LEVELS)[number]

/** Days to close at each level (7135: 1 day in the micro-grid, 3 in the grid, 5 at the street). */
export const LEVEL_DAYS: Record<Level, number> = { micro_grid: 1, grid: 3, street: 5 }

/** Whether `to` is above `from` (escalation goes up only). */
export function isAbove(to: Level, from: Level): boolean {
  return LEVELS.indexOf(to) > LEVELS.indexOf(from)
}

/** Where a matter came from (来源). */
export const SOURCES = ['patrol', 'resident', 'hotline_12345', 'command', 'partner', 'import'] as const
export type Source = (typeof SOURCES)[number]

/**
 * Every status of the closed loop. `pending_review` (待核实, issue 15) is a resident's report waiting for
 * the command centre to accept it (→ `reported`) or decline it with an answer (→ `rejected`).
 */
export const STATUSES = ['pending_review', 'reported', 'dispatched', 'rectifying', 'rectified', 'verified', 'reopened', 'rejected'] as const
export type Status = (typeof STATUSES)[number]

/** A resident's report not yet accepted (待核实): neither open nor closed, never overdue. */
export const REVIEW_STATUS = 'pending_review' satisfies Status

/** Statuses that end the loop. */
export const CLOSED_STATUSES: readonly Status[] = ['verified', 'rejected']

/** Statuses still open (counted for overdue): neither closed nor waiting for review. */
export const OPEN_STATUSES: readonly Status[] = STATUSES.filter((s) => !CLOSED_STATUSES.includes(s) && s !== REVIEW_STATUS)

/**
 * Statuses counted as 未闭环 (not closed, the dashboard's and the reports' "open" total): every status but the
 * closed ones, `pending_review` (待核实) included — a resident's report waiting for review is not answered yet.
 * It is not {@link OPEN_STATUSES}: a report waiting for review is never overdue and has no deadline running.
 */
export const NOT_CLOSED_STATUSES: readonly Status[] = STATUSES.filter((s) => !CLOSED_STATUSES.includes(s))

/** Statuses never counted as open or overdue: the closed ones and `pending_review`. */
export const NOT_OPEN_STATUSES: readonly Status[] = [...CLOSED_STATUSES, REVIEW_STATUS]

/** Kinds a resident may report on the public page (`POST /api/public/reports`). */
export const PUBLIC_REPORT_TYPES = ['hazard', 'request'] as const
export type PublicReportType = (typeof PUBLIC_REPORT_TYPES)[number]

/**
 * Days allowed to close, by severity: minor 1, major 3, critical 5 — the version-1 rule that issue #14
 * replaces with {@link LEVEL_DAYS}.
 */
export const SLA_DAYS: Record<Severity, number> = { minor: 1, major: 3, critical: 5 }

/** Target from report to someone on site, in minutes. */
export const RESPONSE_TARGET_MINUTES = 7

/** The due time of a hazard reported at `reportedAt` with this severity (version 1; see issue #14). */
export function dueAt(reportedAt: Date, severity: Severity): Date {
  return new Date(reportedAt.getTime() + SLA_DAYS[severity] * 86_400_000)
}

/** The due time of a matter reported at `reportedAt` and handled at `level` (version 2). */
export function dueAtLevel(reportedAt: Date, level: Level): Date {
  return new Date(reportedAt.getTime() + LEVEL_DAYS[level] * 86_400_000)
}
