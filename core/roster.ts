/**
 * The shapes of the roster, accounts and devices as the API answers them (`/api/people`, `/api/teams`,
 * `/api/users`, `/api/devices`, `POST /api/people/import`): shared by the server's queries and the web client.
 * Types only: no I/O.
 */
import type { AnyTeamKind } from './org.ts'
import type { Role } from './roles.ts'

/** A person (网格员, 队员) as listed; the phone is masked per viewer. */
export interface RosterPerson {
  id: number
  communityId: number
  /** The first of `teamIds` (kept for older clients). */
  teamId: number | null
  teamName: string | null
  teamLeaderId: number | null
  /** Every team the person is in (一队多能), first = `teamId`. */
  teamIds: number[]
  teamNames: string[]
  /** Teams where the person is a deputy leader. */
  deputyOf: number[]
  name: string
  phone: string | null
  title: string | null
  posts: string[]
  active: boolean
  joinedOn: string | null
  leftOn: string | null
  /** The account linked to the person, if any. */
  userId: number | null
}

/** A team (队伍) as listed. */
export interface RosterTeam {
  id: number
  communityId: number
  name: string
  kind: AnyTeamKind
  /** The kind's own name for a `custom` team. */
  kindLabel: string | null
  leaderId: number | null
  leaderName: string | null
  deputyIds: number[]
  memberCount: number
  activeCount: number
  active: boolean
}

/** An account as `GET /api/users` lists it (never the password hash). */
export interface RosterAccount {
  id: number
  username: string
  name: string
  role: Role
  personId: number | null
  personName: string | null
  districtId: number | null
  communityIds: number[]
  /** A partner account's unit (共建单位) and its name; null for every other role. */
  unitId: number | null
  unitName: string | null
  active: boolean
  mustChangePassword: boolean
  createdAt: string
  lastSignInAt: string | null
}

/** A device (phone, GPS tracker) with its holder and the time of its newest position. */
export interface RosterDevice {
  id: string
  communityId: number
  personId: number | null
  personName: string | null
  name: string | null
  createdAt: string
  addedBy: number | null
  /** Time of the device's newest track point, null when it never sent one. */
  lastPositionAt: string | null
}

/** The answer of `POST /api/people/import` (a preview with `dryRun`). */
export interface RosterImportResult {
  dryRun: boolean
  communityId: number
  imported: number
  updated: number
  unchanged: number
  rejected: { row: number; reason: string }[]
  rows: { row: number; action: 'create' | 'update' | 'unchanged'; name: string; personId: number | null }[]
}
