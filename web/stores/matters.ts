import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef } from 'vue'
import { CLOSED_STATUSES } from '../../core/matters.ts'
import { OTHER_MATTER_TYPES, openMatters } from '../api/matters.ts'
import type { FeatureId, HazardCollection, HazardFeature } from '../api/types.ts'

/**
 * The open matters of the other kinds (矛盾纠纷, 治安线索, 突发事件, 居民诉求, 社情民意) of the command
 * centre's community, drawn beside the hazards with a marker per kind (one loop, one map; issue 14).
 * Loaded with the hazards; kept current by the live stream (web/stores/live.ts routes each matter by kind).
 */
export const useMattersStore = defineStore('matters', () => {
  const collection = shallowRef<HazardCollection>({ type: 'FeatureCollection', features: [] })
  const communityId = ref<FeatureId | undefined>(undefined)
  const error = ref<string | null>(null)
  let controller: AbortController | null = null

  /** Loads the open matters of the other kinds in `community` (leads only where the server shows them). */
  async function load(community: FeatureId | undefined): Promise<void> {
    communityId.value = community
    controller?.abort()
    const ctrl = new AbortController()
    controller = ctrl
    try {
      collection.value = markRaw(await openMatters(OTHER_MATTER_TYPES, community, ctrl.signal))
      error.value = null
    } catch (e) {
      if (ctrl.signal.aborted) return
      error.value = e instanceof Error ? e.message : String(e)
    }
  }

  /** A matter as the live stream describes it: added or replaced while open, dropped once closed. */
  function upsert(feature: HazardFeature): void {
    const p = feature.properties
    if (communityId.value !== undefined && p.communityId !== undefined && String(p.communityId) !== String(communityId.value)) return
    const rest = collection.value.features.filter((f) => String(f.id) !== String(feature.id))
    const current = collection.value.features.find((f) => String(f.id) === String(feature.id))
    if (current && (current.properties.version ?? 0) > (p.version ?? 0)) return
    const open = !CLOSED_STATUSES.includes(p.status)
    collection.value = markRaw({ ...collection.value, features: open ? [markRaw(feature), ...rest] : rest })
  }

  return { collection, error, load, upsert }
})
