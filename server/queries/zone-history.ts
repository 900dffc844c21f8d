/**
 * Zone history (zone_history): the geometry, name and assignee of every zone over time. Each write to a
 * zone closes its current row (valid_to = the transaction's now) and opens a new one from then on, so
 * statistics by zone can use the zone as it was when the fact happened ({@link zoneAt}, SQL `zone_at`).
 */
import type { z } from 'zod'
import type { Queryable } from '../db/connect.ts'
import type * as Schemas from '../openapi/schemas.ts'

/**
 * Close the current history row of a zone at the transaction's `now()`. A row opened in this same
 * transaction (valid for no time at all) is dropped instead.
 */
export async function closeZoneHistory(tx: Queryable, zoneId: number): Promise<void> {
  await tx`delete from zone_history where zone_id = ${zoneId} and valid_to is null and valid_from >= now()`
  await tx`update zone_history set valid_to = now() where zone_id = ${zoneId} and valid_to is null`
}

/** Open a history row from the zone as it now is, valid from the transaction's `now()`. */
export async function openZoneHistory(tx: Queryable, zoneId: number): Promise<void> {
  await tx`insert into zone_history (community_id, zone_id, name, assignee_id, parent_id, geom, valid_from, valid_to)
           select community_id, id, name, assignee_id, parent_id, geom, now(), null from zones where id = ${zoneId}`
}

/** Record a new version of a zone (after a create or an update): close the current row, open a new one. */
export async function recordZoneVersion(tx: Queryable, zoneId: number): Promise<void> {
  await closeZoneHistory(tx, zoneId)
  await openZoneHistory(tx, zoneId)
}

/** The zone that covered a place at a time. */
export interface ZoneThen {
  zoneId: number
  historyId: number
  communityId: number
  name: string
  assigneeId: number | null
}

/**
 * The zone that covered `point` at time `at`, as it was then (name and assignee of that version), in
 * the community containing the point; undefined when no zone did.
 */
export async function zoneAt(sql: Queryable, point: { lon: number; lat: number }, at: Date | string): Promise<ZoneThen | undefined> {
  const when = typeof at === 'string' ? at : at.toISOString()
  const [row] = await sql<ZoneThen[]>`
    select h.zone_id as "zoneId", h.id as "historyId", h.community_id as "communityId", h.name, h.assignee_id as "assigneeId"
    from communities c
    join zone_history h on h.id = zone_history_at(ST_SetSRID(ST_MakePoint(${point.lon}, ${point.lat}), 4326), c.id, ${when}::timestamptz)
    where ST_Intersects(c.boundary, ST_SetSRID(ST_MakePoint(${point.lon}, ${point.lat}), 4326))
    order by c.id
    limit 1`
  return row
}

/** A zone as a period shows it (`sg_period_zones`): its latest version in the period. */
export interface PeriodZone {
  communityId: number
  zoneId: number
  name: string
  assigneeId: number | null
  assigneeName: string | null
  /** The zone's current team (zone_history keeps none). */
  teamId: number | null
  teamName: string | null
  /** Part of the period the zone was in effect (0..1). */
  share: number
  /** A track piece or a check-in fell inside it while it was in effect. */
  patrolled: boolean
  /** GeoJSON text of the latest version's geometry (with `geometry: true`). */
  geometry: string | null
  /** Area (m², in the community's UTM zone) of the latest version in the period. */
  areaM2: number
}

/**
 * The zones of some communities a period [from, to) shows, in zone id order: those in effect during
 * it that held a patrol, or a matter (`held`: the zones the period's matters were in), or were in
 * effect for at least half of it, or (`keepCurrent`) are still in effect at its end. See
 * `sg_period_zones` in db/functions/zones.sql.
 */
export async function periodZones(
  sql: Queryable,
  communityIds: number[],
  from: string,
  to: string,
  options: { held?: number[]; keepCurrent?: boolean; geometry?: boolean } = {},
): Promise<PeriodZone[]> {
  return sql<PeriodZone[]>`
    select z.community_id as "communityId", z.zone_id as "zoneId", z.name, z.assignee_id as "assigneeId", p.name as "assigneeName",
           zz.team_id as "teamId", tm.name as "teamName", z.share, z.patrolled,
           ${options.geometry ? sql`ST_AsGeoJSON(z.geom, 6)` : sql`null::text`} as geometry,
           round(ST_Area(ST_Transform(z.geom, c.utm_srid))::numeric, 1)::float8 as "areaM2"
    from sg_period_zones(${communityIds}::bigint[], ${from}::timestamptz, ${to}::timestamptz,
                         ${options.held ?? []}::bigint[], ${options.keepCurrent ?? false}) z
    join communities c on c.id = z.community_id
    left join zones zz on zz.id = z.zone_id
    left join teams tm on tm.id = zz.team_id
    left join people p on p.id = z.assignee_id
    where z.kept
    order by z.zone_id`
}

/** One version of a zone (`GET /api/zones/:id/versions`). */
export type ZoneVersion = z.infer<typeof Schemas.ZoneVersion>

/**
 * The versions of a zone, newest first: when each was valid, its name, person, area (m², in the
 * community's UTM zone), the change of area against the version before, who wrote it (the audit entry
 * of the same transaction; null for the seed's and for zones moved along by a split) and its geometry.
 * Undefined when the zone never existed in the caller's communities (a deleted zone's versions stay).
 */
export async function zoneVersions(sql: Queryable, zoneId: number, communityIds: number[] | null): Promise<ZoneVersion[] | undefined> {
  const rows = await sql<(Omit<ZoneVersion, 'areaChangeM2' | 'validFrom' | 'validTo'> & { validFrom: Date; validTo: Date | null })[]>`
    select h.id::int, h.zone_id::int as "zoneId", h.community_id::int as "communityId", h.name,
           h.valid_from as "validFrom", h.valid_to as "validTo",
           h.assignee_id::int as "assigneeId", p.name as "assigneeName", h.parent_id::int as "parentId",
           round(ST_Area(ST_Transform(h.geom, c.utm_srid))::numeric, 1)::float8 as "areaM2",
           a.user_id::int as "userId", u.name as "userName", a.action,
           ST_AsGeoJSON(h.geom, 7)::json as geometry
    from zone_history h
    join communities c on c.id = h.community_id
    left join people p on p.id = h.assignee_id
    left join lateral (
      select al.user_id, al.action from audit_log al
      where al.at = h.valid_from and al.entity = 'zone' and al.entity_id = h.zone_id::text
      order by al.id limit 1) a on true
    left join users u on u.id = a.user_id
    where h.zone_id = ${zoneId}
      and ${communityIds === null ? sql`true` : sql`h.community_id = any(${communityIds}::bigint[])`}
    order by h.valid_from desc, h.id desc`
  if (rows.length === 0) return undefined
  return rows.map((r, i) => {
    const before = rows[i + 1]
    return {
      ...r,
      validFrom: r.validFrom.toISOString(),
      validTo: r.validTo?.toISOString() ?? null,
      areaChangeM2: before ? Math.round((r.areaM2 - before.areaM2) * 10) / 10 : null,
    }
  })
}
