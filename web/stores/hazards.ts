/**
 * Hazards store: the hazards (隐患) of the selected community as they are now, kept current by
 * the live stream ({@link upsert}), and the hazard selected on the map or in the list.
 *
 * `overdue`, `warning` and `slaUsed` move with the clock (the clock store) by the server's own
 * SLA rule, so a hazard turns overdue on screen the minute it does, without a reload.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import { api, isAbortError, toApiError, type ApiError } from '../api/client.ts'
import {
  emptyCollection,
  HAZARD_SEVERITIES,
  isOpenStatus,
  type FeatureId,
  type HazardCollection,
  type HazardFeature,
  type HazardQuery,
} from '../api/types.ts'
import { headlineStats, slaFlagsAt, type HeadlineStats } from '../domain/hazard-stats.ts'
import { useClockStore } from './clock.ts'
import type { LoadStatus } from './load-status.ts'

/**
 * Sort order for the list: open before closed, overdue first, then SLA warnings, then most
 * severe, then oldest.
 */
export function compareHazardUrgency(a: HazardFeature, b: HazardFeature): number {
  const pa = a.properties
  const pb = b.properties
  const oa = isOpenStatus(pa.status)
  const ob = isOpenStatus(pb.status)
  if (oa !== ob) return oa ? -1 : 1
  if (pa.overdue !== pb.overdue) return pa.overdue ? -1 : 1
  if (Boolean(pa.warning) !== Boolean(pb.warning)) return pa.warning ? -1 : 1
  const sa = HAZARD_SEVERITIES.indexOf(pa.severity)
  const sb = HAZARD_SEVERITIES.indexOf(pb.severity)
  if (sa !== sb) return sb - sa
  return Date.parse(pa.reportedAt) - Date.parse(pb.reportedAt)
}

/** `fc` with the SLA flags of each feature as of `now`; the same objects where nothing changed. */
export function withSlaFlags(fc: HazardCollection, now: Date): HazardCollection {
  let changed = false
  const features = fc.features.map((f) => {
    const flags = slaFlagsAt(f.properties, now)
    const p = f.properties
    if (p.overdue === flags.overdue && Boolean(p.warning) === flags.warning) return f
    changed = true
    return { ...f, properties: { ...p, ...flags } }
  })
  return changed ? markRaw({ ...fc, features }) : fc
}

/** The hazards store (`useHazardsStore()`). */
export const useHazardsStore = defineStore('hazards', () => {
  const clock = useClockStore()
  /** As the server (list and live stream) last described each hazard. */
  const raw = shallowRef<HazardCollection>(emptyCollection())
  /** `loading` only for the first load; background refreshes set {@link refreshing}. */
  const status = ref<LoadStatus>('idle')
  const refreshing = ref(false)
  const error = shallowRef<ApiError | null>(null)
  const lastLoadedAt = ref<Date | null>(null)
  /** The community whose matters the list holds (set with them, when a load completes). */
  const loadedCommunityId = ref<HazardQuery['communityId']>(undefined)
  const selectedId = ref<FeatureId | null>(null)
  const query = shallowRef<HazardQuery>({})
  let controller: AbortController | null = null
  /** Live updates that arrived while a load was in flight, re-applied over its answer. */
  let arrivedDuringLoad: HazardFeature[] | null = null

  /** The hazards with their SLA flags as of the clock. */
  const collection = computed(() => withSlaFlags(raw.value, clock.now))
  const features = computed(() => collection.value.features)

  /** Headline numbers: open, overdue, today's reports and closes, 7-minute response rate. */
  const stats = computed<HeadlineStats>(() => headlineStats(features.value, clock.now))

  const selected = computed<HazardFeature | null>(
    () => features.value.find((f) => String(f.id) === String(selectedId.value)) ?? null,
  )

  /** Whether at least one load has succeeded. */
  const loaded = computed(() => lastLoadedAt.value !== null)

  /** Inserts or replaces hazards by id in `fc`, never going back to an older `version`. */
  function merged(fc: HazardCollection, updates: readonly HazardFeature[]): HazardCollection {
    const byId = new Map(fc.features.map((f, i) => [String(f.id), i]))
    const features = [...fc.features]
    let changed = false
    for (const update of updates) {
      const communityId = query.value.communityId
      const updateCommunity = update.properties.communityId
      if (communityId !== undefined && updateCommunity !== undefined && String(updateCommunity) !== String(communityId)) {
        continue
      }
      const i = byId.get(String(update.id))
      const current = i === undefined ? undefined : features[i]
      if (current && (current.properties.version ?? 0) > (update.properties.version ?? 0)) continue
      const feature = markRaw({ ...update, properties: { ...update.properties } })
      if (i === undefined) {
        byId.set(String(update.id), features.length)
        features.unshift(feature)
        // Indices after an unshift are off by one: rebuild them.
        features.forEach((f, j) => byId.set(String(f.id), j))
      } else {
        features[i] = feature
      }
      changed = true
    }
    return changed ? markRaw({ ...fc, features }) : fc
  }

  /**
   * Applies a hazard as the live stream (or a write's answer) describes it: added when new,
   * replaced when newer. Hazards of another community than the loaded one are ignored.
   */
  function upsert(feature: HazardFeature): void {
    arrivedDuringLoad?.push(feature)
    raw.value = merged(raw.value, [feature])
  }

  /** Loads hazards matching `q` (and remembers `q` for {@link refresh}). */
  async function load(q: HazardQuery = query.value): Promise<void> {
    query.value = q
    controller?.abort()
    const ctrl = new AbortController()
    controller = ctrl
    arrivedDuringLoad = []
    if (loaded.value) refreshing.value = true
    else status.value = 'loading'
    try {
      const fc = await api.hazards(q, ctrl.signal)
      raw.value = merged(markRaw(fc), arrivedDuringLoad)
      loadedCommunityId.value = q.communityId
      lastLoadedAt.value = new Date()
      error.value = null
      status.value = 'ready'
    } catch (err) {
      if (isAbortError(err) || controller !== ctrl) return
      error.value = toApiError(err)
      // Keep showing the last good data; only a failed first load is an error state.
      status.value = loaded.value ? 'ready' : 'error'
    } finally {
      if (controller === ctrl) {
        controller = null
        arrivedDuringLoad = null
        refreshing.value = false
      }
    }
  }

  /** Loads again with the last query, keeping the current data on screen meanwhile. */
  function refresh(): Promise<void> {
    return load(query.value)
  }

  /** Selects a hazard (or clears the selection with `null`). */
  function select(id: FeatureId | null): void {
    selectedId.value = id
  }

  /** Drops all data (e.g. when switching community or signing out). */
  function clear(): void {
    controller?.abort()
    controller = null
    arrivedDuringLoad = null
    raw.value = emptyCollection()
    status.value = 'idle'
    refreshing.value = false
    error.value = null
    lastLoadedAt.value = null
    selectedId.value = null
  }

  return {
    collection,
    features,
    stats,
    selected,
    selectedId,
    status,
    refreshing,
    error,
    lastLoadedAt,
    loaded,
    loadedCommunityId,
    load,
    refresh,
    upsert,
    select,
    clear,
  }
})
