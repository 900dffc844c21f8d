/**
 * Analytics store: the command centre's analysis mode (统计分析). One set of filters — window,
 * category, status — drives every panel and layer: the headline statistics, the daily trend, the
 * heat map, the Gi* hot spots and the DBSCAN clusters. Data loads only while the mode is open, and
 * again whenever a filter or the community changes; a newer load aborts an older one.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, reactive, ref, shallowRef, watch } from 'vue'
import {
  analysisApi,
  type AnalysisQuery,
  type ClusterCollection,
  type HazardStats,
  type HazardTrend,
  type HotspotCollection,
  type RecurrenceCollection,
} from '../api/analytics.ts'
import { api, isAbortError, toApiError, type ApiError } from '../api/client.ts'
import { HAZARD_STATUSES, type HazardCategory, type HazardCollection, type HazardStatus } from '../api/types.ts'
import type { LoadStatus } from './load-status.ts'
import { useSessionStore } from './session.ts'

/** Window presets, in days back from now. */
export const WINDOW_PRESETS = [7, 30, 90] as const
/** A window preset. */
export type WindowDays = (typeof WINDOW_PRESETS)[number]
/** Days of the trend chart. */
export const TREND_DAYS = 90
/** Hexagon edges offered for the hot spots, metres. */
export const CELL_SIZES = [50, 100, 200] as const
/** DBSCAN parameters of the cluster layer: 50 m, at least 3 hazards (the point itself included). */
export const CLUSTER_EPS_M = 50
export const CLUSTER_MIN_POINTS = 3

/** Status filter: all but rejected (''), the open ones, the closed (verified) ones, or one status. */
export type AnalyticsStatus = '' | 'open' | 'closed' | HazardStatus

/** The filters all panels follow. */
export interface AnalyticsFilters {
  days: WindowDays
  category: HazardCategory | ''
  status: AnalyticsStatus
}

/** Which analysis layers the map draws. */
export interface AnalyticsLayers {
  heatmap: boolean
  hotspots: boolean
  clusters: boolean
}

const OPEN: HazardStatus[] = HAZARD_STATUSES.filter((s) => s !== 'verified' && s !== 'rejected')
const NOT_REJECTED: HazardStatus[] = HAZARD_STATUSES.filter((s) => s !== 'rejected')

/** The statuses a status filter stands for. */
export function statusesOf(filter: AnalyticsStatus): HazardStatus[] {
  if (filter === '') return NOT_REJECTED
  if (filter === 'open') return OPEN
  if (filter === 'closed') return ['verified']
  return [filter]
}

/** `[from, to)` of a window of `days` ending at the next whole minute after `now`. */
export function windowOf(days: number, now: Date): { from: string; to: string } {
  const to = Math.ceil(now.getTime() / 60_000) * 60_000
  return { from: new Date(to - days * 86_400_000).toISOString(), to: new Date(to).toISOString() }
}

function empty<T>(extra: T): T & { type: 'FeatureCollection'; features: [] } {
  return { type: 'FeatureCollection', features: [], ...extra }
}

/** The analytics store (`useAnalyticsStore()`). */
export const useAnalyticsStore = defineStore('analytics', () => {
  const session = useSessionStore()

  /** The analysis mode is on: the panel shows and the layers draw. */
  const open = ref(false)
  const filters = reactive<AnalyticsFilters>({ days: 30, category: '', status: '' })
  const layers = reactive<AnalyticsLayers>({ heatmap: false, hotspots: true, clusters: true })
  /** Hexagon edge of the hot spots, metres. */
  const cell = ref<number>(100)

  const stats = shallowRef<HazardStats | null>(null)
  const trend = shallowRef<HazardTrend | null>(null)
  const hotspots = shallowRef<HotspotCollection>(empty({ communityId: 0, cellM: 100, hazards: 0, cells: 0, nonEmptyCells: 0, note: null }))
  const clusters = shallowRef<ClusterCollection>(empty({ eps: CLUSTER_EPS_M, minPoints: CLUSTER_MIN_POINTS, hazards: 0, noise: 0 }))
  const recurrences = shallowRef<RecurrenceCollection>(empty({}))
  /** The hazards of the window (the heat map's points). */
  const heat = shallowRef<HazardCollection>(empty({}))
  const status = ref<LoadStatus>('idle')
  const error = shallowRef<ApiError | null>(null)
  /** Loads finished so far (tests wait for it to move). */
  const loads = ref(0)
  /** The window of the data shown. */
  const shownWindow = ref<{ from: string; to: string } | null>(null)
  /** The filters of the data shown, as `days|category|status|cell` (for the panel and tests). */
  const shownKey = ref('')
  let controller: AbortController | null = null

  /** The query of the current filters in the selected community. */
  function query(now = new Date()): AnalysisQuery {
    return {
      communityId: session.communityId ?? undefined,
      ...windowOf(filters.days, now),
      category: filters.category ? [filters.category] : undefined,
      status: statusesOf(filters.status),
    }
  }

  /** Loads everything the panel and layers show; a newer call aborts an older one still running. */
  async function load(): Promise<void> {
    controller?.abort()
    if (session.communityId === null) return
    const ctrl = new AbortController()
    controller = ctrl
    const q = query()
    const key = `${filters.days}|${filters.category}|${filters.status}|${cell.value}`
    const signal = ctrl.signal
    status.value = 'loading'
    error.value = null
    try {
      const [s, tr, hs, cl, rec, hz] = await Promise.all([
        analysisApi.stats(q, signal),
        analysisApi.trend({ communityId: q.communityId, days: TREND_DAYS, category: q.category }, signal),
        analysisApi.hotspots({ ...q, cell: cell.value }, signal),
        analysisApi.clusters({ ...q, eps: CLUSTER_EPS_M, minPoints: CLUSTER_MIN_POINTS }, signal),
        analysisApi.recurrences(q, signal),
        api.hazards({ communityId: q.communityId, from: q.from, to: q.to, category: q.category, status: q.status }, signal),
      ])
      if (controller !== ctrl) return
      stats.value = markRaw(s)
      trend.value = markRaw(tr)
      hotspots.value = markRaw(hs)
      clusters.value = markRaw(cl)
      recurrences.value = markRaw(rec)
      heat.value = markRaw(hz)
      shownWindow.value = { from: q.from!, to: q.to! }
      shownKey.value = key
      status.value = 'ready'
      loads.value++
    } catch (err) {
      if (isAbortError(err) || controller !== ctrl) return
      error.value = toApiError(err)
      status.value = 'error'
    }
  }

  /** Opens or closes the analysis mode. */
  function toggle(value = !open.value): void {
    open.value = value
  }

  /** Puts the filters back to their defaults. */
  function reset(): void {
    Object.assign(filters, { days: 30, category: '', status: '' } satisfies AnalyticsFilters)
  }

  watch(
    [open, () => ({ ...filters }), cell, () => session.communityId],
    ([isOpen]) => {
      if (isOpen) return void load()
      controller?.abort()
      if (status.value === 'loading') status.value = 'idle'
    },
    { deep: true },
  )

  const busy = computed(() => status.value === 'loading')

  return {
    open,
    filters,
    layers,
    cell,
    stats,
    trend,
    hotspots,
    clusters,
    recurrences,
    heat,
    status,
    error,
    busy,
    loads,
    shownWindow,
    shownKey,
    query,
    load,
    toggle,
    reset,
  }
})
