/**
 * The demo community's people: teams (队伍) with leaders and members, grid workers (网格员),
 * the demo accounts and the patrol members' phones (devices).
 */
import { hashPassword } from '../domain/password.ts'
import { allocateIds, json, type Organisation, type PersonInfo, type SeedContext } from './context.ts'
import { NameMaker, PhoneMaker } from './names.ts'
import { DEMO_PASSWORD } from '../queries/demo-accounts.ts'

/** The six teams: name, kind, size including the leader. */
const TEAMS = [
  { name: '巡逻队', kind: 'patrol', size: 11 },
  { name: '调解队', kind: 'mediation', size: 6 },
  { name: '宣传队', kind: 'publicity', size: 6 },
  { name: '护学队', kind: 'school_traffic', size: 7 },
  { name: '应急队', kind: 'emergency', size: 7 },
  { name: '信息员队', kind: 'information', size: 6 },
] as const

/** Grid workers (网格员): one per zone. */
export const GRID_WORKER_COUNT = 10
/** Patrol members who carry a tracked phone tonight. */
export const DEVICE_COUNT = 8

/** Password of every demo account (server/queries/demo-accounts.ts). */
export { DEMO_PASSWORD }

/** Insert teams, people, demo accounts (unless switched off) and devices. */
export async function makePeople(ctx: SeedContext, demoAccounts: boolean): Promise<Organisation> {
  const { tx, communityId, districtId } = ctx
  const rng = ctx.rng.fork('people')
  const names = new NameMaker(rng)
  const phones = new PhoneMaker(rng)
  const teamIds = await allocateIds(tx, 'teams', TEAMS.length)
  const total = TEAMS.reduce((n, t) => n + t.size, 0) + GRID_WORKER_COUNT
  const personIds = await allocateIds(tx, 'people', total)

  const people: (PersonInfo & { teamId: number | null; phone: string; active: boolean })[] = []
  const teams: Organisation['teams'] = []
  let next = 0
  TEAMS.forEach((team, t) => {
    const teamId = teamIds[t] as number
    for (let i = 0; i < team.size; i++) {
      const title = i === 0 ? '队长' : (team.kind === 'publicity' || team.kind === 'school_traffic') && i >= team.size - 2 ? '志愿者' : '队员'
      people.push({
        id: personIds[next++] as number,
        name: names.next(),
        teamKind: team.kind,
        title,
        teamId,
        phone: phones.next(),
        // One long-absent volunteer, so "active" means something.
        active: !(team.kind === 'publicity' && i === team.size - 1),
      })
    }
    teams.push({ id: teamId, name: team.name, kind: team.kind, leaderId: people[people.length - team.size]!.id })
  })
  const gridWorkers: PersonInfo[] = []
  for (let i = 0; i < GRID_WORKER_COUNT; i++) {
    const person = { id: personIds[next++] as number, name: names.next(), teamKind: null, title: '网格员', teamId: null, phone: phones.next(), active: true }
    people.push(person)
    gridWorkers.push(person)
  }

  await tx`
    insert into teams (id, community_id, name, kind)
    select id, ${communityId}, name, kind
    from jsonb_to_recordset(${json(teams)}::text::jsonb) as r(id bigint, name text, kind text)
    order by id`
  const personRows = people.map((p) => ({ id: p.id, team_id: p.teamId, name: p.name, phone: p.phone, title: p.title, active: p.active }))
  await tx`
    insert into people (id, community_id, team_id, name, phone, title, active)
    select id, ${communityId}, team_id, name, phone, title, active
    from jsonb_to_recordset(${json(personRows)}::text::jsonb)
      as r(id bigint, team_id bigint, name text, phone text, title text, active boolean)
    order by id`
  const leaders = teams.map((t) => ({ id: t.id, leader_id: t.leaderId }))
  await tx`
    update teams set leader_id = r.leader_id
    from jsonb_to_recordset(${json(leaders)}::text::jsonb) as r(id bigint, leader_id bigint)
    where teams.id = r.id`

  const patrol = people.filter((p) => p.teamKind === 'patrol')
  const patrolLeader = patrol[0] as PersonInfo
  const walkers = patrol.slice(1, 1 + DEVICE_COUNT)
  const users = new Map<string, { id: number; name: string }>()
  if (demoAccounts) {
    const hash = await hashPassword(DEMO_PASSWORD)
    const accounts = [
      { username: 'admin', name: '社区管理员', role: 'admin', district_id: districtId, person_id: null },
      { username: 'planner', name: '网格规划员', role: 'planner', district_id: null, person_id: null },
      { username: 'command', name: '指挥中心值班员', role: 'command', district_id: null, person_id: null },
      { username: 'leader', name: patrolLeader.name, role: 'leader', district_id: null, person_id: patrolLeader.id },
      { username: 'patrol', name: walkers[0]!.name, role: 'patrol', district_id: null, person_id: walkers[0]!.id },
    ]
    await tx`
      insert into users (username, name, role, password_hash, district_id, person_id)
      select username, name, role, ${hash}, district_id, person_id
      from jsonb_to_recordset(${json(accounts)}::text::jsonb)
        as r(username text, name text, role text, district_id bigint, person_id bigint)
      order by username
      on conflict (username) do nothing`
    const rows = await tx<{ id: number; username: string; name: string }[]>`
      select id, username, name from users
      where username in ('admin', 'planner', 'command', 'leader', 'patrol') order by id`
    for (const row of rows) users.set(row.username, { id: row.id, name: row.name })
    await tx`
      insert into user_communities (user_id, community_id)
      select id, ${communityId} from users where username in ('admin', 'planner', 'command', 'leader', 'patrol')
      on conflict do nothing`
    ctx.summary.users = rows.length
  }

  const devices = walkers.map((p, i) => ({ id: `dev-${String(i + 1).padStart(2, '0')}`, personId: p.id, personName: p.name }))
  const deviceRows = devices.map((d) => ({ id: d.id, person_id: d.personId, name: `巡逻手机-${d.personName}` }))
  await tx`
    insert into devices (id, community_id, person_id, name, created_at)
    select id, ${communityId}, person_id, name, ${new Date(ctx.now.getTime() - 120 * 86_400_000)}::timestamptz
    from jsonb_to_recordset(${json(deviceRows)}::text::jsonb) as r(id text, person_id bigint, name text)
    order by id`

  ctx.summary.teams = teams.length
  ctx.summary.people = people.length
  ctx.summary.devices = devices.length
  return {
    teams,
    people: people.map(({ id, name, teamKind, title }) => ({ id, name, teamKind, title })),
    gridWorkers,
    users,
    devices,
  }
}
