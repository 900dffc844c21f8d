import { cleanPlaceName, readableAddress } from '../../core/address.ts'
import type { Queryable, Sql } from '../db/connect.ts'
import { buildWalkGraph, planRoute, walkBetween, type RoadLine, type RouteTarget, type WalkGraph, type XY } from '../domain/routing.ts'
import { dataVersions } from '../cache/data-version.ts'
import { problems } from '../problem.ts'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'
import { coverageReport, type CoverageQuery, type CoverageReport, type UnvisitedFeature } from './coverage.ts'

/** Road kinds (Tilezen `kind_detail`) a patrol walks along: footpaths and residential and service roads. */
export const WALK_ROAD_KINDS = ['footway', 'path', 'pedestrian', 'steps', 'living_street', 'residential', 'service', 'unclassified', 'track', 'cycleway']
/** Main roads, walked along their pavements to get from one compound to the next (trunk roads and motorways are not). */
export const CONNECTOR_ROAD_KINDS = ['tertiary', 'secondary', 'primary', 'tertiary_link', 'secondary_link', 'primary_link']
/** Most targets one route takes (a zone's worth); more → 422. */
export const MAX_ROUTE_TARGETS = 200
/** Walking speed for the time of a round, m/s. */
export const WALKING_SPEED_MS = 1.2
/** Time the ordering may spend improving a route, ms. */
export const ROUTE_IMPROVE_BUDGET_MS = 1500
/** A start farther than this from the community's boundary is refused, m. */
export const MAX_START_DISTANCE_M = 2000

/** `GET /api/coverage/route`: the walking route as a GeoJSON Feature (geometry null when there is no stop). */
export type RouteFeature = z.infer<typeof Schemas.RouteFeature>
/** A route sent to a member (`GET /api/coverage/route/assigned`). */
export type RouteAssignment = z.infer<typeof Schemas.RouteAssignment>

/** What a route asks for: the coverage query and where to start (lon, lat), if anywhere. */
export interface RouteQuery extends CoverageQuery {
  start?: [number, number] | undefined
}

/** The label of an unvisited place: a building's readable address ("光谷花园 3栋", core/address.ts), a key place's name. */
function labelOf(f: UnvisitedFeature): string {
  if (f.properties.kind === 'building') return readableAddress({ name: f.properties.name, compoundName: f.properties.compoundName })
  return cleanPlaceName(f.properties.name) ?? readableAddress({ name: null, compoundName: f.properties.compoundName })
}

/** The walkable roads of a community in its UTM zone (metres), as lines. */
export async function walkLines(sql: Queryable, communityId: number, srid: number): Promise<RoadLine[]> {
  const rows = await sql<{ g: string }[]>`
    select ST_AsGeoJSON(d.geom, 2) as g
    from roads r
    cross join lateral ST_Dump(ST_Transform(r.geom, ${srid}::int)) as d
    where r.community_id = ${communityId}
      and (r.kind = 'path' or r.kind_detail = any(${[...WALK_ROAD_KINDS, ...CONNECTOR_ROAD_KINDS]}::text[]))
    order by r.id, d.path`
  return rows.map((r) => ({ line: (JSON.parse(r.g) as { coordinates: XY[] }).coordinates }))
}

/**
 * Where each target meets the walking network, in metres: the point of a building's footprint (or a
 * key place's point or line) nearest the walkable roads; its point on surface when there is no road.
 */
async function targetPoints(sql: Queryable, communityId: number, srid: number, features: readonly UnvisitedFeature[]): Promise<Map<string, XY>> {
  const ids = (kind: string) => features.filter((f) => f.properties.kind === kind).map((f) => f.id)
  const rows = await sql<{ kind: string; id: number; x: number; y: number }[]>`
    with net as (
      select ST_Collect(ST_Transform(r.geom, ${srid}::int)) as g from roads r
      where r.community_id = ${communityId}
        and (r.kind = 'path' or r.kind_detail = any(${[...WALK_ROAD_KINDS, ...CONNECTOR_ROAD_KINDS]}::text[]))
    ), t as (
      select 'building' as kind, b.id, ST_Transform(b.footprint, ${srid}::int) as g from buildings b
      where b.community_id = ${communityId} and b.id = any(${ids('building')}::bigint[])
      union all
      select 'key_place', k.id, ST_Transform(k.geom, ${srid}::int) from key_places k
      where k.community_id = ${communityId} and k.id = any(${ids('key_place')}::bigint[])
    ), p as (
      select t.kind, t.id, case when net.g is null then ST_PointOnSurface(t.g) else ST_ClosestPoint(t.g, net.g) end as p
      from t cross join net
    )
    select kind, id::int as id, ST_X(p) as x, ST_Y(p) as y from p`
  return new Map(rows.map((r) => [`${r.kind}:${r.id}`, [r.x, r.y] as XY]))
}

/** What a route is computed from: the coverage report, the community's UTM zone, its walkable lines and the targets (metres). */
export interface RouteInputs {
  report: CoverageReport
  srid: number
  lines: RoadLine[]
  targets: RouteTarget[]
  /** Unvisited places without a point (none with the schema's NOT NULL geometry). */
  pointless: UnvisitedFeature[]
  start: XY | null
}

/**
 * Load what a route needs: the places not visited in the window (the coverage report's `unvisited`,
 * same community and zone rules), the community's walkable roads and each place's point nearest them,
 * all in the community's UTM zone. `maxTargets` caps the places (422 beyond: choose a zone); the start
 * must lie within {@link MAX_START_DISTANCE_M} of the community (422).
 */
export async function routeInputs(sql: Sql, q: RouteQuery, maxTargets = MAX_ROUTE_TARGETS): Promise<RouteInputs> {
  const report = await coverageReport(sql, q)
  const features = report.unvisited.features
  if (features.length > maxTargets) {
    throw problems.unprocessable(
      `${features.length} places are unvisited; a route takes at most ${maxTargets}. Choose a zone (zoneId) or a shorter window.`,
      [{ path: 'zoneId', message: `at most ${maxTargets} unvisited places per route` }],
    )
  }
  const communityId = report.communityId
  const [c] = await sql<{ srid: number; startX: number | null; startY: number | null; startAwayM: number | null }[]>`
    with c as (select utm_srid, boundary from communities where id = ${communityId}),
    s as (select case when ${q.start !== undefined} then ST_Transform(ST_SetSRID(ST_MakePoint(${q.start?.[0] ?? 0}::float8, ${q.start?.[1] ?? 0}::float8), 4326), c.utm_srid) end as g from c)
    select c.utm_srid as srid, ST_X(s.g) as "startX", ST_Y(s.g) as "startY",
           ST_Distance(ST_Transform(c.boundary, c.utm_srid), s.g) as "startAwayM"
    from c cross join s`
  if (!c) throw problems.notFound(`No community ${communityId}.`)
  if (c.startAwayM !== null && c.startAwayM > MAX_START_DISTANCE_M) {
    throw problems.unprocessable(`The start is ${Math.round(c.startAwayM)} m from the community; at most ${MAX_START_DISTANCE_M} m.`, [
      { path: 'start', message: `must be within ${MAX_START_DISTANCE_M} m of the community` },
    ])
  }
  const lines = await walkLines(sql, communityId, c.srid)
  const points = features.length > 0 ? await targetPoints(sql, communityId, c.srid, features) : new Map<string, XY>()
  const targets: RouteTarget[] = features.flatMap((f) => {
    const point = points.get(`${f.properties.kind}:${f.id}`)
    return point ? [{ kind: f.properties.kind, id: f.id, label: labelOf(f), point }] : []
  })
  const pointless = features.filter((f) => !points.has(`${f.properties.kind}:${f.id}`))
  const start: XY | null = c.startX !== null && c.startY !== null ? [c.startX, c.startY] : null
  return { report, srid: c.srid, lines, targets, pointless, start }
}

/**
 * The suggested next round: the places not visited in the window in walking order along the
 * community's roads from `start` (see {@link routeInputs} and server/domain/routing.ts), as a GeoJSON
 * Feature in lon/lat with the distance, the walking time at {@link WALKING_SPEED_MS} and the stops.
 */
export async function suggestRoute(sql: Sql, q: RouteQuery): Promise<RouteFeature> {
  const began = performance.now()
  const { report, srid, lines, targets, pointless, start } = await routeInputs(sql, q)
  const communityId = report.communityId
  const c = { srid }
  const plan = planRoute(buildWalkGraph(lines), targets, start, { improveBudgetMs: ROUTE_IMPROVE_BUDGET_MS })

  // Back to lon/lat: the line, then the start and the stops' road points.
  const spots: XY[] = [plan.start ?? [0, 0], ...plan.stops.map((s) => s.at)]
  const line = plan.path.length === 1 ? [plan.path[0]!, plan.path[0]!] : plan.path
  const [geo] = await sql<{ line: string | null; spots: string }[]>`
    select case when ${line.length >= 2} then ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify({ type: 'LineString', coordinates: line.length >= 2 ? line : [[0, 0], [0, 0]] })}::text), ${c.srid}::int), 4326), 7) end as line,
           ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify({ type: 'MultiPoint', coordinates: spots })}::text), ${c.srid}::int), 4326), 7) as spots`
  const lonLat = (JSON.parse(geo!.spots) as { coordinates: [number, number][] }).coordinates
  const round1 = (n: number): number => Math.round(n * 10) / 10
  return {
    type: 'Feature',
    geometry: geo!.line ? (JSON.parse(geo!.line) as { type: 'LineString'; coordinates: [number, number][] }) : null,
    properties: {
      communityId,
      zoneId: report.zoneId,
      window: report.window,
      radiusM: report.radiusM,
      start: plan.start ? lonLat[0]! : null,
      distanceM: round1(plan.distanceM),
      minutes: Math.round(plan.distanceM / WALKING_SPEED_MS / 60),
      nearestNeighbourM: round1(plan.nearestNeighbourM),
      stops: plan.stops.map((s, i) => ({
        kind: s.kind as 'building' | 'key_place',
        id: s.id,
        label: s.label ?? `#${s.id}`,
        order: s.order,
        legM: round1(s.legM),
        lon: lonLat[i + 1]![0],
        lat: lonLat[i + 1]![1],
      })),
      unreachable: [
        ...plan.unreachable.map((u) => ({ ...u, kind: u.kind as 'building' | 'key_place', label: u.label ?? `#${u.id}` })),
        // A place without geometry (cannot happen with the schema's NOT NULL) would be left out silently otherwise.
        ...pointless.map((f) => ({ kind: f.properties.kind, id: f.id, label: labelOf(f), reason: 'no_road_nearby' as const })),
      ],
      budgetExhausted: plan.budgetExhausted,
      computedMs: Math.round(performance.now() - began),
    },
  }
}

/**
 * Whether a patrol member may plan a route for this zone: they are its assignee, or a member of one of
 * its teams.
 */
export async function patrolsZone(sql: Queryable, personId: number | null, zoneId: number): Promise<boolean> {
  if (personId === null) return false
  const [row] = await sql<{ ok: boolean }[]>`
    select exists (
      select 1 from zones z where z.id = ${zoneId} and (
        z.assignee_id = ${personId}
        or exists (select 1 from zone_teams zt join person_teams pt on pt.team_id = zt.team_id
                   where zt.zone_id = z.id and pt.person_id = ${personId}))
    ) as ok`
  return row?.ok ?? false
}

/** A person a route may be sent to: in a community the sender sees, active, and (for a leader) in a team they lead. */
export async function routeRecipient(
  sql: Queryable,
  personId: number,
  communityIds: number[] | null,
  teamIds: number[] | null,
): Promise<{ id: number; communityId: number; name: string } | undefined> {
  const [row] = await sql<{ id: number; communityId: number; name: string }[]>`
    select p.id::int as id, p.community_id::int as "communityId", p.name
    from people p
    where p.id = ${personId} and p.active
      and ${communityIds === null ? sql`true` : sql`p.community_id = any(${communityIds}::bigint[])`}
      and ${teamIds === null ? sql`true` : sql`exists (select 1 from person_teams pt where pt.person_id = p.id and pt.team_id = any(${teamIds}::bigint[]))`}`
  return row
}

/** Store a route as a member's next round. */
export async function assignRoute(sql: Queryable, a: { communityId: number; personId: number; userId: number; route: RouteFeature }): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    insert into route_assignments (community_id, person_id, assigned_by, route)
    values (${a.communityId}, ${a.personId}, ${a.userId}, ${sql.json(a.route as never)})
    returning id::int`
  return row!.id
}

/** The newest route sent to a person, if any. */
export async function assignedRoute(sql: Queryable, personId: number): Promise<RouteAssignment | undefined> {
  const [row] = await sql<(Omit<RouteAssignment, 'assignedAt'> & { assignedAt: Date })[]>`
    select ra.id::int as id, ra.person_id::int as "personId", p.name as "personName", ra.assigned_at as "assignedAt",
           u.name as "assignedBy", ra.route
    from route_assignments ra
    join people p on p.id = ra.person_id
    left join users u on u.id = ra.assigned_by
    where ra.person_id = ${personId}
    order by ra.assigned_at desc, ra.id desc
    limit 1`
  return row ? { ...row, assignedAt: row.assignedAt.toISOString() } : undefined
}

/** `GET /api/route/walk`: walking directions from a position to a matter. */
export type WalkRoute = z.infer<typeof Schemas.WalkRoute>

/** What a walk asks for: from a position (lon, lat) to a matter the caller may see. */
export interface WalkQuery {
  from: [number, number]
  hazardId: number
  communityIds: number[] | null
  /** A partner account: only the matters handed to its unit. */
  unitId: number | null
  hideLeads: boolean
}

/** Communities whose walking graph is kept between walks (the most recently used). */
const WALK_GRAPHS_KEPT = 8
/** Walking graphs by community, with the roads' and communities' epochs they were built at. */
const walkGraphs = new Map<number, { epoch: string; srid: number; graph: WalkGraph }>()

/**
 * The walking graph of a community in its UTM zone: built from {@link walkLines}, kept while the roads and the
 * communities are unchanged (server/cache/data-version.ts; a client that hears of no change builds it every time).
 */
async function walkGraph(sql: Sql, communityId: number, srid: number): Promise<WalkGraph> {
  const versions = dataVersions(sql)
  const epoch = `${versions.epoch('roads')}:${versions.epoch('communities')}:${srid}`
  const kept = versions.live ? walkGraphs.get(communityId) : undefined
  if (kept && kept.epoch === epoch) {
    walkGraphs.delete(communityId)
    walkGraphs.set(communityId, kept)
    return kept.graph
  }
  const graph = buildWalkGraph(await walkLines(sql, communityId, srid))
  if (versions.live) {
    walkGraphs.set(communityId, { epoch, srid, graph })
    while (walkGraphs.size > WALK_GRAPHS_KEPT) walkGraphs.delete(walkGraphs.keys().next().value!)
  }
  return graph
}

/**
 * Walking directions (issue 15, the phone's 任务): from the phone's position to a matter along its community's
 * walkable roads (the same graph as the next round, {@link walkLines} and server/domain/routing.ts), as a GeoJSON
 * LineString in lon/lat from the position to the matter, with the distance and the walking time at
 * {@link WALKING_SPEED_MS}. Every road within 150 m of either end is tried as the way on and off the network
 * (server/domain/routing.ts `walkBetween`); the position joins the nearest road however far when none is that close
 * (within {@link MAX_START_DISTANCE_M} of the community, else 422), the matter a road within 250 m (else no way:
 * geometry null, `reason`).
 * Bounded: one community's roads (the graph kept while they are unchanged), one Dijkstra search over them. 404 when the caller may not see
 * the matter (another community, another unit's, a lead).
 */
export async function walkRoute(sql: Sql, q: WalkQuery): Promise<WalkRoute> {
  const began = performance.now()
  const [h] = await sql<{ communityId: number; srid: number; lon: number; lat: number; fx: number; fy: number; tx: number; ty: number; awayM: number; straightM: number }[]>`
    with s as (select ST_SetSRID(ST_MakePoint(${q.from[0]}::float8, ${q.from[1]}::float8), 4326) as g)
    select h.community_id::int as "communityId", c.utm_srid as srid, ST_X(h.geom) as lon, ST_Y(h.geom) as lat,
           ST_X(ST_Transform(s.g, c.utm_srid)) as fx, ST_Y(ST_Transform(s.g, c.utm_srid)) as fy,
           ST_X(ST_Transform(h.geom, c.utm_srid)) as tx, ST_Y(ST_Transform(h.geom, c.utm_srid)) as ty,
           ST_Distance(ST_Transform(c.boundary, c.utm_srid), ST_Transform(s.g, c.utm_srid)) as "awayM",
           ST_Distance(h.geom::geography, s.g::geography) as "straightM"
    from hazards h join communities c on c.id = h.community_id cross join s
    where h.id = ${q.hazardId}
      and ${q.communityIds === null ? sql`true` : sql`h.community_id = any(${q.communityIds}::bigint[])`}
      and ${q.unitId === null ? sql`true` : sql`h.unit_id = ${q.unitId}`}
      and ${q.hideLeads ? sql`h.type <> 'lead'` : sql`true`}`
  if (!h) throw problems.notFound(`No hazard ${q.hazardId}.`)
  if (h.awayM > MAX_START_DISTANCE_M) {
    throw problems.unprocessable(`The position is ${Math.round(h.awayM)} m from the matter's community; at most ${MAX_START_DISTANCE_M} m.`, [
      { path: 'from', message: `must be within ${MAX_START_DISTANCE_M} m of the community` },
    ])
  }
  const from: XY = [h.fx, h.fy]
  const to: XY = [h.tx, h.ty]
  const plan = walkBetween(await walkGraph(sql, h.communityId, h.srid), from, to)
  const round1 = (n: number): number => Math.round(n * 10) / 10
  const base = { communityId: h.communityId, hazardId: q.hazardId, from: q.from, to: [h.lon, h.lat], straightM: round1(h.straightM) }
  if (plan.reason !== null) {
    return { type: 'Feature', geometry: null, properties: { ...base, distanceM: 0, minutes: 0, reason: plan.reason, computedMs: Math.round(performance.now() - began) } }
  }
  const line = plan.path
  const distanceM = plan.distanceM
  const [geo] = await sql<{ line: string }[]>`
    select ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify({ type: 'LineString', coordinates: line })}::text), ${h.srid}::int), 4326), 7) as line`
  const coordinates = (JSON.parse(geo!.line) as { coordinates: [number, number][] }).coordinates
  // The ends exactly as asked and stored (the projection round trip moves them in the 7th decimal).
  coordinates[0] = [q.from[0], q.from[1]]
  coordinates[coordinates.length - 1] = [h.lon, h.lat]
  return {
    type: 'Feature',
    geometry: { type: 'LineString', coordinates },
    properties: { ...base, distanceM: round1(distanceM), minutes: Math.max(1, Math.round(distanceM / WALKING_SPEED_MS / 60)), reason: null, computedMs: Math.round(performance.now() - began) },
  }
}
