/**
 * Track ingestion: `POST /api/tracks/points` in batches of 1,000 new points (the devices of the city,
 * a few uploads at a time), through the HTTP server with a Bearer token.
 *
 * Knobs: BENCH_TRACK_POINTS (100,000), BENCH_TRACK_BATCH (1,000), BENCH_TRACK_CONCURRENCY (4).
 */
import { login, quantile, runConcurrently, type BenchContext, type BenchRow } from './lib.ts'

export default async function tracks(ctx: BenchContext): Promise<BenchRow[]> {
  const total = ctx.env('BENCH_TRACK_POINTS', 100_000)
  const batch = ctx.env('BENCH_TRACK_BATCH', 1000)
  const concurrency = ctx.env('BENCH_TRACK_CONCURRENCY', 4)
  const batches = Math.ceil(total / batch)
  const devices = await ctx.withDatabase(async (db) => {
    return db.sql<{ id: string; lon: number; lat: number }[]>`
      select d.id, ST_X(ST_Centroid(c.boundary)) as lon, ST_Y(ST_Centroid(c.boundary)) as lat
      from devices d join communities c on c.id = d.community_id
      order by d.community_id, d.id
      limit ${Math.max(concurrency * 4, 16)}`
  })
  if (devices.length === 0) throw new Error('the city has no devices')
  // Each device walks on from where its last batch ended, one fix a second, starting three hours ago.
  const start = Date.now() - 3 * 3_600_000
  const clock = new Map<string, number>()
  const body = (b: number): string => {
    const device = devices[b % devices.length]!
    const t0 = clock.get(device.id) ?? start
    clock.set(device.id, t0 + batch * 1000)
    const points = Array.from({ length: batch }, (_, k) => ({
      lon: device.lon + Math.sin((t0 / 1000 + k) / 300) * 0.002,
      lat: device.lat + Math.cos((t0 / 1000 + k) / 300) * 0.002,
      t: new Date(t0 + k * 1000).toISOString(),
      accuracy: 5,
    }))
    return JSON.stringify({ deviceId: device.id, points })
  }
  const bodies = Array.from({ length: batches }, (_, b) => body(b))
  const result = await ctx.withServer(async (server) => {
    const token = await login(server.url, 'city-admin', ctx.password)
    let accepted = 0
    const tasks = bodies.map((text) => async () => {
      const res = await fetch(`${server.url}/api/tracks/points`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: text,
      })
      if (res.status !== 200 && res.status !== 201) throw new Error(`POST /api/tracks/points answered ${res.status}: ${await res.text()}`)
      accepted += ((await res.json()) as { accepted: number }).accepted
    })
    const run = await runConcurrently(tasks, concurrency)
    return { ...run, accepted }
  })
  return [
    {
      what: `track ingestion (POST /api/tracks/points, ${batch.toLocaleString('en-US')}-point batches)`,
      backend: ctx.backend,
      size: `${(batches * batch).toLocaleString('en-US')} points into a ${ctx.city.communities}-community city`,
      median: quantile(result.durations, 0.5),
      p95: quantile(result.durations, 0.95),
      rate: result.accepted / (result.wallMs / 1000),
      unit: 'points/s',
      notes: `${concurrency} uploads at a time; median/p95 per batch; ${result.accepted.toLocaleString('en-US')} accepted`,
    },
  ]
}
