/**
 * Live fan-out: one hazard report reaching many open `GET /api/live` streams. The latency of a stream is
 * from just before the `POST /api/hazards` to the moment its `hazard` event has been read. On PostgreSQL
 * it is measured twice: streams and report on one process, and streams on one process with the report
 * made through a second one (the LISTEN/NOTIFY path).
 *
 * Knobs: BENCH_SSE_CLIENTS (500), BENCH_LIVE_EVENTS (20).
 */
import { request, type IncomingMessage } from 'node:http'
import { login, quantile, type BenchContext, type BenchRow, type ChildServer } from './lib.ts'

interface Listener {
  /** When each hazard id was read, by performance.now(). */
  seen: Map<number, number>
  close: () => void
}

/** An SSE client on a plain socket (no client-side pooling), reading `hazard` events. */
function listen(url: string, token: string, onEvent: () => void): Promise<Listener> {
  return new Promise((resolveListener, reject) => {
    const seen = new Map<number, number>()
    const req = request(`${url}/api/live`, { headers: { authorization: `Bearer ${token}` }, agent: false }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        reject(new Error(`GET /api/live answered ${res.statusCode}`))
        return
      }
      res.setEncoding('utf8')
      let buffer = ''
      res.on('data', (chunk: string) => {
        buffer += chunk
        let cut: number
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut)
          buffer = buffer.slice(cut + 2)
          if (!block.includes('event: hazard')) continue
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (!data) continue
          const id = (JSON.parse(data) as { id: number }).id
          seen.set(id, performance.now())
          onEvent()
        }
      })
      res.on('error', () => {})
      resolveListener({ seen, close: () => req.destroy() })
    })
    req.on('error', (error) => {
      if (!(error as NodeJS.ErrnoException).code?.startsWith('ECONNRESET')) reject(error)
    })
    req.end()
  })
}

async function fanOut(
  ctx: BenchContext,
  streams: ChildServer,
  writer: ChildServer,
  spot: { lon: number; lat: number },
): Promise<{ latencies: number[]; missed: number; postMs: number[] }> {
  const clients = ctx.env('BENCH_SSE_CLIENTS', 500)
  const events = ctx.env('BENCH_LIVE_EVENTS', 20)
  const token = await login(streams.url, 'city-admin', ctx.password)
  let wake: (() => void) | undefined
  const listeners: Listener[] = []
  for (let i = 0; i < clients; i += 50) {
    listeners.push(...(await Promise.all(Array.from({ length: Math.min(50, clients - i) }, () => listen(streams.url, token, () => wake?.())))))
  }
  const latencies: number[] = []
  const postMs: number[] = []
  let missed = 0
  try {
    for (let e = 0; e < events; e++) {
      const t0 = performance.now()
      const res = await fetch(`${writer.url}/api/hazards`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ category: 'poor_lighting', severity: 'minor', location: { lon: spot.lon + e * 1e-5, lat: spot.lat }, description: 'bench' }),
      })
      postMs.push(performance.now() - t0)
      if (res.status !== 201) throw new Error(`POST /api/hazards answered ${res.status}: ${await res.text()}`)
      const id = ((await res.json()) as { id: number }).id
      const deadline = performance.now() + 10_000
      while (listeners.some((l) => !l.seen.has(id)) && performance.now() < deadline) {
        await new Promise<void>((r) => {
          wake = r
          setTimeout(r, 50)
        })
      }
      for (const l of listeners) {
        const at = l.seen.get(id)
        if (at === undefined) missed++
        else latencies.push(at - t0)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  } finally {
    for (const l of listeners) l.close()
  }
  return { latencies, missed, postMs }
}

export default async function live(ctx: BenchContext): Promise<BenchRow[]> {
  const clients = ctx.env('BENCH_SSE_CLIENTS', 500)
  const events = ctx.env('BENCH_LIVE_EVENTS', 20)
  const spot = await ctx.withDatabase(async (db) => {
    const [p] = await db.sql<{ lon: number; lat: number }[]>`
      select ST_X(p) as lon, ST_Y(p) as lat from (select ST_PointOnSurface(boundary) as p from communities where id = ${ctx.city.communityIds[0]!}) x`
    return p!
  })
  const size = `${clients} streams, ${events} events`
  const row = (what: string, r: Awaited<ReturnType<typeof fanOut>>): BenchRow => ({
    what,
    backend: ctx.backend,
    size,
    median: quantile(r.latencies, 0.5),
    p95: quantile(r.latencies, 0.95),
    notes: `p99 ${quantile(r.latencies, 0.99).toFixed(1)} ms, max ${Math.max(...r.latencies).toFixed(1)} ms; the POST itself: median ${quantile(r.postMs, 0.5).toFixed(1)} ms` +
      (r.missed > 0 ? `; ${r.missed} deliveries missing after 10 s` : '; none missed'),
  })
  const rows: BenchRow[] = []
  rows.push(row('live fan-out: a hazard to every stream (one process)', await ctx.withServer((server) => fanOut(ctx, server, server, spot))))
  if (ctx.backend === 'postgres') {
    const cross = await ctx.withServer((a) => ctx.withServer((b) => fanOut(ctx, a, b, spot)))
    rows.push(row('live fan-out across processes (written on B, streams on A, LISTEN/NOTIFY)', cross))
  }
  return rows
}
