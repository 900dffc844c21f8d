/**
 * The statements of a new-community job (`server/jobs/community-import.ts`): stage the features, check them
 * against PostGIS and the boundary in batches, summarise, and commit them into a new community. Each statement
 * touches one batch, so the embedded database's one connection is never held for long.
 */
import type { Queryable, Sql } from '../db/connect.ts'
import { problems } from '../problem.ts'
import { recordAudit } from './audit.ts'
import type { SessionUser } from './users.ts'

/** Rows per staging insert. */
export const STAGE_BATCH = 1000
/** Features per check or commit statement. */
export const CHECK_BATCH = 250
/** A building is kept whole when at least this share of its footprint lies inside the boundary. */
export const STRADDLE_MIN_SHARE = 0.5
/** Outside area (m²) below which a building counts as wholly inside (drawing is not perfect). */
export const OUTSIDE_TOLERANCE_M2 = 1
/** Roads are clipped to the boundary buffered by this many metres. */
export const ROAD_CLIP_BUFFER_M = 30
/** Boundary area limits (m²). */
export const BOUNDARY_MIN_M2 = 1_000
export const BOUNDARY_MAX_M2 = 100_000_000

/** Job statuses. */
export type JobStatus = 'queued' | 'parsing' | 'checking' | 'ready' | 'committing' | 'done' | 'failed' | 'cancelled'

/** A job as `GET /api/community-imports/:id` answers it. */
export interface ImportJob {
  id: number
  status: JobStatus
  stage: string | null
  done: number
  total: number
  params: { name?: string; nameEn?: string; crs?: string; files?: { name: string; field: string; format?: string; features?: number; error?: string }[]; boundaryFrom?: string; timings?: Record<string, number> }
  summary: ImportSummary | null
  error: string | null
  communityId: number | null
  userId: number | null
  boundary: unknown
  boundaryAreaM2: number | null
  utmSrid: number | null
  createdAt: string
  updatedAt: string
}

/** Counts of a checked job. */
export interface ImportSummary {
  buildings: { accepted: number; straddling: number; refused: number; merged: number }
  roads: { accepted: number; refused: number; merged: number }
  other: { refused: number }
  byReason: { layer: string; reason: string; count: number }[]
}

/** One staged feature (geometry as GeoJSON text, or a refusal already made in TypeScript). */
export interface StagedFeature {
  seq: number
  layer: 'buildings' | 'roads' | 'other'
  file: string
  sourceIndex: number
  key: string | null
  props: Record<string, unknown>
  geometry: string | null
  reason: string | null
}

/** Create a job. */
export async function createJob(sql: Sql, userId: number, params: ImportJob['params']): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    insert into import_jobs (kind, user_id, status, stage, params) values ('community', ${userId}, 'queued', 'queued', ${sql.json(params as never)})
    returning id::int`
  return row!.id
}

/** Set a job's progress and status. */
export async function setJob(sql: Queryable, id: number, fields: { status?: JobStatus; stage?: string; done?: number; total?: number; error?: string | null; params?: ImportJob['params']; summary?: ImportSummary; communityId?: number }): Promise<void> {
  await sql`
    update import_jobs set
      status = coalesce(${fields.status ?? null}, status),
      stage = coalesce(${fields.stage ?? null}, stage),
      done = coalesce(${fields.done ?? null}::int, done),
      total = coalesce(${fields.total ?? null}::int, total),
      error = ${fields.error === undefined ? sql`error` : sql`${fields.error}`},
      params = ${fields.params === undefined ? sql`params` : sql`${sql.json(fields.params as never)}`},
      summary = ${fields.summary === undefined ? sql`summary` : sql`${sql.json(fields.summary as never)}`},
      community_id = coalesce(${fields.communityId ?? null}::bigint, community_id),
      updated_at = now()
    where id = ${id}`
}

/** A job the caller may see (its creator, or an admin of everything), or 404. */
export async function getJob(sql: Queryable, id: number, viewer: SessionUser, communityIds: number[] | null): Promise<ImportJob> {
  const [row] = await sql<ImportJob[]>`
    select j.id::int, j.status, j.stage, j.done, j.total, j.params, j.summary, j.error, j.community_id::int as "communityId", j.user_id::int as "userId",
           ST_AsGeoJSON(j.boundary, 7)::json as boundary,
           case when j.boundary is null then null else round(ST_Area(ST_Transform(j.boundary, j.utm_srid))::numeric, 1)::float8 end as "boundaryAreaM2",
           j.utm_srid as "utmSrid", j.created_at as "createdAt", j.updated_at as "updatedAt"
    from import_jobs j where j.id = ${id}`
  if (!row || (communityIds !== null && row.userId !== viewer.id)) throw problems.notFound(`No import job ${id}.`)
  return row
}

/** The caller's recent jobs, newest first. */
export async function listJobs(sql: Sql, viewer: SessionUser, communityIds: number[] | null): Promise<Omit<ImportJob, 'boundary'>[]> {
  return sql<Omit<ImportJob, 'boundary'>[]>`
    select j.id::int, j.status, j.stage, j.done, j.total, j.params, j.summary, j.error, j.community_id::int as "communityId", j.user_id::int as "userId",
           null::float8 as "boundaryAreaM2", j.utm_srid as "utmSrid", j.created_at as "createdAt", j.updated_at as "updatedAt"
    from import_jobs j
    where ${communityIds === null ? sql`true` : sql`j.user_id = ${viewer.id}`}
    order by j.id desc limit 50`
}

/** Stage one batch of features. */
export async function stageFeatures(sql: Queryable, jobId: number, rows: readonly StagedFeature[]): Promise<void> {
  if (rows.length === 0) return
  const payload = rows.map((r) => ({ seq: r.seq, layer: r.layer, file: r.file, idx: r.sourceIndex, k: r.key, props: r.props, g: r.geometry, reason: r.reason }))
  await sql`
    insert into import_job_features (job_id, seq, layer, file, source_index, merge_key, props, geom, status, reason)
    select ${jobId}, r.seq, r.layer, r.file, r.idx, case when r.g is null then null else r.layer || ':' || r.k end, coalesce(r.props, '{}'::jsonb),
           case when r.g is null then null else ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(r.g)), 4326) end,
           case when r.reason is null then 'pending' else 'refused' end, r.reason
    from jsonb_to_recordset(${JSON.stringify(payload)}::text::jsonb) as r(seq int, layer text, file text, idx int, k text, props jsonb, g text, reason text)`
}

/** Check the validity of pending features with seq in [from, to): invalid ones are refused with PostGIS's reason and where. */
export async function checkValidity(sql: Queryable, jobId: number, from: number, to: number): Promise<void> {
  await sql`
    with v as (
      select f.seq, ST_IsValidDetail(f.geom) as d from import_job_features f
      where f.job_id = ${jobId} and f.seq >= ${from} and f.seq < ${to} and f.status = 'pending'
    )
    update import_job_features f set status = 'refused',
      reason = coalesce((v.d).reason, 'invalid geometry') ||
               case when (v.d).location is null then '' else ' at ' || round(ST_X((v.d).location)::numeric, 6) || ',' || round(ST_Y((v.d).location)::numeric, 6) end
    from v where f.job_id = ${jobId} and f.seq = v.seq and not (v.d).valid`
}

/** Keys shared by several valid pieces (tile-cut buildings and roads), to merge. */
export async function mergeKeys(sql: Queryable, jobId: number): Promise<string[]> {
  const rows = await sql<{ k: string }[]>`
    select merge_key as k from import_job_features
    where job_id = ${jobId} and status = 'pending' and merge_key is not null
    group by merge_key having count(*) > 1 order by merge_key`
  return rows.map((r) => r.k)
}

/** Merge the pieces of these keys into the first piece of each (buildings: ST_UnaryUnion; roads: ST_LineMerge). */
export async function mergePieces(sql: Queryable, jobId: number, keys: readonly string[]): Promise<void> {
  await sql`
    with g as (
      select merge_key, min(seq) as first, ST_UnaryUnion(ST_Collect(geom)) as u
      from import_job_features
      where job_id = ${jobId} and status = 'pending' and merge_key = any(${keys as string[]}::text[])
      group by merge_key
    ), kept as (
      update import_job_features f
      set geom = case when f.layer = 'roads' then ST_LineMerge(ST_CollectionExtract(g.u, 2)) else ST_CollectionExtract(g.u, 3) end
      from g where f.job_id = ${jobId} and f.seq = g.first
      returning f.seq
    )
    update import_job_features f set status = 'merged', reason = 'merged into #' || g.first
    from g where f.job_id = ${jobId} and f.merge_key = g.merge_key and f.seq <> g.first and f.status = 'pending'`
}

/**
 * Judge pending features in [from, to) against the boundary: a building wholly inside (< 1 m² out) is
 * accepted, one with most of its footprint inside is kept as straddling, the rest refused with the share inside;
 * a road that touches the boundary is accepted, others refused.
 */
export async function checkInside(sql: Queryable, jobId: number, from: number, to: number): Promise<void> {
  await sql`
    with j as (select boundary, utm_srid from import_jobs where id = ${jobId}),
    m as (
      select f.seq, f.layer,
             case when f.layer = 'buildings' then ST_Area(ST_Transform(f.geom, j.utm_srid)) end as area,
             case when f.layer = 'buildings' then
               case when ST_CoveredBy(f.geom, j.boundary) then 0
                    when not ST_Intersects(f.geom, j.boundary) then ST_Area(ST_Transform(f.geom, j.utm_srid))
                    else ST_Area(ST_Transform(ST_Difference(f.geom, j.boundary), j.utm_srid)) end end as outside,
             case when f.layer = 'roads' then ST_Intersects(f.geom, j.boundary) end as touches
      from import_job_features f, j
      where f.job_id = ${jobId} and f.seq >= ${from} and f.seq < ${to} and f.status = 'pending'
    )
    update import_job_features f set
      inside_share = case when m.layer = 'buildings' and m.area > 0 then greatest(0, 1 - m.outside / m.area) end,
      status = case
        when m.layer = 'roads' then case when m.touches then 'accepted' else 'refused' end
        when m.area <= 0 then 'refused'
        when m.outside < ${OUTSIDE_TOLERANCE_M2} then 'accepted'
        when 1 - m.outside / m.area >= ${STRADDLE_MIN_SHARE} then 'straddling'
        else 'refused' end,
      reason = case
        when m.layer = 'roads' then case when m.touches then null else 'lies outside the community' end
        when m.area <= 0 then 'has no area'
        when m.outside < ${OUTSIDE_TOLERANCE_M2} then null
        when 1 - m.outside / m.area >= ${STRADDLE_MIN_SHARE} then 'straddles the boundary; kept: ' || round(100 * (1 - m.outside / m.area)) || ' % inside'
        when m.outside >= m.area then 'lies outside the community'
        else 'mostly outside the community (' || round(100 * (1 - m.outside / m.area)) || ' % inside)' end
    from m where f.job_id = ${jobId} and f.seq = m.seq`
}

/** Set the job's boundary from a GeoJSON geometry (checked valid first) → null, or the reason it is refused. */
export async function setBoundary(sql: Queryable, jobId: number, geometries: readonly string[]): Promise<string | null> {
  for (const g of geometries) {
    const [v] = await sql<{ valid: boolean; reason: string | null; x: number | null; y: number | null }[]>`
      select (d).valid, (d).reason, ST_X((d).location) as x, ST_Y((d).location) as y
      from (select ST_IsValidDetail(ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(${g}::text)), 4326)) as d) s`
    if (!v?.valid) return `the boundary is invalid: ${v?.reason ?? 'invalid geometry'}${v?.x != null ? ` at ${v.x.toFixed(6)},${v.y!.toFixed(6)}` : ''}`
  }
  const [row] = await sql<{ area: number | null }[]>`
    with u as (
      select ST_Multi(ST_ForcePolygonCCW(ST_CollectionExtract(ST_Union(ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(g)), 4326)), 3))) as b
      from unnest(${geometries as string[]}::text[]) as g
    ), c as (select b, ST_PointOnSurface(b) as p from u where b is not null and not ST_IsEmpty(b))
    update import_jobs j set boundary = c.b,
      utm_srid = (case when ST_Y(c.p) >= 0 then 32600 else 32700 end) + least(60, greatest(1, floor((ST_X(c.p) + 180) / 6)::int + 1))
    from c where j.id = ${jobId}
    returning ST_Area(ST_Transform(j.boundary, j.utm_srid))::float8 as area`
  return boundaryProblem(row?.area ?? null)
}

/** The boundary from the buildings: their convex hull buffered by 30 m (as the demo's), when none was given. */
export async function setHullBoundary(sql: Queryable, jobId: number): Promise<string | null> {
  const [row] = await sql<{ area: number | null }[]>`
    with b as (select ST_Collect(geom) as g from import_job_features where job_id = ${jobId} and layer = 'buildings' and status = 'pending'),
    c as (select g, ST_PointOnSurface(ST_ConvexHull(g)) as p from b where g is not null),
    s as (select g, (case when ST_Y(p) >= 0 then 32600 else 32700 end) + least(60, greatest(1, floor((ST_X(p) + 180) / 6)::int + 1)) as srid from c)
    update import_jobs j set utm_srid = s.srid,
      boundary = ST_Multi(ST_ForcePolygonCCW(ST_Transform(ST_Segmentize(ST_Buffer(ST_ConvexHull(ST_Transform(s.g, s.srid)), 30), 10), 4326)))
    from s where j.id = ${jobId}
    returning ST_Area(ST_Transform(j.boundary, j.utm_srid))::float8 as area`
  if (!row) return 'no boundary was given and there are no buildings to draw one around'
  return boundaryProblem(row.area)
}

function boundaryProblem(area: number | null): string | null {
  if (area === null) return 'the boundary holds no polygon'
  if (area < BOUNDARY_MIN_M2) return `the boundary encloses ${Math.round(area)} m², less than ${BOUNDARY_MIN_M2} m²`
  if (area > BOUNDARY_MAX_M2) return `the boundary encloses ${(area / 1e6).toFixed(1)} km², more than ${BOUNDARY_MAX_M2 / 1e6} km²`
  return null
}

/** Highest seq staged for a job (+1), for batching. */
export async function seqEnd(sql: Queryable, jobId: number): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select coalesce(max(seq), -1)::int + 1 as n from import_job_features where job_id = ${jobId}`
  return row?.n ?? 0
}

/** Counts by layer, status and reason. */
export async function summarise(sql: Queryable, jobId: number): Promise<ImportSummary> {
  const rows = await sql<{ layer: string; status: string; reason: string | null; n: number }[]>`
    select layer, status,
           case when status = 'straddling' then 'straddles the boundary; kept' when status = 'merged' then 'merged into another piece' else reason end as reason,
           count(*)::int as n
    from import_job_features where job_id = ${jobId}
    group by 1, 2, 3 order by 4 desc`
  const count = (layer: string, status: string) => rows.filter((r) => r.layer === layer && r.status === status).reduce((n, r) => n + r.n, 0)
  return {
    buildings: { accepted: count('buildings', 'accepted'), straddling: count('buildings', 'straddling'), refused: count('buildings', 'refused'), merged: count('buildings', 'merged') },
    roads: { accepted: count('roads', 'accepted'), refused: count('roads', 'refused'), merged: count('roads', 'merged') },
    other: { refused: count('other', 'refused') },
    byReason: rows.filter((r) => r.status === 'refused' || r.status === 'straddling').map((r) => ({ layer: r.layer, reason: r.reason ?? '', count: r.n })),
  }
}

/** A job's features for the preview map and lists (GeoJSON text), at most `limit`. */
export async function jobFeatures(sql: Queryable, jobId: number, filter: { status?: string[] | undefined; layer?: string | undefined; limit: number; offset: number }): Promise<string> {
  const [row] = await sql<{ fc: string }[]>`
    select json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
      'type', 'Feature', 'id', f.seq, 'geometry', case when f.geom is null then null else ST_AsGeoJSON(f.geom, 7)::json end,
      'properties', json_build_object('seq', f.seq, 'layer', f.layer, 'status', f.status, 'reason', f.reason, 'file', f.file,
        'index', f.source_index, 'insideShare', f.inside_share, 'name', f.props->>'name', 'osmId', f.props->>'osmId')) order by f.seq), '[]'::json))::text as fc
    from (select * from import_job_features
          where job_id = ${jobId}
            and ${filter.status ? sql`status = any(${filter.status}::text[])` : sql`status <> 'merged'`}
            and ${filter.layer ? sql`layer = ${filter.layer}` : sql`true`}
          order by seq limit ${filter.limit} offset ${filter.offset}) f`
  return row!.fc
}

/** Create the community from the job's boundary (the actor's district). */
export async function createCommunityFromJob(sql: Sql, jobId: number, name: string, nameEn: string | null, actor: SessionUser): Promise<number> {
  return sql.begin(async (tx) => {
    const [row] = await tx<{ id: number }[]>`
      insert into communities (name, name_en, district_id, utm_srid, boundary)
      select ${name}, ${nameEn}, ${actor.districtId}, utm_srid, boundary from import_jobs where id = ${jobId} and boundary is not null
      returning id::int`
    if (!row) throw problems.conflict('The job has no boundary.')
    await tx`update import_jobs set community_id = ${row.id}, updated_at = now() where id = ${jobId}`
    await recordAudit(tx, { userId: actor.id, communityId: row.id, action: 'create', entity: 'community', entityId: row.id, after: { name, nameEn, importJob: jobId } })
    return row.id
  })
}

/** Insert the kept buildings with seq in [from, to) into the community; returns how many were inserted. */
export async function commitBuildings(sql: Queryable, jobId: number, communityId: number, from: number, to: number): Promise<number> {
  const rows = await sql`
    insert into buildings (community_id, osm_id, name, kind, floors, households, footprint)
    select ${communityId}, nullif(f.props->>'osmId', '')::bigint, f.props->>'name', coalesce(f.props->>'kind', 'building'),
           (f.props->>'floors')::int, coalesce((f.props->>'households')::int, 0), ST_Multi(ST_ForcePolygonCCW(f.geom))
    from import_job_features f
    where f.job_id = ${jobId} and f.layer = 'buildings' and f.status in ('accepted', 'straddling') and f.seq >= ${from} and f.seq < ${to}
      and not ST_IsEmpty(f.geom)
    order by f.seq
    on conflict (community_id, osm_id) where osm_id is not null do nothing
    returning id`
  return rows.count
}

/** Insert the kept roads with seq in [from, to), clipped to the boundary buffered by {@link ROAD_CLIP_BUFFER_M} m. */
export async function commitRoads(sql: Queryable, jobId: number, communityId: number, from: number, to: number): Promise<number> {
  const rows = await sql`
    with c as (select ST_Transform(ST_Buffer(ST_Transform(boundary, utm_srid), ${ROAD_CLIP_BUFFER_M}), 4326) as area from communities where id = ${communityId}),
    r as (
      select f.seq, f.props, ST_Multi(ST_CollectionExtract(ST_Intersection(f.geom, c.area), 2)) as g
      from import_job_features f, c
      where f.job_id = ${jobId} and f.layer = 'roads' and f.status = 'accepted' and f.seq >= ${from} and f.seq < ${to}
    )
    insert into roads (community_id, osm_id, kind, kind_detail, name, geom)
    select ${communityId}, nullif(r.props->>'osmId', '')::bigint, coalesce(r.props->>'kind', 'road'), r.props->>'kindDetail', r.props->>'name', r.g
    from r where not ST_IsEmpty(r.g) order by r.seq
    returning id`
  return rows.count
}

/** Jobs left half-done by a stopped server: failed, with the reason. Called at start. */
export async function failInterruptedJobs(sql: Sql): Promise<number> {
  const result = await sql`
    update import_jobs set status = 'failed', error = 'interrupted: the server stopped while the job ran; start it again', updated_at = now()
    where status in ('queued', 'parsing', 'checking', 'committing')`
  return result.count
}
