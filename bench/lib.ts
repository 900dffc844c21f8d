/**
 * The bench framework: what a suite (`bench/*.bench.ts`) gets and returns, statistics, a server
 * started as a child process, and the results table. See bench/run.ts.
 *
 * A suite is a module whose default export is `(ctx: BenchContext) => Promise<BenchRow[]>`. It runs once
 * per backend, against a database that already holds the generated city (`ctx.city`).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { resolve } from 'node:path'
import { openDatabase, type Database } from '../server/db/connect.ts'
import type { CitySummary } from '../server/seed/city.ts'

/** The backends a bench runs on. */
export type Backend = 'embedded' | 'postgres'

/** One line of bench/results.md. */
export interface BenchRow {
  /** What was measured. */
  what: string
  backend: Backend
  /** The data size it ran on (e.g. "500 communities, 1,000-point batches"). */
  size: string
  /** Per operation, in milliseconds. */
  median?: number | undefined
  p95?: number | undefined
  /** Operations per second, and what an operation is. */
  rate?: number | undefined
  unit?: string | undefined
  /** This row's rate over another row's (of the same backend), e.g. HTTP tiles over the bare query. */
  ratio?: { value: number; of: string } | undefined
  notes?: string | undefined
}

/** A SafeGrid server running as a child process. */
export interface ChildServer {
  url: string
  stop: () => Promise<void>
}

/** What a suite gets. */
export interface BenchContext {
  backend: Backend
  /** The generated city in the database. */
  city: CitySummary
  /** Password of the city's accounts (`city-admin`, `c<id>-leader`, `c<id>-patrol`). */
  password: string
  /** A number from the environment, or the default. */
  env: (name: string, fallback: number) => number
  /**
   * Run `fn` with the HTTP server up (a child process: `node --import tsx server/index.ts`). On the
   * embedded backend the database is the server's alone meanwhile (PGlite serves one process).
   */
  withServer: <T>(fn: (server: ChildServer) => Promise<T>) => Promise<T>
  /** Run `fn` with the database open in this process (never while {@link withServer} runs, on embedded). */
  withDatabase: <T>(fn: (db: Database) => Promise<T>) => Promise<T>
  log: (message: string) => void
}

/** A suite module's default export. */
export type BenchSuite = (ctx: BenchContext) => Promise<BenchRow[]>

/** The q-quantile (0..1) of some numbers (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

/**
 * Run `tasks` with at most `concurrency` at a time; returns each task's duration (ms) and the wall time.
 */
export async function runConcurrently(tasks: readonly (() => Promise<unknown>)[], concurrency: number): Promise<{ durations: number[]; wallMs: number }> {
  const durations: number[] = []
  let next = 0
  const started = performance.now()
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++]!
      const t = performance.now()
      await task()
      durations.push(performance.now() - t)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker))
  return { durations, wallMs: performance.now() - started }
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const address = s.address()
      s.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))))
    })
  })
}

/** Start `server/index.ts` as a child process on a free port and wait until it listens. */
export async function startChildServer(env: { DATABASE_URL?: string | undefined; DATA_DIR?: string | undefined }): Promise<ChildServer> {
  const port = await freePort()
  const root = resolve(import.meta.dirname, '..')
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMO: '',
      DATABASE_URL: env.DATABASE_URL ?? '',
      DATA_DIR: env.DATA_DIR ?? '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`the server did not start in 180 s:\n${output}`)), 180_000)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      if (output.includes('listening on')) {
        clearTimeout(timer)
        ready()
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    void exited.then((code) => {
      clearTimeout(timer)
      fail(new Error(`the server exited (${code}) before listening:\n${output}`))
    })
  })
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Sign in and return the Bearer token. */
export async function login(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { token: string }).token
}

/** Open the database a backend's bench uses. */
export function openBenchDatabase(target: { databaseUrl?: string | undefined; dataDir?: string | undefined }): Promise<Database> {
  return openDatabase({ url: target.databaseUrl, dataDir: target.dataDir })
}

const fmt = (n: number | undefined, digits = 1): string =>
  n === undefined || Number.isNaN(n) ? '' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits)

/** The results table in Markdown. */
export function resultsTable(rows: readonly BenchRow[]): string {
  const lines = [
    '| what | backend | size | median (ms) | p95 (ms) | per second | ratio | notes |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | --- |',
  ]
  for (const r of rows) {
    const rate = r.rate === undefined ? '' : `${fmt(r.rate)} ${r.unit ?? ''}`.trim()
    const ratio = r.ratio ? `${r.ratio.value.toFixed(2)} of ${r.ratio.of}` : ''
    lines.push(`| ${r.what} | ${r.backend} | ${r.size} | ${fmt(r.median, 2)} | ${fmt(r.p95, 2)} | ${rate} | ${ratio} | ${r.notes ?? ''} |`)
  }
  return lines.join('\n')
}

/** The server `npm run bench` uses for the postgres backend (BENCH_DATABASE_URL). */
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/safegrid_bench'

/**
 * Run `fn` on an empty, migrated scratch database of its own (not the city): on postgres a database
 * `<name>_<pid>` created on the server of BENCH_DATABASE_URL, on embedded a PGlite in a temporary
 * folder; dropped or removed afterwards (BENCH_KEEP=1 keeps the PostgreSQL one).
 */
export async function withScratchDatabase<T>(backend: Backend, name: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const { migrate } = await import('../server/db/migrate.ts')
  if (backend === 'embedded') {
    const { mkdtemp, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const dir = await mkdtemp(resolve(tmpdir(), `safegrid-${name}-`))
    try {
      const db = await openDatabase({ dataDir: dir })
      try {
        await migrate(db.sql)
        return await fn(db)
      } finally {
        await db.close()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
  const { default: postgres } = await import('postgres')
  const scratch = `${name}_${process.pid}`
  if (!/^\w+$/.test(scratch)) throw new Error(`not a plain database name: ${scratch}`)
  const server = new URL(BENCH_DATABASE_URL)
  server.pathname = '/postgres'
  const admin = postgres(server.toString(), { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`drop database if exists "${scratch}" with (force)`)
    await admin.unsafe(`create database "${scratch}"`)
    const url = new URL(server)
    url.pathname = `/${scratch}`
    try {
      const db = await openDatabase({ url: url.toString() })
      try {
        await migrate(db.sql)
        return await fn(db)
      } finally {
        await db.close()
      }
    } finally {
      if (process.env.BENCH_KEEP !== '1') await admin.unsafe(`drop database if exists "${scratch}" with (force)`)
    }
  } finally {
    await admin.end()
  }
}
