import postgres from 'postgres'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startServer, type RunningServer } from '../../server/start.ts'
import { openSse } from '../helpers/sse.ts'
import { createOwnPostgres, type OwnPostgres } from './own-postgres.ts'

let pg: OwnPostgres
let server: RunningServer

/** Sign in as a demo account and get its Bearer header. */
async function bearer(username: string): Promise<Record<string, string>> {
  let res: Response
  // Right after a restart the pool's first use may meet a dropped connection: 503, and clients retry.
  for (let attempt = 1; ; attempt++) {
    res = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo' }) })
    if (res.status !== 503 || attempt >= 20) break
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`)
  const { token } = (await res.json()) as { token: string }
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
}

/** POST until a 2xx/4xx answer: a network error or a 5xx retries the same body after a short backoff. */
async function postRetrying(path: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; json: unknown; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(server.url + path, { method: 'POST', headers, body: JSON.stringify(body) })
      if (res.status < 500) return { status: res.status, json: await res.json(), attempts: attempt }
      await res.body?.cancel()
    } catch {
      // network error: retry
    }
    if (attempt > 200) throw new Error(`${path}: gave up after ${attempt} attempts`)
    await new Promise((r) => setTimeout(r, 100 + Math.min(attempt, 10) * 50))
  }
}

beforeAll(async () => {
  pg = await createOwnPostgres()
  await pg.start()
  server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: pg.url, dataDir: pg.dir, seedDemo: true, demoAccounts: true })
})
afterAll(async () => {
  await server?.close().catch(() => {})
  await pg?.destroy()
})

test('a 10,000-point burst from 10 devices survives a PostgreSQL restart: every point stored exactly once', async () => {
  const headers = await bearer('patrol')
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} })
  const [centre] = await admin<{ lon: number; lat: number }[]>`
    select ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities order by id limit 1`
  await admin.end()
  const devices = 10
  const perDevice = 1000
  const batch = 20
  const base = Date.now() - 3 * 3_600_000
  const sentBatches: { device: string; points: { lon: number; lat: number; t: string }[] }[] = []
  for (let d = 0; d < devices; d++) {
    for (let i = 0; i < perDevice; i += batch) {
      const points = Array.from({ length: batch }, (_, k) => ({
        lon: centre!.lon + (i + k) * 1e-6,
        lat: centre!.lat + d * 1e-5,
        t: new Date(base + (i + k) * 1000).toISOString(),
      }))
      sentBatches.push({ device: `fault-dev-${d}`, points })
    }
  }
  let done = 0
  let retried = 0
  let accepted = 0
  let duplicates = 0
  let restarted: Promise<void> | undefined
  // Each device posts its batches in order; the database is restarted once a third are in.
  await Promise.all(
    Array.from({ length: devices }, async (_, d) => {
      for (const b of sentBatches.filter((x) => x.device === `fault-dev-${d}`)) {
        const res = await postRetrying('/api/tracks/points', headers, { deviceId: b.device, points: b.points })
        expect(res.status).toBe(200)
        const body = res.json as { accepted: number; duplicates: number; rejected: unknown[] }
        expect(body.rejected).toEqual([])
        accepted += body.accepted
        duplicates += body.duplicates
        if (res.attempts > 1) retried++
        done++
        if (!restarted && done >= sentBatches.length / 3) restarted = pg.restart()
      }
    }),
  )
  await restarted
  const check = postgres(pg.url, { max: 1, onnotice: () => {} })
  const [row] = await check<{ n: number; distinct: number }[]>`
    select count(*)::int as n, count(distinct (device_id, t))::int as distinct from track_points where device_id like 'fault-dev-%'`
  await check.end()
  console.log(`[faults] burst across restart: stored ${row!.n} of ${devices * perDevice} sent; ${retried} batches retried; accepted ${accepted}, duplicates ${duplicates}`)
  expect(retried).toBeGreaterThan(0)
  expect(row).toEqual({ n: devices * perDevice, distinct: devices * perDevice })
  // A batch committed just before the cut but answered 503 comes back as duplicates on its retry.
  expect(accepted).toBeLessThanOrEqual(devices * perDevice)
  expect(accepted + duplicates).toBeGreaterThanOrEqual(devices * perDevice)
  const health = await fetch(`${server.url}/api/health`)
  expect(health.status).toBe(200)
})

test('a hazard transition cut off mid-transaction leaves no trace; the retry applies it once', async () => {
  const headers = await bearer('command')
  const admin = postgres(pg.url, { max: 2, onnotice: () => {} })
  const [h] = await admin<{ id: number; version: number; status: string }[]>`
    select id, version, status from hazards where status = 'reported' order by id limit 1`
  const counts = async () => {
    const [r] = await admin<{ events: number; audits: number; version: number; status: string }[]>`
      select (select count(*)::int from hazard_events where hazard_id = ${h!.id}) as events,
             (select count(*)::int from audit_log where entity = 'hazard' and entity_id = ${String(h!.id)} and action = 'transition') as audits,
             version, status from hazards where id = ${h!.id}`
    return r!
  }
  const before = await counts()
  // Hold the audit table so the transition blocks after updating the hazard and writing its event.
  const blocker = await admin.reserve()
  await blocker`begin`
  await blocker`lock table audit_log in exclusive mode`
  const pending = fetch(`${server.url}/api/hazards/${h!.id}/transition`, { method: 'POST', headers, body: JSON.stringify({ to: 'rejected', note: 'fault test' }) })
  let pid: number | undefined
  for (let i = 0; i < 100 && pid === undefined; i++) {
    const [w] = await admin<{ pid: number }[]>`
      select pid from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%insert into audit_log%' and pid <> pg_backend_pid()`
    pid = w?.pid
    if (pid === undefined) await new Promise((r) => setTimeout(r, 50))
  }
  expect(pid).toBeDefined()
  await admin`select pg_terminate_backend(${pid!})`
  await blocker`rollback`
  blocker.release()
  const cut = await pending
  expect(cut.status).toBe(503)
  expect(cut.headers.get('content-type')).toMatch(/problem\+json/)
  expect(await counts()).toEqual(before)
  const retry = await postRetrying(`/api/hazards/${h!.id}/transition`, headers, { to: 'rejected', note: 'fault test' })
  expect(retry.status).toBe(200)
  expect(await counts()).toEqual({ events: before.events + 1, audits: before.audits + 1, version: before.version + 1, status: 'rejected' })
  await admin.end()
})

test('a server started before its database waits for it and then answers', async () => {
  const late = await createOwnPostgres()
  try {
    const starting = startServer({ port: 0, host: '127.0.0.1', databaseUrl: late.url, dataDir: late.dir, seedDemo: false })
    const t0 = Date.now()
    await new Promise((r) => setTimeout(r, 3000))
    await late.start()
    const s = await starting
    try {
      const res = await fetch(`${s.url}/api/health`)
      expect(res.status).toBe(200)
      expect(((await res.json()) as { status: string }).status).toBe('ok')
      expect(Date.now() - t0).toBeGreaterThanOrEqual(3000)
    } finally {
      await s.close()
    }
  } finally {
    await late.destroy()
  }
})

test('after a PostgreSQL restart, a second server on the same database still hears the first one’s live events (LISTEN reconnects)', async () => {
  const other = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: pg.url, dataDir: pg.dir, seedDemo: false })
  try {
    await pg.restart()
    const headers = await bearer('patrol')
    let login: Response
    for (let attempt = 1; ; attempt++) {
      login = await fetch(`${other.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'demo' }) })
      if (login.status !== 503 || attempt >= 20) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    const { token } = (await login.json()) as { token: string }
    const sse = await openSse(other.url, token)
    const [c] = await (async () => {
      const admin = postgres(pg.url, { max: 1, onnotice: () => {} })
      try {
        return await admin<{ lon: number; lat: number }[]>`select ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities order by id limit 1`
      } finally {
        await admin.end()
      }
    })()
    // The LISTEN connection reconnects lazily: give it the few seconds postgres.js needs.
    const created = await postRetrying('/api/hazards', headers, { category: 'other', severity: 'minor', location: { lon: c!.lon, lat: c!.lat }, clientId: `after-restart-${Date.now()}` })
    expect(created.status).toBe(201)
    const id = (created.json as { id: number }).id
    const event = await sse.until((e) => e.event === 'hazard' && (JSON.parse(e.data) as { id: number }).id === id, 15_000)
    sse.close()
    expect(event).toBeDefined()
  } finally {
    await other.close()
  }
})
