/**
 * Report store: the patrol member's report of a matter (a hazard, or another kind) being written (`/patrol`) and sending it.
 *
 * Everything typed is kept in the drafts store (sessionStorage), so an expired session or a
 * reload loses nothing; the photo stays in memory until it is sent. Each report carries a
 * `clientId` made when the draft starts, and its photo a client photo id made when it is taken.
 *
 * Sending puts the report and its photo into the phone's offline queue first (IndexedDB, see
 * stores/offline-queue.ts), then tries to deliver it for a few seconds: delivered → the receipt;
 * no network → the receipt says it waits on the phone and goes by itself; refused by the server →
 * the form stays with the reason; session expired → the form stays for after signing in. Sending
 * the same draft again answers what the queue already holds, so a report is never sent twice.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { ApiError, toApiError } from '../api/client.ts'
import { isCategoryOf, type MatterCategory, type MatterType } from '../../core/matters.ts'
import { firstMatterType } from '../../core/org.ts'
import type { HazardSeverity } from '../api/types.ts'
import { newClientId } from '../offline/ids.ts'
import type { HazardItem } from '../offline/queue.ts'
import { downscalePhoto } from '../offline/photo.ts'
import { useDraftsStore } from './drafts.ts'
import { useOfflineQueueStore, type QueuedPhoto } from './offline-queue.ts'
import { useSessionStore } from './session.ts'

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
export type ReportPhase = 'editing' | 'submitting' | 'done'

/** How long sending waits for the server before the report is left to the queue. */
export const FOREGROUND_WAIT_MS = 8_000

/** The report last handed over, for the receipt (its state comes from the queue). */
export interface ReportReceipt {
  clientId: string
  category: MatterCategory
  withPhoto: boolean
}

interface ReportDraft {
  /** The kind chosen on the form; null: the kind the user's team works on (core/org.ts). */
  type: MatterType | null
  category: MatterCategory | null
  severity: HazardSeverity
  description: string
  location: ReportLocation | null
  clientId: string
}

export { newClientId }

function emptyDraft(): ReportDraft {
  return { type: null, category: null, severity: 'minor', description: '', location: null, clientId: newClientId() }
}

/** The report store (`useReportStore()`). */
export const useReportStore = defineStore('report', () => {
  const drafts = useDraftsStore()
  const outbox = useOfflineQueueStore()

  const session = useSessionStore()
  const chosenType = ref<MatterType | null>(null)
  /** The kind of matter (事项类型): as chosen, else the one the user's team works on (金槐义警: 一队多能). */
  const type = computed<MatterType>({
    get: () => chosenType.value ?? firstMatterType(session.teamKinds),
    set: (t) => {
      chosenType.value = t
      if (category.value !== null && !isCategoryOf(t, category.value)) category.value = null
      if (t !== 'hazard') fixedOnSpot.value = false
    },
  })
  const category = ref<MatterCategory | null>(null)
  const severity = ref<HazardSeverity>('minor')
  const description = ref('')
  const location = ref<ReportLocation | null>(null)
  const clientId = ref(newClientId())
  const photo = shallowRef<File | null>(null)
  /** The photo's client id: the server (and the queue) know the same photo by it. */
  const photoClientId = ref<string | null>(null)
  const photoPreview = ref<string | null>(null)

  const phase = ref<ReportPhase>('editing')
  const error = shallowRef<ApiError | null>(null)
  /** The report last handed to the queue (the receipt shows how it stands). */
  const receipt = shallowRef<ReportReceipt | null>(null)
  const locateState = ref<LocateState>('idle')

  function restore(): void {
    const saved = drafts.get<ReportDraft>(DRAFT_KEY)
    const d = saved && typeof saved === 'object' ? { ...emptyDraft(), ...saved } : emptyDraft()
    chosenType.value = d.type
    category.value = d.category
    severity.value = d.severity
    description.value = d.description
    location.value = d.location
    clientId.value = d.clientId || newClientId()
  }
  restore()

  // Every keystroke goes into the draft.
  watch([chosenType, category, severity, description, location, clientId], () => {
    const d: ReportDraft = {
      type: chosenType.value,
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

  /** 现场处置 (issue 15): found and fixed on the spot, with what was done. */
  const fixedOnSpot = ref(false)
  const fixedNote = ref('')

  /** Whether the report can be sent: a category and a location (and, fixed on the spot, what was done). */
  const complete = computed(() => category.value !== null && location.value !== null && (!fixedOnSpot.value || fixedNote.value.trim() !== ''))
  /** Whether anything has been entered. */
  const dirty = computed(
    () => category.value !== null || description.value.trim() !== '' || location.value !== null || photo.value !== null,
  )

  /** Sets (or clears) the photo to send with the report. */
  function setPhoto(file: File | null): void {
    if (photoPreview.value) URL.revokeObjectURL(photoPreview.value)
    photo.value = file
    photoClientId.value = file ? newClientId() : null
    photoPreview.value = file ? URL.createObjectURL(file) : null
  }

  /** 现场处置's after photo (issue 15; the photo above is then the before photo), its client id and preview. */
  const afterPhoto = shallowRef<File | null>(null)
  const afterPhotoClientId = ref<string | null>(null)
  const afterPhotoPreview = ref<string | null>(null)

  /** Sets (or clears) the after photo of a matter fixed on the spot. */
  function setAfterPhoto(file: File | null): void {
    if (afterPhotoPreview.value) URL.revokeObjectURL(afterPhotoPreview.value)
    afterPhoto.value = file
    afterPhotoClientId.value = file ? newClientId() : null
    afterPhotoPreview.value = file ? URL.createObjectURL(file) : null
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

  /**
   * Hands the report (and photo) to the offline queue, then waits up to {@link FOREGROUND_WAIT_MS}
   * for it to reach the server. The form starts over once the report is safe on the phone —
   * unless the server refused it (the reason is shown) or the session expired (the sign-in page
   * opens and the form waits for the user's return).
   *
   * @returns whether the report was taken (sent, or waiting in the queue).
   */
  async function submit(): Promise<boolean> {
    if (!complete.value || phase.value === 'submitting') return false
    const loc = location.value!
    phase.value = 'submitting'
    error.value = null
    const id = clientId.value
    const file = photo.value
    const fixed = fixedOnSpot.value
    let stored: HazardItem
    try {
      // The photo goes into the queue downscaled (issue 15): a camera's 12 MB is not sent over a mobile network.
      const small = file ? await downscalePhoto(file, file.name || 'photo.jpg') : null
      const kind = type.value
      // Fixed on the spot: the photo is the one before, and the after photo goes with it (issue 15).
      const onSpot = fixed && kind === 'hazard'
      const after = onSpot && afterPhoto.value ? await downscalePhoto(afterPhoto.value, afterPhoto.value.name || 'after.jpg') : null
      const photos: QueuedPhoto[] = []
      if (small && photoClientId.value) photos.push({ id: photoClientId.value, blob: small.blob, filename: small.filename, ...(onSpot ? { role: 'before' as const } : {}) })
      if (after && afterPhotoClientId.value) photos.push({ id: afterPhotoClientId.value, blob: after.blob, filename: after.filename, role: 'after' })
      stored = await outbox.enqueueReport(
        {
          // Hazards go to /api/hazards; a matter of another kind carries its type (/api/matters).
          ...(kind === 'hazard' ? {} : { type: kind }),
          category: category.value!,
          severity: severity.value,
          location: { lon: loc.lon, lat: loc.lat },
          description: description.value.trim() || undefined,
          reportedAt: new Date().toISOString(),
          clientId: id,
          ...(fixed && kind === 'hazard' ? { fixedOnSpot: true, note: fixedNote.value.trim() } : {}),
        },
        photos,
      )
    } catch (err) {
      error.value = new ApiError({ status: 0, title: toApiError(err).title, kind: 'parse' })
      phase.value = 'editing'
      return false
    }
    const handOver: ReportReceipt = { clientId: id, category: stored.payload.category, withPhoto: file !== null || (fixed && afterPhoto.value !== null) }
    if (stored.status !== 'sent') {
      const result = await Promise.race([outbox.sync(), new Promise<null>((r) => setTimeout(() => r(null), FOREGROUND_WAIT_MS))])
      const now = outbox.itemById(id) as HazardItem | undefined
      if (result?.outcome === 'unauthorized') {
        phase.value = 'editing'
        return false
      }
      if (now?.status === 'failed') {
        const e = now.lastError
        error.value = new ApiError({ status: e?.status ?? 0, title: e?.title ?? '', detail: e?.detail ?? null, kind: 'http' })
        phase.value = 'editing'
        return false
      }
    }
    finish()
    receipt.value = handOver
    return true
  }

  function finish(): void {
    reset()
    phase.value = 'done'
  }

  /** Clears the form for the next report (a new clientId); keeps {@link receipt}. */
  function reset(): void {
    const d = emptyDraft()
    chosenType.value = d.type
    category.value = d.category
    severity.value = d.severity
    description.value = d.description
    location.value = d.location
    clientId.value = d.clientId
    fixedOnSpot.value = false
    fixedNote.value = ''
    setPhoto(null)
    setAfterPhoto(null)
    error.value = null
    locateState.value = 'idle'
    phase.value = 'editing'
    drafts.remove(DRAFT_KEY)
  }

  /** Leaves the receipt and starts a new report. */
  function startNew(): void {
    reset()
    receipt.value = null
  }

  return {
    type,
    category,
    severity,
    description,
    location,
    clientId,
    photo,
    fixedOnSpot,
    fixedNote,
    photoClientId,
    photoPreview,
    afterPhoto,
    afterPhotoPreview,
    setAfterPhoto,
    phase,
    error,
    receipt,
    locateState,
    complete,
    dirty,
    setPhoto,
    placeAt,
    locate,
    submit,
    reset,
    startNew,
    restore,
  }
})
