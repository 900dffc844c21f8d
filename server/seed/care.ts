/**
 * The demo's care visits (每日两访) and points (积分): 20 households under care near their buildings, each paired
 * with two members (the demo patrol member among them), visits over the last four weeks with a few misses, the
 * community's points rules and a few redemptions.
 */
import { CARE_GROUPS } from '../../core/org.ts'
import { newDoorCode } from '../domain/evidence.ts'
import { json, type Organisation, type SeedContext } from './context.ts'
import { NameMaker, PhoneMaker } from './names.ts'
import { DAY, shanghaiTime } from './time.ts'

/** Households under care in the demo. */
export const CARE_HOUSEHOLDS = 20
/** Days of visits in the demo. */
export const CARE_DAYS = 28

/** Insert the households, their pairs, visits, the points rules and some redemptions. */
export async function makeCare(ctx: SeedContext, org: Organisation): Promise<void> {
  const { tx, communityId, now } = ctx
  const rng = ctx.rng.fork('care')
  const names = new NameMaker(rng)
  const phones = new PhoneMaker(rng)
  const buildings = await tx<{ id: number; name: string | null; lon: number; lat: number }[]>`
    select id::int, name, ST_X(ST_PointOnSurface(footprint)) as lon, ST_Y(ST_PointOnSurface(footprint)) as lat
    from buildings where community_id = ${communityId}
    order by (households > 0) desc, md5(id::text) limit ${CARE_HOUSEHOLDS}`
  // Members who visit: the patrol team (the demo patrol account's person first) and the grid workers.
  const patrolAccount = org.users.get('patrol')
  const [patrolPerson] = patrolAccount ? await tx<{ personId: number }[]>`select person_id::int as "personId" from users where id = ${patrolAccount.id}` : []
  const members = org.people.filter((p) => p.teamKind === 'patrol' && p.title !== '队长').map((p) => p.id)
  const visitors = [...new Set([...(patrolPerson ? [patrolPerson.personId] : []), ...members, ...org.gridWorkers.map((g) => g.id)])]
  const created = new Date(now.getTime() - 60 * DAY)
  const households = buildings.map((b, i) => {
    const weekly = i % 7 === 6
    return {
      name: names.next(),
      address: `${b.name ?? `${i + 1}栋`}${rng.int(1, 4)}单元${rng.int(1, 18)}0${rng.int(1, 4)}室`,
      phone: phones.next(),
      group: CARE_GROUPS[i % 4 === 3 ? rng.int(1, 3) : 0]!,
      building_id: b.id,
      lon: b.lon,
      lat: b.lat,
      per_day: weekly ? null : 2,
      per_week: weekly ? 3 : null,
      door_code: newDoorCode(),
      pair: [visitors[i % visitors.length]!, visitors[(i + 7) % visitors.length]!],
      // A few households are missed now and then.
      missRate: i % 5 === 2 ? 0.12 : 0.015,
    }
  })
  const inserted = await tx<{ id: number; doorCode: string }[]>`
    insert into care_residents (community_id, name, address, phone, care_group, building_id, geom, visits_per_day, visits_per_week, door_code, created_at, updated_at)
    select ${communityId}, name, address, phone, care_group, building_id, ST_SetSRID(ST_MakePoint(lon, lat), 4326), per_day, per_week, door_code, ${created}, ${created}
    from jsonb_to_recordset(${json(households.map((h) => ({ ...h, care_group: h.group })))}::text::jsonb)
      as r(name text, address text, phone text, care_group text, building_id bigint, lon float8, lat float8, per_day int, per_week int, door_code text)
    returning id::int, door_code as "doorCode"`
  const byCode = new Map(inserted.map((r) => [r.doorCode, r.id]))
  const ids = households.map((h) => ({ id: byCode.get(h.door_code)! }))
  const pairs = households.flatMap((h, i) => [...new Set(h.pair)].map((personId) => ({ resident_id: ids[i]!.id, person_id: personId })))
  await tx`
    insert into care_pairs (community_id, resident_id, person_id)
    select ${communityId}, resident_id, person_id from jsonb_to_recordset(${json(pairs)}::text::jsonb) as r(resident_id bigint, person_id bigint)`
  const visits: { resident_id: number; person_id: number; t: string; lon: number; lat: number; accuracy: number }[] = []
  households.forEach((h, i) => {
    for (let d = -CARE_DAYS + 1; d <= 0; d++) {
      const slots = h.per_day !== null ? [rng.float(8, 11.5), rng.float(15, 19)] : rng.chance(3 / 7) ? [rng.float(9, 17)] : []
      for (const hour of slots) {
        if (rng.chance(h.missRate)) continue
        const t = shanghaiTime(now, d, hour)
        if (t.getTime() > now.getTime() - 60_000) continue
        const who = h.pair[rng.int(0, h.pair.length - 1)]!
        visits.push({ resident_id: ids[i]!.id, person_id: who, t: t.toISOString(), lon: h.lon + rng.gaussian(0.00008), lat: h.lat + rng.gaussian(0.00008), accuracy: rng.int(5, 25) })
      }
    }
  })
  await tx`
    insert into care_visits (community_id, resident_id, person_id, user_id, t, geom, accuracy, distance_m, by_code, client_id, created_at)
    select ${communityId}, r.resident_id, r.person_id, u.id, r.t, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326), r.accuracy,
           ST_Distance(cr.geom::geography, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326)::geography), false, null, r.t
    from jsonb_to_recordset(${json(visits)}::text::jsonb) as r(resident_id bigint, person_id bigint, t timestamptz, lon float8, lat float8, accuracy real)
    join care_residents cr on cr.id = r.resident_id
    left join users u on u.person_id = r.person_id`
  await tx`
    insert into points_rules (community_id, per_duty_hour, per_report, per_checkin, per_care_visit, updated_at)
    values (${communityId}, 10, 5, 1, 3, ${created})`
  // Redemptions (积分兑换) by the most frequent visitors: a few points each, well within what they earned.
  const items = ['理发服务一次', '家电维修一次', '粮油兑换(5kg大米)', '社区食堂餐券']
  const redemptions = visitors.slice(0, 4).map((personId, i) => ({
    person_id: personId,
    points: [20, 15, 30, 10][i]!,
    item: items[i]!,
    at: new Date(now.getTime() - (3 + i * 5) * DAY).toISOString(),
  }))
  const admin = org.users.get('admin')
  await tx`
    insert into points_ledger (community_id, person_id, kind, points, item, at, by_user_id)
    select ${communityId}, person_id, 'redemption', points, item, at, ${admin?.id ?? null}
    from jsonb_to_recordset(${json(redemptions)}::text::jsonb) as r(person_id bigint, points numeric, item text, at timestamptz)`
}
