/**
 * A leader's spot check of matters fixed on the spot (现场处置抽查, issue 15): a random sample of those closed in the
 * last days (`GET /api/hazards/spot-checks`), and reopening one the check found not fixed (`verified → reopened`
 * with the reason).
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { apiRequest, toApiError, type ApiError } from '../api/client.ts'
import type * as Api from '../api/openapi-types.ts'
import type { HazardDetailFeature, HazardFeature } from '../api/types.ts'

/** The sample the server drew. */
export type SpotCheckSample = Omit<Api.SpotCheckSample, 'features'> & { features: HazardDetailFeature[] }

/** The spot-check store (`useSpotChecksStore()`). */
export const useSpotChecksStore = defineStore('spot-checks', () => {
  const sample = shallowRef<SpotCheckSample | null>(null)
  const error = shallowRef<ApiError | null>(null)
  const busy = ref(false)
  /** Ids reopened in this session. */
  const reopened = ref<(number | string)[]>([])

  /** Draws a new sample of at most `n` matters fixed on the spot in the last `days` days. */
  async function draw(days = 7, n = 5): Promise<void> {
    busy.value = true
    error.value = null
    try {
      sample.value = await apiRequest<SpotCheckSample>('/api/hazards/spot-checks', { query: { days, n } })
    } catch (err) {
      error.value = toApiError(err)
    } finally {
      busy.value = false
    }
  }

  /** Reopens a matter the check found not fixed, with what it found. */
  async function reopen(feature: HazardFeature, note: string): Promise<boolean> {
    error.value = null
    try {
      await apiRequest<HazardFeature>(`/api/hazards/${encodeURIComponent(String(feature.id))}/transition`, {
        method: 'POST',
        body: { to: 'reopened', note, version: feature.properties.version },
      })
      reopened.value = [...reopened.value, feature.id]
      return true
    } catch (err) {
      error.value = toApiError(err)
      return false
    }
  }

  return { sample, error, busy, reopened, draw, reopen }
})
