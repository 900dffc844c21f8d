/**
 * Partner units (共建单位, issue #14): property management, owners' committees, the police station, fire and
 * rescue, law enforcement and utilities. An admin manages them; everyone else reads the units serving their
 * communities; a partner account reads its own unit only.
 */
import type { Queryable, Sql } from '../db/connect.ts'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'
import type { UnitKind } from '../../core/org.ts'
import { problems } from '../problem.ts'
import { recordAudit } from './audit.ts'
import type { SessionUser } from './users.ts'

/** A partner unit as `GET /api/units` answers it (its OpenAPI schema). */
export type UnitRow = z.infer<typeof Schemas.PartnerUnit>

/** What may be set on a unit. */
export interface UnitInput {
  name?: string | undefined
  kind?: UnitKind | undefined
  contact?: string | null | undefined
  communityIds?: number[] | undefined
  active?: boolean | undefined
}

/**
 * The unit a caller's matters are limited to: a partner account's unit (0 when it has none, which matches no
 * matter), or null for every other role (no unit limit; their communities limit them).
 */
export function partnerUnitOf(user: Pick<SessionUser, 'role' | 'unitId'> | undefined): number | null {
  if (!user || user.role !== 'partner') return null
  return user.unitId ?? 0
}

const unitColumns = (sql: Queryable) => sql`
  u.id::int, u.name, u.kind, u.contact, u.active,
  coalesce(array(select uc.community_id::int from partner_unit_communities uc where uc.unit_id = u.id order by 1), '{}') as "communityIds",
  (select count(*)::int from users a where a.unit_id = u.id and not a.disabled) as "accountCount",
  u.created_at as "createdAt", u.updated_at as "updatedAt"`

/** Whether a unit is visible in `scope`: it serves at least one of the caller's communities (all for null). */
const visible = (scope: number[] | null, row: UnitRow): boolean => scope === null || row.communityIds.some((id) => scope.includes(id))

/** A unit as shown to a caller with a scope: only the communities within it. */
const scoped = (scope: number[] | null, row: UnitRow): UnitRow => (scope === null ? row : { ...row, communityIds: row.communityIds.filter((id) => scope.includes(id)) })

/**
 * Units serving the communities the caller may see (a partner: its own unit only), optionally only those
 * serving `communityId`, or only active ones.
 */
export async function listUnits(
  sql: Sql,
  caller: Pick<SessionUser, 'role' | 'unitId'>,
  scope: number[] | null,
  filter: { communityId?: number | undefined; active?: boolean | undefined } = {},
): Promise<UnitRow[]> {
  const own = partnerUnitOf(caller)
  const rows = await sql<UnitRow[]>`
    select ${unitColumns(sql)} from partner_units u
    where ${own === null ? sql`true` : sql`u.id = ${own}`}
      and ${filter.active === undefined ? sql`true` : sql`u.active = ${filter.active}`}
      and ${filter.communityId === undefined ? sql`true` : sql`exists (select 1 from partner_unit_communities uc where uc.unit_id = u.id and uc.community_id = ${filter.communityId})`}
    order by u.id`
  return rows.filter((r) => visible(scope, r)).map((r) => scoped(scope, r))
}

/** One unit the caller may see, or 404. */
export async function getUnit(sql: Queryable, id: number, caller: Pick<SessionUser, 'role' | 'unitId'>, scope: number[] | null): Promise<UnitRow> {
  const own = partnerUnitOf(caller)
  const [row] = await sql<UnitRow[]>`select ${unitColumns(sql)} from partner_units u where u.id = ${id}`
  if (!row || (own !== null && own !== id) || !visible(scope, row)) throw problems.notFound(`No unit ${id}.`)
  return scoped(scope, row)
}

/** The communities must exist and lie in the admin's scope (403 outside, 422 unknown). */
async function checkCommunities(tx: Queryable, communityIds: number[], scope: number[] | null): Promise<void> {
  if (communityIds.length === 0) throw problems.unprocessable('The unit is invalid.', [{ path: 'communityIds', message: 'name at least one community the unit serves' }])
  const outside = communityIds.filter((id) => scope !== null && !scope.includes(id))
  if (outside.length > 0) throw problems.forbidden(`You may not manage units of community ${outside.join(', ')}.`)
  const found = await tx<{ id: number }[]>`select id from communities where id = any(${communityIds}::bigint[])`
  if (found.length !== communityIds.length) throw problems.unprocessable('The unit is invalid.', [{ path: 'communityIds', message: 'no such community' }])
}

async function setCommunities(tx: Queryable, unitId: number, communityIds: number[]): Promise<void> {
  await tx`delete from partner_unit_communities where unit_id = ${unitId}`
  await tx`insert into partner_unit_communities (community_id, unit_id) select c, ${unitId} from unnest(${communityIds}::bigint[]) as c`
}

/** Create a unit (admin), audited. */
export async function createUnit(
  sql: Sql,
  input: Required<Pick<UnitInput, 'name' | 'kind' | 'communityIds'>> & UnitInput,
  actor: SessionUser,
  scope: number[] | null,
): Promise<UnitRow> {
  return sql.begin(async (tx) => {
    const communityIds = [...new Set(input.communityIds)]
    await checkCommunities(tx, communityIds, scope)
    const [row] = await tx<{ id: number }[]>`
      insert into partner_units (name, kind, contact, active)
      values (${input.name}, ${input.kind}, ${input.contact ?? null}, ${input.active ?? true}) returning id::int`
    await setCommunities(tx, row!.id, communityIds)
    const created = await getUnit(tx, row!.id, actor, null)
    await recordAudit(tx, { userId: actor.id, communityId: communityIds[0] ?? null, action: 'create', entity: 'unit', entityId: row!.id, after: created })
    return created
  })
}

/**
 * Change a unit (admin of every community it serves), audited. A unit keeps at least one community; a
 * community may leave it only while none of its matters are open with the unit.
 */
export async function updateUnit(sql: Sql, id: number, input: UnitInput, actor: SessionUser, scope: number[] | null): Promise<UnitRow> {
  return sql.begin(async (tx) => {
    await tx`select id from partner_units where id = ${id} for update`
    const before = await getUnit(tx, id, actor, null)
    if (!visible(scope, before)) throw problems.notFound(`No unit ${id}.`)
    const foreign = before.communityIds.filter((c) => scope !== null && !scope.includes(c))
    if (foreign.length > 0) throw problems.forbidden(`The unit also serves community ${foreign.join(', ')}, which you may not manage.`)
    if (input.communityIds !== undefined) {
      const communityIds = [...new Set(input.communityIds)]
      await checkCommunities(tx, communityIds, scope)
      const dropped = before.communityIds.filter((c) => !communityIds.includes(c))
      if (dropped.length > 0) {
        const [open] = await tx<{ n: number }[]>`
          select count(*)::int as n from hazards
          where unit_id = ${id} and community_id = any(${dropped}::bigint[]) and status <> all(array['verified', 'rejected'])`
        if ((open?.n ?? 0) > 0) throw problems.conflict(`The unit still has ${open!.n} open matter(s) in community ${dropped.join(', ')}; close or re-dispatch them first.`, { path: 'communityIds' })
      }
      await setCommunities(tx, id, communityIds)
    }
    await tx`
      update partner_units set name = ${input.name ?? before.name}, kind = ${input.kind ?? before.kind},
        contact = ${input.contact === undefined ? before.contact : input.contact}, active = ${input.active ?? before.active},
        updated_at = now()
      where id = ${id}`
    const after = await getUnit(tx, id, actor, null)
    const action = before.active && !after.active ? 'deactivate' : !before.active && after.active ? 'activate' : 'update'
    await recordAudit(tx, { userId: actor.id, communityId: after.communityIds[0] ?? null, action, entity: 'unit', entityId: id, before, after })
    return after
  })
}

/** The active unit `unitId` if it serves `communityId`, else undefined (dispatch and accounts check with it). */
export async function unitServing(tx: Queryable, unitId: number, communityId: number): Promise<{ id: number; name: string } | undefined> {
  const [row] = await tx<{ id: number; name: string }[]>`
    select u.id::int, u.name from partner_units u join partner_unit_communities uc on uc.unit_id = u.id
    where u.id = ${unitId} and uc.community_id = ${communityId} and u.active`
  return row
}
