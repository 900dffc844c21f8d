/**
 * Wall store (大屏, issue 19): the alerts of the command centre — a sound and a flash when a critical
 * matter arrives or an open matter becomes overdue — and the sound switch.
 *
 * The hazards store is watched (the live stream and the clock both move it): the first load is the
 * baseline, so nothing already on screen alerts. The sound is made with WebAudio (nothing fetched);
 * browsers allow it only after a user gesture, so {@link enableSound} is called on the first click or
 * key press, and until then the wall shows a hint.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { isOpenStatus, type FeatureId, type HazardFeature } from '../api/types.ts'
import { useHazardsStore } from './hazards.ts'

/** How long a flash stays on screen. */
export const FLASH_MS = 12_000
const MUTE_KEY = 'safegrid.wall.muted'

/** Why an alert was raised. */
export type AlertKind = 'critical' | 'overdue'

/** One alert: a matter that arrived critical or became overdue. */
export interface WallAlert {
  key: number
  kind: AlertKind
  hazardId: FeatureId
  feature: HazardFeature
  at: number
}

interface Seen {
  critical: boolean
  overdue: boolean
}

/** The alerts to raise going from `before` (null: no baseline yet) to `features`. */
export function newAlerts(before: ReadonlyMap<string, Seen> | null, features: readonly HazardFeature[]): { kind: AlertKind; feature: HazardFeature }[] {
  if (before === null) return []
  const out: { kind: AlertKind; feature: HazardFeature }[] = []
  for (const feature of features) {
    const p = feature.properties
    if (!isOpenStatus(p.status)) continue
    const prev = before.get(String(feature.id))
    if (p.overdue && !prev?.overdue) out.push({ kind: 'overdue', feature })
    else if (p.severity === 'critical' && !prev?.critical) out.push({ kind: 'critical', feature })
  }
  return out
}

function snapshot(features: readonly HazardFeature[]): Map<string, Seen> {
  return new Map(
    features.map((f) => [
      String(f.id),
      {
        critical: isOpenStatus(f.properties.status) && f.properties.severity === 'critical',
        overdue: isOpenStatus(f.properties.status) && f.properties.overdue,
      },
    ]),
  )
}

function readMuted(): boolean {
  try {
    return globalThis.localStorage?.getItem(MUTE_KEY) === '1'
  } catch {
    return false
  }
}

/** The wall store (`useWallStore()`). */
export const useWallStore = defineStore('wall', () => {
  const hazards = useHazardsStore()
  /** Alerts raised since the page opened, newest first (at most 20). */
  const alerts = shallowRef<WallAlert[]>([])
  /** The alert flashing now, if any. */
  const flashing = ref<WallAlert | null>(null)
  /** The browser let us play sound (after a user gesture). */
  const soundReady = ref(false)
  const muted = ref(readMuted())
  /** Sounds played (for the test hooks and the status line). */
  const played = ref(0)

  let audio: AudioContext | null = null
  let flashTimer: ReturnType<typeof setTimeout> | null = null
  let seen: Map<string, Seen> | null = null
  let nextKey = 1
  let stopWatch: (() => void) | null = null

  const soundOn = computed(() => soundReady.value && !muted.value)

  /** Creates or resumes the audio context; call from a user gesture. */
  function enableSound(): void {
    const Ctor = globalThis.AudioContext ?? (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
    if (!Ctor) return
    try {
      audio ??= new Ctor()
      void audio.resume().then(() => {
        soundReady.value = audio?.state === 'running'
      })
      soundReady.value = audio.state === 'running'
    } catch {
      soundReady.value = false
    }
  }

  function setMuted(value: boolean): void {
    muted.value = value
    try {
      globalThis.localStorage?.setItem(MUTE_KEY, value ? '1' : '0')
    } catch {
      // Storage unavailable: the choice lasts for this page only.
    }
  }

  /** Two short tones (three, higher, for a critical matter), made with WebAudio. */
  function beep(kind: AlertKind): void {
    if (!audio || !soundOn.value) return
    const tones = kind === 'critical' ? [880, 660, 880] : [660, 520]
    const start = audio.currentTime + 0.02
    tones.forEach((frequency, i) => {
      const osc = audio!.createOscillator()
      const gain = audio!.createGain()
      osc.type = 'sine'
      osc.frequency.value = frequency
      const t0 = start + i * 0.22
      gain.gain.setValueAtTime(0.0001, t0)
      gain.gain.exponentialRampToValueAtTime(0.35, t0 + 0.02)
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.18)
      osc.connect(gain).connect(audio!.destination)
      osc.start(t0)
      osc.stop(t0 + 0.2)
    })
    played.value++
  }

  function raise(kind: AlertKind, feature: HazardFeature): void {
    const alert: WallAlert = { key: nextKey++, kind, hazardId: feature.id, feature, at: Date.now() }
    alerts.value = [alert, ...alerts.value].slice(0, 20)
    flashing.value = alert
    if (flashTimer !== null) clearTimeout(flashTimer)
    flashTimer = setTimeout(() => {
      flashing.value = null
      flashTimer = null
    }, FLASH_MS)
    beep(kind)
  }

  /** Clears the flash now (clicked away). */
  function dismiss(): void {
    flashing.value = null
    if (flashTimer !== null) clearTimeout(flashTimer)
    flashTimer = null
  }

  /** Starts watching the hazards for alerts (the command centre calls it on mount). */
  function start(): void {
    if (stopWatch) return
    seen = hazards.loaded ? snapshot(hazards.features) : null
    stopWatch = watch(
      () => [hazards.features, hazards.loaded, hazards.loadedCommunityId] as const,
      ([features, loaded, community], previous) => {
        // Another community chosen (the street overview): its matters are a new baseline, not new arrivals.
        if (!loaded || (previous && String(previous[2]) !== String(community))) {
          seen = loaded ? snapshot(features) : null
          return
        }
        const found = newAlerts(seen, features)
        seen = snapshot(features)
        // Several at once (a reconnect's catch-up): flash the most urgent, sound once.
        const first = found.find((a) => a.kind === 'critical') ?? found[0]
        if (first) raise(first.kind, first.feature)
      },
    )
  }

  function stop(): void {
    stopWatch?.()
    stopWatch = null
    seen = null
    dismiss()
  }

  return { alerts, flashing, soundReady, muted, soundOn, played, enableSound, setMuted, dismiss, start, stop }
})
