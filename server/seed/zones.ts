/**
 * Responsibility zones (责任网格): Voronoi cells of k-means centres of the buildings, clipped to the
 * community boundary, so they cover it without gaps or overlaps. Two of the grids are split the same way
 * into micro-grids (微网格) along groups of their buildings, each with its own person.
 */
import { compareNorthWest, kMeans } from './basemap.ts'
import { allocateIds, json, type BuildingInfo, type Organisation, type SeedContext, type ZoneInfo } from './context.ts'
import type { XY } from './geo.ts'
import { DAY } from './time.ts'

/** How many zones the community is split into (one per grid worker). */
export const ZONE_COUNT = 10
/** How long ago the current zone layout took effect. */
const ZONES_SINCE_DAYS = 120
/**
 * Micro-grids per split grid: the two grids with the most buildings among the later ones (第7–第10网格;
 * the first grids stay whole, as tests and demos point at them) hold 3 and 2 micro-grids.
 */
export const MICRO_GRID_SPLITS = [3, 2] as const
/** The first grid index (0-based) that may be split into micro-grids. */
const FIRST_SPLIT_GRID = 6

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
  const micro = await makeMicroGrids(ctx, buildings, zones, org, since)
  const history = await tx`
    insert into zone_history (community_id, zone_id, name, assignee_id, parent_id, geom, valid_from, valid_to)
    select community_id, id, name, assignee_id, parent_id, geom, ${since}::timestamptz, null
    from zones where community_id = ${communityId}
    order by id`
  ctx.summary.zones = inserted.count
  ctx.summary.microGrids = micro
  ctx.summary.zoneHistory = history.count
  return zones.map(({ id, name, assigneeId, teamId }) => ({ id, name, assigneeId, teamId }))
}

/**
 * Split {@link MICRO_GRID_SPLITS} grids into micro-grids: each grid's buildings (nearest grid centre, as
 * the Voronoi cells are) are grouped by k-means, and the grid is split by the Voronoi edges of the group
 * centres, each piece to the nearest centre — so a grid's micro-grids tile it exactly. Each micro-grid gets
 * a person of the teams (队员 or 志愿者, in order) and its grid's team. Returns how many were inserted.
 */
async function makeMicroGrids(ctx: SeedContext, buildings: BuildingInfo[], grids: (ZoneInfo & { x: number; y: number })[], org: Organisation, since: Date): Promise<number> {
  const { tx, utm, communityId } = ctx
  const rng = ctx.rng.fork('micro-grids')
  const nearest = (p: XY): number => {
    let best = 0
    for (let i = 1; i < grids.length; i++) {
      if ((grids[i]!.x - p[0]) ** 2 + (grids[i]!.y - p[1]) ** 2 < (grids[best]!.x - p[0]) ** 2 + (grids[best]!.y - p[1]) ** 2) best = i
    }
    return best
  }
  const members = grids.map(() => [] as XY[])
  for (const b of buildings) members[nearest(b.centroid)]!.push(b.centroid)
  const chosen = grids
    .map((g, i) => ({ g, i, points: members[i]! }))
    .filter((c) => c.i >= FIRST_SPLIT_GRID)
    .sort((a, b) => b.points.length - a.points.length || a.i - b.i)
    .slice(0, MICRO_GRID_SPLITS.length)
    .sort((a, b) => a.i - b.i)
  const workers = org.people.filter((p) => p.title === '队员' || p.title === '志愿者')
  const seeds: { parent: number; name: string; assignee: number | null; x: number; y: number }[] = []
  chosen.forEach((c, n) => {
    const k = Math.min(MICRO_GRID_SPLITS[n]!, c.points.length)
    if (k < 2) return
    const labels = kMeans(c.points, k, rng)
    const centres: XY[] = []
    for (let j = 0; j < k; j++) {
      const group = c.points.filter((_, i) => labels[i] === j)
      if (group.length) centres.push([group.reduce((s, p) => s + p[0], 0) / group.length, group.reduce((s, p) => s + p[1], 0) / group.length])
    }
    centres.sort((a, b) => compareNorthWest(a, b, 100))
    centres.forEach((centre, j) => {
      seeds.push({ parent: c.g.id, name: `${c.g.name}·微网格${j + 1}`, assignee: workers[seeds.length % Math.max(1, workers.length)]?.id ?? null, x: centre[0], y: centre[1] })
    })
  })
  if (!seeds.length) return 0
  const ids = await allocateIds(tx, 'zones', seeds.length)
  const rows = seeds.map((s, i) => ({ ...s, id: ids[i] as number }))
  const inserted = await tx`
    with seeds as (
      select r.*, ST_SetSRID(ST_MakePoint(r.x, r.y), ${utm}::int) as p
      from jsonb_to_recordset(${json(rows)}::text::jsonb) as r(id bigint, parent bigint, name text, assignee bigint, x float8, y float8)
    ), grids as (
      select z.id, z.geom, z.team_id from zones z where z.community_id = ${communityId} and z.id in (select parent from seeds)
    ), blades as (
      select s.parent,
             ST_Transform(ST_VoronoiLines(ST_Collect(s.p), 0, (select ST_Expand(ST_Transform(g.geom, ${utm}::int), 500) from grids g where g.id = s.parent)), 4326) as l
      from seeds s group by s.parent
    ), pieces as (
      select row_number() over () as n, b.parent, d.geom as piece
      from blades b join grids g on g.id = b.parent, ST_Dump(ST_Split(g.geom, b.l)) as d
      where ST_Dimension(d.geom) = 2
    ), owned as (
      select distinct on (pieces.n) pieces.n, pieces.piece, s.id
      from pieces join seeds s on s.parent = pieces.parent
      order by pieces.n, ST_Distance(ST_Transform(ST_PointOnSurface(pieces.piece), ${utm}::int), s.p), s.id
    ), micro_geoms as (
      select id, ST_Multi(ST_CollectionExtract(ST_Union(piece), 3)) as geom from owned group by id
    )
    insert into zones (id, community_id, name, assignee_id, team_id, parent_id, geom, created_at, updated_at)
    select s.id, ${communityId}, s.name, s.assignee, g.team_id, s.parent, m.geom, ${since}::timestamptz, ${since}::timestamptz
    from seeds s join micro_geoms m using (id) join grids g on g.id = s.parent
    order by s.id`
  return inserted.count
}
