/**
 * Patrol coverage (a suite of `npm run bench`, on its own scratch database): buildings on a street
 * grid (20,000 and 100,000) and track points of 100 phones walking the streets through one night (a
 * fix every 5–15 s, with pauses that break runs: "dense"), and the same walks a day later with every
 * 10th fix ("sparse"). Timed in interleaved rounds (rotating order, medians and spreads):
 * `sg_coverage_visits` (track pieces kept up to date at ingest, building-side probes), the plain-SQL
 * reference of the same rule built from the raw points on every call (bench/coverage-reference.ts;
 * the visited sets are compared), and the naive query (each device's whole track as one line,
 * buffered, unioned, intersected with the buildings).
 *
 *   BENCH_SUITES=coverage npm run bench
 *
 * Knobs: BENCH_COVERAGE_POINTS (1,000,000; 100,000 embedded), BENCH_COVERAGE_BUILDINGS (20,000),
 * BENCH_COVERAGE_BUILDINGS_LARGE (100,000; PostgreSQL only), BENCH_COVERAGE_SMALL_POINTS (100,000: the
 * case both backends run), BENCH_COVERAGE_RUNS (3 rounds after a warm-up round),
 * BENCH_COVERAGE_NAIVE_TIMEOUT_S (120; 0 skips the naive query), BENCH_COVERAGE_EMBEDDED (1; 0 skips PGlite).
 */
import type { Sql } from '../server/db/connect.ts'
import { referenceVisitedBuildings } from './coverage-reference.ts'
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

let loaded = 0

async function load(sql: Sql, POINTS: number, BUILDINGS: number): Promise<{ communityId: number; side: number }> {
  const prefix = `bench${++loaded}-`
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
    select ${prefix} || lpad(d::text, 3, '0'), ${communityId} from generate_series(1, ${DEVICES}) d`
  // Each phone walks back and forth, 20 fixes along x then 20 along y, 1.2 m/s, a fix every 5–15 s,
  // wrapping round inside the western WALKED_SHARE of the community; one fix in 400 is followed by
  // a 3–6 minute pause (a run break).
  const perDevice = Math.ceil(POINTS / DEVICES)
  await sql`
    insert into track_points (community_id, device_id, t, geom, accuracy)
    select ${communityId}, w.device_id, w.t, ST_Transform(ST_SetSRID(ST_MakePoint(w.x, w.y), ${UTM}::int), 4326), 8
    from (
      select ${prefix} || lpad(d::text, 3, '0') as device_id,
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

/** Median and spread (min–max) of some durations, in ms. */
function stats(d: number[]): { median: number; min: number; max: number } {
  return { median: quantile(d, 0.5), min: Math.min(...d), max: Math.max(...d) }
}

interface Case {
  name: string
  communityId: number
  from: string
  to: string
  points: number
  buildings: number
}

export default async function coverage(ctx: BenchContext): Promise<BenchRow[]> {
  const embedded = ctx.backend === 'embedded'
  if (embedded && ctx.env('BENCH_COVERAGE_EMBEDDED', 1) !== 1) {
    ctx.log('coverage: skipped on embedded (BENCH_COVERAGE_EMBEDDED=0)')
    return []
  }
  // The embedded database gets the small case only (the same on PostgreSQL, for the ratio between them).
  const points = ctx.env('BENCH_COVERAGE_POINTS', embedded ? 100_000 : 1_000_000)
  const sizes = embedded ? [ctx.env('BENCH_COVERAGE_BUILDINGS', 20_000)] : [ctx.env('BENCH_COVERAGE_BUILDINGS', 20_000), ctx.env('BENCH_COVERAGE_BUILDINGS_LARGE', 100_000)]
  const small = ctx.env('BENCH_COVERAGE_SMALL_POINTS', 100_000)
  const rounds = ctx.env('BENCH_COVERAGE_RUNS', 3)
  const naiveTimeoutS = ctx.env('BENCH_COVERAGE_NAIVE_TIMEOUT_S', 120)
  return withScratchDatabase(ctx.backend, 'sg_bench_coverage', async (db) => {
    const cases: Case[] = []
    const loads: string[] = []
    for (const buildings of sizes) {
      const t0 = performance.now()
      const { communityId } = await load(db.sql, points, buildings)
      const loadS = (performance.now() - t0) / 1000
      const from = NIGHT_START.toISOString()
      const to = new Date(NIGHT_START.getTime() + 24 * 3_600_000).toISOString()
      loads.push(`${points.toLocaleString('en-US')} points + ${buildings.toLocaleString('en-US')} buildings loaded in ${loadS.toFixed(0)} s (track pieces built at ingest)`)
      cases.push({ name: 'dense', communityId, from, to, points, buildings })
      // Sparse: the same walks a day later with every 10th fix (gaps of 50–150 s: long chunks, some runs broken).
      const [sp] = await db.sql<{ n: number }[]>`
        with ins as (
          insert into track_points (community_id, device_id, t, geom, accuracy)
          select community_id, device_id, t + interval '1 day', geom, accuracy
          from (select tp.*, row_number() over (partition by device_id order by t) as k from track_points tp where community_id = ${communityId}) x
          where x.k % 10 = 0
          returning 1)
        select count(*)::int as n from ins`
      cases.push({
        name: 'sparse',
        communityId,
        from: new Date(NIGHT_START.getTime() + 24 * 3_600_000).toISOString(),
        to: new Date(NIGHT_START.getTime() + 48 * 3_600_000).toISOString(),
        points: sp!.n,
        buildings,
      })
      if (!embedded && buildings === sizes[0] && small !== points) {
        // The case the embedded database runs too, for the ratio between the backends.
        const { communityId: c2 } = await load(db.sql, small, buildings)
        cases.push({ name: 'dense', communityId: c2, from, to, points: small, buildings })
      }
    }
    await db.sql`analyze`
    const product = (c: Case) => db.sql<{ id: number }[]>`
      select id from sg_coverage_visits(array[${c.communityId}]::bigint[], ${c.from}::timestamptz, ${c.to}::timestamptz, ${RADIUS}::float8)
      where kind = 'building' and by_track`
    const reference = (c: Case) => db.sql.begin((tx) => referenceVisitedBuildings(tx, c.communityId, c.from, c.to, RADIUS))
    const naive = (c: Case) =>
      db.sql.begin(async (tx) => {
        await tx.unsafe(`set local statement_timeout = '${Math.round(naiveTimeoutS)}s'`)
        const [r] = await tx<{ visited: number }[]>`
          with lines as (
            select ST_Transform(ST_MakeLine(geom order by t), ${UTM}::int) as g
            from track_points where community_id = ${c.communityId} and t >= ${c.from}::timestamptz and t < ${c.to}::timestamptz
            group by device_id
          ), area as (
            select ST_Union(ST_Buffer(g, ${RADIUS})) as u from lines
          )
          select count(*)::int as visited from buildings b, area
          where b.community_id = ${c.communityId} and ST_Intersects(b.footprint_utm, area.u)`
        return r!.visited
      })
    const runNaive = naiveTimeoutS > 0 && !embedded
    const times = cases.map(() => ({ product: [] as number[], reference: [] as number[], naive: [] as number[], naiveFailed: false, same: true, visited: 0, naiveVisited: 0 }))
    for (let round = 0; round <= rounds; round++) {
      for (let i = 0; i < cases.length; i++) {
        const c = cases[i]!
        const t = times[i]!
        // Interleaved, in a rotating order: product, reference, naive.
        const order = [0, 1, 2].map((k) => (k + round) % 3)
        for (const which of order) {
          const started = performance.now()
          if (which === 0) {
            const ids = (await product(c)).map((r) => r.id).sort((a, b) => a - b)
            if (round > 0) t.product.push(performance.now() - started)
            t.visited = ids.length
            const ref = await reference(c)
            t.same &&= ref.length === ids.length && ref.every((x, j) => x === ids[j])
          } else if (which === 1) {
            await reference(c)
            if (round > 0) t.reference.push(performance.now() - started)
          } else if (runNaive && !t.naiveFailed) {
            try {
              t.naiveVisited = await naive(c)
              if (round > 0) t.naive.push(performance.now() - started)
            } catch {
              t.naiveFailed = true
            }
          }
        }
      }
      ctx.log(`coverage: round ${round} done`)
    }
    const rows: BenchRow[] = []
    cases.forEach((c, i) => {
      const t = times[i]!
      const p = stats(t.product)
      const r = stats(t.reference)
      const size = `${c.points.toLocaleString('en-US')} ${c.name} track points, ${c.buildings.toLocaleString('en-US')} buildings`
      rows.push({
        what: `coverage: buildings visited (sg_coverage_visits, pieces kept at ingest), ${c.name}`,
        backend: ctx.backend,
        size,
        median: p.median,
        p95: quantile(t.product, 0.95),
        notes: `${rounds} interleaved rounds after a warm-up, spread ${p.min.toFixed(0)}–${p.max.toFixed(0)} ms; ${t.visited.toLocaleString('en-US')} visited; ` +
          `${(p.median / r.median).toFixed(2)}× the reference's time; visited set ${t.same ? 'identical to' : 'DIFFERENT from'} the reference's`,
      })
      rows.push({
        what: `coverage: plain-SQL reference of the same rule (from raw points), ${c.name}`,
        backend: ctx.backend,
        size,
        median: r.median,
        p95: quantile(t.reference, 0.95),
        notes: `bench/coverage-reference.ts: single-pass pieces into a GiST-indexed temp table, building-side probes; spread ${r.min.toFixed(0)}–${r.max.toFixed(0)} ms`,
      })
      if (runNaive) {
        const n = t.naive.length ? stats(t.naive) : null
        rows.push({
          what: `coverage: naive buffer-and-union of whole tracks, ${c.name}`,
          backend: ctx.backend,
          size,
          median: n?.median,
          notes: n
            ? `timed in the same rounds, spread ${n.min.toFixed(0)}–${n.max.toFixed(0)} ms; the product is ${(n.median / p.median).toFixed(1)}× faster; ${t.naiveVisited.toLocaleString('en-US')} buildings (ignores the 120 s / 200 m rule)`
            : `did not finish within ${naiveTimeoutS} s`,
        })
      }
    })
    if (rows[0]) rows[0].notes = `${rows[0].notes}; ${loads.join('; ')}`
    return rows
  })
}
