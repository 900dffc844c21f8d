/**
 * Arrival on site and on-the-spot fixes (issue 15, contract v2 "Arrival and on-the-spot fixes"):
 * `POST /api/hazards/:id/arrive` checks who, where (100 m + accuracy unless a note says why) and records once per
 * clientId; `POST /api/hazards` with `fixedOnSpot` closes a minor matter at once and sends a major one to the recheck;
 * leaders draw a sample to spot-check and may reopen; `/api/stats` takes its 7-minute rate from arrivals.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { hashPassword } from '../server/domain/password.ts'
import { createUser } from '../server/queries/users.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

type Json = Record<string, unknown>
interface Feature {
  id: number
  properties: Json & {
    status: string
    version: number
    reportedAt: string
    closedAt: string | null
    arrivedAt: string | null
    arrivedBy: number | null
    arrivalDistanceM: number | null
    foundOnPatrol: boolean
    fixedOnSpot: boolean
    events?: { kind: string; from: string | null; to: string; by: string | null; note: string | null }[]
  }
}
interface Stats {
  hazards: { total: number }
  responseRate: number | null
  arrivedInTime: number
  responseBase: number
  foundOnPatrol: number
  foundOnPatrolShare: number | null
  fixedOnSpot: number
  medianResponseMinutes: number | null
}

/** Metres per degree of latitude. */
const M_PER_DEG = 111_320

let server: TestServer
let command: Client
let leader: Client
let patrol: Client
let otherPatrol: Client
let otherLeader: Client
let otherCommand: Client
let otherCommunity: number
/** A point in a zone of the demo patrol member's team, and one in a zone none of their teams covers. */
let mine: { lon: number; lat: number }
let notMine: { lon: number; lat: number }

async function expectProblem(res: Response, status: number): Promise<Json> {
  expect(res.headers.get('content-type')).toContain('application/problem+json')
  const body = (await res.json()) as Json
  expect({ http: res.status, body: body.status }).toEqual({ http: status, body: status })
  return body
}

async function report(client: Client, at: { lon: number; lat: number }, extra: Json = {}): Promise<Feature> {
  const res = await client.post('/api/hazards', { category: 'corridor_clutter', severity: 'minor', location: at, ...extra })
  expect(res.status, await res.clone().text()).toBe(201)
  return (await res.json()) as Feature
}

async function detail(id: number): Promise<Feature> {
  const res = await command.get(`/api/hazards/${id}`)
  expect(res.status).toBe(200)
  return (await res.json()) as Feature
}

/** `at` moved `m` metres north. */
const north = (at: { lon: number; lat: number }, m: number) => ({ lon: at.lon, lat: at.lat + m / M_PER_DEG })

const arrive = (client: Client, id: number, body: Json) => client.post(`/api/hazards/${id}/arrive`, body)

beforeAll(async () => {
  server = await startTestServer()
  const sql = server.db.sql
  command = await server.login('command')
  leader = await server.login('leader')
  patrol = await server.login('patrol')
  const [who] = await sql<{ personId: number; communityId: number }[]>`
    select u.person_id::int as "personId", p.community_id::int as "communityId" from users u join people p on p.id = u.person_id where u.username = 'patrol'`
  const point = async (member: boolean) => {
    const [row] = await sql<{ lon: number; lat: number }[]>`
      with z as (
        select z.id, z.geom from zones z
        where z.community_id = ${who!.communityId}
          and ${member}::boolean = exists (select 1 from zone_teams zt join person_teams pt on pt.team_id = zt.team_id
                                           where zt.zone_id = z.id and pt.person_id = ${who!.personId})
          and z.assignee_id is distinct from ${who!.personId}
        order by z.id limit 1)
      select ST_X(p) as lon, ST_Y(p) as lat from (select ST_PointOnSurface(z.geom) as p from z) s
      -- the point must lie in that zone only (zones may overlap a little)
      where (select count(*) from zones z2 where ST_Covers(z2.geom, s.p)) = 1`
    return row!
  }
  mine = await point(true)
  notMine = await point(false)
  // A patrol member of another community entirely.
  const [c] = await sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('到场测试社区', 32650, ST_Multi(ST_MakeEnvelope(114.50, 30.60, 114.51, 30.61, 4326))) returning id`
  otherCommunity = c!.id
  await sql`update communities set created_at = now() - interval '1 day' where id = ${otherCommunity}`
  const [p] = await sql<{ id: number }[]>`insert into people (community_id, name) values (${c!.id}, '外社区队员') returning id`
  const hash = await hashPassword('b-secret')
  await createUser(sql, { username: 'patrol-b', name: '外社区队员', role: 'patrol', personId: p!.id, passwordHash: hash, communityIds: [c!.id] })
  await createUser(sql, { username: 'leader-b', name: '外社区队长', role: 'leader', passwordHash: hash, communityIds: [c!.id] })
  await createUser(sql, { username: 'command-b', name: '外社区指挥', role: 'command', passwordHash: hash, communityIds: [c!.id] })
  otherPatrol = await server.login('patrol-b', 'b-secret')
  otherLeader = await server.login('leader-b', 'b-secret')
  otherCommand = await server.login('command-b', 'b-secret')
})
afterAll(async () => {
  await server?.close()
})

describe('the demo month', () => {
  test('the 7-minute rate over the seeded month matches the arrivals in the database', async () => {
    const from = new Date(server.seededAt.getTime() - 30 * 86_400_000).toISOString()
    const to = server.seededAt.toISOString()
    const [r] = await server.db.sql<{ total: number; base: number; inTime: number; found: number; fixed: number }[]>`
      select count(*)::int as total,
             count(*) filter (where not found_on_patrol and not (arrived_at is null and now() - reported_at < interval '7 minutes'))::int as base,
             count(*) filter (where not found_on_patrol and arrived_at - reported_at <= interval '7 minutes')::int as "inTime",
             count(*) filter (where found_on_patrol)::int as found,
             count(*) filter (where fixed_on_spot)::int as fixed
      from hazards where status <> 'rejected' and reported_at >= ${from}::timestamptz and reported_at < ${to}::timestamptz`
    const stats = (await (await command.get(`/api/stats?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).json()) as Stats
    expect(r!.base).toBeGreaterThan(10)
    expect(r!.found).toBeGreaterThan(10)
    expect(r!.fixed).toBeGreaterThan(0)
    expect(stats.responseBase).toBe(r!.base)
    expect(stats.arrivedInTime).toBe(r!.inTime)
    expect(stats.responseRate).toBeCloseTo(r!.inTime / r!.base, 12)
    expect(stats.foundOnPatrol).toBe(r!.found)
    expect(stats.foundOnPatrolShare).toBeCloseTo(r!.found / r!.total, 12)
    expect(stats.fixedOnSpot).toBe(r!.fixed)
  })
})

describe('arrival (到场)', () => {
  test('a member of the zone’s team arriving within 100 m is recorded with the distance, in the timeline', async () => {
    const h = await report(command, mine)
    expect(h.properties).toMatchObject({ arrivedAt: null, foundOnPatrol: false, fixedOnSpot: false })
    const res = await arrive(patrol, h.id, { ...north(mine, 30), accuracy: 8 })
    expect(res.status, await res.clone().text()).toBe(201)
    const f = (await res.json()) as Feature
    expect(f.properties.arrivedBy).toBe(patrol.user.id)
    expect(f.properties.arrivalDistanceM).toBeGreaterThan(28)
    expect(f.properties.arrivalDistanceM).toBeLessThan(32)
    expect(Date.now() - Date.parse(f.properties.arrivedAt!)).toBeLessThan(60_000)
    expect(f.properties.status).toBe('reported')
    expect(f.properties.version).toBe(h.properties.version + 1)
    const arrival = (await detail(h.id)).properties.events!.filter((e) => e.kind === 'arrival')
    expect(arrival).toEqual([expect.objectContaining({ from: 'reported', to: 'reported', by: patrol.user.name })])
  })

  test('farther than 100 m + accuracy without a note is 422 with the distance, and nothing changes', async () => {
    const h = await report(command, mine)
    const body = await expectProblem(await arrive(patrol, h.id, { ...north(mine, 180), accuracy: 20, clientId: 'far-1' }), 422)
    expect(body.distanceM as number).toBeGreaterThan(170)
    expect(body.limitM).toBe(120)
    const after = await detail(h.id)
    expect(after.properties).toMatchObject({ arrivedAt: null, arrivedBy: null, arrivalDistanceM: null, version: h.properties.version })
    expect(after.properties.events!.some((e) => e.kind === 'arrival')).toBe(false)
    // The same clientId may come again once it has a note: nothing of the refused one was kept.
    const ok = await arrive(patrol, h.id, { ...north(mine, 180), accuracy: 20, clientId: 'far-1', note: '楼内定位漂移，已在现场' })
    expect(ok.status, await ok.clone().text()).toBe(201)
  })

  test('farther with a note saying why is accepted, the note in the timeline', async () => {
    const h = await report(command, mine)
    const res = await arrive(patrol, h.id, { ...north(mine, 250), note: '地下车库无信号' })
    expect(res.status, await res.clone().text()).toBe(201)
    const f = await detail(h.id)
    expect(f.properties.arrivalDistanceM).toBeGreaterThan(240)
    expect(f.properties.events!.find((e) => e.kind === 'arrival')?.note).toBe('地下车库无信号')
  })

  test('a huge accuracy widens the radius by at most 100 m', async () => {
    const h = await report(command, mine)
    const body = await expectProblem(await arrive(patrol, h.id, { ...north(mine, 260), accuracy: 3000 }), 422)
    expect(body.limitM).toBe(200)
  })

  test('the same clientId twice records one arrival and answers the same; another arrival after it is 409', async () => {
    const h = await report(command, mine)
    const first = await arrive(patrol, h.id, { ...north(mine, 10), clientId: 'arrive-twice' })
    expect(first.status).toBe(201)
    const again = await arrive(patrol, h.id, { ...north(mine, 12), clientId: 'arrive-twice' })
    expect(again.status).toBe(200)
    const [a, b] = [(await first.json()) as Feature, (await again.json()) as Feature]
    expect(b.properties.arrivedAt).toBe(a.properties.arrivedAt)
    expect(b.properties.arrivalDistanceM).toBe(a.properties.arrivalDistanceM)
    expect(b.properties.version).toBe(a.properties.version)
    const [n] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from hazard_events where hazard_id = ${h.id} and kind = 'arrival'`
    expect(n!.n).toBe(1)
    const late = await expectProblem(await arrive(leader, h.id, { ...north(mine, 5), clientId: 'arrive-later' }), 409)
    expect(Date.parse(late.arrivedAt as string)).toBe(Date.parse(a.properties.arrivedAt!))
    // The clientId belongs to that arrival: used on another matter it is refused.
    const other = await report(command, mine)
    await expectProblem(await arrive(patrol, other.id, { ...mine, clientId: 'arrive-twice' }), 409)
  })

  test('the same clientId sent twice at once records one arrival: one 201, one 200', async () => {
    const h = await report(command, mine)
    const answers = await Promise.all([1, 2].map(() => arrive(patrol, h.id, { ...mine, clientId: 'arrive-at-once' })))
    expect(answers.map((r) => r.status).sort()).toEqual([200, 201])
    const [n] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from hazard_events where hazard_id = ${h.id} and kind = 'arrival'`
    expect(n!.n).toBe(1)
  })

  test('a patrol member whose teams do not cover the zone is refused (403), and nothing changes', async () => {
    const h = await report(command, notMine)
    await expectProblem(await arrive(patrol, h.id, { ...notMine }), 403)
    expect((await detail(h.id)).properties.arrivedAt).toBeNull()
    // A leader of the community may arrive anywhere in it.
    expect((await arrive(leader, h.id, { ...notMine })).status).toBe(201)
  })

  test('a patrol member of another community does not see the matter (404)', async () => {
    const h = await report(command, mine)
    await expectProblem(await arrive(otherPatrol, h.id, { ...mine }), 404)
    expect((await detail(h.id)).properties.arrivedAt).toBeNull()
  })

  test('the command centre at its desk does not arrive (403)', async () => {
    const h = await report(command, mine)
    await expectProblem(await arrive(command, h.id, { ...mine }), 403)
  })

  test('positions out of range, not numbers, or unknown fields are 400 and record nothing', async () => {
    const h = await report(command, mine)
    for (const body of [
      { lon: 181, lat: mine.lat },
      { lon: mine.lon, lat: -91 },
      { lon: 'x', lat: mine.lat },
      { lat: mine.lat },
      { ...mine, accuracy: -1 },
      { ...mine, extra: true },
      '{"lon": 1e999, "lat": 30}',
    ]) {
      await expectProblem(await patrol.post(`/api/hazards/${h.id}/arrive`, body, typeof body === 'string' ? { 'content-type': 'application/json' } : {}), 400)
    }
    expect((await detail(h.id)).properties.arrivedAt).toBeNull()
  })

  test('an arrival at a closed matter is 409', async () => {
    const h = await report(command, mine)
    expect((await command.post(`/api/hazards/${h.id}/transition`, { to: 'rejected', note: '不是隐患' })).status).toBe(200)
    await expectProblem(await arrive(patrol, h.id, { ...mine }), 409)
  })

  test('an arrival the outbox sends later keeps the phone’s time, not before the report and not in the future', async () => {
    const h = await report(command, mine, { reportedAt: new Date(Date.now() - 20 * 60_000).toISOString() })
    const t = new Date(Date.now() - 15 * 60_000).toISOString()
    await expectProblem(await arrive(patrol, h.id, { ...mine, t: new Date(Date.now() - 30 * 60_000).toISOString() }), 422)
    await expectProblem(await arrive(patrol, h.id, { ...mine, t: new Date(Date.now() + 3_600_000).toISOString() }), 422)
    const res = await arrive(patrol, h.id, { ...mine, t })
    expect(res.status).toBe(201)
    expect(Date.parse(((await res.json()) as Feature).properties.arrivedAt!)).toBe(Date.parse(t))
  })
})

describe('found on patrol and fixed on the spot (现场处置)', () => {
  test('a patrol member’s own report counts as arrived at once', async () => {
    const h = await report(patrol, mine)
    expect(h.properties).toMatchObject({ foundOnPatrol: true, arrivedAt: h.properties.reportedAt, arrivedBy: patrol.user.id, arrivalDistanceM: 0, status: 'reported' })
  })

  test('a leader’s report from the desk is not found on patrol; the command centre’s neither', async () => {
    expect((await report(leader, mine)).properties).toMatchObject({ foundOnPatrol: false, arrivedAt: null })
    expect((await report(command, mine)).properties).toMatchObject({ foundOnPatrol: false, arrivedAt: null })
  })

  test('a minor matter fixed on the spot is closed at once (verified), a note required', async () => {
    await expectProblem(await patrol.post('/api/hazards', { category: 'corridor_clutter', severity: 'minor', location: mine, fixedOnSpot: true }), 422)
    const h = await report(patrol, mine, { fixedOnSpot: true, note: '楼道杂物已当场清理' })
    expect(h.properties).toMatchObject({ status: 'verified', fixedOnSpot: true, foundOnPatrol: true, closedAt: h.properties.reportedAt })
    const events = (await detail(h.id)).properties.events!
    expect(events.map((e) => [e.from, e.to])).toEqual([[null, 'reported'], ['reported', 'verified']])
    expect(events[1]!.note).toContain('楼道杂物已当场清理')
  })

  test('a major matter fixed on the spot goes to rectified and waits for a recheck by someone else', async () => {
    const h = await report(leader, mine, { severity: 'major', fixedOnSpot: true, note: '已切断飞线' })
    expect(h.properties).toMatchObject({ status: 'rectified', fixedOnSpot: true, foundOnPatrol: true, closedAt: null })
    await expectProblem(await leader.post(`/api/hazards/${h.id}/transition`, { to: 'verified' }), 403)
    const res = await command.post(`/api/hazards/${h.id}/transition`, { to: 'verified', note: '复查合格' })
    expect(res.status).toBe(200)
  })

  test('the command centre cannot report a matter fixed on the spot (403)', async () => {
    await expectProblem(await command.post('/api/hazards', { category: 'corridor_clutter', severity: 'minor', location: mine, fixedOnSpot: true, note: 'x' }), 403)
  })

  test('a leader draws a sample of matters fixed on the spot and reopens one with a reason', async () => {
    const h = await report(patrol, mine, { fixedOnSpot: true, note: '已劝离' })
    const sample = (await (await leader.get('/api/hazards/spot-checks?days=7&n=50')).json()) as { total: number; features: Feature[] }
    expect(sample.total).toBeGreaterThanOrEqual(1)
    expect(sample.features.every((f) => f.properties.fixedOnSpot && f.properties.status === 'verified')).toBe(true)
    expect(sample.features.some((f) => f.id === h.id)).toBe(true)
    const few = (await (await leader.get('/api/hazards/spot-checks?n=1')).json()) as { features: Feature[] }
    expect(few.features.length).toBe(1)
    await expectProblem(await patrol.get('/api/hazards/spot-checks'), 403)
    await expectProblem(await leader.get('/api/hazards/spot-checks?n=0'), 400)
    await expectProblem(await leader.post(`/api/hazards/${h.id}/transition`, { to: 'reopened' }), 422)
    await expectProblem(await patrol.post(`/api/hazards/${h.id}/transition`, { to: 'reopened', note: '抽查未整改' }), 403)
    const res = await leader.post(`/api/hazards/${h.id}/transition`, { to: 'reopened', note: '抽查发现杂物仍在' })
    expect(res.status, await res.clone().text()).toBe(200)
    expect(((await res.json()) as Feature).properties).toMatchObject({ status: 'reopened', closedAt: null })
  })

  test('a verified matter not fixed on the spot is not reopened (409)', async () => {
    const [row] = await server.db.sql<{ id: number }[]>`select id::int from hazards where status = 'verified' and not fixed_on_spot and type = 'hazard' order by id limit 1`
    await expectProblem(await leader.post(`/api/hazards/${row!.id}/transition`, { to: 'reopened', note: '想重开' }), 409)
  })
})

describe('the 7-minute rate', () => {
  test('is arrivals within 7 minutes over the matters not found on patrol; found on patrol and fixed on the spot apart', async () => {
    // In the other community, alone there: its command centre reports, its leader arrives, its patrol member finds.
    const at = { lon: 114.505, lat: 30.605 }
    const from = new Date(Date.now() - 30 * 60_000).toISOString()
    const fast = await report(otherCommand, at)
    expect((await arrive(otherLeader, fast.id, { ...north(at, 20) })).status).toBe(201)
    const late = await report(otherCommand, at, { reportedAt: new Date(Date.now() - 20 * 60_000).toISOString() })
    expect((await arrive(otherLeader, late.id, { ...at })).status).toBe(201)
    const never = await report(otherCommand, at, { reportedAt: new Date(Date.now() - 15 * 60_000).toISOString() })
    await report(otherPatrol, at)
    await report(otherPatrol, at, { fixedOnSpot: true, note: '已清理' })
    // Reported just now and not reached yet: still in time, not counted either way.
    await report(otherCommand, at)
    const to = new Date(Date.now() + 60_000).toISOString()
    const stats = (await (await otherCommand.get(`/api/stats?communityId=${otherCommunity}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).json()) as Stats
    expect(stats.hazards.total).toBe(6)
    expect({ base: stats.responseBase, inTime: stats.arrivedInTime, rate: stats.responseRate }).toEqual({ base: 3, inTime: 1, rate: 1 / 3 })
    expect({ found: stats.foundOnPatrol, share: stats.foundOnPatrolShare, fixed: stats.fixedOnSpot }).toEqual({ found: 2, share: 2 / 6, fixed: 1 })
    expect(stats.medianResponseMinutes).toBeGreaterThan(9.5)
    expect(stats.medianResponseMinutes).toBeLessThan(10.5)
    expect(never.properties.arrivedAt).toBeNull()
  })

})
