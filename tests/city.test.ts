import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CITY_AREA, cityGrid, generateCity, type CitySummary } from '../server/seed/city.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

describe('the city grid', () => {
  const fits = (n: number): { inside: boolean; apart: boolean; side: number } => {
    const g = cityGrid(n)
    const width = (CITY_AREA[2] - CITY_AREA[0]) * 111_320 * Math.cos((((CITY_AREA[1] + CITY_AREA[3]) / 2) * Math.PI) / 180)
    const height = (CITY_AREA[3] - CITY_AREA[1]) * 110_852
    let inside = true
    let apart = true
    for (let i = 0; i < n; i++) {
      const [x, y] = g.origin(i)
      if (x < 0 || y < 0 || x + g.sideM > width || y + g.sideM > height) inside = false
      if (i > 0 && i % g.columns !== 0 && g.origin(i)[0] - g.origin(i - 1)[0] <= g.sideM) apart = false
      if (i >= g.columns && g.origin(i - g.columns)[1] - y <= g.sideM) apart = false
    }
    return { inside, apart, side: g.sideM }
  }

  test('500 communities of 1 km² fit the Wuhan area apart from each other', () => {
    expect(fits(500)).toEqual({ inside: true, apart: true, side: 1000 })
  })

  test('10,000 communities still fit, on smaller squares', () => {
    const r = fits(10_000)
    expect(r.inside && r.apart).toBe(true)
    expect(r.side).toBeLessThan(1000)
  })
})

describe('a generated city', () => {
  let server: TestServer
  let city: CitySummary
  const now = new Date('2026-11-20T00:00:00+08:00')
  const options = { communities: 3, seed: 'test-city', hazardsPerCommunity: 20, nights: 1, devicesPerCommunity: 2, now }

  /** A digest of the city's rows that does not depend on the ids the sequences gave out. */
  async function digest(ids: number[]): Promise<string> {
    const [row] = await server.db.sql<{ d: string }[]>`
      select md5(concat_ws('|',
        (select string_agg(concat_ws(',', name, floors, households, ST_AsText(footprint)), ';' order by id) from buildings where community_id = any(${ids}::bigint[])),
        (select string_agg(concat_ws(',', category, severity, status, reported_at, ST_AsText(geom)), ';' order by id) from hazards where community_id = any(${ids}::bigint[])),
        (select string_agg(concat_ws(',', t, ST_AsText(geom)), ';' order by community_id, device_id, t) from track_points where community_id = any(${ids}::bigint[])),
        (select string_agg(concat_ws(',', name, ST_AsText(geom)), ';' order by id) from zones where community_id = any(${ids}::bigint[]))
      )) as d`
    return row!.d
  }

  beforeAll(async () => {
    server = await startTestServer()
    city = await generateCity(server.db.sql, server.backend, options)
  })
  afterAll(async () => {
    await server?.close()
  })

  test('has the communities, buildings, hazards and tracks asked for', () => {
    expect({ communities: city.communities, hazards: city.hazards, devices: city.devices, zones: city.zones }).toEqual({ communities: 3, hazards: 60, devices: 6, zones: 24 })
    expect(city.buildings).toBeGreaterThanOrEqual(3 * 40)
    expect(city.trackPoints).toBeGreaterThan(100)
  })

  test('every geometry is valid and lies in its community', async () => {
    const [row] = await server.db.sql<{ invalid: number; outside: number }[]>`
      select (select count(*) from buildings where community_id = any(${city.communityIds}::bigint[]) and not ST_IsValid(footprint))::int
           + (select count(*) from zones where community_id = any(${city.communityIds}::bigint[]) and not ST_IsValid(geom))::int as invalid,
             (select count(*) from buildings b join communities c on c.id = b.community_id
              where c.id = any(${city.communityIds}::bigint[]) and not ST_Within(b.footprint, c.boundary))::int
           + (select count(*) from hazards h join communities c on c.id = h.community_id
              where c.id = any(${city.communityIds}::bigint[]) and not ST_Within(h.geom, c.boundary))::int
           + (select count(*) from track_points p join communities c on c.id = p.community_id
              where c.id = any(${city.communityIds}::bigint[]) and not ST_Within(p.geom, c.boundary))::int as outside`
    expect(row).toEqual({ invalid: 0, outside: 0 })
  })

  test('the zones of a community tile its boundary, and each hazard lies in its zone', async () => {
    const [row] = await server.db.sql<{ coverage: number; wrongZone: number }[]>`
      select min(z.area / c.area) as coverage,
             (select count(*) from hazards h join zones z on z.id = h.zone_id
              where h.community_id = any(${city.communityIds}::bigint[]) and not ST_Intersects(z.geom, h.geom))::int as "wrongZone"
      from (select community_id, sum(ST_Area(geom::geography)) as area from zones group by community_id) z
      join (select id, ST_Area(boundary::geography) as area from communities) c on c.id = z.community_id
      where c.id = any(${city.communityIds}::bigint[])`
    expect(row!.coverage).toBeCloseTo(1, 6)
    expect(row!.wrongZone).toBe(0)
  })

  test('the same seed and now give the same city', async () => {
    const before = await digest(city.communityIds)
    await server.db.sql`delete from communities where id = any(${city.communityIds}::bigint[])`
    city = await generateCity(server.db.sql, server.backend, options)
    expect(await digest(city.communityIds)).toBe(before)
  })

  test('refuses to generate over communities already in its area', async () => {
    await expect(generateCity(server.db.sql, server.backend, options)).rejects.toThrow(/already lie in the city's area/)
  })
})
