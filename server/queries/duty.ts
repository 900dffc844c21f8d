import type postgres from 'postgres'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'
import type { Sql } from '../db/connect.ts'
import { dutyAgeProblem } from '../domain/duty.ts'
import { timeProblem, timeWindow } from '../domain/evidence.ts'
import { Problem, problems } from '../problem.ts'
import { resolveDevice } from './tracks.ts'
import type { SessionUser } from './users.ts'

/** A duty session (`/api/duty`). */
export type DutySession = z.infer<typeof Schemas.DutySession>

interface SessionRow {
  id: number
  communityId: number
  personId: number | null
  personName: string | null
  deviceId: string
  startedAt: Date
  stoppedAt: Date | null
  distanceM: number
}

function toSession(r: SessionRow, now: number): DutySession {
  const end = r.stoppedAt ? r.stoppedAt.getTime() : Math.max(now, r.startedAt.getTime())
  return {
    id: r.id,
    communityId: r.communityId,
    personId: r.personId,
    personName: r.personName,
    deviceId: r.deviceId,
    startedAt: r.startedAt.toISOString(),
    stoppedAt: r.stoppedAt?.toISOString() ?? null,
    open: r.stoppedAt === null,
    minutes: Math.round(((end - r.startedAt.getTime()) / 60_000) * 10) / 10,
    distanceM: Math.round(r.distanceM),
  }
}

const sessionColumns = (sql: Sql) => sql`
  ds.id, ds.community_id as "communityId", ds.person_id as "personId", p.name as "personName", ds.device_id as "deviceId",
  ds.started_at as "startedAt", ds.stopped_at as "stoppedAt",
  sg_device_distance(ds.device_id, ds.started_at, coalesce(ds.stopped_at, greatest(now(), ds.started_at)) + interval '1 microsecond') as "distanceM"`

async function sessionWhere(sql: Sql, where: postgres.Fragment): Promise<DutySession | undefined> {
  const [row] = await sql<SessionRow[]>`
    select ${sessionColumns(sql)} from duty_sessions ds left join people p on p.id = ds.person_id where ${where}`
  return row ? toSession(row, Date.now()) : undefined
}

/** What `POST /api/duty` asks. */
export interface DutyAction {
  action: 'start' | 'stop'
  deviceId: string
  /** Epoch ms. */
  t: number
  clientId: string
}

/**
 * Start or stop duty on a device, exactly once per clientId (the same clientId again answers the
 * session it made, `created: false`). The device is bound like a track upload's (an unknown device
 * is registered for the caller); `t` keeps to the evidence bounds. A start while the device is on
 * duty, or a stop with no duty started on the device at or before `t`: 409.
 */
export async function recordDuty(sql: Sql, a: DutyAction, user: SessionUser, communityIds: number[] | null): Promise<{ session: DutySession; created: boolean }> {
  const byClient =
    a.action === 'start'
      ? sql`ds.device_id = ${a.deviceId} and ds.start_client_id = ${a.clientId}`
      : sql`ds.device_id = ${a.deviceId} and ds.stop_client_id = ${a.clientId}`
  const device = await resolveDevice(sql, a.deviceId, user, communityIds)
  const seen = await sessionWhere(sql, byClient)
  if (seen) return { session: seen, created: false }
  const problem = timeProblem(a.t, timeWindow(device.communityCreatedAt)) ?? dutyAgeProblem(a.t)
  if (problem) throw problems.unprocessable(`The duty ${a.action} is refused: ${problem}.`, [{ path: 't', message: problem }])
  const t = new Date(a.t).toISOString()
  const personId = device.personId ?? user.personId
  if (a.action === 'start') {
    const [open] = await sql<{ id: number; startedAt: Date }[]>`
      select id, started_at as "startedAt" from duty_sessions where device_id = ${a.deviceId} and stopped_at is null`
    if (open) {
      throw problems.conflict(`The device ${a.deviceId} is already on duty since ${open.startedAt.toISOString()}; stop that duty first.`, { sessionId: open.id })
    }
    const inserted = await sql<{ id: number }[]>`
      insert into duty_sessions (community_id, person_id, user_id, device_id, started_at, start_client_id)
      values (${device.communityId}, ${personId}, ${user.id}, ${a.deviceId}, ${t}::timestamptz, ${a.clientId})
      on conflict do nothing
      returning id`
    if (inserted.length === 0) {
      // A concurrent request with the same clientId won, or another start did.
      const again = await sessionWhere(sql, byClient)
      if (again) return { session: again, created: false }
      throw problems.conflict(`The device ${a.deviceId} is already on duty; stop that duty first.`)
    }
    return { session: (await sessionWhere(sql, sql`ds.id = ${inserted[0]!.id}`))!, created: true }
  }
  const stopped = await sql<{ id: number }[]>`
    update duty_sessions set stop_client_id = ${a.clientId}, stopped_at = ${t}::timestamptz
    where device_id = ${a.deviceId} and stopped_at is null and started_at <= ${t}::timestamptz
    returning id`
  if (stopped.length === 0) {
    const again = await sessionWhere(sql, byClient)
    if (again) return { session: again, created: false }
    throw new Problem(409, `No duty was started on the device ${a.deviceId} before ${t}: nothing to stop.`, { extensions: { deviceId: a.deviceId } })
  }
  return { session: (await sessionWhere(sql, sql`ds.id = ${stopped[0]!.id}`))!, created: true }
}

/** Filters of `GET /api/duty`. */
export interface DutyFilter {
  communityIds: number[] | null
  communityId?: number | undefined
  personId?: number | undefined
  from: string
  to: string
}

/** Sessions overlapping [from, to), oldest first, with minutes and metres. */
export async function listDuty(sql: Sql, f: DutyFilter): Promise<DutySession[]> {
  const rows = await sql<SessionRow[]>`
    select ${sessionColumns(sql)}
    from duty_sessions ds left join people p on p.id = ds.person_id
    where ${f.communityIds === null ? sql`true` : sql`ds.community_id = any(${f.communityIds}::bigint[])`}
      and ${f.communityId === undefined ? sql`true` : sql`ds.community_id = ${f.communityId}`}
      and ${f.personId === undefined ? sql`true` : sql`ds.person_id = ${f.personId}`}
      and ds.started_at < ${f.to}::timestamptz and coalesce(ds.stopped_at, 'infinity'::timestamptz) > ${f.from}::timestamptz
    order by ds.started_at, ds.id
    limit 2000`
  const now = Date.now()
  return rows.map((r) => toSession(r, now))
}

/** `GET /api/people/:id/activity`. */
export interface PersonActivity {
  personId: number
  name: string
  window: { from: string; to: string }
  /** Minutes on duty inside the window. */
  dutyMinutes: number
  /** Hours on duty inside the window (one decimal). */
  dutyHours: number
  /** Metres walked on duty inside the window (plausible points only). */
  distanceM: number
  sessions: number
  /** Matters reported by the person's accounts in the window, and those of them not rejected. */
  reports: { total: number; confirmed: number }
  /** Check-ins of the person in the window. */
  checkins: number
}

/** A person's work over [from, to): duty (clipped to the window), distance, reports, check-ins. 404 when unknown or out of scope. */
export async function personActivity(sql: Sql, personId: number, f: { communityIds: number[] | null; from: string; to: string }): Promise<PersonActivity> {
  const [person] = await sql<{ name: string; communityId: number }[]>`select name, community_id as "communityId" from people where id = ${personId}`
  if (!person || (f.communityIds !== null && !f.communityIds.includes(person.communityId))) throw problems.notFound(`No person ${personId}.`)
  const [duty] = await sql<{ seconds: number; metres: number; n: number }[]>`
    with s as (
      select ds.device_id, greatest(ds.started_at, ${f.from}::timestamptz) as lo,
             least(coalesce(ds.stopped_at, now()), ${f.to}::timestamptz) as hi
      from duty_sessions ds
      where ds.person_id = ${personId} and ds.started_at < ${f.to}::timestamptz and coalesce(ds.stopped_at, 'infinity'::timestamptz) > ${f.from}::timestamptz
    )
    select coalesce(sum(greatest(extract(epoch from hi - lo), 0)), 0)::float8 as seconds,
           coalesce(sum(case when hi > lo then sg_device_distance(device_id, lo, hi) else 0 end), 0)::float8 as metres,
           count(*)::int as n
    from s`
  const [reports] = await sql<{ total: number; confirmed: number }[]>`
    select count(*)::int as total, count(*) filter (where h.status <> 'rejected')::int as confirmed
    from hazards h join users u on u.id = h.reporter_id
    where u.person_id = ${personId} and h.reported_at >= ${f.from}::timestamptz and h.reported_at < ${f.to}::timestamptz`
  const [checkins] = await sql<{ n: number }[]>`
    select count(*)::int as n from checkins ci
    where ci.person_id = ${personId} and ci.t >= ${f.from}::timestamptz and ci.t < ${f.to}::timestamptz`
  const minutes = (duty?.seconds ?? 0) / 60
  return {
    personId,
    name: person.name,
    window: { from: new Date(f.from).toISOString(), to: new Date(f.to).toISOString() },
    dutyMinutes: Math.round(minutes * 10) / 10,
    dutyHours: Math.round((minutes / 60) * 10) / 10,
    distanceM: Math.round(duty?.metres ?? 0),
    sessions: duty?.n ?? 0,
    reports: { total: reports?.total ?? 0, confirmed: reports?.confirmed ?? 0 },
    checkins: checkins?.n ?? 0,
  }
}
