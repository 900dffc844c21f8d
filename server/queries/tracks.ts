import type { Queryable, Sql } from '../db/connect.ts'
import { deviceRefusal, mayWriteDevice, registrationAllowance } from '../domain/devices.ts'
import { RUN_MAX_GAP_M, RUN_MAX_GAP_S, type TrackPoint } from '../domain/tracks.ts'
import { Problem, problems } from '../problem.ts'
import { recordAudit } from './audit.ts'
import type { SessionUser } from './users.ts'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'

/** Who walked a track run or a flagged stretch, and when (`GET /api/tracks`). */
type TrackRunProperties = Omit<z.infer<typeof Schemas.Track>['properties'], 'times'>

/** A device as the ingestion sees it. */
export interface DeviceRow {
  id: string
  communityId: number
  personId: number | null
  personName: string | null
  /** The account that registered it (null for devices from before issue 18 or from the seed). */
  registeredBy: number | null
  /** When its community was set up: no record of it may be older. */
  communityCreatedAt: Date
}

/** A device resolved for a write: the row, and whether this call registered it. */
export interface ResolvedDevice extends DeviceRow {
  registered: boolean
}

/** A device by id, with what the binding and the time bounds need. */
export async function deviceRow(sql: Queryable, deviceId: string): Promise<DeviceRow | undefined> {
  const [row] = await sql<DeviceRow[]>`
    select d.id, d.community_id as "communityId", d.person_id as "personId", p.name as "personName",
           d.registered_by as "registeredBy", c.created_at as "communityCreatedAt"
    from devices d join communities c on c.id = d.community_id left join people p on p.id = d.person_id
    where d.id = ${deviceId}`
  return row
}

/**
 * The community a caller records in when nothing else says: the community of the caller's person
 * (users.person_id, when the caller may act there), else the caller's only community; 422 when the
 * caller cannot be tied to exactly one community.
 */
export async function homeCommunity(sql: Queryable, user: SessionUser, communityIds: number[] | null, what = 'the device'): Promise<{ communityId: number; personId: number | null }> {
  if (user.personId !== null) {
    const [person] = await sql<{ communityId: number }[]>`select community_id as "communityId" from people where id = ${user.personId}`
    if (person && (communityIds === null || communityIds.includes(person.communityId))) return { communityId: person.communityId, personId: user.personId }
  }
  if (communityIds !== null && communityIds.length === 1) return { communityId: communityIds[0]!, personId: null }
  throw problems.unprocessable(`Your account is not tied to exactly one community to register ${what} in.`, [
    { path: 'deviceId', message: 'unknown device; register it first' },
  ])
}

/** A known device the caller may write into: in a community the caller may act in, and bound to the caller (server/domain/devices.ts). */
export function assertMayWrite(device: DeviceRow, user: SessionUser, communityIds: number[] | null): void {
  if (communityIds !== null && !communityIds.includes(device.communityId)) {
    throw problems.forbidden(`The device ${device.id} belongs to a community you may not act in.`)
  }
  if (!mayWriteDevice(user, device)) throw problems.forbidden(deviceRefusal(device.id, device))
}

/**
 * The device a caller sends points for.
 *
 * - A known device must belong to a community the caller may act in and be bound to the caller
 *   (its person's account, the account that registered it, or a leader/admin); otherwise 403.
 * - An unknown device is registered on first use for the caller, in their {@link homeCommunity},
 *   held by the caller's person — at most {@link registrationAllowance} a day per account (429).
 */
export async function resolveDevice(sql: Sql, deviceId: string, user: SessionUser, communityIds: number[] | null, home?: { communityId: number; personId: number | null }): Promise<ResolvedDevice> {
  const known = await deviceRow(sql, deviceId)
  if (known) {
    assertMayWrite(known, user, communityIds)
    return { ...known, registered: false }
  }
  const { communityId, personId } = home ?? (await homeCommunity(sql, user, communityIds, `the device ${deviceId}`))
  const [recent] = await sql<{ n: number }[]>`
    select count(*)::int as n from devices where registered_by = ${user.id} and created_at > now() - interval '1 day'`
  const allowance = registrationAllowance(user.role)
  if ((recent?.n ?? 0) >= allowance) {
    throw new Problem(429, `Your account registered ${allowance} new devices in the last 24 hours; ask a leader to register more.`, { extensions: { deviceId } })
  }
  const inserted = await sql`
    insert into devices (id, community_id, person_id, name, registered_by)
    values (${deviceId}, ${communityId}, ${personId}, ${`${user.name} · ${deviceId}`.slice(0, 200)}, ${user.id})
    on conflict (id) do nothing`
  const row = await deviceRow(sql, deviceId)
  if (!row) throw problems.conflict('The device was removed concurrently; try again.')
  const registered = inserted.count > 0
  if (!registered) assertMayWrite(row, user, communityIds)
  if (registered) {
    await recordAudit(sql, { userId: user.id, communityId: row.communityId, action: 'register', entity: 'device', entityId: deviceId, after: { personId } })
  }
  return { ...row, registered }
}

/** What storing a batch did. */
export interface StoredBatch {
  /** Points stored now. */
  inserted: number
  /** The newest stored point of the batch when it is also the device's newest point overall (for the live `position` event). */
  newest: { lon: number; lat: number; t: string } | null
}

/**
 * Store checked points of one device in one statement: all points travel as one jsonb parameter
 * (no 65,534-parameter limit), `on conflict (device_id, t) do nothing` keeps a resent point from
 * being stored twice. Late and out-of-order points are stored like any other.
 */
export async function storeTrackPoints(sql: Sql, device: DeviceRow, points: readonly TrackPoint[]): Promise<StoredBatch> {
  if (points.length === 0) return { inserted: 0, newest: null }
  const rows = points.map((p) => ({ t: new Date(p.t).toISOString(), x: p.lon, y: p.lat, a: p.accuracy }))
  const [result] = await sql<{ inserted: number; lon: number | null; lat: number | null; t: Date | null; isNewest: boolean | null }[]>`
    with input as (
      select r.t, r.x, r.y, r.a
      from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as r(t timestamptz, x float8, y float8, a real)
    ), ins as (
      insert into track_points (community_id, device_id, t, geom, accuracy)
      select ${device.communityId}, ${device.id}, i.t, ST_SetSRID(ST_MakePoint(i.x, i.y), 4326), i.a
      from input i
      order by i.t
      on conflict (device_id, t) do nothing
      returning t, geom
    ), top as (
      select t, geom from ins order by t desc limit 1
    )
    select (select count(*)::int from ins) as inserted,
           ST_X(top.geom) as lon, ST_Y(top.geom) as lat, top.t,
           not exists (select 1 from track_points tp where tp.device_id = ${device.id} and tp.t > top.t) as "isNewest"
    from (select 1) one left join top on true`
  const inserted = result?.inserted ?? 0
  const newest =
    result && result.t && result.isNewest && result.lon !== null && result.lat !== null
      ? { lon: result.lon, lat: result.lat, t: result.t.toISOString() }
      : null
  return { inserted, newest }
}

/**
 * Whose tracks and positions a caller may see: null = everyone's in the caller's communities (admin,
 * command); otherwise the people listed (a leader: the members of the teams they lead or deputise, and
 * themselves) and the devices the caller registered. Callers without `readTracks` never get here.
 */
export interface TrackScope {
  personIds: number[]
  registeredBy: number
}

/** The {@link TrackScope} of a caller. */
export async function trackScope(sql: Queryable, user: SessionUser): Promise<TrackScope | null> {
  if (user.role === 'admin' || user.role === 'command') return null
  if (user.personId === null) return { personIds: [], registeredBy: user.id }
  const rows = await sql<{ id: number }[]>`
    select pt.person_id::int as id from person_teams pt join teams t on t.id = pt.team_id
    where t.leader_id = ${user.personId}
       or t.id in (select team_id from person_teams where person_id = ${user.personId} and role = 'deputy')
    union select ${user.personId}::int`
  return { personIds: rows.map((r) => r.id), registeredBy: user.id }
}

/** SQL condition: device `tp.device_id` is within the scope. */
function deviceInScope(sql: Queryable, scope: TrackScope | null | undefined) {
  if (!scope) return sql`true`
  return sql`tp.device_id in (select id from devices where person_id = any(${scope.personIds}::bigint[]) or registered_by = ${scope.registeredBy})`
}

/** Filters of `GET /api/tracks`. */
export interface TrackFilter {
  communityIds: number[] | null
  /** Whose tracks (null or absent: everyone's in the communities). */
  scope?: TrackScope | null | undefined
  communityId?: number | undefined
  deviceId?: string | undefined
  from: string
  to: string
}

/** A page of devices: at most `limit` devices' runs, starting after device `after`. */
export interface TrackPage {
  limit: number
  after?: string | undefined
}

/**
 * Tracks in [from, to) as a GeoJSON FeatureCollection (JSON text): one LineString per device run of
 * plausible points (flagged points are left out: see {@link listFlaggedStretches}),
 * runs split where consecutive points are more than {@link RUN_MAX_GAP_S} s or {@link RUN_MAX_GAP_M} m
 * (UTM) apart. A run of one point is a LineString of that point twice. Properties: `deviceId`,
 * `personId`, `personName`, `teamId`, `teamName`, `communityId`, `from`, `to`, `points`, and `times`
 * (seconds after `from` of each vertex, for playback).
 */
export async function listTracksGeoJson(sql: Sql, filter: TrackFilter, page?: TrackPage): Promise<{ body: string; next: string | null }> {
  const scope = filter.communityIds === null ? sql`true` : sql`tp.community_id = any(${filter.communityIds}::bigint[])`
  const one = filter.communityId === undefined ? sql`true` : sql`tp.community_id = ${filter.communityId}`
  const device = filter.deviceId === undefined ? sql`true` : sql`tp.device_id = ${filter.deviceId}`
  const whose = deviceInScope(sql, filter.scope)
  const inWindow = sql`tp.t >= ${filter.from}::timestamptz and tp.t < ${filter.to}::timestamptz and tp.flag is null`
  // A page is a set of devices (keyset on the device id): each device's points of the window are probed
  // through the primary key (device_id, t), and one more device than the page holds says whether another follows.
  const paged = page
    ? sql`and tp.device_id in (select id from page_devices order by id limit ${page.limit})`
    : sql``
  const [row] = await sql<{ fc: string; next: string | null }[]>`
    with page_devices as (
      select d.id from devices d
      where ${page ? sql`true` : sql`false`} and ${page?.after === undefined ? sql`true` : sql`d.id > ${page.after}`}
        and exists (select 1 from track_points tp where tp.device_id = d.id and ${scope} and ${one} and ${device} and ${whose} and ${inWindow})
      order by d.id limit ${(page?.limit ?? 0) + 1}
    ), pts as (
      select tp.device_id, tp.community_id, tp.t, tp.geom, ST_Transform(tp.geom, c.utm_srid) as g
      from track_points tp join communities c on c.id = tp.community_id
      where ${scope} and ${one} and ${device} and ${whose} and ${inWindow} ${paged}
    ), breaks as (
      select pts.*,
             case when lag(t) over w is null
                    or extract(epoch from t - lag(t) over w) > ${RUN_MAX_GAP_S}
                    or ST_Distance(lag(g) over w, g) > ${RUN_MAX_GAP_M}
                  then 1 else 0 end as brk
      from pts window w as (partition by device_id order by t)
    ), numbered as (
      select breaks.*, sum(brk) over (partition by device_id order by t) as run from breaks
    ), runs as (
      select device_id, min(community_id) as community_id, run, min(t) as t_from, max(t) as t_to, count(*)::int as n,
             ST_MakeLine(geom order by t) as line,
             array_agg(extract(epoch from t)::float8 order by t) as epochs
      from numbered group by device_id, run
    )
    select json_build_object(
      'type', 'FeatureCollection',
      'features', coalesce(json_agg(json_build_object(
        'type', 'Feature',
        'id', r.device_id || '@' || to_char(r.t_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'geometry', ST_AsGeoJSON(case when r.n = 1 then ST_MakeLine(ST_PointN(r.line, 1), ST_PointN(r.line, 1)) else r.line end, 7)::json,
        'properties', json_build_object(
          'id', r.device_id || '@' || to_char(r.t_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
          'deviceId', r.device_id,
          'communityId', r.community_id,
          'personId', d.person_id,
          'personName', p.name,
          'teamId', p.team_id,
          'teamName', tm.name,
          'from', r.t_from,
          'to', r.t_to,
          'points', r.n,
          'times', (select array_agg(e - r.epochs[1] order by o) from unnest(r.epochs) with ordinality as u(e, o))
        )
      ) order by r.device_id, r.t_from), '[]'::json)
    )::text as fc,
    case when (select count(*) from page_devices) > ${page?.limit ?? 0}
      then (select max(id) from (select id from page_devices order by id limit ${page?.limit ?? 0}) shown) end as next
    from runs r
    join devices d on d.id = r.device_id
    left join people p on p.id = d.person_id
    left join teams tm on tm.id = p.team_id`
  return { body: row?.fc ?? '{"type":"FeatureCollection","features":[]}', next: row?.next ?? null }
}

/** Most flagged stretches one answer lists (the newest first); `total` says how many there were. */
export const MAX_FLAGGED_STRETCHES = 200

/** A stretch of consecutive flagged points of one device (no plausible point between them). */
export interface FlaggedStretch {
  type: 'Feature'
  id: string
  /** The first flagged point of the stretch. */
  geometry: { type: 'Point'; coordinates: [number, number] }
  properties: TrackRunProperties & {
    /** The first point's flag, e.g. `speed 126 km/h` or `teleport 5200 m in 10 s` (core/track-flags.ts reads it). */
    reason: string
  }
}

/** `GET /api/tracks/flags`: flagged stretches in a window, newest first. */
export interface FlaggedStretches {
  type: 'FeatureCollection'
  features: FlaggedStretch[]
  /** Stretches in the window (more than listed when over {@link MAX_FLAGGED_STRETCHES}). */
  total: number
  /** Flagged points in the window. */
  flaggedPoints: number
}

/**
 * The physically impossible parts of the tracks in [from, to) (track_points.flag, set at ingest by
 * db/functions/tracks.sql): consecutive flagged points of a device form one stretch, shown at its
 * first point with its reason. Only devices with a flag in the window are read in full.
 */
export async function listFlaggedStretches(sql: Sql, filter: TrackFilter): Promise<FlaggedStretches> {
  const scope = filter.communityIds === null ? sql`true` : sql`tp.community_id = any(${filter.communityIds}::bigint[])`
  const one = filter.communityId === undefined ? sql`true` : sql`tp.community_id = ${filter.communityId}`
  const device = filter.deviceId === undefined ? sql`true` : sql`tp.device_id = ${filter.deviceId}`
  const inWindow = sql`tp.t >= ${filter.from}::timestamptz and tp.t < ${filter.to}::timestamptz`
  const whose = deviceInScope(sql, filter.scope)
  const rows = await sql<{ deviceId: string; communityId: number; personId: number | null; personName: string | null; teamId: number | null; teamName: string | null; from: Date; to: Date; points: number; reason: string; lon: number; lat: number; total: number; flaggedPoints: number }[]>`
    with devs as (
      select distinct tp.device_id from track_points tp
      where ${scope} and ${one} and ${device} and ${whose} and ${inWindow} and tp.flag is not null
    ), pts as (
      select tp.device_id, tp.community_id, tp.t, tp.geom, tp.flag,
             sum(case when tp.flag is null then 1 else 0 end) over (partition by tp.device_id order by tp.t rows unbounded preceding) as grp
      from track_points tp join devs d on d.device_id = tp.device_id
      where ${scope} and ${inWindow}
    ), stretches as (
      select p.device_id, min(p.community_id) as community_id, min(p.t) as t_from, max(p.t) as t_to, count(*)::int as points,
             (array_agg(p.flag order by p.t))[1] as reason, (array_agg(p.geom order by p.t))[1] as geom
      from pts p where p.flag is not null
      group by p.device_id, p.grp
    )
    select s.device_id as "deviceId", s.community_id as "communityId", d.person_id as "personId", pe.name as "personName",
           pe.team_id as "teamId", tm.name as "teamName", s.t_from as "from", s.t_to as "to", s.points, s.reason,
           ST_X(s.geom) as lon, ST_Y(s.geom) as lat,
           count(*) over ()::int as total, (sum(s.points) over ())::int as "flaggedPoints"
    from stretches s
    join devices d on d.id = s.device_id
    left join people pe on pe.id = d.person_id
    left join teams tm on tm.id = pe.team_id
    order by s.t_from desc, s.device_id
    limit ${MAX_FLAGGED_STRETCHES}`
  const features = rows.map((r): FlaggedStretch => {
    const id = `${r.deviceId}@${r.from.toISOString()}`
    return {
      type: 'Feature',
      id,
      geometry: { type: 'Point', coordinates: [r.lon, r.lat] },
      properties: {
        id,
        deviceId: r.deviceId,
        communityId: r.communityId,
        personId: r.personId,
        personName: r.personName,
        teamId: r.teamId,
        teamName: r.teamName,
        from: r.from.toISOString(),
        to: r.to.toISOString(),
        points: r.points,
        reason: r.reason,
      },
    }
  })
  return { type: 'FeatureCollection', features, total: rows[0]?.total ?? 0, flaggedPoints: rows[0]?.flaggedPoints ?? 0 }
}
