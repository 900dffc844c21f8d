/**
 * `GET /api/zones/check`: overlaps, gaps and coverage of a community's zones, computed as many short
 * statements so that no check monopolises the database (issue 18.4).
 *
 * The embedded database has one connection and PGlite runs statements on the server's own thread: while
 * one statement runs, nothing else does. A check over heavy zones (16 grids of 10,000 vertices each) was
 * three statements of seconds each. Here the work is cut by vertex count:
 *
 * - overlaps: candidate pairs by bounding box (index only), then the exact intersections a few pairs at a
 *   time (at most {@link VERTEX_BUDGET} vertices per statement);
 * - gaps: what is left of the community (or of a grid, for its micro-grids) after taking away a few zones at
 *   a time: `rest := rest − ∪(batch)`, passed from one statement to the next as EWKB. The covered area is the
 *   whole minus what is left, exactly `area(whole ∩ ∪ zones)`.
 *
 * Each statement is bounded by the `heavy` statement timeout (server/db/timeouts.ts).
 */
import type { Queryable, Sql } from '../db/connect.ts'
import { withStatementTimeout } from '../db/timeouts.ts'
import type { ZoneCheck } from '../../core/answers.ts'

import { batchesByWeight } from '../domain/batches.ts'
import { GEOJSON_DIGITS as DIGITS, MICRO_SLIVER_WIDTH_M, SLIVER_M2 } from './zones.ts'

/** Vertices one statement of the check may take at most (a single heavier zone goes alone). */
export const VERTEX_BUDGET = 12_000

interface ZoneRow {
  id: number
  parentId: number | null
  vertices: number
}

interface Overlap {
  a: number
  b: number
  areaM2: number
  geometry: unknown
}

/** One statement under the heavy timeout. */
const heavy = <T>(sql: Sql, fn: (tx: Queryable) => Promise<T>): Promise<T> => withStatementTimeout(sql, 'heavy', fn)

/** The exact overlaps of some candidate pairs, computed a batch of pairs per statement. */
async function overlapsOf(sql: Sql, srid: number, pairs: { a: number; b: number; vertices: number }[]): Promise<Overlap[]> {
  const found: Overlap[] = []
  for (const batch of batchesByWeight(pairs, (p) => p.vertices, VERTEX_BUDGET)) {
    const rows = await heavy(sql, (tx) => tx<Overlap[]>`
      with p as (select * from unnest(${batch.map((p) => p.a)}::bigint[], ${batch.map((p) => p.b)}::bigint[]) as p(a, b)),
      i as (
        select p.a, p.b, ST_CollectionExtract(ST_Intersection(ST_Transform(za.geom, ${srid}::int), ST_Transform(zb.geom, ${srid}::int)), 3) as g
        from p join zones za on za.id = p.a join zones zb on zb.id = p.b
      )
      select a::int as a, b::int as b, round(ST_Area(g)::numeric, 1)::float8 as "areaM2", ST_AsGeoJSON(ST_Transform(g, 4326), ${DIGITS})::json as geometry
      from i where ST_Area(g) >= ${SLIVER_M2}`)
    found.push(...rows)
  }
  return found.sort((x, y) => x.a - y.a || x.b - y.b)
}

interface Remainder {
  wholeArea: number
  restArea: number
  gapArea: number
  gap: unknown
}

/**
 * What is left of `whole` (an EWKB in the community's UTM zone) after taking away the zones `ids`, a
 * batch per statement; the gap is the remainder's pieces over the sliver area (and, for micro-grids, wider
 * than {@link MICRO_SLIVER_WIDTH_M}).
 */
async function remainderOf(sql: Sql, srid: number, whole: Buffer, zones: ZoneRow[], micro: boolean): Promise<Remainder> {
  let rest = whole
  for (const batch of batchesByWeight(zones, (z) => z.vertices, VERTEX_BUDGET)) {
    const [row] = await heavy(sql, (tx) => tx<{ rest: Buffer }[]>`
      select ST_AsEWKB(ST_Difference(ST_GeomFromEWKB(${rest}::bytea),
                                     (select ST_Union(ST_Transform(geom, ${srid}::int)) from zones where id = any(${batch.map((z) => z.id)}::bigint[])))) as rest`)
    rest = row!.rest
  }
  const [row] = await heavy(sql, (tx) => tx<Remainder[]>`
    with w as (select ST_GeomFromEWKB(${whole}::bytea) as g),
    r as (select ST_GeomFromEWKB(${rest}::bytea) as g),
    gap as (
      select d.geom as g
      from r, ST_Dump(ST_CollectionExtract(r.g, 3)) d
      where ST_Area(d.geom) >= ${SLIVER_M2}
        and ${micro ? sql`not ST_IsEmpty(ST_Buffer(d.geom, ${-MICRO_SLIVER_WIDTH_M / 2}))` : sql`true`}
    )
    select (select ST_Area(g) from w) as "wholeArea",
           (select ST_Area(g) from r) as "restArea",
           coalesce((select sum(ST_Area(g)) from gap), 0) as "gapArea",
           ST_AsGeoJSON(ST_Transform(coalesce((select ST_Multi(ST_Collect(g)) from gap), ST_SetSRID('MULTIPOLYGON EMPTY'::geometry, ${srid}::int)), 4326), ${DIGITS})::json as gap`)
  return row!
}

const round1 = (x: number): number => Math.round(x * 10) / 10
const ratio = (part: number, whole: number): number => (whole > 0 ? Math.round((part / whole) * 10000) / 10000 : 0)

/**
 * Overlaps, gaps and coverage of a community's zones, computed in its UTM zone, per tier: the grids against
 * each other and the community boundary; under `microGrids`, for each grid holding micro-grids, its
 * micro-grids against each other and the grid (a grid without micro-grids has no micro-grid gaps).
 * undefined when not visible.
 */
export async function checkZones(sql: Sql, communityId: number, communityIds: number[] | null): Promise<ZoneCheck | undefined> {
  const [community] = await sql<{ id: number; srid: number; boundary: Buffer }[]>`
    select id, utm_srid as srid, ST_AsEWKB(ST_Transform(boundary, utm_srid)) as boundary
    from communities where id = ${communityId} and ${communityIds === null ? sql`true` : sql`id = any(${communityIds}::bigint[])`}`
  if (!community) return undefined
  const { srid } = community
  const zones = await sql<ZoneRow[]>`
    select id::int as id, parent_id::int as "parentId", ST_NPoints(geom) as vertices
    from zones where community_id = ${communityId} order by id`
  const candidates = await sql<{ a: number; b: number }[]>`
    select a.id::int as a, b.id::int as b
    from zones a join zones b on a.community_id = b.community_id and a.id < b.id and a.geom && b.geom
     and a.parent_id is not distinct from b.parent_id
    where a.community_id = ${communityId}
    order by a.id, b.id`
  const vertices = new Map(zones.map((z) => [z.id, z.vertices]))
  const parentOf = new Map(zones.map((z) => [z.id, z.parentId]))
  const overlaps = await overlapsOf(sql, srid, candidates.map((p) => ({ ...p, vertices: vertices.get(p.a)! + vertices.get(p.b)! })))

  const grids = zones.filter((z) => z.parentId === null)
  const top = await remainderOf(sql, srid, community.boundary, grids, false)

  const microGrids: ZoneCheck['microGrids'] = []
  for (const grid of grids) {
    const children = zones.filter((z) => z.parentId === grid.id)
    if (!children.length) continue
    const [parent] = await sql<{ name: string; g: Buffer }[]>`
      select name, ST_AsEWKB(ST_Transform(geom, ${srid}::int)) as g from zones where id = ${grid.id}`
    if (!parent) continue
    const tier = await remainderOf(sql, srid, parent.g, children, true)
    microGrids.push({
      parentId: grid.id,
      name: parent.name,
      count: children.length,
      overlaps: overlaps.filter((o) => parentOf.get(o.a) === grid.id),
      gaps: { areaM2: round1(tier.gapArea), geometry: tier.gap },
      coverage: ratio(tier.wholeArea - tier.restArea, tier.wholeArea),
    })
  }
  const zonedArea = top.wholeArea - top.restArea
  return {
    communityId,
    overlaps: overlaps.filter((o) => parentOf.get(o.a) === null),
    microGrids,
    gaps: { areaM2: round1(top.gapArea), geometry: top.gap },
    coverage: ratio(zonedArea, top.wholeArea),
    communityAreaM2: round1(top.wholeArea),
    zonedAreaM2: round1(zonedArea),
  }
}
