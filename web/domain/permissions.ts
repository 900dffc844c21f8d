/**
 * What each role may do, for showing only the buttons a user can use. The rules are the
 * server's own (core/roles.ts and core/matter-machine.ts, pure modules shared
 * with the web app), so the two never drift; the server still enforces them on every request.
 */
import { TRANSITIONS } from '../../core/matter-machine.ts'
import { PERMISSIONS, type Permission } from '../../core/roles.ts'
import type { HazardStatus, Role } from '../api/types.ts'

export type { Permission } from '../../core/roles.ts'

/** Whether `role` holds `permission` (false when signed out). */
export function can(role: Role | null | undefined, permission: Permission): boolean {
  if (!role) return false
  return (PERMISSIONS[permission] as readonly string[]).includes(role)
}

/** Whether a move hands the matter to another person: `dispatched` → `dispatched`, `rectifying` → `dispatched`. */
function isReassignment(t: { from: HazardStatus; to: HazardStatus }): boolean {
  return t.to === 'dispatched' && (t.from === 'dispatched' || t.from === 'rectifying')
}

/** The moves from `status` that `role` may make, without the reassignment (see {@link canReassign}). */
export function allowedTransitions(role: Role | null | undefined, status: HazardStatus): HazardStatus[] {
  return TRANSITIONS.filter((t) => t.from === status && !isReassignment(t) && can(role, t.permission)).map((t) => t.to)
}

/** Whether `role` may hand a hazard in `status` to another person (`dispatched` or 整改中 `rectifying` → `dispatched`). */
export function canReassign(role: Role | null | undefined, status: HazardStatus): boolean {
  return TRANSITIONS.some((t) => t.from === status && isReassignment(t) && can(role, t.permission))
}

/** Whether `role` may chase (催办) the assignee of a matter in `status` (dispatched or rectifying, with an assignee). */
export function canRemind(role: Role | null | undefined, status: HazardStatus, hasAssignee: boolean): boolean {
  return hasAssignee && (status === 'dispatched' || status === 'rectifying') && can(role, 'dispatch')
}

/** Whether a move to `to` names an assignee (dispatch and re-dispatch). */
export function needsAssignee(to: HazardStatus): boolean {
  return to === 'dispatched'
}
