/**
 * Load on loopback (`npm run load`): a SafeGrid server in a child process, sustained track ingestion
 * from several virtual devices and hazard reports, map reads (`/api/layers/buildings?bbox=`,
 * `/api/hazards`) at the same time, and 500 SSE clients on `/api/live` that must each receive every
 * event the writes caused. Prints p50/p99 latency and the error rate per kind of request, writes
 * `test-results/load-<backend>.json`, and exits 1 when an SSE client missed an event or a request failed.
 *
 * Environment: `LOAD_SECONDS` (default 60, at most 600), `LOAD_SSE` (default 500), `LOAD_DEVICES`
 * (default 8), `LOAD_BACKENDS` (`embedded,postgres`; default embedded, plus postgres when
 * `LOAD_DATABASE_URL` — a maintenance URL such as postgres://postgres@127.0.0.1:5432/postgres — is set;
 * a scratch database is created there and dropped after).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import postgres from 'postgres'
import { MAX_STREAMS_PER_SESSION } from '../server/live/hub.ts'

const ROOT = resolve(import.meta.dirname, '..')
const SECONDS = Math.min(600, Math.max(1, Number(process.env.LOAD_SECONDS ?? 60)))
const SSE_CLIENTS = Math.min(2000, Math.max(0, Number(process.env.LOAD_SSE ?? 500)))
const DEVICES = Math.min(100, Math.max(1, Number(process.env.LOAD_DEVICES ?? 8)))
const BATCH = 50
const READERS = 4

/** Latency samples and failures of one kind of request. */
interface Kind {
  ms: number[]
  errors: number
}

/** What one run measured. */
export interface LoadResult {
  backend: string
  seconds: number
  requests: Record<string, { count: number; errors: number; errorRate: number; p50: number; p99: number; max: number }>
  pointsSent: number
  pointsAccepted: number
  sse: { clients: number; connected: number; eventsSent: number; minReceived: number; maxReceived: number; clientsMissingEvents: number }
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer()
    s.once('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => res(port))
    })
  })
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

async function startChild(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 300_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`)
    try {
      if ((await fetch(`${base}/api/health`)).status === 200) return { child, base }
    } catch {
      // starting
    }
    if (Date.now() > deadline) throw new Error('server did not start')
    await new Promise((r) => setTimeout(r, 250))
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
}

/** One SSE client: counts distinct event ids. */
function sseClient(base: string, token: string, ids: Set<string>, abort: AbortSignal): Promise<boolean> {
  return fetch(`${base}/api/live`, { headers: { authorization: `Bearer ${token}` }, signal: abort }).then(
    async (res) => {
      if (res.status !== 200 || !res.body) return false
      void (async () => {
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
        let buf = ''
        try {
          for (;;) {
            const { value, done } = await reader.read()
            if (done) break
            buf += value
            let cut: number
            while ((cut = buf.indexOf('\n\n')) >= 0) {
              const block = buf.slice(0, cut)
              buf = buf.slice(cut + 2)
              const m = /^id: ?(\d+)$/m.exec(block)
              if (m) ids.add(m[1]!)
            }
          }
        } catch {
          // aborted
        }
      })()
      return true
    },
    () => false,
  )
}

async function timed(kind: Kind, f: () => Promise<Response>): Promise<Response | undefined> {
  const t0 = performance.now()
  try {
    const res = await f()
    const body = await res.arrayBuffer()
    kind.ms.push(performance.now() - t0)
    if (res.status >= 300) {
      kind.errors++
      return undefined
    }
    return new Response(body, { status: res.status, headers: res.headers })
  } catch {
    kind.ms.push(performance.now() - t0)
    kind.errors++
    return undefined
  }
}

/** Run the load against a started server. */
export async function runLoad(backend: string, base: string): Promise<LoadResult> {
  const login = async (username: string) => {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo' }) })
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`)
    return ((await res.json()) as { token: string }).token
  }
  const adminToken = await login('admin')
  const patrolToken = await login('patrol')
  const auth = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' })
  const communities = (await (await fetch(`${base}/api/communities`, { headers: auth(adminToken) })).json()) as { features: { id: number; geometry: { coordinates: number[][][][] } }[] }
  const ring = communities.features[0]!.geometry.coordinates[0]![0]!
  const lons = ring.map((p) => p[0]!)
  const lats = ring.map((p) => p[1]!)
  const [minLon, maxLon, minLat, maxLat] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)]
  const cLon = (minLon + maxLon) / 2
  const cLat = (minLat + maxLat) / 2
  const bbox = [cLon - 0.004, cLat - 0.004, cLon + 0.004, cLat + 0.004].join(',')

  // SSE clients first, so every event of the run reaches them. One session keeps at most
  // MAX_STREAMS_PER_SESSION streams (issue 18), so the watchers are that many per account: wall
  // screens of as many command-centre accounts, created here for the run.
  const communityIds = communities.features.map((f) => Number(f.id))
  const watcherTokens: string[] = []
  for (let u = 0; u * MAX_STREAMS_PER_SESSION < SSE_CLIENTS; u++) {
    const username = `load-watch-${process.pid}-${u}`
    const password = `load-${process.pid}-${u}-password`
    const res = await fetch(`${base}/api/users`, {
      method: 'POST',
      headers: auth(adminToken),
      body: JSON.stringify({ username, name: `load watcher ${u}`, role: 'command', password, communityIds, mustChangePassword: false }),
    })
    if (res.status !== 201 && res.status !== 200) throw new Error(`create ${username}: ${res.status} ${await res.text()}`)
    const signIn = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })
    if (signIn.status !== 200) throw new Error(`login ${username}: ${signIn.status}`)
    watcherTokens.push(((await signIn.json()) as { token: string }).token)
  }
  const abort = new AbortController()
  const received = Array.from({ length: SSE_CLIENTS }, () => new Set<string>())
  let connected = 0
  for (let i = 0; i < SSE_CLIENTS; i += 50) {
    const oks = await Promise.all(received.slice(i, i + 50).map((ids, k) => sseClient(base, watcherTokens[Math.floor((i + k) / MAX_STREAMS_PER_SESSION)]!, ids, abort.signal)))
    connected += oks.filter(Boolean).length
  }
  await new Promise((r) => setTimeout(r, 500))

  const kinds: Record<string, Kind> = { ingest: { ms: [], errors: 0 }, buildings: { ms: [], errors: 0 }, hazards: { ms: [], errors: 0 }, report: { ms: [], errors: 0 } }
  const deadline = Date.now() + SECONDS * 1000
  let eventsSent = 0
  let pointsSent = 0
  let pointsAccepted = 0
  const t0 = Date.now() - 6 * 3_600_000
  const run = `${process.pid}-${Date.now()}`
  const devices = Array.from({ length: DEVICES }, async (_, d) => {
    for (let b = 0; Date.now() < deadline; b++) {
      const points = Array.from({ length: BATCH }, (_, k) => ({
        lon: cLon + ((b * BATCH + k) % 400) * 1e-5,
        lat: cLat + d * 1e-4,
        t: new Date(t0 + (b * BATCH + k) * 100).toISOString(),
      }))
      pointsSent += BATCH
      const res = await timed(kinds.ingest!, () => fetch(`${base}/api/tracks/points`, { method: 'POST', headers: auth(patrolToken), body: JSON.stringify({ deviceId: `load-${run}-${d}`, points }) }))
      if (res) {
        const body = (await res.json()) as { accepted: number }
        pointsAccepted += body.accepted
        if (body.accepted > 0) eventsSent++
      }
    }
  })
  const readers = Array.from({ length: READERS }, async (_, r) => {
    for (let i = 0; Date.now() < deadline; i++) {
      if ((i + r) % 2 === 0) await timed(kinds.buildings!, () => fetch(`${base}/api/layers/buildings?bbox=${bbox}`, { headers: auth(adminToken) }))
      else await timed(kinds.hazards!, () => fetch(`${base}/api/hazards`, { headers: auth(adminToken) }))
    }
  })
  const reporter = (async () => {
    for (let i = 0; Date.now() < deadline; i++) {
      const res = await timed(kinds.report!, () =>
        fetch(`${base}/api/hazards`, {
          method: 'POST',
          headers: auth(patrolToken),
          body: JSON.stringify({ category: 'other', severity: 'minor', location: { lon: cLon, lat: cLat }, description: 'load', clientId: `load-${run}-${i}` }),
        }),
      )
      if (res?.status === 201) eventsSent++
      await new Promise((r) => setTimeout(r, 500))
    }
  })()
  await Promise.all([...devices, ...readers, reporter])
  // Let the last events reach every client.
  for (let i = 0; i < 40 && received.some((s) => s.size < eventsSent); i++) await new Promise((r) => setTimeout(r, 250))
  abort.abort()
  const sizes = received.map((s) => s.size)
  const requests: LoadResult['requests'] = {}
  const all: Kind = { ms: [], errors: 0 }
  for (const [name, k] of [...Object.entries(kinds), ['all', all] as const]) {
    if (name !== 'all') {
      all.ms.push(...k.ms)
      all.errors += k.errors
    }
    const sorted = [...k.ms].sort((a, b) => a - b)
    const r1 = (x: number) => Math.round(x * 10) / 10
    requests[name] = { count: k.ms.length, errors: k.errors, errorRate: k.ms.length ? k.errors / k.ms.length : 0, p50: r1(quantile(sorted, 0.5)), p99: r1(quantile(sorted, 0.99)), max: r1(sorted.at(-1) ?? 0) }
  }
  return {
    backend,
    seconds: SECONDS,
    requests,
    pointsSent,
    pointsAccepted,
    sse: {
      clients: SSE_CLIENTS,
      connected,
      eventsSent,
      minReceived: sizes.length ? Math.min(...sizes) : 0,
      maxReceived: sizes.length ? Math.max(...sizes) : 0,
      clientsMissingEvents: sizes.filter((n) => n < eventsSent).length,
    },
  }
}

async function main(): Promise<void> {
  const maintenance = process.env.LOAD_DATABASE_URL
  const backends = (process.env.LOAD_BACKENDS ?? (maintenance ? 'embedded,postgres' : 'embedded')).split(',').map((s) => s.trim())
  await mkdir(join(ROOT, 'test-results'), { recursive: true })
  let failed = false
  for (const backend of backends) {
    const dataDir = await mkdtemp(join(tmpdir(), 'sg-load-'))
    let admin: postgres.Sql | undefined
    let dbName: string | undefined
    let env: Record<string, string> = { DATA_DIR: dataDir }
    if (backend === 'postgres') {
      if (!maintenance) throw new Error('LOAD_DATABASE_URL is required for the postgres backend')
      admin = postgres(maintenance, { max: 1, onnotice: () => {} })
      dbName = `sg_load_${process.pid}`
      await admin.unsafe(`drop database if exists "${dbName}" with (force)`)
      await admin.unsafe(`create database "${dbName}"`)
      const u = new URL(maintenance)
      u.pathname = `/${dbName}`
      env = { ...env, DATABASE_URL: u.toString(), DEMO: '1' }
    }
    console.log(`== load (${backend}): ${SECONDS} s, ${DEVICES} devices × ${BATCH}-point batches, ${READERS} readers, ${SSE_CLIENTS} SSE clients`)
    const { child, base } = await startChild(env)
    try {
      const result = await runLoad(backend, base)
      console.table(result.requests)
      console.log(`points accepted ${result.pointsAccepted} of ${result.pointsSent}; SSE: ${result.sse.connected}/${result.sse.clients} connected, events sent ${result.sse.eventsSent}, received per client min ${result.sse.minReceived} max ${result.sse.maxReceived}, clients missing events ${result.sse.clientsMissingEvents}`)
      await writeFile(join(ROOT, 'test-results', `load-${backend}.json`), JSON.stringify(result, null, 2) + '\n')
      if (result.sse.clientsMissingEvents > 0 || result.sse.connected < result.sse.clients || (result.requests.all?.errors ?? 0) > 0) failed = true
    } finally {
      await stopChild(child)
      if (admin && dbName) {
        await admin.unsafe(`drop database if exists "${dbName}" with (force)`).catch(() => {})
        await admin.end()
      }
      await rm(dataDir, { recursive: true, force: true })
    }
  }
  process.exit(failed ? 1 : 0)
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
