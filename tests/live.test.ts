import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createApp } from '../server/app.ts'
import { hashPassword } from '../server/domain/password.ts'
import { LiveHub, type LiveEvent } from '../server/live/hub.ts'
import { createUser } from '../server/queries/users.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'
import { openSse, type SseEvent, type SseStream } from './helpers/sse.ts'

let server: TestServer
let patrol: Client
let leader: Client
let leaderB: Client
let spot: { lon: number; lat: number }

function connect(client: Client, headers: Record<string, string> = {}): Promise<SseStream> {
  return openSse(server.url, client.token, headers)
}

async function report(client: Client, location = spot): Promise<number> {
  const res = await client.post('/api/hazards', { category: 'poor_lighting', severity: 'minor', location })
  expect(res.status).toBe(201)
  return ((await res.json()) as { id: number }).id
}

const isHazard = (id: number) => (e: SseEvent) => e.event === 'hazard' && (JSON.parse(e.data) as { id: number }).id === id

beforeAll(async () => {
  server = await startTestServer()
  patrol = await server.login('patrol')
  leader = await server.login('leader')
  const [p] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities order by id limit 1`
  spot = p!
  const [c] = await server.db.sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('测试社区B', 32650, ST_Multi(ST_MakeEnvelope(114.50, 30.60, 114.51, 30.61, 4326))) returning id`
  await createUser(server.db.sql, { username: 'leader-b', name: '乙社区队长', role: 'leader', passwordHash: await hashPassword('b-secret'), communityIds: [c!.id] })
  leaderB = await server.login('leader-b', 'b-secret')
})
afterAll(async () => {
  await server?.close()
})

test('the live stream needs a signed-in user', async () => {
  const res = await fetch(`${server.url}/api/live`)
  expect(res.status).toBe(401)
  expect(res.headers.get('content-type')).toContain('application/problem+json')
})

test('a new hazard arrives on the stream as a Feature with an id', async () => {
  const stream = await connect(leader)
  expect(stream.status).toBe(200)
  expect(stream.contentType).toContain('text/event-stream')
  const id = await report(patrol)
  const e = await stream.until(isHazard(id))
  stream.close()
  expect(e).toBeDefined()
  expect(Number(e!.id)).toBeGreaterThan(0)
  const feature = JSON.parse(e!.data) as { type: string; id: number; properties: { status: string; communityId: number } }
  expect(feature.type).toBe('Feature')
  expect(feature.properties.status).toBe('reported')
  expect(e!.data).not.toMatch(/1[3-9]\d{9}/) // no phone numbers
})

test('a transition arrives as a hazard event with the new status', async () => {
  const id = await report(patrol)
  const stream = await connect(patrol)
  expect((await leader.post(`/api/hazards/${id}/transition`, { to: 'dispatched' })).status).toBe(200)
  const e = await stream.until(isHazard(id))
  stream.close()
  expect((JSON.parse(e!.data) as { properties: { status: string } }).properties.status).toBe('dispatched')
})

test('a reconnect with Last-Event-ID gets what it missed', async () => {
  const first = await connect(leader)
  const seen = await report(patrol)
  const e = await first.until(isHazard(seen))
  first.close()
  await first.ended
  const missed = await report(patrol)
  const again = await connect(leader, { 'last-event-id': e!.id })
  const got = await again.next()
  again.close()
  expect(got && isHazard(missed)(got)).toBe(true)
  expect(Number(got!.id)).toBeGreaterThan(Number(e!.id))
})

test('without Last-Event-ID nothing old is replayed', async () => {
  await report(patrol)
  const stream = await connect(leader)
  const e = await stream.next(300)
  stream.close()
  expect(e).toBeUndefined()
})

test('a user receives only the events of communities they may see', async () => {
  const stream = await connect(leaderB)
  await report(patrol) // community A
  const own = await report(leaderB, { lon: 114.505, lat: 30.605 }) // community B
  const e = await stream.next()
  stream.close()
  expect(e && isHazard(own)(e)).toBe(true)
})

test('a replay skips other communities too', async () => {
  const [row] = await server.db.sql<{ id: number }[]>`select coalesce(max(id), 0)::bigint as id from live_events`
  await report(patrol)
  const own = await report(leaderB, { lon: 114.506, lat: 30.606 })
  const stream = await connect(leaderB, { 'last-event-id': String(row!.id) })
  const e = await stream.next()
  stream.close()
  expect(e && isHazard(own)(e)).toBe(true)
})

test('a quiet stream gets a heartbeat comment', async () => {
  const app = createApp({ sql: server.db.sql, live: new LiveHub({ heartbeatMs: 100 }) })
  const abort = new AbortController()
  const res = await app.request('/api/live', { headers: { authorization: `Bearer ${leader.token}` }, signal: abort.signal })
  expect(res.status).toBe(200)
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  const deadline = Date.now() + 2000
  while (!text.includes(': ping') && Date.now() < deadline) text += (await reader.read()).value ?? ''
  abort.abort()
  await reader.cancel().catch(() => {})
  expect(text).toContain(': ping')
})

describe('the hub', () => {
  const event = (id: number, communityId: number | null): LiveEvent => ({ id, type: 'hazard', communityId, data: { id }, at: new Date().toISOString() })

  test('fans an event out only to streams that may see its community', () => {
    const hub = new LiveHub()
    const got: Record<string, number[]> = { a: [], b: [], all: [] }
    hub.subscribe([1], (e) => got.a!.push(e.id), () => {})
    hub.subscribe([2], (e) => got.b!.push(e.id), () => {})
    hub.subscribe(null, (e) => got.all!.push(e.id), () => {})
    hub.publish(event(1, 1))
    hub.publish(event(2, 2))
    hub.publish(event(3, null))
    expect(got).toEqual({ a: [1], b: [2], all: [1, 2, 3] })
  })

  test('delivers an id once even when published twice', () => {
    const hub = new LiveHub()
    const got: number[] = []
    hub.subscribe(null, (e) => got.push(e.id), () => {})
    hub.publish(event(7, 1))
    hub.publish(event(7, 1))
    expect(got).toEqual([7])
  })

  test('closing ends every stream, and unsubscribing stops delivery', () => {
    const hub = new LiveHub()
    let closed = 0
    const got: number[] = []
    const off = hub.subscribe(null, (e) => got.push(e.id), () => closed++)
    hub.subscribe(null, () => {}, () => closed++)
    off()
    hub.publish(event(1, 1))
    hub.close()
    expect({ got, closed, size: hub.size }).toEqual({ got: [], closed: 1, size: 0 })
  })
})

test('closing the server ends open streams', async () => {
  const stream = await connect(leader)
  const closed = server.close()
  await expect(Promise.race([stream.ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('hung'), 5000))])).resolves.toBe('ended')
  await closed
})
