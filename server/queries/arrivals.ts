/**
 * Arrival on site (到场) and the leaders' spot checks of matters fixed on the spot (现场处置), issue 15,
 * contract v2 "Arrival and on-the-spot fixes". The rules (radius, accuracy) are in core/arrival.ts.
 */
import { arrivalLimitM, arrivalNeedsNote } from '../../core/arrival.ts'
import { isClosed } from '../../core/matter-machine.ts'
import type { Status } from '../../core/matters.ts'
import type { Sql } from '../db/connect.ts'
import { CHECKIN_MAX_AGE_MS, CLOCK_SKEW_MS } from '../domain/evidence.ts'
import { recordLiveEvent, type LiveEvent } from '../live/hub.ts'
import { Problem, problems } from '../problem.ts'
import { recordAudit } from './audit.ts'
import { hazardFeature, liveFeature, type HazardFeature } from './hazards.ts'
import { partnerUnitOf } from './units.ts'
import type { SessionUser } from './users.ts'

/** `POST /api/hazards/:id/arrive`, validated (finite numbers, in range). */
export interface ArrivalInput {
  id: number
  lon: number
  lat: number
  /** The position's accuracy (m), as the phone reports it. */
  accuracy?: number | undefined
  /** The phone's id of this arrival: a repeat answers the first and records nothing. */
  clientId?: string | undefined
  /** Why the position is farther than allowed (needed then), or any word on the arrival. */
  note?: string | undefined
  /** When the phone arrived (its outbox may send later); now when absent. */
  t?: Date | undefined
}

/** What {@link arriveAtHazard} did. */
export interface ArrivalResult {
  /** False when the same clientId was answered before (nothing recorded now). */
  created: boolean
  feature: HazardFeature
  /** The live event to publish after the commit (only when created). */
  live?: LiveEvent
}

/** Roles that may record an arrival on any matter they see (besides the assignee and the zone's teams). */
const ARRIVE_ANY_ROLES: readonly string[] = ['leader']

/**
 * Record the first arrival on site at a matter, in one transaction (the row locked):
 *
 * - who: the matter's assignee, a member or leader of one of its zone's teams (person_teams × zone_teams), a
 *   leader of the community, or a partner unit's account on a matter handed to its unit; anyone else → 403
 *   (admins and the command centre work at a desk: they arrive only as the assignee or a team member);
 * - the matter must be open (409) and not arrived yet (409, with who and when);
 * - the distance (m, geography) from the position to the matter: beyond {@link arrivalLimitM} without a note → 422
 *   with `distanceM` and `limitM`, nothing recorded;
 * - `t` (the phone's time) not before the report, not more than a day old, not in the future (beyond the clock skew);
 * - records arrived_at/by, the distance and the clientId, bumps the version, writes the timeline row (kind
 *   `arrival`, status unchanged), the audit row and the live event.
 *
 * A repeated clientId of the same account on the same matter answers the current matter (200) and records nothing;
 * a clientId already used for another matter or by another account → 409.
 */
export async function arriveAtHazard(
  sql: Sql,
  input: ArrivalInput,
  actor: SessionUser,
  communityIds: number[] | null,
  hideLeads = false,
): Promise<ArrivalResult> {
  return sql.begin(async (tx): Promise<ArrivalResult> => {
    const unitId = partnerUnitOf(actor)
    const visible = async (): Promise<HazardFeature | undefined> => hazardFeature(tx, input.id, communityIds, true, unitId, hideLeads)
    if (input.clientId !== undefined) {
      const [seen] = await tx<{ id: number; arrivedBy: number | null }[]>`
        select id::int, arrived_by::int as "arrivedBy" from hazards where arrival_client_id = ${input.clientId}`
      if (seen) {
        const feature = seen.id === input.id && seen.arrivedBy === actor.id ? await visible() : undefined
        if (feature) return { created: false, feature }
        throw problems.conflict('This clientId was already used for another arrival; a new arrival needs a new clientId.')
      }
    }
    const [h] = await tx<
      { id: number; communityId: number; status: Status; assigneeId: number | null; unitId: number | null; zoneId: number | null; reportedAt: Date; arrivedAt: Date | null; arrivedByName: string | null; version: number; distanceM: number
        arrivedBy: number | null; arrivalClientId: string | null }[]
    >`
      select h.id::int, h.community_id::int as "communityId", h.status, h.assignee_id::int as "assigneeId", h.unit_id::int as "unitId",
             h.zone_id::int as "zoneId", h.reported_at as "reportedAt", h.arrived_at as "arrivedAt",
             (select u.name from users u where u.id = h.arrived_by) as "arrivedByName", h.version,
             h.arrived_by::int as "arrivedBy", h.arrival_client_id as "arrivalClientId",
             ST_Distance(h.geom::geography, ST_SetSRID(ST_MakePoint(${input.lon}::float8, ${input.lat}::float8), 4326)::geography) as "distanceM"
      from hazards h
      where h.id = ${input.id}
        and ${communityIds === null ? tx`true` : tx`h.community_id = any(${communityIds}::bigint[])`}
        and ${unitId === null ? tx`true` : tx`h.unit_id = ${unitId}`}
        and ${hideLeads ? tx`h.type <> 'lead'` : tx`true`}
      for update of h`
    if (!h) throw problems.notFound(`No hazard ${input.id}.`)

    let allowed = ARRIVE_ANY_ROLES.includes(actor.role) || (unitId !== null && h.unitId === unitId)
    if (!allowed && actor.personId !== null) {
      if (h.assigneeId === actor.personId) allowed = true
      else if (h.zoneId !== null) {
        const [member] = await tx<{ ok: number }[]>`
          select 1 as ok from zone_teams zt join teams t on t.id = zt.team_id
          where zt.zone_id = ${h.zoneId} and t.active
            and (t.leader_id = ${actor.personId}
                 or exists (select 1 from person_teams pt where pt.team_id = zt.team_id and pt.person_id = ${actor.personId}))
          limit 1`
        allowed = member !== undefined
      }
    }
    if (!allowed) {
      throw problems.forbidden("Only the matter's assignee, a member of its zone's team, a leader or the partner unit it was handed to records an arrival.")
    }
    if (isClosed(h.status)) throw problems.conflict(`The matter is closed ('${h.status}'); an arrival is recorded on an open matter.`, { matterStatus: h.status })
    // The same clientId sent twice at once: the second waited for the first's lock and answers what it recorded.
    if (h.arrivedAt !== null && input.clientId !== undefined && h.arrivalClientId === input.clientId && h.arrivedBy === actor.id) {
      return { created: false, feature: (await visible())! }
    }
    if (h.arrivedAt !== null) {
      throw problems.conflict(`Someone already arrived at this matter (${h.arrivedByName ?? 'unknown'}, ${h.arrivedAt.toISOString()}); only the first arrival counts.`, {
        arrivedAt: h.arrivedAt.toISOString(),
        arrivedBy: h.arrivedByName,
      })
    }

    const now = Date.now()
    let at = input.t ? input.t.getTime() : now
    if (at > now + CLOCK_SKEW_MS) throw problems.unprocessable('t is in the future (check the phone’s clock).', [{ path: 't', message: 'must not be in the future' }])
    if (at > now) at = now
    if (at < h.reportedAt.getTime()) throw problems.unprocessable('t is before the matter was reported.', [{ path: 't', message: 'must not be before reportedAt' }])
    if (now - at > CHECKIN_MAX_AGE_MS) throw problems.unprocessable('t is more than a day ago; an arrival is sent within the day.', [{ path: 't', message: 'more than 24 hours ago' }])

    const distanceM = Math.round(h.distanceM * 10) / 10
    const limitM = arrivalLimitM(input.accuracy)
    if (arrivalNeedsNote(h.distanceM, input.accuracy) && !input.note) {
      throw new Problem(422, `The position is ${Math.round(distanceM)} m from the matter, farther than the ${Math.round(limitM)} m allowed; move closer or add a note saying why.`, {
        errors: [{ path: 'note', message: `required beyond ${Math.round(limitM)} m` }],
        extensions: { distanceM, limitM },
      })
    }
    const arrivedAt = new Date(at)
    await tx`
      update hazards set arrived_at = ${arrivedAt}, arrived_by = ${actor.id}, arrival_distance_m = ${distanceM},
                         arrival_client_id = ${input.clientId ?? null}, version = version + 1, updated_at = now()
      where id = ${h.id}`
    await tx`insert into hazard_events (community_id, hazard_id, at, kind, from_status, to_status, user_id, by_name, note, unit_id)
             values (${h.communityId}, ${h.id}, ${arrivedAt}, 'arrival', ${h.status}, ${h.status}, ${actor.id}, ${actor.name},
                     ${input.note ?? null}, ${unitId})`
    const feature = (await hazardFeature(tx, h.id, null))!
    await recordAudit(tx, {
      userId: actor.id,
      communityId: h.communityId,
      action: 'arrive',
      entity: 'hazard',
      entityId: h.id,
      before: { arrivedAt: null, version: h.version },
      after: { arrivedAt: arrivedAt.toISOString(), distanceM, accuracy: input.accuracy ?? null, note: input.note ?? null, version: h.version + 1 },
    })
    const live = await recordLiveEvent(tx, { type: 'hazard', communityId: h.communityId, data: liveFeature(feature) })
    return { created: true, feature, live }
  })
}

/** What a leader's spot check asks (`GET /api/hazards/spot-checks`). */
export interface SpotCheckQuery {
  communityIds: number[] | null
  communityId?: number | undefined
  /** Closed on the spot within the last `days` days. */
  days: number
  /** At most this many, drawn at random. */
  n: number
  hideLeads?: boolean | undefined
}

/**
 * A random sample of the matters closed as fixed on the spot (现场处置, `verified` and `fixedOnSpot`) in the
 * caller's communities within the last `days` days, as Features with their timeline and photos: what a leader
 * looks at (and goes to see) before reopening one that was not fixed after all. `total` is how many there were.
 */
export async function spotCheckSample(sql: Sql, q: SpotCheckQuery): Promise<{ total: number; days: number; features: HazardFeature[] }> {
  const where = sql`h.fixed_on_spot and h.status = 'verified'
    and h.closed_at >= now() - make_interval(days => ${q.days})
    and ${q.communityIds === null ? sql`true` : sql`h.community_id = any(${q.communityIds}::bigint[])`}
    and ${q.communityId === undefined ? sql`true` : sql`h.community_id = ${q.communityId}`}
    and ${q.hideLeads ? sql`h.type <> 'lead'` : sql`true`}`
  const [count] = await sql<{ n: number }[]>`select count(*)::int as n from hazards h where ${where}`
  const picked = await sql<{ id: number }[]>`select h.id::int from hazards h where ${where} order by random() limit ${q.n}`
  const features: HazardFeature[] = []
  for (const { id } of picked) {
    const f = await hazardFeature(sql, id, q.communityIds, true, null, q.hideLeads ?? false)
    if (f) features.push(f)
  }
  return { total: count!.n, days: q.days, features }
}
