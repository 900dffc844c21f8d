import type postgres from 'postgres'
import type { PageKey } from '../paging.ts'
import type { Queryable, Sql } from '../db/connect.ts'
import { checkEscalation, checkTransition, SLA_WARNING_FRACTION } from '../../core/matter-machine.ts'
import { NOT_OPEN_STATUSES, dueAtLevel, type Level, type MatterCategory, type MatterType, type Severity, type Source, type Status } from '../../core/matters.ts'
import { recordLiveEvent, type LiveEvent } from '../live/hub.ts'
import { Problem, problems } from '../problem.ts'
import type { BBox } from '../validate.ts'
import { recordAudit } from './audit.ts'
import type { SessionUser } from './users.ts'
import { timeProblem, timeWindow } from '../domain/evidence.ts'
import { partnerUnitOf, unitServing } from './units.ts'
import { fixedOnSpotStatus, foundOnPatrol } from '../../core/arrival.ts'
import { dispatchZoneAt } from './zones.ts'

/** Filters of `GET /api/hazards`. */
export interface HazardFilter {
  communityIds: number[] | null
  communityId?: number | undefined
  status?: Status[] | undefined
  /** Kinds of matters (all when absent; `/api/hazards` passes `['hazard']`). */
  type?: MatterType[] | undefined
  category?: MatterCategory[] | undefined
  severity?: Severity[] | undefined
  level?: Level[] | undefined
  from?: string | undefined
  to?: string | undefined
  bbox?: BBox | undefined
  zoneId?: number | undefined
  overdue?: boolean | undefined
  assigneeId?: number | undefined
  /** Only the matters handed to this partner unit (a partner account's list is always limited to its unit). */
  unitId?: number | null | undefined
  /** Leave leads out (the caller may not see them: core/matters.ts `seesLeads`). */
  hideLeads?: boolean | undefined
  /** The map as it stood at this time: hazards reported by then and not yet closed then. */
  at?: string | undefined
}

/** A hazard as a GeoJSON Feature (what the API answers and the live stream sends). */
export interface HazardFeature {
  type: 'Feature'
  id: number
  geometry: { type: 'Point'; coordinates: [number, number] }
  properties: Record<string, unknown> & { id: number; communityId: number; status: Status; version: number }
}

/**
 * Whether this user's event with this clientId is already on the matter's timeline (an outbox sending an action
 * again after a lost answer: answered, not repeated). Call under the matter's row lock.
 */
async function eventSent(tx: Queryable, hazardId: number, userId: number, clientId: string | undefined): Promise<boolean> {
  if (clientId === undefined) return false
  const [seen] = await tx<{ id: number }[]>`select id from hazard_events where hazard_id = ${hazardId} and user_id = ${userId} and client_id = ${clientId}`
  return seen !== undefined
}

/** Never open nor overdue: the closed statuses and a resident's report waiting for review (core/matters.ts). */
const CLOSED = NOT_OPEN_STATUSES as Status[]

/**
 * The clock the properties are computed against: now, or a past instant `at` (the replay), where the
 * status is the one the hazard had then (`hs.status`, joined by {@link listHazardsGeoJson}).
 */
interface Clock {
  now: postgres.Fragment
  status: postgres.Fragment
  respondedAt: postgres.Fragment
  closedAt: postgres.Fragment
  /** The arrival on site (issue 15): when, who (user id), how far; null before it. */
  arrivedAt: postgres.Fragment
  arrivedBy: postgres.Fragment
  arrivalDistanceM: postgres.Fragment
}

function clockOf(sql: Queryable, at?: string): Clock {
  if (!at) {
    return { now: sql`now()`, status: sql`h.status`, respondedAt: sql`h.responded_at`, closedAt: sql`h.closed_at`, arrivedAt: sql`h.arrived_at`, arrivedBy: sql`h.arrived_by`, arrivalDistanceM: sql`h.arrival_distance_m` }
  }
  const t = sql`${at}::timestamptz`
  return {
    arrivedAt: sql`(case when h.arrived_at <= ${t} then h.arrived_at end)`,
    arrivedBy: sql`(case when h.arrived_at <= ${t} then h.arrived_by end)`,
    arrivalDistanceM: sql`(case when h.arrived_at <= ${t} then h.arrival_distance_m end)`,
    now: t,
    status: sql`coalesce(hs.status, case when h.closed_at <= ${t} then h.status else 'reported' end)`,
    respondedAt: sql`(case when h.responded_at <= ${t} then h.responded_at end)`,
    closedAt: sql`(case when h.closed_at <= ${t} then h.closed_at end)`,
  }
}

/**
 * The JSON properties of a hazard feature (SQL fragment over alias `h`). `overdue`, `warning` and
 * `slaUsed` are computed at query time, never stored: `slaUsed` is the share of the time to close used
 * (frozen at the close), `overdue` an open hazard past `dueAt`, `warning` an open one not yet overdue
 * with at least 80 % of the time used — the rule of `slaState` in core/matter-machine.ts.
 * With `at`, everything is as of that instant and the query must join the status then as `hs`.
 */
export function hazardProps(sql: Queryable, at?: string): postgres.Fragment {
  const k = clockOf(sql, at)
  const open = sql`(${k.status} <> all(${CLOSED}::text[]))`
  // A resident's phone (migration 075), masked like people's phones (core/roles.ts maskPhone); stored as digits.
  const maskedContact = sql`(case when h.contact_phone is null then null when length(h.contact_phone) < 7 then repeat('*', length(h.contact_phone))
    else left(h.contact_phone, 3) || repeat('*', length(h.contact_phone) - 7) || right(h.contact_phone, 4) end)`
  return sql`json_build_object(
    'id', h.id,
    'communityId', h.community_id,
    'zoneId', h.zone_id,
    'microGridId', h.micro_zone_id,
    'buildingId', h.building_id,
    'place', (select json_build_object('buildingName', b.name, 'compoundName', cp.name)
              from buildings b left join compounds cp on cp.id = b.compound_id where b.id = h.building_id),
    'type', h.type,
    'category', h.category,
    'severity', h.severity,
    'level', h.level,
    'source', h.source,
    'escalations', h.escalations,
    'escalatedAt', h.escalated_at,
    'status', ${k.status},
    'description', h.description,
    'reportedAt', h.reported_at,
    'dueAt', h.due_at,
    'respondedAt', ${k.respondedAt},
    'closedAt', ${k.closedAt},
    'arrivedAt', ${k.arrivedAt},
    'arrivedBy', ${k.arrivedBy},
    'arrivalDistanceM', ${k.arrivalDistanceM},
    'foundOnPatrol', h.found_on_patrol,
    'fixedOnSpot', h.fixed_on_spot,
    'overdue', (${open} and h.due_at < ${k.now}),
    'warning', (${open} and h.due_at >= ${k.now}
                and (${k.now} - h.reported_at) >= (h.due_at - h.reported_at) * ${SLA_WARNING_FRACTION}::float8),
    'slaUsed', round(greatest(0, extract(epoch from (coalesce(${k.closedAt}, ${k.now}) - h.reported_at))
                              / nullif(extract(epoch from (h.due_at - h.reported_at)), 0))::numeric, 4),
    'assigneeId', h.assignee_id,
    'assigneeName', (select p.name from people p where p.id = h.assignee_id),
    'unitId', h.unit_id,
    'unitName', (select pu.name from partner_units pu where pu.id = h.unit_id),
    'reporterId', h.reporter_id,
    'recurrenceOf', h.recurrence_of,
    'contact', ${maskedContact},
    'answer', h.public_answer,
    'answeredAt', h.answered_at,
    'rating', h.rating,
    'ratingComment', h.rating_comment,
    'ratedAt', h.rated_at,
    'version', h.version,
    'updatedAt', h.updated_at
  )`
}

function where(sql: Sql, f: HazardFilter, k: Clock): postgres.Fragment {
  const parts: postgres.Fragment[] = []
  if (f.communityIds !== null) parts.push(sql`h.community_id = any(${f.communityIds}::bigint[])`)
  if (f.communityId !== undefined) parts.push(sql`h.community_id = ${f.communityId}`)
  if (f.at) parts.push(sql`h.reported_at <= ${k.now} and ${k.status} <> all(${CLOSED}::text[])`)
  if (f.status?.length) parts.push(sql`${k.status} = any(${f.status}::text[])`)
  if (f.category?.length) parts.push(sql`h.category = any(${f.category}::text[])`)
  if (f.severity?.length) parts.push(sql`h.severity = any(${f.severity}::text[])`)
  if (f.type?.length) parts.push(sql`h.type = any(${f.type}::text[])`)
  if (f.hideLeads) parts.push(sql`h.type <> 'lead'`)
  if (f.level?.length) parts.push(sql`h.level = any(${f.level}::text[])`)
  if (f.from) parts.push(sql`h.reported_at >= ${f.from}::timestamptz`)
  if (f.to) parts.push(sql`h.reported_at < ${f.to}::timestamptz`)
  if (f.zoneId !== undefined) parts.push(sql`(h.zone_id = ${f.zoneId} or h.micro_zone_id = ${f.zoneId})`)
  if (f.assigneeId !== undefined) parts.push(sql`h.assignee_id = ${f.assigneeId}`)
  if (f.unitId !== undefined && f.unitId !== null) parts.push(sql`h.unit_id = ${f.unitId}`)
  if (f.bbox) parts.push(sql`h.geom && ST_MakeEnvelope(${f.bbox[0]}, ${f.bbox[1]}, ${f.bbox[2]}, ${f.bbox[3]}, 4326)`)
  const overdue = sql`(${k.status} <> all(${CLOSED}::text[]) and h.due_at < ${k.now})`
  if (f.overdue === true) parts.push(overdue)
  if (f.overdue === false) parts.push(sql`not ${overdue}`)
  if (parts.length === 0) return sql`true`
  return parts.reduce((acc, p) => sql`${acc} and ${p}`)
}

/** A page of hazards: at most `limit`, after `after` (the previous page's last key). */
export interface HazardPageRequest {
  limit: number
  after?: PageKey | undefined
}

/**
 * Hazards as a GeoJSON FeatureCollection (JSON text), newest first (reported_at, then id). With `at`,
 * the map as it stood then: hazards reported by `at` whose status at `at` (the last hazard_events row
 * by then) was open, with `properties.status` that status. With `page`, at most `page.limit` after
 * `page.after`, and `next` = the key of the last one when more follow (else null).
 */
export async function listHazardsGeoJson(sql: Sql, filter: HazardFilter, page?: HazardPageRequest): Promise<string> {
  const { body } = await hazardPage(sql, filter, page)
  return body
}

/** {@link listHazardsGeoJson} with the key after which the next page starts (null on the last page). */
export async function hazardPage(sql: Sql, filter: HazardFilter, page?: HazardPageRequest): Promise<{ body: string; next: PageKey | null }> {
  const k = clockOf(sql, filter.at)
  const statusThen = filter.at
    ? sql`left join lateral (
        select e.to_status as status from hazard_events e
        where e.hazard_id = h.id and e.at <= ${k.now}
        order by e.at desc, e.id desc limit 1) hs on true`
    : sql``
  const after = page?.after
    ? sql`and (h.reported_at < ${page.after.t}::timestamptz or (h.reported_at = ${page.after.t}::timestamptz and h.id < ${page.after.id}))`
    : sql``
  const limit = page ? sql`limit ${page.limit + 1}` : sql``
  const [row] = await sql<{ fc: string; more: boolean; lastT: string | null; lastId: number | null }[]>`
    with picked as materialized (
      select h.id, h.reported_at, row_number() over (order by h.reported_at desc, h.id desc) as rn
      from hazards h ${statusThen}
      where ${where(sql, filter, k)} ${after}
      order by h.reported_at desc, h.id desc
      ${limit}
    ), shown as (
      select * from picked where ${page ? sql`rn <= ${page.limit}` : sql`true`}
    )
    select json_build_object(
      'type', 'FeatureCollection',
      'features', coalesce(json_agg(json_build_object(
        'type', 'Feature',
        'id', h.id,
        'geometry', ST_AsGeoJSON(h.geom, 7)::json,
        'properties', ${hazardProps(sql, filter.at)}
      ) order by s.rn), '[]'::json)
    )::text as fc,
    ${page ? sql`exists (select 1 from picked where rn > ${page.limit})` : sql`false`} as more,
    (select to_char(s2.reported_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') from shown s2 order by s2.rn desc limit 1) as "lastT",
    (select s2.id from shown s2 order by s2.rn desc limit 1) as "lastId"
    from shown s join hazards h on h.id = s.id ${statusThen}`
  const body = row?.fc ?? '{"type":"FeatureCollection","features":[]}'
  const next = row?.more && row.lastT !== null && row.lastId !== null ? { t: row.lastT, id: row.lastId } : null
  return { body, next }
}

/** The rows the caller may reach: its communities, with `unitId` only that partner unit's, and no lead with `hideLeads`. */
const scope = (sql: Queryable, communityIds: number[] | null, unitId: number | null = null, hideLeads = false) =>
  sql`${communityIds === null ? sql`true` : sql`h.community_id = any(${communityIds}::bigint[])`}
      and ${unitId === null ? sql`true` : sql`h.unit_id = ${unitId}`} and ${hideLeads ? sql`h.type <> 'lead'` : sql`true`}`

/**
 * One hazard as a Feature, or undefined when it does not exist or lies outside `communityIds` (or, with
 * `unitId`, is not handed to that partner unit): the caller answers 404 either way, so other communities'
 * ids never leak. With `detail`, `properties.events` ([{ at, from, to, by, note, assigneeId, unitId,
 * unitName, kind }], oldest first; `by` = the user's name; `kind` 'reminder' for a 催办, else 'transition'), `properties.comments` ([{ at, by, unitId, unitName,
 * note }]) and `properties.photos` ([{ id, url, width, height }]).
 */
export async function hazardFeature(
  sql: Queryable,
  id: number,
  communityIds: number[] | null,
  detail = true,
  unitId: number | null = null,
  hideLeads = false,
): Promise<HazardFeature | undefined> {
  const extra = detail
    ? sql`jsonb_build_object(
        'events', coalesce((
          select json_agg(json_build_object('at', e.at, 'kind', e.kind, 'from', e.from_status, 'to', e.to_status,
                                            'fromLevel', e.from_level, 'toLevel', e.to_level,
                                            'by', coalesce(e.by_name, u.name), 'note', e.note, 'assigneeId', e.assignee_id,
                                            'unitId', e.unit_id, 'unitName', eu.name)
                          order by e.at, e.id)
          from hazard_events e left join users u on u.id = e.user_id left join partner_units eu on eu.id = e.unit_id
          where e.hazard_id = h.id), '[]'::json),
        'comments', coalesce((
          select json_agg(json_build_object('at', hc.at, 'by', coalesce(hc.by_name, cu.name), 'unitId', hc.unit_id,
                                            'unitName', cpu.name, 'note', hc.note) order by hc.at, hc.id)
          from hazard_comments hc left join users cu on cu.id = hc.user_id left join partner_units cpu on cpu.id = hc.unit_id
          where hc.hazard_id = h.id), '[]'::json),
        'photos', coalesce((
          select json_agg(json_build_object('id', ph.id, 'url', '/api/hazards/' || h.id || '/photos/' || ph.id,
                                            'width', ph.width, 'height', ph.height, 'role', ph.role) order by ph.id)
          from hazard_photos ph where ph.hazard_id = h.id), '[]'::json))`
    : sql`'{}'::jsonb`
  const [row] = await sql<{ feature: HazardFeature }[]>`
    select jsonb_build_object(
      'type', 'Feature',
      'id', h.id,
      'geometry', ST_AsGeoJSON(h.geom, 7)::jsonb,
      'properties', ${hazardProps(sql)}::jsonb || ${extra}
    ) as feature
    from hazards h
    where h.id = ${id} and ${scope(sql, communityIds, unitId, hideLeads)}`
  return row?.feature
}

/** The Feature a live `hazard` event carries: the list properties, without events and photos. */
export function liveFeature(feature: HazardFeature): HazardFeature {
  const { events: _events, photos: _photos, comments: _comments, ...properties } = feature.properties
  return { ...feature, properties: properties as HazardFeature['properties'] }
}

/** A report of a new matter (`POST /api/hazards`, `POST /api/matters`), validated (the category belongs to the type). */
export interface NewHazard {
  /** The kind of matter (default `hazard`). */
  type?: MatterType | undefined
  category: MatterCategory
  severity: Severity
  /** Where it is handled (default `micro_grid`); sets `dueAt`. */
  level?: Level | undefined
  /** Where it came from (default `patrol`). */
  source?: Source | undefined
  lon: number
  lat: number
  description?: string | undefined
  buildingId?: number | undefined
  reportedAt: Date
  clientId?: string | undefined
  /**
   * Found and fixed on the spot (现场处置, issue 15): a minor matter is closed at once (`verified`), a major or
   * critical one goes to `rectified` for a recheck by someone else. The route requires `fixedNote` with it.
   */
  fixedOnSpot?: boolean | undefined
  /** What was done on the spot (the timeline's note of the fix). */
  fixedNote?: string | undefined
}

/** What {@link createHazard} did. */
export interface CreatedHazard {
  /** False when the (reporter, clientId) pair was seen before and the first hazard is answered. */
  created: boolean
  feature: HazardFeature
  /** The live event to publish after the commit (only when created). */
  live?: LiveEvent
}

/** Largest distance (m) and age (days) of a verified hazard of the same category that makes a new one a recurrence. */
export const RECURRENCE_RADIUS_M = 30
export const RECURRENCE_DAYS = 30

/**
 * Create a hazard in one transaction: community and zone from the location (among the communities
 * the reporter may act in; none → 422), assignee = the zone's assignee (网格派单), building = the given
 * one (must be in that community) or the footprint under the point, `recurrence_of` = the latest
 * hazard of the same category verified within {@link RECURRENCE_RADIUS_M} m in the previous
 * {@link RECURRENCE_DAYS} days; the first hazard_events row (null → reported), the audit row and
 * the live event row. A repeated (reporter, clientId) answers the first hazard (race-safe through
 * the unique index hazards_client_uq).
 */
export async function createHazard(sql: Sql, input: NewHazard, actor: SessionUser, communityIds: number[] | null): Promise<CreatedHazard> {
  return sql.begin(async (tx): Promise<CreatedHazard> => {
    const existing = async (): Promise<CreatedHazard | undefined> => {
      if (input.clientId === undefined) return undefined
      const [row] = await tx<{ id: number }[]>`select id from hazards where reporter_id = ${actor.id} and client_id = ${input.clientId}`
      if (!row) return undefined
      const feature = await hazardFeature(tx, row.id, null)
      return feature && { created: false, feature }
    }
    const seen = await existing()
    if (seen) return seen

    const type = input.type ?? 'hazard'
    const level = input.level ?? 'micro_grid'
    const point = tx`ST_SetSRID(ST_MakePoint(${input.lon}::float8, ${input.lat}::float8), 4326)`
    const [community] = await tx<{ id: number; createdAt: Date }[]>`
      select c.id, c.created_at as "createdAt" from communities c
      where ST_Covers(c.boundary, ${point})
        and ${communityIds === null ? tx`true` : tx`c.id = any(${communityIds}::bigint[])`}
      order by c.id limit 1`
    if (!community) {
      throw problems.unprocessable('The location is outside every community you may act in.', [
        { path: 'location', message: 'outside every community you may act in' },
      ])
    }
    // Evidence: a report is not older than its community in SafeGrid (the future is refused by the route).
    const early = timeProblem(input.reportedAt.getTime(), timeWindow(community.createdAt), 'reportedAt')
    if (early) throw problems.unprocessable(`reportedAt is refused: ${early}.`, [{ path: 'reportedAt', message: early }])
    const communityId = community.id
    // The grid of the location; its micro-grid's person first (issue #14).
    const zone = await dispatchZoneAt(tx, communityId, point)
    let buildingId: number | null = null
    if (input.buildingId !== undefined) {
      const [b] = await tx<{ id: number }[]>`select id from buildings where id = ${input.buildingId} and community_id = ${communityId}`
      if (!b) throw problems.unprocessable('The building is not in the community of the location.', [{ path: 'buildingId', message: 'no such building in this community' }])
      buildingId = b.id
    } else {
      const [b] = await tx<{ id: number }[]>`
        select id from buildings where community_id = ${communityId} and ST_Covers(footprint, ${point}) order by id limit 1`
      buildingId = b?.id ?? null
    }
    const [previous] = await tx<{ id: number }[]>`
      select o.id from hazards o
      where o.community_id = ${communityId} and o.type = ${type} and o.category = ${input.category} and o.status = 'verified'
        and o.closed_at <= ${input.reportedAt}
        and o.closed_at > ${input.reportedAt}::timestamptz - make_interval(days => ${RECURRENCE_DAYS})
        and ST_DWithin(o.geom::geography, ${point}::geography, ${RECURRENCE_RADIUS_M})
      order by o.closed_at desc, o.id desc limit 1`
    const assigneeId = zone?.assigneeId ?? null
    // Issue 15: a patrol member's report from the phone is made on site (arrived at once, counted apart from the
    // 7-minute rate); fixed on the spot, it is closed (minor) or waits for a recheck (major, critical) at once.
    const source = input.source ?? 'patrol'
    const onPatrol = foundOnPatrol(actor.role, source, input.fixedOnSpot === true)
    const fixedStatus = input.fixedOnSpot ? fixedOnSpotStatus(input.severity) : null
    const [inserted] = await tx<{ id: number }[]>`
      insert into hazards (community_id, zone_id, micro_zone_id, building_id, type, category, severity, level, source, status, description, geom,
                           reported_at, due_at, reporter_id, assignee_id, recurrence_of, client_id,
                           found_on_patrol, arrived_at, arrived_by, arrival_distance_m, fixed_on_spot, rectified_by, closed_at)
      values (${communityId}, ${zone?.id ?? null}, ${zone?.microGridId ?? null}, ${buildingId}, ${type}, ${input.category}, ${input.severity}, ${level}, ${source},
              ${fixedStatus ?? 'reported'}, ${input.description ?? null}, ${point}, ${input.reportedAt}, ${dueAtLevel(input.reportedAt, level)},
              ${actor.id}, ${assigneeId}, ${previous?.id ?? null}, ${input.clientId ?? null},
              ${onPatrol}, ${onPatrol ? input.reportedAt : null}, ${onPatrol ? actor.id : null}, ${onPatrol ? 0 : null},
              ${fixedStatus !== null}, ${fixedStatus !== null ? actor.id : null}, ${fixedStatus === 'verified' ? input.reportedAt : null})
      on conflict (reporter_id, client_id) where client_id is not null do nothing
      returning id`
    if (!inserted) {
      // The same clientId committed by a concurrent request between our check and our insert.
      const raced = await existing()
      if (raced) return raced
      throw problems.conflict('The same clientId is being reported concurrently; try again.')
    }
    const id = inserted.id
    await tx`insert into hazard_events (community_id, hazard_id, at, from_status, to_status, user_id, by_name, assignee_id, note)
             values (${communityId}, ${id}, ${input.reportedAt}, null, 'reported', ${actor.id}, ${actor.name}, ${assigneeId}, null)`
    if (fixedStatus !== null) {
      await tx`insert into hazard_events (community_id, hazard_id, at, from_status, to_status, user_id, by_name, assignee_id, note)
               values (${communityId}, ${id}, ${input.reportedAt}, 'reported', ${fixedStatus}, ${actor.id}, ${actor.name}, ${assigneeId},
                       ${`现场处置：${input.fixedNote ?? ''}`})`
    }
    const feature = (await hazardFeature(tx, id, null))!
    await recordAudit(tx, {
      userId: actor.id,
      communityId,
      action: 'create',
      entity: 'hazard',
      entityId: id,
      after: liveFeature(feature).properties,
    })
    const live = await recordLiveEvent(tx, { type: 'hazard', communityId, data: liveFeature(feature) })
    return { created: true, feature, live }
  })
}

/** A requested transition (`POST /api/hazards/:id/transition`), validated. */
export interface TransitionInput {
  id: number
  to: Status
  note?: string | undefined
  /** With `to: 'dispatched'`: the person to dispatch to (reassigns when different). */
  assigneeId?: number | undefined
  /** With `to: 'dispatched'`: the partner unit to hand the matter to (null takes it back from its unit). */
  unitId?: number | null | undefined
  /** Optimistic concurrency: the version the client saw; another → 409. */
  version?: number | undefined
}

/**
 * Move a hazard through the machine in one transaction (the row locked `FOR UPDATE`, so of two
 * concurrent moves one wins and the other sees the new state): checks the machine and the role
 * (core/matter-machine.ts), sets responded_at on the first `rectifying`, rectified_by on
 * `rectified`, closed_at on `verified`/`rejected`, bumps version and updated_at, writes the
 * hazard_events row, the audit row and the live event row. 404 outside `communityIds`.
 */
export async function transitionHazard(
  sql: Sql,
  input: TransitionInput,
  actor: SessionUser,
  communityIds: number[] | null,
  hideLeads = false,
): Promise<{ feature: HazardFeature; live: LiveEvent }> {
  return sql.begin(async (tx) => {
    const [h] = await tx<{ id: number; communityId: number; status: Status; rectifiedBy: number | null; assigneeId: number | null; unitId: number | null; version: number; fixedOnSpot: boolean }[]>`
      select h.id, h.community_id as "communityId", h.status, h.rectified_by as "rectifiedBy",
             h.assignee_id as "assigneeId", h.unit_id::int as "unitId", h.version, h.fixed_on_spot as "fixedOnSpot"
      from hazards h
      where h.id = ${input.id} and ${scope(tx, communityIds, partnerUnitOf(actor), hideLeads)}
      for update`
    if (!h) throw problems.notFound(`No hazard ${input.id}.`)
    if (input.version !== undefined && input.version !== h.version) {
      throw problems.conflict(`The hazard changed since you loaded it (version ${input.version}, now ${h.version}); reload and try again.`, {
        currentVersion: h.version,
        currentStatus: h.status,
      })
    }
    if (input.assigneeId !== undefined && input.to !== 'dispatched') {
      throw problems.unprocessable('assigneeId is only accepted with to = dispatched.', [{ path: 'assigneeId', message: 'only with to = dispatched' }])
    }
    if (input.unitId !== undefined && input.to !== 'dispatched') {
      throw problems.unprocessable('unitId is only accepted with to = dispatched.', [{ path: 'unitId', message: 'only with to = dispatched' }])
    }
    const verdict = checkTransition({
      from: h.status,
      to: input.to,
      role: actor.role,
      userId: actor.id,
      rectifiedBy: h.rectifiedBy,
      reassign: (input.assigneeId !== undefined && input.assigneeId !== h.assigneeId) || (input.unitId !== undefined && input.unitId !== h.unitId),
      fixedOnSpot: h.fixedOnSpot,
    })
    if (!verdict.ok) throw new Problem(verdict.status, verdict.reason, { extensions: { from: h.status, to: input.to } })
    // Reopening a matter closed on the spot (a spot check found otherwise) says why.
    if (h.status === 'verified' && !input.note) throw problems.unprocessable('Reopening a matter fixed on the spot needs a reason (note).', [{ path: 'note', message: 'required' }])

    let assigneeId = h.assigneeId
    let unitId = h.unitId
    if (input.to === 'dispatched' && input.unitId !== undefined) {
      if (input.unitId !== null && !(await unitServing(tx, input.unitId, h.communityId))) {
        throw problems.unprocessable('The unit does not serve the matter’s community (or is inactive).', [{ path: 'unitId', message: 'not an active unit of this community' }])
      }
      unitId = input.unitId
    }
    if (input.to === 'dispatched') {
      if (input.assigneeId !== undefined) {
        const [p] = await tx<{ id: number }[]>`
          select id from people where id = ${input.assigneeId} and community_id = ${h.communityId} and active`
        if (!p) throw problems.unprocessable('The assignee is not an active person of the hazard’s community.', [{ path: 'assigneeId', message: 'not a person of this community' }])
        assigneeId = p.id
      }
      // Handed to a partner unit, the matter needs no person of ours (the unit answers for it).
      if (assigneeId === null && unitId === null) throw problems.unprocessable('The hazard has no assignee; name one with assigneeId (or a unit with unitId).', [{ path: 'assigneeId', message: 'required' }])
    }
    const to = input.to
    await tx`
      update hazards set
        status = ${to},
        assignee_id = ${assigneeId},
        unit_id = ${unitId},
        responded_at = case when ${to} = 'rectifying' then coalesce(responded_at, now()) else responded_at end,
        rectified_by = case when ${to} = 'rectified' then ${actor.id}::bigint else rectified_by end,
        closed_at = case when ${to} in ('verified', 'rejected') then now() when ${to} = 'reopened' then null else closed_at end,
        version = version + 1,
        updated_at = now()
      where id = ${h.id}`
    await tx`insert into hazard_events (community_id, hazard_id, at, from_status, to_status, user_id, by_name, assignee_id, note, unit_id)
             values (${h.communityId}, ${h.id}, now(), ${h.status}, ${to}, ${actor.id}, ${actor.name}, ${assigneeId}, ${input.note ?? null},
                     ${to === 'dispatched' ? unitId : partnerUnitOf(actor)})`
    const feature = (await hazardFeature(tx, h.id, null))!
    await recordAudit(tx, {
      userId: actor.id,
      communityId: h.communityId,
      action: 'transition',
      entity: 'hazard',
      entityId: h.id,
      before: { status: h.status, assigneeId: h.assigneeId, unitId: h.unitId, version: h.version },
      after: { status: to, assigneeId, unitId, version: h.version + 1, note: input.note ?? null },
    })
    const live = await recordLiveEvent(tx, { type: 'hazard', communityId: h.communityId, data: liveFeature(feature) })
    return { feature, live }
  })
}

/** 整改完成 from the field (`POST /api/hazards/:id/rectify`, issue 15), validated. */
export interface RectifyInput {
  id: number
  /** What was done (the timeline's note of the move into `rectified`). */
  note?: string | undefined
  /** The phone's id of this action (its outbox): sent again, the matter is answered as it is, rectified once. */
  clientId?: string | undefined
}

/**
 * 整改完成 from the phone (issue 15): moves a matter into `rectified` in one transaction, the row locked — from
 * `dispatched` through `rectifying` (someone was on site: `respondedAt` is set when it was not), from `rectifying`
 * directly. Each move is checked by the machine (core/matter-machine.ts; `rectify` permission), so any other
 * status → 409. Writes a timeline row per move (the last with the note and the clientId), the audit row and the
 * live event. A repeat of the same clientId by the same account answers the matter (`created: false`). 404 outside
 * the caller's scope (communities, partner unit, leads).
 */
export async function rectifyHazard(
  sql: Sql,
  input: RectifyInput,
  actor: SessionUser,
  communityIds: number[] | null,
  hideLeads = false,
): Promise<{ feature: HazardFeature; live: LiveEvent | null; created: boolean }> {
  return sql.begin(async (tx) => {
    const unitId = partnerUnitOf(actor)
    const [h] = await tx<{ id: number; communityId: number; status: Status; rectifiedBy: number | null; assigneeId: number | null; version: number; fixedOnSpot: boolean }[]>`
      select h.id, h.community_id as "communityId", h.status, h.rectified_by as "rectifiedBy", h.assignee_id as "assigneeId",
             h.version, h.fixed_on_spot as "fixedOnSpot"
      from hazards h
      where h.id = ${input.id} and ${scope(tx, communityIds, unitId, hideLeads)}
      for update`
    if (!h) throw problems.notFound(`No hazard ${input.id}.`)
    if (await eventSent(tx, h.id, actor.id, input.clientId)) return { feature: (await hazardFeature(tx, h.id, null))!, live: null, created: false }
    const steps: Status[] = h.status === 'dispatched' ? ['rectifying', 'rectified'] : ['rectified']
    let from = h.status
    for (const to of steps) {
      const verdict = checkTransition({ from, to, role: actor.role, userId: actor.id, rectifiedBy: h.rectifiedBy, fixedOnSpot: h.fixedOnSpot })
      if (!verdict.ok) throw new Problem(verdict.status, verdict.reason, { extensions: { from, to } })
      from = to
    }
    await tx`
      update hazards set status = 'rectified', responded_at = coalesce(responded_at, now()), rectified_by = ${actor.id},
                         version = version + 1, updated_at = now()
      where id = ${h.id}`
    from = h.status
    for (const to of steps) {
      const last = to === 'rectified'
      await tx`insert into hazard_events (community_id, hazard_id, at, from_status, to_status, user_id, by_name, assignee_id, note, unit_id, client_id)
               values (${h.communityId}, ${h.id}, now(), ${from}, ${to}, ${actor.id}, ${actor.name}, ${h.assigneeId},
                       ${last ? (input.note ?? null) : null}, ${unitId}, ${last ? (input.clientId ?? null) : null})`
      from = to
    }
    const feature = (await hazardFeature(tx, h.id, null))!
    await recordAudit(tx, {
      userId: actor.id,
      communityId: h.communityId,
      action: 'transition',
      entity: 'hazard',
      entityId: h.id,
      before: { status: h.status, version: h.version },
      after: { status: 'rectified', version: h.version + 1, note: input.note ?? null, via: steps.length > 1 ? 'rectifying' : null },
    })
    const live = await recordLiveEvent(tx, { type: 'hazard', communityId: h.communityId, data: liveFeature(feature) })
    return { feature, live, created: true }
  })
}

/** A requested escalation (`POST /api/hazards/:id/escalate`), validated. */
export interface EscalationInput {
  id: number
  level: Level
  reason: string
  /** At street level: the partner unit the matter is handed to (it must serve the community). */
  unitId?: number | null | undefined
  /** The phone's id of this escalation (the outbox): sent again, the matter is answered as it is, escalated once. */
  clientId?: string | undefined
}

/**
 * Escalate a matter (升级) in one transaction, the row locked: checks who may and that the level goes up
 * (core/matter-machine.ts `checkEscalation`), sets `level`, recomputes `dueAt` = reportedAt + the level's
 * days, counts it (`escalations`, `escalatedAt`), hands it to the level's handler — `grid`: the leader of
 * the zone's team when known (else the assignee stays); `street`: the command centre (assignee cleared) —
 * and writes the timeline row (kind `escalation`, from_status = to_status, from_level → to_level, the
 * reason as note), the audit row, and two live events: `hazard` (the changed Feature) and `escalation`
 * (`{ hazardId, communityId, from, to, reason, by, unitId, feature }`; the alert worker turns it into
 * alerts). 404 outside `communityIds`.
 */
export async function escalateHazard(
  sql: Sql,
  input: EscalationInput,
  actor: SessionUser,
  communityIds: number[] | null,
  hideLeads = false,
): Promise<{ feature: HazardFeature; live: LiveEvent[] }> {
  return sql.begin(async (tx) => {
    const [h] = await tx<{ id: number; communityId: number; zoneId: number | null; status: Status; level: Level; assigneeId: number | null; version: number; reportedAt: Date; dueAt: Date }[]>`
      select h.id, h.community_id as "communityId", h.zone_id as "zoneId", h.status, h.level, h.assignee_id as "assigneeId",
             h.version, h.reported_at as "reportedAt", h.due_at as "dueAt"
      from hazards h
      where h.id = ${input.id} and ${scope(tx, communityIds, null, hideLeads)}
      for update`
    if (!h) throw problems.notFound(`No hazard ${input.id}.`)
    // The same escalation sent again from the phone's outbox (the row lock orders the two): answered, not repeated.
    if (await eventSent(tx, h.id, actor.id, input.clientId)) return { feature: (await hazardFeature(tx, h.id, null))!, live: [] }
    const verdict = checkEscalation({ status: h.status, from: h.level, to: input.level, role: actor.role, personId: actor.personId, assigneeId: h.assigneeId })
    if (!verdict.ok) throw new Problem(verdict.status, verdict.reason, { extensions: { level: h.level, to: input.level } })
    // A street-level matter may be handed to a partner unit serving the community (the police station, fire …).
    let unitId: number | null = null
    if (input.unitId !== undefined && input.unitId !== null) {
      if (input.level !== 'street') throw problems.unprocessable('A matter is handed to a partner unit at street level only.', [{ path: 'unitId', message: 'only with level = street' }])
      if (!(await unitServing(tx, input.unitId, h.communityId))) {
        throw problems.unprocessable('The unit does not serve the matter’s community (or is inactive).', [{ path: 'unitId', message: 'not an active unit of this community' }])
      }
      unitId = input.unitId
    }
    let assigneeId = h.assigneeId
    if (input.level === 'street') assigneeId = null
    else if (h.zoneId !== null) {
      const [leader] = await tx<{ id: number }[]>`
        select p.id from zones z join teams t on t.id = z.team_id join people p on p.id = t.leader_id
        where z.id = ${h.zoneId} and p.active`
      if (leader) assigneeId = leader.id
    }
    const due = dueAtLevel(h.reportedAt, input.level)
    await tx`
      update hazards set level = ${input.level}, due_at = ${due}, assignee_id = ${assigneeId},
                         unit_id = ${unitId === null ? tx`unit_id` : tx`${unitId}::bigint`},
                         escalations = escalations + 1, escalated_at = now(), version = version + 1, updated_at = now()
      where id = ${h.id}`
    await tx`insert into hazard_events (community_id, hazard_id, at, kind, from_status, to_status, from_level, to_level, user_id, by_name, assignee_id, note, unit_id, client_id)
             values (${h.communityId}, ${h.id}, now(), 'escalation', ${h.status}, ${h.status}, ${h.level}, ${input.level},
                     ${actor.id}, ${actor.name}, ${assigneeId}, ${input.reason}, ${unitId}, ${input.clientId ?? null})`
    const feature = (await hazardFeature(tx, h.id, null))!
    await recordAudit(tx, {
      userId: actor.id,
      communityId: h.communityId,
      action: 'escalate',
      entity: 'hazard',
      entityId: h.id,
      before: { level: h.level, dueAt: h.dueAt.toISOString(), assigneeId: h.assigneeId, version: h.version },
      after: { level: input.level, dueAt: due.toISOString(), assigneeId, unitId, version: h.version + 1, reason: input.reason },
    })
    const changed = await recordLiveEvent(tx, { type: 'hazard', communityId: h.communityId, data: liveFeature(feature) })
    const escalation = await recordLiveEvent(tx, {
      type: 'escalation',
      communityId: h.communityId,
      data: { hazardId: h.id, communityId: h.communityId, from: h.level, to: input.level, reason: input.reason, by: actor.name, unitId, feature: liveFeature(feature) },
    })
    return { feature, live: [changed, escalation] }
  })
}

/** A stored photo. */
export interface PhotoRow {
  id: number
  hazardId: number
  mime: string
  width: number | null
  height: number | null
  bytes: Buffer
}

/** What a photo of a matter shows (issue 15): as found (`before`) or once fixed (`after`). */
export type PhotoRole = 'before' | 'after'

/**
 * Store a (cleaned, resized) photo of a visible hazard, with its role (before/after) when given; 404 when the
 * hazard is not visible. The same (hazard, clientId) again answers the first photo (`created: false`).
 */
export async function addHazardPhoto(
  sql: Sql,
  hazardId: number,
  photo: { mime: string; width: number; height: number; bytes: Buffer },
  actor: SessionUser,
  communityIds: number[] | null,
  clientId: string | null = null,
  hideLeads = false,
  role: PhotoRole | null = null,
): Promise<{ id: number; created: boolean }> {
  return sql.begin(async (tx) => {
    const [h] = await tx<{ id: number; communityId: number }[]>`
      select h.id, h.community_id as "communityId" from hazards h where h.id = ${hazardId} and ${scope(tx, communityIds, partnerUnitOf(actor), hideLeads)}`
    if (!h) throw problems.notFound(`No hazard ${hazardId}.`)
    const [row] = await tx<{ id: number }[]>`
      insert into hazard_photos (community_id, hazard_id, mime, width, height, bytes, user_id, client_id, role)
      values (${h.communityId}, ${h.id}, ${photo.mime}, ${photo.width}, ${photo.height}, ${photo.bytes}, ${actor.id}, ${clientId}, ${role})
      on conflict (hazard_id, client_id) where client_id is not null do nothing
      returning id`
    if (!row) {
      // The same upload again (its answer was lost): the first photo stands.
      const [first] = await tx<{ id: number }[]>`select id from hazard_photos where hazard_id = ${h.id} and client_id = ${clientId}`
      return { id: first!.id, created: false }
    }
    await recordAudit(tx, {
      userId: actor.id,
      communityId: h.communityId,
      action: 'create',
      entity: 'hazard_photo',
      entityId: row.id,
      after: { hazardId: h.id, mime: photo.mime, width: photo.width, height: photo.height, size: photo.bytes.length, role },
    })
    return { id: row.id, created: true }
  })
}

/** A photo of a visible hazard, or undefined. */
export async function hazardPhoto(sql: Sql, hazardId: number, photoId: number, communityIds: number[] | null, unitId: number | null = null, hideLeads = false): Promise<PhotoRow | undefined> {
  const [row] = await sql<PhotoRow[]>`
    select ph.id, ph.hazard_id as "hazardId", ph.mime, ph.width, ph.height, ph.bytes
    from hazard_photos ph join hazards h on h.id = ph.hazard_id
    where ph.id = ${photoId} and ph.hazard_id = ${hazardId} and ${scope(sql, communityIds, unitId, hideLeads)}`
  return row
}

/**
 * A comment on a visible matter (a partner unit's word on it, or anyone's who may rectify): stored with the
 * writer's unit, audited, on the matter's timeline (`properties.comments`) and sent live. 404 when not visible.
 * With `clientId` (the phone's outbox, issue 15) a repeat of the same account on the same matter answers the
 * matter as it is (`created: false`, no live event) instead of commenting twice.
 */
export async function addHazardComment(
  sql: Sql,
  hazardId: number,
  note: string,
  actor: SessionUser,
  communityIds: number[] | null,
  clientId: string | null = null,
  hideLeads = false,
): Promise<{ feature: HazardFeature; live: LiveEvent | null; created: boolean }> {
  return sql.begin(async (tx) => {
    const unitId = partnerUnitOf(actor)
    const [h] = await tx<{ id: number; communityId: number }[]>`
      select h.id, h.community_id as "communityId" from hazards h where h.id = ${hazardId} and ${scope(tx, communityIds, unitId, hideLeads)}
      for update`
    if (!h) throw problems.notFound(`No hazard ${hazardId}.`)
    if (clientId !== null) {
      // The row lock orders two sends of the same comment: the second finds the first.
      const [seen] = await tx<{ id: number }[]>`
        select id from hazard_comments where hazard_id = ${h.id} and user_id = ${actor.id} and client_id = ${clientId}`
      if (seen) return { feature: (await hazardFeature(tx, h.id, null))!, live: null, created: false }
    }
    const [row] = await tx<{ id: number }[]>`
      insert into hazard_comments (community_id, hazard_id, user_id, by_name, unit_id, note, client_id)
      values (${h.communityId}, ${h.id}, ${actor.id}, ${actor.name}, ${unitId}, ${note}, ${clientId}) returning id::int`
    await tx`update hazards set updated_at = now() where id = ${h.id}`
    await recordAudit(tx, { userId: actor.id, communityId: h.communityId, action: 'comment', entity: 'hazard', entityId: h.id, after: { commentId: row!.id, note } })
    const feature = (await hazardFeature(tx, h.id, null))!
    const live = await recordLiveEvent(tx, { type: 'hazard', communityId: h.communityId, data: liveFeature(feature) })
    return { feature, live, created: true }
  })
}
