import type { Sql } from '../db/connect.ts'
import { maskPhone } from '../../core/roles.ts'
import type { SessionUser } from './users.ts'

/** A person (网格员, 队员) as listed. */
export interface PersonRow {
  id: number
  communityId: number
  teamId: number | null
  teamName: string | null
  teamLeaderId: number | null
  name: string
  phone: string | null
  title: string | null
  active: boolean
}

/** People of the communities a user may see; phone numbers masked except for admins and the person's own team leader. */
export async function listPeople(sql: Sql, viewer: SessionUser, filter: { communityIds: number[] | null; communityId?: number | undefined; teamId?: number | undefined; q?: string | undefined }): Promise<PersonRow[]> {
  const rows = await sql<PersonRow[]>`
    select p.id, p.community_id as "communityId", p.team_id as "teamId", t.name as "teamName", t.leader_id as "teamLeaderId",
           p.name, p.phone, p.title, p.active
    from people p left join teams t on t.id = p.team_id
    where ${filter.communityIds === null ? sql`true` : sql`p.community_id = any(${filter.communityIds}::bigint[])`}
      and ${filter.communityId === undefined ? sql`true` : sql`p.community_id = ${filter.communityId}`}
      and ${filter.teamId === undefined ? sql`true` : sql`p.team_id = ${filter.teamId}`}
      and ${filter.q ? sql`p.name like ${'%' + filter.q.replace(/[%_\\]/g, (m) => '\\' + m) + '%'}` : sql`true`}
    order by p.team_id nulls last, p.id`
  return rows.map((p) => ({ ...p, phone: mayseePhone(viewer, p) ? p.phone : maskPhone(p.phone) }))
}

/** Admins see every phone number; a leader sees those of their own team's members. */
export function mayseePhone(viewer: SessionUser, person: { teamLeaderId: number | null; id: number }): boolean {
  if (viewer.role === 'admin') return true
  if (viewer.personId === null) return false
  return viewer.personId === person.id || (viewer.role === 'leader' && person.teamLeaderId === viewer.personId)
}
