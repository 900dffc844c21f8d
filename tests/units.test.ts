import sharp from 'sharp'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Unit {
  id: number
  name: string
  kind: string
  contact: string | null
  active: boolean
  communityIds: number[]
  accountCount: number
}
interface Feature {
  id: number
  properties: Record<string, unknown> & {
    status: string
    unitId: number | null
    unitName: string | null
    events: { to: string; unitId: number | null; unitName: string | null; by: string }[]
    comments: { note: string; unitName: string | null; by: string }[]
  }
}

let server: TestServer
let admin: Client
let command: Client
let wuye: Client
let police: Client
let communityId: number
let otherCommunityId: number
let property: number
let policeUnit: number
let fireUnit: number
let spot: { lon: number; lat: number }
let seq = 0

const sql = () => server.db.sql

/** A fresh matter in `community` (reported, no unit), optionally handed to `unitId` as dispatched. */
async function matter(unitId: number | null = null, community = communityId, status = unitId === null ? 'reported' : 'dispatched'): Promise<number> {
  const [h] = await sql()<{ id: number }[]>`
    insert into hazards (community_id, category, severity, status, geom, reported_at, due_at, description, unit_id)
    values (${community}, 'corridor_clutter', 'minor', ${status}, ST_SetSRID(ST_MakePoint(${spot.lon}, ${spot.lat}), 4326),
            now() - interval '1 hour', now() + interval '1 day', ${`units test ${++seq}`}, ${unitId})
    returning id::int`
  return h!.id
}

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.login('admin')
  command = await server.login('command')
  wuye = await server.login('wuye')
  police = await server.login('police')
  const [c] = await sql()<{ id: number; lon: number; lat: number }[]>`
    select id::int, ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities order by id limit 1`
  communityId = c!.id
  spot = { lon: c!.lon, lat: c!.lat }
  const [o] = await sql()<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary, district_id)
    values ('单位测试社区B', 32650, ST_Multi(ST_MakeEnvelope(114.60, 30.70, 114.61, 30.71, 4326)), (select district_id from users where username = 'admin'))
    returning id::int`
  otherCommunityId = o!.id
  const units = await sql()<{ id: number; kind: string }[]>`select id::int, kind from partner_units order by id`
  property = units.find((u) => u.kind === 'property')!.id
  policeUnit = units.find((u) => u.kind === 'police')!.id
  fireUnit = units.find((u) => u.kind === 'fire')!.id
})
afterAll(async () => {
  await server?.close()
})

test('the demo seed has three partner units of the community, with the accounts wuye and police', async () => {
  const res = await admin.get(`/api/units?communityId=${communityId}`)
  expect(res.status).toBe(200)
  const { items } = (await res.json()) as { items: Unit[] }
  expect(items.map((u) => u.kind)).toEqual(expect.arrayContaining(['property', 'police', 'fire']))
  expect(items.find((u) => u.id === property)).toMatchObject({ communityIds: [communityId], accountCount: 1, active: true })
  const me = (await (await wuye.get('/api/auth/me')).json()) as { user: { role: string; unitId: number; communityIds: number[] } }
  expect(me.user).toMatchObject({ role: 'partner', unitId: property, communityIds: [communityId] })
})

test('an admin creates and edits a unit serving two communities; the writes are audited', async () => {
  const res = await admin.post('/api/units', { name: '光谷燃气服务站', kind: 'utility', contact: '027-0000 0000', communityIds: [communityId, otherCommunityId] })
  expect(res.status).toBe(201)
  const unit = (await res.json()) as Unit
  expect(unit).toMatchObject({ name: '光谷燃气服务站', kind: 'utility', active: true, communityIds: [communityId, otherCommunityId].sort((a, b) => a - b) })
  expect(res.headers.get('location')).toBe(`/api/units/${unit.id}`)
  const put = await admin.put(`/api/units/${unit.id}`, { name: '光谷燃气', active: false, communityIds: [communityId] })
  expect(put.status).toBe(200)
  expect(await put.json()).toMatchObject({ name: '光谷燃气', kind: 'utility', active: false, communityIds: [communityId] })
  const audit = await sql()<{ action: string }[]>`select action from audit_log where entity = 'unit' and entity_id = ${String(unit.id)} order by id`
  expect(audit.map((a) => a.action)).toEqual(['create', 'deactivate'])
})

test('a unit without a name, of an unknown kind or serving no community is refused and nothing is stored', async () => {
  const [before] = await sql()<{ n: number }[]>`select count(*)::int as n from partner_units`
  for (const body of [
    { name: '', kind: 'police', communityIds: [communityId] },
    { name: '某单位', kind: 'army', communityIds: [communityId] },
    { name: '某单位', kind: 'police', communityIds: [] },
    { name: '某单位', kind: 'police', communityIds: [communityId], extra: 1 },
  ]) {
    const res = await admin.post('/api/units', body)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toMatch(/problem\+json/)
  }
  // A community outside the admin's street office (or none at all) is refused without saying which.
  expect((await admin.post('/api/units', { name: '某单位', kind: 'police', communityIds: [999_999] })).status).toBe(403)
  const [after] = await sql()<{ n: number }[]>`select count(*)::int as n from partner_units`
  expect(after!.n).toBe(before!.n)
})

test('only an admin manages units; others read the units of their communities', async () => {
  expect((await command.post('/api/units', { name: 'x', kind: 'other', communityIds: [communityId] })).status).toBe(403)
  expect((await command.put(`/api/units/${property}`, { name: 'x' })).status).toBe(403)
  expect((await wuye.post('/api/units', { name: 'x', kind: 'other', communityIds: [communityId] })).status).toBe(403)
  const listed = ((await (await command.get('/api/units')).json()) as { items: Unit[] }).items
  expect(listed.map((u) => u.id)).toEqual(expect.arrayContaining([property, policeUnit, fireUnit]))
})

test('a partner account reads its own unit only', async () => {
  const listed = ((await (await wuye.get('/api/units')).json()) as { items: Unit[] }).items
  expect(listed.map((u) => u.id)).toEqual([property])
  expect((await wuye.get(`/api/units/${policeUnit}`)).status).toBe(404)
})

test('an account of role partner needs its unit (422 without) and sees the unit’s communities', async () => {
  const without = await admin.post('/api/users', { username: `p-none-${++seq}`, name: '无单位', role: 'partner', communityIds: [communityId] })
  expect(without.status).toBe(422)
  expect(((await without.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('unitId')
  const wrongRole = await admin.post('/api/users', { username: `p-wrong-${++seq}`, name: '队长', role: 'leader', unitId: property, communityIds: [communityId] })
  expect(wrongRole.status).toBe(422)
  const res = await admin.post('/api/users', { username: `p-fire-${++seq}`, name: '消防站值班', role: 'partner', unitId: fireUnit, password: 'a-good-passphrase', mustChangePassword: false })
  expect(res.status).toBe(201)
  const account = (await res.json()) as { unitId: number; unitName: string; communityIds: number[]; role: string }
  expect(account).toMatchObject({ role: 'partner', unitId: fireUnit, communityIds: [communityId] })
  expect(account.unitName).toBe('光谷消防救援站')
})

test('a partner lists, opens and downloads only the matters handed to its unit', async () => {
  const mine = await matter(property)
  const theirs = await matter(policeUnit)
  const nobody = await matter(null)
  const list = (await (await wuye.get('/api/hazards?limit=500')).json()) as { features: Feature[] }
  const ids = list.features.map((f) => f.id)
  expect(ids).toContain(mine)
  expect(ids).not.toContain(theirs)
  expect(ids).not.toContain(nobody)
  expect(list.features.every((f) => f.properties.unitId === property)).toBe(true)
  // Asking for another unit's matters changes nothing.
  const asked = (await (await wuye.get(`/api/hazards?unitId=${policeUnit}&limit=500`)).json()) as { features: Feature[] }
  expect(asked.features.every((f) => f.properties.unitId === property)).toBe(true)
  expect((await wuye.get(`/api/hazards/${mine}`)).status).toBe(200)
  expect((await wuye.get(`/api/hazards/${theirs}`)).status).toBe(404)
  expect((await wuye.get(`/api/hazards/${nobody}`)).status).toBe(404)
  const csv = await (await wuye.get('/api/hazards?format=csv')).text()
  expect(csv).toContain(`units test`)
  expect(csv).not.toMatch(new RegExp(`units test ${seq - 1}\\b`))
  // Everyone else with the community in scope still sees them all.
  expect((await command.get(`/api/hazards/${theirs}`)).status).toBe(200)
})

test('a partner accepts, rectifies with a photo and comments on its unit’s matter, and nothing of another unit', async () => {
  const id = await matter(property)
  const other = await matter(policeUnit)
  const accept = await wuye.post(`/api/hazards/${id}/transition`, { to: 'rectifying', note: '物业已接单' })
  expect(accept.status).toBe(200)
  const png = new Uint8Array(await sharp({ create: { width: 16, height: 16, channels: 3, background: '#0c0' } }).png().toBuffer())
  const form = new FormData()
  form.append('photo', new Blob([png], { type: 'image/png' }), 'fixed.png')
  expect((await wuye.send('POST', `/api/hazards/${id}/photos`, form)).status).toBe(201)
  expect((await wuye.post(`/api/hazards/${id}/transition`, { to: 'rectified' })).status).toBe(200)
  const comment = await wuye.post(`/api/hazards/${id}/comments`, { note: '楼道杂物已清理，已通知业主' })
  expect(comment.status).toBe(201)
  const f = (await comment.json()) as Feature
  expect(f.properties.status).toBe('rectified')
  expect(f.properties.comments).toEqual([expect.objectContaining({ note: '楼道杂物已清理，已通知业主', unitName: '光谷广场物业服务中心' })])
  expect(f.properties.events.find((e) => e.to === 'rectifying')).toMatchObject({ unitId: property })
  // Not its unit's: 404 for every write; and no closing, dispatching or new reports.
  expect((await wuye.post(`/api/hazards/${other}/transition`, { to: 'rectifying' })).status).toBe(404)
  expect((await wuye.post(`/api/hazards/${other}/comments`, { note: 'x' })).status).toBe(404)
  expect((await wuye.post(`/api/hazards/${id}/transition`, { to: 'verified' })).status).toBe(403)
  expect((await wuye.post('/api/hazards', { category: 'other', severity: 'minor', location: spot })).status).toBe(403)
  expect((await wuye.post(`/api/hazards/${id}/comments`, { note: '' })).status).toBe(400)
})

test('a partner never sees people, tracks, positions, coverage, reports or map layers', async () => {
  const paths = [
    '/api/people',
    '/api/teams',
    '/api/users',
    '/api/devices',
    '/api/tracks',
    '/api/checkins',
    '/api/analysis/coverage',
    '/api/zones',
    `/api/layers/buildings?communityId=${communityId}`,
    '/api/tiles/hazards/14/13400/6900.mvt',
    '/api/reports/week',
    '/api/audit',
    '/ogc/collections',
  ]
  for (const path of paths) {
    const res = await wuye.get(path)
    expect([path, res.status]).toEqual([path, 403])
  }
})

test('the live stream sends a partner only its unit’s matters, never positions', async () => {
  const ac = new AbortController()
  const res = await fetch(`${server.url}/api/live`, { headers: { authorization: `Bearer ${police.token}` }, signal: ac.signal })
  expect(res.status).toBe(200)
  const reader = res.body!.getReader()
  let text = ''
  const read = (async () => {
    const decoder = new TextDecoder()
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
      if (done) break
      text += decoder.decode(value)
    }
  })()
  await new Promise((r) => setTimeout(r, 300))
  const mine = await matter(null)
  const theirs = await matter(null)
  expect((await command.post(`/api/hazards/${theirs}/transition`, { to: 'dispatched', unitId: property })).status).toBe(200)
  expect((await command.post(`/api/hazards/${mine}/transition`, { to: 'dispatched', unitId: policeUnit })).status).toBe(200)
  await expect.poll(() => text).toContain(`"id":${mine}`)
  ac.abort()
  await read
  expect(text).not.toContain(`"id":${theirs},`)
  expect(text).not.toMatch(/event: (position|checkin)/)
})

test('dispatch hands a matter to a unit of its community; the timeline shows it; another community’s unit is refused', async () => {
  const id = await matter(null)
  const [u] = await sql()<{ id: number }[]>`insert into partner_units (name, kind) values ('B社区物业', 'property') returning id::int`
  await sql()`insert into partner_unit_communities (community_id, unit_id) values (${otherCommunityId}, ${u!.id})`
  const wrong = await command.post(`/api/hazards/${id}/transition`, { to: 'dispatched', unitId: u!.id })
  expect(wrong.status).toBe(422)
  expect(((await wrong.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('unitId')
  const [still] = await sql()<{ status: string; unitId: number | null }[]>`select status, unit_id as "unitId" from hazards where id = ${id}`
  expect(still).toEqual({ status: 'reported', unitId: null })
  const res = await command.post(`/api/hazards/${id}/transition`, { to: 'dispatched', unitId: fireUnit, note: '转消防站处置' })
  expect(res.status).toBe(200)
  const f = (await res.json()) as Feature
  expect(f.properties).toMatchObject({ status: 'dispatched', unitId: fireUnit, unitName: '光谷消防救援站' })
  expect(f.properties.events.at(-1)).toMatchObject({ to: 'dispatched', unitId: fireUnit, unitName: '光谷消防救援站' })
  // Handing it to another unit is a reassignment.
  const again = await command.post(`/api/hazards/${id}/transition`, { to: 'dispatched', unitId: property })
  expect(again.status).toBe(200)
  expect(((await again.json()) as Feature).properties.unitId).toBe(property)
  expect((await command.post(`/api/hazards/${id}/transition`, { to: 'rectifying', unitId: property })).status).toBe(422)
})

test('/api/stats has byUnit with handed, responded, closed and the rates; a partner gets its own unit only', async () => {
  const stats = (await (await command.get('/api/stats')).json()) as {
    byUnit: { unitId: number; name: string; handed: number; responded: number; responseBase: number; closed: number; onTime: number; responseRate: number | null; closureRate: number | null }[]
  }
  const p = stats.byUnit.find((u) => u.unitId === property)!
  expect(p.handed).toBeGreaterThan(50)
  // Responded = arrived on site within 7 minutes, over the matters not found on patrol (contract v2).
  expect(p.responseBase).toBeLessThanOrEqual(p.handed)
  expect(p.responseRate).toBeCloseTo(p.responded / p.responseBase, 10)
  expect(p.closureRate).toBeCloseTo(p.closed / p.handed, 10)
  expect(p.onTime).toBeLessThanOrEqual(p.closed)
  expect(stats.byUnit.map((u) => u.unitId)).toEqual(expect.arrayContaining([property, policeUnit, fireUnit]))
  const own = (await (await police.get('/api/stats')).json()) as { hazards: { total: number }; byUnit: { unitId: number; handed: number }[] }
  expect(own.byUnit.map((u) => u.unitId)).toEqual([policeUnit])
  expect(own.hazards.total).toBe(own.byUnit[0]!.handed)
})

test('the seeded property company answers every matter handed to it and closes over 98 % of them', async () => {
  const [r] = await sql()<{ handed: number; responded: number; closed: number }[]>`
    select count(*)::int as handed, count(responded_at)::int as responded, count(*) filter (where status = 'verified')::int as closed
    from hazards where unit_id = ${property} and description not like 'units test%' and status <> 'rejected'`
  expect(r!.handed).toBeGreaterThan(50)
  expect(r!.responded).toBe(r!.handed)
  expect(r!.closed / r!.handed).toBeGreaterThan(0.98)
})

test('the week and month reports carry the per-unit table (not the day report), with the same figures as byUnit', async () => {
  const date = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
  const month = (await (await command.get(`/api/reports/month?date=${date}&communityId=${communityId}&format=json`)).json()) as {
    window: { from: string; to: string }
    byUnit: { unitId: number; handed: number; closed: number }[]
  }
  const p = month.byUnit.find((u) => u.unitId === property)!
  expect(p.handed).toBeGreaterThan(0)
  const stats = (await (await command.get(`/api/stats?communityId=${communityId}&from=${month.window.from}&to=${month.window.to}`)).json()) as { byUnit: { unitId: number; handed: number; closed: number }[] }
  expect(stats.byUnit.find((u) => u.unitId === property)).toMatchObject({ handed: p.handed, closed: p.closed })
  const week = await (await command.get(`/api/reports/week?date=${date}&communityId=${communityId}`)).text()
  expect(week).toContain('共建单位办理情况')
  expect(week).toContain('光谷广场物业服务中心')
  const day = await (await command.get(`/api/reports/day?date=${date}&communityId=${communityId}`)).text()
  expect(day).not.toContain('共建单位办理情况')
})
