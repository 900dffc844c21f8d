/**
 * The demo's patrol plans and duty (issue 17): a fortnight of plans around today (two routine, one
 * night special, one school gate) and duty sessions that agree with the seeded records — tonight's
 * sessions span each phone's track points (one still open when its last fix is recent), and the six
 * nights before have one session per person and night around that person's check-ins.
 */
import type { Organisation, SeedContext, ZoneInfo } from './context.ts'
import { DAY, MINUTE, shanghaiTime, tonightWindow } from './time.ts'

/** A phone whose last fix is younger than this is still on duty. */
const STILL_ON_DUTY_MS = 10 * MINUTE

/** Insert the plans and the duty sessions. */
export async function makePlansAndDuty(ctx: SeedContext, zones: ZoneInfo[], org: Organisation): Promise<void> {
  const { tx, communityId, now } = ctx
  const from = shanghaiTime(now, -7, 0).toISOString()
  const to = shanghaiTime(now, 7, 0).toISOString()
  const walkers = org.devices.map((d) => d.personId)
  const patrolTeam = org.teams.find((t) => t.kind === 'patrol') ?? org.teams[0]
  const schoolTeam = org.teams.find((t) => t.kind === 'school_traffic')
  const schoolPeople = org.people.filter((p) => p.teamKind === 'school_traffic').map((p) => p.id).slice(0, 6)
  const half = Math.ceil(zones.length / 2)
  const createdBy = org.users.get('leader')?.id ?? null
  const everyDay = [1, 2, 3, 4, 5, 6, 7]
  const plans = [
    { type: 'routine', name: '日常巡查·白班', weekdays: everyDay, start: '09:00', end: '11:00', zoneIds: zones.slice(0, half).map((z) => z.id), personIds: walkers.slice(0, Math.ceil(walkers.length / 2)), leaderId: patrolTeam?.leaderId ?? null },
    { type: 'routine', name: '日常巡查·晚班', weekdays: everyDay, start: '18:00', end: '21:00', zoneIds: zones.slice(half).map((z) => z.id), personIds: walkers, leaderId: patrolTeam?.leaderId ?? null },
    { type: 'night_special', name: '专项夜查', weekdays: everyDay, start: '21:00', end: '01:00', zoneIds: zones.map((z) => z.id), personIds: walkers, leaderId: patrolTeam?.leaderId ?? null },
    {
      type: 'school_gate',
      name: '护学岗·早高峰',
      weekdays: [1, 2, 3, 4, 5],
      start: '07:15',
      end: '08:15',
      zoneIds: zones.slice(0, 1).map((z) => z.id),
      personIds: schoolPeople.length > 0 ? schoolPeople : walkers.slice(0, 2),
      leaderId: schoolTeam?.leaderId ?? patrolTeam?.leaderId ?? null,
    },
  ]
  for (const p of plans) {
    await tx`
      insert into patrol_plans (community_id, type, name, starts_at, ends_at, repeat_weekdays, repeat_start, repeat_end,
                                zone_ids, person_ids, leader_id, created_by, created_at, updated_at)
      values (${communityId}, ${p.type}, ${p.name}, ${from}::timestamptz, ${to}::timestamptz, ${p.weekdays}::smallint[],
              ${p.start}::time, ${p.end}::time, ${p.zoneIds}::bigint[], ${p.personIds}::bigint[], ${p.leaderId}, ${createdBy},
              ${from}::timestamptz, ${from}::timestamptz)`
  }

  // Tonight: one session per phone over its track points.
  const tonight = tonightWindow(now)
  await tx`
    insert into duty_sessions (community_id, person_id, device_id, started_at, stopped_at, start_client_id, stop_client_id)
    select ${communityId}, d.person_id, d.id, min(tp.t) - interval '2 minutes',
           case when max(tp.t) > ${new Date(now.getTime() - STILL_ON_DUTY_MS).toISOString()}::timestamptz then null
                else max(tp.t) + interval '2 minutes' end,
           'seed-start-' || d.id || '-' || extract(epoch from min(tp.t))::bigint,
           case when max(tp.t) > ${new Date(now.getTime() - STILL_ON_DUTY_MS).toISOString()}::timestamptz then null
                else 'seed-stop-' || d.id || '-' || extract(epoch from max(tp.t))::bigint end
    from track_points tp join devices d on d.id = tp.device_id
    where d.community_id = ${communityId} and tp.t >= ${tonight.start.toISOString()}::timestamptz and tp.flag is null
    group by d.id, d.person_id`

  // The six nights before: one session per person and night around their check-ins (with the person's phone).
  await tx`
    insert into duty_sessions (community_id, person_id, device_id, started_at, stopped_at, start_client_id, stop_client_id)
    select ${communityId}, s.person_id, s.device_id, s.lo - interval '15 minutes', s.hi + interval '15 minutes',
           'seed-start-' || s.device_id || '-' || extract(epoch from s.lo)::bigint, 'seed-stop-' || s.device_id || '-' || extract(epoch from s.hi)::bigint
    from (
      select ci.person_id, (select d.id from devices d where d.person_id = ci.person_id order by d.id limit 1) as device_id,
             min(ci.t) as lo, max(ci.t) as hi
      from checkins ci
      where ci.community_id = ${communityId} and ci.person_id is not null
        and ci.t >= ${new Date(tonight.start.getTime() - 6 * DAY).toISOString()}::timestamptz and ci.t < ${new Date(tonight.start.getTime() - 15 * MINUTE).toISOString()}::timestamptz
      group by ci.person_id, ((ci.t - interval '12 hours') at time zone 'Asia/Shanghai')::date
    ) s
    where s.device_id is not null`
  const [n] = await tx<{ plans: number; sessions: number }[]>`
    select (select count(*)::int from patrol_plans where community_id = ${communityId}) as plans,
           (select count(*)::int from duty_sessions where community_id = ${communityId}) as sessions`
  ctx.log(`plans ${n?.plans ?? 0}, duty sessions ${n?.sessions ?? 0}`)
}
