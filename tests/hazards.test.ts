import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { hashPassword } from '../server/domain/password.ts'
import { createUser } from '../server/queries/users.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Feature {
  type: 'Feature'
  id: number
  geometry: { type: string; coordinates: number[] }
  properties: Record<string, unknown> & {
    id: number
    status: string
    version: number
    events?: { at: string; from: string | null; to: string; by: string | null; note: string | null }[]
  }
}
interface FC {
  type: 'FeatureCollection'
  features: Feature[]
}

let server: TestServer
let admin: Client
let command: Client
let leader: Client
let patrol: Client
let spot: { lon: number; lat: number; zoneId: number; assigneeId: number; communityId: number }
let otherCommunity: number
let otherHazard: number
let otherPerson: number
let leaderB: Client

/** A point inside a zone that has an assignee, the lowest-id zone covering it, and that zone's assignee. */
async function zonePoint(offset = 0): Promise<typeof spot> {
  const [row] = await server.db.sql<(typeof spot)[]>`
    with p as (
      select ST_PointOnSurface(z.geom) as pt from zones z where z.assignee_id is not null order by z.id offset ${offset} limit 1
    )
    select ST_X(p.pt) as lon, ST_Y(p.pt) as lat, z.id as "zoneId", z.assignee_id as "assigneeId", z.community_id as "communityId"
    from p join zones z on ST_Covers(z.geom, p.pt)
    order by z.id limit 1`
  if (!row) throw new Error('the seed has no zone with an assignee')
  return row
}

async function expectProblem(res: Response, status: number): Promise<{ detail: string; errors?: { path: string }[] }> {
  expect(res.headers.get('content-type')).toContain('application/problem+json')
  const body = (await res.json()) as { status: number; detail: string; errors?: { path: string }[] }
  expect({ http: res.status, body: body.status }).toEqual({ http: status, body: status })
  expect(body.detail.length).toBeGreaterThan(0)
  return body
}

async function countHazards(): Promise<number> {
  const [row] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from hazards`
  return row!.n
}

async function report(client: Client, extra: Record<string, unknown> = {}): Promise<Feature> {
  const res = await client.post('/api/hazards', { category: 'corridor_clutter', severity: 'minor', location: { lon: spot.lon, lat: spot.lat }, ...extra })
  expect(res.status).toBe(201)
  return (await res.json()) as Feature
}

async function move(client: Client, id: number, body: Record<string, unknown>, status = 200): Promise<Feature> {
  const res = await client.post(`/api/hazards/${id}/transition`, body)
  if (res.status !== status) throw new Error(`transition ${JSON.stringify(body)}: ${res.status} ${await res.text()}`)
  return (await res.json()) as Feature
}

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  command = await server.login('command')
  leader = await server.login('leader')
  patrol = await server.login('patrol')
  spot = await zonePoint()
  const sql = server.db.sql
  // A second community far from the demo one, with a person, a hazard and its own leader.
  const [c] = await sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('测试社区B', 32650, ST_Multi(ST_MakeEnvelope(114.50, 30.60, 114.51, 30.61, 4326))) returning id`
  otherCommunity = c!.id
  const [p] = await sql<{ id: number }[]>`insert into people (community_id, name) values (${otherCommunity}, '乙社区网格员') returning id`
  otherPerson = p!.id
  const [h] = await sql<{ id: number }[]>`
    insert into hazards (community_id, category, severity, status, geom, reported_at, due_at, description)
    values (${otherCommunity}, 'other', 'minor', 'reported', ST_SetSRID(ST_MakePoint(114.505, 30.605), 4326),
            now(), now() + interval '1 day', 'B 社区的隐患') returning id`
  otherHazard = h!.id
  await createUser(sql, { username: 'leader-b', name: '乙社区队长', role: 'leader', passwordHash: await hashPassword('b-secret'), communityIds: [otherCommunity] })
  leaderB = await server.login('leader-b', 'b-secret')
})
afterAll(async () => {
  await server?.close()
})

describe('reporting', () => {
  test('a patrol report is placed in the zone of its location and assigned to the zone’s person', async () => {
    const res = await patrol.post('/api/hazards', {
      category: 'flying_wire_charging',
      severity: 'major',
      location: { lon: spot.lon, lat: spot.lat },
      description: '三楼飞线充电',
    })
    expect(res.status).toBe(201)
    const f = (await res.json()) as Feature
    expect(res.headers.get('location')).toBe(`/api/hazards/${f.id}`)
    expect(f.id).toBe(f.properties.id)
    expect(f.properties).toMatchObject({
      status: 'reported',
      category: 'flying_wire_charging',
      severity: 'major',
      zoneId: spot.zoneId,
      assigneeId: spot.assigneeId,
      communityId: spot.communityId,
      reporterId: patrol.user.id,
      overdue: false,
      warning: false,
    })
    expect(typeof f.properties.assigneeName).toBe('string')
    // Contract v2: the deadline comes from the level (a new matter starts at the micro-grid: 1 day), not the severity.
    expect(f.properties).toMatchObject({ level: 'micro_grid', type: 'hazard' })
    expect(Date.parse(String(f.properties.dueAt)) - Date.parse(String(f.properties.reportedAt))).toBe(86_400_000)
    expect(f.properties.events).toEqual([expect.objectContaining({ from: null, to: 'reported', by: patrol.user.name })])
  })

  test('a GeoJSON Point location works too', async () => {
    const f = await report(patrol, { location: { type: 'Point', coordinates: [spot.lon, spot.lat] } })
    expect(f.geometry.coordinates[0]).toBeCloseTo(spot.lon, 6)
    expect(f.properties.zoneId).toBe(spot.zoneId)
  })

  test('a report writes the audit log', async () => {
    const f = await report(patrol)
    const rows = await server.db.sql`select 1 from audit_log where entity = 'hazard' and entity_id = ${String(f.id)} and action = 'create'`
    expect(rows.length).toBe(1)
  })

  test('a location outside every community is a 422 problem and stores nothing', async () => {
    const before = await countHazards()
    const res = await patrol.post('/api/hazards', { category: 'other', severity: 'minor', location: { lon: 116.4, lat: 39.9 } })
    await expectProblem(res, 422)
    expect(await countHazards()).toBe(before)
  })

  test('a location in a community the reporter may not act in is a 422 problem', async () => {
    const res = await leader.post('/api/hazards', { category: 'other', severity: 'minor', location: { lon: 114.505, lat: 30.605 } })
    await expectProblem(res, 422)
  })

  test.each([
    ['an infinite longitude', '{"category":"other","severity":"minor","location":{"lon":1e999,"lat":30.5}}', 400],
    ['a latitude out of range', '{"category":"other","severity":"minor","location":{"lon":114.4,"lat":95}}', 422],
    ['a longitude out of range in a Point', '{"category":"other","severity":"minor","location":{"type":"Point","coordinates":[214.4,30.5]}}', 422],
    ['a Point with one coordinate', '{"category":"other","severity":"minor","location":{"type":"Point","coordinates":[114.4]}}', 400],
    ['a string coordinate', '{"category":"other","severity":"minor","location":{"lon":"114.4","lat":30.5}}', 400],
    ['an unknown category', '{"category":"ufo","severity":"minor","location":{"lon":114.4,"lat":30.5}}', 400],
    ['an unknown severity', '{"category":"other","severity":"huge","location":{"lon":114.4,"lat":30.5}}', 400],
    ['no location', '{"category":"other","severity":"minor"}', 400],
    ['a description of 2001 characters', JSON.stringify({ category: 'other', severity: 'minor', location: { lon: 114.4, lat: 30.5 }, description: 'x'.repeat(2001) }), 400],
    ['a report time without offset', '{"category":"other","severity":"minor","location":{"lon":114.4,"lat":30.5},"reportedAt":"2026-01-01 10:00"}', 400],
    ['a report time in the future', JSON.stringify({ category: 'other', severity: 'minor', location: { lon: 114.4, lat: 30.5 }, reportedAt: new Date(Date.now() + 86_400_000).toISOString() }), 422],
    ['malformed JSON', '{"category":', 400],
  ])('%s is a %i problem and stores nothing', async (_why, body, status) => {
    const before = await countHazards()
    const res = await patrol.post('/api/hazards', body, { 'content-type': 'application/json' })
    await expectProblem(res, status)
    expect(await countHazards()).toBe(before)
  })

  test('a JSON body over 1 MB is a 413 problem', async () => {
    const res = await patrol.post('/api/hazards', { category: 'other', severity: 'minor', location: { lon: spot.lon, lat: spot.lat }, description: 'x'.repeat(1_100_000) })
    await expectProblem(res, 413)
  })

  test('a report time a little ahead (phone clock) counts as now', async () => {
    const f = await report(patrol, { reportedAt: new Date(Date.now() + 120_000).toISOString() })
    expect(Date.parse(String(f.properties.reportedAt))).toBeLessThanOrEqual(Date.now())
  })

  test('a building of another community is a 422 problem', async () => {
    const before = await countHazards()
    const res = await patrol.post('/api/hazards', { category: 'other', severity: 'minor', location: { lon: spot.lon, lat: spot.lat }, buildingId: 999_999_999 })
    const body = await expectProblem(res, 422)
    expect(body.errors?.[0]?.path).toBe('buildingId')
    expect(await countHazards()).toBe(before)
  })

  test('the same clientId answers the first hazard with 200 and stores it once', async () => {
    const before = await countHazards()
    const body = { category: 'ebike_indoor', severity: 'minor', location: { lon: spot.lon, lat: spot.lat }, clientId: 'phone-1:42' }
    const first = await patrol.post('/api/hazards', body)
    expect(first.status).toBe(201)
    const again = await patrol.post('/api/hazards', { ...body, description: 'sent again' })
    expect(again.status).toBe(200)
    expect(((await again.json()) as Feature).id).toBe(((await first.json()) as Feature).id)
    expect(await countHazards()).toBe(before + 1)
  })

  test('the same clientId sent twice at once is stored once', async () => {
    const before = await countHazards()
    const body = { category: 'ebike_indoor', severity: 'minor', location: { lon: spot.lon, lat: spot.lat }, clientId: 'phone-1:race' }
    const [a, b] = await Promise.all([patrol.post('/api/hazards', body), patrol.post('/api/hazards', body)])
    expect([a.status, b.status].sort()).toEqual([200, 201])
    expect(((await a.json()) as Feature).id).toBe(((await b.json()) as Feature).id)
    expect(await countHazards()).toBe(before + 1)
  })

  test('the same clientId from another reporter is another hazard', async () => {
    const body = { category: 'ebike_indoor', severity: 'minor', location: { lon: spot.lon, lat: spot.lat }, clientId: 'shared-client-id' }
    const a = await patrol.post('/api/hazards', body)
    const b = await leader.post('/api/hazards', body)
    expect([a.status, b.status]).toEqual([201, 201])
  })

  test('a report of the same category within 30 m of one verified lately is a recurrence', async () => {
    const first = await report(patrol, { category: 'fire_lane_blocked' })
    await move(leader, first.id, { to: 'dispatched' })
    await move(patrol, first.id, { to: 'rectifying' })
    await move(patrol, first.id, { to: 'rectified' })
    await move(leader, first.id, { to: 'verified' })
    const near = { lon: spot.lon + 0.0001, lat: spot.lat } // about 10 m east
    const again = await report(patrol, { category: 'fire_lane_blocked', location: near })
    expect(again.properties.recurrenceOf).toBe(first.id)
    const other = await report(patrol, { category: 'poor_lighting', location: near })
    expect(other.properties.recurrenceOf).toBeNull()
  })

  test('only roles that may report can report', async () => {
    // every role of the contract holds the report permission; an unauthenticated call is a 401
    const res = await server.post('/api/hazards', { category: 'other', severity: 'minor', location: { lon: spot.lon, lat: spot.lat } })
    await expectProblem(res, 401)
  })
})

describe('detail and scope', () => {
  test('a hazard by id has its events, photos and assignee name', async () => {
    const created = await report(patrol)
    const res = await command.get(`/api/hazards/${created.id}`)
    expect(res.status).toBe(200)
    const f = (await res.json()) as Feature
    expect(f.properties.events?.length).toBe(1)
    expect(f.properties.photos).toEqual([])
    expect(f.properties.assigneeName).toBe(created.properties.assigneeName)
    expect(JSON.stringify(f)).not.toMatch(/1[3-9]\d{9}/) // no phone numbers
  })

  test('an unknown id is a 404 problem', async () => {
    await expectProblem(await command.get('/api/hazards/999999999'), 404)
  })

  test('another community’s hazard is a 404 problem, to read and to move', async () => {
    await expectProblem(await leader.get(`/api/hazards/${otherHazard}`), 404)
    await expectProblem(await leader.post(`/api/hazards/${otherHazard}/transition`, { to: 'rejected' }), 404)
    expect((await leaderB.get(`/api/hazards/${otherHazard}`)).status).toBe(200)
  })

  test('the seeded hazards have their history', async () => {
    const [row] = await server.db.sql<{ id: number }[]>`select id from hazards where status = 'verified' order by id limit 1`
    const f = (await (await command.get(`/api/hazards/${row!.id}`)).json()) as Feature
    const events = f.properties.events!
    expect(events[0]?.to).toBe('reported')
    expect(events.at(-1)?.to).toBe('verified')
  })
})

describe('the closed loop', () => {
  test('report → dispatch → rectifying → rectified → verified, with times, events and audit', async () => {
    const h = await report(patrol)
    const dispatched = await move(leader, h.id, { to: 'dispatched', note: '请尽快处理' })
    expect(dispatched.properties).toMatchObject({ status: 'dispatched', version: 2 })
    const onSite = await move(patrol, h.id, { to: 'rectifying' })
    expect(onSite.properties.respondedAt).not.toBeNull()
    const fixed = await move(patrol, h.id, { to: 'rectified', note: '已清理' })
    expect(fixed.properties.status).toBe('rectified')
    const done = await move(leader, h.id, { to: 'verified', note: '回访合格' })
    expect(done.properties).toMatchObject({ status: 'verified', version: 5, overdue: false, warning: false })
    expect(done.properties.closedAt).not.toBeNull()
    expect(done.properties.events?.map((e) => [e.from, e.to, e.by])).toEqual([
      [null, 'reported', patrol.user.name],
      ['reported', 'dispatched', leader.user.name],
      ['dispatched', 'rectifying', patrol.user.name],
      ['rectifying', 'rectified', patrol.user.name],
      ['rectified', 'verified', leader.user.name],
    ])
    expect(done.properties.events?.[1]?.note).toBe('请尽快处理')
    const [row] = await server.db.sql<{ rectifiedBy: number; n: number }[]>`
      select h.rectified_by as "rectifiedBy",
             (select count(*)::int from audit_log a where a.entity = 'hazard' and a.entity_id = ${String(h.id)} and a.action = 'transition') as n
      from hazards h where h.id = ${h.id}`
    expect(row).toEqual({ rectifiedBy: patrol.user.id, n: 4 })
  })

  test('a rebound at recheck reopens, and the hazard is dispatched again', async () => {
    const h = await report(patrol)
    await move(leader, h.id, { to: 'dispatched' })
    await move(patrol, h.id, { to: 'rectifying' })
    await move(patrol, h.id, { to: 'rectified' })
    const reopened = await move(command, h.id, { to: 'reopened', note: '仍有堆物' })
    expect(reopened.properties.status).toBe('reopened')
    expect((await move(leader, h.id, { to: 'dispatched' })).properties.status).toBe('dispatched')
  })

  test('a transition the machine does not allow is a 409 problem that changes nothing', async () => {
    const h = await report(patrol)
    await expectProblem(await leader.post(`/api/hazards/${h.id}/transition`, { to: 'verified' }), 409)
    await expectProblem(await leader.post(`/api/hazards/${h.id}/transition`, { to: 'rectifying' }), 409)
    const after = (await (await leader.get(`/api/hazards/${h.id}`)).json()) as Feature
    expect(after.properties).toMatchObject({ status: 'reported', version: 1 })
    expect(after.properties.events?.length).toBe(1)
  })

  test('a closed hazard cannot move', async () => {
    const h = await report(patrol)
    await move(leader, h.id, { to: 'rejected', note: '不是隐患' })
    await expectProblem(await leader.post(`/api/hazards/${h.id}/transition`, { to: 'dispatched' }), 409)
  })

  test('a patrol may not dispatch (403)', async () => {
    const h = await report(patrol)
    await expectProblem(await patrol.post(`/api/hazards/${h.id}/transition`, { to: 'dispatched' }), 403)
  })

  test('the recheck by the person who rectified is refused; someone else may verify', async () => {
    const h = await report(patrol)
    await move(leader, h.id, { to: 'dispatched' })
    await move(leader, h.id, { to: 'rectifying' })
    await move(leader, h.id, { to: 'rectified' })
    const body = await expectProblem(await leader.post(`/api/hazards/${h.id}/transition`, { to: 'verified' }), 403)
    expect(body.detail).toMatch(/someone other/)
    expect((await move(command, h.id, { to: 'verified' })).properties.status).toBe('verified')
  })

  test('a leader reassigns to another person of the community', async () => {
    const h = await report(patrol)
    await move(leader, h.id, { to: 'dispatched' })
    const [p] = await server.db.sql<{ id: number }[]>`
      select id from people where community_id = ${spot.communityId} and active and id <> ${spot.assigneeId} order by id limit 1`
    const moved = await move(leader, h.id, { to: 'dispatched', assigneeId: p!.id })
    expect(moved.properties.assigneeId).toBe(p!.id)
    expect(moved.properties.events?.at(-1)).toMatchObject({ from: 'dispatched', to: 'dispatched' })
  })

  test('dispatching to a person of another community is a 422 problem', async () => {
    const h = await report(patrol)
    await expectProblem(await leader.post(`/api/hazards/${h.id}/transition`, { to: 'dispatched', assigneeId: otherPerson }), 422)
    const after = (await (await leader.get(`/api/hazards/${h.id}`)).json()) as Feature
    expect(after.properties.status).toBe('reported')
  })

  test('a stale version is a 409 problem', async () => {
    const h = await report(patrol)
    await move(leader, h.id, { to: 'dispatched', version: 1 })
    await expectProblem(await leader.post(`/api/hazards/${h.id}/transition`, { to: 'rejected', version: 1 }), 409)
  })

  test('two transitions at once: exactly one wins, the other is a 409', async () => {
    const h = await report(patrol)
    await move(leader, h.id, { to: 'dispatched' })
    const [a, b] = await Promise.all([
      leader.post(`/api/hazards/${h.id}/transition`, { to: 'rectifying' }),
      command.post(`/api/hazards/${h.id}/transition`, { to: 'rectifying' }),
    ])
    expect([a.status, b.status].sort()).toEqual([200, 409])
    const [row] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from hazard_events where hazard_id = ${h.id} and to_status = 'rectifying'`
    expect(row!.n).toBe(1)
  })

  test('two reassignments at once with the same version: one wins, the other is a 409', async () => {
    const h = await report(patrol)
    const d = await move(leader, h.id, { to: 'dispatched' })
    const people = await server.db.sql<{ id: number }[]>`
      select id from people where community_id = ${spot.communityId} and active and id <> ${spot.assigneeId} order by id limit 2`
    const [a, b] = await Promise.all(
      people.map((p, i) => (i === 0 ? leader : command).post(`/api/hazards/${h.id}/transition`, { to: 'dispatched', assigneeId: p.id, version: d.properties.version })),
    )
    expect([a!.status, b!.status].sort()).toEqual([200, 409])
  })

  test.each([
    ['an unknown status', { to: 'lost' }],
    ['a note of 2001 characters', { to: 'dispatched', note: 'x'.repeat(2001) }],
    ['a non-numeric assignee', { to: 'dispatched', assigneeId: 'abc' }],
  ])('%s is a 400 problem', async (_why, body) => {
    const h = await report(patrol)
    await expectProblem(await leader.post(`/api/hazards/${h.id}/transition`, body), 400)
  })
})

describe('list, SLA flags and replay', () => {
  test('slaUsed and warning are computed from the report time', async () => {
    const h20 = await report(patrol, { reportedAt: new Date(Date.now() - 20 * 3_600_000).toISOString() })
    expect(h20.properties).toMatchObject({ warning: true, overdue: false })
    expect(Number(h20.properties.slaUsed)).toBeCloseTo(20 / 24, 2)
    const h25 = await report(patrol, { reportedAt: new Date(Date.now() - 25 * 3_600_000).toISOString() })
    expect(h25.properties).toMatchObject({ warning: false, overdue: true })
    const h1 = await report(patrol, { reportedAt: new Date(Date.now() - 3_600_000).toISOString() })
    expect(h1.properties).toMatchObject({ warning: false, overdue: false })
  })

  test('the list filters by assignee', async () => {
    const fc = (await (await command.get(`/api/hazards?assigneeId=${spot.assigneeId}`)).json()) as FC
    expect(fc.features.length).toBeGreaterThan(0)
    expect(fc.features.every((f) => f.properties.assigneeId === spot.assigneeId)).toBe(true)
  })

  test('the list carries slaUsed and warning on every feature', async () => {
    const fc = (await (await command.get('/api/hazards?overdue=false')).json()) as FC
    expect(fc.features.length).toBeGreaterThan(0)
    for (const f of fc.features) {
      expect(typeof f.properties.warning).toBe('boolean')
      expect(f.properties.overdue).toBe(false)
    }
  })

  test('at= shows the map as it stood: a hazard open then, with its status then', async () => {
    const reportedAt = new Date(Date.now() - 2 * 3_600_000)
    const h = await report(patrol, { reportedAt: reportedAt.toISOString() })
    await move(leader, h.id, { to: 'rejected' })
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString()
    const then = (await (await command.get(`/api/hazards?at=${encodeURIComponent(hourAgo)}`)).json()) as FC
    const found = then.features.find((f) => f.id === h.id)
    expect(found?.properties.status).toBe('reported')
    expect(then.features.every((f) => !['verified', 'rejected'].includes(f.properties.status))).toBe(true)
    expect(then.features.every((f) => Date.parse(String(f.properties.reportedAt)) <= Date.parse(hourAgo))).toBe(true)
    const now = (await (await command.get(`/api/hazards?at=${encodeURIComponent(new Date().toISOString())}`)).json()) as FC
    expect(now.features.some((f) => f.id === h.id)).toBe(false)
    const before = (await (await command.get(`/api/hazards?at=${encodeURIComponent(new Date(reportedAt.getTime() - 60_000).toISOString())}`)).json()) as FC
    expect(before.features.some((f) => f.id === h.id)).toBe(false)
  })

  test('at= a week ago lists the hazards open then by their history', async () => {
    const at = new Date(server.seededAt.getTime() - 7 * 86_400_000).toISOString()
    const fc = (await (await command.get(`/api/hazards?at=${encodeURIComponent(at)}`)).json()) as FC
    expect(fc.features.length).toBeGreaterThan(0)
    const [row] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from hazards h
      where h.reported_at <= ${at}::timestamptz and h.type = 'hazard'
        and (select e.to_status from hazard_events e where e.hazard_id = h.id and e.at <= ${at}::timestamptz
             order by e.at desc, e.id desc limit 1) not in ('verified', 'rejected')`
    expect(fc.features.length).toBe(row!.n)
  })

  test('a malformed at= is a 400 problem', async () => {
    await expectProblem(await command.get('/api/hazards?at=last-week'), 400)
  })

  test('an admin sees every community’s hazards', async () => {
    const fc = (await (await admin.get('/api/hazards?status=reported')).json()) as FC
    const me = (await (await admin.get('/api/auth/me')).json()) as { user: { communityIds: number[] | null } }
    if (me.user.communityIds === null) expect(fc.features.some((f) => f.id === otherHazard)).toBe(true)
  })
})
