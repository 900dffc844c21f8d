/**
 * The patrol phone's task actions (issue 15): 整改完成 (`POST /api/hazards/:id/rectify`), comments and photos with
 * their role (before/after), each idempotent by the outbox's clientId; and walking directions from the phone's
 * position to a matter along the community's roads (`GET /api/route/walk`), scoped to what the caller may see.
 */
import sharp from 'sharp'
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
    respondedAt: string | null
    rectifiedBy?: number | null
    events?: { kind: string; from: string | null; to: string; by: string | null; note: string | null }[]
    comments?: { by: string | null; note: string }[]
    photos?: { id: number; role?: string | null }[]
  }
}
interface Walk {
  type: 'Feature'
  geometry: { type: 'LineString'; coordinates: [number, number][] } | null
  properties: { communityId: number; hazardId: number; from: number[]; to: number[]; distanceM: number; minutes: number; straightM: number; reason: string | null }
}

/** Metres per degree of latitude. */
const M_PER_DEG = 111_320

let server: TestServer
let command: Client
let patrol: Client
let otherPatrol: Client
let personId: number
/** A point inside the demo community, on a road's side. */
let inside: { lon: number; lat: number }

async function expectProblem(res: Response, status: number): Promise<Json> {
  expect(res.headers.get('content-type')).toContain('application/problem+json')
  const body = (await res.json()) as Json
  expect({ http: res.status, body: body.status }).toEqual({ http: status, body: status })
  return body
}

/** A new matter of the demo community, dispatched to the patrol member unless `dispatch` is false. */
async function task(at = inside, dispatch = true): Promise<number> {
  const res = await command.post('/api/hazards', { category: 'corridor_clutter', severity: 'minor', location: at, description: `任务 ${Math.random()}` })
  expect(res.status, await res.clone().text()).toBe(201)
  const { id } = (await res.json()) as Feature
  if (dispatch) {
    const moved = await command.post(`/api/hazards/${id}/transition`, { to: 'dispatched', assigneeId: personId })
    expect(moved.status, await moved.clone().text()).toBe(200)
  }
  return id
}

async function detail(id: number): Promise<Feature> {
  const res = await command.get(`/api/hazards/${id}`)
  expect(res.status).toBe(200)
  return (await res.json()) as Feature
}

async function photoForm(clientId: string, role?: string): Promise<FormData> {
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a7' } }).jpeg().toBuffer()
  const fd = new FormData()
  fd.append('clientId', clientId)
  if (role !== undefined) fd.append('role', role)
  fd.append('photo', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'after.jpg')
  return fd
}

beforeAll(async () => {
  server = await startTestServer()
  const sql = server.db.sql
  command = await server.login('command')
  patrol = await server.login('patrol')
  const [who] = await sql<{ personId: number; communityId: number }[]>`
    select u.person_id::int as "personId", p.community_id::int as "communityId" from users u join people p on p.id = u.person_id where u.username = 'patrol'`
  personId = who!.personId
  // 15 m beside a walkable road of the demo community (a footpath or residential road).
  const [p] = await sql<{ lon: number; lat: number }[]>`
    select ST_X(g) as lon, ST_Y(g) as lat from (
      select ST_Project(ST_LineInterpolatePoint(ST_GeometryN(r.geom, 1), 0.5)::geography, 15, 0)::geometry as g
      from roads r join communities c on c.id = r.community_id
      where r.community_id = ${who!.communityId} and r.kind_detail in ('residential', 'footway', 'service')
        and ST_Covers(c.boundary, ST_LineInterpolatePoint(ST_GeometryN(r.geom, 1), 0.5))
      order by r.id limit 1) s`
  inside = p!
  const [c] = await sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('任务测试社区', 32650, ST_Multi(ST_MakeEnvelope(114.50, 30.60, 114.51, 30.61, 4326))) returning id`
  const [other] = await sql<{ id: number }[]>`insert into people (community_id, name) values (${c!.id}, '外社区队员') returning id`
  await createUser(sql, { username: 'patrol-t', name: '外社区队员', role: 'patrol', personId: other!.id, passwordHash: await hashPassword('t-secret'), communityIds: [c!.id] })
  otherPatrol = await server.login('patrol-t', 't-secret')
})
afterAll(async () => {
  await server?.close()
})

describe('整改完成 from the phone (POST /api/hazards/:id/rectify)', () => {
  test('a dispatched task goes through 整改中 to 已整改 with the note; the same clientId again answers it rectified once', async () => {
    const id = await task()
    const body = { note: '已清理楼道杂物', clientId: 'rect-1a2b' }
    const first = await patrol.post(`/api/hazards/${id}/rectify`, body)
    expect(first.status, await first.clone().text()).toBe(201)
    const f = (await first.json()) as Feature
    expect(f.properties.status).toBe('rectified')
    expect(f.properties.respondedAt).not.toBeNull()
    const again = await patrol.post(`/api/hazards/${id}/rectify`, body)
    expect(again.status).toBe(200)
    expect(((await again.json()) as Feature).properties.version).toBe(f.properties.version)
    const moves = (await detail(id)).properties.events!.filter((e) => e.kind === 'transition').map((e) => [e.from, e.to, e.note])
    expect(moves.slice(-2)).toEqual([
      ['dispatched', 'rectifying', null],
      ['rectifying', 'rectified', '已清理楼道杂物'],
    ])
    const [n] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from hazard_events where hazard_id = ${id} and to_status = 'rectified'`
    expect(n!.n).toBe(1)
  })

  test('a task not yet dispatched is refused with 409 and nothing changes', async () => {
    const id = await task(inside, false)
    const before = await detail(id)
    await expectProblem(await patrol.post(`/api/hazards/${id}/rectify`, { clientId: 'rect-early' }), 409)
    const after = await detail(id)
    expect([after.properties.status, after.properties.version]).toEqual([before.properties.status, before.properties.version])
  })

  test('another community’s member gets 404 and the matter stays as it was', async () => {
    const id = await task()
    await expectProblem(await otherPatrol.post(`/api/hazards/${id}/rectify`, { clientId: 'rect-x' }), 404)
    expect((await detail(id)).properties.status).toBe('dispatched')
  })

  test('an unknown field is a 400', async () => {
    const id = await task()
    await expectProblem(await patrol.post(`/api/hazards/${id}/rectify`, { note: 'x', to: 'verified' }), 400)
    expect((await detail(id)).properties.status).toBe('dispatched')
  })
})

describe('comments and photos from the outbox', () => {
  test('a comment sent twice with its clientId is stored once', async () => {
    const id = await task()
    const body = { note: '业主不在家，明早再来', clientId: 'cmt-9z' }
    expect((await patrol.post(`/api/hazards/${id}/comments`, body)).status).toBe(201)
    const again = await patrol.post(`/api/hazards/${id}/comments`, body)
    expect(again.status).toBe(200)
    expect((await detail(id)).properties.comments!.map((c) => c.note)).toEqual(['业主不在家，明早再来'])
  })

  test('a comment on another community’s matter is a 404 and stores nothing', async () => {
    const id = await task()
    await expectProblem(await otherPatrol.post(`/api/hazards/${id}/comments`, { note: '试探', clientId: 'cmt-x' }), 404)
    expect((await detail(id)).properties.comments).toEqual([])
  })

  test('an after photo keeps its role in the detail, once per clientId', async () => {
    const id = await task()
    const first = await patrol.post(`/api/hazards/${id}/photos`, await photoForm('ph-after-1', 'after'))
    expect(first.status, await first.clone().text()).toBe(201)
    expect((await patrol.post(`/api/hazards/${id}/photos`, await photoForm('ph-after-1', 'after'))).status).toBe(200)
    expect((await detail(id)).properties.photos!.map((p) => p.role)).toEqual(['after'])
  })

  test('a photo with an unknown role is a 400 and stores nothing', async () => {
    const id = await task()
    await expectProblem(await patrol.post(`/api/hazards/${id}/photos`, await photoForm('ph-bad', 'during')), 400)
    expect((await detail(id)).properties.photos).toEqual([])
  })
})

describe('walking directions (GET /api/route/walk)', () => {
  test('from 300 m away the way follows the roads: it starts at the phone, ends at the matter, and is no shorter than the straight line', async () => {
    const id = await task()
    const from = { lon: inside.lon, lat: inside.lat - 300 / M_PER_DEG }
    const res = await patrol.get(`/api/route/walk?from=${from.lon},${from.lat}&hazardId=${id}`)
    expect(res.status, await res.clone().text()).toBe(200)
    const walk = (await res.json()) as Walk
    expect(walk.geometry?.type).toBe('LineString')
    const line = walk.geometry!.coordinates
    expect(line[0]).toEqual([from.lon, from.lat])
    expect(line.at(-1)![0]).toBeCloseTo(inside.lon, 6)
    expect(line.at(-1)![1]).toBeCloseTo(inside.lat, 6)
    expect(line.length).toBeGreaterThan(3)
    expect(walk.properties.reason).toBeNull()
    expect(walk.properties.straightM).toBeGreaterThan(290)
    expect(walk.properties.distanceM).toBeGreaterThanOrEqual(walk.properties.straightM)
    expect(walk.properties.minutes).toBe(Math.max(1, Math.round(walk.properties.distanceM / 1.2 / 60)))
  })

  test('a footpath imported between two walks is walked at once (the kept graph follows the roads)', async () => {
    const id = await task()
    const from = { lon: inside.lon + 250 / (M_PER_DEG * Math.cos((inside.lat * Math.PI) / 180)), lat: inside.lat - 200 / M_PER_DEG }
    const walk = async (): Promise<Walk> => (await (await patrol.get(`/api/route/walk?from=${from.lon},${from.lat}&hazardId=${id}`)).json()) as Walk
    const before = await walk()
    expect(before.properties.distanceM).toBeGreaterThan(before.properties.straightM + 20)
    const admin = await server.login('admin')
    const [c] = await server.db.sql<{ id: number }[]>`select community_id::int as id from hazards where id = ${id}`
    const path = { type: 'Feature', properties: { kind: 'path', kind_detail: 'footway' }, geometry: { type: 'LineString', coordinates: [[from.lon, from.lat], [inside.lon, inside.lat]] } }
    const imported = await admin.post(`/api/import/roads?communityId=${c!.id}`, { type: 'FeatureCollection', features: [path] })
    expect(imported.status, await imported.clone().text()).toBe(200)
    const after = await walk()
    expect(after.properties.distanceM).toBeCloseTo(after.properties.straightM, -1)
  })

  test('another community’s member gets 404 for the matter', async () => {
    const id = await task()
    await expectProblem(await otherPatrol.get(`/api/route/walk?from=${inside.lon},${inside.lat}&hazardId=${id}`), 404)
  })

  test('a position far outside the community is a 422', async () => {
    const id = await task()
    await expectProblem(await patrol.get(`/api/route/walk?from=${inside.lon + 0.2},${inside.lat}&hazardId=${id}`), 422)
  })

  test('a malformed position is a 400', async () => {
    const id = await task()
    await expectProblem(await patrol.get(`/api/route/walk?from=abc&hazardId=${id}`), 400)
  })
})
