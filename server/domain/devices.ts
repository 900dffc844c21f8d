/**
 * Who may write into a device (phone, GPS tracker), in one place for every writer (track uploads,
 * OwnTracks, check-ins, and device registration): a device is bound to its person.
 *
 * - A device held by a person takes writes from that person's account only — and from a leader or
 *   admin of its community (a leader uploads a tracker's GPX for a member). Anyone else: 403.
 * - A device held by nobody takes writes from the account that registered it, and leaders/admins.
 * - An account registers at most {@link MAX_REGISTRATIONS_PER_DAY} new devices a day, and one
 *   request names at most {@link MAX_DEVICES_PER_REQUEST} devices (an OwnTracks batch once
 *   registered 3,000 and flooded every stream).
 * - OwnTracks ids (`tid`, `X-Limit-U/D`) are chosen by the app's user, two letters at times: they
 *   are scoped to the community and the account ({@link ownTracksDeviceKey}), so nobody can squat
 *   another's `tid`.
 *
 * Pure functions: no database, no HTTP.
 */
import type { Role } from '../../core/roles.ts'

/** Roles that may write into any device of their communities (leaders excepted from the binding). */
export const DEVICE_OVERSEER_ROLES: readonly Role[] = ['admin', 'leader']

/** Most devices one request may write into (OwnTracks batches carry several `tid`s). */
export const MAX_DEVICES_PER_REQUEST = 3

/** Most devices one account may register in 24 hours (a reinstalled phone app makes a new one). */
export const MAX_REGISTRATIONS_PER_DAY = 20

/** Leaders and admins register devices for others: their allowance. */
export const MAX_REGISTRATIONS_PER_DAY_OVERSEER = 200

/** The writer, as the binding sees them. */
export interface DeviceWriter {
  id: number
  role: Role
  personId: number | null
}

/** The device, as the binding sees it. */
export interface BoundDevice {
  personId: number | null
  registeredBy: number | null
}

/** Whether `writer` may write track points or check-ins into `device` (community scope checked apart). */
export function mayWriteDevice(writer: DeviceWriter, device: BoundDevice): boolean {
  if (DEVICE_OVERSEER_ROLES.includes(writer.role)) return true
  if (device.personId !== null) return writer.personId !== null && writer.personId === device.personId
  return device.registeredBy !== null && device.registeredBy === writer.id
}

/** Why {@link mayWriteDevice} said no, for the 403. */
export function deviceRefusal(deviceId: string, device: BoundDevice): string {
  return device.personId !== null
    ? `The device ${deviceId} belongs to another person: only they (or a leader) may record with it.`
    : `The device ${deviceId} was registered by another account: only it (or a leader) may record with it.`
}

/** How many devices `role` may register in 24 hours. */
export function registrationAllowance(role: Role): number {
  return DEVICE_OVERSEER_ROLES.includes(role) ? MAX_REGISTRATIONS_PER_DAY_OVERSEER : MAX_REGISTRATIONS_PER_DAY
}

/** Longest OwnTracks id kept (the rest of the 100-character device id holds the scope). */
export const OWNTRACKS_ID_MAX = 60

/**
 * The device id an OwnTracks id becomes: `ot:<communityId>:<userId>:<id>`, so the same `tid` of
 * two people (of one community or of two) are two devices.
 */
export function ownTracksDeviceKey(communityId: number, userId: number, id: string): string {
  return `ot:${communityId}:${userId}:${id.slice(0, OWNTRACKS_ID_MAX)}`
}
