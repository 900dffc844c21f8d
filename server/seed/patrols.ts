/**
 * Tonight's patrols: phones walking footpaths and residential roads (never through buildings),
 * one GPS fix every 5–15 s with 3–8 m of noise, QR check-ins at key places they pass, and a
 * lighter history of check-ins over the previous 27 nights. Some compounds are left out on purpose.
 */
import { json, type BuildingInfo, type CompoundInfo, type KeyPlaceInfo, type Organisation, type SeedContext } from './context.ts'
import { distance, distanceToLine, distanceToPolygons, lerp, type XY } from './geo.ts'
import { WalkGraph } from './graph.ts'
import type { WalkLine } from './network.ts'
import type { Random } from './random.ts'
import { DAY, HOUR, MINUTE, tonightWindow } from './time.ts'

/**
 * Compounds no patrol comes near tonight: no track point within 60 m of their buildings (the
 * network is cut back 80 m around them and GPS noise is capped at 18 m), no check-in at their
 * key places. Every other compound has buildings within 30 m of some track by the end of the night.
 */
export const UNVISITED_COMPOUNDS_TONIGHT: string[] = ['工大学生公寓区', '鲁巷小区']

/**
 * Compounds with patrol gaps in the check-in history, by night before tonight (1 = last night):
 * nights on which nobody checked in at any of their key places.
 */
export const QUIET_NIGHTS: Record<string, number[]> = {
  工大学生公寓区: [1, 2, 3, 4, 5, 6],
  桂园新村: [8, 9, 10, 11, 12, 13, 14],
}

/** The walkable network is cut back this far (m) around the buildings of unvisited compounds. */
export const UNVISITED_CLEARANCE_M = 80
/** Nights of check-in history before tonight. */
const HISTORY_NIGHTS = 27
/** Largest GPS error added to a fix (m), so the clearance above always holds. */
const MAX_NOISE_M = 18
/** Main roads count this many times their length when routes are chosen (walk them only to get somewhere). */
const CONNECTOR_FACTOR = 4
/** Dead ends of the mapped paths are joined to other paths this close (m). */
const BRIDGE_MAX_M = 25
/** How much of a fix's error carries over to the next one (GPS error drifts, it does not jump). */
const NOISE_CORRELATION = 0.7

interface Run {
  start: number
  end: number
  compound: CompoundInfo
}

/** Insert tonight's track points and check-ins, and the check-in history. */
export async function makeTracks(
  ctx: SeedContext,
  compounds: CompoundInfo[],
  buildings: BuildingInfo[],
  keyPlaces: KeyPlaceInfo[],
  walk: WalkLine[],
  org: Organisation,
): Promise<void> {
  const { tx, utm, communityId } = ctx
  const rng = ctx.rng.fork('tracks')
  const now = ctx.now.getTime()
  const tonight = tonightWindow(ctx.now)
  const cutoff = Math.min(tonight.end.getTime(), now)
  const unvisited = new Set(UNVISITED_COMPOUNDS_TONIGHT.map((name) => compoundByName(compounds, name).id))
  const blocks = new BuildingGrid(buildings)
  const graph = new WalkGraph(walk.map((w) => ({ line: w.line, factor: w.connector ? CONNECTOR_FACTOR : 1 })))
  graph.bridgeDeadEnds(BRIDGE_MAX_M, (a, b) => blocks.crosses(a, b))
  const component = graph.components()
  const componentSize = new Map<number, number>()
  for (const c of component) componentSize.set(c, (componentSize.get(c) ?? 0) + 1)

  // Nodes from which a compound's buildings are seen up close.
  const visited = compounds.filter((c) => !unvisited.has(c.id))
  const visitNodes = new Map<number, number[]>()
  for (const c of visited) {
    const members = buildings.filter((b) => b.compoundId === c.id)
    const nodes: number[] = []
    graph.nodes.forEach((p, i) => {
      if (!graph.isPreferred(i)) return
      if (members.some((b) => distance(p, b.centroid) < 200 && distanceToPolygons(p, b.footprint) < 22)) nodes.push(i)
    })
    // Keep the nodes on the largest connected part of the network that reaches the compound, so
    // the patrol walks a round and not up and down one isolated path.
    const touching = new Map<number, number>()
    for (const n of nodes) touching.set(component[n] as number, (touching.get(component[n] as number) ?? 0) + 1)
    const main = [...touching.keys()]
      .filter((c) => (touching.get(c) ?? 0) >= 2)
      .sort((a, b) => (componentSize.get(b) ?? 0) - (componentSize.get(a) ?? 0) || a - b)[0]
    visitNodes.set(c.id, nodes.filter((n) => component[n] === main))
  }
  const reachable = visited.filter((c) => (visitNodes.get(c.id)?.length ?? 0) > 0)

  const trackRows: { d: string; t: string; x: number; y: number; a: number }[] = []
  const checkinRows: { k: number; d: string | null; p: number; t: string }[] = []
  const patrolUser = org.users.get('patrol')?.id ?? null
  const pointPlaces = keyPlaces.filter((k) => k.compoundId === null || !unvisited.has(k.compoundId))

  org.devices.forEach((device, i) => {
    const own = reachable.length > 0 ? [reachable[i % reachable.length]!, reachable[(i + org.devices.length) % reachable.length]!] : []
    const runs: Run[] = []
    if (own[0]) {
      // The first two phones set off right at 18:00, so the map shows someone soon after dusk.
      const start = tonight.start.getTime() + (i < 2 ? rng.float(0.5, 3) : rng.float(5, 80)) * MINUTE
      runs.push({ start, end: start + rng.float(80, 150) * MINUTE, compound: own[0] })
    }
    if (own[1]) {
      const start = tonight.start.getTime() + rng.float(4.5, 8.5) * HOUR
      runs.push({ start, end: start + rng.float(60, 120) * MINUTE, compound: own[1] })
    }
    const speed = rng.float(1.1, 1.35)
    let lastT = 0
    for (const run of runs) {
      if (run.start >= cutoff) continue
      const route = walkRoute(graph, component, visitNodes, reachable, run, speed, rng)
      const passed = new Map<number, number>()
      let previousFix: XY | null = null
      // GPS error drifts rather than jumping: an AR(1) process, carried from fix to fix.
      const error: XY = [0, 0]
      let t = run.start
      for (const step of route) {
        if (t >= Math.min(run.end, cutoff)) break
        t = Math.max(t, step.t)
        if (t >= Math.min(run.end, cutoff)) break
        const sigma = rng.float(3, 8)
        const fix = noisy(step.p, sigma, error, rng, blocks, previousFix)
        const whole = Math.round(t / 1000) * 1000
        if (whole <= lastT) continue
        lastT = whole
        previousFix = fix
        trackRows.push({ d: device.id, t: new Date(whole).toISOString(), x: round(fix[0]), y: round(fix[1]), a: Math.round(sigma * 2) })
        for (const k of pointPlaces) {
          if (passed.has(k.id)) continue
          const d = k.points.length === 1 ? distance(k.points[0] as XY, step.p) : distanceToLine(step.p, k.points)
          if (d < 10) passed.set(k.id, whole)
        }
      }
      // Scan some of the codes passed on the way.
      for (const [placeId, at] of [...passed.entries()].sort((a, b) => a[1] - b[1])) {
        const place = keyPlaces.find((k) => k.id === placeId) as KeyPlaceInfo
        const p = place.kind === 'entrance' ? 0.3 : place.kind === 'shop' ? 0.1 : 0.75
        if (!rng.chance(p)) continue
        const when = at + rng.int(2, 25) * 1000
        if (when < cutoff) checkinRows.push({ k: placeId, d: device.id, p: device.personId, t: new Date(when).toISOString() })
      }
    }
  })

  // The history: a few scans per compound on most nights, except the quiet nights.
  const history = rng.fork('checkin-history')
  const quiet = new Map(Object.entries(QUIET_NIGHTS).map(([name, nights]) => [compoundByName(compounds, name).id, new Set(nights)]))
  for (let night = HISTORY_NIGHTS; night >= 1; night--) {
    const nightStart = tonight.start.getTime() - night * DAY
    for (const c of compounds) {
      if (quiet.get(c.id)?.has(night)) continue
      if (!history.chance(0.85)) continue
      const places = keyPlaces.filter((k) => k.compoundId === c.id && k.kind !== 'shop')
      if (places.length === 0) continue
      for (const place of history.sample(places, history.int(1, 3))) {
        const device = history.pick(org.devices)
        const at = nightStart + history.float(0.5, 11.5) * HOUR
        checkinRows.push({ k: place.id, d: device.id, p: device.personId, t: new Date(Math.round(at / 1000) * 1000).toISOString() })
      }
    }
  }
  checkinRows.sort((a, b) => a.t.localeCompare(b.t) || a.k - b.k)

  // Batches keep each statement's JSON to a few megabytes.
  for (let i = 0; i < trackRows.length; i += 20_000) {
    const batch = trackRows.slice(i, i + 20_000)
    await tx`
      insert into track_points (community_id, device_id, t, geom, accuracy, received_at)
      select ${communityId}, d, t, ST_Transform(ST_SetSRID(ST_MakePoint(x, y), ${utm}::int), 4326), a, t + interval '2 seconds'
      from jsonb_to_recordset(${json(batch)}::text::jsonb) as r(d text, t timestamptz, x float8, y float8, a real)
      order by d, t`
  }
  await tx`
    insert into checkins (community_id, key_place_id, device_id, user_id, person_id, t, created_at)
    select ${communityId}, k, d, ${patrolUser}::bigint, p, t, t
    from jsonb_to_recordset(${json(checkinRows)}::text::jsonb) as r(k bigint, d text, p bigint, t timestamptz)
    order by t, k`
  ctx.summary.trackPoints = trackRows.length
  ctx.summary.checkins = checkinRows.length
}

function compoundByName(compounds: CompoundInfo[], name: string): CompoundInfo {
  const found = compounds.find((c) => c.name === name)
  if (!found) throw new Error(`demo seed: no compound named ${name}`)
  return found
}

/** A position at a time. */
interface Step {
  t: number
  p: XY
}

/**
 * The fixes of one run: walk shortest paths between nodes near the run's compound (and now and
 * then a neighbouring one reachable on foot), pausing now and then, one fix every 5–15 s.
 */
function walkRoute(
  graph: WalkGraph,
  component: number[],
  visitNodes: Map<number, number[]>,
  reachable: CompoundInfo[],
  run: Run,
  speed: number,
  rng: Random,
): Step[] {
  const home = visitNodes.get(run.compound.id) ?? []
  if (home.length === 0) return []
  let node = rng.pick(home)
  const part = component[node]
  const neighbours = reachable.filter(
    (c) => c.id !== run.compound.id && distance(c.centroid, run.compound.centroid) < 700 && (visitNodes.get(c.id) ?? []).some((n) => component[n] === part),
  )
  // Anywhere on foot near the compound, for a wider loop now and then.
  const around: number[] = []
  graph.nodes.forEach((p, n) => {
    if (component[n] === part && distance(p, run.compound.centroid) < 400) around.push(n)
  })
  const steps: Step[] = []
  let t = run.start
  let position = graph.nodes[node] as XY
  let nextFix = t
  const emit = (p: XY): void => {
    steps.push({ t: nextFix, p })
    nextFix += rng.float(5, 15) * 1000
  }
  for (let leg = 0; t < run.end && leg < 400; leg++) {
    const draw = rng.next()
    const pool =
      draw < 0.2 && neighbours.length > 0
        ? (visitNodes.get(rng.pick(neighbours).id) ?? []).filter((n) => component[n] === part)
        : draw < 0.45
          ? around
          : home
    const target = rng.pick(pool.length > 0 ? pool : home)
    const path = graph.shortestPath(node, target)
    if (!path || path.length < 2) continue
    for (let i = 1; i < path.length; i++) {
      const a = position
      const b = graph.nodes[path[i] as number] as XY
      const length = distance(a, b)
      const startT = t
      const duration = (length / speed) * 1000
      while (nextFix <= startT + duration) {
        emit(lerp(a, b, duration === 0 ? 1 : (nextFix - startT) / duration))
      }
      t = startT + duration
      position = b
    }
    node = target
    // Stop to look around, talk to a resident or scan a code.
    if (rng.chance(0.35)) {
      const until = t + rng.float(20, 150) * 1000
      while (nextFix <= until) emit(position)
      t = until
    }
    if (nextFix < t) nextFix = t
  }
  return steps
}

/**
 * A GPS fix: the true position plus gaussian noise (capped at {@link MAX_NOISE_M}), redrawn when
 * it would land inside a building or the line from the previous fix would cut through one, so the
 * tracks on the map stay on the paths.
 */
function noisy(p: XY, sigma: number, error: XY, rng: Random, blocks: BuildingGrid, previous: XY | null): XY {
  const keep = NOISE_CORRELATION
  const fresh = Math.sqrt(1 - keep * keep)
  for (let attempt = 0; attempt < 10; attempt++) {
    let nx = keep * error[0] + fresh * rng.gaussian(sigma)
    let ny = keep * error[1] + fresh * rng.gaussian(sigma)
    const n = Math.hypot(nx, ny)
    if (n > MAX_NOISE_M) {
      nx *= MAX_NOISE_M / n
      ny *= MAX_NOISE_M / n
    }
    const fix: XY = [p[0] + nx, p[1] + ny]
    if (!blocks.inside(fix) && (previous === null || !blocks.crosses(previous, fix))) {
      error[0] = nx
      error[1] = ny
      return fix
    }
  }
  error[0] = 0
  error[1] = 0
  return p
}

/** Building footprints bucketed on a 50 m grid for point-in-building tests. */
class BuildingGrid {
  private readonly grid = new Map<string, BuildingInfo[]>()

  constructor(buildings: BuildingInfo[]) {
    for (const b of buildings) {
      const points = b.footprint.flatMap((polygon) => polygon[0] ?? [])
      const xs = points.map((q) => q[0])
      const ys = points.map((q) => q[1])
      for (let x = Math.floor(Math.min(...xs) / 50); x <= Math.floor(Math.max(...xs) / 50); x++) {
        for (let y = Math.floor(Math.min(...ys) / 50); y <= Math.floor(Math.max(...ys) / 50); y++) {
          const list = this.grid.get(`${x},${y}`) ?? []
          list.push(b)
          this.grid.set(`${x},${y}`, list)
        }
      }
    }
  }

  /** Whether the segment ab passes through a building (tested every metre). */
  crosses(a: XY, b: XY): boolean {
    const steps = Math.ceil(distance(a, b))
    if (steps > 250) return false
    for (let i = 1; i < steps; i++) if (this.inside(lerp(a, b, i / steps))) return true
    return false
  }

  /** Whether p lies in (or within half a metre of) a building. */
  inside(p: XY): boolean {
    const list = this.grid.get(`${Math.floor(p[0] / 50)},${Math.floor(p[1] / 50)}`) ?? []
    return list.some((b) => distanceToPolygons(p, b.footprint) < 0.5)
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}
