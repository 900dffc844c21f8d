/**
 * City reports (issue #21): the month report of a street admin over every community of a city with a
 * month of patrol tracks, built set-based (`buildReport`, without HTTP), on its own scratch database.
 *
 * Knobs: BENCH_REPORT_COMMUNITIES (500; 50 embedded), BENCH_REPORT_NIGHTS (30), BENCH_REPORT_DEVICES
 * (1 phone per community), BENCH_REPORT_FIX_S (30 s between fixes), BENCH_REPORT_RUNS (2, after a warm-up).
 */
import { buildReport } from '../server/queries/reports.ts'
import { generateCity } from '../server/seed/city.ts'
import { quantile, withScratchDatabase, type BenchContext, type BenchRow } from './lib.ts'

export default async function reports(ctx: BenchContext): Promise<BenchRow[]> {
  const embedded = ctx.backend === 'embedded'
  const communities = ctx.env('BENCH_REPORT_COMMUNITIES', embedded ? 50 : 500)
  const nights = ctx.env('BENCH_REPORT_NIGHTS', 30)
  const runs = ctx.env('BENCH_REPORT_RUNS', 2)
  return withScratchDatabase(ctx.backend, 'sg_bench_reports', async (db) => {
    const city = await generateCity(db.sql, db.kind, {
      communities,
      seed: 'report-bench',
      nights,
      devicesPerCommunity: ctx.env('BENCH_REPORT_DEVICES', 1),
      fixSeconds: ctx.env('BENCH_REPORT_FIX_S', 30),
      hazardsPerCommunity: 200,
    })
    await db.sql`analyze`
    ctx.log(`reports: city of ${city.communities} communities, ${city.trackPoints} track points in ${(city.ms / 1000).toFixed(0)} s`)
    const date = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
    const rows: BenchRow[] = []
    for (const period of ['month', 'week'] as const) {
      const durations: number[] = []
      let bytes = 0
      for (let k = 0; k <= runs; k++) {
        const t0 = performance.now()
        const report = await buildReport(db.sql, { communityIds: null, period, date })
        if (k > 0) durations.push(performance.now() - t0)
        bytes = JSON.stringify(report).length
      }
      rows.push({
        what: `city ${period} report, every community (buildReport, set-based, no geometry)`,
        backend: ctx.backend,
        size: `${city.communities} communities, ${city.trackPoints.toLocaleString('en-US')} track points (${nights} nights), ${city.hazards.toLocaleString('en-US')} hazards`,
        median: quantile(durations, 0.5),
        p95: Math.max(...durations),
        notes: `${runs} runs after a warm-up (p95 column = slowest); ${(bytes / 1e6).toFixed(1)} MB of JSON; city generated in ${(city.ms / 1000).toFixed(0)} s with track pieces built at ingest`,
      })
    }
    return rows
  })
}
