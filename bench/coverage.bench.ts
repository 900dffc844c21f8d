/**
 * Benchmark of patrol coverage: 20,000 buildings on a street grid (a 5 km × 5 km community) and
 * 1,000,000 track points of 100 phones walking the streets through one night (a fix every 5–15 s,
 * with pauses that break runs), then `sg_coverage_visits` (segments joined ≤ 120 s / ≤ 200 m, an
 * index probe per segment, the exact test in UTM) timed against the naive query: each device's
 * whole track as one line, buffered by the radius, unioned, intersected with the buildings.
 *
 *   npx tsx bench/coverage.ts
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; a
 * scratch database `sg_bench_coverage` is created there and dropped afterwards (BENCH_KEEP=1 keeps
 * it). BENCH_POINTS and BENCH_BUILDINGS change the sizes; BENCH_RUNS the runs per figure (median);
 * BENCH_NAIVE_TIMEOUT_S caps the naive query (default 600 s).
 */
import postgres from 'postgres'
import { openDatabase, type Sql } from '../server/db/connect.ts'
import { migrate } from '../server/db/migrate.ts'
import { coverageReport } from '../server/queries/coverage.ts'

const POINTS = Number(process.env.BENCH_POINTS ?? 1_000_000)
const BUILDINGS = Number(process.env.BENCH_BUILDINGS ?? 20_000)
const DEVICES = 100
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const NAIVE_TIMEOUT_S = Number(process.env.BENCH_NAIVE_TIMEOUT_S ?? 600)
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const SCRATCH = 'sg_bench_coverage'
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

function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

async function load(sql: Sql): Promise<{ communityId: number; side: number }> {
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

async function timed<T>(runs: number, task: () => Promise<T>): Promise<{ medianMs: number; result: T }> {
  let result = await task()
  const times: number[] = []
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now()
    result = await task()
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return { medianMs: Math.round(times[Math.floor(times.length / 2)] ?? 0), result }
}

async function main(): Promise<void> {
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists ${SCRATCH} with (force)`)
  await admin.unsafe(`create database ${SCRATCH}`)
  const db = await openDatabase({ url: withDatabase(SERVER_URL, SCRATCH) })
  try {
    await migrate(db.sql)
    const t0 = performance.now()
    const { communityId } = await load(db.sql)
    const [counts] = await db.sql<{ points: number; buildings: number }[]>`
      select (select count(*)::int from track_points) as points, (select count(*)::int from buildings) as buildings`
    console.log(`loaded ${counts!.points} track points and ${counts!.buildings} buildings in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    const from = NIGHT_START.toISOString()
    const to = new Date(NIGHT_START.getTime() + 48 * 3_600_000).toISOString()

    const fast = await timed(RUNS, async () => {
      const [r] = await db.sql<{ visited: number }[]>`
        select count(*) filter (where kind = 'building' and (by_track or by_checkin))::int as visited
        from sg_coverage_visits(${communityId}, ${from}::timestamptz, ${to}::timestamptz, ${RADIUS}::float8)`
      return r!.visited
    })
    console.log(`sg_coverage_visits: ${fast.medianMs} ms (median of ${RUNS}), ${fast.result} of ${counts!.buildings} buildings visited`)

    const report = await timed(1, () => coverageReport(db.sql, { communityIds: null, communityId, from, to, radius: RADIUS }))
    console.log(`GET /api/analysis/coverage (whole answer incl. unvisited GeoJSON): ${report.medianMs} ms, coverage ${report.result.buildings.coverage}`)

    const [pieces] = await db.sql<{ segments: number; lone: number }[]>`
      select count(*) filter (where t_from <> t_to)::int as segments, count(*) filter (where t_from = t_to)::int as lone
      from sg_track_pieces(${communityId}, ${from}::timestamptz, ${to}::timestamptz)`
    console.log(`track pieces: ${pieces!.segments} polylines of up to 16 joined segments, ${pieces!.lone} lone points`)

    try {
      const started = performance.now()
      const naiveVisited = await db.sql.begin(async (tx) => {
          await tx.unsafe(`set local statement_timeout = '${NAIVE_TIMEOUT_S}s'`)
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
      const naiveMs = Math.round(performance.now() - started)
      console.log(`naive buffer-and-union (one run): ${naiveMs} ms, ${naiveVisited} buildings (ignores the 120 s / 200 m rule)`)
      console.log(`speed-up: ${(naiveMs / Math.max(1, fast.medianMs)).toFixed(1)}×`)
    } catch (error) {
      console.log(`naive buffer-and-union: did not finish within ${NAIVE_TIMEOUT_S} s (${(error as Error).message})`)
    }
  } finally {
    await db.close()
    if (process.env.BENCH_KEEP !== '1') await admin.unsafe(`drop database if exists ${SCRATCH} with (force)`)
    await admin.end()
  }
}

await main()
