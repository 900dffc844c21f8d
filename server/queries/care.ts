import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'
import type { Sql } from '../db/connect.ts'
import { can, maskPhone } from '../../core/roles.ts'
import { maskAddress } from '../../core/care.ts'
import type { CareGroup } from '../../core/org.ts'
import { careVisitAgeProblem, careVisitPositionProblem, newDoorCode, timeProblem, timeWindow } from '../domain/evidence.ts'
import { careCalendar, shanghaiDay, type CalendarRow, type CareCalendar } from '../domain/care.ts'
import { problems } from '../problem.ts'
import { recordAudit } from './audit.ts'
import { assertMayWrite, deviceRow, homeCommunity } from './tracks.ts'
import type { SessionUser } from './users.ts'

/** A household under care (关爱对象) as the API answers it. */
export type CareResident = z.infer<typeof Schemas.CareResident>

interface ResidentRow extends Omit<CareResident, 'masked' | 'createdAt' | 'updatedAt' | 'doorCode'> {
  doorCode: string
  createdAt: Date
  updatedAt: Date
}

/** What the caller may see of a household: address and phone for admins and its paired members only. */
function shown(row: ResidentRow, actor: SessionUser): CareResident {
  const open = actor.role === 'admin' || (actor.personId !== null && row.people.some((p) => p.id === actor.personId))
  const { doorCode, createdAt, updatedAt, ...rest } = row
  return {
    ...rest,
    address: open ? row.address : maskAddress(row.address),
    phone: open ? row.phone : maskPhone(row.phone),
    masked: !open,
    ...(can(actor.role, 'manageCare') ? { doorCode } : {}),
    createdAt: createdAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
  }
}

const scope = (sql: Sql, communityIds: number[] | null, column = 'r.community_id') =>
  communityIds === null ? sql`true` : sql`${sql.unsafe(column)} = any(${communityIds}::bigint[])`

async function residentRows(sql: Sql, where: ReturnType<typeof scope>): Promise<ResidentRow[]> {
  return sql<ResidentRow[]>`
    select r.id::int, r.community_id::int as "communityId", r.name, r.address, r.phone, r.care_group as "group",
           r.building_id::int as "buildingId", ST_X(r.geom) as lon, ST_Y(r.geom) as lat,
           r.visits_per_day as "visitsPerDay", r.visits_per_week as "visitsPerWeek", r.active, r.note, r.door_code as "doorCode",
           coalesce((select json_agg(json_build_object('id', p.id::int, 'name', p.name) order by p.name, p.id)
                       from care_pairs cp join people p on p.id = cp.person_id where cp.resident_id = r.id), '[]'::json) as people,
           r.created_at as "createdAt", r.updated_at as "updatedAt"
    from care_residents r
    where ${where}
    order by r.community_id, r.id`
}

/** Households under care of the communities a caller may see (`GET /api/care/residents`). */
export async function listResidents(
  sql: Sql,
  actor: SessionUser,
  filter: { communityIds: number[] | null; communityId?: number | undefined; active?: boolean | undefined },
): Promise<CareResident[]> {
  const rows = await residentRows(
    sql,
    sql`${scope(sql, filter.communityIds)}
        and ${filter.communityId === undefined ? sql`true` : sql`r.community_id = ${filter.communityId}`}
        and ${filter.active === undefined ? sql`true` : sql`r.active = ${filter.active}`}`,
  )
  return rows.map((r) => shown(r, actor))
}

/** One household, if the caller may see it (404 otherwise). */
export async function getResident(sql: Sql, actor: SessionUser, communityIds: number[] | null, id: number): Promise<CareResident> {
  const [row] = await residentRows(sql, sql`r.id = ${id} and ${scope(sql, communityIds)}`)
  if (!row) throw problems.notFound(`No household under care ${id}.`)
  return shown(row, actor)
}

/** The fields of `POST /api/care/residents` (and, all optional, of `PUT`). */
export interface ResidentInput {
  communityId?: number | undefined
  name: string
  address?: string | null | undefined
  phone?: string | null | undefined
  group: CareGroup
  buildingId?: number | null | undefined
  lon?: number | undefined
  lat?: number | undefined
  visitsPerDay?: number | null | undefined
  visitsPerWeek?: number | null | undefined
  active?: boolean | undefined
  note?: string | null | undefined
  personIds?: number[] | undefined
}

/** Where the household's door is: the position given, else the named building's point on surface (422 when neither). */
async function doorPoint(tx: Sql, communityId: number, input: Partial<ResidentInput>): Promise<{ lon: number; lat: number } | undefined> {
  if (input.lon !== undefined && input.lat !== undefined) {
    const [inside] = await tx<{ ok: boolean }[]>`
      select ST_DWithin(boundary::geography, ST_SetSRID(ST_MakePoint(${input.lon}, ${input.lat}), 4326)::geography, 200) as ok
      from communities where id = ${communityId}`
    if (!inside?.ok) throw problems.unprocessable('The household lies outside its community.', [{ path: 'lon', message: 'outside the community (more than 200 m from its boundary)' }])
    return { lon: input.lon, lat: input.lat }
  }
  if (input.buildingId !== undefined && input.buildingId !== null) {
    const [b] = await tx<{ lon: number; lat: number }[]>`
      select ST_X(ST_PointOnSurface(footprint)) as lon, ST_Y(ST_PointOnSurface(footprint)) as lat
      from buildings where id = ${input.buildingId} and community_id = ${communityId}`
    if (!b) throw problems.unprocessable('The building is not one of the community.', [{ path: 'buildingId', message: 'unknown building, or of another community' }])
    return b
  }
  return undefined
}

async function setPairs(tx: Sql, communityId: number, residentId: number, personIds: number[]): Promise<void> {
  const ids = [...new Set(personIds)]
  if (ids.length > 0) {
    const found = await tx<{ id: number }[]>`select id::int from people where id = any(${ids}::bigint[]) and community_id = ${communityId} and active`
    if (found.length !== ids.length) {
      const missing = ids.filter((id) => !found.some((f) => f.id === id))
      throw problems.unprocessable(`People ${missing.join(', ')} are not active members of the household's community.`, [{ path: 'personIds', message: 'unknown, inactive or of another community' }])
    }
  }
  await tx`delete from care_pairs where resident_id = ${residentId} and not (person_id = any(${ids}::bigint[]))`
  await tx`
    insert into care_pairs (community_id, resident_id, person_id)
    select ${communityId}, ${residentId}, unnest(${ids}::bigint[])
    on conflict do nothing`
}

function ruleOf(input: Partial<ResidentInput>): { visitsPerDay: number | null; visitsPerWeek: number | null } | undefined {
  if (input.visitsPerDay === undefined && input.visitsPerWeek === undefined) return undefined
  const perDay = input.visitsPerDay ?? null
  const perWeek = input.visitsPerWeek ?? null
  if ((perDay === null) === (perWeek === null)) {
    throw problems.unprocessable('A household has one visit rule: visitsPerDay or visitsPerWeek.', [{ path: 'visitsPerDay', message: 'give exactly one of visitsPerDay and visitsPerWeek' }])
  }
  return { visitsPerDay: perDay, visitsPerWeek: perWeek }
}

/** Add a household under care (admin, leader) with its paired members; its door code is random. */
export async function createResident(sql: Sql, input: ResidentInput, actor: SessionUser, communityIds: number[] | null): Promise<CareResident> {
  const id = await sql.begin(async (txn) => {
    const tx = txn as unknown as Sql
    let communityId = input.communityId
    if (communityId === undefined) communityId = (await homeCommunity(tx, actor, communityIds, 'the household')).communityId
    if (communityIds !== null && !communityIds.includes(communityId)) throw problems.forbidden('You may not act in that community.')
    const [community] = await tx<{ id: number }[]>`select id from communities where id = ${communityId}`
    if (!community) throw problems.unprocessable(`No community ${communityId}.`, [{ path: 'communityId', message: 'unknown community' }])
    const rule = ruleOf(input) ?? { visitsPerDay: 2, visitsPerWeek: null }
    const point = await doorPoint(tx, communityId, input)
    if (!point) throw problems.unprocessable('Where is the household? Give lon and lat, or buildingId.', [{ path: 'lon', message: 'lon and lat, or buildingId, required' }])
    const [row] = await tx<{ id: number }[]>`
      insert into care_residents (community_id, name, address, phone, care_group, building_id, geom, visits_per_day, visits_per_week, active, note, door_code)
      values (${communityId}, ${input.name}, ${input.address ?? null}, ${input.phone ?? null}, ${input.group}, ${input.buildingId ?? null},
              ST_SetSRID(ST_MakePoint(${point.lon}, ${point.lat}), 4326),
              ${rule.visitsPerDay}, ${rule.visitsPerWeek}, ${input.active ?? true}, ${input.note ?? null}, ${newDoorCode()})
      returning id::int`
    await setPairs(tx, communityId, row!.id, input.personIds ?? [])
    await recordAudit(tx, { userId: actor.id, communityId, action: 'create', entity: 'care_resident', entityId: row!.id, after: { name: input.name, group: input.group, ...rule, personIds: input.personIds ?? [] } })
    return row!.id
  })
  return getResident(sql, actor, communityIds, id)
}

/** Change a household (admin, leader): absent fields stay; `personIds` replaces the pairs. */
export async function updateResident(sql: Sql, id: number, input: Partial<ResidentInput>, actor: SessionUser, communityIds: number[] | null): Promise<CareResident> {
  await sql.begin(async (txn) => {
    const tx = txn as unknown as Sql
    const [current] = await tx<{ communityId: number; visitsPerDay: number | null; visitsPerWeek: number | null }[]>`
      select community_id::int as "communityId", visits_per_day as "visitsPerDay", visits_per_week as "visitsPerWeek"
      from care_residents r where r.id = ${id} and ${scope(tx, communityIds)} for update`
    if (!current) throw problems.notFound(`No household under care ${id}.`)
    const rule = ruleOf(input)
    const point = await doorPoint(tx, current.communityId, input)
    const set = (column: string, value: unknown) => (value === undefined ? tx`` : tx`, ${tx(column)} = ${value as string}`)
    await tx`
      update care_residents set updated_at = now()
        ${set('name', input.name)} ${set('address', input.address)} ${set('phone', input.phone)} ${set('care_group', input.group)}
        ${set('building_id', input.buildingId)} ${set('active', input.active)} ${set('note', input.note)}
        ${rule ? tx`, visits_per_day = ${rule.visitsPerDay}, visits_per_week = ${rule.visitsPerWeek}` : tx``}
        ${point ? tx`, geom = ST_SetSRID(ST_MakePoint(${point.lon}, ${point.lat}), 4326)` : tx``}
      where id = ${id}`
    if (input.personIds !== undefined) await setPairs(tx, current.communityId, id, input.personIds)
    const { address: _a, phone: _p, ...logged } = input
    await recordAudit(tx, { userId: actor.id, communityId: current.communityId, action: 'update', entity: 'care_resident', entityId: id, after: logged })
  })
  return getResident(sql, actor, communityIds, id)
}

/** A care visit as the API answers it. */
export type CareVisit = z.infer<typeof Schemas.CareVisit>

/** A visit to record (`POST /api/care/visits`). */
export interface NewCareVisit {
  residentId: number
  /** Epoch ms (the route defaults it to now). */
  t: number
  lon?: number | undefined
  lat?: number | undefined
  accuracy: number | null
  /** The door's QR code, instead of (or with) a position. */
  code?: string | undefined
  note?: string | undefined
  clientId: string
  deviceId?: string | undefined
}

async function visitById(sql: Sql, id: number): Promise<CareVisit> {
  const [row] = await sql<(Omit<CareVisit, 't'> & { t: Date })[]>`
    select v.id::int, v.community_id::int as "communityId", v.resident_id::int as "residentId", r.name as "residentName",
           v.person_id::int as "personId", p.name as "personName", v.t, v.distance_m as "distanceM", v.by_code as "byCode", v.note, v.client_id as "clientId"
    from care_visits v join care_residents r on r.id = v.resident_id left join people p on p.id = v.person_id
    where v.id = ${id}`
  return { ...row!, t: row!.t.toISOString() }
}

/**
 * Record a care visit in one transaction. The household must be visible (404) and under care (409); the caller
 * one of its paired members, or an admin or leader (403); the time within the limits of server/domain/evidence.ts
 * (422); and the visitor at the door: the door's QR code, or a position within 100 m + accuracy (422 with the
 * reason). A device, when named, must be bound to the caller (403). A repeated (user, clientId) answers the first
 * visit (`created: false`).
 */
export async function recordVisit(sql: Sql, input: NewCareVisit, actor: SessionUser, communityIds: number[] | null): Promise<{ created: boolean; visit: CareVisit }> {
  return sql.begin(async (txn) => {
    const tx = txn as unknown as Sql
    const existing = async () => {
      const [row] = await tx<{ id: number }[]>`select id::int from care_visits where user_id = ${actor.id} and client_id = ${input.clientId}`
      return row ? { created: false, visit: await visitById(tx, row.id) } : undefined
    }
    const seen = await existing()
    if (seen) return seen
    const [r] = await tx<{ id: number; communityId: number; active: boolean; doorCode: string; createdAt: Date; paired: boolean }[]>`
      select r.id::int, r.community_id::int as "communityId", r.active, r.door_code as "doorCode", c.created_at as "createdAt",
             exists (select 1 from care_pairs cp where cp.resident_id = r.id and cp.person_id = ${actor.personId ?? 0}) as paired
      from care_residents r join communities c on c.id = r.community_id
      where r.id = ${input.residentId} and ${scope(tx, communityIds)}`
    if (!r) throw problems.notFound(`No household under care ${input.residentId}.`)
    if (!r.paired && !can(actor.role, 'manageCare')) throw problems.forbidden('Only the members paired with this household record its visits.')
    if (!r.active) throw problems.conflict('This household is no longer under care.')
    const now = Date.now()
    const late = timeProblem(input.t, timeWindow(r.createdAt, now)) ?? careVisitAgeProblem(input.t, now)
    if (late) throw problems.unprocessable(`The visit time is refused: ${late}.`, [{ path: 't', message: late }])
    const t = new Date(Math.min(input.t, now)).toISOString()
    if (input.deviceId !== undefined) {
      const device = await deviceRow(tx, input.deviceId)
      if (!device || device.communityId !== r.communityId) {
        throw problems.unprocessable("The device is not a device of the household's community.", [{ path: 'deviceId', message: 'unknown device, or of another community' }])
      }
      assertMayWrite(device, actor, communityIds)
    }
    let byCode = false
    if (input.code !== undefined) {
      if (input.code.toUpperCase() !== r.doorCode) throw problems.unprocessable("The code is not this household's door code.", [{ path: 'code', message: 'wrong door code' }])
      byCode = true
    }
    let distanceM: number | null = null
    const hasPosition = input.lon !== undefined && input.lat !== undefined
    if (hasPosition) {
      const [d] = await tx<{ distanceM: number }[]>`
        select ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(${input.lon!}, ${input.lat!}), 4326)::geography)::float8 as "distanceM"
        from care_residents where id = ${r.id}`
      distanceM = d!.distanceM
      const away = byCode ? null : careVisitPositionProblem(distanceM, input.accuracy)
      if (away) throw problems.unprocessable(`The visit is refused: ${away}.`, [{ path: 'lon', message: away }])
    } else if (!byCode) {
      throw problems.unprocessable("A visit is recorded at the door: send the phone's position or the door's QR code.", [{ path: 'lon', message: 'lon and lat, or code, required' }])
    }
    const [inserted] = await tx<{ id: number }[]>`
      insert into care_visits (community_id, resident_id, person_id, user_id, device_id, t, geom, accuracy, distance_m, by_code, note, client_id)
      values (${r.communityId}, ${r.id}, ${actor.personId}, ${actor.id}, ${input.deviceId ?? null}, ${t},
              ${hasPosition ? tx`ST_SetSRID(ST_MakePoint(${input.lon!}, ${input.lat!}), 4326)` : null}, ${hasPosition ? input.accuracy : null},
              ${distanceM}, ${byCode}, ${input.note ?? null}, ${input.clientId})
      on conflict (user_id, client_id) where client_id is not null do nothing
      returning id::int`
    if (!inserted) {
      const raced = await existing()
      if (raced) return raced
      throw problems.conflict('The same clientId is being recorded concurrently; try again.')
    }
    await recordAudit(tx, { userId: actor.id, communityId: r.communityId, action: 'create', entity: 'care_visit', entityId: inserted.id, after: { residentId: r.id, t, byCode } })
    return { created: true, visit: await visitById(tx, inserted.id) }
  })
}

/** Most days the calendar answers. */
export const CALENDAR_MAX_DAYS = 62

/**
 * The household × day calendar (Asia/Shanghai days, the last `days` ending today) of the active households the
 * caller may see: visits per day, set-based in one query, judged against each rule (server/domain/care.ts).
 */
export async function careCalendarFor(sql: Sql, filter: { communityIds: number[] | null; communityId?: number | undefined; days: number; now?: Date }): Promise<CareCalendar> {
  const now = filter.now ?? new Date()
  const today = shanghaiDay(now)
  const rows = await sql<CalendarRow[]>`
    with days as (
      select d::date as day
      from generate_series((${today}::date - ${filter.days - 1}::int)::timestamp, ${today}::date::timestamp, interval '1 day') d
    ), r as (
      select r.id, r.community_id, r.name, r.care_group, r.visits_per_day, r.visits_per_week, (r.created_at at time zone 'Asia/Shanghai')::date as since
      from care_residents r
      where r.active and ${scope(sql, filter.communityIds)}
        and ${filter.communityId === undefined ? sql`true` : sql`r.community_id = ${filter.communityId}`}
    ), v as (
      select v.resident_id, (v.t at time zone 'Asia/Shanghai')::date as day, count(*)::int as n
      from care_visits v join r on r.id = v.resident_id
      where v.t >= (${today}::date - ${filter.days - 1}::int)::timestamp at time zone 'Asia/Shanghai'
      group by 1, 2
    )
    select r.id::int as "residentId", r.community_id::int as "communityId", r.name, r.care_group as "group",
           r.visits_per_day as "visitsPerDay", r.visits_per_week as "visitsPerWeek", to_char(r.since, 'YYYY-MM-DD') as since,
           to_char(d.day, 'YYYY-MM-DD') as day, coalesce(v.n, 0) as visits
    from r cross join days d left join v on v.resident_id = r.id and v.day = d.day
    order by r.id, d.day`
  return careCalendar(rows, today)
}

/** A paired household still to visit today (`GET /api/care/today`). */
export type TodayItem = z.infer<typeof Schemas.CareToday>['items'][number]

/** For the signed-in member: the paired households still to visit today, and how many are done. */
export async function careToday(sql: Sql, actor: SessionUser, now = new Date()): Promise<{ date: string; items: TodayItem[]; done: number }> {
  const today = shanghaiDay(now)
  if (actor.personId === null) return { date: today, items: [], done: 0 }
  const rows = await sql<(Omit<TodayItem, 'remaining' | 'lastVisitAt'> & { visitsWeek: number; lastVisitAt: Date | null })[]>`
    select r.id::int as "residentId", r.name, r.care_group as "group", r.address, r.phone, ST_X(r.geom) as lon, ST_Y(r.geom) as lat,
           r.visits_per_day as "visitsPerDay", r.visits_per_week as "visitsPerWeek",
           count(v.id) filter (where v.t >= ${today}::timestamp at time zone 'Asia/Shanghai')::int as "visitsToday",
           count(v.id)::int as "visitsWeek", max(v.t) as "lastVisitAt"
    from care_pairs cp join care_residents r on r.id = cp.resident_id and r.active
    left join care_visits v on v.resident_id = r.id
      and v.t >= (date_trunc('week', ${today}::date::timestamp)) at time zone 'Asia/Shanghai'
    where cp.person_id = ${actor.personId}
    group by r.id
    order by r.name, r.id`
  const items = rows.map(({ visitsWeek, lastVisitAt, ...r }) => {
    const remaining = r.visitsPerDay !== null ? Math.max(0, r.visitsPerDay - r.visitsToday) : r.visitsToday === 0 && visitsWeek < (r.visitsPerWeek ?? 0) ? 1 : 0
    return { ...r, remaining, lastVisitAt: lastVisitAt ? lastVisitAt.toISOString() : null }
  })
  return { date: today, items: items.filter((i) => i.remaining > 0), done: items.filter((i) => i.remaining === 0).length }
}
