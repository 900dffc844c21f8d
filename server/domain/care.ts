/**
 * The care calendar (每日两访): each household's visits per Asia/Shanghai day judged against its rule.
 *
 * - A daily rule (`visitsPerDay`): a past day is `done` with enough visits, `partial` with some, `missed` with
 *   none; its misses are the visits short. Today is `done` or `open` (never a miss before the day ends).
 * - A weekly rule (`visitsPerWeek`): days are `done` with a visit, else `none`; each Monday–Sunday week that lies
 *   wholly in the window and has ended is judged as a whole, its misses the visits short.
 * - Days before the household was registered are `none` and never missed.
 *
 * Pure functions: no database, no HTTP.
 */
import type { CareDayState } from '../../core/care.ts'
import type { CareGroup } from '../../core/org.ts'
import { shanghaiDate } from '../../core/period.ts'

/** The Asia/Shanghai day of an instant (YYYY-MM-DD). */
export const shanghaiDay = (t: Date): string => shanghaiDate(t)

/** One household × day of the calendar query. */
export interface CalendarRow {
  residentId: number
  communityId: number
  name: string
  group: CareGroup
  visitsPerDay: number | null
  visitsPerWeek: number | null
  /** The day it was registered (YYYY-MM-DD). */
  since: string
  day: string
  visits: number
}

/** One day of one household. */
export interface CareDay {
  date: string
  visits: number
  /** Visits the rule asks for that day (0 under a weekly rule). */
  due: number
  state: CareDayState
  /** Visits short of the rule that day (past days only). */
  missed: number
}

/** One household's row of the calendar. */
export interface CareCalendarHousehold {
  residentId: number
  communityId: number
  name: string
  group: CareGroup
  visitsPerDay: number | null
  visitsPerWeek: number | null
  days: CareDay[]
  /** Weeks judged under a weekly rule: Monday, visits, due, missed. */
  weeks: { from: string; visits: number; due: number; missed: number }[]
  visits: number
  /** Visits the rule asked for over the judged days (today included when complete). */
  due: number
  missed: number
}

/** The calendar (`GET /api/care/calendar`). */
export interface CareCalendar {
  days: string[]
  today: string
  households: CareCalendarHousehold[]
  /** Households with every judged day complete, and totals. */
  summary: { households: number; visits: number; due: number; missed: number; householdsMissed: number }
}

const dayNumber = (day: string): number => Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000)
/** Monday of the week of a day (YYYY-MM-DD). */
export function mondayOf(day: string): string {
  const n = dayNumber(day)
  const weekday = (n + 3) % 7 // 1970-01-01 was a Thursday: 0 = Monday
  return new Date((n - weekday) * 86_400_000).toISOString().slice(0, 10)
}

/** Judge the rows of the calendar query (ordered by household, then day) against each household's rule. */
export function careCalendar(rows: readonly CalendarRow[], today: string): CareCalendar {
  const byHousehold = new Map<number, CalendarRow[]>()
  for (const row of rows) {
    const list = byHousehold.get(row.residentId) ?? []
    list.push(row)
    byHousehold.set(row.residentId, list)
  }
  const days = [...new Set(rows.map((r) => r.day))].sort()
  const households: CareCalendarHousehold[] = []
  for (const list of byHousehold.values()) {
    const first = list[0]!
    const out: CareDay[] = list.map((r) => {
      if (r.day < r.since) return { date: r.day, visits: r.visits, due: 0, state: 'none', missed: 0 }
      if (r.visitsPerDay !== null) {
        const due = r.visitsPerDay
        if (r.visits >= due) return { date: r.day, visits: r.visits, due, state: 'done', missed: 0 }
        if (r.day >= today) return { date: r.day, visits: r.visits, due, state: 'open', missed: 0 }
        return { date: r.day, visits: r.visits, due, state: r.visits > 0 ? 'partial' : 'missed', missed: due - r.visits }
      }
      return { date: r.day, visits: r.visits, due: 0, state: r.visits > 0 ? 'done' : 'none', missed: 0 }
    })
    const weeks: CareCalendarHousehold['weeks'] = []
    if (first.visitsPerWeek !== null && days.length > 0) {
      const firstDay = days[0]!
      for (const d of out) {
        const monday = mondayOf(d.date)
        const sunday = new Date((dayNumber(monday) + 6) * 86_400_000).toISOString().slice(0, 10)
        if (d.date !== monday || monday < firstDay || sunday >= today || monday < first.since) continue
        const visits = out.filter((x) => x.date >= monday && x.date <= sunday).reduce((n, x) => n + x.visits, 0)
        weeks.push({ from: monday, visits, due: first.visitsPerWeek, missed: Math.max(0, first.visitsPerWeek - visits) })
      }
    }
    const visits = out.reduce((n, d) => n + d.visits, 0)
    const due = first.visitsPerDay !== null ? out.filter((d) => d.state !== 'none' && d.state !== 'open').reduce((n, d) => n + d.due, 0) : weeks.reduce((n, w) => n + w.due, 0)
    const missed = out.reduce((n, d) => n + d.missed, 0) + weeks.reduce((n, w) => n + w.missed, 0)
    households.push({
      residentId: first.residentId,
      communityId: first.communityId,
      name: first.name,
      group: first.group,
      visitsPerDay: first.visitsPerDay,
      visitsPerWeek: first.visitsPerWeek,
      days: out,
      weeks,
      visits,
      due,
      missed,
    })
  }
  return {
    days,
    today,
    households,
    summary: {
      households: households.length,
      visits: households.reduce((n, h) => n + h.visits, 0),
      due: households.reduce((n, h) => n + h.due, 0),
      missed: households.reduce((n, h) => n + h.missed, 0),
      householdsMissed: households.filter((h) => h.missed > 0).length,
    },
  }
}
