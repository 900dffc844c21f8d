/**
 * Spatial analysis of hazards (隐患分析): DBSCAN clusters, Getis-Ord Gi* hot spots on a hexagon grid,
 * and repeat locations (防反弹). Metric work is done in each community's UTM zone (or as geography).
 */
import type postgres from 'postgres'
import type { Queryable, Sql } from '../db/connect.ts'
import {
  getisOrdGiStar,
  hexCellEstimate,
  hexCentre,
  smallNumbersNote,
  type Confidence,
  type SmallNumbersNote,
} from '../domain/gistar.ts'
import type { Category, Status } from '../../core/matters.ts'
import { Problem, problems } from '../problem.ts'
import { RECURRENCE_DAYS, RECURRENCE_RADIUS_M } from './hazards.ts'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'

/** Most hexagon cells a hot-spot answer may hold; a finer grid → 422 asking for a bigger cell. */
export const MAX_HOTSPOT_CELLS = 20_000

/** The hazards an analysis looks at. Without `status`, rejected hazards (not a hazard) are left out. */
export interface AnalysisFilter {
  /** Communities the caller may see; null = all. */
  communityIds: number[] | null
  communityId?: number | undefined
  /** Reported at or after (ISO 8601). */
  from?: string | undefined
  /** Reported before (ISO 8601). */
  to?: string | undefined
  category?: Category[] | undefined
  status?: Status[] | undefined
  /** Only the matters handed to this partner unit (a partner account's figures). */
  unitId?: number | null | undefined
  /** Leave leads out (the caller may not see them: core/matters.ts `seesLeads`). */
  hideLeads?: boolean | undefined
}

/** The window of an answer: the `from`/`to` asked for (null = open). */
export interface AnalysisWindow {
  from: string | null
  to: string | null
}

const windowOf = (f: AnalysisFilter): AnalysisWindow => ({ from: f.from ?? null, to: f.to ?? null })

/** The `where` of hazards (alias `h`) that a filter selects. */
export function hazardWhere(sql: Queryable, f: AnalysisFilter): postgres.Fragment {
  const parts: postgres.Fragment[] = []
  if (f.communityIds !== null) parts.push(sql`h.community_id = any(${f.communityIds}::bigint[])`)
  if (f.communityId !== undefined) parts.push(sql`h.community_id = ${f.communityId}`)
  if (f.from) parts.push(sql`h.reported_at >= ${f.from}::timestamptz`)
  if (f.to) parts.push(sql`h.reported_at < ${f.to}::timestamptz`)
  if (f.category?.length) parts.push(sql`h.category = any(${f.category}::text[])`)
  if (f.unitId !== undefined && f.unitId !== null) parts.push(sql`h.unit_id = ${f.unitId}`)
  if (f.status?.length) parts.push(sql`h.status = any(${f.status}::text[])`)
  // Declined matters are left out, and residents' reports not yet accepted (待核实) are no matters yet.
  else parts.push(sql`h.status <> all(array['rejected', 'pending_review'])`)
  if (f.hideLeads) parts.push(sql`h.type <> 'lead'`)
  return parts.reduce((acc, p) => sql`${acc} and ${p}`)
}

/**
 * The community asked for, or else the first the caller may see; 404 when there is none or the
 * caller may not see it (other communities' ids never leak).
 */
export async function analysisCommunity(sql: Sql, communityIds: number[] | null, communityId?: number): Promise<{ id: number; utmSrid: number }> {
  const [row] = await sql<{ id: number; utmSrid: number }[]>`
    select c.id, c.utm_srid as "utmSrid" from communities c
    where ${communityIds === null ? sql`true` : sql`c.id = any(${communityIds}::bigint[])`}
      and ${communityId === undefined ? sql`true` : sql`c.id = ${communityId}`}
    order by c.id limit 1`
  if (!row) throw problems.notFound(communityId === undefined ? 'You may see no community.' : `No community ${communityId}.`)
  return row
}

/**
 * Run `fn` in a transaction with JIT compilation off. PostGIS gives ST_Transform and friends a high
 * cost, so over tens of thousands of hazards the planner's estimate passes jit_above_cost and
 * PostgreSQL spends longer compiling (≈ 1 s) than running (≈ 0.3 s) the query.
 */
async function withoutJit<T>(sql: Sql, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return (await sql.begin(async (tx) => {
    await tx`set local jit = off`
    return fn(tx)
  })) as T
}

/** 404 when the caller asks for a community it may not see (an empty answer would hide the mistake). */
async function checkCommunity(sql: Sql, f: AnalysisFilter): Promise<void> {
  if (f.communityId !== undefined) await analysisCommunity(sql, f.communityIds, f.communityId)
}

// ---------------------------------------------------------------------------------------------
// Clusters

/** Options of {@link hazardClusters}. */
export interface ClusterQuery extends AnalysisFilter {
  /** Neighbourhood radius in metres. */
  eps: number
  /** Points within eps (the point itself included) that make a core point. */
  minPoints: number
}

/**
 * DBSCAN clusters of hazards (`GET /api/analysis/clusters`) as a GeoJSON FeatureCollection (JSON text):
 * `ST_ClusterDBSCAN(eps, minPoints)` over the points in their community's UTM zone (each community
 * apart), one Feature per cluster with the convex hull of its members (a Point or LineString when
 * degenerate) and `{ clusterId, communityId, count, hazardIds, categories }`. Clusters are numbered
 * 1, 2, … biggest first. Top level: `eps`, `minPoints`, `window`, `hazards` (looked at) and `noise`
 * (in no cluster).
 */
export async function hazardClusters(sql: Sql, q: ClusterQuery): Promise<string> {
  await checkCommunity(sql, q)
  const [row] = await withoutJit(sql, (tx) => tx<{ fc: string }[]>`
    with scoped as (
      select h.id, h.community_id, h.category, h.geom, c.utm_srid
      from hazards h join communities c on c.id = h.community_id
      where ${hazardWhere(tx, q)}
    ), labelled as (
      select s.id, s.community_id, s.category, s.geom,
             ST_ClusterDBSCAN(ST_Transform(s.geom, s.utm_srid), ${q.eps}::float8, ${q.minPoints}::int)
               over (partition by s.community_id) as cid
      from scoped s
    ), members as (
      select * from labelled where cid is not null
    ), cats as (
      select x.community_id, x.cid, jsonb_object_agg(x.category, x.n) as categories
      from (select community_id, cid, category, count(*)::int as n from members group by 1, 2, 3) x
      group by 1, 2
    ), clusters as (
      select m.community_id, m.cid, count(*)::int as n, array_agg(m.id order by m.id) as ids, min(m.id) as first_id,
             ST_ForcePolygonCCW(ST_ConvexHull(ST_Collect(m.geom))) as hull
      from members m group by 1, 2
    ), numbered as (
      select row_number() over (order by cl.n desc, cl.first_id)::int as cluster_id, cl.*, cats.categories
      from clusters cl join cats using (community_id, cid)
    )
    select json_build_object(
      'type', 'FeatureCollection',
      'eps', ${q.eps}::float8,
      'minPoints', ${q.minPoints}::int,
      'window', json_build_object('from', ${q.from ?? null}::timestamptz, 'to', ${q.to ?? null}::timestamptz),
      'hazards', (select count(*)::int from labelled),
      'noise', (select count(*)::int from labelled where cid is null),
      'features', coalesce((
        select json_agg(json_build_object(
          'type', 'Feature',
          'id', n.cluster_id,
          'geometry', ST_AsGeoJSON(n.hull, 7)::json,
          'properties', json_build_object(
            'id', n.cluster_id, 'clusterId', n.cluster_id, 'communityId', n.community_id, 'count', n.n,
            'hazardIds', n.ids, 'categories', n.categories)
        ) order by n.cluster_id)
        from numbered n), '[]'::json)
    )::text as fc`)
  return row!.fc
}

// ---------------------------------------------------------------------------------------------
// Hot spots

/** Options of {@link hotspotGrid}. */
export interface HotspotQuery extends AnalysisFilter {
  /** Hexagon edge in metres. */
  cell: number
}

/** One hexagon cell of a hot-spot answer. */
export interface HotspotFeature {
  type: 'Feature'
  id: string
  geometry: { type: 'Polygon'; coordinates: number[][][] }
  properties: z.infer<typeof Schemas.HotspotProperties>
}

/** `GET /api/analysis/hotspots`. */
export interface HotspotCollection {
  type: 'FeatureCollection'
  communityId: number
  utmSrid: number
  cellM: number
  window: AnalysisWindow
  /** Hazards counted in the cells. */
  hazards: number
  cells: number
  nonEmptyCells: number
  /** Set when the small-numbers rule applies: no z-scores, every confidence 0. */
  note: SmallNumbersNote | null
  features: HotspotFeature[]
}

/**
 * Getis-Ord Gi* hot spots (`GET /api/analysis/hotspots`): the flat-topped hexagons of edge `cell`
 * (ST_HexagonGrid in the community's UTM zone) that intersect the community boundary, each with the
 * number of hazards in it (every point in exactly one hexagon: sg_hex_col / sg_hex_row), its Gi* z,
 * two-sided p and confidence bin (server/domain/gistar.ts). With too few hazards or non-empty cells
 * (the small-numbers rule) z and p are null, confidence 0 and `note` says why.
 * 422 when the grid would exceed {@link MAX_HOTSPOT_CELLS} cells.
 */
export async function hotspotGrid(sql: Sql, q: HotspotQuery): Promise<HotspotCollection> {
  const community = await analysisCommunity(sql, q.communityIds, q.communityId)
  const [extent] = await sql<{ width: number; height: number }[]>`
    select ST_XMax(b) - ST_XMin(b) as width, ST_YMax(b) - ST_YMin(b) as height
    from (select ST_Transform(c.boundary, c.utm_srid) as b from communities c where c.id = ${community.id}) x`
  const estimate = hexCellEstimate(extent!.width, extent!.height, q.cell)
  if (estimate > MAX_HOTSPOT_CELLS) {
    let smallest = Math.ceil(q.cell * Math.sqrt(estimate / MAX_HOTSPOT_CELLS))
    while (hexCellEstimate(extent!.width, extent!.height, smallest) > MAX_HOTSPOT_CELLS) smallest++
    throw new Problem(422, `A ${q.cell} m grid over this community needs about ${estimate} cells (at most ${MAX_HOTSPOT_CELLS}); ask for a cell of ${smallest} m or more.`, {
      errors: [{ path: 'cell', message: `at least ${smallest} m for this community` }],
    })
  }
  const filter = { ...q, communityId: community.id }
  // Cells and counts come apart and meet in a Map: the planner cannot guess how many hexagons
  // ST_HexagonGrid makes (it assumes 1) and would join them by a nested loop, quadratic in cells.
  const { cells, counts } = await withoutJit(sql, async (tx) => {
    const counts = await tx<{ i: number; j: number; n: number }[]>`
      with pts as materialized (
        -- materialized: sg_hex_col/sg_hex_row then see plain columns and are inlined as arithmetic
        select ST_X(p.g) as x, ST_Y(p.g) as y
        from (select ST_Transform(h.geom, ${community.utmSrid}::int) as g from hazards h where ${hazardWhere(tx, filter)}) p
      )
      select sg_hex_col(pts.x, pts.y, ${q.cell}::float8) as i,
             sg_hex_row(pts.y, ${q.cell}::float8, sg_hex_col(pts.x, pts.y, ${q.cell}::float8)) as j,
             count(*)::int as n
      from pts group by 1, 2`
    const cells = await tx<{ i: number; j: number; geometry: string }[]>`
      select g.i, g.j, ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Transform(g.geom, 4326)), 7) as geometry
      from sg_hex_cells(${community.id}, ${q.cell}::float8) g
      order by g.i, g.j`
    return { cells, counts }
  })
  const countOf = new Map(counts.map((c) => [`${c.i}:${c.j}`, c.n]))
  const rows = cells.map((c) => ({ ...c, count: countOf.get(`${c.i}:${c.j}`) ?? 0 }))
  const hazards = rows.reduce((s, r) => s + r.count, 0)
  const nonEmptyCells = rows.filter((r) => r.count > 0).length
  const note = smallNumbersNote(hazards, nonEmptyCells)
  const gi = note
    ? rows.map(() => ({ z: null, p: null, confidence: 0 as Confidence }))
    : getisOrdGiStar(
        rows.map((r) => ({ ...hexCentre(r.i, r.j, q.cell), count: r.count })),
        q.cell,
      )
  const features = rows.map((r, k): HotspotFeature => {
    const id = `${r.i}:${r.j}`
    const g = gi[k]!
    return {
      type: 'Feature',
      id,
      geometry: JSON.parse(r.geometry) as HotspotFeature['geometry'],
      properties: { id, col: r.i, row: r.j, count: r.count, giZ: g.z, giP: g.p, confidence: g.confidence },
    }
  })
  return {
    type: 'FeatureCollection',
    communityId: community.id,
    utmSrid: community.utmSrid,
    cellM: q.cell,
    window: windowOf(q),
    hazards,
    cells: rows.length,
    nonEmptyCells,
    note,
    features,
  }
}

// ---------------------------------------------------------------------------------------------
// Recurrences

/** One repeat (反弹): a hazard that came back where one of its category was verified shortly before. */
export interface RecurrenceFeature {
  type: 'Feature'
  id: number
  geometry: { type: 'Point'; coordinates: [number, number] }
  properties: {
    id: number
    hazardId: number
    /** The verified hazard it repeats (by the rule, worked out now). */
    earlierId: number
    /** What was stored at the report (`recurrence_of`); the demo history uses its own rule. */
    recordedRecurrenceOf: number | null
    category: Category
    status: Status
    communityId: number
    reportedAt: string
    earlierClosedAt: string
    distanceM: number
    /** Hazards of this category within the radius of this one, reported in the window (itself included). */
    count: number
  }
}

/**
 * Repeat locations (`GET /api/analysis/recurrences`): the hazards reported in the window that repeat
 * one of the same category verified within {@link RECURRENCE_RADIUS_M} m in the {@link RECURRENCE_DAYS}
 * days before (the rule of createHazard, worked out by `sg_recurrence_of` for every hazard, so the
 * seeded history counts too), most repeated locations first.
 */
export async function hazardRecurrences(sql: Sql, f: AnalysisFilter): Promise<{ type: 'FeatureCollection'; window: AnalysisWindow; radiusM: number; days: number; features: RecurrenceFeature[] }> {
  await checkCommunity(sql, f)
  const rows = await withoutJit(sql, (tx) => tx<{ feature: RecurrenceFeature }[]>`
    with w as (
      select h.id, h.community_id, h.category, h.status, h.geom, h.reported_at, h.recurrence_of,
             sg_recurrence_of(h.id, h.community_id, h.category, h.geom, h.reported_at,
                              ${RECURRENCE_RADIUS_M}::float8, ${RECURRENCE_DAYS}::int) as earlier
      from hazards h
      where ${hazardWhere(tx, f)}
    )
    select json_build_object(
      'type', 'Feature',
      'id', w.id,
      'geometry', ST_AsGeoJSON(w.geom, 7)::json,
      'properties', json_build_object(
        'id', w.id, 'hazardId', w.id, 'earlierId', w.earlier, 'recordedRecurrenceOf', w.recurrence_of,
        'category', w.category, 'status', w.status, 'communityId', w.community_id,
        'reportedAt', w.reported_at, 'earlierClosedAt', e.closed_at,
        'distanceM', round(ST_Distance(w.geom::geography, e.geom::geography)::numeric, 1),
        'count', (
          select count(*)::int from hazards h
          where ${hazardWhere(tx, { ...f, category: undefined })} and h.community_id = w.community_id and h.category = w.category
            and h.geom && ST_Expand(w.geom, ${RECURRENCE_RADIUS_M * 1.02}::float8 / (111320.0 * greatest(cos(radians(least(89.0, abs(ST_Y(w.geom)) + 0.01))), 0.01)),
                                    ${RECURRENCE_RADIUS_M * 1.02}::float8 / 110574.0)
            and ST_DWithin(h.geom::geography, w.geom::geography, ${RECURRENCE_RADIUS_M}::float8))
      )
    ) as feature
    from w join hazards e on e.id = w.earlier
    order by w.reported_at desc, w.id desc`)
  const features = rows.map((r) => r.feature).sort((a, b) => b.properties.count - a.properties.count)
  return { type: 'FeatureCollection', window: windowOf(f), radiusM: RECURRENCE_RADIUS_M, days: RECURRENCE_DAYS, features }
}
