import type { Queryable, Sql } from '../db/connect.ts'
import type { AnyTeamKind } from '../../core/org.ts'
import { problems } from '../problem.ts'
import { recordAudit } from './audit.ts'
import { ownTeams } from './people.ts'
import type { SessionUser } from './users.ts'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'

/** A team (队伍) as listed. */
export type TeamRow = z.infer<typeof Schemas.Team>

/** What may be set on a team. */
export interface TeamInput {
  communityId?: number | undefined
  name?: string | undefined
  kind?: AnyTeamKind | undefined
  kindLabel?: string | null | undefined
  leaderId?: number | null | undefined
  deputyIds?: number[] | undefined
  active?: boolean | undefined
}

const teamColumns = (sql: Queryable) => sql`
  t.id::int, t.community_id::int as "communityId", t.name, t.kind, t.kind_label as "kindLabel", t.leader_id::int as "leaderId",
  l.name as "leaderName",
  coalesce(array(select pt.person_id::int from person_teams pt where pt.team_id = t.id and pt.role = 'deputy' order by 1), '{}') as "deputyIds",
  (select count(*)::int from person_teams pt where pt.team_id = t.id) as "memberCount",
  (select count(*)::int from person_teams pt join people p on p.id = pt.person_id where pt.team_id = t.id and p.active) as "activeCount",
  t.active`

/** Teams of the communities the caller may see. */
export async function listTeams(sql: Sql, filter: { communityIds: number[] | null; communityId?: number | undefined }): Promise<TeamRow[]> {
  return sql<TeamRow[]>`
    select ${teamColumns(sql)} from teams t left join people l on l.id = t.leader_id
    where ${filter.communityIds === null ? sql`true` : sql`t.community_id = any(${filter.communityIds}::bigint[])`}
      and ${filter.communityId === undefined ? sql`true` : sql`t.community_id = ${filter.communityId}`}
    order by t.community_id, t.id`
}

/** One team the caller may see, or 404. */
export async function getTeam(sql: Queryable, id: number, communityIds: number[] | null): Promise<TeamRow> {
  const [row] = await sql<TeamRow[]>`select ${teamColumns(sql)} from teams t left join people l on l.id = t.leader_id where t.id = ${id}`
  if (!row || (communityIds !== null && !communityIds.includes(row.communityId))) throw problems.notFound(`No team ${id}.`)
  return row
}

/** Leader and deputies must be people of the community; they become members of the team. */
async function setLeadership(tx: Queryable, team: { id: number; communityId: number }, leaderId: number | null | undefined, deputyIds: number[] | undefined): Promise<void> {
  const people = [...(leaderId ? [leaderId] : []), ...(deputyIds ?? [])]
  if (people.length > 0) {
    const found = await tx`select id from people where id = any(${people}::bigint[]) and community_id = ${team.communityId}`
    if (found.length !== new Set(people).size) throw problems.unprocessable('The team is invalid.', [{ path: leaderId ? 'leaderId' : 'deputyIds', message: 'no such person in this community' }])
  }
  if (leaderId !== undefined) {
    await tx`update teams set leader_id = ${leaderId} where id = ${team.id}`
    if (leaderId !== null) {
      await tx`insert into person_teams (community_id, person_id, team_id) values (${team.communityId}, ${leaderId}, ${team.id}) on conflict (person_id, team_id) do update set role = 'member'`
      await tx`update people set team_id = ${team.id} where id = ${leaderId} and team_id is null`
    }
  }
  if (deputyIds !== undefined) {
    await tx`update person_teams set role = 'member' where team_id = ${team.id} and role = 'deputy' and person_id <> all(${deputyIds}::bigint[])`
    for (const personId of deputyIds) {
      await tx`insert into person_teams (community_id, person_id, team_id, role) values (${team.communityId}, ${personId}, ${team.id}, 'deputy')
               on conflict (person_id, team_id) do update set role = 'deputy'`
      await tx`update people set team_id = ${team.id} where id = ${personId} and team_id is null`
    }
  }
}

/** Create a team (admin). */
export async function createTeam(sql: Sql, input: TeamInput & { communityId: number; name: string; kind: AnyTeamKind }, actor: SessionUser, scope: number[] | null): Promise<TeamRow> {
  if (scope !== null && !scope.includes(input.communityId)) throw problems.forbidden('You may not add teams to that community.')
  return sql.begin(async (tx) => {
    const [community] = await tx`select id from communities where id = ${input.communityId}`
    if (!community) throw problems.unprocessable('The team is invalid.', [{ path: 'communityId', message: 'no such community' }])
    const [row] = await tx<{ id: number }[]>`
      insert into teams (community_id, name, kind, kind_label, active)
      values (${input.communityId}, ${input.name}, ${input.kind}, ${input.kind === 'custom' ? (input.kindLabel ?? null) : null}, ${input.active ?? true})
      returning id::int`
    await setLeadership(tx, { id: row!.id, communityId: input.communityId }, input.leaderId, input.deputyIds)
    const team = await getTeam(tx, row!.id, null)
    await recordAudit(tx, { userId: actor.id, communityId: input.communityId, action: 'create', entity: 'team', entityId: row!.id, after: team })
    return team
  })
}

/** Change a team: an admin anything; its leader (or a deputy) its name and deputies. */
export async function updateTeam(sql: Sql, id: number, input: TeamInput, actor: SessionUser, scope: number[] | null): Promise<TeamRow> {
  return sql.begin(async (tx) => {
    const before = await getTeam(tx, id, scope)
    const own = await ownTeams(tx, actor)
    if (own !== null) {
      if (!own.includes(id)) throw problems.forbidden('A leader changes their own team only.')
      if (input.leaderId !== undefined || input.kind !== undefined || input.kindLabel !== undefined || input.active !== undefined) {
        throw problems.forbidden('Only an admin changes a team’s leader, kind or active state.')
      }
    }
    const kind = input.kind ?? before.kind
    const kindLabel = kind === 'custom' ? (input.kindLabel === undefined ? before.kindLabel : input.kindLabel) : null
    if (kind === 'custom' && !kindLabel) throw problems.unprocessable('The team is invalid.', [{ path: 'kindLabel', message: 'a custom team needs its kind name' }])
    await tx`update teams set name = ${input.name ?? before.name}, kind = ${kind}, kind_label = ${kindLabel}, active = ${input.active ?? before.active} where id = ${id}`
    await setLeadership(tx, before, input.leaderId, input.deputyIds)
    const after = await getTeam(tx, id, null)
    await recordAudit(tx, { userId: actor.id, communityId: before.communityId, action: 'update', entity: 'team', entityId: id, before, after })
    return after
  })
}

/** The kinds of the teams a person belongs to (for the phone: which kind of matter they report first). */
export async function teamKindsOf(sql: Queryable, personId: number | null): Promise<AnyTeamKind[]> {
  if (personId === null) return []
  const rows = await sql<{ kind: AnyTeamKind }[]>`
    select distinct t.kind from person_teams pt join teams t on t.id = pt.team_id where pt.person_id = ${personId} order by t.kind`
  return rows.map((r) => r.kind)
}
