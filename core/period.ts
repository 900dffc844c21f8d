/**
 * Report periods (日巡查 / 周例会 / 月通报): the Asia/Shanghai day, ISO week (Monday to Sunday) or
 * month containing a date, as a half-open window of instants. China keeps UTC+8 all year.
 * Shared by the queries, the routes and the renderings of reports. Pure: no I/O.
 */

/** The periods a report covers. */
export const REPORT_PERIODS = ['day', 'week', 'month'] as const
export type ReportPeriod = (typeof REPORT_PERIODS)[number]

/** A report's window. */
export interface PeriodWindow {
  period: ReportPeriod
  /** The date asked for (YYYY-MM-DD). */
  date: string
  /** First and last local day of the period (YYYY-MM-DD, both included). */
  firstDay: string
  lastDay: string
  /** Number of local days. */
  days: number
  /** Start (included) and end (excluded) instants, ISO 8601 UTC. */
  from: string
  to: string
  /** `2026-11-25`, `2026-W48`, `2026-11`. */
  key: string
  /** Chinese title of the period: `2026年11月25日`, `2026年第48周（11月23日—11月29日）`, `2026年11月`. */
  label: string
}

const DAY_MS = 86_400_000
const SHANGHAI_OFFSET_MS = 8 * 3_600_000

/** `day` plus `n` days (YYYY-MM-DD). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10)
}

/** The instant an Asia/Shanghai local day begins. */
export function shanghaiMidnight(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - SHANGHAI_OFFSET_MS)
}

/** The Asia/Shanghai day of an instant (YYYY-MM-DD). */
export function shanghaiDate(t: Date): string {
  return new Date(t.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10)
}

/** ISO 8601 week-numbering year and week of a day. */
export function isoWeekOf(day: string): { year: number; week: number; monday: string } {
  const d = new Date(`${day}T00:00:00Z`)
  const weekday = (d.getUTCDay() + 6) % 7
  const monday = addDays(day, -weekday)
  const thursday = new Date(d.getTime() + (3 - weekday) * DAY_MS)
  const year = thursday.getUTCFullYear()
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7)
  return { year, week, monday }
}

/** Whether `date` is a real calendar day written YYYY-MM-DD. */
export function isCalendarDay(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false
  const t = Date.parse(`${date}T00:00:00Z`)
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === date
}

const md = (day: string) => `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`

/** The window of the `period` containing local day `date`. */
export function periodWindow(period: ReportPeriod, date: string): PeriodWindow {
  let firstDay: string
  let lastDay: string
  let key: string
  let label: string
  if (period === 'day') {
    firstDay = lastDay = key = date
    label = `${date.slice(0, 4)}年${md(date)}`
  } else if (period === 'week') {
    const w = isoWeekOf(date)
    firstDay = w.monday
    lastDay = addDays(w.monday, 6)
    key = `${w.year}-W${String(w.week).padStart(2, '0')}`
    label = `${w.year}年第${w.week}周（${md(firstDay)}—${md(lastDay)}）`
  } else {
    const y = Number(date.slice(0, 4))
    const m = Number(date.slice(5, 7))
    firstDay = `${date.slice(0, 7)}-01`
    lastDay = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10)
    key = date.slice(0, 7)
    label = `${y}年${m}月`
  }
  const days = Math.round((Date.parse(`${lastDay}T00:00:00Z`) - Date.parse(`${firstDay}T00:00:00Z`)) / DAY_MS) + 1
  return {
    period,
    date,
    firstDay,
    lastDay,
    days,
    from: shanghaiMidnight(firstDay).toISOString(),
    to: shanghaiMidnight(addDays(lastDay, 1)).toISOString(),
    key,
    label,
  }
}
