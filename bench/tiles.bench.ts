/**
 * Vector tiles for a city view: every z14 and z15 tile of six layers over a block of communities
 * (30 by default, in the middle of the city), fetched through the HTTP server with a Bearer token of a
 * user who sees those communities, and the same tiles straight from the tile query (ST_AsMVT on
 * PostGIS; the query plus the Node encoder on the embedded database), so the server's overhead is a ratio.
 *
 * Knobs: BENCH_TILE_COMMUNITIES (30), BENCH_TILE_PASSES (2, after one warm-up pass), BENCH_TILE_CONCURRENCY (8).
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OPEN_STATUSES } from '../core/matters.ts'
import { createApp } from '../server/app.ts'
import { hashPassword } from '../server/domain/password.ts'
import { tilesCovering } from '../server/domain/mvt.ts'
import { tileSql, tileWithNode, tileWithPostgis, type TileLayer, type TileRequest } from '../server/queries/tiles.ts'
import { createSession, createUser } from '../server/queries/users.ts'
import { BENCH_DATABASE_URL, login, quantile, runConcurrently, type BenchContext, type BenchRow } from './lib.ts'

const LAYERS: TileLayer[] = ['buildings', 'roads', 'zones', 'key-places', 'hazards', 'communities']
const ZOOMS = [14, 15]

export default async function tiles(ctx: BenchContext): Promise<BenchRow[]> {
  const want = ctx.env('BENCH_TILE_COMMUNITIES', 30)
  const passes = ctx.env('BENCH_TILE_PASSES', 2)
  const concurrency = ctx.env('BENCH_TILE_CONCURRENCY', 8)
  const { city } = ctx
  // A block of communities in the middle of the grid, about as wide as it is tall.
  const cols = Math.min(city.columns, Math.max(1, Math.round(Math.sqrt(want * 1.2))))
  const rowsWanted = Math.max(1, Math.ceil(want / cols))
  const col0 = Math.max(0, Math.floor((city.columns - cols) / 2))
  const row0 = Math.max(0, Math.floor((city.rows - rowsWanted) / 2))
  const communityIds: number[] = []
  for (let r = row0; r < row0 + rowsWanted && communityIds.length < want; r++) {
    for (let c = col0; c < col0 + cols && communityIds.length < want; c++) {
      const id = city.communityIds[r * city.columns + c]
      if (id !== undefined) communityIds.push(id)
    }
  }
  const username = `bench-view-${communityIds.length}`
  const { requests, bbox } = await ctx.withDatabase(async (db) => {
    const [box] = await db.sql<{ b: number[] }[]>`
      select array[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] as b
      from (select ST_Extent(boundary)::geometry as e from communities where id = any(${communityIds}::bigint[])) x`
    const bbox = box!.b as [number, number, number, number]
    await db.sql`delete from users where username = ${username}`
    await createUser(db.sql, { username, name: '指挥中心', role: 'command', passwordHash: await hashPassword(ctx.password), communityIds })
    const requests: TileRequest[] = []
    for (const z of ZOOMS) for (const t of tilesCovering(bbox, z)) for (const layer of LAYERS) requests.push({ layer, ...t, communityIds })
    return { requests, bbox }
  })
  const size = `${communityIds.length} of ${city.communities} communities, ${requests.length} tiles`
  ctx.log(`${requests.length} tiles over ${bbox.map((n) => n.toFixed(3)).join(',')}`)

  const measure = async (task: (req: TileRequest) => Promise<unknown>): Promise<{ durations: number[]; wallMs: number }> => {
    const tasks = requests.map((req) => () => task(req))
    await runConcurrently(tasks, concurrency) // warm-up
    const durations: number[] = []
    let wallMs = 0
    for (let p = 0; p < passes; p++) {
      const run = await runConcurrently(tasks, concurrency)
      durations.push(...run.durations)
      wallMs += run.wallMs
    }
    return { durations, wallMs }
  }

  // The tile query alone, and the whole route without HTTP (app.request), in this process.
  const { direct, route } = await ctx.withDatabase(async (db) => {
    const render = ctx.backend === 'postgres' ? tileWithPostgis : tileWithNode
    let bytes = 0
    let empty = 0
    const direct = await measure(async (req) => {
      const tile = await render(db.sql, req)
      bytes += tile.length
      if (tile.length === 0) empty++
    })
    const [user] = await db.sql<{ id: number }[]>`select id from users where username = ${username}`
    const { token } = await createSession(db.sql, user!.id)
    const app = createApp({ sql: db.sql, databaseKind: db.kind })
    const route = await measure(async (req) => {
      const res = await app.request(`/api/tiles/${req.layer}/${req.z}/${req.x}/${req.y}.mvt`, { headers: { authorization: `Bearer ${token}` } })
      await res.arrayBuffer()
    })
    return { direct: { ...direct, bytes: bytes / (passes + 1), empty: empty / (passes + 1) }, route }
  })

  // Through the HTTP server, in interleaved rounds: the tile query alone by pgbench (bare prepared SQL, PostgreSQL),
  // the tiles rendered afresh (Cache-Control: no-cache), and the same tiles from the server's cache.
  const pgbenchPath = ctx.backend === 'postgres' ? findPgbench() : null
  const pgbenchRates: number[] = []
  const http = await ctx.withServer(async (server) => {
    const token = await login(server.url, username, ctx.password)
    const statuses = new Map<number, number>()
    const pass = async (cached: boolean) =>
      runConcurrently(
        requests.map((req) => async () => {
          const res = await fetch(`${server.url}/api/tiles/${req.layer}/${req.z}/${req.x}/${req.y}.mvt`, {
            headers: { authorization: `Bearer ${token}`, ...(cached ? {} : { 'cache-control': 'no-cache' }) },
          })
          await res.arrayBuffer()
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        }),
        concurrency,
      )
    await pass(false) // warm-up
    const uncached = { durations: [] as number[], wallMs: 0, rates: [] as number[] }
    const cached = { durations: [] as number[], wallMs: 0, rates: [] as number[] }
    for (let p = 0; p < passes; p++) {
      if (pgbenchPath) pgbenchRates.push(await runPgbench(pgbenchPath, requests, communityIds, concurrency, ctx.env('BENCH_TILE_PGBENCH_S', 10)))
      const u = await pass(false)
      uncached.durations.push(...u.durations)
      uncached.wallMs += u.wallMs
      uncached.rates.push(requests.length / (u.wallMs / 1000))
      const k = await pass(true)
      cached.durations.push(...k.durations)
      cached.wallMs += k.wallMs
      cached.rates.push(requests.length / (k.wallMs / 1000))
    }
    const bad = [...statuses.keys()].filter((s) => s !== 200 && s !== 204)
    if (bad.length > 0) throw new Error(`tile requests answered ${bad.join(', ')}`)
    return { uncached, cached }
  })

  const directName = ctx.backend === 'postgres' ? 'tile query alone (prepared ST_AsMVT, from Node)' : 'tile query alone (prepared SQL + Node encoder)'
  const directRate = (requests.length * passes) / (direct.wallMs / 1000)
  const routeRate = (requests.length * passes) / (route.wallMs / 1000)
  const uncachedRate = quantile(http.uncached.rates, 0.5)
  const cachedRate = quantile(http.cached.rates, 0.5)
  const pgbenchRate = pgbenchRates.length ? quantile(pgbenchRates, 0.5) : null
  const spread = (r: number[]) => `${Math.round(Math.min(...r))}–${Math.round(Math.max(...r))}/s`
  const baseName = pgbenchRate ? 'pgbench (bare prepared tile SQL)' : directName
  const baseRate = pgbenchRate ?? directRate
  const layers = `z${ZOOMS.join('+z')} × ${LAYERS.length} layers`
  const rows: BenchRow[] = [
    {
      what: `city view tiles over HTTP, rendered afresh (${layers})`,
      backend: ctx.backend,
      size,
      median: quantile(http.uncached.durations, 0.5),
      p95: quantile(http.uncached.durations, 0.95),
      rate: uncachedRate,
      unit: 'tiles/s',
      ratio: { value: uncachedRate / baseRate, of: baseName },
      notes: `${concurrency} at a time, Bearer token (session cached), Cache-Control: no-cache; median of ${passes} interleaved passes, spread ${spread(http.uncached.rates)}`,
    },
    {
      what: `the same tiles over HTTP from the server's tile cache`,
      backend: ctx.backend,
      size,
      median: quantile(http.cached.durations, 0.5),
      p95: quantile(http.cached.durations, 0.95),
      rate: cachedRate,
      unit: 'tiles/s',
      ratio: { value: cachedRate / baseRate, of: baseName },
      notes: `same passes, interleaved; spread ${spread(http.cached.rates)}`,
    },
    {
      what: 'the same tiles through the app without HTTP (app.request)',
      backend: ctx.backend,
      size,
      median: quantile(route.durations, 0.5),
      p95: quantile(route.durations, 0.95),
      rate: routeRate,
      unit: 'tiles/s',
      ratio: { value: routeRate / directRate, of: directName },
      notes: 'session cached, validation, tile cache (first pass renders), ETag; no sockets',
    },
    {
      what: directName,
      backend: ctx.backend,
      size,
      median: quantile(direct.durations, 0.5),
      p95: quantile(direct.durations, 0.95),
      rate: directRate,
      unit: 'tiles/s',
      notes: `same tiles, ${concurrency} at a time through postgres.js; ${Math.round(direct.bytes / 1024)} KiB per pass, ${Math.round(direct.empty)} empty`,
    },
  ]
  if (pgbenchRate) {
    rows.push({
      what: 'pgbench (bare prepared tile SQL)',
      backend: ctx.backend,
      size,
      rate: pgbenchRate,
      unit: 'tiles/s',
      notes: `pgbench -M prepared -c ${concurrency}, one script per layer and zoom (random tile of the same block), ${ctx.env('BENCH_TILE_PGBENCH_S', 10)} s per round, interleaved with the HTTP passes; spread ${spread(pgbenchRates)}`,
    })
  } else if (ctx.backend === 'postgres') {
    rows.push({ what: 'pgbench (bare prepared tile SQL)', backend: ctx.backend, size, notes: 'skipped: pgbench not found (Debian: apt-get install postgresql-client)' })
  }
  return rows
}

/** pgbench on PATH (or under /usr/lib/postgresql/<v>/bin), or null. */
function findPgbench(): string | null {
  const candidates = ['/usr/bin/pgbench', ...['17', '16', '15'].map((v) => `/usr/lib/postgresql/${v}/bin/pgbench`)]
  return candidates.find((p) => existsSync(p)) ?? null
}

/** Tiles per second of the bare tile SQL under pgbench: one script per layer and zoom, weighted by its tiles. */
async function runPgbench(pgbench: string, requests: TileRequest[], communityIds: number[], clients: number, seconds: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'sg-pgbench-'))
  try {
    const groups = new Map<string, TileRequest[]>()
    for (const r of requests) groups.set(`${r.layer}:${r.z}`, [...(groups.get(`${r.layer}:${r.z}`) ?? []), r])
    const args = ['-n', '-M', 'prepared', '-c', String(clients), '-j', '2', '-T', String(seconds)]
    let i = 0
    for (const [, list] of groups) {
      const r0 = list[0]!
      const xs = list.map((r) => r.x)
      const ys = list.map((r) => r.y)
      let text = tileSql(r0.layer, 'mvt', true)
        .replace(/\$1/g, ':z')
        .replace(/\$2/g, ':x')
        .replace(/\$3/g, ':y')
        .replace(/\$4/g, `'{${communityIds.join(',')}}'`)
      if (r0.layer === 'hazards') text = text.replace(/\$5/g, `'{${OPEN_STATUSES.join(',')}}'`).replace(/\$6/g, 'null').replace(/\$7/g, 'null')
      const file = join(dir, `t${i++}.sql`)
      await writeFile(file, `\\set z ${r0.z}\n\\set x random(${Math.min(...xs)}, ${Math.max(...xs)})\n\\set y random(${Math.min(...ys)}, ${Math.max(...ys)})\n${text.replace(/\s+/g, ' ').trim()};\n`)
      args.push('-f', `${file}@${list.length}`)
    }
    const out = execFileSync(pgbench, [...args, BENCH_DATABASE_URL], { encoding: 'utf8', env: { ...process.env, PGAPPNAME: 'sg-pgbench' }, stdio: ['ignore', 'pipe', 'pipe'] })
    const m = /tps = ([\d.]+)/.exec(out)
    if (!m) throw new Error(`pgbench printed no tps:\n${out}`)
    return Number(m[1])
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
