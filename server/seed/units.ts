/**
 * The demo community's partner units (共建单位, issue #14): the property management company (物业), the police
 * station (派出所) and the fire and rescue station (消防救援站), the demo accounts `wuye` and `police`
 * (password `demo`), and a share of the 90 days of matters handed to them with their timelines.
 *
 * Runs after the hazards, set-based over what they produced: the property company is handed the building
 * matters it answers for (corridors, facilities, lighting, half of the blocked fire lanes) once they were
 * accepted, and so has answered every one (S0: 响应率 100 %, closure over 98 %); the police station the
 * remaining blocked fire lanes and the `other` matters; the fire station the major and critical charging and
 * e-bike matters. The rates then come out of the seeded timelines as they are.
 */
import { hashPassword } from '../domain/password.ts'
import { DEMO_PASSWORD } from '../queries/demo-accounts.ts'
import { json, type SeedContext } from './context.ts'

/** The demo units: name, kind, contact (the unit's duty line, not a person's). */
export const DEMO_UNITS = [
  { key: 'property', name: '光谷广场物业服务中心', kind: 'property', contact: '027-8756 1200（物业服务中心值班电话）' },
  { key: 'police', name: '关东街派出所', kind: 'police', contact: '027-8752 0110（社区警务室）' },
  { key: 'fire', name: '光谷消防救援站', kind: 'fire', contact: '027-8778 1119（站值班室）' },
] as const

/** The demo accounts of the units (password `demo`). */
export const DEMO_UNIT_ACCOUNTS = [
  { username: 'wuye', name: '物业客服中心', unit: 'property' },
  { username: 'police', name: '社区民警', unit: 'police' },
] as const

/** Insert the units, link them to the community, create their accounts (unless switched off) and hand them matters. */
export async function makePartnerUnits(ctx: SeedContext, demoAccounts: boolean): Promise<void> {
  const { tx, communityId } = ctx
  const rows = await tx<{ id: number; kind: string }[]>`
    insert into partner_units (name, kind, contact, created_at, updated_at)
    select name, kind, contact, ${new Date(ctx.now.getTime() - 120 * 86_400_000)}::timestamptz, ${new Date(ctx.now.getTime() - 120 * 86_400_000)}::timestamptz
    from jsonb_to_recordset(${json(DEMO_UNITS)}::text::jsonb) as r(key text, name text, kind text, contact text)
    returning id::int, kind`
  const unitOf = (kind: string): number => rows.find((r) => r.kind === kind)!.id
  await tx`insert into partner_unit_communities (community_id, unit_id) select ${communityId}, unnest(${rows.map((r) => r.id)}::bigint[])`
  const property = unitOf('property')
  const police = unitOf('police')
  const fire = unitOf('fire')

  if (demoAccounts) {
    const hash = await hashPassword(DEMO_PASSWORD)
    const accounts = DEMO_UNIT_ACCOUNTS.map((a) => ({ username: a.username, name: a.name, unit_id: unitOf(a.unit) }))
    await tx`
      insert into users (username, name, role, password_hash, unit_id)
      select username, name, 'partner', ${hash}, unit_id
      from jsonb_to_recordset(${json(accounts)}::text::jsonb) as r(username text, name text, unit_id bigint)
      order by username
      on conflict (username) do nothing`
    await tx`
      insert into user_communities (user_id, community_id)
      select id, ${communityId} from users where username = any(${DEMO_UNIT_ACCOUNTS.map((a) => a.username)}::text[])
      on conflict do nothing`
    ctx.summary.users += accounts.length
  }

  // Which matters each unit is handed (set-based, deterministic: same seed, same choice). The property company
  // is handed a matter once it has been accepted and closed (verified by our recheck): S0's figures (response
  // 100 %, closure over 98 %) then hold whatever the hour of seeding, when some rechecks are still ahead.
  await tx`
    with pick as (
      select h.id, h.status, h.responded_at, case
          when h.category in ('corridor_clutter', 'facility_aging', 'poor_lighting') and h.id % 3 <> 0 then ${property}::bigint
          when h.category = 'fire_lane_blocked' and h.id % 2 = 0 then ${property}::bigint
          when h.category in ('fire_lane_blocked', 'other') then ${police}::bigint
          when h.category in ('flying_wire_charging', 'ebike_indoor') and h.severity in ('major', 'critical') then ${fire}::bigint
        end as unit_id
      from hazards h
      where h.community_id = ${communityId} and h.status not in ('reported', 'rejected')
    )
    update hazards h set unit_id = p.unit_id
    from pick p
    where h.id = p.id and p.unit_id is not null
      and (p.unit_id <> ${property}::bigint or (p.responded_at is not null and p.status = 'verified'))`
  // The dispatch hands it over (on the timeline); the unit's own people accept and rectify it.
  await tx`
    update hazard_events e set unit_id = h.unit_id
    from hazards h
    where e.hazard_id = h.id and h.community_id = ${communityId} and h.unit_id is not null
      and e.to_status in ('dispatched', 'rectifying', 'rectified')`
  const names = DEMO_UNIT_ACCOUNTS.map((a) => ({ unit_id: unitOf(a.unit), username: a.username }))
  await tx`
    update hazard_events e set user_id = u.id, by_name = u.name
    from hazards h, jsonb_to_recordset(${json(names)}::text::jsonb) as r(unit_id bigint, username text), users u
    where e.hazard_id = h.id and h.community_id = ${communityId} and h.unit_id = r.unit_id and u.username = r.username
      and e.to_status in ('rectifying', 'rectified')`
  await tx`
    update hazards h set rectified_by = u.id
    from jsonb_to_recordset(${json(names)}::text::jsonb) as r(unit_id bigint, username text), users u
    where h.community_id = ${communityId} and h.unit_id = r.unit_id and u.username = r.username and h.rectified_by is not null`
}
