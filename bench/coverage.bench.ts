/**
 * Patrol coverage (a suite of `npm run bench`, on its own scratch database, PostgreSQL only by
 * default): 20,000 buildings on a street grid (a 5 km × 5 km community) and 1,000,000 track points
 * of 100 phones walking the streets through one night (a fix every 5–15 s, with pauses that break
 * runs), then `sg_coverage_visits` (segments joined ≤ 120 s / ≤ 200 m, an index probe per segment,
 * the exact test in UTM) timed against the naive query: each device's whole track as one line,
 * buffered by the radius, unioned, intersected with the buildings.
 *
 *   BENCH_SUITES=coverage npm run bench
 *
 * Knobs: BENCH_COVERAGE_POINTS (1,000,000), BENCH_COVERAGE_BUILDINGS (20,000), BENCH_COVERAGE_RUNS
 * (3, median, after a warm-up), BENCH_COVERAGE_NAIVE_TIMEOUT_S (120; 0 skips the naive query),
 * BENCH_COVERAGE_EMBEDDED (0; 1 runs it on PGlite too).
 */
import type { Sql } from '../server/db/connect.ts'
import { coverageReport } from '../server/queries/coverage.ts'
import { quantile, withScratchDatabase, type BenchContext, type BenchRow } from './lib.ts'

const DEVICES = 100
const UTM = 32650
/** South-west corner of the community in UTM 50N (near Optics Valley, Wuhan). */
const X0 = 233_000
const Y0 = 3_378_000
/** Street spacing: blocks of BLOCK metres, one building in each. */
const BLOCK = 35
const RADIUS = 30
const NIGHT_START = new Date('2026-11-20T10:00:00Z') // 18:00 Asia/Shanghai
/** The phones keep to the western share of the community, so the rest stays unvisited. */
const WALKED_SHARE = 0.6

async function load(sql: Sql, POINTS: number, BUILDINGS: number): Promise<{ communityId: number; side: number }> {
  const side = Math.ceil(Math.sqrt(BUILDINGS))
  const extent = side * BLOCK
  const [c] = await sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('覆盖基准社区', ${UTM}, ST_Multi(ST_Transform(ST_MakeEnvelope(${X0}, ${Y0}, ${X0 + extent}, ${Y0 + extent}, ${UTM}), 4326)))
    returning id`
  const communityId = c!.id
  await sql`select setseed(0.17)`
  // One building per block, 12–24 m square, set back from the streets on the block lines.
  await sql`
    insert into buildings (community_id, name, footprint)
    select ${communityId}, 'B' || n,
           ST_Multi(ST_Transform(ST_MakeEnvelope(x + 5, y + 5, x + 5 + s, y + 5 + s, ${UTM}), 4326))
    from (
      select n, ${X0}::float8 + (n % ${side}) * ${BLOCK} as x, ${Y0}::float8 + (n / ${side}) * ${BLOCK} as y,
             12 + random() * 12 as s
      from generate_series(0, ${BUILDINGS - 1}) n
    ) b`
  await sql`
    insert into devices (id, community_id)
    select 'bench-' || lpad(d::text, 3, '0'), ${communityId} from generate_series(1, ${DEVICES}) d`
  // Each phone walks back and forth, 20 fixes along x then 20 along y, 1.2 m/s, a fix every 5–15 s,
  // wrapping round inside the western WALKED_SHARE of the community; one fix in 400 is followed by
  // a 3–6 minute pause (a run break).
  const perDevice = Math.ceil(POINTS / DEVICES)
  await sql`
    insert into track_points (community_id, device_id, t, geom, accuracy)
    select ${communityId}, w.device_id, w.t, ST_Transform(ST_SetSRID(ST_MakePoint(w.x, w.y), ${UTM}::int), 4326), 8
    from (
      select 'bench-' || lpad(d::text, 3, '0') as device_id,
             ${NIGHT_START}::timestamptz + make_interval(secs => sum(s.dt) over w) as t,
             ${X0}::float8 + mod((d * 997 + (sum(s.step * s.ax) over w))::numeric, ${Math.round(extent * WALKED_SHARE)})::float8 as x,
             ${Y0}::float8 + mod((d * 631 + (sum(s.step * s.ay) over w))::numeric + ${extent}, ${extent})::float8 as y
      from generate_series(1, ${DEVICES}) d
      cross join lateral (
        select i,
               case when random() < 0.0025 then 180 + random() * 180 else 5 + random() * 10 end as dt,
               (5 + random() * 10) * 1.2 as step,
               case when (i / 20 + d) % 2 = 0 then 1 else 0 end as ax,
               case when (i / 20 + d) % 2 = 1 then 1 else 0 end as ay
        from generate_series(1, ${perDevice}) i
      ) s
      window w as (partition by d order by s.i)
    ) w
    on conflict do nothing`
  await sql`analyze buildings`
  await sql`analyze track_points`
  return { communityId, side }
}

async function timed<T>(runs: number, task: () => Promise<T>): Promise<{ durations: number[]; result: T }> {
  let result = await task()
  const durations: number[] = []
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now()
    result = await task()
    durations.push(performance.now() - t0)
  }
  return { durations, result }
}

export default async function coverage(ctx: BenchContext): Promise<BenchRow[]> {
  if (ctx.backend === 'embedded' && ctx.env('BENCH_COVERAGE_EMBEDDED', 0) !== 1) {
    ctx.log('coverage: skipped on embedded (BENCH_COVERAGE_EMBEDDED=1 runs it)')
    return []
  }
  const points = ctx.env('BENCH_COVERAGE_POINTS', 1_000_000)
  const buildingCount = ctx.env('BENCH_COVERAGE_BUILDINGS', 20_000)
  const runs = ctx.env('BENCH_COVERAGE_RUNS', 3)
  const naiveTimeoutS = ctx.env('BENCH_COVERAGE_NAIVE_TIMEOUT_S', 120)
  return withScratchDatabase(ctx.backend, 'sg_bench_coverage', async (db) => {
    const t0 = performance.now()
    const { communityId } = await load(db.sql, points, buildingCount)
    const [counts] = await db.sql<{ points: number; buildings: number }[]>`
      select (select count(*)::int from track_points) as points, (select count(*)::int from buildings) as buildings`
    const loadS = (performance.now() - t0) / 1000
    ctx.log(`coverage: loaded ${counts!.points} track points and ${counts!.buildings} buildings in ${loadS.toFixed(1)} s`)
    const size = `${counts!.points.toLocaleString('en-US')} track points, ${counts!.buildings.toLocaleString('en-US')} buildings`
    const from = NIGHT_START.toISOString()
    const to = new Date(NIGHT_START.getTime() + 48 * 3_600_000).toISOString()

    const fast = await timed(runs, async () => {
      const [r] = await db.sql<{ visited: number }[]>`
        select count(*) filter (where kind = 'building' and (by_track or by_checkin))::int as visited
        from sg_coverage_visits(${communityId}, ${from}::timestamptz, ${to}::timestamptz, ${RADIUS}::float8)`
      return r!.visited
    })
    const fastMedian = quantile(fast.durations, 0.5)
    ctx.log(`coverage: sg_coverage_visits ${fastMedian.toFixed(0)} ms, ${fast.result} visited`)
    const report = await timed(runs, () => coverageReport(db.sql, { communityIds: null, communityId, from, to, radius: RADIUS }))
    const [pieces] = await db.sql<{ segments: number; lone: number }[]>`
      select count(*) filter (where t_from <> t_to)::int as segments, count(*) filter (where t_from = t_to)::int as lone
      from sg_track_pieces(${communityId}, ${from}::timestamptz, ${to}::timestamptz)`

    const rows: BenchRow[] = [
      {
        what: 'coverage: buildings visited in a night (sg_coverage_visits)',
        backend: ctx.backend,
        size,
        median: fastMedian,
        p95: quantile(fast.durations, 0.95),
        notes: `${fast.result.toLocaleString('en-US')} buildings visited, radius ${RADIUS} m; ${pieces!.segments.toLocaleString('en-US')} track polylines, ` +
          `${pieces!.lone} lone points; ${runs} runs after a warm-up; data loaded in ${loadS.toFixed(0)} s`,
      },
      {
        what: 'coverage: the whole report (GET /api/analysis/coverage, without HTTP)',
        backend: ctx.backend,
        size,
        median: quantile(report.durations, 0.5),
        p95: quantile(report.durations, 0.95),
        notes: `coverage ${report.result.buildings.coverage}, incl. the unvisited buildings as GeoJSON`,
      },
    ]
    if (naiveTimeoutS > 0 && ctx.backend === 'postgres') {
      const started = performance.now()
      try {
        const naiveVisited = await db.sql.begin(async (tx) => {
          await tx.unsafe(`set local statement_timeout = '${Math.round(naiveTimeoutS)}s'`)
          const [r] = await tx<{ visited: number }[]>`
            with lines as (
              select ST_Transform(ST_MakeLine(geom order by t), ${UTM}::int) as g
              from track_points where community_id = ${communityId} and t >= ${from}::timestamptz and t < ${to}::timestamptz
              group by device_id
            ), area as (
              select ST_Union(ST_Buffer(g, ${RADIUS})) as u from lines
            )
            select count(*)::int as visited from buildings b, area
            where b.community_id = ${communityId} and ST_Intersects(ST_Transform(b.footprint, ${UTM}::int), area.u)`
          return r!.visited
        })
        const naiveMs = performance.now() - started
        rows.push({
          what: 'coverage: naive buffer-and-union of whole tracks',
          backend: ctx.backend,
          size,
          median: naiveMs,
          notes: `one run, ${(naiveMs / Math.max(1, fastMedian)).toFixed(1)}× the time of sg_coverage_visits; ${naiveVisited.toLocaleString('en-US')} buildings (ignores the 120 s / 200 m rule)`,
        })
      } catch (error) {
        rows.push({
          what: 'coverage: naive buffer-and-union of whole tracks',
          backend: ctx.backend,
          size,
          notes: `did not finish within ${naiveTimeoutS} s (${(error as Error).message}): over ${(naiveTimeoutS * 1000 / Math.max(1, fastMedian)).toFixed(0)}× sg_coverage_visits`,
        })
      }
    }
    return rows
  })
}
