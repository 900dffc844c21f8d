import type { Queryable, Sql } from '../db/connect.ts'
import { occurrences, type Occurrence, type PlanRepeat, type PlanType } from '../../core/plans.ts'
import { problems, type ProblemFieldError } from '../problem.ts'
import { recordAudit } from './audit.ts'
import type { z } from 'zod'
import type { PatrolPlan, PlanCoverage as PlanCoverageOf } from '../../core/answers.ts'
import type * as Schemas from '../openapi/schemas.ts'
import type { CoverageCount, UnvisitedFeature } from './coverage.ts'
import type { SessionUser } from './users.ts'

/** A patrol plan as the API answers it (core/answers.ts). */
export type Plan = PatrolPlan

/** `GET /api/patrol-plans/:id/coverage` as the server builds it. */
export type PlanCoverage = PlanCoverageOf<{ type: 'FeatureCollection'; features: UnvisitedFeature[] }, PlanPerson>

/** A person of a plan's coverage (planned or not, minutes on duty, metres walked). */
export type PlanPerson = z.infer<typeof Schemas.PlanPerson>

/** What a plan is made of (create, and update after merging). */
export interface PlanInput {
  communityId: number
  type: PlanType
  name: string
  from: string
  to: string
  repeat: PlanRepeat | null
  zoneIds: number[]
  personIds: number[]
  unitIds: number[]
  leaderId: number | null
  /** GeoJSON Polygon, or null. */
  area: unknown
  note: string | null
}

interface PlanRow {
  id: number
  communityId: number
  type: PlanType
  name: string
  startsAt: Date
  endsAt: Date
  weekdays: number[] | null
  repeatStart: string | null
  repeatEnd: string | null
  zoneIds: number[]
  personIds: number[]
  unitIds: number[]
  leaderId: number | null
  leaderName: string | null
  area: string | null
  note: string | null
  createdBy: number | null
  createdAt: Date
  updatedAt: Date
}

const planColumns = (sql: Sql | Queryable) => sql`
  pp.id, pp.community_id as "communityId", pp.type, pp.name, pp.starts_at as "startsAt", pp.ends_at as "endsAt",
  to_jsonb(pp.repeat_weekdays) as weekdays, to_char(pp.repeat_start, 'HH24:MI') as "repeatStart",
  to_char(pp.repeat_end, 'HH24:MI') as "repeatEnd", to_jsonb(pp.zone_ids) as "zoneIds", to_jsonb(pp.person_ids) as "personIds",
  to_jsonb(pp.unit_ids) as "unitIds", pp.leader_id as "leaderId", lp.name as "leaderName",
  ST_AsGeoJSON(pp.area, 7) as area, pp.note, pp.created_by as "createdBy", pp.created_at as "createdAt", pp.updated_at as "updatedAt"`

function toPlan(r: PlanRow): Plan {
  return {
    id: r.id,
    communityId: r.communityId,
    type: r.type,
    name: r.name,
    from: r.startsAt.toISOString(),
    to: r.endsAt.toISOString(),
    repeat: r.weekdays && r.repeatStart && r.repeatEnd ? { weekdays: r.weekdays, start: r.repeatStart, end: r.repeatEnd } : null,
    zoneIds: r.zoneIds,
    personIds: r.personIds,
    unitIds: r.unitIds,
    leaderId: r.leaderId,
    leaderName: r.leaderName,
    area: r.area === null ? null : (JSON.parse(r.area) as unknown),
    note: r.note,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  }
}

/** Filters of `GET /api/patrol-plans`. */
export interface PlanFilter {
  communityIds: number[] | null
  communityId?: number | undefined
  /** Plans whose span overlaps [from, to), with their occurrences in it. */
  from?: string | undefined
  to?: string | undefined
  type?: PlanType | undefined
}

/** Plans the caller may see, newest first; with `from`/`to` only those running in the window, with their occurrences there. */
export async function listPlans(sql: Sql, f: PlanFilter): Promise<Plan[]> {
  const rows = await sql<PlanRow[]>`
    select ${planColumns(sql)}
    from patrol_plans pp left join people lp on lp.id = pp.leader_id
    where ${f.communityIds === null ? sql`true` : sql`pp.community_id = any(${f.communityIds}::bigint[])`}
      and ${f.communityId === undefined ? sql`true` : sql`pp.community_id = ${f.communityId}`}
      and ${f.type === undefined ? sql`true` : sql`pp.type = ${f.type}`}
      and ${f.to === undefined ? sql`true` : sql`pp.starts_at < ${f.to}::timestamptz`}
      and ${f.from === undefined ? sql`true` : sql`pp.ends_at + interval '1 day' > ${f.from}::timestamptz`}
    order by pp.starts_at desc, pp.id desc
    limit 500`
  const window = f.from !== undefined && f.to !== undefined ? { from: f.from, to: f.to } : undefined
  return rows
    .map(toPlan)
    .map((p) => ({ ...p, occurrences: occurrences(p, window) }))
    .filter((p) => window === undefined || p.occurrences.length > 0)
}

/** One plan (404 when unknown or out of the caller's communities). */
export async function getPlan(sql: Queryable, id: number, communityIds: number[] | null): Promise<Plan> {
  const [row] = await sql<PlanRow[]>`
    select ${planColumns(sql)} from patrol_plans pp left join people lp on lp.id = pp.leader_id where pp.id = ${id}`
  if (!row || (communityIds !== null && !communityIds.includes(row.communityId))) throw problems.notFound(`No patrol plan ${id}.`)
  return toPlan(row)
}

/**
 * The community a new plan belongs to: the one named, else the community of its first zone, else the
 * caller's only community; 422 when none can be told, 403 when the caller may not act there.
 */
export async function planCommunity(sql: Sql, body: { communityId?: number | undefined; zoneIds?: number[] | undefined }, communityIds: number[] | null): Promise<number> {
  let id = body.communityId
  if (id === undefined && body.zoneIds && body.zoneIds.length > 0) {
    const [z] = await sql<{ communityId: number }[]>`select community_id as "communityId" from zones where id = ${body.zoneIds[0]!}`
    id = z?.communityId
  }
  if (id === undefined && communityIds !== null && communityIds.length === 1) id = communityIds[0]
  if (id === undefined) throw problems.unprocessable('Name the community of the plan.', [{ path: 'communityId', message: 'required (or give zoneIds)' }])
  if (communityIds !== null && !communityIds.includes(id)) throw problems.forbidden(`You may not plan patrols in community ${id}.`)
  const [c] = await sql`select 1 from communities where id = ${id}`
  if (!c) throw problems.unprocessable(`No community ${id}.`, [{ path: 'communityId', message: 'unknown community' }])
  return id
}

/**
 * Why a plan is invalid against its community, as field errors (empty when fine): zones, people and
 * the leader of the plan's community; the area a valid polygon inside the community's boundary.
 */
export async function planProblems(sql: Queryable, p: PlanInput): Promise<ProblemFieldError[]> {
  const errors: ProblemFieldError[] = []
  const zones = await sql<{ id: number }[]>`select id from zones where community_id = ${p.communityId} and id = any(${p.zoneIds}::bigint[])`
  const badZones = p.zoneIds.filter((z) => !zones.some((r) => r.id === z))
  if (badZones.length > 0) errors.push({ path: 'zoneIds', message: `not zones of community ${p.communityId}: ${badZones.join(', ')}` })
  const wanted = [...p.personIds, ...(p.leaderId === null ? [] : [p.leaderId])]
  const people = await sql<{ id: number }[]>`select id from people where community_id = ${p.communityId} and id = any(${wanted}::bigint[])`
  const badPeople = p.personIds.filter((x) => !people.some((r) => r.id === x))
  if (badPeople.length > 0) errors.push({ path: 'personIds', message: `not people of community ${p.communityId}: ${badPeople.join(', ')}` })
  if (p.leaderId !== null && !people.some((r) => r.id === p.leaderId)) errors.push({ path: 'leaderId', message: `not a person of community ${p.communityId}` })
  if (p.area !== null) {
    const [a] = await sql<{ valid: boolean; reason: string; inside: boolean; area: number }[]>`
      with g as (select ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(p.area)}), 4326) as geom)
      select ST_IsValid(g.geom) as valid, ST_IsValidReason(g.geom) as reason,
             ST_IsValid(g.geom) and ST_CoveredBy(g.geom, c.boundary) as inside,
             case when ST_IsValid(g.geom) then ST_Area(ST_Transform(g.geom, c.utm_srid)) else 0 end as area
      from g, communities c where c.id = ${p.communityId}`
    if (!a?.valid) errors.push({ path: 'area', message: `not a valid polygon: ${a?.reason ?? 'unreadable'}` })
    else if (!a.inside) errors.push({ path: 'area', message: 'must lie inside the community boundary' })
    else if (a.area < 1) errors.push({ path: 'area', message: 'has no area' })
  }
  if (p.type === 'event' && p.area === null && p.zoneIds.length === 0) errors.push({ path: 'area', message: 'an event plan needs an area or zones' })
  return errors
}

async function writePlan(sql: Sql, p: PlanInput, user: SessionUser, id?: number): Promise<Plan> {
  const errors = await planProblems(sql, p)
  if (errors.length > 0) throw problems.unprocessable('The plan does not fit its community.', errors)
  const area = p.area === null ? sql`null` : sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(p.area)}), 4326)`
  const weekdays = p.repeat ? [...new Set(p.repeat.weekdays)].sort() : null
  const values = {
    type: p.type,
    name: p.name,
    from: p.from,
    to: p.to,
    weekdays,
    start: p.repeat?.start ?? null,
    end: p.repeat?.end ?? null,
  }
  return sql.begin(async (tx) => {
    let planId: number
    if (id === undefined) {
      const [row] = await tx<{ id: number }[]>`
        insert into patrol_plans (community_id, type, name, starts_at, ends_at, repeat_weekdays, repeat_start, repeat_end,
                                  zone_ids, person_ids, unit_ids, leader_id, area, note, created_by)
        values (${p.communityId}, ${values.type}, ${values.name}, ${values.from}::timestamptz, ${values.to}::timestamptz,
                ${weekdays}::smallint[], ${values.start}::time, ${values.end}::time,
                ${p.zoneIds}::bigint[], ${p.personIds}::bigint[], ${p.unitIds}::bigint[], ${p.leaderId}, ${area}, ${p.note}, ${user.id})
        returning id`
      planId = row!.id
    } else {
      await tx`
        update patrol_plans set type = ${values.type}, name = ${values.name}, starts_at = ${values.from}::timestamptz,
          ends_at = ${values.to}::timestamptz, repeat_weekdays = ${weekdays}::smallint[], repeat_start = ${values.start}::time,
          repeat_end = ${values.end}::time, zone_ids = ${p.zoneIds}::bigint[], person_ids = ${p.personIds}::bigint[],
          unit_ids = ${p.unitIds}::bigint[], leader_id = ${p.leaderId}, area = ${area}, note = ${p.note}, updated_at = now()
        where id = ${id}`
      planId = id
    }
    await recordAudit(tx, { userId: user.id, communityId: p.communityId, action: id === undefined ? 'create' : 'update', entity: 'patrol_plan', entityId: planId, after: { ...p } })
    return getPlan(tx, planId, null)
  })
}

/** Store a new plan (422 with every field problem). */
export function createPlan(sql: Sql, p: PlanInput, user: SessionUser): Promise<Plan> {
  return writePlan(sql, p, user)
}

/** Replace a plan's fields (422 with every field problem). */
export function updatePlan(sql: Sql, id: number, p: PlanInput, user: SessionUser): Promise<Plan> {
  return writePlan(sql, p, user, id)
}

/** A position older than this does not place a person on duty in a zone now. */
export const POSITION_FRESH_MS = 15 * 60_000

function count(total: number, visited: number): CoverageCount {
  return { total, visited, coverage: total === 0 ? 1 : Math.round((visited / total) * 10_000) / 10_000 }
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
 * Plan against reality over [from, to): the plan's windows in it, the coverage of the plan's zones (or
 * area; the whole community when it has neither) by the plan's people (their devices' tracks within
 * `radius` m, their check-ins) in those windows, who came and for how long, and which zones have
 * nobody on duty now. 422 when the plan has no window in [from, to).
 */
export async function planCoverage(sql: Sql, plan: Plan, q: { from: string; to: string; radius: number; now?: number }): Promise<PlanCoverage> {
  const now = q.now ?? Date.now()
  const windows = occurrences(plan, q)
    .map((o) => ({ from: new Date(Math.max(Date.parse(o.from), Date.parse(q.from))).toISOString(), to: new Date(Math.min(Date.parse(o.to), Date.parse(q.to))).toISOString() }))
    .filter((o) => o.from < o.to)
  if (windows.length === 0) throw problems.unprocessable('The plan does not run in that window.', [{ path: 'from', message: 'no occurrence of the plan between from and to' }])
  const froms = windows.map((w) => w.from)
  const tos = windows.map((w) => w.to)
  const span = { from: froms[0]!, to: tos[tos.length - 1]! }
  const devices = (
    await sql<{ id: string }[]>`
      select id from devices where person_id = any(${plan.personIds}::bigint[])
      union select device_id from duty_sessions where person_id = any(${plan.personIds}::bigint[])`
  ).map((d) => d.id)
  const region =
    plan.zoneIds.length > 0
      ? sql`pz.zone_id is not null`
      : plan.area !== null
        ? sql`ST_Covers(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(plan.area)}), 4326), ST_PointOnSurface(i.geom))`
        : sql`true`
  const items = await sql<ItemRow[]>`
    with v as (
      select * from sg_plan_visits(${plan.communityId}, ${froms}::timestamptz[], ${tos}::timestamptz[], ${q.radius}::float8,
                                   ${devices}::text[], ${plan.personIds}::bigint[])
    ), pz as (
      select * from sg_period_place_zones(array[${plan.communityId}]::bigint[], ${span.from}::timestamptz, ${span.to}::timestamptz,
                                          ${plan.zoneIds}::bigint[])
    ), items as (
      select v.kind, v.id, v.by_track, v.by_checkin, b.name, b.compound_id, b.footprint as geom
      from v join buildings b on b.id = v.id where v.kind = 'building'
      union all
      select v.kind, v.id, v.by_track, v.by_checkin, k.name, kb.compound_id, k.geom
      from v join key_places k on k.id = v.id left join buildings kb on kb.id = k.building_id where v.kind = 'key_place'
    )
    select i.kind, i.id, i.by_track as "byTrack", i.by_checkin as "byCheckin", i.name,
           i.compound_id as "compoundId", cp.name as "compoundName", pz.zone_id as "zoneId",
           case when i.by_track or i.by_checkin then null else ST_AsGeoJSON(i.geom, 7) end as geometry
    from items i
    left join pz on pz.kind = i.kind and pz.id = i.id
    left join compounds cp on cp.id = i.compound_id
    where ${region}
    order by i.kind, i.id`
  const tally = (rows: ItemRow[]) => ({
    ...count(rows.length, rows.filter((r) => r.byTrack || r.byCheckin).length),
    byTrack: rows.filter((r) => r.byTrack).length,
    byCheckin: rows.filter((r) => r.byCheckin).length,
  })
  const plain = (rows: ItemRow[]): CoverageCount => count(rows.length, rows.filter((r) => r.byTrack || r.byCheckin).length)
  const buildings = items.filter((r) => r.kind === 'building')
  const places = items.filter((r) => r.kind === 'key_place')
  const zoneRows = await sql<{ zoneId: number; name: string }[]>`
    select z.id as "zoneId", z.name from zones z where z.id = any(${plan.zoneIds}::bigint[]) order by z.id`
  const byZone = zoneRows.map((z) => ({
    zoneId: z.zoneId,
    name: z.name,
    buildings: plain(buildings.filter((r) => r.zoneId === z.zoneId)),
    keyPlaces: plain(places.filter((r) => r.zoneId === z.zoneId)),
  }))

  // Who came: duty sessions overlapping the windows, of the planned people or of anyone whose
  // plausible points in the windows fall in the plan's zones or area.
  const regionGeom =
    plan.zoneIds.length > 0
      ? sql`(select ST_Union(z.geom) from zones z where z.id = any(${plan.zoneIds}::bigint[]))`
      : plan.area !== null
        ? sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(plan.area)}), 4326)`
        : sql`(select boundary from communities where id = ${plan.communityId})`
  const sessions = await sql<{ personId: number; name: string; deviceId: string; startedAt: Date; stoppedAt: Date | null }[]>`
    with win as (select f, t from unnest(${froms}::timestamptz[], ${tos}::timestamptz[]) as x(f, t)),
    region as (select ${regionGeom} as geom)
    select ds.person_id as "personId", p.name, ds.device_id as "deviceId", ds.started_at as "startedAt", ds.stopped_at as "stoppedAt"
    from duty_sessions ds join people p on p.id = ds.person_id
    where ds.community_id = ${plan.communityId}
      and exists (select 1 from win where ds.started_at < win.t and coalesce(ds.stopped_at, now()) > win.f)
      and (ds.person_id = any(${plan.personIds}::bigint[])
           or exists (select 1 from win, region r, track_points tp
                      where tp.device_id = ds.device_id and tp.flag is null and tp.t >= greatest(win.f, ds.started_at)
                        and tp.t < least(win.t, coalesce(ds.stopped_at, now())) and ST_Covers(r.geom, tp.geom)))
    order by ds.started_at`
  const planned = await sql<{ personId: number; name: string }[]>`
    select id as "personId", name from people where id = any(${plan.personIds}::bigint[])`
  const people = new Map<number, PlanPerson>()
  for (const p of planned) people.set(p.personId, { personId: p.personId, name: p.name, planned: true, came: false, onDutyMinutes: 0, distanceM: 0 })
  const pieces: { personId: number; deviceId: string; from: string; to: string }[] = []
  for (const s of sessions) {
    const person = people.get(s.personId) ?? { personId: s.personId, name: s.name, planned: false, came: false, onDutyMinutes: 0, distanceM: 0 }
    people.set(s.personId, person)
    const end = s.stoppedAt ? s.stoppedAt.getTime() : now
    for (const w of windows) {
      const lo = Math.max(s.startedAt.getTime(), Date.parse(w.from))
      const hi = Math.min(end, Date.parse(w.to))
      if (hi <= lo) continue
      person.came = true
      person.onDutyMinutes += (hi - lo) / 60_000
      pieces.push({ personId: s.personId, deviceId: s.deviceId, from: new Date(lo).toISOString(), to: new Date(hi).toISOString() })
    }
  }
  if (pieces.length > 0) {
    const distances = await sql<{ i: number; m: number }[]>`
      select x.i::int, sg_device_distance(x.d, x.f, x.t) as m
      from unnest(${pieces.map((_, i) => i)}::int[], ${pieces.map((p) => p.deviceId)}::text[],
                  ${pieces.map((p) => p.from)}::timestamptz[], ${pieces.map((p) => p.to)}::timestamptz[]) as x(i, d, f, t)`
    for (const d of distances) {
      const person = people.get(pieces[d.i]!.personId)
      if (person) person.distanceM += d.m
    }
  }
  for (const p of people.values()) {
    p.onDutyMinutes = Math.round(p.onDutyMinutes * 10) / 10
    p.distanceM = Math.round(p.distanceM)
  }

  const onDutyNow = await sql<{ personId: number | null; name: string | null; deviceId: string; zoneId: number | null; since: Date }[]>`
    select ds.person_id as "personId", p.name, ds.device_id as "deviceId", ds.started_at as since,
           (select z.id from zones z where z.id = any(${plan.zoneIds}::bigint[]) and ST_Covers(z.geom, last.geom) order by z.id limit 1) as "zoneId"
    from duty_sessions ds
    left join people p on p.id = ds.person_id
    left join lateral (
      select tp.geom from track_points tp
      where tp.device_id = ds.device_id and tp.flag is null and tp.t >= ds.started_at
        and tp.t > ${new Date(now - POSITION_FRESH_MS).toISOString()}::timestamptz
      order by tp.t desc limit 1
    ) last on true
    where ds.community_id = ${plan.communityId} and ds.stopped_at is null
      and ds.started_at <= ${new Date(now).toISOString()}::timestamptz
    order by ds.started_at`
  const manned = new Set(onDutyNow.map((o) => o.zoneId).filter((z) => z !== null))
  return {
    planId: plan.id,
    communityId: plan.communityId,
    window: { from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString() },
    occurrences: windows,
    radiusM: q.radius,
    buildings: tally(buildings),
    keyPlaces: tally(places),
    byZone,
    unvisited: {
      type: 'FeatureCollection',
      features: items
        .filter((r) => !r.byTrack && !r.byCheckin)
        .map((r) => ({
          type: 'Feature',
          id: r.id,
          geometry: JSON.parse(r.geometry ?? 'null') as unknown,
          properties: { id: r.id, kind: r.kind, name: r.name, zoneId: r.zoneId, compoundId: r.compoundId, compoundName: r.compoundName },
        })),
    },
    people: [...people.values()].sort((a, b) => Number(b.planned) - Number(a.planned) || a.personId - b.personId),
    runningNow: occurrences(plan, { from: new Date(now).toISOString(), to: new Date(now + 1).toISOString() }).length > 0,
    zonesWithoutDutyNow: zoneRows.filter((z) => !manned.has(z.zoneId)),
    onDutyNow: onDutyNow.map((o) => ({ ...o, since: o.since.toISOString() })),
  }
}

/** The window a plan's coverage defaults to: its window, or for a repeating plan its occurrence running now, else the last one begun, else its first. */
export function defaultPlanWindow(plan: Plan, now = Date.now()): Occurrence {
  if (!plan.repeat) return { from: plan.from, to: plan.to }
  const past = occurrences(plan, { from: new Date(Math.max(Date.parse(plan.from), now - 8 * 86_400_000)).toISOString(), to: new Date(now + 1).toISOString() })
  const last = past[past.length - 1]
  if (last) return last
  return occurrences(plan)[0] ?? { from: plan.from, to: plan.to }
}
