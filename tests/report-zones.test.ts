import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { hashPassword } from '../server/domain/password.ts'
import { createUser } from '../server/queries/users.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

/**
 * Reports show what was true (issue #19 item 9): the zones of a report are the ones in effect during
 * the period, places belong to the zone that held them longest, and a zone that never held a matter
 * or a patrol in a short life is on neither the by-zone tables nor the map.
 *
 * A community of its own, 400 m × 200 m in UTM 50N far from the demo one: zone 西区 (the western half,
 * in effect for 60 days), one building in each half, no patrols.
 */

interface ReportJson {
  byZone: { zoneId: number; name: string; found: number; areaM2: number }[]
  coverageByZone: { zoneId: number; name: string; buildings: { total: number } }[]
  map: { zones: { name: string }[] }
  headline: { found: number }
  unzoned: { found: number }
}
interface CoverageJson {
  byZone: { zoneId: number; name: string; buildings: { total: number } }[]
}

const SRID = 32650
const DAY = 86_400_000
let server: TestServer
let planner: Client
let viewer: Client
let communityId: number
let west: number
let x0 = 0
let y0 = 0

/** A rectangle in metres from the community's south-west corner, as a lon/lat Polygon. */
async function rect(minX: number, minY: number, maxX: number, maxY: number): Promise<unknown> {
  const [row] = await server.db.sql<{ g: unknown }[]>`
    select ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Transform(ST_MakeEnvelope(${x0 + minX}, ${y0 + minY}, ${x0 + maxX}, ${y0 + maxY}, ${SRID}::int), 4326)), 12)::json as g`
  return row!.g
}

async function lonLat(x: number, y: number): Promise<{ lon: number; lat: number }> {
  const [row] = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(p) as lon, ST_Y(p) as lat from ST_Transform(ST_SetSRID(ST_MakePoint(${x0 + x}, ${y0 + y}), ${SRID}::int), 4326) p`
  return row!
}

async function createZone(name: string, geometry: unknown): Promise<number> {
  const res = await planner.post('/api/zones', { type: 'Feature', geometry, properties: { name, communityId } })
  expect(res.status).toBe(201)
  return ((await res.json()) as { id: number }).id
}

async function monthReport(): Promise<ReportJson> {
  const date = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
  const res = await viewer.get(`/api/reports/month?date=${date}&communityId=${communityId}&format=json`)
  expect(res.status).toBe(200)
  return (await res.json()) as ReportJson
}

beforeAll(async () => {
  server = await startTestServer()
  const sql = server.db.sql
  const [corner] = await sql<{ x: number; y: number }[]>`
    select ST_X(p) as x, ST_Y(p) as y from (select ST_Transform(ST_SetSRID(ST_MakePoint(114.60, 30.70), 4326), ${SRID}::int) as p) q`
  x0 = corner!.x
  y0 = corner!.y
  const [c] = await sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('网格报告测试社区', ${SRID}, ST_Multi(ST_Transform(ST_MakeEnvelope(${x0}, ${y0}, ${x0 + 400}, ${y0 + 200}, ${SRID}), 4326)))
    returning id`
  communityId = c!.id
  await sql`
    insert into buildings (community_id, name, footprint)
    values (${communityId}, '西楼', ST_Multi(ST_Transform(ST_MakeEnvelope(${x0 + 90}, ${y0 + 90}, ${x0 + 110}, ${y0 + 110}, ${SRID}), 4326))),
           (${communityId}, '东楼', ST_Multi(ST_Transform(ST_MakeEnvelope(${x0 + 290}, ${y0 + 90}, ${x0 + 310}, ${y0 + 110}, ${SRID}), 4326)))`
  const [z] = await sql<{ id: number }[]>`
    insert into zones (community_id, name, geom)
    values (${communityId}, '西区', ST_Multi(ST_Transform(ST_MakeEnvelope(${x0}, ${y0}, ${x0 + 200}, ${y0 + 200}, ${SRID}), 4326)))
    returning id`
  west = z!.id
  await sql`
    insert into zone_history (community_id, zone_id, name, geom, valid_from)
    select community_id, id, name, geom, ${new Date(Date.now() - 60 * DAY)} from zones where id = ${west}`
  await createUser(sql, { username: 'zr-planner', name: '网格测试规划', role: 'planner', passwordHash: await hashPassword('zr-secret-1'), communityIds: [communityId] })
  await createUser(sql, { username: 'zr-command', name: '网格测试指挥', role: 'command', passwordHash: await hashPassword('zr-secret-1'), communityIds: [communityId] })
  planner = await server.login('zr-planner', 'zr-secret-1')
  viewer = await server.login('zr-command', 'zr-secret-1')
})
afterAll(async () => {
  await server?.close()
})

describe('zones of a report', () => {
  test('a zone deleted three minutes after it was drawn, with nothing in it, is on neither the by-zone tables nor the map', async () => {
    const id = await createZone('三分钟网格', await rect(210, 10, 390, 190))
    // Drawn three minutes ago, deleted now.
    await server.db.sql`update zone_history set valid_from = valid_from - interval '3 minutes' where zone_id = ${id}`
    expect((await planner.del(`/api/zones/${id}`)).status).toBe(204)
    const report = await monthReport()
    expect(report.byZone.map((z) => z.zoneId)).toEqual([west])
    expect(report.coverageByZone.map((z) => z.zoneId)).toEqual([west])
    expect(report.map.zones.map((z) => z.name)).toEqual(['西区'])
    const html = await (await viewer.get(`/api/reports/month?communityId=${communityId}`)).text()
    expect(html).not.toContain('三分钟网格')
  })

  test('a short-lived zone that held a matter stays on the report, with its matter', async () => {
    const id = await createZone('东区临时', await rect(210, 10, 390, 190))
    const res = await viewer.post('/api/hazards', { category: 'corridor_clutter', severity: 'minor', location: await lonLat(300, 60) })
    expect(res.status).toBe(201)
    expect((await planner.del(`/api/zones/${id}`)).status).toBe(204)
    const report = await monthReport()
    expect(report.byZone.find((z) => z.zoneId === id)).toMatchObject({ name: '东区临时', found: 1 })
    expect(report.map.zones.map((z) => z.name)).toContain('东区临时')
    expect(report.byZone.reduce((s, z) => s + z.found, 0) + report.unzoned.found).toBe(report.headline.found)
  })

  test('a building belongs to the zone that held it for the longest part of the window', async () => {
    // 全域 covers both buildings but only from now on; 西区 has held the western one for 60 days.
    const whole = await createZone('全域', await rect(0, 0, 400, 200))
    const from = new Date(Date.now() - 30 * DAY).toISOString()
    const to = new Date(Date.now() + 60_000).toISOString()
    const res = await viewer.get(`/api/analysis/coverage?communityId=${communityId}&from=${from}&to=${to}`)
    expect(res.status).toBe(200)
    const coverage = (await res.json()) as CoverageJson
    // The leader's view still lists the zone in effect now, holding only what no other zone held longer.
    expect(coverage.byZone.find((z) => z.zoneId === west)?.buildings.total).toBe(1)
    expect(coverage.byZone.find((z) => z.zoneId === whole)?.buildings.total).toBe(1)
    // The month report leaves the new, empty zone out; the western building stays with 西区.
    const report = await monthReport()
    expect(report.coverageByZone.find((z) => z.zoneId === west)?.buildings.total).toBe(1)
    expect(report.coverageByZone.some((z) => z.zoneId === whole)).toBe(false)
    expect((await planner.del(`/api/zones/${whole}`)).status).toBe(204)
  })

  test('the by-zone table gives each zone its area, written as areas are everywhere (公顷 from one hectare up)', async () => {
    const report = await monthReport()
    expect(report.byZone.find((z) => z.zoneId === west)?.areaM2).toBeCloseTo(40_000, -2)
    const date = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
    const res = await viewer.get(`/api/reports/month?date=${date}&communityId=${communityId}&format=html`)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('<th>面积</th>')
    expect(html).toMatch(/西区<\/td>[\s\S]*?4 公顷/)
  })
})
