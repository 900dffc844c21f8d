/**
 * The patrol and hazard report (日巡查 / 周例会 / 月通报): every figure of `GET /api/reports/:period`,
 * assembled from the other helpers' queries — statistics (stats.ts), zones as valid at the time
 * (zones.ts `zoneStats`, SQL `zone_at`), patrol coverage and the weekly rule (coverage.ts), hot spots
 * and recurrences (analysis.ts), map layers (layers.ts, hazards.ts, tracks.ts) — plus the few counts
 * only a report needs (closed and overdue in the period, by category and by zone). Rendering lives in
 * server/reports/.
 */
import type { Sql } from '../db/connect.ts'
import { CATEGORIES, RESPONSE_TARGET_MINUTES, type Category, type Severity, type Status } from '../../core/matters.ts'
import { Problem } from '../problem.ts'
import { addDays, isoWeekOf, periodWindow, shanghaiDate, shanghaiMidnight, type PeriodWindow, type ReportPeriod } from '../reports/period.ts'
import { analysisCommunity, hazardRecurrences, hazardWhere, hotspotGrid } from './analysis.ts'
import { listCommunities, type CommunityRow } from './communities.ts'
import { coverageCalendar, coverageReport, type CoverageCount } from './coverage.ts'
import { listHazardsGeoJson } from './hazards.ts'
import { layerGeoJson } from './layers.ts'
import { hazardStats } from './stats.ts'
import { listTracksGeoJson } from './tracks.ts'
import { zoneStats } from './zones.ts'

/** Targets the report measures against. */
export const REPORT_TARGETS = {
  /** Minutes from report to someone on site. */
  responseMinutes: RESPONSE_TARGET_MINUTES,
  /** Share of hazards answered within {@link RESPONSE_TARGET_MINUTES} minutes. */
  responseRate: 0.9,
  /** Share of hazards verified by their due time (1, 3, 5 days by severity). */
  onTimeClosureRate: 0.9,
  /** Share of compounds patrolled at least once in each ISO week (每周覆盖). */
  weeklyCoverage: 1,
} as const

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
  targets: typeof REPORT_TARGETS & { radiusM: number; hotspotCellM: number }
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
    buildings: CoverageCount
    keyPlaces: CoverageCount
    /** Weeks × compounds meeting the weekly rule. */
    weeklyRule: { weeks: number; met: number; compoundWeeks: number; compoundWeeksMet: number; coverage: number | null }
  }
  byCategory: (FlowCounts & { category: Category })[]
  bySeverity: (FlowCounts & { severity: Severity })[]
  byZone: ZoneRow[]
  unzoned: FlowCounts
  byDay: DayRow[]
  coverageByZone: CoverageZoneRow[]
  coverageByTeam: CoverageTeamRow[]
  weeklyRule: WeeklyRuleRow[]
  hotspots: HotspotRow[]
  topPlaces: TopPlaceRow[]
  recurrences: RecurrenceRow[]
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
const plainCount = (c: CoverageCount): CoverageCount => ({ total: c.total, visited: c.visited, coverage: c.coverage })

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
async function reportHazards(sql: Sql, communityIds: number[], w: PeriodWindow, now: Date): Promise<HazardRow[]> {
  return sql<HazardRow[]>`
    with h as (
      select h.*,
             (h.reported_at >= ${w.from}::timestamptz and h.reported_at < ${w.to}::timestamptz) as is_found,
             (h.status = 'verified' and h.closed_at >= ${w.from}::timestamptz and h.closed_at < ${w.to}::timestamptz) as is_closed,
             (h.due_at >= ${w.from}::timestamptz and h.due_at < least(${w.to}::timestamptz, ${now}::timestamptz)
              and (h.status <> 'verified' or h.closed_at > h.due_at)) as is_overdue
      from hazards h
      where ${hazardWhere(sql, { communityIds })}
        and h.reported_at < ${w.to}::timestamptz
        and (h.reported_at >= ${w.from}::timestamptz or h.closed_at >= ${w.from}::timestamptz or h.due_at >= ${w.from}::timestamptz)
    )
    select h.id, h.community_id as "communityId", h.category, h.severity, h.status,
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
  const rows = await sql<{ i: number; place: string | null }[]>`
    select p.i::int as i, coalesce(
      (select cp.name from compounds cp where ST_Covers(cp.geom, p.g) order by cp.id limit 1),
      (select coalesce(b.name, '楼栋 #' || b.id) from buildings b
        where ST_DWithin(b.footprint::geography, p.g::geography, 60) order by b.footprint <-> p.g limit 1)) as place
    from (select u.i, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) as g
          from unnest(${points.map((p) => p.lon)}::float8[], ${points.map((p) => p.lat)}::float8[]) with ordinality as u(lon, lat, i)) p
    order by p.i`
  return rows.map((r) => r.place)
}

/** Centre of a hexagon (mean of its ring's distinct vertices). */
function ringCentre(geometry: { coordinates: number[][][] }): { lon: number; lat: number } {
  const ring = (geometry.coordinates[0] ?? []).slice(0, -1)
  const n = Math.max(1, ring.length)
  return { lon: ring.reduce((s, p) => s + (p[0] ?? 0), 0) / n, lat: ring.reduce((s, p) => s + (p[1] ?? 0), 0) / n }
}

/**
 * Assemble the report of the period containing `date` for one community or every community the
 * caller may see. Coverage, the weekly rule and hot spots are computed per community and added up.
 */
export async function buildReport(sql: Sql, q: ReportQuery): Promise<ReportData> {
  const w = periodWindow(q.period, q.date)
  const [clock] = await sql<{ now: Date }[]>`select now() as now`
  const now = q.now ?? clock!.now
  const communities = await reportCommunities(sql, q)
  const ids = communities.map((c) => c.id)
  const nameOf = new Map(communities.map((c) => [c.id, c.name]))
  const scope = { communityIds: ids }
  const notes: string[] = []

  // Hazard flows: by category, severity, zone (as valid when reported) and day.
  const rows = await reportHazards(sql, ids, w, now)
  const byCategory = CATEGORIES.map((category) => ({ category, ...zero() }))
  const bySeverity = (['minor', 'major', 'critical'] as const).map((severity) => ({ severity, ...zero() }))
  const zoneCounts = new Map<number, FlowCounts>()
  const unzoned = zero()
  const days = Array.from({ length: w.days }, (_, i) => ({ day: addDays(w.firstDay, i), found: 0, closed: 0 }))
  const dayIndex = new Map(days.map((d, i) => [d.day, i]))
  for (const h of rows) {
    tally(byCategory.find((c) => c.category === h.category)!, h)
    tally(bySeverity.find((s) => s.severity === h.severity)!, h)
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

  const stats = await hazardStats(sql, { ...scope, from: w.from, to: w.to })
  const [rates] = await sql<{ respondedInTime: number; verifiedOnTime: number }[]>`
    select count(*) filter (where h.responded_at is not null
                              and h.responded_at - h.reported_at <= make_interval(mins => ${RESPONSE_TARGET_MINUTES}))::int as "respondedInTime",
           count(*) filter (where h.status = 'verified' and h.closed_at <= h.due_at)::int as "verifiedOnTime"
    from hazards h where ${hazardWhere(sql, { ...scope, from: w.from, to: w.to })}`

  // Per community: zones as valid in the period, coverage, the weekly rule, hot spots.
  const byZone: ZoneRow[] = []
  const coverageByZone: CoverageZoneRow[] = []
  const coverageByTeam: CoverageTeamRow[] = []
  const weeklyRule: WeeklyRuleRow[] = []
  const hotspots: HotspotRow[] = []
  const hotspotCells: ReportData['map']['hotspots'] = []
  const unvisited: Geometry[] = []
  let buildings: CoverageCount = { total: 0, visited: 0, coverage: 1 }
  let keyPlaces: CoverageCount = { total: 0, visited: 0, coverage: 1 }
  const today = shanghaiDate(now)
  const started = w.firstDay <= today
  const coverageTo = new Date(Math.min(Date.parse(w.to), now.getTime())).toISOString()
  for (const community of communities) {
    const cname = community.name
    const zs = await zoneStats(sql, { communityIds: [community.id], communityId: community.id, from: w.from, to: w.to })
    for (const z of zs.byZone) {
      byZone.push({ communityId: community.id, communityName: cname, zoneId: z.zoneId, name: z.name, assigneeName: z.assigneeName, ...(zoneCounts.get(z.zoneId) ?? zero()) })
    }
    if (!started) continue
    const cov = await coverageReport(sql, { communityIds: [community.id], communityId: community.id, from: w.from, to: coverageTo, radius: REPORT_RADIUS_M })
    buildings = sumCounts(buildings, cov.buildings)
    keyPlaces = sumCounts(keyPlaces, cov.keyPlaces)
    for (const z of cov.byZone) {
      coverageByZone.push({ communityName: cname, zoneId: z.zoneId, name: z.name, teamName: z.teamName, assigneeName: z.assigneeName, buildings: z.buildings, keyPlaces: z.keyPlaces })
    }
    const zoneName = new Map(cov.byZone.map((z) => [z.zoneId, z.name]))
    for (const t of cov.byTeam) {
      coverageByTeam.push({
        communityName: cname,
        teamName: t.name ?? '（未指定队伍）',
        zones: t.zoneIds.map((id) => zoneName.get(id) ?? `#${id}`),
        buildings: plainCount(t.buildings),
        keyPlaces: plainCount(t.keyPlaces),
      })
    }
    for (const f of cov.unvisited.features) if (f.geometry) unvisited.push(f.geometry as Geometry)

    // The weekly rule over the ISO weeks the period touches, from the first week's Monday to the
    // period's last day (or today).
    const calFirst = isoWeekOf(w.firstDay).monday
    const calLast = w.lastDay < today ? w.lastDay : today
    const calDays = Math.round((Date.parse(`${calLast}T00:00:00Z`) - Date.parse(`${calFirst}T00:00:00Z`)) / 86_400_000) + 1
    const cal = await coverageCalendar(sql, {
      communityIds: [community.id],
      communityId: community.id,
      days: calDays,
      radius: REPORT_RADIUS_M,
      now: new Date(shanghaiMidnight(calLast).getTime() + 12 * 3_600_000),
    })
    const compoundName = new Map(cal.compounds.map((c) => [c.id, c.name]))
    for (const wk of cal.weeks) {
      const to = wk.to < calLast ? wk.to : calLast
      weeklyRule.push({
        communityName: cname,
        week: wk.week,
        from: wk.from,
        to,
        days: wk.daysInWindow,
        compounds: cal.compounds.length,
        patrolled: cal.compounds.length - wk.breaking.length,
        breaking: wk.breaking.map((id) => compoundName.get(id) ?? `#${id}`),
        met: wk.breaking.length === 0,
      })
    }

    try {
      const grid = await hotspotGrid(sql, { communityIds: [community.id], communityId: community.id, from: w.from, to: w.to, cell: REPORT_HOTSPOT_CELL_M })
      if (grid.note) notes.push(`${cname}：${grid.note.zh}`)
      const top = grid.features
        .filter((f) => f.properties.count > 0)
        .sort((a, b) => b.properties.confidence - a.properties.confidence || (b.properties.giZ ?? 0) - (a.properties.giZ ?? 0) || b.properties.count - a.properties.count)
        .slice(0, 5)
      const places = await placesAt(sql, top.map((f) => ringCentre(f.geometry)))
      top.forEach((f, i) => {
        const c = ringCentre(f.geometry)
        hotspots.push({ communityName: cname, cellId: f.id, count: f.properties.count, giZ: f.properties.giZ, confidence: f.properties.confidence, place: places[i] ?? null, ...c })
      })
      for (const f of grid.features) if (f.properties.confidence > 0) hotspotCells.push({ confidence: f.properties.confidence, geometry: f.geometry })
    } catch (error) {
      if (!(error instanceof Problem)) throw error
      notes.push(`${cname}：${error.message}`)
    }
  }
  if (!started) notes.push('本期尚未开始，没有巡查覆盖数据。')

  // Where hazards pile up: the buildings with the most, and the recurrences (反弹).
  const top = await sql<{ communityId: number; buildingId: number; place: string; count: number; open: number; categories: Partial<Record<Category, number>> }[]>`
    select h.community_id as "communityId", h.building_id as "buildingId",
           coalesce(b.name, '楼栋 #' || b.id) || coalesce('（' || cp.name || '）', '') as place,
           count(*)::int as count,
           count(*) filter (where h.status <> 'verified')::int as open,
           (select jsonb_object_agg(x.category, x.n) from (
              select h2.category, count(*)::int as n from hazards h2
              where h2.building_id = h.building_id and h2.status <> 'rejected'
                and h2.reported_at >= ${w.from}::timestamptz and h2.reported_at < ${w.to}::timestamptz
              group by h2.category) x) as categories
    from hazards h join buildings b on b.id = h.building_id left join compounds cp on cp.id = b.compound_id
    where ${hazardWhere(sql, { ...scope, from: w.from, to: w.to })}
    group by h.community_id, h.building_id, b.id, b.name, cp.name
    order by count desc, h.building_id
    limit ${REPORT_TOP_N}`
  const topPlaces: TopPlaceRow[] = top.map((r) => ({ ...r, communityName: nameOf.get(r.communityId) ?? '' }))

  const rec = await hazardRecurrences(sql, { ...scope, from: w.from, to: w.to })
  const recTop = rec.features.slice(0, REPORT_TOP_N)
  const recPlaces = await placesAt(sql, recTop.map((f) => ({ lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] })))
  const recurrences: RecurrenceRow[] = recTop.map((f, i) => ({
    communityName: nameOf.get(f.properties.communityId) ?? '',
    hazardId: f.properties.hazardId,
    earlierId: f.properties.earlierId,
    category: f.properties.category,
    reportedAt: f.properties.reportedAt,
    distanceM: Number(f.properties.distanceM),
    count: f.properties.count,
    place: recPlaces[i] ?? null,
  }))

  // The map: boundaries, zones as valid in the period, buildings, roads, the period's hazards and tracks.
  const layer = async <P>(name: 'communities' | 'buildings' | 'roads') =>
    JSON.parse(await layerGeoJson(sql, name, { communityIds: ids })) as FeatureCollectionOf<P>
  const zoneShapes = await sql<{ name: string; geometry: string }[]>`
    select distinct on (zh.zone_id) zh.name, ST_AsGeoJSON(zh.geom, 6) as geometry
    from zone_history zh
    where zh.community_id = any(${ids}::bigint[]) and zh.valid_from < ${w.to}::timestamptz
      and (zh.valid_to is null or zh.valid_to > ${w.from}::timestamptz)
    order by zh.zone_id, zh.valid_from desc`
  const hazardsFc = JSON.parse(await listHazardsGeoJson(sql, { ...scope, from: w.from, to: w.to })) as FeatureCollectionOf<{ severity: Severity; status: Status }>
  const tracksFc = started
    ? (JSON.parse(await listTracksGeoJson(sql, { ...scope, from: w.from, to: coverageTo })) as FeatureCollectionOf<unknown>)
    : { features: [] }
  const [district] = await sql<{ name: string }[]>`
    select d.name from districts d where d.id = any(${communities.map((c) => c.districtId).filter((d): d is number => d !== null)}::bigint[]) order by d.id limit 1`

  const weeksMet = weeklyRule.filter((r) => r.met).length
  const compoundWeeks = weeklyRule.reduce((s, r) => s + r.compounds, 0)
  const compoundWeeksMet = weeklyRule.reduce((s, r) => s + r.patrolled, 0)
  return {
    window: w,
    generatedAt: new Date(now).toISOString(),
    scope: { districtName: district?.name ?? null, communities: communities.map((c) => ({ id: c.id, name: c.name, nameEn: c.nameEn })) },
    targets: { ...REPORT_TARGETS, radiusM: REPORT_RADIUS_M, hotspotCellM: REPORT_HOTSPOT_CELL_M },
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
      recurrences: rec.features.length,
      buildings,
      keyPlaces,
      weeklyRule: {
        weeks: weeklyRule.length,
        met: weeksMet,
        compoundWeeks,
        compoundWeeksMet,
        coverage: compoundWeeks === 0 ? null : compoundWeeksMet / compoundWeeks,
      },
    },
    byCategory,
    bySeverity,
    byZone,
    unzoned,
    byDay: days,
    coverageByZone,
    coverageByTeam,
    weeklyRule,
    hotspots,
    topPlaces,
    recurrences,
    notes,
    map: {
      communities: (await layer<unknown>('communities')).features.map((f) => f.geometry),
      zones: zoneShapes.map((z) => ({ name: z.name, geometry: JSON.parse(z.geometry) as Geometry })),
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
      hotspots: hotspotCells,
    },
  }
}
