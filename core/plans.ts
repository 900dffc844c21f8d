/**
 * Patrol plans (巡查计划) shared by the server and the web app: the repeat rule and the windows
 * ("occurrences") a plan runs in. Pure: no I/O. Local times are Asia/Shanghai (UTC+8, no daylight
 * saving), like the reports.
 */
export { PLAN_TYPES, type PlanType } from './org.ts'
export { PLAN_TYPE_TERMS } from './terms.ts'

/** A weekly repeat: ISO weekdays (1 = Monday … 7 = Sunday) and local start and end times `HH:MM`. */
export interface PlanRepeat {
  weekdays: number[]
  /** Local start, `HH:MM`. */
  start: string
  /** Local end, `HH:MM`; at or before `start` = the next day (a night patrol 22:00–02:00). */
  end: string
}

/** The times of a plan: one window [from, to), or, with `repeat`, the repeat inside [from, to). */
export interface PlanTimes {
  from: string
  to: string
  repeat: PlanRepeat | null
}

/** One window a plan runs in. */
export interface Occurrence {
  from: string
  to: string
}

/** Most occurrences listed for one window (a daily plan over 92 days). */
export const MAX_OCCURRENCES = 200

const OFFSET_MS = 8 * 3_600_000
const DAY_MS = 86_400_000

/** `HH:MM` (00:00–23:59). */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/

/** Minutes after local midnight of `HH:MM`. */
export function minutesOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number)
  return (h ?? 0) * 60 + (m ?? 0)
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a local-midnight epoch (ms, UTC+8 shifted). */
function weekdayOfLocal(localMidnight: number): number {
  const d = new Date(localMidnight).getUTCDay()
  return d === 0 ? 7 : d
}

/**
 * The windows a plan runs in that overlap [from, to) (the whole plan when omitted), oldest first,
 * each clipped to neither the plan nor the window: a one-window plan gives its window; a repeating
 * plan gives each local day of its span whose weekday is in the rule, from `start` to `end`, kept
 * when the occurrence starts inside the plan's span. At most {@link MAX_OCCURRENCES}.
 */
export function occurrences(plan: PlanTimes, window?: { from: string; to: string }): Occurrence[] {
  const lo = window ? Date.parse(window.from) : -Infinity
  const hi = window ? Date.parse(window.to) : Infinity
  const pFrom = Date.parse(plan.from)
  const pTo = Date.parse(plan.to)
  if (!plan.repeat) return pFrom < hi && pTo > lo ? [{ from: new Date(pFrom).toISOString(), to: new Date(pTo).toISOString() }] : []
  const start = minutesOfDay(plan.repeat.start) * 60_000
  let length = minutesOfDay(plan.repeat.end) * 60_000 - start
  if (length <= 0) length += DAY_MS
  const out: Occurrence[] = []
  // Local midnights from the day before the span (an overnight occurrence of that day may reach in).
  let day = Math.floor((Math.max(pFrom, lo - DAY_MS) + OFFSET_MS) / DAY_MS) * DAY_MS - DAY_MS
  const lastDay = Math.min(pTo, hi) + OFFSET_MS
  for (; day <= lastDay && out.length < MAX_OCCURRENCES; day += DAY_MS) {
    if (!plan.repeat.weekdays.includes(weekdayOfLocal(day))) continue
    const oFrom = day - OFFSET_MS + start
    const oTo = oFrom + length
    if (oFrom < pFrom || oFrom >= pTo) continue
    if (oFrom < hi && oTo > lo) out.push({ from: new Date(oFrom).toISOString(), to: new Date(oTo).toISOString() })
  }
  return out
}

/** Whether the plan runs at `t` (epoch ms). */
export function runsAt(plan: PlanTimes, t: number): boolean {
  return occurrences(plan, { from: new Date(t).toISOString(), to: new Date(t + 1).toISOString() }).length > 0
}
