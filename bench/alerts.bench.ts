/**
 * Alerts to the work groups: what a critical report's `POST /api/hazards` costs with alert channels
 * configured, against none — the alert must never be sent inside the request — and how long the alert
 * takes to reach a robot. Receivers are local HTTP servers in the bench process: four answering at once
 * (WeCom, DingTalk, Feishu, webhook), then four that never answer (the worker waits out its 10 s timeout).
 * The server runs with its default worker settings (poll 2 s, woken by the live hub).
 *
 * Five reports warm the server up first. Knobs: BENCH_ALERT_REPORTS (20 per phase; the robots' limit is 20 a minute per channel).
 */
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { login, quantile, type BenchContext, type BenchRow, type ChildServer } from './lib.ts'

interface Receiver {
  url: string
  /** performance.now() when each matter's alert arrived, by hazard id (from the message text or body). */
  seen: Map<number, number>
  close: () => Promise<void>
}

/** A local robot: answers `{"errcode":0}` (or never, when `hang`), noting when each hazard's alert arrived. */
async function receiver(hang: boolean): Promise<Receiver> {
  const seen = new Map<number, number>()
  const held: ServerResponse[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      const id = /hazard=(\d+)/.exec(body)?.[1]
      if (id && !seen.has(Number(id))) seen.set(Number(id), performance.now())
      if (hang) {
        held.push(res)
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"errcode":0,"errmsg":"ok","code":0}')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        for (const res of held) res.destroy()
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

const PROVIDERS = ['wecom', 'dingtalk', 'feishu', 'webhook'] as const

async function api(server: ChildServer, token: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}

/** Report `n` critical matters one after another; the POST times and the hazard ids (with their start times). */
async function reports(server: ChildServer, token: string, spot: { lon: number; lat: number }, n: number, tag: number): Promise<{ postMs: number[]; sent: Map<number, number> }> {
  const postMs: number[] = []
  const sent = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    const res = await api(server, token, 'POST', '/api/hazards', {
      category: 'fire_lane_blocked',
      severity: 'critical',
      location: { lon: spot.lon + (tag * 100 + i) * 1e-6, lat: spot.lat },
      description: 'bench',
    })
    postMs.push(performance.now() - t0)
    if (res.status !== 201) throw new Error(`POST /api/hazards answered ${res.status}: ${await res.text()}`)
    sent.set(((await res.json()) as { id: number }).id, t0)
    await new Promise((r) => setTimeout(r, 200))
  }
  return { postMs, sent }
}

export default async function alerts(ctx: BenchContext): Promise<BenchRow[]> {
  const n = ctx.env('BENCH_ALERT_REPORTS', 20)
  const communityId = ctx.city.communityIds[0]!
  const spot = await ctx.withDatabase(async (db) => {
    const [p] = await db.sql<{ lon: number; lat: number }[]>`
      select ST_X(p) as lon, ST_Y(p) as lat from (select ST_PointOnSurface(boundary) as p from communities where id = ${communityId}) x`
    return p!
  })
  process.env.ALERT_ALLOW_PRIVATE_URLS = '1'
  process.env.PUBLIC_URL = 'https://safegrid.bench'
  const fast = await Promise.all(PROVIDERS.map(() => receiver(false)))
  const slow = await Promise.all(PROVIDERS.map(() => receiver(true)))
  try {
    return await ctx.withServer(async (server) => {
      const token = await login(server.url, 'city-admin', ctx.password)
      // Warm-up (first statements, JIT), not counted.
      await reports(server, token, spot, 5, 0)
      const none = await reports(server, token, spot, n, 1)

      const made: number[] = []
      const add = async (r: Receiver, provider: (typeof PROVIDERS)[number], name: string): Promise<void> => {
        const res = await api(server, token, 'POST', '/api/alert-channels', {
          communityId,
          name,
          provider,
          url: `${r.url}/hook?key=bench`,
          secret: provider === 'wecom' ? undefined : 'SECbench0123456789',
          events: ['critical'],
        })
        if (res.status !== 201) throw new Error(`POST /api/alert-channels answered ${res.status}: ${await res.text()}`)
        made.push(((await res.json()) as { id: number }).id)
      }
      for (const [i, p] of PROVIDERS.entries()) await add(fast[i]!, p, `bench ${p}`)
      const withChannels = await reports(server, token, spot, n, 2)
      // Let the last alerts arrive.
      const deadline = performance.now() + 30_000
      while (performance.now() < deadline && fast.some((r) => [...withChannels.sent.keys()].some((id) => !r.seen.has(id)))) await new Promise((r) => setTimeout(r, 50))
      const delivery: number[] = []
      let missing = 0
      for (const r of fast) {
        for (const [id, t0] of withChannels.sent) {
          const at = r.seen.get(id)
          if (at === undefined) missing++
          else delivery.push(at - t0)
        }
      }
      for (const id of made.splice(0)) await api(server, token, 'DELETE', `/api/alert-channels/${id}`)

      for (const [i, p] of PROVIDERS.entries()) await add(slow[i]!, p, `bench hanging ${p}`)
      const hanging = await reports(server, token, spot, n, 3)

      const size = `${n} critical reports, 200 ms apart`
      const row = (what: string, ms: number[], notes: string): BenchRow => ({ what, backend: ctx.backend, size, median: quantile(ms, 0.5), p95: quantile(ms, 0.95), notes })
      const med = (ms: number[]) => quantile(ms, 0.5)
      return [
        row('POST /api/hazards (critical), no alert channel', none.postMs, `max ${Math.max(...none.postMs).toFixed(1)} ms; the alert worker runs, with nothing to send`),
        row(
          'POST /api/hazards (critical), 4 alert channels (WeCom, DingTalk, Feishu, webhook)',
          withChannels.postMs,
          `max ${Math.max(...withChannels.postMs).toFixed(1)} ms; median ${(med(withChannels.postMs) - med(none.postMs)).toFixed(1)} ms over no channel`,
        ),
        row(
          'POST /api/hazards (critical), 4 alert channels whose receivers never answer',
          hanging.postMs,
          `max ${Math.max(...hanging.postMs).toFixed(1)} ms; median ${(med(hanging.postMs) - med(none.postMs)).toFixed(1)} ms over no channel`,
        ),
        row(
          'alert delivered: POST start → robot received (4 channels)',
          delivery,
          `${delivery.length} deliveries, ${missing} missing after 30 s; max ${Math.max(...delivery).toFixed(0)} ms`,
        ),
      ]
    })
  } finally {
    await Promise.all([...fast, ...slow].map((r) => r.close()))
  }
}
