import type { Queryable, Sql } from '../db/connect.ts'
import { maskPhone } from '../../core/roles.ts'
import type { CheckedRosterRow } from '../domain/roster.ts'
import { problems } from '../problem.ts'
import { recordAudit } from './audit.ts'
import type { SessionUser } from './users.ts'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'

/** The answer of a roster import (a preview with `dryRun`). */
export type RosterImportResult = z.infer<typeof Schemas.RosterImportResult>

/** A person (网格员, 队员) as listed. */
export type PersonRow = z.infer<typeof Schemas.Person>

/** What may be set on a person. */
export interface PersonInput {
  communityId?: number | undefined
  name?: string | undefined
  phone?: string | null | undefined
  title?: string | null | undefined
  teamIds?: number[] | undefined
  posts?: string[] | undefined
  active?: boolean | undefined
  joinedOn?: string | null | undefined
  leftOn?: string | null | undefined
}

type RawPerson = Omit<PersonRow, 'phone'> & { phone: string | null; ledByViewer: boolean }

const personColumns = (sql: Queryable, viewerPersonId: number | null) => sql`
  p.id, p.community_id as "communityId", p.team_id as "teamId", t.name as "teamName", t.leader_id as "teamLeaderId",
  coalesce(array(select pt.team_id::int from person_teams pt where pt.person_id = p.id
                 order by pt.team_id <> coalesce(p.team_id, 0), pt.team_id), '{}') as "teamIds",
  coalesce(array(select tt.name from person_teams pt join teams tt on tt.id = pt.team_id where pt.person_id = p.id
                 order by pt.team_id <> coalesce(p.team_id, 0), pt.team_id), '{}') as "teamNames",
  coalesce(array(select pt.team_id::int from person_teams pt where pt.person_id = p.id and pt.role = 'deputy' order by 1), '{}') as "deputyOf",
  coalesce(array(select z.name from zones z where z.assignee_id = p.id order by z.id), '{}') as "zoneNames",
  coalesce(array(select z.name from zones z
                 where z.assignee_id is distinct from p.id
                   and exists (select 1 from zone_teams zt join person_teams pt on pt.team_id = zt.team_id where zt.zone_id = z.id and pt.person_id = p.id)
                 order by z.id), '{}') as "teamZoneNames",
  p.name, p.phone, p.title, p.posts, p.active,
  to_char(p.joined_on, 'YYYY-MM-DD') as "joinedOn", to_char(p.left_on, 'YYYY-MM-DD') as "leftOn",
  (select u.id::int from users u where u.person_id = p.id and not u.disabled order by u.id limit 1) as "userId",
  exists (select 1 from person_teams pt join teams tt on tt.id = pt.team_id
          where pt.person_id = p.id and tt.leader_id = ${viewerPersonId ?? 0}) as "ledByViewer"`

const masked = (viewer: SessionUser, row: RawPerson): PersonRow => {
  const { ledByViewer, ...person } = row
  const leaderId = ledByViewer ? viewer.personId : person.teamLeaderId
  return { ...person, phone: mayseePhone(viewer, { id: person.id, teamLeaderId: leaderId }) ? person.phone : maskPhone(person.phone) }
}

const like = (q: string) => '%' + q.replace(/[%_\\]/g, (m) => '\\' + m) + '%'

/** People of the communities a user may see; phone numbers masked except for admins and the person's own team leader. */
export async function listPeople(
  sql: Sql,
  viewer: SessionUser,
  filter: { communityIds: number[] | null; communityId?: number | undefined; teamId?: number | undefined; q?: string | undefined; active?: boolean | undefined },
): Promise<PersonRow[]> {
  const rows = await sql<RawPerson[]>`
    select ${personColumns(sql, viewer.personId)}
    from people p left join teams t on t.id = p.team_id
    where ${filter.communityIds === null ? sql`true` : sql`p.community_id = any(${filter.communityIds}::bigint[])`}
      and ${filter.communityId === undefined ? sql`true` : sql`p.community_id = ${filter.communityId}`}
      and ${filter.teamId === undefined ? sql`true` : sql`exists (select 1 from person_teams pt where pt.person_id = p.id and pt.team_id = ${filter.teamId})`}
      and ${filter.q ? sql`p.name like ${like(filter.q)}` : sql`true`}
      and ${filter.active === undefined ? sql`true` : sql`p.active = ${filter.active}`}
    order by p.team_id nulls last, p.id`
  return rows.map((p) => masked(viewer, p))
}

/** One person the viewer may see, or 404. */
export async function getPerson(sql: Queryable, viewer: SessionUser, communityIds: number[] | null, id: number): Promise<PersonRow> {
  const [row] = await sql<RawPerson[]>`
    select ${personColumns(sql, viewer.personId)} from people p left join teams t on t.id = p.team_id where p.id = ${id}`
  if (!row || (communityIds !== null && !communityIds.includes(row.communityId))) throw problems.notFound(`No person ${id}.`)
  return masked(viewer, row)
}

/** Admins see every phone number; a leader sees those of their own team's members. */
export function mayseePhone(viewer: SessionUser, person: { teamLeaderId: number | null; id: number }): boolean {
  if (viewer.role === 'admin') return true
  if (viewer.personId === null) return false
  return viewer.personId === person.id || (viewer.role === 'leader' && person.teamLeaderId === viewer.personId)
}

/** The teams a leader leads or deputises (their "own team"); every team for an admin (null). */
export async function ownTeams(sql: Queryable, user: SessionUser): Promise<number[] | null> {
  if (user.role === 'admin') return null
  if (user.personId === null) return []
  const rows = await sql<{ id: number }[]>`
    select id::int from teams where leader_id = ${user.personId}
    union select team_id::int from person_teams where person_id = ${user.personId} and role = 'deputy'`
  return rows.map((r) => r.id)
}

/** Another person in the community with this phone number, if any. */
async function phoneOwner(tx: Queryable, communityId: number, phone: string, exceptId: number): Promise<{ id: number; name: string } | undefined> {
  const [row] = await tx<{ id: number; name: string }[]>`
    select id::int, name from people where community_id = ${communityId} and phone = ${phone} and id <> ${exceptId} limit 1`
  return row
}

/** Check that teams exist in the community; 422 naming the field otherwise. */
async function assertTeams(tx: Queryable, communityId: number, teamIds: readonly number[]): Promise<void> {
  if (teamIds.length === 0) return
  const found = await tx<{ id: number }[]>`select id from teams where id = any(${teamIds}::bigint[]) and community_id = ${communityId}`
  if (found.length !== new Set(teamIds).size) throw problems.unprocessable('The person is invalid.', [{ path: 'teamIds', message: 'no such team in this community' }])
}

/** Set a person's teams: memberships not listed are dropped (deputy roles of kept teams stay), people.team_id = the first. */
async function setTeams(tx: Queryable, communityId: number, personId: number, teamIds: readonly number[]): Promise<void> {
  await tx`delete from person_teams where person_id = ${personId} and team_id <> all(${teamIds as number[]}::bigint[])`
  for (const teamId of teamIds) {
    await tx`insert into person_teams (community_id, person_id, team_id) values (${communityId}, ${personId}, ${teamId}) on conflict do nothing`
  }
  await tx`update people set team_id = ${teamIds[0] ?? null} where id = ${personId}`
  // A person who left a team no longer leads it.
  await tx`update teams set leader_id = null where leader_id = ${personId} and id <> all(${teamIds as number[]}::bigint[])`
}

/**
 * What a leader may do to memberships: they may only add or remove their own teams; memberships in other
 * teams are kept as they are. Returns the teams the person ends up in. Admins (own = null) set them freely.
 */
function allowedTeams(own: number[] | null, current: readonly number[], requested: readonly number[]): number[] {
  if (own === null) return [...new Set(requested)]
  const foreign = requested.filter((id) => !own.includes(id) && !current.includes(id))
  if (foreign.length > 0) throw problems.forbidden(`You may only add people to your own team(s); not to team ${foreign.join(', ')}.`)
  const kept = current.filter((id) => !own.includes(id))
  return [...new Set([...requested.filter((id) => current.includes(id) || own.includes(id)), ...kept])]
}

/** Add a person (admin; a leader into their own team). Audited. */
export async function createPerson(sql: Sql, input: PersonInput & { name: string }, actor: SessionUser, scope: number[] | null): Promise<number> {
  return sql.begin(async (tx) => {
    const own = await ownTeams(tx, actor)
    const teamIds = [...new Set(input.teamIds ?? [])]
    let communityId = input.communityId
    if (communityId === undefined && teamIds.length > 0) {
      const [t] = await tx<{ communityId: number }[]>`select community_id::int as "communityId" from teams where id = ${teamIds[0]!}`
      communityId = t?.communityId
    }
    if (communityId === undefined && scope !== null && scope.length === 1) communityId = scope[0]
    if (communityId === undefined) throw problems.unprocessable('The person is invalid.', [{ path: 'communityId', message: 'say which community' }])
    if (scope !== null && !scope.includes(communityId)) throw problems.forbidden('You may not add people to that community.')
    if (own !== null && (teamIds.length === 0 || teamIds.some((id) => !own.includes(id)))) {
      throw problems.forbidden('A leader adds people to their own team(s) only.')
    }
    await assertTeams(tx, communityId, teamIds)
    if (input.phone) {
      const owner = await phoneOwner(tx, communityId, input.phone, 0)
      if (owner) throw problems.conflict(`The phone number belongs to ${owner.name} (#${owner.id}).`, { path: 'phone' })
    }
    const [row] = await tx<{ id: number }[]>`
      insert into people (community_id, name, phone, title, posts, active, joined_on, left_on)
      values (${communityId}, ${input.name}, ${input.phone ?? null}, ${input.title ?? null}, ${input.posts ?? []},
              ${input.active ?? input.leftOn == null}, ${input.joinedOn ?? null}, ${input.leftOn ?? null})
      returning id::int`
    await setTeams(tx, communityId, row!.id, teamIds)
    await recordAudit(tx, { userId: actor.id, communityId, action: 'create', entity: 'person', entityId: row!.id, after: { ...input, teamIds } })
    return row!.id
  })
}

/** Change a person (admin; a leader for their own team's members). Deactivating sets `leftOn` (default today); never deletes. */
export async function updatePerson(sql: Sql, id: number, input: PersonInput, actor: SessionUser, scope: number[] | null): Promise<void> {
  await sql.begin(async (tx) => {
    const [before] = await tx<{ communityId: number; name: string; phone: string | null; active: boolean; teamIds: number[]; leftOn: string | null; joinedOn: string | null }[]>`
      select community_id::int as "communityId", name, phone, active, to_char(left_on, 'YYYY-MM-DD') as "leftOn", to_char(joined_on, 'YYYY-MM-DD') as "joinedOn",
             coalesce(array(select team_id::int from person_teams where person_id = p.id order by team_id <> coalesce(p.team_id, 0), team_id), '{}') as "teamIds"
      from people p where id = ${id} for update`
    if (!before || (scope !== null && !scope.includes(before.communityId))) throw problems.notFound(`No person ${id}.`)
    const own = await ownTeams(tx, actor)
    if (own !== null && !before.teamIds.some((t) => own.includes(t))) throw problems.forbidden('A leader changes the members of their own team(s) only.')
    const teamIds = input.teamIds === undefined ? undefined : allowedTeams(own, before.teamIds, input.teamIds)
    if (teamIds) await assertTeams(tx, before.communityId, teamIds)
    if (input.phone) {
      const owner = await phoneOwner(tx, before.communityId, input.phone, id)
      if (owner) throw problems.conflict(`The phone number belongs to ${owner.name} (#${owner.id}).`, { path: 'phone' })
    }
    let active = input.active ?? before.active
    let leftOn = input.leftOn === undefined ? before.leftOn : input.leftOn
    // Leaving sets the day (today in Shanghai unless given); coming back clears it.
    if (before.active && input.active === false && leftOn === null) leftOn = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
    if (!before.active && input.active === true && input.leftOn === undefined) leftOn = null
    if (input.leftOn && input.active === undefined) active = false
    const joinedOn = input.joinedOn === undefined ? before.joinedOn : input.joinedOn
    if (joinedOn && leftOn && leftOn < joinedOn) throw problems.unprocessable('The person is invalid.', [{ path: 'leftOn', message: 'before the joined date' }])
    await tx`
      update people set
        name = ${input.name ?? before.name},
        phone = ${input.phone === undefined ? before.phone : input.phone},
        title = ${input.title === undefined ? tx`title` : tx`${input.title}`},
        posts = ${input.posts === undefined ? tx`posts` : tx`${input.posts}`},
        active = ${active}, left_on = ${leftOn}, joined_on = ${joinedOn}, updated_at = now()
      where id = ${id}`
    if (teamIds) await setTeams(tx, before.communityId, id, teamIds)
    const action = before.active && !active ? 'deactivate' : !before.active && active ? 'activate' : 'update'
    await recordAudit(tx, { userId: actor.id, communityId: before.communityId, action, entity: 'person', entityId: id, before, after: { ...input, active, leftOn, teamIds } })
  })
}

type Existing = Pick<PersonRow, 'id' | 'name' | 'phone' | 'title' | 'posts' | 'active' | 'joinedOn' | 'leftOn' | 'teamIds'>

/**
 * Import checked roster rows into one community: a row with an ID, or whose phone is already someone's,
 * updates that person; any other row adds one. Rows that name an unknown team, repeat a phone of another
 * row or person, or point at an unknown ID are rejected with their row number and reason; the good rows are
 * written in one transaction (or only counted with `dryRun`). Empty cells keep what is stored; a masked phone
 * is kept as it is. A leader may only import into their own team(s).
 */
export async function importRoster(
  sql: Sql,
  communityId: number,
  rows: readonly CheckedRosterRow[],
  rejectedBefore: readonly { row: number; reason: string }[],
  actor: SessionUser,
  scope: number[] | null,
  dryRun: boolean,
): Promise<RosterImportResult> {
  if (scope !== null && !scope.includes(communityId)) throw problems.notFound(`No community ${communityId}.`)
  const work = async (tx: Queryable): Promise<RosterImportResult> => {
    const [community] = await tx`select id from communities where id = ${communityId}`
    if (!community) throw problems.notFound(`No community ${communityId}.`)
    const own = await ownTeams(tx, actor)
    const teams = await tx<{ id: number; name: string }[]>`select id::int, name from teams where community_id = ${communityId}`
    const teamByName = new Map(teams.map((t) => [t.name.trim().toLowerCase(), t.id]))
    const existing = await tx<Existing[]>`
      select p.id::int, p.name, p.phone, p.title, p.posts, p.active, to_char(p.joined_on, 'YYYY-MM-DD') as "joinedOn", to_char(p.left_on, 'YYYY-MM-DD') as "leftOn",
             coalesce(array(select team_id::int from person_teams where person_id = p.id order by team_id <> coalesce(p.team_id, 0), team_id), '{}') as "teamIds"
      from people p where p.community_id = ${communityId}`
    const byId = new Map(existing.map((p) => [p.id, p]))
    const byPhone = new Map(existing.filter((p) => p.phone).map((p) => [p.phone!, p]))
    const rejected = [...rejectedBefore]
    const phoneRow = new Map<string, number>()
    const result: RosterImportResult['rows'] = []
    let imported = 0
    let updated = 0
    let unchanged = 0
    for (const r of rows) {
      const fail = (reason: string) => void rejected.push({ row: r.row, reason })
      let target: Existing | undefined
      if (r.id !== null) {
        target = byId.get(r.id)
        if (!target) {
          fail(`unknown ID ${r.id} in this community`)
          continue
        }
      }
      const phone = r.phone === 'masked' ? null : r.phone
      if (phone) {
        const seen = phoneRow.get(phone)
        if (seen !== undefined) {
          fail(`duplicate phone ${maskPhone(phone)} (also on row ${seen})`)
          continue
        }
        const owner = byPhone.get(phone)
        if (owner && target && owner.id !== target.id) {
          fail(`duplicate phone ${maskPhone(phone)}: it belongs to ${owner.name}`)
          continue
        }
        target ??= owner
      }
      if (r.phone === 'masked' && !target) {
        fail('a masked phone (138****1234) can only keep the phone of a known person')
        continue
      }
      let teamIds: number[] | null = null
      if (r.teams) {
        const unknown = r.teams.filter((n) => !teamByName.has(n.toLowerCase()))
        if (unknown.length > 0) {
          fail(`unknown team ${unknown.map((n) => `"${n}"`).join(', ')}`)
          continue
        }
        teamIds = r.teams.map((n) => teamByName.get(n.toLowerCase())!)
      }
      if (own !== null) {
        const mine = (teamIds ?? target?.teamIds ?? []).some((t) => own.includes(t))
        const foreign = (teamIds ?? []).filter((t) => !own.includes(t) && !(target?.teamIds ?? []).includes(t))
        if (!mine || foreign.length > 0 || (target && !target.teamIds.some((t) => own.includes(t)))) {
          fail('not in your team (a leader imports their own team only)')
          continue
        }
      }
      if (phone) phoneRow.set(phone, r.row)
      if (target) {
        const next = {
          name: r.name,
          phone: phone ?? target.phone,
          title: r.title ?? target.title,
          posts: r.posts ?? target.posts,
          active: r.active ?? target.active,
          joinedOn: r.joinedOn ?? target.joinedOn,
          leftOn: r.leftOn ?? (r.active === true ? null : target.leftOn),
          teamIds: teamIds ? (own === null ? teamIds : allowedTeams(own, target.teamIds, teamIds)) : target.teamIds,
        }
        if (next.joinedOn && next.leftOn && next.leftOn < next.joinedOn) {
          fail('left before joining')
          continue
        }
        const same =
          next.name === target.name && next.phone === target.phone && next.title === target.title && next.active === target.active &&
          next.joinedOn === target.joinedOn && next.leftOn === target.leftOn && JSON.stringify(next.posts) === JSON.stringify(target.posts) &&
          JSON.stringify(next.teamIds) === JSON.stringify(target.teamIds)
        if (same) {
          unchanged++
          result.push({ row: r.row, action: 'unchanged', name: r.name, personId: target.id })
          continue
        }
        if (!dryRun) {
          await tx`
            update people set name = ${next.name}, phone = ${next.phone}, title = ${next.title}, posts = ${next.posts}, active = ${next.active},
                              joined_on = ${next.joinedOn}, left_on = ${next.leftOn}, updated_at = now()
            where id = ${target.id}`
          if (JSON.stringify(next.teamIds) !== JSON.stringify(target.teamIds)) await setTeams(tx, communityId, target.id, next.teamIds)
        }
        updated++
        result.push({ row: r.row, action: 'update', name: r.name, personId: target.id })
        byId.set(target.id, { ...target, ...next })
      } else {
        if (own !== null && !teamIds) {
          fail('name your team in the 队伍 column')
          continue
        }
        let personId: number | null = null
        if (!dryRun) {
          const [row] = await tx<{ id: number }[]>`
            insert into people (community_id, name, phone, title, posts, active, joined_on, left_on)
            values (${communityId}, ${r.name}, ${phone}, ${r.title}, ${r.posts ?? []}, ${r.active ?? true}, ${r.joinedOn}, ${r.leftOn})
            returning id::int`
          personId = row!.id
          if (teamIds) await setTeams(tx, communityId, personId, teamIds)
        }
        imported++
        result.push({ row: r.row, action: 'create', name: r.name, personId })
      }
    }
    rejected.sort((a, b) => a.row - b.row)
    if (!dryRun) {
      await recordAudit(tx, { userId: actor.id, communityId, action: 'import', entity: 'person', after: { imported, updated, unchanged, rejected: rejected.length } })
    }
    return { dryRun, communityId, imported, updated, unchanged, rejected, rows: result }
  }
  return dryRun ? work(sql) : sql.begin((tx) => work(tx))
}
