import type { Sql } from '../db/connect.ts'
import { problems } from '../problem.ts'
import { recordAudit } from './audit.ts'
import type { SessionUser } from './users.ts'

/** A building's people-facing properties. */
export interface BuildingRow {
  id: number
  communityId: number
  name: string | null
  kind: string
  floors: number | null
  households: number
  headPersonId: number | null
  headName: string | null
}

/** One building the caller may see, or 404. */
export async function getBuilding(sql: Sql, id: number, communityIds: number[] | null): Promise<BuildingRow> {
  const [row] = await sql<BuildingRow[]>`
    select b.id::int, b.community_id::int as "communityId", b.name, b.kind, b.floors, b.households,
           b.head_person_id::int as "headPersonId", p.name as "headName"
    from buildings b left join people p on p.id = b.head_person_id where b.id = ${id}`
  if (!row || (communityIds !== null && !communityIds.includes(row.communityId))) throw problems.notFound(`No building ${id}.`)
  return row
}

/** Name (or clear) a building's head (楼栋长/党员中心户), a person of the same community; also its name and households. Audited. */
export async function updateBuilding(
  sql: Sql,
  id: number,
  input: { headPersonId?: number | null | undefined; name?: string | null | undefined; households?: number | undefined },
  actor: SessionUser,
  communityIds: number[] | null,
): Promise<BuildingRow> {
  const before = await getBuilding(sql, id, communityIds)
  await sql.begin(async (tx) => {
    if (input.headPersonId) {
      const [p] = await tx`select 1 from people where id = ${input.headPersonId} and community_id = ${before.communityId}`
      if (!p) throw problems.unprocessable('The building is invalid.', [{ path: 'properties.headPersonId', message: 'no such person in this community' }])
    }
    await tx`
      update buildings set
        head_person_id = ${input.headPersonId === undefined ? tx`head_person_id` : tx`${input.headPersonId}`},
        name = ${input.name === undefined ? tx`name` : tx`${input.name}`},
        households = ${input.households ?? before.households}
      where id = ${id}`
    await recordAudit(tx, { userId: actor.id, communityId: before.communityId, action: 'update', entity: 'building', entityId: id, before, after: input })
  })
  return getBuilding(sql, id, null)
}
