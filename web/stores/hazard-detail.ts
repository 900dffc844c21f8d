/**
 * Hazard detail store: the selected hazard's history and photos (`GET /api/hazards/:id`) and the
 * actions on it — moves of the closed loop, reassignment, photo upload.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { api, apiRequest, isAbortError, toApiError, type ApiError } from '../api/client.ts'
import type {
  FeatureId,
  HazardDetailFeature,
  HazardFeature,
  HazardStatus,
  TransitionRequest,
} from '../api/types.ts'
import { useHazardsStore } from './hazards.ts'
import type { LoadStatus } from './load-status.ts'

/** The list properties of a detail feature (no events and photos), for the hazards store. */
function listFeatureOf(detail: HazardDetailFeature): HazardFeature {
  const { events: _events, photos: _photos, ...properties } = detail.properties
  return { ...detail, properties }
}

/** The hazard detail store (`useHazardDetailStore()`). */
export const useHazardDetailStore = defineStore('hazard-detail', () => {
  const hazards = useHazardsStore()
  const id = ref<FeatureId | null>(null)
  const feature = shallowRef<HazardDetailFeature | null>(null)
  const status = ref<LoadStatus>('idle')
  const error = shallowRef<ApiError | null>(null)
  /** An action (move, upload) is running. */
  const busy = ref<false | 'transition' | 'photo' | 'escalate'>(false)
  /** The last move's failure, shown next to the buttons. */
  const actionError = shallowRef<ApiError | null>(null)
  /** The last photo upload's failure. */
  const photoError = shallowRef<ApiError | null>(null)
  let controller: AbortController | null = null

  const events = computed(() => feature.value?.properties.events ?? [])
  const photos = computed(() => feature.value?.properties.photos ?? [])

  /** Loads (or, with the same id, reloads) the detail of hazard `hazardId`; `null` clears it. */
  async function load(hazardId: FeatureId | null): Promise<void> {
    controller?.abort()
    controller = null
    if (String(hazardId) !== String(id.value)) {
      feature.value = null
      actionError.value = null
      photoError.value = null
    }
    id.value = hazardId
    if (hazardId === null) {
      status.value = 'idle'
      error.value = null
      return
    }
    const ctrl = new AbortController()
    controller = ctrl
    if (!feature.value) status.value = 'loading'
    try {
      const detail = await api.hazard(hazardId, ctrl.signal)
      if (String(id.value) !== String(hazardId)) return
      feature.value = detail
      error.value = null
      status.value = 'ready'
    } catch (err) {
      if (isAbortError(err) || controller !== ctrl) return
      error.value = toApiError(err)
      status.value = feature.value ? 'ready' : 'error'
    } finally {
      if (controller === ctrl) controller = null
    }
  }

  /** Reloads the detail when the live stream reports a newer version of the shown hazard. */
  function onLiveUpdate(update: HazardFeature): void {
    const current = feature.value
    if (!current || String(update.id) !== String(current.id)) return
    if ((update.properties.version ?? 0) > (current.properties.version ?? 0)) void load(current.id)
  }

  /**
   * Moves the shown hazard to `to` (with an optional note and assignee), sending the version seen
   * so a concurrent change is refused rather than overwritten. A refusal (403, 409, 422) is kept in
   * {@link actionError}; after a 409 the detail is reloaded to show what changed.
   *
   * @returns whether the move was made.
   */
  async function transition(to: HazardStatus, options: { note?: string; assigneeId?: FeatureId; unitId?: number | null } = {}): Promise<boolean> {
    const current = feature.value
    if (!current || busy.value) return false
    busy.value = 'transition'
    actionError.value = null
    const body: TransitionRequest = { to }
    if (options.note?.trim()) body.note = options.note.trim()
    if (options.assigneeId !== undefined) body.assigneeId = options.assigneeId
    if (options.unitId !== undefined) body.unitId = options.unitId
    if (current.properties.version !== undefined) body.version = current.properties.version
    try {
      const answer = await api.transition(current.id, body)
      if (String(id.value) === String(current.id)) feature.value = answer
      hazards.upsert(listFeatureOf(answer))
      // The answer carries the history; load again in case it is the list shape only.
      if (!Array.isArray(answer.properties.events)) void load(current.id)
      return true
    } catch (err) {
      const apiError = toApiError(err)
      actionError.value = apiError
      if (apiError.status === 409) void load(current.id)
      return false
    } finally {
      busy.value = false
    }
  }

  /**
   * 催办: reminds the assignee of the shown matter (`POST /api/hazards/:id/remind`), then reloads the detail so the
   * timeline shows it. A refusal (409 nobody to chase, 429 reminded less than an hour ago) is kept in {@link actionError}.
   *
   * @returns whether the reminder was recorded.
   */
  async function remind(note?: string): Promise<boolean> {
    const current = feature.value
    if (!current || busy.value) return false
    busy.value = 'transition'
    actionError.value = null
    try {
      await apiRequest(`/api/hazards/${encodeURIComponent(String(current.id))}/remind`, { method: 'POST', body: note?.trim() ? { note: note.trim() } : {} })
      await load(current.id)
      return true
    } catch (err) {
      actionError.value = toApiError(err)
      return false
    } finally {
      busy.value = false
    }
  }

  /** Escalates the shown matter (升级) to a higher level with a reason; false (and `actionError`) when refused. */
  async function escalate(level: string, reason: string): Promise<boolean> {
    const current = feature.value
    if (!current || busy.value) return false
    busy.value = 'escalate'
    actionError.value = null
    try {
      const answer = await api.escalate(current.id, { level, reason: reason.trim() })
      if (String(id.value) === String(current.id)) feature.value = answer
      hazards.upsert(listFeatureOf(answer))
      return true
    } catch (err) {
      actionError.value = toApiError(err)
      return false
    } finally {
      busy.value = false
    }
  }

  /** Uploads a photo of the shown hazard, then reloads the detail to show it. */
  async function uploadPhoto(file: Blob, filename?: string): Promise<boolean> {
    const current = feature.value
    if (!current || busy.value) return false
    busy.value = 'photo'
    photoError.value = null
    try {
      await api.uploadPhoto(current.id, file, filename)
      await load(current.id)
      return true
    } catch (err) {
      photoError.value = toApiError(err)
      return false
    } finally {
      busy.value = false
    }
  }

  /** Forgets the shown hazard. */
  function clear(): void {
    void load(null)
    busy.value = false
  }

  return { id, feature, events, photos, status, error, busy, actionError, photoError, load, onLiveUpdate, transition, remind, escalate, uploadPhoto, clear }
})

