/**
 * Duty store (执勤): while a patrol member is on duty, the phone's position fixes
 * (`navigator.geolocation.watchPosition`) become track points in the offline queue, which sends
 * them in batches to `POST /api/tracks/points` under this phone's device id.
 *
 * Starting and ending duty also go to the server through the outbox (`POST /api/duty`, exactly once,
 * offline too), so the hours count there. Duty survives a reload (kept in localStorage for the user): reopening the app resumes the
 * recording. The screen is kept awake while on duty where the Screen Wake Lock API exists — a web
 * page gets no positions while the phone sleeps.
 */
import { distance } from '@turf/turf'
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { useOfflineQueueStore } from './offline-queue.ts'
import { useSessionStore } from './session.ts'
import { PHONE_RECORDING } from '../../core/tracking.ts'

const DUTY_KEY = 'safegrid.duty'


/** The phone's latest position. */
export interface Fix {
  lon: number
  lat: number
  /** Metres, when known. */
  accuracy: number | null
  /** Epoch ms. */
  t: number
}

/** Why positions are not coming. */
export type GeoProblem = 'denied' | 'unavailable' | 'timeout' | 'unsupported'

interface StoredDuty {
  userId: string
  since: number
  recorded: number
}

function readDuty(): StoredDuty | null {
  try {
    const raw = localStorage.getItem(DUTY_KEY)
    return raw ? (JSON.parse(raw) as StoredDuty) : null
  } catch {
    return null
  }
}

function writeDuty(value: StoredDuty | null): void {
  try {
    if (value) localStorage.setItem(DUTY_KEY, JSON.stringify(value))
    else localStorage.removeItem(DUTY_KEY)
  } catch {
    // Not remembered: a reload ends the duty.
  }
}

/**
 * Whether a new fix is worth recording after `last` ({@link PHONE_RECORDING}): the first fix, one moved
 * `minMoveM` or `minIntervalMs` later; never a fix worse than `maxAccuracyM`.
 */
export function keepFix(fix: Fix, last: Fix | null): boolean {
  if (fix.accuracy !== null && fix.accuracy > PHONE_RECORDING.maxAccuracyM) return false
  if (!last) return true
  if (fix.t <= last.t) return false
  if (fix.t - last.t >= PHONE_RECORDING.minIntervalMs) return true
  return distance([last.lon, last.lat], [fix.lon, fix.lat], { units: 'meters' }) >= PHONE_RECORDING.minMoveM
}

/** The duty store (`useDutyStore()`). */
export const useDutyStore = defineStore('duty', () => {
  const session = useSessionStore()
  const outbox = useOfflineQueueStore()

  const onDuty = ref(false)
  /** Epoch ms when duty started. */
  const since = ref<number | null>(null)
  /** Points recorded in this duty. */
  const recorded = ref(0)
  const position = shallowRef<Fix | null>(null)
  const problem = ref<GeoProblem | null>(null)
  const locating = ref(false)
  /** The user whose duty it is. */
  const owner = ref<string | null>(null)
  let watchId: number | null = null
  let lastKept: Fix | null = null
  let wakeLock: WakeLockSentinel | null = null

  const userId = computed(() => (session.user ? String(session.user.id) : null))

  function toFix(pos: GeolocationPosition): Fix {
    const acc = pos.coords.accuracy
    return {
      lon: pos.coords.longitude,
      lat: pos.coords.latitude,
      accuracy: Number.isFinite(acc) && acc > 0 ? Math.round(acc * 10) / 10 : null,
      t: pos.timestamp || Date.now(),
    }
  }

  function geoProblem(err: GeolocationPositionError): GeoProblem {
    return err.code === err.PERMISSION_DENIED ? 'denied' : err.code === err.TIMEOUT ? 'timeout' : 'unavailable'
  }

  async function onFix(pos: GeolocationPosition): Promise<void> {
    const fix = toFix(pos)
    position.value = fix
    problem.value = null
    const me = owner.value
    if (!onDuty.value || !me || !keepFix(fix, lastKept)) return
    lastKept = fix
    recorded.value++
    if (since.value !== null) writeDuty({ userId: me, since: since.value, recorded: recorded.value })
    await outbox.enqueuePoint({
      lon: Math.round(fix.lon * 1e7) / 1e7,
      lat: Math.round(fix.lat * 1e7) / 1e7,
      t: new Date(fix.t).toISOString(),
      ...(fix.accuracy !== null ? { accuracy: fix.accuracy } : {}),
    }, me)
  }

  async function keepAwake(): Promise<void> {
    try {
      if (onDuty.value && !wakeLock && document.visibilityState === 'visible' && 'wakeLock' in navigator) {
        wakeLock = await navigator.wakeLock.request('screen')
        wakeLock.addEventListener('release', () => (wakeLock = null))
      }
    } catch {
      // Not allowed here (battery saver, no user gesture): the screen may sleep.
    }
  }

  function watch(): void {
    const geo = globalThis.navigator?.geolocation
    if (!geo) {
      problem.value = 'unsupported'
      return
    }
    if (watchId !== null) return
    watchId = geo.watchPosition(
      (pos) => void onFix(pos),
      (err) => (problem.value = geoProblem(err)),
      { enableHighAccuracy: true, maximumAge: 0, timeout: 30_000 },
    )
  }

  /** Starts duty: positions are recorded from now on. */
  function start(): void {
    const me = userId.value
    if (!me || onDuty.value) return
    onDuty.value = true
    owner.value = me
    since.value = Date.now()
    recorded.value = 0
    lastKept = null
    writeDuty({ userId: me, since: since.value, recorded: 0 })
    // The server learns of the duty through the outbox (exactly once, also when offline).
    void outbox.enqueueDuty('start', me, since.value)
    watch()
    void keepAwake()
  }

  /** Ends duty and sends what was recorded. */
  function stop(): void {
    if (!onDuty.value) return
    const me = owner.value
    onDuty.value = false
    if (me) void outbox.enqueueDuty('stop', me)
    owner.value = null
    since.value = null
    writeDuty(null)
    if (watchId !== null) globalThis.navigator?.geolocation?.clearWatch(watchId)
    watchId = null
    void wakeLock?.release().catch(() => undefined)
    wakeLock = null
    void outbox.flushPoints()
  }

  /**
   * Resumes a duty this user left running (reload, app reopened); ends one of another user
   * (their points stay queued under their name).
   */
  function resume(): void {
    const me = userId.value
    if (!me) return
    if (onDuty.value) {
      if (owner.value !== me) stop()
      return
    }
    const stored = readDuty()
    if (!stored) return
    if (stored.userId !== me) {
      writeDuty(null)
      return
    }
    onDuty.value = true
    owner.value = me
    since.value = stored.since
    recorded.value = stored.recorded
    watch()
    void keepAwake()
  }

  /** One position now (for "near me" when not on duty; a cached fix up to `maximumAge` ms old will do); resolves with it or null. */
  function locateOnce(maximumAge = 30_000): Promise<Fix | null> {
    const geo = globalThis.navigator?.geolocation
    if (!geo) {
      problem.value = 'unsupported'
      return Promise.resolve(null)
    }
    locating.value = true
    return new Promise((resolve) => {
      geo.getCurrentPosition(
        (pos) => {
          locating.value = false
          position.value = toFix(pos)
          problem.value = null
          resolve(position.value)
        },
        (err) => {
          locating.value = false
          problem.value = geoProblem(err)
          resolve(null)
        },
        { enableHighAccuracy: true, timeout: 15_000, maximumAge },
      )
    })
  }

  /**
   * The phone's position for a check-in (the server wants it: issue 18): the duty's last fix when
   * it is at most `maxAgeMs` old, else one fix now; null when there is none.
   */
  async function freshFix(maxAgeMs = 60_000): Promise<Fix | null> {
    const last = position.value
    if (onDuty.value && last && Date.now() - last.t <= maxAgeMs) return last
    return locateOnce(Math.min(maxAgeMs, 10_000))
  }

  if (typeof document !== 'undefined') {
    document.addEventListener('visibilitychange', () => void keepAwake())
  }

  return { onDuty, since, recorded, position, problem, locating, start, stop, resume, locateOnce, freshFix }
})
