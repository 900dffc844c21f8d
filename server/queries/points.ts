/**
 * Points (积分): rules per community, points earned from verified records only, redemptions (积分兑换) and the
 * monthly ranking (最美巡逻队员).
 *
 * Earned points are never stored: one set-based query derives them from the records each time —
 * - `report`: a matter the person reported (hazards.reporter_id → users.person_id) that is not rejected;
 * - `checkin`: a check-in of the person (checked at the key place when recorded);
 * - `care_visit`: a care visit of the person (checked at the door when recorded);
 * - `duty`: hours on the person's phones' tracks per Asia/Shanghai day (track_pieces join plausible points only,
 *   so points flagged as impossible earn nothing).
 * A matter rejected later therefore takes its points away at the next read. Redemptions are rows of
 * points_ledger; a redemption beyond the balance is refused, so the balance never goes below zero by one.
 */
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'
import type { Sql } from '../db/connect.ts'
import { DEFAULT_POINTS_RULES, type PointsKind, type PointsRules } from '../../core/care.ts'
import { shanghaiMidnight } from '../../core/period.ts'
import { problems } from '../problem.ts'
import { recordAudit } from './audit.ts'
import type { SessionUser } from './users.ts'

/** Most entries `GET /api/points` lists (newest first). */
export const POINTS_ENTRIES_LIMIT = 500
/** Rows of the monthly ranking. */
export const RANKING_SIZE = 20

const inScope = (sql: Sql, communityIds: number[] | null, column: string) =>
  communityIds === null ? sql`true` : sql`${sql.unsafe(column)} = any(${communityIds}::bigint[])`

/** The points rules of a community (the defaults until an admin sets them). */
export async function pointsRules(sql: Sql, communityId: number): Promise<PointsRules & { communityId: number; updatedAt: string | null }> {
  const [row] = await sql<(PointsRules & { updatedAt: Date })[]>`
    select per_duty_hour::float8 as "perDutyHour", per_report::float8 as "perReport", per_checkin::float8 as "perCheckin",
           per_care_visit::float8 as "perCareVisit", updated_at as "updatedAt"
    from points_rules where community_id = ${communityId}`
  return row ? { communityId, ...row, updatedAt: row.updatedAt.toISOString() } : { communityId, ...DEFAULT_POINTS_RULES, updatedAt: null }
}

/** Set a community's rules (admin); absent fields keep their value. */
export async function setPointsRules(sql: Sql, communityId: number, input: Partial<PointsRules>, actor: SessionUser): Promise<void> {
  await sql.begin(async (txn) => {
    const tx = txn as unknown as Sql
    const current = await pointsRules(tx, communityId)
    const next = {
      perDutyHour: input.perDutyHour ?? current.perDutyHour,
      perReport: input.perReport ?? current.perReport,
      perCheckin: input.perCheckin ?? current.perCheckin,
      perCareVisit: input.perCareVisit ?? current.perCareVisit,
    }
    await tx`
      insert into points_rules (community_id, per_duty_hour, per_report, per_checkin, per_care_visit, updated_at, updated_by)
      values (${communityId}, ${next.perDutyHour}, ${next.perReport}, ${next.perCheckin}, ${next.perCareVisit}, now(), ${actor.id})
      on conflict (community_id) do update set
        per_duty_hour = excluded.per_duty_hour, per_report = excluded.per_report, per_checkin = excluded.per_checkin,
        per_care_visit = excluded.per_care_visit, updated_at = now(), updated_by = excluded.updated_by`
    const { communityId: _c, updatedAt: _u, ...before } = current
    await recordAudit(tx, { userId: actor.id, communityId, action: 'update', entity: 'points_rules', entityId: communityId, before, after: next })
  })
}

/** Which earned entries to derive. */
export interface EarnedFilter {
  communityIds: number[] | null
  communityId?: number | undefined
  personId?: number | undefined
  from?: Date | undefined
  to?: Date | undefined
}

/**
 * The earned entries as one SQL fragment (a `select` of community_id, person_id, kind, at, ref, detail, points):
 * every source in one `union all`, each joined to its community's rules, no per-row work in TypeScript.
 */
export function earnedEntries(sql: Sql, f: EarnedFilter) {
  const window = (column: string) =>
    sql`${f.from ? sql`${sql.unsafe(column)} >= ${f.from}` : sql`true`} and ${f.to ? sql`${sql.unsafe(column)} < ${f.to}` : sql`true`}`
  const community = (column: string) => sql`${inScope(sql, f.communityIds, column)} and ${f.communityId === undefined ? sql`true` : sql`${sql.unsafe(column)} = ${f.communityId}`}`
  const person = (column: string) => (f.personId === undefined ? sql`${sql.unsafe(column)} is not null` : sql`${sql.unsafe(column)} = ${f.personId}`)
  const d = DEFAULT_POINTS_RULES
  return sql`
    with rules as (
      select c.id as community_id,
             coalesce(pr.per_duty_hour, ${d.perDutyHour}) as per_duty_hour, coalesce(pr.per_report, ${d.perReport}) as per_report,
             coalesce(pr.per_checkin, ${d.perCheckin}) as per_checkin, coalesce(pr.per_care_visit, ${d.perCareVisit}) as per_care_visit
      from communities c left join points_rules pr on pr.community_id = c.id
      where ${community('c.id')}
    ), duty as (
      select tp.community_id, dv.person_id, tp.day, min(tp.t_from) as at,
             sum(extract(epoch from tp.t_to - tp.t_from)) / 3600.0 as hours
      from track_pieces tp join devices dv on dv.id = tp.device_id
      where ${person('dv.person_id')} and ${window('tp.t_from')} and ${community('tp.community_id')}
      group by tp.community_id, dv.person_id, tp.day
    )
    select h.community_id, u.person_id, 'report' as kind, h.reported_at as at, h.id::text as ref, h.category as detail, r.per_report as points
    from hazards h join users u on u.id = h.reporter_id join rules r on r.community_id = h.community_id
    where h.status <> 'rejected' and ${person('u.person_id')} and ${window('h.reported_at')}
    union all
    select ci.community_id, ci.person_id, 'checkin', ci.t, ci.id::text, k.name, r.per_checkin
    from checkins ci join key_places k on k.id = ci.key_place_id join rules r on r.community_id = ci.community_id
    where ${person('ci.person_id')} and ${window('ci.t')}
    union all
    select v.community_id, v.person_id, 'care_visit', v.t, v.id::text, cr.name, r.per_care_visit
    from care_visits v join care_residents cr on cr.id = v.resident_id join rules r on r.community_id = v.community_id
    where ${person('v.person_id')} and ${window('v.t')}
    union all
    select du.community_id, du.person_id, 'duty', du.at, to_char(du.day, 'YYYY-MM-DD'), round(du.hours::numeric, 2)::text,
           round((du.hours * r.per_duty_hour)::numeric, 2)
    from duty du join rules r on r.community_id = du.community_id
    where du.hours > 0`
}

/** One line of a person's points. */
export type PointsEntry = z.infer<typeof Schemas.PersonPoints>['entries'][number]

/** A person's points (`GET /api/points?personId=`). */
export type PersonPoints = z.infer<typeof Schemas.PersonPoints>

async function personInScope(sql: Sql, personId: number, communityIds: number[] | null): Promise<{ id: number; name: string; communityId: number }> {
  const [p] = await sql<{ id: number; name: string; communityId: number }[]>`
    select id::int, name, community_id::int as "communityId" from people p where p.id = ${personId} and ${inScope(sql, communityIds, 'p.community_id')}`
  if (!p) throw problems.notFound(`No person ${personId}.`)
  return p
}

/** Earned and redeemed totals of one person (the balance a redemption is checked against). */
async function totals(sql: Sql, personId: number, communityIds: number[] | null): Promise<{ earned: number; redeemed: number; byKind: Record<string, number> }> {
  const rows = await sql<{ kind: string; points: number }[]>`
    select kind, sum(points)::float8 as points from (${earnedEntries(sql, { communityIds, personId })}) e group by kind
    union all
    select 'redemption', coalesce(sum(points), 0)::float8 from points_ledger where person_id = ${personId}`
  const byKind: Record<string, number> = { duty: 0, report: 0, checkin: 0, care_visit: 0, redemption: 0 }
  for (const r of rows) byKind[r.kind] = Math.round(r.points * 100) / 100
  const earned = Math.round((byKind.duty! + byKind.report! + byKind.checkin! + byKind.care_visit!) * 100) / 100
  return { earned, redeemed: byKind.redemption!, byKind }
}

/** A person's balance and entries, newest first. */
export async function personPoints(sql: Sql, personId: number, communityIds: number[] | null): Promise<PersonPoints> {
  const person = await personInScope(sql, personId, communityIds)
  const t = await totals(sql, personId, communityIds)
  const entries = await sql<(Omit<PointsEntry, 'at'> & { at: Date })[]>`
    select * from (
      select kind, at, ref, detail, points::float8 as points, null::text as "byName" from (${earnedEntries(sql, { communityIds, personId })}) e
      union all
      select 'redemption', l.at, l.id::text, l.item, -l.points::float8, u.name
      from points_ledger l left join users u on u.id = l.by_user_id where l.person_id = ${personId}
    ) x
    order by at desc, ref desc
    limit ${POINTS_ENTRIES_LIMIT}`
  return {
    personId: person.id,
    name: person.name,
    communityId: person.communityId,
    earned: t.earned,
    redeemed: t.redeemed,
    balance: Math.max(0, Math.round((t.earned - t.redeemed) * 100) / 100),
    byKind: t.byKind as Record<PointsKind, number>,
    entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })),
  }
}

/** A redemption to enter (`POST /api/points/redemptions`). */
export interface NewRedemption {
  personId: number
  points: number
  item: string
  note?: string | undefined
  clientId?: string | undefined
}

/** A redemption as the API answers it. */
export type Redemption = z.infer<typeof Schemas.Redemption>

/**
 * Enter a redemption (admin, leader): the person must be visible (404); the points at most the balance (409:
 * the balance never goes below zero). Serialised per person (an advisory lock), so two at once cannot both
 * spend the same points. A repeated (user, clientId) answers the first.
 */
export async function redeemPoints(sql: Sql, input: NewRedemption, actor: SessionUser, communityIds: number[] | null): Promise<{ created: boolean; redemption: Redemption }> {
  return sql.begin(async (txn) => {
    const tx = txn as unknown as Sql
    const person = await personInScope(tx, input.personId, communityIds)
    await tx`select pg_advisory_xact_lock(7351217, ${person.id}::int)`
    const answer = async (id: number, created: boolean) => {
      const [row] = await tx<(Omit<Redemption, 'at' | 'balance'> & { at: Date })[]>`
        select l.id::int, l.person_id::int as "personId", l.points::float8 as points, l.item, l.note, l.at, l.by_user_id::int as "byUserId", u.name as "byName"
        from points_ledger l left join users u on u.id = l.by_user_id where l.id = ${id}`
      const t = await totals(tx, person.id, null)
      return { created, redemption: { ...row!, at: row!.at.toISOString(), balance: Math.max(0, Math.round((t.earned - t.redeemed) * 100) / 100) } }
    }
    if (input.clientId !== undefined) {
      const [seen] = await tx<{ id: number }[]>`select id::int from points_ledger where by_user_id = ${actor.id} and client_id = ${input.clientId}`
      if (seen) return answer(seen.id, false)
    }
    const t = await totals(tx, person.id, null)
    const balance = Math.round((t.earned - t.redeemed) * 100) / 100
    if (input.points > balance) {
      throw problems.conflict(`${person.name} has ${Math.max(0, balance)} points; ${input.points} cannot be redeemed (the balance never goes below zero).`, { balance: Math.max(0, balance) })
    }
    const [row] = await tx<{ id: number }[]>`
      insert into points_ledger (community_id, person_id, kind, points, item, note, by_user_id, client_id)
      values (${person.communityId}, ${person.id}, 'redemption', ${input.points}, ${input.item}, ${input.note ?? null}, ${actor.id}, ${input.clientId ?? null})
      returning id::int`
    await recordAudit(tx, { userId: actor.id, communityId: person.communityId, action: 'create', entity: 'points_redemption', entityId: row!.id, after: { personId: person.id, points: input.points, item: input.item } })
    return answer(row!.id, true)
  })
}

/** Redemptions of the communities a caller may see, newest first (the admin's list). */
export async function listRedemptions(sql: Sql, f: { communityIds: number[] | null; communityId?: number | undefined; limit?: number }): Promise<Omit<Redemption, 'balance'>[]> {
  const rows = await sql<(Omit<Redemption, 'at' | 'balance'> & { at: Date; personName: string })[]>`
    select l.id::int, l.person_id::int as "personId", p.name as "personName", l.points::float8 as points, l.item, l.note, l.at,
           l.by_user_id::int as "byUserId", u.name as "byName"
    from points_ledger l join people p on p.id = l.person_id left join users u on u.id = l.by_user_id
    where ${inScope(sql, f.communityIds, 'l.community_id')} and ${f.communityId === undefined ? sql`true` : sql`l.community_id = ${f.communityId}`}
    order by l.at desc, l.id desc
    limit ${f.limit ?? 200}`
  return rows.map((r) => ({ ...r, at: r.at.toISOString() }))
}

/** One row of the monthly ranking. */
export interface RankingRow {
  rank: number
  personId: number
  name: string
  teamName: string | null
  points: number
  byKind: Record<Exclude<PointsKind, 'redemption'>, number>
}

/** The Asia/Shanghai month `YYYY-MM` as a window [from, to). */
export function monthWindow(month: string): { from: Date; to: Date } {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`
  return { from: shanghaiMidnight(`${month}-01`), to: shanghaiMidnight(next) }
}

/** The month's ranking by points earned in it (最美巡逻队员 candidates), best first, ties by name. */
export async function pointsRanking(sql: Sql, f: { communityIds: number[] | null; communityId?: number | undefined; month: string; limit?: number }): Promise<RankingRow[]> {
  const { from, to } = monthWindow(f.month)
  const rows = await sql<(Omit<RankingRow, 'rank' | 'byKind'> & { duty: number; report: number; checkin: number; careVisit: number })[]>`
    select e.person_id::int as "personId", p.name, t.name as "teamName", sum(e.points)::float8 as points,
           coalesce(sum(e.points) filter (where e.kind = 'duty'), 0)::float8 as duty,
           coalesce(sum(e.points) filter (where e.kind = 'report'), 0)::float8 as report,
           coalesce(sum(e.points) filter (where e.kind = 'checkin'), 0)::float8 as checkin,
           coalesce(sum(e.points) filter (where e.kind = 'care_visit'), 0)::float8 as "careVisit"
    from (${earnedEntries(sql, { communityIds: f.communityIds, communityId: f.communityId, from, to })}) e
    join people p on p.id = e.person_id left join teams t on t.id = p.team_id
    group by e.person_id, p.name, t.name
    having sum(e.points) > 0
    order by sum(e.points) desc, p.name, e.person_id
    limit ${f.limit ?? RANKING_SIZE}`
  let rank = 0
  let last = Number.NaN
  return rows.map((r, i) => {
    if (r.points !== last) rank = i + 1
    last = r.points
    const { duty, report, checkin, careVisit, ...rest } = r
    return { rank, ...rest, points: Math.round(r.points * 100) / 100, byKind: { duty, report, checkin, care_visit: careVisit } }
  })
}
