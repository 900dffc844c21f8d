import type { Sql } from '../db/connect.ts'
import { problems } from '../problem.ts'
import { listFlaggedStretches, type FlaggedStretches } from './tracks.ts'
import { periodZones } from './zone-history.ts'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'
import type { CoverageCount, CoverageReport as CoreCoverageReport, UnvisitedProperties } from '../../core/answers.ts'

export type { CoverageCount }

/** A GeoJSON Feature of an unvisited building or key place. */
export interface UnvisitedFeature {
  type: 'Feature'
  id: number
  geometry: unknown
  properties: UnvisitedProperties
}

/** `GET /api/analysis/coverage`. */
export type CoverageReport = CoreCoverageReport<{ type: 'FeatureCollection'; features: UnvisitedFeature[] }, FlaggedStretches>

/** What a coverage query asks. */
export interface CoverageQuery {
  communityIds: number[] | null
  communityId?: number | undefined
  zoneId?: number | undefined
  from: string
  to: string
  radius: number
}

function count(total: number, visited: number): CoverageCount {
  return { total, visited, coverage: total === 0 ? 1 : Math.round((visited / total) * 10_000) / 10_000 }
}

/**
 * The community a coverage query is about: the one asked for (404 when the caller may not see it),
 * the community of the zone asked for, or else the first community the caller may see.
 */
export async function coverageCommunity(sql: Sql, q: Pick<CoverageQuery, 'communityIds' | 'communityId' | 'zoneId'>): Promise<number> {
  const scope = q.communityIds === null ? sql`true` : sql`c.id = any(${q.communityIds}::bigint[])`
  if (q.zoneId !== undefined) {
    const [zone] = await sql<{ communityId: number }[]>`
      select c.id as "communityId" from communities c
      where ${scope} and ${q.communityId === undefined ? sql`true` : sql`c.id = ${q.communityId}`}
        and (exists (select 1 from zones z where z.id = ${q.zoneId} and z.community_id = c.id)
             or exists (select 1 from zone_history zh where zh.zone_id = ${q.zoneId} and zh.community_id = c.id))
      order by c.id limit 1`
    if (!zone) throw problems.notFound(`No zone ${q.zoneId}.`)
    return zone.communityId
  }
  const [row] = await sql<{ id: number }[]>`
    select c.id from communities c
    where ${scope} and ${q.communityId === undefined ? sql`true` : sql`c.id = ${q.communityId}`}
    order by c.id limit 1`
  if (!row) throw problems.notFound(q.communityId === undefined ? 'You may see no community.' : `No community ${q.communityId}.`)
  return row.id
}

interface ItemRow {
  kind: 'building' | 'key_place'
  id: number
  byTrack: boolean
  byCheckin: boolean
  name: string | null
  compoundId: number | null
  compoundName: string | null
  zoneId: number | null
  geometry: string | null
}

/**
 * Patrol coverage of a community (or one zone of it) in [from, to): see `sg_coverage_visits` in
 * db/functions/coverage.sql for what counts as a visit. Zones are those in effect in the window that a
 * period shows ({@link periodZones}; here also every zone still in effect at the window's end), each
 * under its latest version in the window; a building or key place belongs to the zone whose versions
 * covered its point on surface for the longest part of the window (`sg_period_place_zones`). Teams
 * are the zones' responsible teams (zones.team_id). Flagged (physically impossible) track points
 * count for nothing; `flagged` lists them.
 */
export async function coverageReport(sql: Sql, q: CoverageQuery): Promise<CoverageReport> {
  const communityId = await coverageCommunity(sql, q)
  const zones = await periodZones(sql, [communityId], q.from, q.to, { keepCurrent: true })
  if (q.zoneId !== undefined && !zones.some((z) => z.zoneId === q.zoneId)) {
    throw problems.notFound(`Zone ${q.zoneId} was not in effect in that window.`)
  }
  const items = await sql<ItemRow[]>`
    with v as (
      select * from sg_coverage_visits(array[${communityId}]::bigint[], ${q.from}::timestamptz, ${q.to}::timestamptz, ${q.radius}::float8)
    ), pz as (
      select * from sg_period_place_zones(array[${communityId}]::bigint[], ${q.from}::timestamptz, ${q.to}::timestamptz,
                                          ${zones.map((z) => z.zoneId)}::bigint[])
    ), items as (
      select v.kind, v.id, v.by_track, v.by_checkin, b.name, b.compound_id, b.footprint as geom
      from v join buildings b on b.id = v.id where v.kind = 'building'
      union all
      select v.kind, v.id, v.by_track, v.by_checkin, k.name,
             coalesce(kb.compound_id, (select cp.id from compounds cp where cp.community_id = k.community_id
                                         and ST_Covers(cp.geom, k.geom) order by cp.id limit 1)),
             k.geom
      from v join key_places k on k.id = v.id left join buildings kb on kb.id = k.building_id where v.kind = 'key_place'
    )
    select i.kind, i.id, i.by_track as "byTrack", i.by_checkin as "byCheckin", i.name,
           i.compound_id as "compoundId", cp.name as "compoundName", pz.zone_id as "zoneId",
           case when i.by_track or i.by_checkin then null else ST_AsGeoJSON(i.geom, 7) end as geometry
    from items i
    left join pz on pz.kind = i.kind and pz.id = i.id
    left join compounds cp on cp.id = i.compound_id
    where ${q.zoneId === undefined ? sql`true` : sql`pz.zone_id = ${q.zoneId}`}
    order by i.kind, i.id`
  const flagged = await listFlaggedStretches(sql, { communityIds: [communityId], communityId, from: q.from, to: q.to })

  const tally = (rows: ItemRow[]) => {
    const visited = rows.filter((r) => r.byTrack || r.byCheckin).length
    return { ...count(rows.length, visited), byTrack: rows.filter((r) => r.byTrack).length, byCheckin: rows.filter((r) => r.byCheckin).length }
  }
  const plain = (rows: ItemRow[]): CoverageCount => {
    const { total, visited, coverage } = tally(rows)
    return { total, visited, coverage }
  }
  const buildings = items.filter((r) => r.kind === 'building')
  const places = items.filter((r) => r.kind === 'key_place')
  const shownZones = q.zoneId === undefined ? zones : zones.filter((z) => z.zoneId === q.zoneId)
  const byZone = shownZones.map((z) => ({
    zoneId: z.zoneId,
    name: z.name,
    teamId: z.teamId,
    teamName: z.teamName,
    assigneeName: z.assigneeName,
    buildings: plain(buildings.filter((r) => r.zoneId === z.zoneId)),
    keyPlaces: plain(places.filter((r) => r.zoneId === z.zoneId)),
  }))
  const teams = new Map<number | null, { name: string | null; zoneIds: number[] }>()
  for (const z of shownZones) {
    const team = teams.get(z.teamId) ?? { name: z.teamName, zoneIds: [] }
    team.zoneIds.push(z.zoneId)
    teams.set(z.teamId, team)
  }
  const byTeam = [...teams.entries()]
    .sort((a, b) => (a[0] ?? Number.MAX_SAFE_INTEGER) - (b[0] ?? Number.MAX_SAFE_INTEGER))
    .map(([teamId, team]) => ({
      teamId,
      name: team.name,
      zoneIds: team.zoneIds,
      buildings: plain(buildings.filter((r) => r.zoneId !== null && team.zoneIds.includes(r.zoneId))),
      keyPlaces: plain(places.filter((r) => r.zoneId !== null && team.zoneIds.includes(r.zoneId))),
    }))
  const unvisited: UnvisitedFeature[] = items
    .filter((r) => !r.byTrack && !r.byCheckin)
    .map((r) => ({
      type: 'Feature',
      id: r.id,
      geometry: JSON.parse(r.geometry ?? 'null') as unknown,
      properties: { id: r.id, kind: r.kind, name: r.name, zoneId: r.zoneId, compoundId: r.compoundId, compoundName: r.compoundName },
    }))
  return {
    window: { from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString() },
    radiusM: q.radius,
    communityId,
    zoneId: q.zoneId ?? null,
    buildings: tally(buildings),
    keyPlaces: tally(places),
    byZone,
    byTeam,
    unvisited: { type: 'FeatureCollection', features: unvisited },
    flagged,
  }
}

/** `GET /api/analysis/coverage/calendar`. */
/** `GET /api/analysis/coverage/calendar`: compound × day, and the weekly rule (每周覆盖). */
export type CoverageCalendar = z.infer<typeof Schemas.CoverageCalendar>

const SHANGHAI_OFFSET_MS = 8 * 3_600_000
const DAY_MS = 86_400_000

/** The Asia/Shanghai calendar day (YYYY-MM-DD) of an instant (UTC+8, no daylight saving). */
export function shanghaiDay(t: Date): string {
  return new Date(t.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10)
}

/** `YYYY-Www` of a day (YYYY-MM-DD), ISO 8601 week numbering. */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`)
  const weekday = (d.getUTCDay() + 6) % 7 // Monday = 0
  const thursday = new Date(d.getTime() + (3 - weekday) * DAY_MS)
  const year = thursday.getUTCFullYear()
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7)
  return `${year}-W${String(week).padStart(2, '0')}`
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10)
}

/** One row of `sg_compound_days`. */
export interface CompoundDayRow {
  communityId: number
  compoundId: number
  name: string
  day: string
  byTrack: boolean
  byCheckin: boolean
}

/** The Asia/Shanghai days from `first` on, `n` of them (YYYY-MM-DD). */
export function dayRange(first: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => addDays(first, i))
}

/** Per compound and day, patrolled or not, over the communities (`sg_compound_days`), ordered by compound and day. */
export async function compoundDays(sql: Sql, communityIds: number[], first: string, days: number, radius: number): Promise<CompoundDayRow[]> {
  return sql<CompoundDayRow[]>`
    select d.community_id as "communityId", d.compound_id as "compoundId", cp.name, to_char(d.day, 'YYYY-MM-DD') as day,
           d.by_track as "byTrack", d.by_checkin as "byCheckin"
    from sg_compound_days(${communityIds}::bigint[], ${first}::date, ${days}::int, ${radius}::float8) d
    join compounds cp on cp.id = d.compound_id
    order by cp.id, d.day`
}

/**
 * The calendar of one community from its {@link compoundDays} rows: per compound the patrolled days,
 * and the compounds that break the weekly rule (每周覆盖) in each ISO week touched, in the last 7 days,
 * and in any 7 days in a row. `today` decides which weeks are complete.
 */
export function calendarOf(rows: readonly CompoundDayRow[], days: string[], today: string): Omit<CoverageCalendar, 'communityId' | 'timeZone' | 'radiusM'> {
  const dayIndex = new Map(days.map((d, i) => [d, i]))
  const compounds = new Map<number, CoverageCalendar['compounds'][number]>()
  for (const r of rows) {
    let c = compounds.get(r.compoundId)
    if (!c) {
      c = {
        id: r.compoundId,
        name: r.name,
        patrolled: days.map(() => false),
        byTrack: days.map(() => false),
        byCheckin: days.map(() => false),
        daysPatrolled: 0,
        lastPatrolled: null,
        longestGapDays: 0,
      }
      compounds.set(r.compoundId, c)
    }
    const i = dayIndex.get(r.day)
    if (i === undefined) continue
    c.byTrack[i] = r.byTrack
    c.byCheckin[i] = r.byCheckin
    c.patrolled[i] = r.byTrack || r.byCheckin
  }
  for (const c of compounds.values()) {
    c.daysPatrolled = c.patrolled.filter(Boolean).length
    const last = c.patrolled.lastIndexOf(true)
    c.lastPatrolled = last < 0 ? null : (days[last] ?? null)
    let run = 0
    for (const p of c.patrolled) {
      run = p ? 0 : run + 1
      c.longestGapDays = Math.max(c.longestGapDays, run)
    }
  }
  const list = [...compounds.values()]
  const breakingIn = (indexes: number[]) => list.filter((c) => !indexes.some((i) => c.patrolled[i])).map((c) => c.id)
  const weeks: CoverageCalendar['weeks'] = []
  for (const day of days) {
    const week = isoWeek(day)
    let w = weeks.find((x) => x.week === week)
    if (!w) {
      const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7
      const monday = addDays(day, -weekday)
      w = { week, from: monday, to: addDays(monday, 6), daysInWindow: 0, complete: false, breaking: [] }
      weeks.push(w)
    }
    w.daysInWindow++
  }
  for (const w of weeks) {
    const indexes = days.map((d, i) => (d >= w.from && d <= w.to ? i : -1)).filter((i) => i >= 0)
    w.complete = indexes.length === 7 && w.to < today
    w.breaking = breakingIn(indexes)
  }
  const lastSeven = days.map((_, i) => i).slice(-7)
  return {
    days,
    compounds: list,
    weeks,
    last7Days: { from: days[Math.max(0, days.length - 7)] ?? today, to: days[days.length - 1] ?? today, breaking: breakingIn(lastSeven) },
    breakingAnyWeek: list.filter((c) => c.longestGapDays >= 7).map((c) => c.id),
  }
}

/**
 * For each compound of a community and each of the last `days` Asia/Shanghai days (today last):
 * whether it was patrolled (see `sg_compound_days`), and the compounds that break the weekly rule
 * (每周覆盖) in each ISO week touched and in the last 7 days.
 */
export async function coverageCalendar(sql: Sql, q: { communityIds: number[] | null; communityId?: number | undefined; days: number; radius: number; now?: Date }): Promise<CoverageCalendar> {
  const communityId = await coverageCommunity(sql, q)
  const today = shanghaiDay(q.now ?? new Date())
  const first = addDays(today, -(q.days - 1))
  const rows = await compoundDays(sql, [communityId], first, q.days, q.radius)
  return { communityId, timeZone: 'Asia/Shanghai', radiusM: q.radius, ...calendarOf(rows, dayRange(first, q.days), today) }
}
