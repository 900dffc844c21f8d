import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

/** Issue 19, item 4: an overdue matter in 整改中 can be reassigned and chased (催办). */
let server: TestServer
let command: Client
let patrol: Client
let fx: { communityId: number; lon: number; lat: number; people: number[] }

async function overdueRectifying(): Promise<number> {
  const [h] = await server.db.sql<{ id: number }[]>`
    insert into hazards (community_id, category, severity, status, geom, reported_at, due_at, description, assignee_id, responded_at)
    values (${fx.communityId}, 'other', 'minor', 'rectifying', ST_SetSRID(ST_MakePoint(${fx.lon}, ${fx.lat}), 4326),
            now() - interval '5 days', now() - interval '2 days', 'reminder test', ${fx.people[0]!}, now() - interval '4 days')
    returning id::int`
  return h!.id
}

beforeAll(async () => {
  server = await startTestServer()
  command = await server.login('command')
  patrol = await server.login('patrol')
  const [c] = await server.db.sql<{ id: number; lon: number; lat: number }[]>`
    select id::int, ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities order by id limit 1`
  const people = await server.db.sql<{ id: number }[]>`select id::int from people where community_id = ${c!.id} and active order by id limit 2`
  fx = { communityId: c!.id, lon: c!.lon, lat: c!.lat, people: people.map((p) => p.id) }
  await server.db.sql`
    insert into alert_channels (community_id, name, provider, url, events, enabled)
    values (${fx.communityId}, '超期群', 'webhook', 'http://127.0.0.1:9/hook', array['overdue'], true)`
})
afterAll(async () => {
  await server?.close()
})

test('催办 writes a timeline entry, a live event and an alert delivery naming the assignee', async () => {
  const id = await overdueRectifying()
  const res = await command.post(`/api/hazards/${id}/remind`, { note: '请今天处理' })
  expect(res.status).toBe(201)
  expect(await res.json()).toMatchObject({ hazardId: id, assigneeId: fx.people[0], note: '请今天处理', alerts: 1 })
  const detail = (await (await command.get(`/api/hazards/${id}`)).json()) as { properties: { status: string; events: { kind: string; note: string | null }[] } }
  expect(detail.properties.status).toBe('rectifying')
  expect(detail.properties.events.at(-1)).toMatchObject({ kind: 'reminder', note: '请今天处理' })
  const [live] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from live_events where type = 'reminder' and (data->>'hazardId')::int = ${id}`
  expect(live!.n).toBe(1)
  const deliveries = await server.db.sql<{ event: string; payload: { title: string } }[]>`select event, payload from alert_deliveries where hazard_id = ${id}`
  expect(deliveries).toHaveLength(1)
  expect(deliveries[0]!.event).toBe('reminder')
  expect(deliveries[0]!.payload.title).toContain('催办')
})

test('a second reminder within the hour is refused with 429 and changes nothing', async () => {
  const id = await overdueRectifying()
  expect((await command.post(`/api/hazards/${id}/remind`, {})).status).toBe(201)
  const again = await command.post(`/api/hazards/${id}/remind`, {})
  expect(again.status).toBe(429)
  expect(((await again.json()) as { retryAfter: number }).retryAfter).toBeGreaterThan(3000)
  const [n] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from hazard_events where hazard_id = ${id} and kind = 'reminder'`
  expect(n!.n).toBe(1)
})

test('a patrol member may not chase (403); a matter with nobody to chase is a 409', async () => {
  const id = await overdueRectifying()
  expect((await patrol.post(`/api/hazards/${id}/remind`, {})).status).toBe(403)
  const [h] = await server.db.sql<{ id: number }[]>`
    insert into hazards (community_id, category, severity, status, geom, reported_at, due_at)
    values (${fx.communityId}, 'other', 'minor', 'reported', ST_SetSRID(ST_MakePoint(${fx.lon}, ${fx.lat}), 4326), now(), now() + interval '1 day') returning id::int`
  expect((await command.post(`/api/hazards/${h!.id}/remind`, {})).status).toBe(409)
})

test('an overdue matter in 整改中 is handed to someone else (back to dispatched with the new assignee)', async () => {
  const id = await overdueRectifying()
  const same = await command.post(`/api/hazards/${id}/transition`, { to: 'dispatched', assigneeId: fx.people[0] })
  expect(same.status).toBe(409)
  const res = await command.post(`/api/hazards/${id}/transition`, { to: 'dispatched', assigneeId: fx.people[1] })
  expect(res.status).toBe(200)
  expect(((await res.json()) as { properties: { status: string; assigneeId: number } }).properties).toMatchObject({ status: 'dispatched', assigneeId: fx.people[1] })
})
