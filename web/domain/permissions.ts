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

/** The moves from `status` that `role` may make, without the reassignment (see {@link canReassign}). */
export function allowedTransitions(role: Role | null | undefined, status: HazardStatus): HazardStatus[] {
  return TRANSITIONS.filter((t) => t.from === status && t.to !== t.from && can(role, t.permission)).map((t) => t.to)
}

/** Whether `role` may hand a hazard in `status` to another person (`dispatched` → `dispatched`). */
export function canReassign(role: Role | null | undefined, status: HazardStatus): boolean {
  return TRANSITIONS.some((t) => t.from === status && t.to === status && can(role, t.permission))
}

/** Whether a move to `to` names an assignee (dispatch and re-dispatch). */
export function needsAssignee(to: HazardStatus): boolean {
  return to === 'dispatched'
}

/** The page a role lands on after signing in: patrol members get the phone view, partner units their workbench. */
export function homePathFor(role: Role | null | undefined): string {
  return role === 'patrol' ? '/patrol' : role === 'partner' ? '/partner' : '/'
}
