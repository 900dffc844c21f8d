/**
 * Headline numbers and chart series of the command centre, computed in the browser from the
 * hazard list (the server's `GET /api/stats` gives the same definitions for reports).
 */
import { RESPONSE_TARGET_MINUTES, SLA_DAYS, SLA_WARNING_FRACTION, slaState } from '../../core/matter-machine.ts'
import { HAZARD_CATEGORIES, isOpenStatus, type HazardCategory, type HazardFeature, type HazardProperties } from '../api/types.ts'
import { DAY_MS, startOfShanghaiDay } from './time.ts'

export { RESPONSE_TARGET_MINUTES, SLA_DAYS, SLA_WARNING_FRACTION }

/** Days looked back for the response rate and the charts. */
export const STATS_WINDOW_DAYS = 30

/** The command centre's headline counters. */
export interface HeadlineStats {
  open: number
  overdue: number
  /** Open, not overdue, ≥ 80 % of the time to close used. */
  warning: number
  reportedToday: number
  closedToday: number
  /**
   * Share of the hazards reported in the last {@link STATS_WINDOW_DAYS} days (rejected ones and those found
   * on patrol left out) on which someone arrived on site within {@link RESPONSE_TARGET_MINUTES} minutes; `null`
   * when there is none. Hazards reported less than the target ago and not yet answered are still
   * in time and left out.
   */
  responseRate: number | null
  /** Numerator and denominator of {@link HeadlineStats.responseRate}. */
  respondedInTime: number
  responseBase: number
}

/**
 * `overdue`, `warning` and `slaUsed` as of `now`, by the server's rule (`slaState`): the flags
 * of a list move with the clock without a reload.
 */
export function slaFlagsAt(p: HazardProperties, now: Date): Pick<HazardProperties, 'overdue' | 'warning' | 'slaUsed'> {
  const open = isOpenStatus(p.status)
  const closedAt = !open && p.closedAt ? new Date(p.closedAt) : null
  const times = { reportedAt: new Date(p.reportedAt), dueAt: new Date(p.dueAt), closedAt }
  const state = slaState(times, now)
  const total = times.dueAt.getTime() - times.reportedAt.getTime()
  const end = closedAt ?? now
  const used = total > 0 ? Math.max(0, (end.getTime() - times.reportedAt.getTime()) / total) : null
  return {
    overdue: open && state === 'overdue',
    warning: open && state === 'warning',
    slaUsed: used === null ? null : Math.round(used * 10_000) / 10_000,
  }
}

/** Computes the {@link HeadlineStats} of `features` at `now`. */
export function headlineStats(features: readonly HazardFeature[], now: Date): HeadlineStats {
  const today = startOfShanghaiDay(now).getTime()
  const windowStart = now.getTime() - STATS_WINDOW_DAYS * DAY_MS
  const targetMs = RESPONSE_TARGET_MINUTES * 60_000
  const stats: HeadlineStats = {
    open: 0,
    overdue: 0,
    warning: 0,
    reportedToday: 0,
    closedToday: 0,
    responseRate: null,
    respondedInTime: 0,
    responseBase: 0,
  }
  for (const { properties: p } of features) {
    const open = isOpenStatus(p.status)
    if (open) stats.open++
    if (open && p.overdue) stats.overdue++
    if (open && p.warning) stats.warning++
    const reported = Date.parse(p.reportedAt)
    if (reported >= today) stats.reportedToday++
    if (!open && p.closedAt && Date.parse(p.closedAt) >= today) stats.closedToday++
    // Issue 15: someone arrived on site (到场); matters found on patrol arrived at once and are counted apart.
    if (reported >= windowStart && p.status !== 'rejected' && !p.foundOnPatrol) {
      const responded = p.arrivedAt ? Date.parse(p.arrivedAt) : null
      const inTime = responded !== null && responded - reported <= targetMs
      const stillPending = responded === null && now.getTime() - reported < targetMs
      if (!stillPending) {
        stats.responseBase++
        if (inTime) stats.respondedInTime++
      }
    }
  }
  stats.responseRate = stats.responseBase > 0 ? stats.respondedInTime / stats.responseBase : null
  return stats
}

/** Hazards of one category reported in the window, and how many of them are still open. */
export interface CategoryCount {
  category: HazardCategory
  total: number
  open: number
}

/** Per-category counts of the hazards reported in the last {@link STATS_WINDOW_DAYS} days, in display order. */
export function countsByCategory(features: readonly HazardFeature[], now: Date): CategoryCount[] {
  const windowStart = now.getTime() - STATS_WINDOW_DAYS * DAY_MS
  const counts = new Map<string, CategoryCount>(
    HAZARD_CATEGORIES.map((category) => [category, { category, total: 0, open: 0 }]),
  )
  for (const { properties: p } of features) {
    if (Date.parse(p.reportedAt) < windowStart) continue
    const c = counts.get(p.category)
    if (!c) continue
    c.total++
    if (isOpenStatus(p.status)) c.open++
  }
  return [...counts.values()]
}

/** Reports per Asia/Shanghai day over the last {@link STATS_WINDOW_DAYS} days, oldest first. */
export function reportsPerDay(features: readonly HazardFeature[], now: Date): { day: Date; count: number }[] {
  const today = startOfShanghaiDay(now).getTime()
  const first = today - (STATS_WINDOW_DAYS - 1) * DAY_MS
  const days = Array.from({ length: STATS_WINDOW_DAYS }, (_, i) => ({ day: new Date(first + i * DAY_MS), count: 0 }))
  for (const { properties: p } of features) {
    const i = Math.floor((Date.parse(p.reportedAt) - first) / DAY_MS)
    const slot = days[i]
    if (slot) slot.count++
  }
  return days
}
