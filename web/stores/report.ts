/**
 * Report store: the patrol member's hazard report being written (`/patrol`) and sending it.
 *
 * Everything typed is kept in the drafts store (sessionStorage), so an expired session or a
 * reload loses nothing; the photo stays in memory for the page's life. Each report carries a
 * `clientId` made when the draft starts: sending it again (a retry after a network failure or
 * an expired session) answers the first hazard instead of creating a second one.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { api, toApiError, type ApiError } from '../api/client.ts'
import type { HazardCategory, HazardFeature, HazardSeverity } from '../api/types.ts'
import { useDraftsStore } from './drafts.ts'
import { useHazardsStore } from './hazards.ts'

const DRAFT_KEY = 'patrol-report'

/** Where the report's location came from. */
export type LocationSource = 'gps' | 'map'

/** The report's location. */
export interface ReportLocation {
  lon: number
  lat: number
  source: LocationSource
  /** GPS accuracy in metres, when known. */
  accuracy: number | null
}

/** What finding the current position did. */
export type LocateState = 'idle' | 'locating' | 'ok' | 'denied' | 'unavailable' | 'timeout'

/** Where sending stands. */
export type ReportPhase = 'editing' | 'submitting' | 'uploading' | 'done'

interface ReportDraft {
  category: HazardCategory | null
  severity: HazardSeverity
  description: string
  location: ReportLocation | null
  clientId: string
}

/** A random id for idempotent reports; `crypto.randomUUID` needs a secure context, so fall back. */
export function newClientId(): string {
  const c = globalThis.crypto
  if (typeof c?.randomUUID === 'function') return c.randomUUID()
  const bytes = new Uint8Array(16)
  c.getRandomValues(bytes)
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function emptyDraft(): ReportDraft {
  return { category: null, severity: 'minor', description: '', location: null, clientId: newClientId() }
}

/** The report store (`useReportStore()`). */
export const useReportStore = defineStore('report', () => {
  const drafts = useDraftsStore()
  const hazards = useHazardsStore()

  const category = ref<HazardCategory | null>(null)
  const severity = ref<HazardSeverity>('minor')
  const description = ref('')
  const location = ref<ReportLocation | null>(null)
  const clientId = ref(newClientId())
  const photo = shallowRef<File | null>(null)
  const photoPreview = ref<string | null>(null)

  const phase = ref<ReportPhase>('editing')
  const error = shallowRef<ApiError | null>(null)
  /** The photo could not be uploaded; the hazard itself was reported. */
  const photoError = shallowRef<ApiError | null>(null)
  /** The hazard the last send created (or found again by its clientId). */
  const created = shallowRef<HazardFeature | null>(null)
  const locateState = ref<LocateState>('idle')

  function restore(): void {
    const saved = drafts.get<ReportDraft>(DRAFT_KEY)
    const d = saved && typeof saved === 'object' ? { ...emptyDraft(), ...saved } : emptyDraft()
    category.value = d.category
    severity.value = d.severity
    description.value = d.description
    location.value = d.location
    clientId.value = d.clientId || newClientId()
  }
  restore()

  // Every keystroke goes into the draft.
  watch([category, severity, description, location, clientId], () => {
    const d: ReportDraft = {
      category: category.value,
      severity: severity.value,
      description: description.value,
      location: location.value,
      clientId: clientId.value,
    }
    const untouched = !d.category && !d.description && !d.location && d.severity === 'minor'
    drafts.set(DRAFT_KEY, untouched ? undefined : d)
  })

  // Drafts dropped wholesale (another user signed in): start over.
  watch(
    () => drafts.generation,
    () => reset(),
  )

  /** Whether the report can be sent: a category and a location. */
  const complete = computed(() => category.value !== null && location.value !== null)
  /** Whether anything has been entered. */
  const dirty = computed(
    () => category.value !== null || description.value.trim() !== '' || location.value !== null || photo.value !== null,
  )

  /** Sets (or clears) the photo to send with the report. */
  function setPhoto(file: File | null): void {
    if (photoPreview.value) URL.revokeObjectURL(photoPreview.value)
    photo.value = file
    photoPreview.value = file ? URL.createObjectURL(file) : null
    photoError.value = null
  }

  /** Places the report where the user tapped on the map. */
  function placeAt(lon: number, lat: number): void {
    location.value = { lon, lat, source: 'map', accuracy: null }
  }

  /** Asks the browser for the current position (needs HTTPS or localhost, and permission). */
  function locate(): void {
    const geo = globalThis.navigator?.geolocation
    if (!geo) {
      locateState.value = 'unavailable'
      return
    }
    locateState.value = 'locating'
    geo.getCurrentPosition(
      (pos) => {
        location.value = {
          lon: pos.coords.longitude,
          lat: pos.coords.latitude,
          source: 'gps',
          accuracy: Number.isFinite(pos.coords.accuracy) && pos.coords.accuracy > 0 ? Math.round(pos.coords.accuracy) : null,
        }
        locateState.value = 'ok'
      },
      (err) => {
        locateState.value = err.code === err.PERMISSION_DENIED ? 'denied' : err.code === err.TIMEOUT ? 'timeout' : 'unavailable'
      },
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 },
    )
  }

  async function uploadPhoto(hazard: HazardFeature): Promise<boolean> {
    const file = photo.value
    if (!file) return true
    phase.value = 'uploading'
    try {
      await api.uploadPhoto(hazard.id, file, file.name || 'photo.jpg')
      photoError.value = null
      return true
    } catch (err) {
      photoError.value = toApiError(err)
      return false
    }
  }

  /**
   * Sends the report (idempotent by clientId), then its photo. On success the form starts over;
   * on failure everything typed stays and sending again is safe.
   *
   * @returns whether the hazard (and photo, if any) were sent.
   */
  async function submit(): Promise<boolean> {
    if (!complete.value || phase.value === 'submitting' || phase.value === 'uploading') return false
    const loc = location.value!
    phase.value = 'submitting'
    error.value = null
    photoError.value = null
    try {
      const feature = await api.createHazard({
        category: category.value!,
        severity: severity.value,
        location: { lon: loc.lon, lat: loc.lat },
        description: description.value.trim() || undefined,
        clientId: clientId.value,
      })
      created.value = feature
      hazards.upsert(feature)
      if (!(await uploadPhoto(feature))) {
        phase.value = 'editing'
        return false
      }
      finish()
      return true
    } catch (err) {
      error.value = toApiError(err)
      phase.value = 'editing'
      return false
    }
  }

  /** The hazard was reported but its photo failed: send the report on without it. */
  function skipPhoto(): void {
    setPhoto(null)
    finish()
  }

  function finish(): void {
    reset()
    phase.value = 'done'
  }

  /** Clears the form for the next report (a new clientId); keeps {@link created} for the receipt. */
  function reset(): void {
    const d = emptyDraft()
    category.value = d.category
    severity.value = d.severity
    description.value = d.description
    location.value = d.location
    clientId.value = d.clientId
    setPhoto(null)
    error.value = null
    photoError.value = null
    locateState.value = 'idle'
    phase.value = 'editing'
    drafts.remove(DRAFT_KEY)
  }

  /** Leaves the receipt and starts a new report. */
  function startNew(): void {
    reset()
    created.value = null
  }

  return {
    category,
    severity,
    description,
    location,
    clientId,
    photo,
    photoPreview,
    phase,
    error,
    photoError,
    created,
    locateState,
    complete,
    dirty,
    setPhoto,
    placeAt,
    locate,
    submit,
    skipPhoto,
    reset,
    startNew,
    restore,
  }
})
