/**
 * This phone's device id for track points and check-ins: made once, kept in localStorage, the
 * same across sign-ins and reloads. The server registers an unknown device on its first track
 * upload (server/queries/tracks.ts `resolveDevice`: in the community of the user's person, held
 * by that person); a check-in may name only a registered device, so {@link deviceRegistered}
 * remembers whether an upload of this device has been accepted yet.
 */
import { newClientId } from './ids.ts'

const DEVICE_KEY = 'safegrid.deviceId'
const REGISTERED_KEY = 'safegrid.deviceRegistered'

let memoryId: string | null = null

/** This phone's device id, e.g. `web-3f9c2a1b7d04`. */
export function deviceId(): string {
  try {
    const stored = localStorage.getItem(DEVICE_KEY)
    if (stored) return stored
    const id = `web-${newClientId().replace(/-/g, '').slice(0, 12)}`
    localStorage.setItem(DEVICE_KEY, id)
    return id
  } catch {
    memoryId ??= `web-${newClientId().replace(/-/g, '').slice(0, 12)}`
    return memoryId
  }
}

/** Whether the server has accepted a track upload of this device (so it is registered). */
export function deviceRegistered(): boolean {
  try {
    return localStorage.getItem(REGISTERED_KEY) === deviceId()
  } catch {
    return false
  }
}

/** Notes that the server knows this device. */
export function setDeviceRegistered(): void {
  try {
    localStorage.setItem(REGISTERED_KEY, deviceId())
  } catch {
    // Not remembered: check-ins go without the device id, which the server accepts.
  }
}
