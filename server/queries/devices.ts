import type { Queryable, Sql } from '../db/connect.ts'
import { problems } from '../problem.ts'
import { recordAudit } from './audit.ts'
import { ownTeams } from './people.ts'
import type { SessionUser } from './users.ts'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'

/** A device (phone, GPS tracker) as listed, with its holder and last position time. */
export type DeviceListRow = z.infer<typeof Schemas.Device>

const deviceColumns = (sql: Queryable) => sql`
  d.id, d.community_id::int as "communityId", d.person_id::int as "personId", p.name as "personName", d.name,
  d.created_at as "createdAt", d.added_by::int as "addedBy",
  (select max(tp.t) from track_points tp where tp.device_id = d.id) as "lastPositionAt"`

/** Devices of the communities the caller may see, optionally of one person. */
export async function listDevices(sql: Queryable, filter: { communityIds: number[] | null; personId?: number | undefined; communityId?: number | undefined }): Promise<DeviceListRow[]> {
  return sql<DeviceListRow[]>`
    select ${deviceColumns(sql)} from devices d left join people p on p.id = d.person_id
    where ${filter.communityIds === null ? sql`true` : sql`d.community_id = any(${filter.communityIds}::bigint[])`}
      and ${filter.personId === undefined ? sql`true` : sql`d.person_id = ${filter.personId}`}
      and ${filter.communityId === undefined ? sql`true` : sql`d.community_id = ${filter.communityId}`}
    order by d.person_id nulls last, d.created_at, d.id`
}

/**
 * Register a device for a person (admin; a leader for their own team's members): `POST /api/devices`.
 * The same registration again answers the device (created: false); a device id already held by another
 * person or community is 409 (moving a device is not this call's business).
 */
export async function registerDevice(
  sql: Sql,
  input: { id: string; personId: number; communityId: number; name?: string | undefined },
  actor: SessionUser,
  scope: number[] | null,
): Promise<{ device: DeviceListRow; created: boolean }> {
  if (scope !== null && !scope.includes(input.communityId)) throw problems.forbidden('You may not register devices in that community.')
  return sql.begin(async (tx) => {
    const [person] = await tx<{ communityId: number; name: string; teamIds: number[] }[]>`
      select community_id::int as "communityId", name, coalesce(array(select team_id::int from person_teams where person_id = p.id), '{}') as "teamIds"
      from people p where id = ${input.personId}`
    if (!person || person.communityId !== input.communityId) {
      throw problems.unprocessable('The device is invalid.', [{ path: 'personId', message: 'no such person in this community' }])
    }
    const own = await ownTeams(tx, actor)
    if (own !== null && !person.teamIds.some((t) => own.includes(t)) && actor.personId !== input.personId) {
      throw problems.forbidden("A leader registers devices for their own team's members only.")
    }
    const inserted = await tx`
      insert into devices (id, community_id, person_id, name, added_by)
      values (${input.id}, ${input.communityId}, ${input.personId}, ${(input.name ?? `${person.name} · ${input.id}`).slice(0, 200)}, ${actor.id})
      on conflict (id) do nothing`
    const [device] = await tx<DeviceListRow[]>`select ${deviceColumns(tx)} from devices d left join people p on p.id = d.person_id where d.id = ${input.id}`
    if (!device) throw problems.conflict('The device was removed concurrently; try again.')
    if (inserted.count === 0) {
      if (device.communityId !== input.communityId || device.personId !== input.personId) {
        throw problems.conflict(`The device ${input.id} is already registered to someone else.`, { path: 'id' })
      }
      return { device, created: false }
    }
    await recordAudit(tx, { userId: actor.id, communityId: input.communityId, action: 'register', entity: 'device', entityId: input.id, after: { personId: input.personId } })
    return { device, created: true }
  })
}
