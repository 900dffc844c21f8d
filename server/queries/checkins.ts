import type { Sql } from '../db/connect.ts'
import { recordLiveEvent, type LiveEvent } from '../live/hub.ts'
import { checkinAgeProblem, checkinPositionProblem, checkinSpeedProblem, positionSlackM, timeProblem, timeWindow } from '../domain/evidence.ts'
import { Problem, problems } from '../problem.ts'
import { assertMayWrite, deviceRow } from './tracks.ts'
import { recordAudit } from './audit.ts'
import type { SessionUser } from './users.ts'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'

/** A key place (重点部位) as the check-in page and the QR sheet see it. */
export type KeyPlaceRow = Omit<z.infer<typeof Schemas.KeyPlaceByCode>, 'checkinUrl'>

const keyPlaceColumns = (sql: Sql) => sql`
  k.id, k.community_id as "communityId", c.name as "communityName", k.building_id as "buildingId", k.kind, k.name, k.code,
  ST_X(ST_PointOnSurface(k.geom)) as lon, ST_Y(ST_PointOnSurface(k.geom)) as lat`

const scopeOf = (sql: Sql, communityIds: number[] | null) =>
  communityIds === null ? sql`true` : sql`k.community_id = any(${communityIds}::bigint[])`

/** A key place by id or by its printed code, if the caller may see it. */
export async function findKeyPlace(sql: Sql, by: { id: number } | { code: string }, communityIds: number[] | null): Promise<KeyPlaceRow | undefined> {
  const match = 'id' in by ? sql`k.id = ${by.id}` : sql`k.code = ${by.code}`
  const [row] = await sql<KeyPlaceRow[]>`
    select ${keyPlaceColumns(sql)}
    from key_places k join communities c on c.id = k.community_id
    where ${match} and ${scopeOf(sql, communityIds)}`
  return row
}

/** A check-in as the API answers it. */
export interface CheckinRow extends z.infer<typeof Schemas.CheckinCreated> {
  userId: number | null
  personId: number | null
  clientId: string | null
}

/** A check-in to record (`POST /api/checkins`). */
export interface NewCheckin {
  keyPlaceId?: number | undefined
  code?: string | undefined
  deviceId?: string | undefined
  /** When it happened (epoch ms; the route defaults it to now). */
  t: number
  clientId?: string | undefined
  /** Where the phone was: checked against the key place (server/domain/evidence.ts). */
  lon: number
  lat: number
  /** The position's accuracy in metres, if the phone told. */
  accuracy: number | null
}

/** What recording a check-in did. */
export interface RecordedCheckin {
  /** False when (user, clientId) was seen before and the first check-in is answered. */
  created: boolean
  checkin: CheckinRow
  /** The live `checkin` event to publish after the commit (only when created). */
  live?: LiveEvent
}

async function checkinById(sql: Sql, id: number): Promise<CheckinRow | undefined> {
  const [row] = await sql<(Omit<CheckinRow, 't'> & { t: Date })[]>`
    select ci.id, ci.community_id as "communityId", ci.key_place_id as "keyPlaceId", k.name as "keyPlaceName", k.code,
           k.building_id as "buildingId", ci.device_id as "deviceId", ci.user_id as "userId", ci.person_id as "personId",
           p.name as "personName", ci.t, ci.client_id as "clientId",
           ST_X(ST_PointOnSurface(k.geom)) as lon, ST_Y(ST_PointOnSurface(k.geom)) as lat
    from checkins ci join key_places k on k.id = ci.key_place_id left join people p on p.id = ci.person_id
    where ci.id = ${id}`
  return row && { ...row, t: row.t.toISOString() }
}

/** The live `checkin` event's data: no user ids, contact data or QR code. */
function liveData(c: CheckinRow): Record<string, unknown> {
  return {
    id: c.id,
    keyPlaceId: c.keyPlaceId,
    keyPlaceName: c.keyPlaceName,
    buildingId: c.buildingId,
    deviceId: c.deviceId,
    personName: c.personName,
    t: c.t,
    lon: c.lon,
    lat: c.lat,
  }
}

/**
 * Record a check-in (扫码打卡) in one transaction: the key place (by id or printed code) must be
 * visible to the caller (404 otherwise; 410 for a code that was replaced); a device, when named,
 * must be of the key place's community (422 otherwise) and bound to the caller (403); the time,
 * the phone's position and the speed from the caller's check-in before and after must keep the
 * limits of server/domain/evidence.ts (422 with the reason). The person is the caller's, else the
 * device's. A repeated (user, clientId) answers the first check-in (race-safe through the unique
 * index checkins_client_uq).
 */
export async function recordCheckin(sql: Sql, input: NewCheckin, actor: SessionUser, communityIds: number[] | null): Promise<RecordedCheckin> {
  return sql.begin(async (txn): Promise<RecordedCheckin> => {
    const tx = txn as unknown as Sql
    const existing = async (): Promise<RecordedCheckin | undefined> => {
      if (input.clientId === undefined) return undefined
      const [row] = await tx<{ id: number }[]>`select id from checkins where user_id = ${actor.id} and client_id = ${input.clientId}`
      const checkin = row && (await checkinById(tx, row.id))
      return checkin && { created: false, checkin }
    }
    const seen = await existing()
    if (seen) return seen
    const by = input.keyPlaceId !== undefined ? { id: input.keyPlaceId } : { code: input.code ?? '' }
    const place = await findKeyPlace(tx, by, communityIds)
    if (!place) {
      const code = input.keyPlaceId === undefined ? input.code : undefined
      if (code !== undefined) {
        const retired = await tx<{ id: number }[]>`
          select k.id from key_places k where k.retired_code = ${code} and ${scopeOf(tx, communityIds)}`
        if (retired.length > 0) throw new Problem(410, `The code ${code} was replaced by a random one: this sticker is out of date. Ask your leader to print the new QR sheet.`)
      }
      throw problems.notFound('id' in by ? `No key place ${by.id}.` : `No key place with code ${by.code}.`)
    }
    // Evidence (server/domain/evidence.ts): a time within limits, the phone at the place, no impossible speed.
    const now = Date.now()
    const [community] = await tx<{ createdAt: Date }[]>`select created_at as "createdAt" from communities where id = ${place.communityId}`
    const late = timeProblem(input.t, timeWindow(community!.createdAt, now)) ?? checkinAgeProblem(input.t, now)
    if (late) throw problems.unprocessable(`The check-in time is refused: ${late}.`, [{ path: 't', message: late }])
    const t = new Date(Math.min(input.t, now)).toISOString()
    let personId = actor.personId
    if (input.deviceId !== undefined) {
      const device = await deviceRow(tx, input.deviceId)
      if (!device || device.communityId !== place.communityId) {
        throw problems.unprocessable('The device is not a device of the key place\'s community.', [
          { path: 'deviceId', message: 'unknown device, or of another community' },
        ])
      }
      assertMayWrite(device, actor, communityIds)
      personId ??= device.personId
    }
    const [where] = await tx<{ distanceM: number }[]>`
      select ST_Distance(k.geom::geography, ST_SetSRID(ST_MakePoint(${input.lon}, ${input.lat}), 4326)::geography)::float8 as "distanceM"
      from key_places k where k.id = ${place.id}`
    const distanceM = where!.distanceM
    const away = checkinPositionProblem(distanceM, input.accuracy)
    if (away) throw problems.unprocessable(`The check-in is refused: ${away}.`, [{ path: 'lon', message: away }])
    // Every check-in of this account within an hour, position to position: a chain of places one
    // second apart fails against the first of them, not only against its neighbour.
    const nearby = await tx<{ name: string; t: Date; distanceM: number; accuracy: number | null }[]>`
      select k.name, ci.t, ci.accuracy,
             ST_Distance(ci.geom::geography, ST_SetSRID(ST_MakePoint(${input.lon}, ${input.lat}), 4326)::geography)::float8 as "distanceM"
      from checkins ci join key_places k on k.id = ci.key_place_id
      where ci.user_id = ${actor.id} and ci.geom is not null
        and ci.t between ${t}::timestamptz - interval '1 hour' and ${t}::timestamptz + interval '1 hour'
      order by abs(extract(epoch from ci.t - ${t}::timestamptz))
      limit 500`
    for (const n of nearby) {
      const fast = checkinSpeedProblem(n.distanceM, (n.t.getTime() - Date.parse(t)) / 1000, positionSlackM(n.accuracy, input.accuracy), { name: n.name, t: n.t.toISOString() })
      if (fast) throw problems.unprocessable(`The check-in is refused: ${fast}.`, [{ path: 't', message: fast }])
    }
    const [inserted] = await tx<{ id: number }[]>`
      insert into checkins (community_id, key_place_id, device_id, user_id, person_id, t, client_id, geom, accuracy, distance_m)
      values (${place.communityId}, ${place.id}, ${input.deviceId ?? null}, ${actor.id}, ${personId}, ${t}, ${input.clientId ?? null},
              ST_SetSRID(ST_MakePoint(${input.lon}, ${input.lat}), 4326), ${input.accuracy}, ${distanceM})
      on conflict (user_id, client_id) where client_id is not null do nothing
      returning id`
    if (!inserted) {
      const raced = await existing()
      if (raced) return raced
      throw problems.conflict('The same clientId is being checked in concurrently; try again.')
    }
    const checkin = (await checkinById(tx, inserted.id))!
    await recordAudit(tx, {
      userId: actor.id,
      communityId: place.communityId,
      action: 'create',
      entity: 'checkin',
      entityId: checkin.id,
      after: { keyPlaceId: place.id, deviceId: checkin.deviceId, t: checkin.t },
    })
    const live = await recordLiveEvent(txn, { type: 'checkin', communityId: place.communityId, data: liveData(checkin) })
    return { created: true, checkin, live }
  })
}

/** Check-ins in [from, to) of the communities a caller may see, oldest first. */
export async function listCheckins(
  sql: Sql,
  filter: { communityIds: number[] | null; communityId?: number | undefined; from: string; to: string; keyPlaceId?: number | undefined },
): Promise<CheckinRow[]> {
  const rows = await sql<(Omit<CheckinRow, 't'> & { t: Date })[]>`
    select ci.id, ci.community_id as "communityId", ci.key_place_id as "keyPlaceId", k.name as "keyPlaceName", k.code,
           k.building_id as "buildingId", ci.device_id as "deviceId", ci.user_id as "userId", ci.person_id as "personId",
           p.name as "personName", ci.t, ci.client_id as "clientId",
           ST_X(ST_PointOnSurface(k.geom)) as lon, ST_Y(ST_PointOnSurface(k.geom)) as lat
    from checkins ci join key_places k on k.id = ci.key_place_id left join people p on p.id = ci.person_id
    where ${filter.communityIds === null ? sql`true` : sql`ci.community_id = any(${filter.communityIds}::bigint[])`}
      and ${filter.communityId === undefined ? sql`true` : sql`ci.community_id = ${filter.communityId}`}
      and ${filter.keyPlaceId === undefined ? sql`true` : sql`ci.key_place_id = ${filter.keyPlaceId}`}
      and ci.t >= ${filter.from}::timestamptz and ci.t < ${filter.to}::timestamptz
    order by ci.t, ci.id
    limit 10000`
  return rows.map((r) => ({ ...r, t: r.t.toISOString() }))
}

/** Key places of the communities a caller may see (for the printable QR sheet), by code. */
export async function listKeyPlaces(sql: Sql, filter: { communityIds: number[] | null; communityId?: number | undefined }): Promise<KeyPlaceRow[]> {
  return sql<KeyPlaceRow[]>`
    select ${keyPlaceColumns(sql)}
    from key_places k join communities c on c.id = k.community_id
    where ${scopeOf(sql, filter.communityIds)}
      and ${filter.communityId === undefined ? sql`true` : sql`k.community_id = ${filter.communityId}`}
    order by k.community_id, k.code`
}
