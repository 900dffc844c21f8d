/**
 * Responsibility zones (责任网格): Voronoi cells of k-means centres of the buildings, clipped to the
 * community boundary, so they cover it without gaps or overlaps.
 */
import { compareNorthWest, kMeans } from './basemap.ts'
import { allocateIds, json, type BuildingInfo, type Organisation, type SeedContext, type ZoneInfo } from './context.ts'
import type { XY } from './geo.ts'
import { DAY } from './time.ts'

/** How many zones the community is split into (one per grid worker). */
export const ZONE_COUNT = 10
/** How long ago the current zone layout took effect. */
const ZONES_SINCE_DAYS = 120

/** Insert the zones and their current zone_history rows. */
export async function makeZones(ctx: SeedContext, buildings: BuildingInfo[], org: Organisation): Promise<ZoneInfo[]> {
  const { tx, utm, communityId } = ctx
  const rng = ctx.rng.fork('zones')
  const points = buildings.map((b) => b.centroid)
  const labels = kMeans(points, ZONE_COUNT, rng)
  const centres: XY[] = []
  for (let k = 0; k < ZONE_COUNT; k++) {
    const members = points.filter((_, i) => labels[i] === k)
    const n = Math.max(1, members.length)
    centres.push([members.reduce((s, p) => s + p[0], 0) / n, members.reduce((s, p) => s + p[1], 0) / n])
  }
  centres.sort((a, b) => compareNorthWest(a, b, 400))
  const ids = await allocateIds(tx, 'zones', centres.length)
  const teamOrder = ['patrol', 'emergency', 'information', 'patrol', 'mediation', 'school_traffic', 'patrol', 'publicity', 'information', 'emergency']
  const zones: (ZoneInfo & { x: number; y: number })[] = centres.map((c, i) => {
    const worker = org.gridWorkers[i % org.gridWorkers.length]!
    const kind = teamOrder[i % teamOrder.length]
    const team = org.teams.find((t) => t.kind === kind) ?? org.teams[0]!
    return { id: ids[i] as number, name: `第${i + 1}网格`, assigneeId: worker.id, teamId: team.id, x: c[0], y: c[1] }
  })
  const since = new Date(ctx.now.getTime() - ZONES_SINCE_DAYS * DAY)
  const rows = zones.map((z) => ({ id: z.id, name: z.name, assignee: z.assigneeId, team: z.teamId, x: z.x, y: z.y }))
  // The boundary is split by the Voronoi edges of the zone centres (made in UTM, projected to
  // lon/lat): the pieces tile the boundary exactly, sharing their edge vertices, with no overlay
  // arithmetic that could leave slivers. Each piece belongs to the nearest centre.
  const inserted = await tx`
    with seeds as (
      select r.*, ST_SetSRID(ST_MakePoint(r.x, r.y), ${utm}::int) as p
      from jsonb_to_recordset(${json(rows)}::text::jsonb) as r(id bigint, name text, assignee bigint, team bigint, x float8, y float8)
    ), community as (
      select boundary, ST_Transform(boundary, ${utm}::int) as g from communities where id = ${communityId}
    ), blade as (
      select ST_Transform(ST_VoronoiLines(ST_Collect(p), 0, (select ST_Expand(g, 500) from community)), 4326) as l from seeds
    ), pieces as (
      select row_number() over () as n, d.geom as piece
      from ST_Dump(ST_Split((select boundary from community), (select l from blade))) as d
      where ST_Dimension(d.geom) = 2
    ), owned as (
      select distinct on (pieces.n) pieces.n, pieces.piece, s.id
      from pieces cross join seeds s
      order by pieces.n, ST_Distance(ST_Transform(ST_PointOnSurface(pieces.piece), ${utm}::int), s.p), s.id
    ), zone_geoms as (
      select id, ST_Multi(ST_CollectionExtract(ST_Union(piece), 3)) as geom from owned group by id
    )
    insert into zones (id, community_id, name, assignee_id, team_id, geom, created_at, updated_at)
    select s.id, ${communityId}, s.name, s.assignee, s.team, g.geom, ${since}::timestamptz, ${since}::timestamptz
    from seeds s join zone_geoms g using (id)
    order by s.id`
  const history = await tx`
    insert into zone_history (community_id, zone_id, name, assignee_id, geom, valid_from, valid_to)
    select community_id, id, name, assignee_id, geom, ${since}::timestamptz, null
    from zones where community_id = ${communityId}
    order by id`
  ctx.summary.zones = inserted.count
  ctx.summary.zoneHistory = history.count
  return zones.map(({ id, name, assigneeId, teamId }) => ({ id, name, assigneeId, teamId }))
}
