/**
 * The patrol and hazard report (日巡查 / 周例会 / 月通报): every figure of `GET /api/reports/:period`,
 * one section at a time (a `*Section` function each; add a section as a function and one line in
 * {@link buildReport}), from the other queries — statistics (stats.ts), zones as they stood during the
 * period (zone-history.ts `periodZones`, SQL `zone_at`), patrol coverage and the weekly rule
 * (coverage.ts, db/functions/coverage.sql), hot spots and recurrences (analysis.ts), map layers
 * (layers.ts, hazards.ts, tracks.ts) — plus the few counts only a report needs (closed and overdue in
 * the period, by category and by zone). Every section covers all the report's communities in one
 * query. Rendering lives in server/reports/.
 */
import type { Sql } from '../db/connect.ts'
import type { Targets } from '../../core/terms.ts'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'
import { CATEGORIES, LEVELS, MATTER_TYPES, type Category, type Level, type MatterType, type Severity, type Status } from '../../core/matters.ts'
import { cleanPlaceName, readableAddress } from '../../core/address.ts'
import { Problem } from '../problem.ts'
import { addDays, isoWeekOf, periodWindow, shanghaiDate, type PeriodWindow, type ReportPeriod } from '../../core/period.ts'
import { MIN_HAZARDS } from '../domain/gistar.ts'
import { analysisCommunity, hazardRecurrences, hazardWhere, hotspotGrid, type HotspotFeature } from './analysis.ts'
import { listCommunities, type CommunityRow } from './communities.ts'
import { calendarOf, compoundDays, dayRange, type CompoundDayRow, type CoverageCount } from './coverage.ts'
import { listHazardsGeoJson } from './hazards.ts'
import { layerGeoJson } from './layers.ts'
import { arrivedInTime, hazardStats, type UnitRate } from './stats.ts'
import { listTracksGeoJson } from './tracks.ts'
import { periodZones, type PeriodZone } from './zone-history.ts'
import { pointsRanking, type RankingRow } from './points.ts'

/** One community's care visits in the period (households under a daily rule are judged day by day, up to yesterday). */
export interface CareSummaryRow {
  communityId: number
  communityName: string
  households: number
  visits: number
  due: number
  missed: number
  /** Households with at least one missed visit. */
  householdsMissed: number
}


/** Radius (m) within which a track counts as a visit, as `GET /api/analysis/coverage` defaults. */
export const REPORT_RADIUS_M = 30
/** Hexagon edge (m) of the report's hot-spot analysis. */
export const REPORT_HOTSPOT_CELL_M = 100
/** Rows of the "top" tables. */
export const REPORT_TOP_N = 10

/** What a report asks. */
export interface ReportQuery {
  communityIds: number[] | null
  communityId?: number | undefined
  period: ReportPeriod
  /** Any local day (YYYY-MM-DD) of the period. */
  date: string
  /** The report's "now" (default: the database's clock). */
  now?: Date
  /** Leave leads out (the caller may not see them: core/matters.ts `seesLeads`). */
  hideLeads?: boolean | undefined
}

/** Found / closed / overdue counts of one row of a table. */
export interface FlowCounts {
  /** Reported in the period (rejected ones left out). */
  found: number
  /** Verified (closed) in the period, whenever found. */
  closed: number
  /** Due in the period (and by now) but not verified by the due time. */
  overdue: number
}

/** A GeoJSON geometry as the map needs it. */
export interface Geometry {
  type: string
  coordinates: unknown
}

/** One row of the by-zone table. */
export interface ZoneRow extends FlowCounts {
  communityId: number
  communityName: string
  zoneId: number
  name: string
  assigneeName: string | null
  /** The zone's area (m²) as it stood in the period (its latest version then). */
  areaM2: number
}

/** One row of the coverage by zone table. */
export interface CoverageZoneRow {
  communityName: string
  zoneId: number
  name: string
  teamName: string | null
  assigneeName: string | null
  buildings: CoverageCount
  keyPlaces: CoverageCount
}

/** One row of the coverage by team table. */
export interface CoverageTeamRow {
  communityName: string
  teamName: string
  zones: string[]
  buildings: CoverageCount
  keyPlaces: CoverageCount
}

/** One ISO week of the weekly coverage rule (每周覆盖). */
export interface WeeklyRuleRow {
  communityName: string
  week: string
  /** First and last local day looked at (the week's Monday, and its Sunday or the period's end / today). */
  from: string
  to: string
  days: number
  compounds: number
  patrolled: number
  /** Compounds not patrolled that week. */
  breaking: string[]
  met: boolean
}

/** One hot spot (a hexagon cell). */
export interface HotspotRow {
  communityName: string
  cellId: string
  count: number
  giZ: number | null
  /** 3/2/1 = hot spot at 99/95/90 %, 0 = not significant (or too few hazards to tell). */
  confidence: number
  /** The compound, or the nearest named building, at the cell's centre. */
  place: string | null
  lon: number
  lat: number
}

/** One of the buildings with the most hazards. */
export interface TopPlaceRow {
  communityName: string
  buildingId: number
  place: string
  count: number
  open: number
  categories: Partial<Record<Category, number>>
}

/** One recurrence (反弹). */
export interface RecurrenceRow {
  communityName: string
  hazardId: number
  earlierId: number
  category: Category
  reportedAt: string
  distanceM: number
  /** Hazards of this category within the radius reported in the period. */
  count: number
  place: string | null
}

/**
 * The residents' voice in a period (人人都是安全员, 件件有回音; issue 15), as the period stood at its end (or now, for
 * the current one): their reports made in the period and how fast each got its first answer — the command
 * centre's review (accept or decline) — and the ratings given in the period.
 */
export type ResidentFigures = z.infer<typeof Schemas.ResidentFigures>

/** Per-day found and closed counts. */
export interface DayRow {
  day: string
  found: number
  closed: number
}

/** The whole report. */
export interface ReportData {
  window: PeriodWindow
  generatedAt: string
  scope: { districtName: string | null; communities: { id: number; name: string; nameEn: string | null }[] }
  /** The community's own targets (one community) or the defaults (several), with the report's own measures. */
  targets: Targets & { radiusM: number; hotspotCellM: number }
  headline: {
    found: number
    closed: number
    overdue: number
    /** Found in the period, still open and past due now. */
    overdueOpenNow: number
    rejected: number
    respondedInTime: number
    responseRate: number | null
    medianResponseMinutes: number | null
    verifiedOnTime: number
    onTimeClosureRate: number | null
    closureRate: number | null
    medianHoursToClose: number | null
    recurrences: number
    /** 未闭环: found in the period and neither verified nor rejected now, the reports still waiting for review (待核实) included. */
    notClosed: number
    /** Residents' reports made in the period and still waiting for review (待核实) now. */
    pendingReview: number
    /** Found in the period and escalated at least once (升级). */
    escalated: number
    /** `escalated` over `found` (null when nothing was found). */
    escalatedRate: number | null
    buildings: CoverageCount
    keyPlaces: CoverageCount
    /** Weeks × compounds meeting the weekly rule. */
    weeklyRule: { weeks: number; met: number; compoundWeeks: number; compoundWeeksMet: number; coverage: number | null }
  }
  byCategory: (FlowCounts & { category: Category })[]
  bySeverity: (FlowCounts & { severity: Severity })[]
  /** By handling level (办理层级, the level now); `escalated` = found in the period and escalated. */
  byLevel: (FlowCounts & { level: Level; escalated: number })[]
  /** By kind of matter (事项类型). */
  byType: (FlowCounts & { type: MatterType })[]
  byZone: ZoneRow[]
  unzoned: FlowCounts
  byDay: DayRow[]
  coverageByZone: CoverageZoneRow[]
  coverageByTeam: CoverageTeamRow[]
  weeklyRule: WeeklyRuleRow[]
  hotspots: HotspotRow[]
  topPlaces: TopPlaceRow[]
  recurrences: RecurrenceRow[]
  /** How each partner unit (共建单位) did with the matters reported in the period and handed to it. */
  byUnit: UnitRate[]
  /** Residents' reports, their answer times and the satisfaction rate ({@link ResidentFigures}). */
  residents: ResidentFigures
  /** Care visits (每日两访) in the period: households under care, visits due and done, misses (issue 17). */
  care: CareSummaryRow[]
  /** The month's points ranking (最美巡逻队员 candidates); empty for days and weeks (issue 17). */
  pointsRanking: RankingRow[]
  notes: string[]
  map: {
    communities: Geometry[]
    zones: { name: string; geometry: Geometry }[]
    buildings: Geometry[]
    roads: Geometry[]
    hazards: { lon: number; lat: number; severity: Severity; status: Status }[]
    tracks: Geometry[]
    unvisited: Geometry[]
    hotspots: { confidence: number; geometry: Geometry }[]
  }
}

interface HazardRow {
  id: number
  communityId: number
  category: Category
  severity: Severity
  level: Level
  type: MatterType
  escalated: boolean
  status: Status
  zoneId: number | null
  found: boolean
  closed: boolean
  overdue: boolean
  reportedDay: string
  closedDay: string | null
}

type FeatureCollectionOf<P> = { features: { id: number | string; geometry: Geometry; properties: P }[] }

const zero = (): FlowCounts => ({ found: 0, closed: 0, overdue: 0 })
const tally = (acc: FlowCounts, h: HazardRow): void => {
  if (h.found) acc.found++
  if (h.closed) acc.closed++
  if (h.overdue) acc.overdue++
}
const sumCounts = (a: CoverageCount, b: CoverageCount): CoverageCount => {
  const total = a.total + b.total
  const visited = a.visited + b.visited
  return { total, visited, coverage: total === 0 ? 1 : Math.round((visited / total) * 10_000) / 10_000 }
}

/** The communities a report covers: the one asked for (404 when not visible), or every visible one. */
async function reportCommunities(sql: Sql, q: ReportQuery): Promise<CommunityRow[]> {
  if (q.communityId !== undefined) await analysisCommunity(sql, q.communityIds, q.communityId)
  const all = await listCommunities(sql, q.communityId === undefined ? q.communityIds : [q.communityId])
  if (all.length === 0) throw new Problem(404, 'You may see no community.')
  return all
}

/**
 * The hazards a report counts, one row each: found (reported in the period), closed (verified in the
 * period) or overdue (due in the period and by now, not verified by then); rejected ones left out. The
 * zone is the one that covered the hazard when it was reported (`zone_at`, zone_history).
 */
async function reportHazards(sql: Sql, communityIds: number[], w: PeriodWindow, now: Date, hideLeads = false): Promise<HazardRow[]> {
  return sql<HazardRow[]>`
    with h as (
      select h.*,
             (h.reported_at >= ${w.from}::timestamptz and h.reported_at < ${w.to}::timestamptz) as is_found,
             (h.status = 'verified' and h.closed_at >= ${w.from}::timestamptz and h.closed_at < ${w.to}::timestamptz) as is_closed,
             (h.due_at >= ${w.from}::timestamptz and h.due_at < least(${w.to}::timestamptz, ${now}::timestamptz)
              and (h.status <> 'verified' or h.closed_at > h.due_at)) as is_overdue
      from hazards h
      where ${hazardWhere(sql, { communityIds, hideLeads })}
        and h.reported_at < ${w.to}::timestamptz
        and (h.reported_at >= ${w.from}::timestamptz or h.closed_at >= ${w.from}::timestamptz or h.due_at >= ${w.from}::timestamptz)
    )
    select h.id, h.community_id as "communityId", h.category, h.severity, h.level, h.type, h.escalations > 0 as escalated, h.status,
           zone_at(h.geom, h.community_id, h.reported_at) as "zoneId",
           h.is_found as found, h.is_closed as closed, h.is_overdue as overdue,
           to_char(h.reported_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as "reportedDay",
           to_char(h.closed_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as "closedDay"
    from h
    where h.is_found or h.is_closed or h.is_overdue
    order by h.id`
}

/** The place at each point: the compound covering it, else the nearest building (within 60 m) by name. */
async function placesAt(sql: Sql, points: { lon: number; lat: number }[]): Promise<(string | null)[]> {
  if (points.length === 0) return []
  const rows = await sql<{ i: number; compound: string | null; building: { name: string | null; compoundName: string | null } | null }[]>`
    select p.i::int as i,
      (select cp.name from compounds cp where ST_Covers(cp.geom, p.g) order by cp.id limit 1) as compound,
      (select json_build_object('name', b.name, 'compoundName', bc.name) from buildings b
        left join compounds bc on bc.id = b.compound_id
        where ST_DWithin(b.footprint::geography, p.g::geography, 60) order by b.footprint <-> p.g limit 1) as building
    from (select u.i, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) as g
          from unnest(${points.map((p) => p.lon)}::float8[], ${points.map((p) => p.lat)}::float8[]) with ordinality as u(lon, lat, i)) p
    order by p.i`
  return rows.map((r) => cleanPlaceName(r.compound) ?? (r.building ? readableAddress(r.building) : null))
}

/** Centre of a hexagon (mean of its ring's distinct vertices). */
function ringCentre(geometry: { coordinates: number[][][] }): { lon: number; lat: number } {
  const ring = (geometry.coordinates[0] ?? []).slice(0, -1)
  const n = Math.max(1, ring.length)
  return { lon: ring.reduce((s, p) => s + (p[0] ?? 0), 0) / n, lat: ring.reduce((s, p) => s + (p[1] ?? 0), 0) / n }
}

/** Hot-spot analyses run at most this many at a time (a city report runs one per community). */
export const REPORT_HOTSPOT_CONCURRENCY = 4

/** What every section of a report reads. */
interface ReportContext {
  sql: Sql
  w: PeriodWindow
  now: Date
  communities: CommunityRow[]
  ids: number[]
  nameOf: Map<number, string>
  /** One community: the report carries geometry (the map, the unvisited places); several: none. */
  single: boolean
  /** The period has begun (coverage exists). */
  started: boolean
  today: string
  /** End of the coverage window: the period's end, or now. */
  coverageTo: string
  notes: string[]
  /** Leave leads out. */
  hideLeads: boolean
}

/** Run tasks with at most `limit` at a time, results in order. */
async function limited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await task(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

/** Hazard flows by category, severity and day, and the counts per zone (as valid when reported). */
function flowSection(ctx: ReportContext, rows: HazardRow[]) {
  const { w } = ctx
  const byCategory = CATEGORIES.map((category) => ({ category, ...zero() }))
  const bySeverity = (['minor', 'major', 'critical'] as const).map((severity) => ({ severity, ...zero() }))
  const byLevel = LEVELS.map((level) => ({ level, ...zero(), escalated: 0 }))
  const byType = MATTER_TYPES.map((type) => ({ type, ...zero() }))
  const zoneCounts = new Map<number, FlowCounts>()
  const unzoned = zero()
  const days = Array.from({ length: w.days }, (_, i) => ({ day: addDays(w.firstDay, i), found: 0, closed: 0 }))
  const dayIndex = new Map(days.map((d, i) => [d.day, i]))
  for (const h of rows) {
    // The category table is the hazards' (隐患); the other kinds have their own categories and the by-type table.
    const cat = h.type === 'hazard' ? byCategory.find((c) => c.category === h.category) : undefined
    if (cat) tally(cat, h)
    tally(bySeverity.find((x) => x.severity === h.severity)!, h)
    const lv = byLevel.find((x) => x.level === h.level)!
    tally(lv, h)
    if (h.found && h.escalated) lv.escalated++
    tally(byType.find((x) => x.type === h.type)!, h)
    if (h.zoneId === null) tally(unzoned, h)
    else {
      const acc = zoneCounts.get(h.zoneId) ?? zero()
      tally(acc, h)
      zoneCounts.set(h.zoneId, acc)
    }
    const fd = h.found ? dayIndex.get(h.reportedDay) : undefined
    if (fd !== undefined) days[fd]!.found++
    const cd = h.closed && h.closedDay ? dayIndex.get(h.closedDay) : undefined
    if (cd !== undefined) days[cd]!.closed++
  }
  return { byCategory, bySeverity, byLevel, byType, zoneCounts, unzoned, byDay: days }
}

/**
 * The zones the period shows ({@link periodZones}: in effect during it and holding a matter or a
 * patrol, or in effect for at least half of it), with their hazard counts; counts of zones not shown
 * go to `unzoned`.
 */
async function zoneSection(ctx: ReportContext, zoneCounts: Map<number, FlowCounts>, unzonedCounts: FlowCounts) {
  const zones = await periodZones(ctx.sql, ctx.ids, ctx.w.from, ctx.w.to, { held: [...zoneCounts.keys()], geometry: ctx.single })
  const shown = new Set(zones.map((z) => z.zoneId))
  const unzoned = { ...unzonedCounts }
  for (const [zoneId, c] of zoneCounts) {
    if (shown.has(zoneId)) continue
    unzoned.found += c.found
    unzoned.closed += c.closed
    unzoned.overdue += c.overdue
  }
  const byZone: ZoneRow[] = zones.map((z) => ({
    communityId: z.communityId,
    communityName: ctx.nameOf.get(z.communityId) ?? '',
    zoneId: z.zoneId,
    name: z.name,
    assigneeName: z.assigneeName,
    areaM2: z.areaM2,
    ...(zoneCounts.get(z.zoneId) ?? zero()),
  }))
  return { zones, byZone, unzoned }
}

/**
 * Patrol coverage over every community at once (`sg_coverage_visits`), by zone (each place in the zone
 * that held it longest in the period, `sg_period_place_zones`) and by team; with one community also
 * the unvisited places' geometry for the map.
 */
async function coverageSection(ctx: ReportContext, zones: PeriodZone[]) {
  const empty: CoverageCount = { total: 0, visited: 0, coverage: 1 }
  if (!ctx.started) return { buildings: empty, keyPlaces: empty, coverageByZone: [] as CoverageZoneRow[], coverageByTeam: [] as CoverageTeamRow[], unvisited: [] as Geometry[] }
  const { sql, w } = ctx
  const rows = await sql<{ communityId: number; zoneId: number | null; kind: 'building' | 'key_place'; total: number; visited: number; unvisited: number[] | null }[]>`
    with v as materialized (
      select * from sg_coverage_visits(${ctx.ids}::bigint[], ${w.from}::timestamptz, ${ctx.coverageTo}::timestamptz, ${REPORT_RADIUS_M}::float8)
    ), pz as materialized (
      select * from sg_period_place_zones(${ctx.ids}::bigint[], ${w.from}::timestamptz, ${w.to}::timestamptz, ${zones.map((z) => z.zoneId)}::bigint[])
    )
    select v.community_id as "communityId", pz.zone_id as "zoneId", v.kind, count(*)::int as total,
           count(*) filter (where v.by_track or v.by_checkin)::int as visited,
           ${ctx.single ? sql`array_agg(v.id order by v.id) filter (where not (v.by_track or v.by_checkin))` : sql`null::bigint[]`} as unvisited
    from v left join pz on pz.kind = v.kind and pz.id = v.id
    group by 1, 2, 3`
  let buildings = empty
  let keyPlaces = empty
  const zoneCount = new Map<number, { buildings: CoverageCount; keyPlaces: CoverageCount }>()
  for (const r of rows) {
    const c = sumCounts({ total: 0, visited: 0, coverage: 1 }, { total: r.total, visited: r.visited, coverage: 1 })
    if (r.kind === 'building') buildings = sumCounts(buildings, c)
    else keyPlaces = sumCounts(keyPlaces, c)
    if (r.zoneId === null) continue
    const z = zoneCount.get(r.zoneId) ?? { buildings: empty, keyPlaces: empty }
    if (r.kind === 'building') z.buildings = sumCounts(z.buildings, c)
    else z.keyPlaces = sumCounts(z.keyPlaces, c)
    zoneCount.set(r.zoneId, z)
  }
  const coverageByZone: CoverageZoneRow[] = zones.map((z) => ({
    communityName: ctx.nameOf.get(z.communityId) ?? '',
    zoneId: z.zoneId,
    name: z.name,
    teamName: z.teamName,
    assigneeName: z.assigneeName,
    ...(zoneCount.get(z.zoneId) ?? { buildings: empty, keyPlaces: empty }),
  }))
  const teams = new Map<string, CoverageTeamRow>()
  for (const z of zones) {
    const key = `${z.communityId}:${z.teamId ?? ''}`
    const c = zoneCount.get(z.zoneId) ?? { buildings: empty, keyPlaces: empty }
    const t = teams.get(key) ?? { communityName: ctx.nameOf.get(z.communityId) ?? '', teamName: z.teamName ?? '（未指定队伍）', zones: [], buildings: empty, keyPlaces: empty }
    t.zones.push(z.name)
    t.buildings = sumCounts(t.buildings, c.buildings)
    t.keyPlaces = sumCounts(t.keyPlaces, c.keyPlaces)
    teams.set(key, t)
  }
  let unvisited: Geometry[] = []
  if (ctx.single) {
    const ids = (kind: string) => rows.filter((r) => r.kind === kind).flatMap((r) => r.unvisited ?? [])
    const geoms = await sql<{ geometry: string }[]>`
      select ST_AsGeoJSON(b.footprint, 6) as geometry from buildings b where b.id = any(${ids('building')}::bigint[])
      union all
      select ST_AsGeoJSON(k.geom, 6) from key_places k where k.id = any(${ids('key_place')}::bigint[])`
    unvisited = geoms.map((g) => JSON.parse(g.geometry) as Geometry)
  }
  return { buildings, keyPlaces, coverageByZone, coverageByTeam: [...teams.values()], unvisited }
}

/**
 * The weekly rule (每周覆盖) over the ISO weeks the period touches, from the first week's Monday to the
 * period's last day (or today), for every community in one query (`sg_compound_days`).
 */
async function weeklySection(ctx: ReportContext): Promise<WeeklyRuleRow[]> {
  if (!ctx.started) return []
  const { w, today } = ctx
  const calFirst = isoWeekOf(w.firstDay).monday
  const calLast = w.lastDay < today ? w.lastDay : today
  const calDays = Math.round((Date.parse(`${calLast}T00:00:00Z`) - Date.parse(`${calFirst}T00:00:00Z`)) / 86_400_000) + 1
  const days = dayRange(calFirst, calDays)
  const rows = await compoundDays(ctx.sql, ctx.ids, calFirst, calDays, REPORT_RADIUS_M)
  const byCommunity = new Map<number, CompoundDayRow[]>()
  for (const r of rows) {
    const list = byCommunity.get(r.communityId) ?? []
    list.push(r)
    byCommunity.set(r.communityId, list)
  }
  const out: WeeklyRuleRow[] = []
  for (const community of ctx.communities) {
    const cal = calendarOf(byCommunity.get(community.id) ?? [], days, addDays(calLast, 1))
    const compoundName = new Map(cal.compounds.map((c) => [c.id, c.name]))
    for (const wk of cal.weeks) {
      out.push({
        communityName: community.name,
        week: wk.week,
        from: wk.from,
        to: wk.to < calLast ? wk.to : calLast,
        days: wk.daysInWindow,
        compounds: cal.compounds.length,
        patrolled: cal.compounds.length - wk.breaking.length,
        breaking: wk.breaking.map((id) => compoundName.get(id) ?? `#${id}`),
        met: wk.breaking.length === 0,
      })
    }
  }
  return out
}

/**
 * Hot spots per community (Gi* needs the community's own grid), at most
 * {@link REPORT_HOTSPOT_CONCURRENCY} at a time; over several communities only where the period has
 * enough hazards for Gi* to tell anything (the others are counted in one note).
 */
async function hotspotSection(ctx: ReportContext) {
  const { sql, w } = ctx
  const counts = await sql<{ communityId: number; n: number }[]>`
    select h.community_id as "communityId", count(*)::int as n from hazards h
    where ${hazardWhere(sql, { communityIds: ctx.ids, from: w.from, to: w.to, hideLeads: ctx.hideLeads })}
    group by 1`
  // One community: always (its grid's note says when the counts are too few for Gi*).
  const enough = new Set(ctx.single ? ctx.ids : counts.filter((c) => c.n >= MIN_HAZARDS).map((c) => c.communityId))
  const few = ctx.communities.filter((c) => !enough.has(c.id))
  if (few.length > 0) {
    ctx.notes.push(`${few.length} 个社区本期隐患少于 ${MIN_HAZARDS} 条，样本太少，未做热点分析${few.length <= 10 ? `（${few.map((c) => c.name).join('、')}）` : ''}。`)
  }
  const grids = await limited(
    ctx.communities.filter((c) => enough.has(c.id)),
    REPORT_HOTSPOT_CONCURRENCY,
    async (community) => {
      try {
        return { community, grid: await hotspotGrid(sql, { communityIds: [community.id], communityId: community.id, from: w.from, to: w.to, cell: REPORT_HOTSPOT_CELL_M, hideLeads: ctx.hideLeads }) }
      } catch (error) {
        if (!(error instanceof Problem)) throw error
        ctx.notes.push(`${community.name}：${error.message}`)
        return { community, grid: null }
      }
    },
  )
  const picked: { communityName: string; f: HotspotFeature }[] = []
  const cells: ReportData['map']['hotspots'] = []
  for (const { community, grid } of grids) {
    if (!grid) continue
    if (grid.note) ctx.notes.push(`${community.name}：${grid.note.zh}`)
    grid.features
      .filter((f) => f.properties.count > 0)
      .sort((a, b) => b.properties.confidence - a.properties.confidence || (b.properties.giZ ?? 0) - (a.properties.giZ ?? 0) || b.properties.count - a.properties.count)
      .slice(0, 5)
      .forEach((f) => picked.push({ communityName: community.name, f }))
    if (ctx.single) for (const f of grid.features) if (f.properties.confidence > 0) cells.push({ confidence: f.properties.confidence, geometry: f.geometry })
  }
  const places = await placesAt(sql, picked.map((p) => ringCentre(p.f.geometry)))
  const hotspots: HotspotRow[] = picked.map(({ communityName, f }, i) => ({
    communityName,
    cellId: f.id,
    count: f.properties.count,
    giZ: f.properties.giZ,
    confidence: f.properties.confidence,
    place: places[i] ?? null,
    ...ringCentre(f.geometry),
  }))
  return { hotspots, cells }
}

/** The buildings with the most hazards in the period. */
async function topPlacesSection(ctx: ReportContext): Promise<TopPlaceRow[]> {
  const { sql, w } = ctx
  const top = await sql<{ communityId: number; buildingId: number; buildingName: string | null; compoundName: string | null; count: number; open: number; categories: Partial<Record<Category, number>> }[]>`
    select h.community_id as "communityId", h.building_id as "buildingId",
           b.name as "buildingName", cp.name as "compoundName",
           count(*)::int as count,
           count(*) filter (where h.status <> 'verified')::int as open,
           (select jsonb_object_agg(x.category, x.n) from (
              select h2.category, count(*)::int as n from hazards h2
              where h2.building_id = h.building_id and h2.status <> 'rejected'
                and h2.reported_at >= ${w.from}::timestamptz and h2.reported_at < ${w.to}::timestamptz
              group by h2.category) x) as categories
    from hazards h join buildings b on b.id = h.building_id left join compounds cp on cp.id = b.compound_id
    where ${hazardWhere(sql, { communityIds: ctx.ids, from: w.from, to: w.to, hideLeads: ctx.hideLeads })}
    group by h.community_id, h.building_id, b.id, b.name, cp.name
    order by count desc, h.building_id
    limit ${REPORT_TOP_N}`
  return top.map(({ buildingName, compoundName, ...r }) => ({
    ...r,
    place: readableAddress({ name: buildingName, compoundName }),
    communityName: ctx.nameOf.get(r.communityId) ?? '',
  }))
}

/** The recurrences (反弹) of the period, the first {@link REPORT_TOP_N} with their places. */
async function recurrenceSection(ctx: ReportContext): Promise<{ count: number; rows: RecurrenceRow[] }> {
  const { sql, w } = ctx
  const rec = await hazardRecurrences(sql, { communityIds: ctx.ids, from: w.from, to: w.to, hideLeads: ctx.hideLeads })
  const recTop = rec.features.slice(0, REPORT_TOP_N)
  const recPlaces = await placesAt(sql, recTop.map((f) => ({ lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] })))
  const rows = recTop.map((f, i) => ({
    communityName: ctx.nameOf.get(f.properties.communityId) ?? '',
    hazardId: f.properties.hazardId,
    earlierId: f.properties.earlierId,
    category: f.properties.category,
    reportedAt: f.properties.reportedAt,
    distanceM: Number(f.properties.distanceM),
    count: f.properties.count,
    place: recPlaces[i] ?? null,
  }))
  return { count: rec.features.length, rows }
}

/**
 * The map of a one-community report: boundary, the zones the period shows, buildings, roads, the
 * period's hazards and tracks. A report over several communities carries no geometry (a city is
 * seen on the map's tiles): every list is empty and a note says so.
 */
async function mapSection(ctx: ReportContext, zones: PeriodZone[], unvisited: Geometry[], hotspots: ReportData['map']['hotspots']): Promise<ReportData['map']> {
  if (!ctx.single) {
    ctx.notes.push(`本报告含 ${ctx.communities.length} 个社区，不附地图；各社区的地图见单个社区的报告，城市全貌见指挥中心地图。`)
    return { communities: [], zones: [], buildings: [], roads: [], hazards: [], tracks: [], unvisited: [], hotspots: [] }
  }
  const { sql, w } = ctx
  const scope = { communityIds: ctx.ids }
  const layer = async <P>(name: 'communities' | 'buildings' | 'roads') =>
    JSON.parse(await layerGeoJson(sql, name, { communityIds: ctx.ids })) as FeatureCollectionOf<P>
  const hazardsFc = JSON.parse(await listHazardsGeoJson(sql, { ...scope, from: w.from, to: w.to, hideLeads: ctx.hideLeads })) as FeatureCollectionOf<{ severity: Severity; status: Status }>
  const tracksFc = ctx.started
    ? (JSON.parse((await listTracksGeoJson(sql, { ...scope, from: w.from, to: ctx.coverageTo })).body) as FeatureCollectionOf<unknown>)
    : { features: [] }
  return {
    communities: (await layer<unknown>('communities')).features.map((f) => f.geometry),
    zones: zones.filter((z) => z.geometry !== null).map((z) => ({ name: z.name, geometry: JSON.parse(z.geometry!) as Geometry })),
    buildings: (await layer<unknown>('buildings')).features.map((f) => f.geometry),
    roads: (await layer<unknown>('roads')).features.map((f) => f.geometry),
    hazards: hazardsFc.features
      .filter((f) => f.properties.status !== 'rejected')
      .map((f) => {
        const [lon, lat] = f.geometry.coordinates as [number, number]
        return { lon, lat, severity: f.properties.severity, status: f.properties.status }
      }),
    tracks: tracksFc.features.map((f) => f.geometry),
    unvisited,
    hotspots,
  }
}

/**
 * Care visits per community in the period, set-based: visits by household and day, each past day of a daily rule
 * (from the household's registration, before today) judged against it; weekly-rule households count their visits.
 */
async function careSection(ctx: ReportContext): Promise<CareSummaryRow[]> {
  const { sql, w } = ctx
  const last = w.lastDay < ctx.today ? w.lastDay : addDays(ctx.today, -1)
  const rows = await sql<Omit<CareSummaryRow, 'communityName'>[]>`
    with days as (
      select d::date as day from generate_series(${w.firstDay}::date::timestamp, ${last}::date::timestamp, interval '1 day') d
    ), r as (
      select id, community_id, visits_per_day, (created_at at time zone 'Asia/Shanghai')::date as since
      from care_residents where active and community_id = any(${ctx.ids}::bigint[])
    ), v as (
      select v.resident_id, (v.t at time zone 'Asia/Shanghai')::date as day, count(*)::int as n
      from care_visits v
      where v.community_id = any(${ctx.ids}::bigint[]) and v.t >= ${w.from}::timestamptz and v.t < ${w.to}::timestamptz
      group by 1, 2
    ), judged as (
      select r.community_id, r.id, coalesce(r.visits_per_day, 0) as due, greatest(coalesce(r.visits_per_day, 0) - coalesce(v.n, 0), 0) as missed
      from r join days d on d.day >= r.since left join v on v.resident_id = r.id and v.day = d.day
    )
    select r.community_id::int as "communityId", count(distinct r.id)::int as households,
           coalesce((select sum(v.n) from v join r r2 on r2.id = v.resident_id where r2.community_id = r.community_id), 0)::int as visits,
           coalesce((select sum(j.due) from judged j where j.community_id = r.community_id), 0)::int as due,
           coalesce((select sum(j.missed) from judged j where j.community_id = r.community_id), 0)::int as missed,
           (select count(distinct j.id) from judged j where j.community_id = r.community_id and j.missed > 0)::int as "householdsMissed"
    from r group by r.community_id order by r.community_id`
  return rows.map((r) => ({ ...r, communityName: ctx.nameOf.get(r.communityId) ?? '' }))
}

/**
 * The residents' figures of the period ({@link ResidentFigures}), in one query: a report's first answer is its
 * first move out of `pending_review` (the review); only what happened before the period's end (or now) counts.
 */
async function residentSection(ctx: ReportContext): Promise<ResidentFigures> {
  const { sql, w } = ctx
  const end = new Date(Math.min(Date.parse(w.to), ctx.now.getTime())).toISOString()
  const [row] = await sql<(Omit<ResidentFigures, 'satisfactionRate' | 'medianAnswerMinutes' | 'p90AnswerMinutes'> & { medianAnswerMinutes: number | string | null; p90AnswerMinutes: number | string | null })[]>`
    with r as (
      select h.type, h.reported_at, a.at as answered_at, a.to_status as answer, l.to_status as last_status
      from hazards h
      left join lateral (
        select e.at, e.to_status from hazard_events e
        where e.hazard_id = h.id and e.kind = 'transition' and e.from_status = 'pending_review' and e.at < ${end}::timestamptz
        order by e.at, e.id limit 1) a on true
      left join lateral (
        select e.to_status from hazard_events e
        where e.hazard_id = h.id and e.kind = 'transition' and e.at < ${end}::timestamptz
        order by e.at desc, e.id desc limit 1) l on true
      where h.community_id = any(${ctx.ids}::bigint[]) and h.source = 'resident'
        and h.reported_at >= ${w.from}::timestamptz and h.reported_at < ${w.to}::timestamptz
        and ${ctx.hideLeads ? sql`h.type <> 'lead'` : sql`true`}
    ), g as (
      select h.rating from hazards h
      where h.community_id = any(${ctx.ids}::bigint[]) and h.rating is not null
        and h.rated_at >= ${w.from}::timestamptz and h.rated_at < ${end}::timestamptz
        and ${ctx.hideLeads ? sql`h.type <> 'lead'` : sql`true`}
    )
    select count(*)::int as reports,
           count(*) filter (where r.type = 'hazard')::int as hazards,
           count(*) filter (where r.type = 'request')::int as requests,
           count(r.answered_at)::int as answered,
           count(*) filter (where r.answer = 'reported')::int as accepted,
           count(*) filter (where r.answer = 'rejected')::int as declined,
           count(*) filter (where r.answered_at is null and r.last_status = 'pending_review')::int as waiting,
           count(*) filter (where r.answered_at is null and r.last_status is distinct from 'pending_review')::int as "withoutReview",
           percentile_cont(0.5) within group (order by extract(epoch from r.answered_at - r.reported_at) / 60)
             filter (where r.answered_at is not null) as "medianAnswerMinutes",
           percentile_cont(0.9) within group (order by extract(epoch from r.answered_at - r.reported_at) / 60)
             filter (where r.answered_at is not null) as "p90AnswerMinutes",
           (select count(*)::int from g) as rated,
           (select count(*)::int from g where g.rating = 'satisfied') as satisfied,
           (select count(*)::int from g where g.rating = 'basically') as basically,
           (select count(*)::int from g where g.rating = 'unsatisfied') as unsatisfied
    from r`
  const r = row!
  const num = (v: number | string | null): number | null => (v === null ? null : Number(v))
  return {
    ...r,
    medianAnswerMinutes: num(r.medianAnswerMinutes),
    p90AnswerMinutes: num(r.p90AnswerMinutes),
    satisfactionRate: r.rated === 0 ? null : (r.satisfied + r.basically) / r.rated,
  }
}

/**
 * Assemble the report of the period containing `date` for one community or every community the
 * caller may see. Every section is computed for all the communities at once (set-based SQL), except
 * hot spots (one grid per community, a few at a time). Zones are those the period shows: in effect
 * during it and holding a matter or a patrol, or in effect for at least half of it.
 */
export async function buildReport(sql: Sql, q: ReportQuery): Promise<ReportData> {
  const w = periodWindow(q.period, q.date)
  const [clock] = await sql<{ now: Date }[]>`select now() as now`
  const now = q.now ?? clock!.now
  const communities = await reportCommunities(sql, q)
  const today = shanghaiDate(now)
  const ctx: ReportContext = {
    sql,
    w,
    now,
    communities,
    ids: communities.map((c) => c.id),
    nameOf: new Map(communities.map((c) => [c.id, c.name])),
    single: communities.length === 1,
    started: w.firstDay <= today,
    today,
    coverageTo: new Date(Math.min(Date.parse(w.to), now.getTime())).toISOString(),
    notes: [],
    hideLeads: q.hideLeads ?? false,
  }
  const scope = { communityIds: ctx.ids, hideLeads: ctx.hideLeads }

  const rows = await reportHazards(sql, ctx.ids, w, now, ctx.hideLeads)
  const flows = flowSection(ctx, rows)
  const zonedP = zoneSection(ctx, flows.zoneCounts, flows.unzoned)
  const [zoned, stats, [rates], coverage, weeklyRule, hot, topPlaces, rec, [district]] = await Promise.all([
    zonedP,
    hazardStats(sql, { ...scope, from: w.from, to: w.to }),
    sql<{ respondedInTime: number; verifiedOnTime: number }[]>`
      select count(*) filter (where ${arrivedInTime(sql)})::int as "respondedInTime",
             count(*) filter (where h.status = 'verified' and h.closed_at <= h.due_at)::int as "verifiedOnTime"
      from hazards h where ${hazardWhere(sql, { ...scope, from: w.from, to: w.to })}`,
    zonedP.then((z) => coverageSection(ctx, z.zones)),
    weeklySection(ctx),
    hotspotSection(ctx),
    topPlacesSection(ctx),
    recurrenceSection(ctx),
    sql<{ name: string }[]>`
      select d.name from districts d where d.id = any(${communities.map((c) => c.districtId).filter((d): d is number => d !== null)}::bigint[]) order by d.id limit 1`,
  ])
  if (!ctx.started) ctx.notes.push('本期尚未开始，没有巡查覆盖数据。')
  const map = await mapSection(ctx, zoned.zones, coverage.unvisited, hot.cells)
  const care = await careSection(ctx)
  const residents = await residentSection(ctx)
  const ranking = w.period === 'month' ? await pointsRanking(sql, { communityIds: ctx.ids, month: w.firstDay.slice(0, 7), limit: REPORT_TOP_N }) : []

  const weeksMet = weeklyRule.filter((r) => r.met).length
  const compoundWeeks = weeklyRule.reduce((s, r) => s + r.compounds, 0)
  const compoundWeeksMet = weeklyRule.reduce((s, r) => s + r.patrolled, 0)
  return {
    window: w,
    generatedAt: new Date(now).toISOString(),
    scope: { districtName: district?.name ?? null, communities: communities.map((c) => ({ id: c.id, name: c.name, nameEn: c.nameEn })) },
    targets: { ...stats.targets, radiusM: REPORT_RADIUS_M, hotspotCellM: REPORT_HOTSPOT_CELL_M },
    headline: {
      found: stats.hazards.total,
      closed: rows.filter((h) => h.closed).length,
      overdue: rows.filter((h) => h.overdue).length,
      overdueOpenNow: stats.overdue,
      rejected: stats.rejected,
      respondedInTime: rates!.respondedInTime,
      responseRate: stats.responseRate,
      medianResponseMinutes: stats.medianResponseMinutes,
      verifiedOnTime: rates!.verifiedOnTime,
      onTimeClosureRate: stats.onTimeClosureRate,
      closureRate: stats.closureRate,
      medianHoursToClose: stats.medianHoursToClose,
      recurrences: rec.count,
      notClosed: stats.notClosed,
      pendingReview: stats.pendingReview,
      escalated: stats.hazards.escalated,
      escalatedRate: stats.escalatedRate,
      buildings: coverage.buildings,
      keyPlaces: coverage.keyPlaces,
      weeklyRule: {
        weeks: weeklyRule.length,
        met: weeksMet,
        compoundWeeks,
        compoundWeeksMet,
        coverage: compoundWeeks === 0 ? null : compoundWeeksMet / compoundWeeks,
      },
    },
    byCategory: flows.byCategory,
    bySeverity: flows.bySeverity,
    byLevel: flows.byLevel,
    byType: flows.byType,
    byZone: zoned.byZone,
    unzoned: zoned.unzoned,
    byDay: flows.byDay,
    coverageByZone: coverage.coverageByZone,
    coverageByTeam: coverage.coverageByTeam,
    weeklyRule,
    hotspots: hot.hotspots,
    topPlaces,
    recurrences: rec.rows,
    byUnit: stats.byUnit,
    residents,
    care,
    pointsRanking: ranking,
    notes: ctx.notes,
    map,
  }
}
