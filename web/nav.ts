/**
 * The desktop views and who may open them: one registry for the navigation bar (components/layout/AppNav.vue),
 * the route guards (auth.ts) and where each role lands after signing in. The permissions are the server's own
 * (core/roles.ts), so a link is shown exactly when the server would answer the view's data.
 */
import type { Role } from './api/types.ts'
import { can, type Permission } from './domain/permissions.ts'

/** One view in the navigation. */
export interface NavEntry {
  /** Route name (web/router.ts). */
  name: string
  path: string
  /** The permission the view needs; null: any signed-in user. */
  permission: Permission | null
  label: { zh: string; en: string }
}

/** Every desktop view, in the order of the navigation bar. */
export const NAV_ENTRIES: readonly NavEntry[] = [
  { name: 'command', path: '/', permission: 'commandCentre', label: { zh: '指挥中心', en: 'Command centre' } },
  { name: 'planner', path: '/planner', permission: 'editZones', label: { zh: '网格规划', en: 'Zone planner' } },
  { name: 'leader', path: '/leader', permission: 'readTracks', label: { zh: '巡逻覆盖', en: 'Patrol coverage' } },
  { name: 'report', path: '/report', permission: 'report', label: { zh: '巡查上报', en: 'Report a hazard' } },
  { name: 'reports', path: '/reports', permission: null, label: { zh: '报表', en: 'Reports' } },
  { name: 'hotline', path: '/hotline', permission: 'importHotline', label: { zh: '12345 工单', en: '12345 tickets' } },
  { name: 'admin', path: '/admin', permission: 'manageRoster', label: { zh: '管理', en: 'Admin' } },
]

/** The views `role` may open, in navigation order (none when signed out). */
export function navFor(role: Role | null | undefined): NavEntry[] {
  if (!role) return []
  // A partner unit's account has its workbench only (issue #14).
  if (role === 'partner') return [{ name: 'partner', path: '/partner', permission: null, label: { zh: '共建单位工作台', en: 'Partner workbench' } }]
  return NAV_ENTRIES.filter((e) => e.permission === null || can(role, e.permission))
}

/** Where each role works: the page it lands on after signing in. */
const HOME: Record<Role, string> = { admin: '/', command: '/', planner: '/planner', leader: '/leader', patrol: '/patrol', partner: '/partner' }

/** The page a role lands on after signing in (the sign-in page when signed out). */
export function homePathFor(role: Role | null | undefined): string {
  return role ? HOME[role] : '/login'
}
