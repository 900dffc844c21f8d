/**
 * The hazard closed loop (发现—反馈—整改—回访) as one status machine, and the SLA arithmetic.
 *
 * Everything here is pure: no database, no clock (the caller passes `now`). All times are absolute
 * instants (`Date`, stored as timestamptz), so a day is 24 hours of real time wherever the clock
 * strikes midnight; Asia/Shanghai has no daylight saving, so "the same time tomorrow" there is
 * always exactly 86,400 s later.
 */
import { CLOSED_STATUSES, isAbove, LEVELS, OPEN_STATUSES, RESPONSE_TARGET_MINUTES, type Level, type Status } from './matters.ts'
import { PERMISSIONS, type Permission, type Role } from './roles.ts'

export { dueAt, dueAtLevel, LEVEL_DAYS, RESPONSE_TARGET_MINUTES, SLA_DAYS } from './matters.ts'

/** One allowed move of the machine and the permission it needs. */
export interface Transition {
  from: Status
  to: Status
  /** The permission (server/domain/roles.ts) whose roles may make the move. */
  permission: Permission
  /** What the move means, for error messages and the UI. */
  label: string
}

const OPEN: readonly Status[] = OPEN_STATUSES

/**
 * Every allowed transition:
 * - `reported` → `dispatched` (派单), and `reopened` → `dispatched` (re-dispatch after a failed recheck);
 * - `dispatched` → `dispatched` only as a reassignment to another person, and `rectifying` → `dispatched` likewise
 *   (an overdue matter in 整改中 handed to someone else, who has not started yet);
 * - `dispatched` → `rectifying` (someone is on site) → `rectified` (整改完成): patrol and up;
 * - `rectified` → `verified` (回访, closes the loop) or `reopened` (rebound at recheck);
 * - any open state → `rejected` (not a hazard);
 * - `pending_review` (a resident's report, 待核实) → `reported` (accepted) or `rejected` (declined with an answer):
 *   the `review` permission (admin, command), and only through the review (`POST /api/hazards/:id/review`).
 *
 * Dispatch, reassign, verify, reopen and reject need the `dispatch` permission (admin, command, leader);
 * rectifying and rectified need `rectify` (patrol and up, and a partner unit on the matters handed to it).
 */
export const TRANSITIONS: readonly Transition[] = [
  { from: 'pending_review', to: 'reported', permission: 'review', label: 'accept (a resident’s report)' },
  { from: 'pending_review', to: 'rejected', permission: 'review', label: 'decline (a resident’s report)' },
  { from: 'reported', to: 'dispatched', permission: 'dispatch', label: 'dispatch' },
  { from: 'reopened', to: 'dispatched', permission: 'dispatch', label: 'dispatch again' },
  { from: 'dispatched', to: 'dispatched', permission: 'dispatch', label: 'reassign' },
  { from: 'rectifying', to: 'dispatched', permission: 'dispatch', label: 'reassign' },
  { from: 'dispatched', to: 'rectifying', permission: 'rectify', label: 'start rectifying' },
  { from: 'rectifying', to: 'rectified', permission: 'rectify', label: 'mark rectified' },
  { from: 'rectified', to: 'verified', permission: 'dispatch', label: 'verify (recheck)' },
  { from: 'rectified', to: 'reopened', permission: 'dispatch', label: 'reopen at recheck' },
  ...OPEN.map((from): Transition => ({ from, to: 'rejected', permission: 'dispatch', label: 'reject' })),
]

/**
 * The one move out of a closed state (issue 15): a matter closed because it was fixed on the spot (现场处置)
 * may be reopened by a leader, the command centre or an admin when a spot check finds otherwise. It is not in
 * {@link TRANSITIONS} (a verified matter is closed for everyone else); {@link checkTransition} allows it only
 * with `fixedOnSpot`, and the server asks for a reason.
 */
export const SPOT_CHECK_REOPEN: Transition = { from: 'verified', to: 'reopened', permission: 'dispatch', label: 'reopen after a spot check' }

/** The transition from `from` to `to`, or undefined when the machine has no such move. */
export function findTransition(from: Status, to: Status): Transition | undefined {
  return TRANSITIONS.find((t) => t.from === from && t.to === to)
}

/** The statuses reachable from `from` in one move (whatever the role). */
export function nextStatuses(from: Status): Status[] {
  return TRANSITIONS.filter((t) => t.from === from).map((t) => t.to)
}

/** The roles that may move a hazard from `from` to `to` (empty when the move does not exist). */
export function rolesFor(from: Status, to: Status): readonly Role[] {
  const t = findTransition(from, to)
  return t ? PERMISSIONS[t.permission] : []
}

/** Whether a status ends the loop. */
export function isClosed(status: Status): boolean {
  return CLOSED_STATUSES.includes(status)
}

/** What {@link checkTransition} needs to know about the hazard and the actor. */
export interface TransitionRequest {
  /** The hazard's current status. */
  from: Status
  /** The status asked for. */
  to: Status
  /** The actor's role. */
  role: Role
  /** The actor's user id. */
  userId: number
  /** Who moved the hazard into `rectified` (null when unknown). */
  rectifiedBy?: number | null
  /** Whether the request names a different assignee than the current one (needed for `dispatched` → `dispatched`). */
  reassign?: boolean
  /** Whether the move is a review of a resident's report (the only way out of `pending_review`). */
  review?: boolean
  /** Whether the matter was closed as fixed on the spot (allows {@link SPOT_CHECK_REOPEN}). */
  fixedOnSpot?: boolean
}

/** The machine's answer: allowed, or refused with the HTTP status and a reason a person can act on. */
export type TransitionVerdict = { ok: true; transition: Transition } | { ok: false; status: 403 | 409; reason: string }

/**
 * Decide whether a transition may happen.
 *
 * - 409 when the machine has no such move from the current status (including a "reassign" that names no new assignee);
 * - 403 when the move exists but the actor's role may not make it;
 * - 403 when the actor would verify (回访) a hazard they rectified themselves: the recheck must be by someone else.
 *
 * `verified` → `reopened` ({@link SPOT_CHECK_REOPEN}) exists only for a matter fixed on the spot (`fixedOnSpot`).
 */
export function checkTransition(req: TransitionRequest): TransitionVerdict {
  const spotCheck = req.fixedOnSpot === true && req.from === SPOT_CHECK_REOPEN.from && req.to === SPOT_CHECK_REOPEN.to
  const t = spotCheck ? SPOT_CHECK_REOPEN : findTransition(req.from, req.to)
  if (!t) {
    const next = nextStatuses(req.from)
    const allowed = next.length ? `from '${req.from}' it may go to ${next.map((s) => `'${s}'`).join(', ')}` : `'${req.from}' is closed`
    return { ok: false, status: 409, reason: `A hazard cannot move from '${req.from}' to '${req.to}': ${allowed}.` }
  }
  if (t.from === 'pending_review' && !req.review) {
    return { ok: false, status: 409, reason: "A resident's report waiting for review (待核实) is accepted or declined through its review (POST /api/hazards/:id/review)." }
  }
  if (t.from === 'dispatched' && t.to === 'dispatched' && !req.reassign) {
    return { ok: false, status: 409, reason: "The hazard is already dispatched; name a different assigneeId to reassign it." }
  }
  if (t.from === 'rectifying' && t.to === 'dispatched' && !req.reassign) {
    return { ok: false, status: 409, reason: 'A matter being rectified is only handed back to dispatch with a different assigneeId (a reassignment).' }
  }
  if (!(PERMISSIONS[t.permission] as readonly Role[]).includes(req.role)) {
    const roles = PERMISSIONS[t.permission].join(', ')
    return { ok: false, status: 403, reason: `The role '${req.role}' may not ${t.label} a hazard (allowed: ${roles}).` }
  }
  if (t.to === 'verified' && req.rectifiedBy !== undefined && req.rectifiedBy !== null && req.rectifiedBy === req.userId) {
    return { ok: false, status: 403, reason: 'The recheck (回访) must be made by someone other than the person who rectified the hazard.' }
  }
  return { ok: true, transition: t }
}

/** The fraction of the time to close that may pass before a hazard is flagged `warning`. */
export const SLA_WARNING_FRACTION = 0.8

/** Where a hazard stands against its time to close. */
export type SlaState = 'ok' | 'warning' | 'overdue'

/** The times the SLA helpers look at. */
export interface SlaTimes {
  reportedAt: Date
  dueAt: Date
  /** When the hazard was verified or rejected; the clock stops there. */
  closedAt?: Date | null
}

/**
 * The share of the time to close used by `now` (or by the close, when closed): 0 at the report,
 * 1 at `dueAt`, above 1 when late. Never negative (a report stamped slightly in the future counts as 0).
 */
export function slaUsed(h: SlaTimes, now: Date): number {
  const end = h.closedAt ?? now
  const total = h.dueAt.getTime() - h.reportedAt.getTime()
  if (total <= 0) return end.getTime() >= h.dueAt.getTime() ? 1 : 0
  return Math.max(0, (end.getTime() - h.reportedAt.getTime()) / total)
}

/**
 * `overdue` once the clock (now, or the close) is past `dueAt`; `warning` once at least
 * {@link SLA_WARNING_FRACTION} of the time is used; `ok` otherwise. The same rule as the
 * `overdue` / `warning` feature properties computed in SQL (server/queries/hazards.ts).
 */
export function slaState(h: SlaTimes, now: Date): SlaState {
  const end = h.closedAt ?? now
  if (end.getTime() > h.dueAt.getTime()) return 'overdue'
  return slaUsed(h, now) >= SLA_WARNING_FRACTION ? 'warning' : 'ok'
}

/** Minutes from the report to the first move into `rectifying` (someone on site); null when nobody responded yet. */
export function responseMinutes(reportedAt: Date, respondedAt: Date | null | undefined): number | null {
  if (!respondedAt) return null
  return (respondedAt.getTime() - reportedAt.getTime()) / 60_000
}

/** Whether the response met the target ({@link RESPONSE_TARGET_MINUTES} minutes); null when nobody responded yet. */
export function respondedInTime(reportedAt: Date, respondedAt: Date | null | undefined): boolean | null {
  const minutes = responseMinutes(reportedAt, respondedAt)
  return minutes === null ? null : minutes <= RESPONSE_TARGET_MINUTES
}

/** Hours from the report to the close; null while open. */
export function hoursToClose(reportedAt: Date, closedAt: Date | null | undefined): number | null {
  return closedAt ? (closedAt.getTime() - reportedAt.getTime()) / 3_600_000 : null
}

/** The most levels one escalation may climb. */
export const MAX_ESCALATION_STEPS = 2

/** What {@link checkEscalation} needs to know about the matter and the actor. */
export interface EscalationRequest {
  status: Status
  from: Level
  to: Level
  role: Role
  /** The actor's person (null when the account has none). */
  personId: number | null
  /** The matter's assignee (a person). */
  assigneeId: number | null
}

/**
 * Decide whether a matter may be escalated (升级, contract v2): by the assignee's own account or a role
 * holding `dispatch` (admin, command, leader) — else 403; only while open, only up, one or two levels — else 409.
 */
export function checkEscalation(req: EscalationRequest): { ok: true } | { ok: false; status: 403 | 409; reason: string } {
  const mayDispatch = (PERMISSIONS.dispatch as readonly Role[]).includes(req.role)
  const isAssignee = req.personId !== null && req.personId === req.assigneeId
  if (!mayDispatch && !isAssignee) {
    return { ok: false, status: 403, reason: `Only the matter's assignee, a leader, the command centre or an admin may escalate it (you are '${req.role}').` }
  }
  if (isClosed(req.status)) return { ok: false, status: 409, reason: `The matter is closed ('${req.status}'); a closed matter is not escalated.` }
  if (!isAbove(req.to, req.from)) {
    return { ok: false, status: 409, reason: `Escalation goes up only: the matter is at '${req.from}', and '${req.to}' is not above it.` }
  }
  if (LEVELS.indexOf(req.to) - LEVELS.indexOf(req.from) > MAX_ESCALATION_STEPS) {
    return { ok: false, status: 409, reason: `An escalation climbs at most ${MAX_ESCALATION_STEPS} levels.` }
  }
  return { ok: true }
}
