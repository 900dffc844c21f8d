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
import { DAY_MS, HOUR_MS, startOfShanghaiDay } from '../domain/time.ts'
import { useI18n } from '../i18n/index.ts'
import { compareHazardUrgency, useHazardsStore, withSlaFlags } from './hazards.ts'
import { useClockStore } from './clock.ts'
import { useLayersStore } from './layers.ts'
import { useReplayStore } from './replay.ts'

/** Status filter: every open status (default), closed ones, everything, or one status. */
export type StatusFilter = 'open' | 'closed' | 'all' | HazardStatus
/** SLA filter: any, only those with ≥ 80 % of the time used, only overdue ones. */
export type SlaFilter = 'any' | 'warning' | 'overdue'

/**
 * The header counters that act as filters (issue 19): pressing one shows exactly the matters it
 * counts, in the list and on the map.
 */
export const COUNTER_FILTERS = ['open', 'overdue', 'critical', 'warning', 'reportedToday', 'closedToday'] as const
export type CounterFilter = (typeof COUNTER_FILTERS)[number]

/** Relative time ranges of the report time: last hour, today, tonight (18:00–06:00), last 24 hours, last 7 days. */
export const TIME_RANGES = ['hour', 'today', 'tonight', '24h', '7d'] as const
export type TimeRange = (typeof TIME_RANGES)[number]

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
  /** A pressed header counter; its own rule replaces the status filter. */
  counter: CounterFilter | ''
  /** Reported within this range (relative to now, or to the replayed moment). */
  since: TimeRange | ''
  /** Search: a number (`123`, `#123`) or words found in the description, category, zone, place, assignee. */
  text: string
}

/** Filters that let every open hazard through. */
export function defaultFilters(): HazardFilters {
  return { status: 'open', category: '', severity: '', level: '', zoneId: '', sla: 'any', counter: '', since: '', text: '' }
}

/** `[from, to)` of a relative range at `now` (Asia/Shanghai wall clock for today and tonight). */
export function timeRangeBounds(range: TimeRange, now: Date): [number, number] {
  const t = now.getTime()
  switch (range) {
    case 'hour':
      return [t - HOUR_MS, Infinity]
    case '24h':
      return [t - DAY_MS, Infinity]
    case '7d':
      return [t - 7 * DAY_MS, Infinity]
    case 'today':
      return [startOfShanghaiDay(now).getTime(), Infinity]
    case 'tonight': {
      // 18:00 to 06:00; before 06:00 "tonight" is the night that began yesterday evening.
      const day = startOfShanghaiDay(now).getTime()
      const start = t < day + 6 * HOUR_MS ? day - 6 * HOUR_MS : day + 18 * HOUR_MS
      return [start, start + 12 * HOUR_MS]
    }
  }
}

/** What {@link matchesFilters} needs besides the filters: the moment and the words of each hazard. */
export interface FilterContext {
  now: Date
  /** Searchable words of a hazard beyond its own fields (zone name, category label, place). */
  words?: (feature: HazardFeature) => string
}

/** Whether `feature` is counted by the header counter `counter` at `now`. */
export function countedBy(feature: HazardFeature, counter: CounterFilter, now: Date): boolean {
  const p = feature.properties
  const open = isOpenStatus(p.status)
  const today = startOfShanghaiDay(now).getTime()
  switch (counter) {
    case 'open':
      return open
    case 'overdue':
      return open && p.overdue
    case 'critical':
      return open && p.severity === 'critical'
    case 'warning':
      return open && Boolean(p.warning)
    case 'reportedToday':
      return Date.parse(p.reportedAt) >= today
    case 'closedToday':
      return !open && Boolean(p.closedAt) && Date.parse(p.closedAt!) >= today
  }
}

/** Whether `feature` matches the search `text` (a number matches the hazard's number exactly). */
export function matchesText(feature: HazardFeature, text: string, words = ''): boolean {
  const query = text.trim().toLowerCase()
  if (!query) return true
  const number = /^(?:#|＃|no\.?\s*)?(\d+)$/i.exec(query)
  if (number) return String(feature.id) === number[1]
  const p = feature.properties
  const haystack = [p.description, p.assigneeName, p.unitName, words, `#${feature.id}`]
    .filter(Boolean)
    .join(' ')
    .toLowerCase()
  return query.split(/\s+/).every((word) => haystack.includes(word))
}

/** Whether `feature` passes `filters`. */
export function matchesFilters(
  feature: HazardFeature,
  filters: HazardFilters,
  context: FilterContext = { now: new Date() },
): boolean {
  const p = feature.properties
  const open = isOpenStatus(p.status)
  if (filters.counter) {
    if (!countedBy(feature, filters.counter, context.now)) return false
  } else if (!matchesStatus(p.status, open, filters.status)) {
    return false
  }
  if (filters.category && p.category !== filters.category) return false
  if (filters.severity && p.severity !== filters.severity) return false
  if (filters.level && (p.level ?? 'micro_grid') !== filters.level) return false
  if (filters.zoneId && String(p.zoneId ?? '') !== filters.zoneId && String(p.microGridId ?? '') !== filters.zoneId) return false
  if (filters.sla === 'overdue' && !(open && p.overdue)) return false
  if (filters.sla === 'warning' && !(open && p.warning)) return false
  if (filters.since) {
    const [from, to] = timeRangeBounds(filters.since, context.now)
    const reported = Date.parse(p.reportedAt)
    if (reported < from || reported >= to) return false
  }
  if (filters.text && !matchesText(feature, filters.text, context.words?.(feature))) return false
  return true
}

function matchesStatus(status: HazardStatus, open: boolean, filter: StatusFilter): boolean {
  switch (filter) {
    case 'open':
      return open
    case 'closed':
      return CLOSED_STATUSES.includes(status)
    case 'all':
      return true
    default:
      return status === filter
  }
}

/** The hazard filters store (`useHazardFiltersStore()`). */
export const useHazardFiltersStore = defineStore('hazard-filters', () => {
  const hazards = useHazardsStore()
  const replay = useReplayStore()
  const clock = useClockStore()
  const layers = useLayersStore()
  const { categoryLabel, severityLabel, statusLabel } = useI18n()
  const filters = reactive<HazardFilters>(defaultFilters())

  /** The moment the data stands for: now, or the replayed moment. */
  const moment = computed<Date>(() => (replay.active && replay.at ? replay.at : clock.now))

  /** The hazards filtered: live ones, or the replayed moment's (with the SLA flags of that moment). */
  const source = computed<readonly HazardFeature[]>(() =>
    replay.active && replay.at ? withSlaFlags(replay.collection, replay.at).features : hazards.features,
  )

  const zoneNames = computed(() => new Map(layers.collections.zones.features.map((f) => [String(f.id), f.properties.name])))

  /** The words of a hazard the search looks at besides its own text: zone, category, severity, status. */
  function words(feature: HazardFeature): string {
    const p = feature.properties
    return [
      p.zoneId !== null ? zoneNames.value.get(String(p.zoneId)) : '',
      p.microGridId !== null && p.microGridId !== undefined ? zoneNames.value.get(String(p.microGridId)) : '',
      categoryLabel(p.category),
      severityLabel(p.severity),
      statusLabel(p.status),
    ].join(' ')
  }

  /** The hazards the list and the map show, most urgent first. */
  const visible = computed<HazardFeature[]>(() => {
    const context: FilterContext = { now: moment.value, words }
    return source.value.filter((f) => matchesFilters(f, filters, context)).sort(compareHazardUrgency)
  })

  /** Presses (or, pressed again, releases) a header counter; the other filters go back to their defaults. */
  function toggleCounter(counter: CounterFilter): void {
    const next = filters.counter === counter ? '' : counter
    Object.assign(filters, defaultFilters(), { text: filters.text, counter: next })
  }

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

  return { filters, moment, source, visible, visibleCollection, narrowed, reset, toggleCounter }
})
