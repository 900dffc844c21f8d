import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { openDatabase } from '../../server/db/connect.ts'
import { freePort } from './own-postgres.ts'

const ROOT = resolve(import.meta.dirname, '../..')
let dataDir: string

/**
 * Start the server on the embedded database in `dataDir`; resolves once it answers /api/health.
 * Node itself runs the server (`node --import tsx`), not the `tsx` wrapper: the wrapper runs it in a
 * child process, and a SIGKILL to the wrapper would leave the real server running.
 */
async function spawnServer(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()))
  const deadline = Date.now() + 180_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${log}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`)
      if (res.status === 200) return child
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${log}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sg-faults-embedded-'))
})
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

test('kill -9 during writes on the embedded database: it opens again and every acknowledged write is there', { timeout: 300_000 }, async () => {
  const port = await freePort()
  const first = await spawnServer(port)
  const base = `http://127.0.0.1:${port}`
  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'patrol', password: 'demo' }) })
  const { token } = (await login.json()) as { token: string }
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const communities = (await (await fetch(`${base}/api/communities`, { headers })).json()) as { features: { geometry: { coordinates: number[][][][] } }[] }
  const ring = communities.features[0]!.geometry.coordinates[0]![0]!
  const lon = ring.reduce((s, p) => s + p[0]!, 0) / ring.length
  const lat = ring.reduce((s, p) => s + p[1]!, 0) / ring.length
  const ackedHazards: { id: number; clientId: string }[] = []
  const ackedPoints: string[] = []
  const t0 = Date.now() - 3_600_000
  let stop = false
  let sent = 0
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; !stop; i++) {
      sent++
      try {
        if (i % 2 === 0) {
          const clientId = `kill-${w}-${i}`
          const res = await fetch(`${base}/api/hazards`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ category: 'other', severity: 'minor', location: { lon, lat }, description: 'kill -9 test', clientId }),
          })
          if (res.status === 201 || res.status === 200) ackedHazards.push({ id: ((await res.json()) as { id: number }).id, clientId })
        } else {
          const t = new Date(t0 - (w * 100_000 + i) * 1000).toISOString()
          const res = await fetch(`${base}/api/tracks/points`, { method: 'POST', headers, body: JSON.stringify({ deviceId: `kill-dev-${w}`, points: [{ lon, lat, t }] }) })
          if (res.status === 200 && ((await res.json()) as { accepted: number }).accepted === 1) ackedPoints.push(`kill-dev-${w}|${t}`)
        }
      } catch {
        // the server is gone
      }
    }
  }
  const writers = Array.from({ length: 4 }, (_, w) => writer(w))
  await new Promise((r) => setTimeout(r, 3000))
  first.kill('SIGKILL')
  await new Promise((r) => first.once('exit', r))
  stop = true
  await Promise.all(writers)
  expect(ackedHazards.length + ackedPoints.length).toBeGreaterThan(10)

  // Restart on the same folder: it opens and answers.
  const second = await spawnServer(port)
  second.kill('SIGTERM')
  await new Promise((r) => second.once('exit', r))

  const db = await openDatabase({ dataDir })
  try {
    const ids = ackedHazards.map((h) => h.id)
    const foundHazards = await db.sql<{ id: number }[]>`select id from hazards where id = any(${ids}::bigint[])`
    const foundPoints = await db.sql<{ key: string }[]>`
      select device_id || '|' || to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as key from track_points where device_id like 'kill-dev-%'`
    const have = new Set(foundPoints.map((p) => p.key))
    const lostPoints = ackedPoints.filter((k) => !have.has(k))
    console.log(
      `[faults] kill -9: ${sent} writes sent, ${ackedHazards.length} hazards + ${ackedPoints.length} points acknowledged; after restart ${foundHazards.length} hazards and ${ackedPoints.length - lostPoints.length} points found`,
    )
    expect(foundHazards.length).toBe(ackedHazards.length)
    expect(lostPoints).toEqual([])
  } finally {
    await db.close()
  }
})
