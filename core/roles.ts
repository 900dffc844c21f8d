/**
 * The roles of the contract, from most to least powerful. `partner` is an account of a partner unit
 * (共建单位, issue #14): it sees only the matters handed to its unit, never people.
 */
export const ROLES = ['admin', 'planner', 'command', 'leader', 'patrol', 'partner'] as const
export type Role = (typeof ROLES)[number]

/** Who may do what. Reads need any role; writes as listed. */
export const PERMISSIONS = {
  /** Create communities, import layers, list the audit log, manage users. */
  manageCommunities: ['admin'],
  /** Draw, change and delete zones; import zones. */
  editZones: ['admin', 'planner'],
  /** Report a hazard, send tracks, check in. */
  report: ['admin', 'planner', 'command', 'leader', 'patrol'],
  /** Accept (start rectifying), mark rectified, add photos and comments: patrol and up, and a partner unit on its own matters. */
  rectify: ['admin', 'planner', 'command', 'leader', 'patrol', 'partner'],
  /** Manage partner units (共建单位). */
  manageUnits: ['admin'],
  /** Accept or decline residents' reports waiting for review (待核实, issue 15). */
  review: ['admin', 'command'],
  /** Import the tickets of the 12345 hotline from the platform's Excel export (issue 15). */
  importHotline: ['admin', 'command'],
  /** See a resident's contact phone unmasked. */
  seeResidentContact: ['admin', 'command'],
  /** Dispatch, reassign, verify, reject hazards. */
  dispatch: ['admin', 'command', 'leader'],
  /** Read the audit log. */
  readAudit: ['admin'],
  /** Create, edit and deactivate accounts; reset passwords. */
  manageUsers: ['admin'],
  /** Add, edit and deactivate people and teams; a leader only within their own team(s). */
  manageRoster: ['admin', 'leader'],
  /** Register a device for a person; a leader only for their own team's members. */
  registerDevice: ['admin', 'leader'],
  /** Name a building's head (楼栋长/党员中心户). */
  editBuildings: ['admin', 'planner'],
  /** Configure the alert channels (group robots, webhooks), send tests, read their delivery log. */
  manageAlerts: ['admin'],
  /** See key places' QR codes and print the QR sheet (a code is what a check-in proves you scanned). */
  printCodes: ['admin', 'command', 'leader'],
  /** Plan the next round (suggested walking route) for any zone and send it to a member's phone (a leader: to their own team). */
  planRoutes: ['admin', 'command', 'leader'],
  /**
   * See patrol tracks, people's live positions and the leader view: everyone's for admin and command,
   * a leader only their own team's members' (server/queries/tracks.ts trackScope).
   */
  readTracks: ['admin', 'command', 'leader'],
  /** Work in the command centre's map (patrol members use the phone view instead). */
  commandCentre: ['admin', 'planner', 'command', 'leader'],
  /** Create and change patrol plans (巡查计划). */
  planPatrols: ['admin', 'command', 'leader'],
  /** Keep the register of households under care (关爱对象), pair members with them, print their door codes. */
  manageCare: ['admin', 'leader'],
  /** Set a community's points rules (积分规则). */
  managePoints: ['admin'],
  /** Enter what a person exchanged points for (积分兑换). */
  redeemPoints: ['admin', 'leader'],
} as const satisfies Record<string, readonly Role[]>

export type Permission = keyof typeof PERMISSIONS

/** Roles that never see people (roster, teams, tracks, positions, coverage): a partner unit's accounts. */
export const PEOPLE_BLIND_ROLES: readonly Role[] = ['partner']

/** Whether a role holds a permission. */
export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role)
}

/** Mask a phone number for display: 13812341234 → 138****1234. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return phone
  const digits = phone.replace(/\s+/g, '')
  if (digits.length < 7) return '*'.repeat(digits.length)
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`
}

/** Shortest password an account may have. */
export const PASSWORD_MIN_LENGTH = 8
/** Longest password accepted. */
export const PASSWORD_MAX_LENGTH = 200
/** A username: 1–50 letters, digits, `.`, `_`, `-`, `@` (Chinese names included); compared case-insensitively. */
export const USERNAME_PATTERN = /^[\p{L}\p{N}._@-]{1,50}$/u

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, username?: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`
  if (password.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`
  if (username && password.toLowerCase() === username.toLowerCase()) return 'must not be the username'
  if (/^(.)\1*$/.test(password)) return 'must not repeat one character'
  return null
}

/** Why a username is refused, or null. */
export function usernameProblem(username: string): string | null {
  if (username.trim() === '') return 'must not be empty'
  if (!USERNAME_PATTERN.test(username)) return 'use 1–50 letters, digits, . _ - or @'
  return null
}
