/**
 * Replay store: the map as it stood at a past moment of the last {@link REPLAY_DAYS} days
 * ("what was open at 22:10"), from `GET /api/hazards?at=`. While a replay is shown, the list and
 * the map show its hazards; the live data keeps updating underneath for the way back.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import { api, isAbortError, toApiError, type ApiError } from '../api/client.ts'
import { emptyCollection, type FeatureId, type HazardCollection } from '../api/types.ts'
import { toShanghaiIso } from '../domain/time.ts'
import type { LoadStatus } from './load-status.ts'

/** How far back the replay reaches. */
export const REPLAY_DAYS = 7

/** The replay store (`useReplayStore()`). */
export const useReplayStore = defineStore('replay', () => {
  /** The moment shown, or `null` for live. */
  const at = ref<Date | null>(null)
  const collection = shallowRef<HazardCollection>(emptyCollection())
  const status = ref<LoadStatus>('idle')
  const error = shallowRef<ApiError | null>(null)
  /** The moment whose hazards {@link collection} holds. */
  const loadedAt = ref<Date | null>(null)
  let controller: AbortController | null = null

  const active = computed(() => at.value !== null)

  /** Shows the map as it stood at `moment` (in `communityId`). */
  async function show(moment: Date, communityId: FeatureId | undefined): Promise<void> {
    at.value = moment
    controller?.abort()
    const ctrl = new AbortController()
    controller = ctrl
    status.value = 'loading'
    error.value = null
    try {
      const fc = await api.hazards({ at: toShanghaiIso(moment), communityId }, ctrl.signal)
      collection.value = markRaw(fc)
      loadedAt.value = moment
      status.value = 'ready'
    } catch (err) {
      if (isAbortError(err) || controller !== ctrl) return
      error.value = toApiError(err)
      status.value = 'error'
    } finally {
      if (controller === ctrl) controller = null
    }
  }

  /** Back to live. */
  function exit(): void {
    controller?.abort()
    controller = null
    at.value = null
    loadedAt.value = null
    collection.value = emptyCollection()
    status.value = 'idle'
    error.value = null
  }

  return { at, active, collection, status, error, loadedAt, show, exit }
})
