/**
 * The figures the command centre reports (统计): totals by status, category and severity, the
 * response and closure rates against their targets, overdue hazards, medians, and daily trends.
 */
import type { Sql } from '../db/connect.ts'
import {
  CATEGORIES,
  CLOSED_STATUSES,
  LEVELS,
  MATTER_TYPES,
  RESPONSE_TARGET_MINUTES,
  SEVERITIES,
  STATUSES,
  type Category,
  type Status,
} from '../../core/matters.ts'
import { analysisCommunity, hazardWhere, type AnalysisWindow } from './analysis.ts'
import { scopeTargets } from './targets.ts'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'
import type postgres from 'postgres'
import type { Queryable } from '../db/connect.ts'

/** The time zone whose calendar days the trend counts in. */
export const TREND_TIME_ZONE = 'Asia/Shanghai'

/** What a statistics query asks. */
export interface StatsQuery {
  communityIds: number[] | null
  communityId?: number | undefined
  from?: string | undefined
  to?: string | undefined
  /** Only these categories (an addition to the contract; all when absent). */
  category?: Category[] | undefined
  /** Only the matters handed to this partner unit (a partner account's own figures). */
  unitId?: number | null | undefined
  /** Leave leads out (the caller may not see them: core/matters.ts `seesLeads`). */
  hideLeads?: boolean | undefined
}

/**
 * How a partner unit (共建单位) did with the matters handed to it (hazards.unit_id) among those reported in the
 * window: `handed`, `responded` (someone arrived on site within 7 minutes of the report — contract v2: response
 * time = reportedAt → arrivedAt, the same rule as `/api/stats` responseRate; a move into 整改中 at a desk is not a
 * response), `responseBase` (the handed ones the 7-minute rate is over: not found on patrol, and not still within
 * their first 7 minutes unreached), `closed` (verified), `onTime` (verified by `dueAt`); `responseRate` =
 * responded / responseBase, `closureRate` = closed / handed (null when there is nothing to take a share of).
 */
export interface UnitRate {
  unitId: number
  name: string
  kind: string
  handed: number
  responded: number
  responseBase: number
  closed: number
  onTime: number
  responseRate: number | null
  closureRate: number | null
}

/**
 * The per-unit rates over the hazards (alias `h`) that `where` selects, set-based in one query: every unit
 * that was handed one of them, and every active unit serving `communityIds` (null = all) with zeros;
 * with `unitId`, that unit only.
 */
export async function unitRates(sql: Queryable, where: postgres.Fragment, communityIds: number[] | null, unitId: number | null = null): Promise<UnitRate[]> {
  const rows = await sql<Omit<UnitRate, 'responseRate' | 'closureRate'>[]>`
    with h as (select h.unit_id, h.status, h.reported_at, h.arrived_at, h.found_on_patrol, h.closed_at, h.due_at from hazards h where ${where} and h.unit_id is not null),
    u as (
      select pu.id, pu.name, pu.kind from partner_units pu
      where (pu.id in (select unit_id from h)
             or (pu.active and exists (select 1 from partner_unit_communities pc where pc.unit_id = pu.id
                   and ${communityIds === null ? sql`true` : sql`pc.community_id = any(${communityIds}::bigint[])`})))
        and ${unitId === null ? sql`true` : sql`pu.id = ${unitId}`}
    )
    select u.id::int as "unitId", u.name, u.kind,
           count(h.unit_id)::int as handed,
           count(*) filter (where h.unit_id is not null and ${arrivedInTime(sql)})::int as responded,
           count(*) filter (where h.unit_id is not null and ${responseBase(sql)})::int as "responseBase",
           count(*) filter (where h.status = 'verified')::int as closed,
           count(*) filter (where h.status = 'verified' and h.closed_at <= h.due_at)::int as "onTime"
    from u left join h on h.unit_id = u.id
    group by u.id, u.name, u.kind
    order by u.id`
  return rows.map((r) => ({ ...r, responseRate: share(r.responded, r.responseBase), closureRate: share(r.closed, r.handed) }))
}

/** `GET /api/stats`. Rates are shares 0..1 (null when there is no hazard); medians null when nothing to take one of. */
export interface HazardStats extends z.infer<typeof Schemas.Stats> {
  window: AnalysisWindow
  communityId: number | null
  /** Hazards left out as not a hazard. */
  rejected: number
  /** How each partner unit did with the matters handed to it ({@link UnitRate}). */
  byUnit: UnitRate[]
}

const OPEN_KEYS = STATUSES.filter((s): s is Exclude<Status, 'rejected' | 'pending_review'> => s !== 'rejected' && s !== 'pending_review')

function zeros<K extends string>(keys: readonly K[], found: Record<string, number> | null): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, found?.[k] ?? 0])) as Record<K, number>
}

const share = (n: number, total: number): number | null => (total === 0 ? null : n / total)

/**
 * The matters the 7-minute rate is over (SQL over alias `h`, issue 15): those not found on patrol (a patrol member's
 * own report arrived at once and is counted apart), less those reported under 7 minutes ago that nobody reached yet
 * (still in time).
 */
export const responseBase = (sql: Queryable): postgres.Fragment => sql`not h.found_on_patrol
  and not (h.arrived_at is null and now() - h.reported_at < make_interval(mins => ${RESPONSE_TARGET_MINUTES}))`

/** Among {@link responseBase}: someone arrived on site (到场) within 7 minutes of the report. */
export const arrivedInTime = (sql: Queryable): postgres.Fragment => sql`not h.found_on_patrol and h.arrived_at is not null
  and h.arrived_at - h.reported_at <= make_interval(mins => ${RESPONSE_TARGET_MINUTES})`

/**
 * The statistics of the hazards reported in [from, to) in the community asked for (or every
 * community the caller may see), of the categories asked for (or all), rejected ones left out: counts, responseRate, closureRate,
 * onTimeClosureRate (all over the total), overdue (open past due now), median response minutes and
 * median hours to close (percentile_cont(0.5) over the responded / verified ones).
 */
export async function hazardStats(sql: Sql, q: StatsQuery): Promise<HazardStats> {
  if (q.communityId !== undefined) await analysisCommunity(sql, q.communityIds, q.communityId)
  const scope = { communityIds: q.communityIds, communityId: q.communityId, from: q.from, to: q.to, category: q.category, unitId: q.unitId, hideLeads: q.hideLeads }
  const where = hazardWhere(sql, scope)
  const closed = CLOSED_STATUSES as Status[]
  const [row] = await sql<
    {
      total: number
      respondedInTime: number
      responseBase: number
      foundOnPatrol: number
      fixedOnSpot: number
      verified: number
      verifiedOnTime: number
      overdue: number
      medianResponseMinutes: number | null
      medianHoursToClose: number | null
      byStatus: Record<string, number> | null
      byCategory: Record<string, number> | null
      bySeverity: Record<string, number> | null
      byLevel: Record<string, number> | null
      byType: Record<string, number> | null
      escalated: number
      rejected: number
      pendingReview: number
    }[]
  >`
    with h as (select h.* from hazards h where ${where})
    select
      count(*)::int as total,
      count(*) filter (where ${arrivedInTime(sql)})::int as "respondedInTime",
      count(*) filter (where ${responseBase(sql)})::int as "responseBase",
      count(*) filter (where h.found_on_patrol)::int as "foundOnPatrol",
      count(*) filter (where h.fixed_on_spot)::int as "fixedOnSpot",
      count(*) filter (where h.status = 'verified')::int as verified,
      count(*) filter (where h.status = 'verified' and h.closed_at <= h.due_at)::int as "verifiedOnTime",
      count(*) filter (where h.status <> all(${closed}::text[]) and h.due_at < now())::int as overdue,
      percentile_cont(0.5) within group (order by extract(epoch from h.arrived_at - h.reported_at) / 60)
        filter (where h.arrived_at is not null and not h.found_on_patrol) as "medianResponseMinutes",
      percentile_cont(0.5) within group (order by extract(epoch from h.closed_at - h.reported_at) / 3600)
        filter (where h.status = 'verified') as "medianHoursToClose",
      (select jsonb_object_agg(s.status, s.n) from (select status, count(*)::int as n from h group by status) s) as "byStatus",
      (select jsonb_object_agg(s.category, s.n) from (select category, count(*)::int as n from h group by category) s) as "byCategory",
      (select jsonb_object_agg(s.severity, s.n) from (select severity, count(*)::int as n from h group by severity) s) as "bySeverity",
      (select jsonb_object_agg(s.level, s.n) from (select level, count(*)::int as n from h group by level) s) as "byLevel",
      (select jsonb_object_agg(s.type, s.n) from (select type, count(*)::int as n from h group by type) s) as "byType",
      count(*) filter (where h.escalations > 0)::int as escalated,
      (select count(*)::int from hazards h
        where ${hazardWhere(sql, { ...scope, status: ['rejected'] })}) as rejected,
      (select count(*)::int from hazards h
        where ${hazardWhere(sql, { ...scope, status: ['pending_review'] })}) as "pendingReview"
    from h`
  const r = row!
  const num = (v: number | string | null): number | null => (v === null ? null : Number(v))
  return {
    window: { from: q.from ?? null, to: q.to ?? null },
    communityId: q.communityId ?? null,
    targets: await scopeTargets(sql, q.communityIds, q.communityId),
    hazards: {
      total: r.total,
      byStatus: zeros(OPEN_KEYS, r.byStatus),
      byCategory: zeros(CATEGORIES, r.byCategory),
      bySeverity: zeros(SEVERITIES, r.bySeverity),
      byLevel: zeros(LEVELS, r.byLevel),
      byType: zeros(MATTER_TYPES, r.byType),
      escalated: r.escalated,
    },
    escalatedRate: share(r.escalated, r.total),
    responseRate: share(r.respondedInTime, r.responseBase),
    arrivedInTime: r.respondedInTime,
    responseBase: r.responseBase,
    foundOnPatrol: r.foundOnPatrol,
    foundOnPatrolShare: share(r.foundOnPatrol, r.total),
    fixedOnSpot: r.fixedOnSpot,
    closureRate: share(r.verified, r.total),
    onTimeClosureRate: share(r.verifiedOnTime, r.total),
    overdue: r.overdue,
    medianResponseMinutes: num(r.medianResponseMinutes),
    medianHoursToClose: num(r.medianHoursToClose),
    rejected: r.rejected,
    pendingReview: r.pendingReview,
    // 未闭环: the open ones among those counted, and the residents' reports still waiting for review (待核实).
    notClosed: r.total - r.verified + r.pendingReview,
    byUnit: await unitRates(sql, where, q.communityId !== undefined ? [q.communityId] : q.communityIds, q.unitId ?? null),
  }
}

/** What a trend query asks. */
export interface TrendQuery {
  communityIds: number[] | null
  communityId?: number | undefined
  /** Days up to and including today (Asia/Shanghai). */
  days: number
  category?: Category[] | undefined
  /** Only the matters handed to this partner unit. */
  unitId?: number | null | undefined
}

/** `GET /api/stats/trend`: hazards reported per Asia/Shanghai day and category (rejected left out). */
export interface HazardTrend {
  timeZone: typeof TREND_TIME_ZONE
  communityId: number | null
  /** The days, oldest first, as YYYY-MM-DD. */
  days: string[]
  /** Start of the first day and end of the last (exclusive), ISO 8601. */
  from: string
  to: string
  /** One series per category asked for (all when none), counts aligned with `days`. */
  series: { category: Category; counts: number[]; total: number }[]
  /** All the series' categories together, per day. */
  total: number[]
}

/**
 * Daily counts of hazards reported per category over the last `days` days (today included), days
 * cut at Asia/Shanghai midnight; rejected hazards and the other kinds of matters (type ≠ hazard) left out.
 */
export async function hazardTrend(sql: Sql, q: TrendQuery): Promise<HazardTrend> {
  if (q.communityId !== undefined) await analysisCommunity(sql, q.communityIds, q.communityId)
  const [span] = await sql<{ first: string; from: Date; to: Date }[]>`
    with t as (select (now() at time zone ${TREND_TIME_ZONE})::date as today)
    select to_char(t.today - ${q.days - 1}::int, 'YYYY-MM-DD') as first,
           ((t.today - ${q.days - 1}::int)::timestamp at time zone ${TREND_TIME_ZONE}) as "from",
           ((t.today + 1)::timestamp at time zone ${TREND_TIME_ZONE}) as "to"
    from t`
  const from = span!.from.toISOString()
  const to = span!.to.toISOString()
  const rows = await sql<{ day: string; category: Category; n: number }[]>`
    select to_char((h.reported_at at time zone ${TREND_TIME_ZONE})::date, 'YYYY-MM-DD') as day, h.category, count(*)::int as n
    from hazards h
    where ${hazardWhere(sql, { communityIds: q.communityIds, communityId: q.communityId, from, to, category: q.category, unitId: q.unitId })}
      and h.type = 'hazard'
    group by 1, 2`
  const first = Date.parse(`${span!.first}T00:00:00Z`)
  const days = Array.from({ length: q.days }, (_, k) => new Date(first + k * 86_400_000).toISOString().slice(0, 10))
  const index = new Map(days.map((d, k) => [d, k]))
  const categories = q.category?.length ? CATEGORIES.filter((c) => q.category!.includes(c)) : [...CATEGORIES]
  const series = categories.map((category) => ({ category, counts: new Array<number>(q.days).fill(0), total: 0 }))
  const byCategory = new Map(series.map((s) => [s.category, s]))
  const total = new Array<number>(q.days).fill(0)
  for (const r of rows) {
    const k = index.get(r.day)
    const s = byCategory.get(r.category)
    if (k === undefined || !s) continue
    s.counts[k] = (s.counts[k] ?? 0) + r.n
    s.total += r.n
    total[k] = (total[k] ?? 0) + r.n
  }
  return { timeZone: TREND_TIME_ZONE, communityId: q.communityId ?? null, days, from, to, series, total }
}
