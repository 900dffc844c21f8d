/**
 * Residents' reports (人人都是安全员, issue 15): a report without signing in (`source = 'resident'`, status
 * `pending_review`), its public view by tracking code (no names, no phones), the resident's rating after the
 * close (`unsatisfied` reopens it for a recheck), and the command centre's review (accept → `reported`,
 * decline → `rejected` with an answer).
 */
import type postgres from 'postgres'
import type { Queryable, Sql } from '../db/connect.ts'
import { checkTransition } from '../../core/matter-machine.ts'
import { CLOSED_STATUSES, LEVEL_DAYS, type Level, type MatterCategory, type PublicReportType, type Status } from '../../core/matters.ts'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'
import { buildingLabel, cleanPlaceName, readableAddress } from '../../core/address.ts'
import type { Rating } from '../../core/org.ts'
import { recordLiveEvent, type LiveEvent } from '../live/hub.ts'
import { Problem, problems } from '../problem.ts'
import { newTrackingCode } from '../domain/public-reports.ts'
import { recordAudit } from './audit.ts'
import { hazardFeature, liveFeature, type HazardFeature } from './hazards.ts'
import type { SessionUser } from './users.ts'
import { dispatchZoneAt } from './zones.ts'

/** Who a resident's moves are written as on the (internal) timeline. */
const RESIDENT_NAME = '居民'

/** A place a poster or sticker code names: where it is, its community and building, and a name to show. */
export interface PublicPlace {
  lon: number
  lat: number
  communityId: number
  buildingId: number | null
  /** The name printed for residents (building, compound or key place), with its community. */
  name: string
  communityName: string
}

/**
 * The place of a code: a compound's or building's poster code (`report_code`, migration 075) or a key
 * place's sticker code; undefined when none has it. A compound or building stands at a point on its surface,
 * a key place line at its middle.
 */
export async function placeByCode(sql: Queryable, code: string): Promise<PublicPlace | undefined> {
  const [row] = await sql<(PublicPlace & { kind: 'building' | 'compound' | 'key_place'; compoundName: string | null; name: string | null })[]>`
    with p as (
      select b.community_id, b.id as building_id, ST_PointOnSurface(b.footprint) as pt,
             b.name, cp.name as compound_name, 'building' as kind
      from buildings b left join compounds cp on cp.id = b.compound_id where b.report_code = ${code}
      union all
      select c.community_id, null, ST_PointOnSurface(c.geom), c.name, null::text, 'compound' from compounds c where c.report_code = ${code}
      union all
      select k.community_id, k.building_id,
             case when GeometryType(k.geom) = 'POINT' then k.geom else ST_LineInterpolatePoint(k.geom, 0.5) end, k.name, null::text, 'key_place'
      from key_places k where k.code = ${code}
    )
    select ST_X(p.pt) as lon, ST_Y(p.pt) as lat, p.community_id::int as "communityId", p.building_id::int as "buildingId",
           p.name, p.compound_name as "compoundName", p.kind, cm.name as "communityName"
    from p join communities cm on cm.id = p.community_id limit 1`
  if (!row) return undefined
  const { kind, compoundName, name, ...place } = row
  // A building by its compound and number ("光谷花园 3栋"), never "楼栋 #164"; other names without "(?)".
  const shown = kind === 'building' ? readableAddress({ name, compoundName }) : (cleanPlaceName(name) ?? name ?? '')
  return { ...place, name: shown }
}

/** The box around every community served ([minLon, minLat, maxLon, maxLat]), for the public page's map; null when none. */
export async function servedArea(sql: Queryable): Promise<[number, number, number, number] | null> {
  const [row] = await sql<{ x0: number | null; y0: number | null; x1: number | null; y1: number | null }[]>`
    select ST_XMin(e) as x0, ST_YMin(e) as y0, ST_XMax(e) as x1, ST_YMax(e) as y1 from (select ST_Extent(boundary)::geometry as e from communities) s`
  return row && row.x0 !== null ? [row.x0, row.y0!, row.x1!, row.y1!] : null
}

/** A resident's report, validated (the category belongs to the type; the phone normalized). */
export interface NewPublicReport {
  type: PublicReportType
  category: MatterCategory
  /** Where: a point, or a place code's place (already resolved). */
  lon: number
  lat: number
  place?: PublicPlace | undefined
  description: string
  contact: string | null
  deviceId: string | null
  photo?: { mime: string; width: number; height: number; bytes: Buffer } | undefined
}

/**
 * Store a resident's report in one transaction: the community covering the point (422 when none), its zone and
 * that zone's assignee, the building (the place's, or the footprint under the point), severity `minor`, level
 * `micro_grid`, source `resident`, status `pending_review`, a fresh tracking code, the photo, the first timeline
 * row, the audit row and the live event for the command centre.
 */
export async function createPublicReport(sql: Sql, input: NewPublicReport): Promise<{ trackingCode: string; feature: HazardFeature; live: LiveEvent }> {
  return sql.begin(async (tx) => {
    const point = tx`ST_SetSRID(ST_MakePoint(${input.lon}::float8, ${input.lat}::float8), 4326)`
    let communityId = input.place?.communityId
    if (communityId === undefined) {
      const [community] = await tx<{ id: number }[]>`select c.id::int as id from communities c where ST_Covers(c.boundary, ${point}) order by c.id limit 1`
      if (!community) throw problems.unprocessable('The place is outside every community served here.', [{ path: 'lon', message: 'outside every community' }])
      communityId = community.id
    }
    // The grid and micro-grid of the place, the micro-grid's person first (issue #14), as for any report.
    const zone = await dispatchZoneAt(tx, communityId, point)
    let buildingId = input.place?.buildingId ?? null
    if (buildingId === null && !input.place) {
      const [b] = await tx<{ id: number }[]>`select id from buildings where community_id = ${communityId} and ST_Covers(footprint, ${point}) order by id limit 1`
      buildingId = b?.id ?? null
    }
    const now = new Date()
    const level: Level = 'micro_grid'
    const due = new Date(now.getTime() + LEVEL_DAYS[level] * 86_400_000)
    let trackingCode = ''
    let id = 0
    // A clash of two 59-bit codes is next to impossible; one retry covers it.
    for (let attempt = 0; attempt < 3 && id === 0; attempt++) {
      trackingCode = newTrackingCode()
      const [row] = await tx<{ id: number }[]>`
        insert into hazards (community_id, zone_id, micro_zone_id, building_id, type, category, severity, level, source, status, description, geom,
                             reported_at, due_at, assignee_id, tracking_code, contact_phone, reporter_device)
        values (${communityId}, ${zone?.id ?? null}, ${zone?.microGridId ?? null}, ${buildingId}, ${input.type}, ${input.category}, 'minor', ${level}, 'resident',
                'pending_review', ${input.description}, ${point}, ${now}, ${due}, ${zone?.assigneeId ?? null},
                ${trackingCode}, ${input.contact}, ${input.deviceId})
        on conflict (tracking_code) where tracking_code is not null do nothing
        returning id::int`
      if (row) id = row.id
    }
    if (id === 0) throw new Problem(503, 'Could not make a tracking code; try again.')
    await tx`insert into hazard_events (community_id, hazard_id, at, from_status, to_status, user_id, by_name, assignee_id, note)
             values (${communityId}, ${id}, ${now}, null, 'pending_review', null, ${RESIDENT_NAME}, null, null)`
    if (input.photo) {
      const p = input.photo
      await tx`insert into hazard_photos (community_id, hazard_id, mime, width, height, bytes, user_id)
               values (${communityId}, ${id}, ${p.mime}, ${p.width}, ${p.height}, ${p.bytes}, null)`
    }
    const feature = (await hazardFeature(tx, id, null, false))!
    await recordAudit(tx, { userId: null, communityId, action: 'create', entity: 'hazard', entityId: id, after: liveFeature(feature).properties })
    const live = await recordLiveEvent(tx, { type: 'hazard', communityId, data: liveFeature(feature) })
    return { trackingCode, feature, live }
  })
}

/** What anyone holding the tracking code reads (`GET /api/public/reports/:trackingCode`). */
export type PublicReportView = z.infer<typeof Schemas.PublicReportView>
/** One step of the public timeline: when, and the status it reached (no names, no notes). */
export type PublicStep = PublicReportView['timeline'][number]

/** The public view of a resident's report, or undefined for an unknown code. */
export async function publicReport(sql: Queryable, trackingCode: string): Promise<PublicReportView | undefined> {
  const [found] = await sql<(Omit<PublicReportView, 'mayRate'> & { buildingId: number | null; buildingName: string | null; compoundName: string | null })[]>`
    select h.tracking_code as "trackingCode", h.type, h.category, h.status,
           h.reported_at as "reportedAt", h.closed_at as "closedAt",
           c.name as place, b.id::int as "buildingId", b.name as "buildingName", cp.name as "compoundName",
           coalesce((select json_agg(json_build_object('at', e.at, 'status', e.to_status) order by e.at, e.id)
                     from hazard_events e where e.hazard_id = h.id and e.kind = 'transition'), '[]'::json) as timeline,
           h.public_answer as answer, h.answered_at as "answeredAt", h.rating, h.rated_at as "ratedAt"
    from hazards h
    join communities c on c.id = h.community_id
    left join buildings b on b.id = h.building_id
    left join compounds cp on cp.id = b.compound_id
    where h.tracking_code = ${trackingCode}`
  if (!found) return undefined
  const { buildingId, buildingName, compoundName, ...row } = found
  // The building by its compound and number ("光谷花园 3栋"), else the community.
  if (buildingId !== null) row.place = readableAddress({ name: buildingName, compoundName })
  const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString())
  return {
    ...row,
    reportedAt: iso(row.reportedAt)!,
    closedAt: iso(row.closedAt),
    answeredAt: iso(row.answeredAt),
    ratedAt: iso(row.ratedAt),
    timeline: row.timeline.map((s) => ({ at: iso(s.at)!, status: s.status })),
    mayRate: CLOSED_STATUSES.includes(row.status) && row.rating === null,
  }
}

/**
 * The resident's one rating, after the close (409 while open, and 409 the second time). `unsatisfied` asks for
 * a recheck: a verified matter is reopened (`reopened`, a new deadline of its level's days, dispatched again
 * by a leader), a declined report goes back to review (`pending_review`); either way a timeline row. Undefined
 * for an unknown code.
 */
export async function ratePublicReport(
  sql: Sql,
  trackingCode: string,
  rating: Rating,
  comment: string | null,
): Promise<{ view: PublicReportView; live: LiveEvent } | undefined> {
  const live = await sql.begin(async (tx) => {
    const [h] = await tx<{ id: number; communityId: number; status: Status; level: Level; rating: Rating | null; version: number }[]>`
      select id::int, community_id::int as "communityId", status, level, rating, version from hazards where tracking_code = ${trackingCode} for update`
    if (!h) return undefined
    if (h.rating !== null) throw problems.conflict('This report has been rated already; a report is rated once.')
    if (!CLOSED_STATUSES.includes(h.status)) throw problems.conflict('A report is rated once it is closed; it is still being handled.')
    const reopenTo: Status | null = rating === 'unsatisfied' ? (h.status === 'verified' ? 'reopened' : 'pending_review') : null
    await tx`
      update hazards set rating = ${rating}, rating_comment = ${comment}, rated_at = now(),
        status = ${reopenTo ?? h.status},
        closed_at = case when ${reopenTo !== null}::boolean then null else closed_at end,
        due_at = case when ${reopenTo === 'reopened'}::boolean then now() + make_interval(days => ${LEVEL_DAYS[h.level]}) else due_at end,
        version = version + 1, updated_at = now()
      where id = ${h.id}`
    if (reopenTo) {
      await tx`insert into hazard_events (community_id, hazard_id, at, from_status, to_status, user_id, by_name, note)
               values (${h.communityId}, ${h.id}, now(), ${h.status}, ${reopenTo}, null, ${RESIDENT_NAME},
                       ${`居民不满意，申请复核 (resident unsatisfied, recheck)${comment ? `: ${comment}` : ''}`})`
    }
    await recordAudit(tx, {
      userId: null,
      communityId: h.communityId,
      action: 'rate',
      entity: 'hazard',
      entityId: h.id,
      before: { status: h.status, version: h.version },
      after: { rating, comment, status: reopenTo ?? h.status, version: h.version + 1 },
    })
    const feature = (await hazardFeature(tx, h.id, null, false))!
    return recordLiveEvent(tx, { type: 'hazard', communityId: h.communityId, data: liveFeature(feature) })
  })
  if (!live) return undefined
  return { view: (await publicReport(sql, trackingCode))!, live }
}

/** The command centre's review of a resident's report. */
export interface ReviewInput {
  id: number
  decision: 'accept' | 'decline'
  /** The answer the resident reads; required to decline. */
  answer: string | null
}

/**
 * Accept (→ `reported`, its deadline counted from now) or decline (→ `rejected`, closed, with the answer) a
 * report waiting for review, the row locked; the machine (core/matter-machine.ts) decides who may (admin,
 * command) and from where (only `pending_review`, else 409). 404 outside `communityIds`.
 */
export async function reviewReport(sql: Sql, input: ReviewInput, actor: SessionUser, communityIds: number[] | null): Promise<{ feature: HazardFeature; live: LiveEvent }> {
  return sql.begin(async (tx) => {
    const [h] = await tx<{ id: number; communityId: number; status: Status; level: Level; version: number }[]>`
      select h.id::int, h.community_id::int as "communityId", h.status, h.level, h.version from hazards h
      where h.id = ${input.id} and h.type <> 'lead'
        and ${communityIds === null ? tx`true` : tx`h.community_id = any(${communityIds}::bigint[])`}
      for update`
    if (!h) throw problems.notFound(`No hazard ${input.id}.`)
    const to: Status = input.decision === 'accept' ? 'reported' : 'rejected'
    if (h.status !== 'pending_review') throw problems.conflict(`Only a report waiting for review (待核实) is reviewed; this one is '${h.status}'.`, { currentStatus: h.status })
    const verdict = checkTransition({ from: h.status, to, role: actor.role, userId: actor.id, review: true })
    if (!verdict.ok) throw new Problem(verdict.status, verdict.reason, { extensions: { from: h.status, to } })
    await tx`
      update hazards set status = ${to},
        due_at = case when ${to === 'reported'}::boolean then now() + make_interval(days => ${LEVEL_DAYS[h.level]}) else due_at end,
        closed_at = case when ${to === 'rejected'}::boolean then now() else closed_at end,
        public_answer = coalesce(${input.answer}, public_answer),
        answered_at = case when ${input.answer !== null}::boolean then now() else answered_at end,
        version = version + 1, updated_at = now()
      where id = ${h.id}`
    await tx`insert into hazard_events (community_id, hazard_id, at, from_status, to_status, user_id, by_name, note)
             values (${h.communityId}, ${h.id}, now(), ${h.status}, ${to}, ${actor.id}, ${actor.name}, ${input.answer})`
    await recordAudit(tx, {
      userId: actor.id,
      communityId: h.communityId,
      action: 'review',
      entity: 'hazard',
      entityId: h.id,
      before: { status: h.status, version: h.version },
      after: { status: to, decision: input.decision, answer: input.answer, version: h.version + 1 },
    })
    const feature = (await hazardFeature(tx, h.id, null))!
    const live = await recordLiveEvent(tx, { type: 'hazard', communityId: h.communityId, data: liveFeature(feature) })
    return { feature, live }
  })
}

/** The resident's phone of a matter, whole (admin and the command centre only: the caller checks). */
export async function residentContact(sql: Queryable, id: number): Promise<string | null> {
  const [row] = await sql<{ contact: string | null }[]>`select contact_phone as contact from hazards where id = ${id}`
  return row?.contact ?? null
}

/** One poster: a compound or a building with its report code. */
export type PosterRow = Omit<z.infer<typeof Schemas.PosterList>['items'][number], 'reportUrl' | 'qrUrl'>

/** Every compound, then every building, of the caller's communities (or one of them), by name. */
export async function listPosters(sql: Queryable, communityIds: number[] | null, communityId?: number): Promise<PosterRow[]> {
  const scope = (col: postgres.Fragment) =>
    sql`${communityIds === null ? sql`true` : sql`${col} = any(${communityIds}::bigint[])`} and ${communityId === undefined ? sql`true` : sql`${col} = ${communityId}`}`
  const rows = await sql<PosterRow[]>`
    select 'compound' as kind, cp.id::int, cp.community_id::int as "communityId", c.name as "communityName", cp.name, null as "compoundName", cp.report_code as code, 0 as o
    from compounds cp join communities c on c.id = cp.community_id where ${scope(sql`cp.community_id`)}
    union all
    select 'building', b.id::int, b.community_id::int, c.name, b.name, cp.name, b.report_code, 1
    from buildings b join communities c on c.id = b.community_id left join compounds cp on cp.id = b.compound_id
    where ${scope(sql`b.community_id`)} and (b.name is not null or b.households > 0)
    order by o, "communityId", name, id`
  // A building by its number or short name ("3栋"; the compound is printed beside it), never "楼栋 #164".
  return rows.map((r) =>
    r.kind === 'building'
      ? { ...r, name: buildingLabel({ name: r.name, compoundName: r.compoundName }) ?? (r.compoundName ? '楼栋' : '未命名楼栋') }
      : { ...r, name: cleanPlaceName(r.name) ?? r.name },
  )
}

/** Whether a poster code belongs to the caller's communities. */
export async function posterByCode(sql: Queryable, code: string, communityIds: number[] | null): Promise<boolean> {
  const [row] = await sql<{ ok: boolean }[]>`
    select true as ok from (
      select community_id from compounds where report_code = ${code}
      union all select community_id from buildings where report_code = ${code}) x
    where ${communityIds === null ? sql`true` : sql`x.community_id = any(${communityIds}::bigint[])`} limit 1`
  return row !== undefined
}
