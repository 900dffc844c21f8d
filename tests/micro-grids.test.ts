import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

/**
 * Micro-grids (微网格, issue #14): zones nest in a grid of the same community through `properties.parentId`.
 * A hand-built 200 m × 200 m community at 114.52,30.62 (UTM 50N) with two grids side by side:
 * A = the west half (x 0–100), B = the east half (x 100–200). Rectangles are made in UTM metres.
 */

interface Polygon {
  type: 'Polygon'
  coordinates: number[][][]
}
interface ZoneFeature {
  id: number
  properties: { id: number; name: string; parentId: number | null; assigneeId: number | null }
  overlaps: { zoneId: number; areaM2: number }[]
}
interface Problem {
  status: number
  detail: string
  errors?: { path: string; message: string }[]
}
interface Tier {
  parentId: number
  count: number
  overlaps: { a: number; b: number; areaM2: number }[]
  gaps: { areaM2: number; geometry: { type: string } }
  coverage: number
}
interface Check {
  overlaps: { a: number; b: number; areaM2: number }[]
  gaps: { areaM2: number }
  coverage: number
  microGrids: Tier[]
}

const SRID = 32650
let server: TestServer
let planner: Client
let patrol: Client
let communityId: number
let x0: number
let y0: number
let gridA: ZoneFeature
let gridB: ZoneFeature
/** The grid's person and the micro-grid's person. */
let gridPerson: number
let microPerson: number

async function rect(minX: number, minY: number, maxX: number, maxY: number): Promise<Polygon> {
  const [row] = await server.db.sql<{ g: Polygon }[]>`
    select ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Transform(ST_MakeEnvelope(${x0 + minX}, ${y0 + minY}, ${x0 + maxX}, ${y0 + maxY}, ${SRID}::int), 4326)), 12)::json as g`
  return row!.g
}

async function lonLat(x: number, y: number): Promise<{ lon: number; lat: number }> {
  const [row] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(p) as lon, ST_Y(p) as lat from ST_Transform(ST_SetSRID(ST_MakePoint(${x0 + x}, ${y0 + y}), ${SRID}::int), 4326) p`
  return row!
}

const feature = (geometry: unknown, properties: Record<string, unknown>) => ({ type: 'Feature', geometry, properties: { communityId, ...properties } })

async function create(geometry: unknown, properties: Record<string, unknown>): Promise<ZoneFeature> {
  const res = await planner.post('/api/zones', feature(geometry, properties))
  if (res.status !== 201) throw new Error(`create zone: ${res.status} ${await res.text()}`)
  return (await res.json()) as ZoneFeature
}

async function zoneCount(): Promise<number> {
  const [row] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from zones where community_id = ${communityId}`
  return row!.n
}

async function check(): Promise<Check> {
  const res = await planner.get(`/api/zones/check?communityId=${communityId}`)
  expect(res.status).toBe(200)
  return (await res.json()) as Check
}

async function deleteMicroGrids(): Promise<void> {
  const ids = await server.db.sql<{ id: number }[]>`select id from zones where community_id = ${communityId} and parent_id is not null order by id`
  for (const { id } of ids) expect((await planner.del(`/api/zones/${id}`)).status).toBe(204)
}

beforeAll(async () => {
  server = await startTestServer()
  const sql = server.db.sql
  const [origin] = await sql<{ x: number; y: number }[]>`
    select ST_X(p) as x, ST_Y(p) as y from ST_Transform(ST_SetSRID(ST_MakePoint(114.52, 30.62), 4326), ${SRID}::int) p`
  x0 = origin!.x
  y0 = origin!.y
  const [c] = await sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('微网格测试社区', ${SRID}, ST_Multi(ST_Transform(ST_MakeEnvelope(${x0}, ${y0}, ${x0 + 200}, ${y0 + 200}, ${SRID}::int), 4326)))
    returning id`
  communityId = c!.id
  await sql`insert into user_communities (user_id, community_id)
            select id, ${communityId} from users where username in ('planner', 'patrol') on conflict do nothing`
  const people = await sql<{ id: number }[]>`
    insert into people (community_id, name, title) values (${communityId}, '网格员甲', '网格员'), (${communityId}, '微网格员乙', '微网格员')
    returning id`
  gridPerson = people[0]!.id
  microPerson = people[1]!.id
  planner = await server.login('planner')
  patrol = await server.login('patrol')
  gridA = await create(await rect(0, 0, 100, 200), { name: '甲网格', assigneeId: gridPerson })
  gridB = await create(await rect(100, 0, 200, 200), { name: '乙网格' })
})
afterAll(async () => {
  await server?.close()
})

test('a micro-grid drawn inside its grid is created with its parentId, and is no overlap of its grid', async () => {
  const m = await create(await rect(0, 0, 100, 100), { name: '甲-1', parentId: gridA.id })
  expect(m.properties.parentId).toBe(gridA.id)
  expect(m.overlaps).toEqual([])
  const fc = (await (await planner.get(`/api/zones?communityId=${communityId}`)).json()) as { features: ZoneFeature[] }
  expect(fc.features.find((f) => f.id === m.id)?.properties.parentId).toBe(gridA.id)
  expect(fc.features.find((f) => f.id === gridA.id)?.properties.parentId).toBeNull()
  await deleteMicroGrids()
})

test('a micro-grid half outside its grid is refused with 422 and the reason; nothing is written', async () => {
  const before = await zoneCount()
  const res = await planner.post('/api/zones', feature(await rect(50, 0, 150, 100), { name: '越界', parentId: gridA.id }))
  expect(res.status).toBe(422)
  const body = (await res.json()) as Problem
  expect(body.detail).toMatch(/not within its grid 甲网格: 5000(\.\d)? m² \(50 %\)/)
  expect(body.errors?.[0]?.path).toBe('geometry')
  expect(await zoneCount()).toBe(before)
})

test('a micro-grid may stick out of its grid by less than 1 % of its area, not by 2 %', async () => {
  const ok = await planner.post('/api/zones', feature(await rect(0, 100, 100.4, 150), { name: '贴边', parentId: gridA.id }))
  expect(ok.status).toBe(201)
  const tooFar = await planner.post('/api/zones', feature(await rect(0, 100, 102, 150), { name: '出界', parentId: gridA.id }))
  expect(tooFar.status).toBe(422)
  await deleteMicroGrids()
})

test('a zone nested under a micro-grid is refused with 422 (two tiers only)', async () => {
  const m = await create(await rect(0, 0, 100, 100), { name: '甲-1', parentId: gridA.id })
  const res = await planner.post('/api/zones', feature(await rect(10, 10, 50, 50), { name: '三级', parentId: m.id }))
  expect(res.status).toBe(422)
  const body = (await res.json()) as Problem
  expect(body.errors).toEqual([{ path: 'properties.parentId', message: 'the parent is a micro-grid' }])
  // Nor may a grid holding micro-grids become one.
  const put = await planner.put(`/api/zones/${gridA.id}`, { type: 'Feature', properties: { parentId: gridB.id } })
  expect(put.status).toBe(422)
  await deleteMicroGrids()
})

test('a parent in another community is refused with 422: one the planner sees, and one it does not', async () => {
  const [demo] = await server.db.sql<{ id: number }[]>`select id from zones where community_id = 1 and parent_id is null order by id limit 1`
  const seen = await planner.post('/api/zones', feature(await rect(0, 0, 50, 50), { name: '跨社区', parentId: demo!.id }))
  expect(seen.status).toBe(422)
  expect(((await seen.json()) as Problem).errors?.[0]?.message).toBe('must be a grid of the zone’s community')
  const [other] = await server.db.sql<{ id: number }[]>`
    with c as (
      insert into communities (name, utm_srid, boundary)
      values ('别人的社区', ${SRID}, ST_Multi(ST_Transform(ST_MakeEnvelope(${x0 + 1000}, ${y0}, ${x0 + 1200}, ${y0 + 200}, ${SRID}::int), 4326)))
      returning id, boundary)
    insert into zones (community_id, name, geom) select id, '别人的网格', boundary from c returning id`
  const hidden = await planner.post('/api/zones', feature(await rect(0, 0, 50, 50), { name: '跨社区', parentId: other!.id }))
  expect(hidden.status).toBe(422)
  expect(((await hidden.json()) as Problem).errors?.[0]?.message).toBe('no such grid in your communities')
})

test('the check reports the overlap of two sibling micro-grids and the gap within their grid, not against other tiers', async () => {
  const m1 = await create(await rect(0, 0, 100, 100), { name: '甲-1', parentId: gridA.id })
  const m2 = await create(await rect(0, 90, 100, 150), { name: '甲-2', parentId: gridA.id })
  expect(m2.overlaps.map((o) => o.zoneId)).toEqual([m1.id])
  const result = await check()
  // The grids tile the community: no overlap, no gap, whatever the micro-grids do.
  expect(result.overlaps).toEqual([])
  expect(result.gaps.areaM2).toBeLessThan(1)
  expect(result.coverage).toBeGreaterThan(0.9999)
  expect(result.microGrids).toHaveLength(1)
  const tier = result.microGrids[0]!
  expect(tier).toMatchObject({ parentId: gridA.id, count: 2 })
  expect(tier.overlaps).toHaveLength(1)
  expect(tier.overlaps[0]).toMatchObject({ a: m1.id, b: m2.id })
  expect(Math.abs(tier.overlaps[0]!.areaM2 - 1000)).toBeLessThan(10)
  expect(Math.abs(tier.gaps.areaM2 - 5000)).toBeLessThan(50)
  expect(tier.gaps.geometry.type).toBe('MultiPolygon')
  expect(tier.coverage).toBeCloseTo(0.75, 2)
  // With ?strict=true a sibling overlap is refused, the parent is not an overlap.
  const strict = await planner.post('/api/zones?strict=true', feature(await rect(0, 140, 100, 160), { name: '甲-3', parentId: gridA.id }))
  expect(strict.status).toBe(409)
  await deleteMicroGrids()
})

test('a grid that still holds micro-grids is not deleted (409), nor reshaped to leave them outside (422)', async () => {
  const m = await create(await rect(0, 0, 100, 100), { name: '甲-1', parentId: gridA.id })
  const del = await planner.del(`/api/zones/${gridA.id}`)
  expect(del.status).toBe(409)
  expect(((await del.json()) as { microGrids: number[] }).microGrids).toEqual([m.id])
  const shrink = await planner.put(`/api/zones/${gridA.id}`, { type: 'Feature', geometry: await rect(0, 100, 100, 200) })
  expect(shrink.status).toBe(422)
  expect(await zoneCount()).toBe(3)
  await deleteMicroGrids()
})

test('a matter in a micro-grid with a person goes to that person; elsewhere in the grid, to the grid’s', async () => {
  await create(await rect(0, 0, 100, 100), { name: '甲-1', parentId: gridA.id, assigneeId: microPerson })
  await create(await rect(0, 100, 100, 150), { name: '甲-2', parentId: gridA.id })
  const report = async (x: number, y: number): Promise<{ zoneId: number; assigneeId: number | null }> => {
    const res = await patrol.post('/api/hazards', { category: 'other', severity: 'minor', location: await lonLat(x, y) })
    expect(res.status).toBe(201)
    return ((await res.json()) as { properties: { zoneId: number; assigneeId: number | null } }).properties
  }
  expect(await report(50, 50)).toMatchObject({ zoneId: gridA.id, assigneeId: microPerson })
  // A micro-grid without a person, and a part of the grid in no micro-grid: the grid's person.
  expect(await report(50, 125)).toMatchObject({ zoneId: gridA.id, assigneeId: gridPerson })
  expect(await report(50, 175)).toMatchObject({ zoneId: gridA.id, assigneeId: gridPerson })
})

test('a matter remembers its micro-grid (microGridId), with or without a person; stats count per micro-grid; the zone filter takes a micro-grid', async () => {
  const m = await create(await rect(100, 0, 200, 100), { name: '乙-1', parentId: gridB.id })
  const report = async (x: number, y: number, severity = 'minor'): Promise<{ id: number; zoneId: number; microGridId: number | null; assigneeId: number | null }> => {
    const res = await patrol.post('/api/hazards', { category: 'other', severity, location: await lonLat(x, y) })
    expect(res.status).toBe(201)
    return ((await res.json()) as { properties: { id: number; zoneId: number; microGridId: number | null; assigneeId: number | null } }).properties
  }
  const inside = await report(150, 50, 'major')
  expect(inside).toMatchObject({ zoneId: gridB.id, microGridId: m.id, assigneeId: null })
  const outside = await report(150, 150)
  expect(outside).toMatchObject({ zoneId: gridB.id, microGridId: null })
  const [row] = await server.db.sql<{ micro: number | null }[]>`select micro_zone_id::int as micro from hazards where id = ${inside.id}`
  expect(row!.micro).toBe(m.id)
  // The detail says it too.
  const detail = (await (await planner.get(`/api/hazards/${inside.id}`)).json()) as { properties: { microGridId: number | null } }
  expect(detail.properties.microGridId).toBe(m.id)

  const stats = (await (await planner.get(`/api/zones/stats?communityId=${communityId}`)).json()) as {
    byZone: { zoneId: number; hazards: { total: number } }[]
    microGrids: { zoneId: number; parentId: number; name: string; hazards: { total: number; open: number; closed: number; bySeverity: Record<string, number> } }[]
  }
  // Grids count every matter of theirs, micro-grids only their own.
  expect(stats.byZone.find((z) => z.zoneId === gridB.id)?.hazards.total).toBe(2)
  expect(stats.byZone.some((z) => z.zoneId === m.id)).toBe(false)
  expect(stats.microGrids.find((z) => z.zoneId === m.id)).toEqual({
    zoneId: m.id, parentId: gridB.id, name: '乙-1', assigneeId: null, assigneeName: null,
    hazards: { total: 1, open: 1, closed: 0, bySeverity: { major: 1 } },
  })

  const listed = async (zoneId: number): Promise<number[]> =>
    ((await (await planner.get(`/api/hazards?zoneId=${zoneId}`)).json()) as { features: { id: number }[] }).features.map((f) => f.id)
  expect(await listed(m.id)).toEqual([inside.id])
  expect((await listed(gridB.id)).sort()).toEqual([inside.id, outside.id].sort())

  // The micro-grid deleted: the matter keeps its grid and forgets the micro-grid.
  expect((await planner.del(`/api/zones/${m.id}`)).status).toBe(204)
  const after = (await (await planner.get(`/api/hazards/${inside.id}`)).json()) as { properties: { zoneId: number; microGridId: number | null } }
  expect(after.properties).toMatchObject({ zoneId: gridB.id, microGridId: null })
})

test('the demo’s matters in micro-grids remember them: every one lies in its micro-grid, within its grid', async () => {
  const [row] = await server.db.sql<{ total: number; inside: number; wrongParent: number }[]>`
    select count(*)::int as total,
           count(*) filter (where ST_Covers(m.geom, h.geom))::int as inside,
           count(*) filter (where m.parent_id is distinct from h.zone_id)::int as "wrongParent"
    from hazards h join zones m on m.id = h.micro_zone_id where h.community_id = 1`
  expect(row!.total).toBeGreaterThan(0)
  expect(row!.inside).toBe(row!.total)
  expect(row!.wrongParent).toBe(0)
})

test('the demo community has two grids split into 3 and 2 micro-grids that tile them, each with a person', async () => {
  const result = (await (await planner.get('/api/zones/check?communityId=1')).json()) as Check
  expect(result.overlaps).toEqual([])
  expect(result.microGrids.map((t) => t.count)).toEqual([3, 2])
  for (const tier of result.microGrids) {
    expect(tier.overlaps).toEqual([])
    expect(tier.gaps.areaM2).toBeLessThan(1)
    expect(tier.coverage).toBeGreaterThan(0.9999)
  }
  const fc = (await (await planner.get('/api/zones?communityId=1')).json()) as { features: ZoneFeature[] }
  const micro = fc.features.filter((f) => f.properties.parentId !== null)
  expect(micro).toHaveLength(5)
  expect(micro.every((f) => f.properties.assigneeId !== null && /^第\d+网格·微网格\d$/.test(f.properties.name))).toBe(true)
  expect(fc.features.filter((f) => f.properties.parentId === null)).toHaveLength(10)
})

test('a grid of the demo is split by the suggestion into micro-grids that hold each of its buildings once and can be accepted as they are', async () => {
  const [grid] = await server.db.sql<{ id: number; buildings: number; households: number }[]>`
    select z.id::int, count(b.id)::int as buildings, coalesce(sum(b.households), 0)::int as households
    from zones z join buildings b on b.community_id = z.community_id and ST_Covers(z.geom, ST_PointOnSurface(b.footprint))
    where z.community_id = 1 and z.parent_id is null and not exists (select 1 from zones m where m.parent_id = z.id)
    group by z.id having count(b.id) >= 4 order by z.id limit 1`
  const res = await planner.post('/api/zones/suggest', { communityId: 1, n: 2, parentId: grid!.id })
  expect(res.status).toBe(200)
  const fc = (await res.json()) as { features: { geometry: unknown; properties: { name: string; households: number; buildingIds: number[]; parentId: number } }[] }
  expect(fc.features).toHaveLength(2)
  expect(fc.features.every((f) => f.properties.parentId === grid!.id && f.properties.name.startsWith('建议微网格'))).toBe(true)
  const ids = fc.features.flatMap((f) => f.properties.buildingIds)
  expect(new Set(ids).size).toBe(ids.length)
  expect(ids).toHaveLength(grid!.buildings)
  expect(fc.features.reduce((s, f) => s + f.properties.households, 0)).toBe(grid!.households)
  // Accepted as a micro-grid of that grid: it lies within it.
  const accepted = await planner.post('/api/zones', { type: 'Feature', geometry: fc.features[0]!.geometry, properties: { communityId: 1, name: '微网格（建议）', parentId: grid!.id } })
  expect(accepted.status, await accepted.clone().text()).toBe(201)
})

test('a micro-grid is not split further, and a grid of no visible community is 404', async () => {
  const [micro] = await server.db.sql<{ id: number }[]>`select id::int from zones where community_id = 1 and parent_id is not null order by id limit 1`
  const nested = await planner.post('/api/zones/suggest', { communityId: 1, n: 2, parentId: micro!.id })
  expect(nested.status).toBe(422)
  expect(nested.headers.get('content-type')).toContain('problem+json')
  expect((await planner.post('/api/zones/suggest', { communityId: 1, n: 2, parentId: 999_999 })).status).toBe(404)
})
