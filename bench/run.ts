/**
 * `npm run bench`: generate a city on each backend, run every suite `bench/*.bench.ts` against it,
 * and write bench/results.md.
 *
 * Environment (all optional):
 *   BENCH_BACKENDS        embedded,postgres   which backends
 *   BENCH_DATABASE_URL    postgres://postgres@127.0.0.1:5432/safegrid_bench   dropped and created (and
 *                                             dropped again at the end unless BENCH_KEEP=1)
 *   BENCH_SUITES          all                 comma-separated suite names (file names without .bench.ts):
 *                                             tiles, first-render, live, tracks, analysis, coverage, route
 *   BENCH_COMMUNITIES     500                 communities in the city
 *   BENCH_HAZARDS         200                 hazards per community
 *   BENCH_NIGHTS          0                   nights of tracks (the suites bring their own)
 *   BENCH_SEED            bench               the city's seed
 *   BENCH_OUT             bench/results.md    where the table goes
 * and each suite's own knobs (see the suite files).
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import postgres from 'postgres'
import { migrate } from '../server/db/migrate.ts'
import { generateCity, type CitySummary } from '../server/seed/city.ts'
import { BENCH_DATABASE_URL, openBenchDatabase, resultsTable, startChildServer, type Backend, type BenchContext, type BenchRow, type BenchSuite } from './lib.ts'

const env = (name: string, fallback: number): number => {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const n = Number(text)
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${text}`)
  return n
}
const log = (message: string): void => console.log(`[bench] ${message}`)

const BENCH_DIR = import.meta.dirname
const backends = (process.env.BENCH_BACKENDS ?? 'embedded,postgres').split(',').map((s) => s.trim()).filter(Boolean) as Backend[]
const benchUrl = BENCH_DATABASE_URL
const out = resolve(process.env.BENCH_OUT ?? join(BENCH_DIR, 'results.md'))
const password = 'bench'
/** Suites run in this order (tiles read the city before the others write to it); others after, by name. */
const ORDER = ['tiles', 'first-render', 'live', 'tracks']

const files = (await readdir(BENCH_DIR)).filter((f) => f.endsWith('.bench.ts'))
const wanted = process.env.BENCH_SUITES?.split(',').map((s) => s.trim())
const suites = files
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .filter((name) => !wanted || wanted.includes(name))
  .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b))

const started = Date.now()
const loadBefore = loadavg()[0]!
const rows: BenchRow[] = []
const versions: string[] = []

for (const backend of backends) {
  let dataDir: string | undefined
  let databaseUrl: string | undefined
  let admin: postgres.Sql | undefined
  let dbName = ''
  if (backend === 'embedded') {
    dataDir = await mkdtemp(join(tmpdir(), 'safegrid-bench-'))
  } else {
    const u = new URL(benchUrl)
    dbName = u.pathname.slice(1)
    if (!/^\w+$/.test(dbName)) throw new Error(`BENCH_DATABASE_URL must name a plain database, got ${dbName}`)
    u.pathname = '/postgres'
    admin = postgres(u.toString(), { max: 1, onnotice: () => {} })
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`)
    await admin.unsafe(`create database "${dbName}"`)
    databaseUrl = benchUrl
  }
  try {
    const target = { databaseUrl, dataDir }
    let city: CitySummary
    {
      const db = await openBenchDatabase(target)
      try {
        await migrate(db.sql)
        const [v] = await db.sql<{ pg: string; postgis: string }[]>`select current_setting('server_version') as pg, postgis_lib_version() as postgis`
        versions.push(`${backend}: PostgreSQL ${v!.pg}, PostGIS ${v!.postgis}`)
        log(`${backend}: generating the city …`)
        city = await generateCity(db.sql, db.kind, {
          communities: env('BENCH_COMMUNITIES', 500),
          seed: process.env.BENCH_SEED ?? 'bench',
          hazardsPerCommunity: env('BENCH_HAZARDS', 200),
          nights: env('BENCH_NIGHTS', 0),
          users: true,
          password,
        })
        const inserted = city.communities + city.compounds + city.buildings + city.roads + city.keyPlaces + city.zones * 2 + city.people +
          city.devices + city.users + city.hazards + city.hazardEvents + city.trackPoints
        rows.push({
          what: 'generate the city (npm run generate)',
          backend,
          size: `${city.communities} communities`,
          rate: inserted / (city.ms / 1000),
          unit: 'rows/s',
          notes: `${(city.ms / 1000).toFixed(1)} s: ${city.buildings.toLocaleString('en-US')} buildings, ${city.hazards.toLocaleString('en-US')} hazards, ` +
            `${city.hazardEvents.toLocaleString('en-US')} hazard events, ${city.trackPoints.toLocaleString('en-US')} track points`,
        })
        log(`${backend}: city of ${city.communities} communities in ${(city.ms / 1000).toFixed(1)} s`)
        await db.sql`analyze`
      } finally {
        await db.close()
      }
    }
    let serverUp = false
    let dbOpen = 0
    const ctx: BenchContext = {
      backend,
      city,
      password,
      env,
      log: (m) => log(`${backend}: ${m}`),
      withServer: async (fn) => {
        if (backend === 'embedded' && dbOpen > 0) throw new Error('close the database before starting the server (embedded)')
        const server = await startChildServer({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir })
        serverUp = true
        try {
          return await fn(server)
        } finally {
          await server.stop()
          serverUp = false
        }
      },
      withDatabase: async (fn) => {
        if (backend === 'embedded' && serverUp) throw new Error('stop the server before opening the database (embedded)')
        const db = await openBenchDatabase(target)
        dbOpen++
        try {
          return await fn(db)
        } finally {
          dbOpen--
          await db.close()
        }
      },
    }
    for (const name of suites) {
      const t = Date.now()
      log(`${backend}: ${name} …`)
      const suite = ((await import(join(BENCH_DIR, `${name}.bench.ts`))) as { default: BenchSuite }).default
      rows.push(...(await suite(ctx)))
      log(`${backend}: ${name} done in ${((Date.now() - t) / 1000).toFixed(1)} s`)
    }
  } finally {
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
    if (admin) {
      if (process.env.BENCH_KEEP !== '1') await admin.unsafe(`drop database if exists "${dbName}" with (force)`)
      await admin.end()
    }
  }
}

const seconds = ((Date.now() - started) / 1000).toFixed(0)
const text = `# SafeGrid benchmarks

Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'},
${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${versions.join('; ')}. The whole run took ${seconds} s;
the 1-minute load average was ${loadBefore.toFixed(1)} before and ${loadavg()[0]!.toFixed(1)} after (other work on the machine skews the figures).
Each backend gets a freshly generated city (\`generateCity\`, seed \`${process.env.BENCH_SEED ?? 'bench'}\`); the HTTP server runs
as a child process (\`node --import tsx server/index.ts\`), the load comes from the bench process on the same machine.
Medians and p95 are per operation; "per second" is operations over the wall time of the run; a ratio compares
this row's rate with the named row of the same backend.

${resultsTable(rows)}
`
await writeFile(out, text)
log(`wrote ${out} in ${seconds} s`)
