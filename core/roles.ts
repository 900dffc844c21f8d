/** The roles of the contract, from most to least powerful. */
export const ROLES = ['admin', 'planner', 'command', 'leader', 'patrol'] as const
export type Role = (typeof ROLES)[number]

/** Who may do what. Reads need any role; writes as listed. */
export const PERMISSIONS = {
  /** Create communities, import layers, list the audit log, manage users. */
  manageCommunities: ['admin'],
  /** Draw, change and delete zones; import zones. */
  editZones: ['admin', 'planner'],
  /** Report a hazard, send tracks, check in. */
  report: ['admin', 'planner', 'command', 'leader', 'patrol'],
  /** Dispatch, reassign, verify, reject hazards. */
  dispatch: ['admin', 'command', 'leader'],
  /** Read the audit log. */
  readAudit: ['admin'],
  /** Configure the alert channels (group robots, webhooks), send tests, read their delivery log. */
  manageAlerts: ['admin'],
  /** See key places' QR codes and print the QR sheet (a code is what a check-in proves you scanned). */
  printCodes: ['admin', 'command', 'leader'],
} as const satisfies Record<string, readonly Role[]>

export type Permission = keyof typeof PERMISSIONS

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
