/**
 * Hazard analysis (a suite of `npm run bench`, on a scratch database of its own on each backend):
 * 100,000 hazards in one community (a 2.2 km × 2.2 km square at Optics Valley, 90 days, 30 % of them
 * around 20 hot spots), then DBSCAN clusters, Gi* hot spots, statistics and recurrences.
 *
 *   BENCH_SUITES=analysis npm run bench
 *
 * Knobs: BENCH_ANALYSIS_HAZARDS (100,000), BENCH_ANALYSIS_RUNS (3, after one warm-up).
 */
import type { Database, Sql } from '../server/db/connect.ts'
import { hazardClusters, hazardRecurrences, hotspotGrid } from '../server/queries/analysis.ts'
import { hazardStats } from '../server/queries/stats.ts'
import { quantile, withScratchDatabase, type Backend, type BenchContext, type BenchRow } from './lib.ts'

const BOX = { minLon: 114.39, minLat: 30.495, maxLon: 114.413, maxLat: 30.515 }

async function loadHazards(sql: Sql, HAZARDS: number): Promise<number> {
  const [c] = await sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('基准测试社区', 32650, ST_Multi(ST_MakeEnvelope(${BOX.minLon}, ${BOX.minLat}, ${BOX.maxLon}, ${BOX.maxLat}, 4326)))
    returning id`
  const communityId = c!.id
  await sql.begin(async (tx) => {
    await tx`select setseed(0.42)`
    await tx`create temporary table bench_hot on commit drop as
             select k, ${BOX.minLon}::float8 + random() * ${BOX.maxLon - BOX.minLon}::float8 as lon,
                       ${BOX.minLat}::float8 + random() * ${BOX.maxLat - BOX.minLat}::float8 as lat
             from generate_series(0, 19) k`
    await tx`
      insert into hazards (community_id, category, severity, status, geom, reported_at, due_at, responded_at, closed_at)
      select ${communityId}, p.category, p.severity, p.status,
             ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326), p.reported_at, p.reported_at + interval '1 day',
             case when p.status in ('rectifying', 'rectified', 'verified') then p.reported_at + p.response end,
             case when p.status = 'verified' then p.reported_at + p.response + p.close end
      from (
        select (array['flying_wire_charging', 'ebike_indoor', 'fire_lane_blocked', 'corridor_clutter', 'facility_aging',
                      'poor_lighting', 'falling_object_risk', 'other'])[1 + floor(random() * 8)::int] as category,
               (array['minor', 'minor', 'major', 'critical'])[1 + floor(random() * 4)::int] as severity,
               (array['verified', 'verified', 'verified', 'verified', 'verified', 'verified', 'rectified', 'rectifying',
                      'dispatched', 'reported', 'rejected'])[1 + floor(random() * 11)::int] as status,
               case when g.hot then h.lon + (random() + random() + random() - 1.5) * 0.0008
                    else ${BOX.minLon}::float8 + random() * ${BOX.maxLon - BOX.minLon}::float8 end as lon,
               case when g.hot then h.lat + (random() + random() + random() - 1.5) * 0.0007
                    else ${BOX.minLat}::float8 + random() * ${BOX.maxLat - BOX.minLat}::float8 end as lat,
               now() - random() * interval '90 days' as reported_at,
               random() * interval '15 minutes' as response,
               random() * interval '40 hours' as close
        from (select n, random() < 0.3 as hot, floor(random() * 20)::int as k from generate_series(1, ${HAZARDS}) n) g
        join bench_hot h on h.k = g.k
      ) p`
  })
  await sql`analyze hazards`
  return communityId
}

async function time(runs: number, task: () => Promise<string>): Promise<{ durations: number[]; detail: string }> {
  let detail = await task() // warm-up
  const durations: number[] = []
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now()
    detail = await task()
    durations.push(performance.now() - t0)
  }
  return { durations, detail }
}

async function bench(backend: Backend, db: Database, HAZARDS: number, RUNS: number, log: (m: string) => void): Promise<BenchRow[]> {
  const sql = db.sql
  const t0 = performance.now()
  const communityId = await loadHazards(sql, HAZARDS)
  log(`analysis: ${HAZARDS} hazards loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  const to = new Date().toISOString()
  const days = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString()
  const base = { communityIds: null, communityId }
  const rows: BenchRow[] = []
  const size = `${HAZARDS.toLocaleString('en-US')} hazards in one community`
  const run = async (task: string, fn: () => Promise<string>) => {
    const { durations, detail } = await time(RUNS, fn)
    const median = quantile(durations, 0.5)
    rows.push({ what: `analysis: ${task}`, backend, size, median, p95: quantile(durations, 0.95), notes: `${detail}; ${RUNS} runs after a warm-up` })
    log(`analysis: ${task}: ${median.toFixed(0)} ms (${detail})`)
  }
  for (const [label, from] of [['7 days', days(7)], ['90 days', days(91)]] as const) {
    await run(`clusters eps 50 m, minPoints 3, ${label}`, async () => {
      const fc = JSON.parse(await hazardClusters(sql, { ...base, from, to, eps: 50, minPoints: 3 })) as { hazards: number; features: unknown[] }
      return `${fc.hazards} hazards → ${fc.features.length} clusters`
    })
  }
  await run('clusters eps 15 m, minPoints 5, 90 days', async () => {
    const fc = JSON.parse(await hazardClusters(sql, { ...base, from: days(91), to, eps: 15, minPoints: 5 })) as { hazards: number; features: unknown[] }
    return `${fc.hazards} hazards → ${fc.features.length} clusters`
  })
  for (const cell of [100, 25, 12]) {
    await run(`hot spots cell ${cell} m, 90 days`, async () => {
      const fc = await hotspotGrid(sql, { ...base, from: days(91), to, cell })
      const body = JSON.stringify(fc)
      const hot = fc.features.filter((f) => f.properties.confidence === 3).length
      return `${fc.hazards} hazards, ${fc.cells} cells, ${hot} hot at 99 %, ${(body.length / 1e6).toFixed(1)} MB`
    })
  }
  await run('stats, 90 days', async () => {
    const s = await hazardStats(sql, { ...base, from: days(91), to })
    return `${s.hazards.total} hazards`
  })
  await run('recurrences, 7 days', async () => {
    const fc = await hazardRecurrences(sql, { ...base, from: days(7), to })
    return `${fc.features.length} repeats`
  })
  return rows
}

export default async function analysis(ctx: BenchContext): Promise<BenchRow[]> {
  const hazards = ctx.env('BENCH_ANALYSIS_HAZARDS', 100_000)
  const runs = ctx.env('BENCH_ANALYSIS_RUNS', 3)
  return withScratchDatabase(ctx.backend, 'sg_bench_analysis', (db) => bench(ctx.backend, db, hazards, runs, ctx.log))
}
