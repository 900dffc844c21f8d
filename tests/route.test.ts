import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { tonightWindow } from '../server/seed/time.ts'
import { MAX_ROUTE_TARGETS } from '../server/queries/route.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

interface Stop {
  kind: 'building' | 'key_place'
  id: number
  label: string
  order: number
  legM: number
  lon: number
  lat: number
}
interface Route {
  type: 'Feature'
  geometry: { type: 'LineString'; coordinates: [number, number][] } | null
  properties: {
    communityId: number
    zoneId: number | null
    start: [number, number] | null
    distanceM: number
    minutes: number
    nearestNeighbourM: number
    stops: Stop[]
    unreachable: { kind: string; id: number; label: string; reason: string }[]
  }
}
interface Assignment {
  id: number
  personId: number
  assignedAt: string
  assignedBy: string | null
  route: Route
}
interface Coverage {
  unvisited: { features: { id: number; properties: { kind: string; zoneId: number | null } }[] }
}

let server: TestServer
let leader: Client
let patrol: Client
let communityId: number
let window = ''
/** The community's middle, a start on the map. */
let centre: [number, number]
/** A zone the demo patrol member patrols, and one they do not. */
let ownZone: number
let otherZone: number
let route: Route
/** The zone routed in the main tests (null: the whole community). */
let routeZone: number | null
let coverage: Coverage

const key = (kind: string, id: number) => `${kind}:${id}`

beforeAll(async () => {
  server = await startTestServer()
  leader = await server.login('leader')
  patrol = await server.login('patrol')
  const sql = server.db.sql
  const [c] = await sql<{ id: number; lon: number; lat: number }[]>`
    select id::int, ST_X(ST_Centroid(boundary)) as lon, ST_Y(ST_Centroid(boundary)) as lat from communities order by id limit 1`
  communityId = c!.id
  centre = [c!.lon, c!.lat]
  const tonight = tonightWindow(server.seededAt)
  window = `from=${tonight.start.toISOString()}&to=${new Date(Math.min(tonight.end.getTime(), server.seededAt.getTime() + 60_000)).toISOString()}`
  const zones = await sql<{ id: number; own: boolean }[]>`
    select z.id::int, exists (
      select 1 from users u where u.username = 'patrol' and (z.assignee_id = u.person_id or exists (
        select 1 from zone_teams zt join person_teams pt on pt.team_id = zt.team_id where zt.zone_id = z.id and pt.person_id = u.person_id))) as own
    from zones z where z.community_id = ${communityId} order by z.id`
  ownZone = zones.find((z) => z.own)!.id
  otherZone = zones.find((z) => !z.own)!.id
  const cov = await leader.get(`/api/analysis/coverage?communityId=${communityId}&${window}`)
  coverage = (await cov.json()) as Coverage
  // How much is unvisited depends on the hour the demo was seeded: route the whole community when it is
  // under the cap, else the zone with the most unvisited places.
  const byZone = new Map<number, number>()
  for (const f of coverage.unvisited.features) if (f.properties.zoneId !== null) byZone.set(f.properties.zoneId, (byZone.get(f.properties.zoneId) ?? 0) + 1)
  const busiest = [...byZone.entries()].filter(([, n]) => n <= MAX_ROUTE_TARGETS).sort((a, b) => b[1] - a[1])[0]![0]
  routeZone = coverage.unvisited.features.length <= MAX_ROUTE_TARGETS ? null : busiest
  const res = await leader.get(`/api/coverage/route?communityId=${communityId}&${window}&start=${centre.join(',')}${routeZone === null ? '' : `&zoneId=${routeZone}`}`)
  expect(res.status).toBe(200)
  route = (await res.json()) as Route
})

afterAll(async () => {
  await server?.close()
})

describe('GET /api/coverage/route', () => {
  test('every unvisited building and key place is a stop or reported unreachable, each once', () => {
    const p = route.properties
    const unvisited = coverage.unvisited.features.filter((f) => routeZone === null || f.properties.zoneId === routeZone).map((f) => key(f.properties.kind, f.id)).sort()
    expect(unvisited.length).toBeGreaterThan(5)
    const answered = [...p.stops.map((s) => key(s.kind, s.id)), ...p.unreachable.map((u) => key(u.kind, u.id))].sort()
    expect(answered).toEqual(unvisited)
    // The demo's roads reach most of them (which places are unvisited depends on the hour the demo was seeded).
    expect(p.stops.length).toBeGreaterThanOrEqual(unvisited.length * 0.8)
    expect(p.stops.map((s) => s.order)).toEqual(p.stops.map((_, i) => i + 1))
  })

  test('the route is one line along the walkable roads, from the start through every stop', async () => {
    const line = route.geometry!
    expect(line.type).toBe('LineString')
    expect(line.coordinates[0]).toEqual(route.properties.start)
    // Every vertex and every segment's middle lies on a walkable road (within the 3 m snap, plus rounding).
    const [far] = await server.db.sql<{ worst: number; length: number; stopsOff: number }[]>`
      with c as (select utm_srid as srid from communities where id = ${communityId}),
      net as (select ST_Collect(ST_Transform(r.geom, c.srid)) as g from roads r, c
              where r.community_id = ${communityId}
                and (r.kind = 'path' or r.kind_detail in ('footway','path','pedestrian','steps','living_street','residential','service',
                     'unclassified','track','cycleway','tertiary','secondary','primary','tertiary_link','secondary_link','primary_link'))),
      l as (select ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(line)}::text), 4326), c.srid) as g from c),
      pts as (select (ST_DumpPoints(l.g)).geom as p from l
              union all
              select ST_LineInterpolatePoint(ST_MakeLine(ST_PointN(l.g, i), ST_PointN(l.g, i + 1)), 0.5) from l, generate_series(1, ST_NPoints(l.g) - 1) as i)
      select (select max(ST_Distance(pts.p, net.g)) from pts, net) as worst,
             (select ST_Length(g) from l) as length,
             (select count(*)::int from jsonb_to_recordset(${JSON.stringify(route.properties.stops)}::text::jsonb) as s(lon float8, lat float8), l, c
               where ST_Distance(l.g, ST_Transform(ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326), c.srid)) > 0.5) as "stopsOff"`
    expect(far!.worst).toBeLessThan(4.5)
    expect(far!.stopsOff).toBe(0)
    // The line is as long as the route says (the projections agree to a few metres per kilometre).
    expect(Math.abs(far!.length - route.properties.distanceM)).toBeLessThan(route.properties.distanceM * 0.01 + 5)
  })

  test('distance, walking time and legs agree, and the order is no longer than nearest neighbour', () => {
    const p = route.properties
    const legs = p.stops.reduce((s, x) => s + x.legM, 0)
    expect(Math.abs(legs - p.distanceM)).toBeLessThan(p.stops.length * 0.1 + 0.1)
    expect(p.minutes).toBe(Math.round(p.distanceM / 1.2 / 60))
    expect(p.distanceM).toBeLessThanOrEqual(p.nearestNeighbourM)
  })

  test('a zone: only its unvisited places are stops', async () => {
    const res = await leader.get(`/api/coverage/route?communityId=${communityId}&zoneId=${ownZone}&${window}`)
    expect(res.status).toBe(200)
    const r = (await res.json()) as Route
    expect(r.properties.zoneId).toBe(ownZone)
    const inZone = coverage.unvisited.features.filter((f) => f.properties.zoneId === ownZone).map((f) => key(f.properties.kind, f.id)).sort()
    expect([...r.properties.stops.map((s) => key(s.kind, s.id)), ...r.properties.unreachable.map((u) => key(u.kind, u.id))].sort()).toEqual(inZone)
  })

  test(`more than ${MAX_ROUTE_TARGETS} unvisited places: 422 asking for a zone, nothing computed`, async () => {
    // A window long before the demo's tracks: every building and key place is unvisited.
    const from = new Date(server.seededAt.getTime() - 80 * 86_400_000).toISOString()
    const to = new Date(server.seededAt.getTime() - 79 * 86_400_000).toISOString()
    const res = await leader.get(`/api/coverage/route?communityId=${communityId}&from=${from}&to=${to}`)
    expect(res.status).toBe(422)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(((await res.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('zoneId')
  })

  test('a malformed start is 400; a start far from the community is 422', async () => {
    expect((await leader.get(`/api/coverage/route?communityId=${communityId}&${window}&start=114.3`)).status).toBe(400)
    expect((await leader.get(`/api/coverage/route?communityId=${communityId}&${window}&start=200,30`)).status).toBe(400)
    // Within one zone, so the cap on the number of places (422 on zoneId) does not answer first.
    const far = await leader.get(`/api/coverage/route?communityId=${communityId}&zoneId=${ownZone}&${window}&start=116.4,39.9`)
    expect(far.status).toBe(422)
    expect(((await far.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('start')
  })

  test('command and admin may plan routes; a planner may not; nobody signed out may', async () => {
    for (const name of ['command', 'admin']) {
      const c = await server.login(name)
      expect((await c.get(`/api/coverage/route?communityId=${communityId}&zoneId=${ownZone}&${window}`)).status).toBe(200)
    }
    const planner = await server.login('planner')
    expect((await planner.get(`/api/coverage/route?communityId=${communityId}&zoneId=${ownZone}&${window}`)).status).toBe(403)
    expect((await server.get(`/api/coverage/route?communityId=${communityId}&${window}`)).status).toBe(401)
  })

  test('a patrol member plans only for a zone they patrol', async () => {
    expect((await patrol.get(`/api/coverage/route?communityId=${communityId}&zoneId=${ownZone}&${window}`)).status).toBe(200)
    expect((await patrol.get(`/api/coverage/route?communityId=${communityId}&zoneId=${otherZone}&${window}`)).status).toBe(403)
    expect((await patrol.get(`/api/coverage/route?communityId=${communityId}&${window}`)).status).toBe(403)
  })
})

describe('send to phone', () => {
  test('a leader sends the route to a team member, whose phone gets it as the next round', async () => {
    const [me] = await server.db.sql<{ personId: number }[]>`select person_id::int as "personId" from users where username = 'patrol'`
    const res = await leader.post('/api/coverage/route/assignments', { personId: me!.personId, communityId, zoneId: ownZone, ...windowBody(), start: centre })
    expect(res.status).toBe(201)
    const sent = (await res.json()) as Assignment
    expect(sent.route.properties.zoneId).toBe(ownZone)
    const got = await patrol.get('/api/coverage/route/assigned')
    expect(got.status).toBe(200)
    const mine = (await got.json()) as Assignment
    expect(mine.id).toBe(sent.id)
    expect(mine.assignedBy).toBeTruthy()
    expect(mine.route.properties.stops).toEqual(sent.route.properties.stops)
    expect(mine.route.geometry).toEqual(sent.route.geometry)
  })

  test('a patrol member may not send routes; a leader not to someone outside their team', async () => {
    const [me] = await server.db.sql<{ personId: number }[]>`select person_id::int as "personId" from users where username = 'patrol'`
    expect((await patrol.post('/api/coverage/route/assignments', { personId: me!.personId, communityId, zoneId: ownZone, ...windowBody() })).status).toBe(403)
    const [stranger] = await server.db.sql<{ id: number }[]>`
      select p.id::int from people p where p.community_id = ${communityId} and p.active and not exists (
        select 1 from person_teams pt join teams t on t.id = pt.team_id
        where pt.person_id = p.id and (t.leader_id = (select person_id from users where username = 'leader')
          or pt.team_id in (select team_id from person_teams where person_id = (select person_id from users where username = 'leader') and role = 'deputy')))
      order by p.id limit 1`
    const before = await server.db.sql<{ n: number }[]>`select count(*)::int as n from route_assignments`
    const res = await leader.post('/api/coverage/route/assignments', { personId: stranger!.id, communityId, zoneId: ownZone, ...windowBody() })
    expect(res.status).toBe(422)
    const after = await server.db.sql<{ n: number }[]>`select count(*)::int as n from route_assignments`
    expect(after[0]!.n).toBe(before[0]!.n)
  })

  test('no round sent yet: 404', async () => {
    const command = await server.login('command')
    expect((await command.get('/api/coverage/route/assigned')).status).toBe(404)
  })
})

function windowBody(): { from: string; to: string } {
  const params = new URLSearchParams(window)
  return { from: params.get('from')!, to: params.get('to')! }
}
