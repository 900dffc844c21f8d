/**
 * Suggested route (issue 17): on the demo community (seeded into a database of its own, at a fixed
 * hour of the night so the unvisited places are the same every run), the route through tonight's
 * unvisited buildings and key places against the same stops in nearest-neighbour order, and the time
 * to compute it: loading (coverage + roads + target points), building the graph, and planning
 * (Dijkstra matrix + nearest neighbour + 2-opt/Or-opt). Figures only, no timed assertions.
 *
 * Runs the whole community (all unvisited places, past the HTTP cap of 200) and each zone, from the
 * community's middle. Knobs: BENCH_ROUTE_REPEAT (5) planning repeats for the timing.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { openDatabase, type Database } from '../server/db/connect.ts'
import { migrate } from '../server/db/migrate.ts'
import { buildWalkGraph, planRoute } from '../server/domain/routing.ts'
import { routeInputs, ROUTE_IMPROVE_BUDGET_MS, suggestRoute } from '../server/queries/route.ts'
import { seedDemo } from '../server/seed/demo.ts'
import { BENCH_DATABASE_URL, quantile, type BenchRow, type BenchSuite } from './lib.ts'

/** 22:30 Asia/Shanghai on a fixed day: four and a half hours into "tonight". */
const SEED_NOW = new Date('2026-11-20T14:30:00Z')
const WINDOW = { from: '2026-11-20T10:00:00Z', to: '2026-11-20T14:30:00Z' }

const suite: BenchSuite = async (ctx) => {
  const rows: BenchRow[] = []
  const repeat = ctx.env('BENCH_ROUTE_REPEAT', 5)
  let db: Database
  let cleanup: () => Promise<void>
  if (ctx.backend === 'embedded') {
    const dir = await mkdtemp(join(tmpdir(), 'safegrid-bench-route-'))
    db = await openDatabase({ dataDir: dir })
    cleanup = async () => {
      await db.close()
      await rm(dir, { recursive: true, force: true })
    }
  } else {
    const u = new URL(BENCH_DATABASE_URL)
    const name = `${u.pathname.slice(1)}_route`
    u.pathname = '/postgres'
    const admin = postgres(u.toString(), { max: 1, onnotice: () => {} })
    await admin.unsafe(`drop database if exists "${name}" with (force)`)
    await admin.unsafe(`create database "${name}"`)
    u.pathname = `/${name}`
    db = await openDatabase({ url: u.toString() })
    cleanup = async () => {
      await db.close()
      await admin.unsafe(`drop database if exists "${name}" with (force)`)
      await admin.end()
    }
  }
  try {
    await migrate(db.sql)
    ctx.log('route: seeding the demo …')
    await seedDemo(db.sql, { now: SEED_NOW })
    const [c] = await db.sql<{ id: number; lon: number; lat: number }[]>`
      select id::int, ST_X(ST_Centroid(boundary)) as lon, ST_Y(ST_Centroid(boundary)) as lat from communities order by id limit 1`
    const zones = await db.sql<{ id: number; name: string }[]>`select id::int, name from zones where community_id = ${c!.id} order by id`
    const start: [number, number] = [c!.lon, c!.lat]
    const cases: { what: string; zoneId?: number }[] = [{ what: 'whole community' }, ...zones.map((z) => ({ what: `zone ${z.name}`, zoneId: z.id }))]
    let totalNn = 0
    let totalRoute = 0
    for (const k of cases) {
      const q = { communityIds: null, communityId: c!.id, zoneId: k.zoneId, ...WINDOW, radius: 30, start }
      const t0 = performance.now()
      const inputs = await routeInputs(db.sql, q, Number.MAX_SAFE_INTEGER)
      const loadMs = performance.now() - t0
      const graphMs: number[] = []
      const planMs: number[] = []
      let plan: ReturnType<typeof planRoute> | undefined
      let graph: ReturnType<typeof buildWalkGraph> | undefined
      for (let i = 0; i < repeat; i++) {
        const g0 = performance.now()
        graph = buildWalkGraph(inputs.lines)
        graphMs.push(performance.now() - g0)
        const p0 = performance.now()
        plan = planRoute(graph, inputs.targets, inputs.start, { improveBudgetMs: ROUTE_IMPROVE_BUDGET_MS })
        planMs.push(performance.now() - p0)
      }
      if (k.zoneId === undefined) {
        totalNn = plan!.nearestNeighbourM
        totalRoute = plan!.distanceM
      }
      const saved = plan!.nearestNeighbourM > 0 ? (1 - plan!.distanceM / plan!.nearestNeighbourM) * 100 : 0
      rows.push({
        what: `suggested route, ${k.what}: 2-opt + Or-opt vs nearest neighbour`,
        backend: ctx.backend,
        size: `${inputs.targets.length} unvisited places, ${graph!.nodes.length} nodes / ${graph!.edges.length} edges`,
        median: quantile(planMs, 0.5),
        p95: quantile(planMs, 0.95),
        ratio: { value: plan!.distanceM / Math.max(plan!.nearestNeighbourM, 1e-9), of: 'nearest-neighbour length' },
        notes:
          `route ${(plan!.distanceM / 1000).toFixed(2)} km vs NN ${(plan!.nearestNeighbourM / 1000).toFixed(2)} km (${saved.toFixed(1)} % shorter), ` +
          `${plan!.stops.length} stops, ${plan!.unreachable.length} unreachable, ${Math.round(plan!.distanceM / 1.2 / 60)} min on foot; ` +
          `median plan ${quantile(planMs, 0.5).toFixed(0)} ms (matrix + ordering${plan!.budgetExhausted ? ', improvement budget hit' : ''}), ` +
          `graph ${quantile(graphMs, 0.5).toFixed(0)} ms, load ${loadMs.toFixed(0)} ms`,
      })
    }
    // The endpoint's whole work for a zone (what GET /api/coverage/route does, HTTP aside).
    const zone = zones[0]
    if (zone) {
      const times: number[] = []
      for (let i = 0; i < repeat; i++) {
        const t = performance.now()
        await suggestRoute(db.sql, { communityIds: null, communityId: c!.id, zoneId: zone.id, ...WINDOW, radius: 30, start })
        times.push(performance.now() - t)
      }
      rows.push({
        what: `suggested route end to end (suggestRoute), zone ${zone.name}`,
        backend: ctx.backend,
        size: 'demo community',
        median: quantile(times, 0.5),
        p95: quantile(times, 0.95),
        notes: `coverage report + roads + target points + plan + back to lon/lat; ${repeat} runs`,
      })
    }
    ctx.log(`route: whole community ${(totalRoute / 1000).toFixed(2)} km vs NN ${(totalNn / 1000).toFixed(2)} km`)
  } finally {
    await cleanup()
  }
  return rows
}

export default suite
