import { randomBytes } from 'node:crypto'
import type { Queryable, Sql } from '../db/connect.ts'
import type { Role } from '../../core/roles.ts'
import { problems } from '../problem.ts'
import { recordAudit } from './audit.ts'
import { hashToken, type SessionUser } from './users.ts'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'

/** An account as `GET /api/users` lists it (never the password hash). */
export type AccountRow = z.infer<typeof Schemas.User>

/** What an admin may set on an account. */
export interface AccountInput {
  username?: string | undefined
  name?: string | undefined
  role?: Role | undefined
  personId?: number | null | undefined
  communityIds?: number[] | undefined
  /** The partner unit of a `partner` account (required for that role, refused for every other). */
  unitId?: number | null | undefined
  active?: boolean | undefined
  mustChangePassword?: boolean | undefined
}

/** A one-time password: 12 characters from a URL-safe alphabet, shown once. */
export const oneTimePassword = (): string => randomBytes(9).toString('base64url')

const accountColumns = (sql: Queryable) => sql`
  u.id, u.username, u.name, u.role, u.person_id as "personId", p.name as "personName", u.district_id as "districtId",
  coalesce(array(select uc.community_id::int from user_communities uc where uc.user_id = u.id order by 1), '{}') as "communityIds",
  u.unit_id::int as "unitId", (select pu.name from partner_units pu where pu.id = u.unit_id) as "unitName",
  not u.disabled as active, u.must_change_password as "mustChangePassword", u.created_at as "createdAt",
  (select max(s.created_at) from sessions s where s.user_id = u.id) as "lastSignInAt"`

/** Whether the actor (an admin) may manage an account in these communities: all of them in the actor's scope. */
function inScope(scope: number[] | null, communityIds: readonly number[], districtId: number | null, actor: SessionUser): boolean {
  if (scope === null) return true
  if (districtId !== null && districtId === actor.districtId) return true
  return communityIds.length > 0 && communityIds.every((id) => scope.includes(id))
}

/** Accounts the admin may manage: all for an admin of everything, else those inside the admin's communities. */
export async function listAccounts(sql: Sql, actor: SessionUser, scope: number[] | null, filter: { q?: string | undefined } = {}): Promise<AccountRow[]> {
  const rows = await sql<AccountRow[]>`
    select ${accountColumns(sql)}
    from users u left join people p on p.id = u.person_id
    where ${filter.q ? sql`(u.username ilike ${'%' + filter.q.replace(/[%_\\]/g, (m) => '\\' + m) + '%'} or u.name ilike ${'%' + filter.q.replace(/[%_\\]/g, (m) => '\\' + m) + '%'})` : sql`true`}
    order by u.id`
  return rows.filter((r) => inScope(scope, r.communityIds, r.districtId, actor))
}

/** One account in the admin's scope, or 404. */
export async function getAccount(sql: Queryable, id: number, actor: SessionUser, scope: number[] | null): Promise<AccountRow> {
  const [row] = await sql<AccountRow[]>`select ${accountColumns(sql)} from users u left join people p on p.id = u.person_id where u.id = ${id}`
  if (!row || !inScope(scope, row.communityIds, row.districtId, actor)) throw problems.notFound(`No account ${id}.`)
  return row
}

/** Check the communities and the linked person of an account; throws 403/422 with the field. */
async function checkLinks(tx: Queryable, input: { communityIds: number[]; personId: number | null; userId?: number }, scope: number[] | null): Promise<void> {
  const outside = input.communityIds.filter((id) => scope !== null && !scope.includes(id))
  if (outside.length > 0) throw problems.forbidden(`You may not give access to community ${outside.join(', ')}.`)
  if (input.communityIds.length > 0) {
    const found = await tx<{ id: number }[]>`select id from communities where id = any(${input.communityIds}::bigint[])`
    if (found.length !== new Set(input.communityIds).size) throw problems.unprocessable('The account is invalid.', [{ path: 'communityIds', message: 'no such community' }])
  }
  if (input.personId !== null) {
    const [person] = await tx<{ communityId: number; linked: number | null }[]>`
      select p.community_id as "communityId",
             (select u.id from users u where u.person_id = p.id and not u.disabled and u.id <> ${input.userId ?? 0} limit 1) as linked
      from people p where p.id = ${input.personId}`
    if (!person || (scope !== null && !scope.includes(person.communityId))) {
      throw problems.unprocessable('The account is invalid.', [{ path: 'personId', message: 'no such person in your communities' }])
    }
    if (input.communityIds.length > 0 && !input.communityIds.includes(person.communityId)) {
      throw problems.unprocessable('The account is invalid.', [{ path: 'personId', message: "the person belongs to a community the account may not see" }])
    }
    if (person.linked !== null) throw problems.conflict(`That person already has an account (#${person.linked}).`, { path: 'personId' })
  }
}

/**
 * The unit of a partner account: required for role `partner` (422 without), refused for every other role; it
 * must serve at least one of the admin's communities. Its communities become the account's communities.
 */
async function checkUnit(tx: Queryable, role: Role, unitId: number | null, scope: number[] | null): Promise<number[]> {
  if (role !== 'partner') {
    if (unitId !== null) throw problems.unprocessable('The account is invalid.', [{ path: 'unitId', message: 'only a partner account belongs to a unit' }])
    return []
  }
  if (unitId === null) throw problems.unprocessable('The account is invalid.', [{ path: 'unitId', message: 'a partner account needs its unit' }])
  const [unit] = await tx<{ communityIds: number[] }[]>`
    select coalesce(array(select pc.community_id::int from partner_unit_communities pc where pc.unit_id = u.id order by 1), '{}') as "communityIds"
    from partner_units u where u.id = ${unitId}`
  if (!unit || (scope !== null && !unit.communityIds.some((c) => scope.includes(c)))) {
    throw problems.unprocessable('The account is invalid.', [{ path: 'unitId', message: 'no such unit in your communities' }])
  }
  return unit.communityIds.filter((c) => scope === null || scope.includes(c))
}

/** Whether an account name is taken (case-insensitively), other than by `exceptId`. */
async function usernameTaken(tx: Queryable, username: string, exceptId = 0): Promise<boolean> {
  const [row] = await tx`select 1 from users where lower(username) = lower(${username}) and id <> ${exceptId}`
  return Boolean(row)
}

/** Create an account (admin). Audited; the password hash is made by the caller. */
export async function createAccount(
  sql: Sql,
  input: Required<Pick<AccountInput, 'username' | 'name' | 'role'>> & AccountInput & { passwordHash: string },
  actor: SessionUser,
  scope: number[] | null,
): Promise<AccountRow> {
  return sql.begin(async (tx) => {
    const unitCommunities = await checkUnit(tx, input.role, input.unitId ?? null, scope)
    // A partner account sees its unit's communities (the session reads them from the unit; stored here for the admins' scope).
    const communityIds = input.role === 'partner' ? unitCommunities : [...new Set(input.communityIds ?? [])]
    if (input.role === 'partner' && input.personId != null) throw problems.unprocessable('The account is invalid.', [{ path: 'personId', message: 'a partner account is not a person of the roster' }])
    if (scope !== null && communityIds.length === 0) {
      throw problems.unprocessable('The account is invalid.', [{ path: 'communityIds', message: 'give at least one of your communities' }])
    }
    await checkLinks(tx, { communityIds, personId: input.personId ?? null }, scope)
    if (await usernameTaken(tx, input.username)) throw problems.conflict(`The username ${input.username} is taken.`, { path: 'username' })
    // A district admin's new admins belong to the same district; an admin of everything makes admins of everything.
    const districtId = input.role === 'admin' ? actor.districtId : null
    const [row] = await tx<{ id: number }[]>`
      insert into users (username, name, role, password_hash, district_id, person_id, must_change_password, unit_id)
      values (${input.username}, ${input.name}, ${input.role}, ${input.passwordHash}, ${districtId}, ${input.personId ?? null},
              ${input.mustChangePassword ?? true}, ${input.role === 'partner' ? input.unitId! : null})
      returning id`
    for (const communityId of communityIds) await tx`insert into user_communities (user_id, community_id) values (${row!.id}, ${communityId})`
    const created = await getAccount(tx, row!.id, actor, null)
    await recordAudit(tx, { userId: actor.id, communityId: communityIds[0] ?? null, action: 'create', entity: 'user', entityId: row!.id, after: created })
    return created
  })
}

/** Enabled admins other than `exceptId` (an account change may not leave none). */
async function otherActiveAdmins(tx: Queryable, exceptId: number): Promise<number> {
  const [row] = await tx<{ n: number }[]>`select count(*)::int as n from users where role = 'admin' and not disabled and id <> ${exceptId}`
  return row?.n ?? 0
}

/** Revoke every live session of an account (deactivated, password reset or changed elsewhere). */
export async function revokeSessions(tx: Queryable, userId: number, exceptToken?: string): Promise<number> {
  const keep = exceptToken ? hashToken(exceptToken) : ''
  const result = await tx`update sessions set revoked_at = now() where user_id = ${userId} and revoked_at is null and token_hash <> ${keep}`
  return result.count
}

/** Change an account (admin): name, role, communities, linked person, active. Deactivating revokes its sessions. */
export async function updateAccount(sql: Sql, id: number, input: AccountInput, actor: SessionUser, scope: number[] | null): Promise<AccountRow> {
  return sql.begin(async (tx) => {
    await tx`select id from users where id = ${id} for update`
    const before = await getAccount(tx, id, actor, scope)
    const role = input.role ?? before.role
    // Another role drops the unit; a partner keeps its unit unless a new one is named.
    const unitId = input.unitId !== undefined ? input.unitId : role === 'partner' ? before.unitId : null
    const unitChanged = unitId !== before.unitId
    const unitCommunities = await checkUnit(tx, role, unitId, scope)
    const communityIds = role === 'partner' ? unitCommunities : input.communityIds === undefined ? before.communityIds : [...new Set(input.communityIds)]
    const personId = input.personId === undefined ? before.personId : input.personId
    if (role === 'partner' && personId !== null) throw problems.unprocessable('The account is invalid.', [{ path: 'personId', message: 'a partner account is not a person of the roster' }])
    const active = input.active ?? before.active
    if (scope !== null && communityIds.length === 0) {
      throw problems.unprocessable('The account is invalid.', [{ path: 'communityIds', message: 'give at least one of your communities' }])
    }
    if (input.communityIds !== undefined || input.personId !== undefined) await checkLinks(tx, { communityIds, personId, userId: id }, scope)
    if (id === actor.id && (!active || role !== 'admin')) throw problems.conflict('You may not deactivate or demote your own account.')
    if (before.role === 'admin' && before.active && (!active || role !== 'admin') && (await otherActiveAdmins(tx, id)) === 0) {
      throw problems.conflict('This is the last active admin.')
    }
    if (input.username !== undefined && input.username !== before.username && (await usernameTaken(tx, input.username, id))) {
      throw problems.conflict(`The username ${input.username} is taken.`, { path: 'username' })
    }
    await tx`
      update users set username = ${input.username ?? before.username}, name = ${input.name ?? before.name}, role = ${role},
                       person_id = ${personId}, disabled = ${!active},
                       must_change_password = ${input.mustChangePassword ?? before.mustChangePassword}, unit_id = ${unitId}
      where id = ${id}`
    if (input.communityIds !== undefined || role === 'partner' || before.role === 'partner') {
      await tx`delete from user_communities where user_id = ${id}`
      for (const communityId of communityIds) await tx`insert into user_communities (user_id, community_id) values (${id}, ${communityId})`
    }
    // A role or scope change takes effect at once; a deactivated account is signed out everywhere.
    if (!active || role !== before.role || unitChanged || input.communityIds !== undefined) await revokeSessions(tx, id)
    const after = await getAccount(tx, id, actor, null)
    const action = before.active && !active ? 'deactivate' : !before.active && active ? 'activate' : 'update'
    await recordAudit(tx, { userId: actor.id, communityId: after.communityIds[0] ?? null, action, entity: 'user', entityId: id, before, after })
    return after
  })
}

/** Reset an account's password to a new one-time password; it must be changed at the next sign-in. */
export async function resetPassword(sql: Sql, id: number, passwordHash: string, actor: SessionUser, scope: number[] | null): Promise<AccountRow> {
  return sql.begin(async (tx) => {
    const before = await getAccount(tx, id, actor, scope)
    await tx`update users set password_hash = ${passwordHash}, must_change_password = true, password_changed_at = now() where id = ${id}`
    await revokeSessions(tx, id)
    await recordAudit(tx, { userId: actor.id, communityId: before.communityIds[0] ?? null, action: 'reset-password', entity: 'user', entityId: id })
    return { ...before, mustChangePassword: true }
  })
}

/** A user's own new password: clears the forced change and signs out the account's other sessions. */
export async function setOwnPassword(sql: Sql, userId: number, passwordHash: string, keepToken: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`update users set password_hash = ${passwordHash}, must_change_password = false, password_changed_at = now() where id = ${userId}`
    await revokeSessions(tx, userId, keepToken || undefined)
    await recordAudit(tx, { userId, action: 'change-password', entity: 'user', entityId: userId })
  })
}
