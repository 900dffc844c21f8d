/**
 * Vector tiles for a city view: every z14 and z15 tile of six layers over a block of communities
 * (30 by default, in the middle of the city), fetched through the HTTP server with a Bearer token of a
 * user who sees those communities, and the same tiles straight from the tile query (ST_AsMVT on
 * PostGIS; the query plus the Node encoder on the embedded database), so the server's overhead is a ratio.
 *
 * Knobs: BENCH_TILE_COMMUNITIES (30), BENCH_TILE_PASSES (2, after one warm-up pass), BENCH_TILE_CONCURRENCY (8).
 */
import { createApp } from '../server/app.ts'
import { hashPassword } from '../server/domain/password.ts'
import { tilesCovering } from '../server/domain/mvt.ts'
import { tileWithNode, tileWithPostgis, type TileLayer, type TileRequest } from '../server/queries/tiles.ts'
import { createSession, createUser } from '../server/queries/users.ts'
import { login, quantile, runConcurrently, type BenchContext, type BenchRow } from './lib.ts'

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

  // Through the HTTP server.
  const http = await ctx.withServer(async (server) => {
    const token = await login(server.url, username, ctx.password)
    const statuses = new Map<number, number>()
    const tasks = requests.map((req) => async () => {
      const res = await fetch(`${server.url}/api/tiles/${req.layer}/${req.z}/${req.x}/${req.y}.mvt`, { headers: { authorization: `Bearer ${token}` } })
      await res.arrayBuffer()
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
    })
    await runConcurrently(tasks, concurrency) // warm-up
    statuses.clear()
    const durations: number[] = []
    let wallMs = 0
    for (let p = 0; p < passes; p++) {
      const run = await runConcurrently(tasks, concurrency)
      durations.push(...run.durations)
      wallMs += run.wallMs
    }
    const bad = [...statuses.keys()].filter((s) => s !== 200 && s !== 204)
    if (bad.length > 0) throw new Error(`tile requests answered ${bad.join(', ')}`)
    return { durations, wallMs }
  })

  const directName = ctx.backend === 'postgres' ? 'tile query alone (ST_AsMVT)' : 'tile query alone (SQL + Node encoder)'
  const directRate = (requests.length * passes) / (direct.wallMs / 1000)
  const httpRate = (requests.length * passes) / (http.wallMs / 1000)
  const routeRate = (requests.length * passes) / (route.wallMs / 1000)
  const layers = `z${ZOOMS.join('+z')} × ${LAYERS.length} layers`
  return [
    {
      what: `city view tiles over HTTP (${layers})`,
      backend: ctx.backend,
      size,
      median: quantile(http.durations, 0.5),
      p95: quantile(http.durations, 0.95),
      rate: httpRate,
      unit: 'tiles/s',
      ratio: { value: httpRate / directRate, of: directName },
      notes: `${concurrency} at a time, Bearer token, ${passes} passes after a warm-up`,
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
      notes: 'authentication (2 queries), validation, ETag; no sockets',
    },
    {
      what: directName,
      backend: ctx.backend,
      size,
      median: quantile(direct.durations, 0.5),
      p95: quantile(direct.durations, 0.95),
      rate: directRate,
      unit: 'tiles/s',
      notes: `same tiles, ${concurrency} at a time; ${Math.round(direct.bytes / 1024)} KiB per pass, ${Math.round(direct.empty)} empty`,
    },
  ]
}
