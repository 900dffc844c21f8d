/**
 * The street office's overview (街道总览, issue 19.3) against a real server: a row per community the caller may
 * see with open, overdue, critical, waiting-for-review and on-duty counts, equal to the database's; scoped to
 * the caller's communities; not for patrol members or partner units.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Row {
  communityId: number
  name: string
  open: number
  overdue: number
  critical: number
  pendingReview: number
  onDuty: number
}

let server: TestServer
let admin: Client
let demoId: number

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  const [c] = await server.db.sql<{ id: number }[]>`select id::int from communities order by id limit 1`
  demoId = c!.id
})
afterAll(async () => {
  await server?.close()
})

async function overview(client: Client): Promise<Row[]> {
  const res = await client.get('/api/stats/communities')
  expect(res.status, await res.clone().text()).toBe(200)
  return ((await res.json()) as { items: Row[] }).items
}

/** A new community far from the demo with one critical hazard in it. */
async function communityWithCriticalHazard(name: string, lon: number): Promise<number> {
  const created = await admin.post('/api/communities', {
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: [[[lon, 30.0], [lon + 0.01, 30.0], [lon + 0.01, 30.01], [lon, 30.01], [lon, 30.0]]] },
    properties: { name },
  })
  expect(created.status).toBe(201)
  const id = ((await created.json()) as { id: number }).id
  const hazard = await admin.post('/api/hazards', {
    category: 'fire_lane_blocked',
    severity: 'critical',
    description: '消防通道被车辆堵塞',
    location: { lon: lon + 0.005, lat: 30.005 },
  })
  expect(hazard.status, await hazard.clone().text()).toBe(201)
  return id
}

test('each community’s row holds what the database holds', async () => {
  const other = await communityWithCriticalHazard('总览测试社区', 114.0)
  const rows = await overview(admin)
  expect(rows.find((r) => r.communityId === other)).toEqual({ communityId: other, name: '总览测试社区', open: 1, overdue: 0, critical: 1, pendingReview: 0, onDuty: 0 })
  const [truth] = await server.db.sql<Omit<Row, 'communityId' | 'name' | 'onDuty'>[]>`
    select count(*) filter (where status not in ('verified', 'rejected', 'pending_review'))::int as open,
           count(*) filter (where status not in ('verified', 'rejected', 'pending_review') and due_at < now())::int as overdue,
           count(*) filter (where status not in ('verified', 'rejected', 'pending_review') and severity = 'critical')::int as critical,
           count(*) filter (where status = 'pending_review')::int as "pendingReview"
    from hazards where community_id = ${demoId}`
  const [duty] = await server.db.sql<{ n: number }[]>`
    select count(*)::int as n from duty_sessions where community_id = ${demoId} and stopped_at is null and started_at > now() - interval '12 hours'`
  expect(rows.find((r) => r.communityId === demoId)).toMatchObject({ ...truth, onDuty: duty!.n })
  // Most overdue first.
  const overdue = rows.map((r) => r.overdue)
  expect(overdue).toEqual([...overdue].sort((a, b) => b - a))
})

test('a command centre sees only its own communities’ rows', async () => {
  await communityWithCriticalHazard('他人社区', 114.1)
  const command = await server.login('command')
  const rows = await overview(command)
  expect(rows.map((r) => r.communityId)).toEqual([demoId])
})

test('patrol members and partner units may not read the overview', async () => {
  for (const name of ['patrol', 'wuye']) {
    const res = await (await server.login(name)).get('/api/stats/communities')
    expect(res.status).toBe(403)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
  }
})
