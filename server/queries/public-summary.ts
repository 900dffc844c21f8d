/**
 * The public monthly summary (公示, issue 15): what a community's matters of one month came to, for notice boards
 * and WeChat groups — counts by kind, category, level and grid, the closed rate, the average handling time and
 * the residents' satisfaction. Counts only: no names, phones, descriptions, places or ids of matters. Leads
 * (治安线索) are left out entirely, as are declined reports and those still waiting for review.
 */
import type { z } from 'zod'
import type { Queryable } from '../db/connect.ts'
import { LEVELS, MATTER_TYPES, type Level, type MatterType } from '../../core/matters.ts'
import { periodWindow } from '../../core/period.ts'
import type * as Schemas from '../openapi/schemas.ts'

/** `GET /api/public/summary`. */
export type PublicSummary = z.infer<typeof Schemas.PublicSummary>

/** The kinds a public summary shows: every kind but leads (治安线索 are for the police and the command centre). */
export const PUBLIC_SUMMARY_TYPES: readonly Exclude<MatterType, 'lead'>[] = MATTER_TYPES.filter((t): t is Exclude<MatterType, 'lead'> => t !== 'lead')

/** The community a public code names, or undefined. */
export async function communityByPublicCode(sql: Queryable, code: string): Promise<{ id: number; name: string; nameEn: string | null } | undefined> {
  const [row] = await sql<{ id: number; name: string; nameEn: string | null }[]>`
    select id::int, name, name_en as "nameEn" from communities where public_code = ${code}`
  return row
}

/**
 * The summary of `month` (YYYY-MM, Asia/Shanghai) for a community: the matters reported in the month (declined,
 * waiting for review and leads left out), closed = verified by now, the average hours from report to close over
 * the closed ones, the ratings given in the month, residents' reports made in it, and the count per grid (the
 * grid that covered the matter when it was reported, by the name it had then).
 */
export async function publicSummary(sql: Queryable, community: { id: number; name: string; nameEn: string | null }, month: string): Promise<PublicSummary> {
  const w = periodWindow('month', `${month}-01`)
  const [row] = await sql<
    {
      total: number
      closed: number
      avgHours: number | string | null
      byType: Record<string, number> | null
      byCategory: Record<string, number> | null
      byLevel: Record<string, number> | null
      byGrid: { name: string | null; count: number }[] | null
      rated: number
      satisfied: number
      basically: number
      unsatisfied: number
      residentReports: number
    }[]
  >`
    with h as (
      select h.id, h.type, h.category, h.level, h.status, h.reported_at, h.closed_at, h.geom from hazards h
      where h.community_id = ${community.id} and h.type <> 'lead'
        and h.status <> all(array['rejected', 'pending_review'])
        and h.reported_at >= ${w.from}::timestamptz and h.reported_at < ${w.to}::timestamptz
    ), g as (
      select h.rating from hazards h
      where h.community_id = ${community.id} and h.type <> 'lead' and h.rating is not null
        and h.rated_at >= ${w.from}::timestamptz and h.rated_at < ${w.to}::timestamptz
    ), z as (
      select zh.name, count(*)::int as n from h
      left join zone_history zh on zh.id = zone_history_at(h.geom, ${community.id}, h.reported_at)
      group by zh.name
    )
    select
      (select count(*)::int from h) as total,
      (select count(*)::int from h where h.status = 'verified') as closed,
      (select avg(extract(epoch from h.closed_at - h.reported_at) / 3600) from h where h.status = 'verified') as "avgHours",
      (select jsonb_object_agg(s.type, s.n) from (select type, count(*)::int as n from h group by type) s) as "byType",
      (select jsonb_object_agg(s.category, s.n) from (select category, count(*)::int as n from h group by category) s) as "byCategory",
      (select jsonb_object_agg(s.level, s.n) from (select level, count(*)::int as n from h group by level) s) as "byLevel",
      (select json_agg(json_build_object('name', z.name, 'count', z.n)) from z) as "byGrid",
      (select count(*)::int from g) as rated,
      (select count(*)::int from g where g.rating = 'satisfied') as satisfied,
      (select count(*)::int from g where g.rating = 'basically') as basically,
      (select count(*)::int from g where g.rating = 'unsatisfied') as unsatisfied,
      (select count(*)::int from hazards r where r.community_id = ${community.id} and r.source = 'resident'
         and r.reported_at >= ${w.from}::timestamptz and r.reported_at < ${w.to}::timestamptz) as "residentReports"`
  const r = row!
  const share = (n: number, of: number): number | null => (of === 0 ? null : n / of)
  const byCategory = Object.entries(r.byCategory ?? {})
    .map(([category, count]) => ({ category, count }))
    .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category))
  return {
    community: { name: community.name, nameEn: community.nameEn },
    month,
    label: w.label,
    from: w.from,
    to: w.to,
    total: r.total,
    byType: Object.fromEntries(PUBLIC_SUMMARY_TYPES.map((t) => [t, r.byType?.[t] ?? 0])) as Record<Exclude<MatterType, 'lead'>, number>,
    byCategory,
    byLevel: Object.fromEntries(LEVELS.map((l) => [l, r.byLevel?.[l] ?? 0])) as Record<Level, number>,
    closed: r.closed,
    closedRate: share(r.closed, r.total),
    averageHandlingHours: r.avgHours === null ? null : Number(r.avgHours),
    satisfaction: {
      rated: r.rated,
      satisfied: r.satisfied,
      basically: r.basically,
      unsatisfied: r.unsatisfied,
      rate: share(r.satisfied + r.basically, r.rated),
    },
    residentReports: r.residentReports,
    // By name as people read it (第2网格 before 第10网格), outside every grid last.
    byGrid: (r.byGrid ?? [])
      .map((g) => ({ name: g.name, count: g.count }))
      .sort((a, b) => (a.name === null ? 1 : b.name === null ? -1 : a.name.localeCompare(b.name, 'zh-CN', { numeric: true }))),
  }
}
