/**
 * Hazard filters store: the filters of the side list and what they let through. The list and
 * the map both draw {@link visible}, so they always show exactly the same hazards — live, or the
 * moment being replayed.
 */
import { defineStore } from 'pinia'
import { computed, reactive } from 'vue'
import {
  CLOSED_STATUSES,
  isOpenStatus,
  type HazardCategory,
  type HazardCollection,
  type HazardFeature,
  type HazardSeverity,
  type HazardStatus,
} from '../api/types.ts'
import type { Level } from '../../core/matters.ts'
import { compareHazardUrgency, useHazardsStore } from './hazards.ts'
import { useReplayStore } from './replay.ts'

/** Status filter: every open status (default), closed ones, everything, or one status. */
export type StatusFilter = 'open' | 'closed' | 'all' | HazardStatus
/** SLA filter: any, only those with ≥ 80 % of the time used, only overdue ones. */
export type SlaFilter = 'any' | 'warning' | 'overdue'

/** The filter values; `''` means "any". */
export interface HazardFilters {
  status: StatusFilter
  category: HazardCategory | ''
  severity: HazardSeverity | ''
  /** Where it is handled (办理层级): micro-grid, grid or street. */
  level: Level | ''
  /** A grid (its matters, in its micro-grids too) or a micro-grid (the matters reported in it). */
  zoneId: string
  sla: SlaFilter
}

/** Filters that let every open hazard through. */
export function defaultFilters(): HazardFilters {
  return { status: 'open', category: '', severity: '', level: '', zoneId: '', sla: 'any' }
}

/** Whether `feature` passes `filters`. */
export function matchesFilters(feature: HazardFeature, filters: HazardFilters): boolean {
  const p = feature.properties
  const open = isOpenStatus(p.status)
  switch (filters.status) {
    case 'open':
      if (!open) return false
      break
    case 'closed':
      if (!CLOSED_STATUSES.includes(p.status)) return false
      break
    case 'all':
      break
    default:
      if (p.status !== filters.status) return false
  }
  if (filters.category && p.category !== filters.category) return false
  if (filters.severity && p.severity !== filters.severity) return false
  if (filters.level && (p.level ?? 'micro_grid') !== filters.level) return false
  if (filters.zoneId && String(p.zoneId ?? '') !== filters.zoneId && String(p.microGridId ?? '') !== filters.zoneId) return false
  if (filters.sla === 'overdue' && !(open && p.overdue)) return false
  if (filters.sla === 'warning' && !(open && p.warning)) return false
  return true
}

/** The hazard filters store (`useHazardFiltersStore()`). */
export const useHazardFiltersStore = defineStore('hazard-filters', () => {
  const hazards = useHazardsStore()
  const replay = useReplayStore()
  const filters = reactive<HazardFilters>(defaultFilters())

  /** The hazards filtered: live ones, or the replayed moment's. */
  const source = computed<readonly HazardFeature[]>(() =>
    replay.active ? replay.collection.features : hazards.features,
  )

  /** The hazards the list and the map show, most urgent first. */
  const visible = computed<HazardFeature[]>(() =>
    source.value.filter((f) => matchesFilters(f, filters)).sort(compareHazardUrgency),
  )

  /** {@link visible} as a FeatureCollection for the map. */
  const visibleCollection = computed<HazardCollection>(() => ({ type: 'FeatureCollection', features: visible.value }))

  /** Whether any filter differs from the default. */
  const narrowed = computed(() => {
    const d = defaultFilters()
    return (Object.keys(d) as (keyof HazardFilters)[]).some((k) => filters[k] !== d[k])
  })

  /** Back to the default filters. */
  function reset(): void {
    Object.assign(filters, defaultFilters())
  }

  return { filters, source, visible, visibleCollection, narrowed, reset }
})
