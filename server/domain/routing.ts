/**
 * The suggested route (下一轮巡查路线): a walking route along the community's footpaths and residential
 * roads from a start point through the places nobody visited. Pure: coordinates are metres in a planar
 * (UTM) projection; the caller loads the roads and targets and projects the answer back.
 *
 * 1. {@link buildWalkGraph}: the road lines become an undirected graph. Vertices closer than `snapM`
 *    become one node (lines that share a vertex, or were cut at tile edges), a line end within `snapM` of
 *    another line's segment is joined to it there (a T-junction drawn a little short), and segments that
 *    cross are split at the crossing.
 * 2. {@link planRoute}: the start and each target are attached to the nearest edge (a new node at the
 *    foot of the perpendicular); targets farther than `maxAttachM` from every road, or on a part of the
 *    network the start cannot reach, are reported as unreachable. Shortest walking distances between
 *    the start and the targets come from Dijkstra with a binary heap; the order of the targets is an
 *    open path from the start: nearest neighbour first, then improved by 2-opt (reverse a stretch) and
 *    Or-opt (move a run of 1–3 stops elsewhere, either way round) until neither helps or the time budget
 *    is spent. Each move strictly shortens the route, so the result is never longer than nearest neighbour.
 */

/** A point in metres (x east, y north). */
export type XY = readonly [number, number]

/** A walkable road line in metres. */
export interface RoadLine {
  line: readonly XY[]
}

/** One undirected edge of the walking graph. */
export interface GraphEdge {
  a: number
  b: number
  length: number
}

/** The walking graph: nodes, edges and adjacency (edge indexes per node). */
export interface WalkGraph {
  nodes: XY[]
  edges: GraphEdge[]
  /** Per node, the indexes of its edges. */
  adjacency: number[][]
}

/** Options of {@link buildWalkGraph}. */
export interface GraphOptions {
  /** Vertices and near-touching line ends closer than this (m) are joined. Default 3. */
  snapM?: number
}

/** Something to visit: a building (at the footprint point nearest the roads) or a key place. */
export interface RouteTarget {
  kind: string
  id: number
  label: string | null
  point: XY
}

/** Why a target is left out of the route. */
export type UnreachableReason = 'no_road_nearby' | 'disconnected'

/** A target left out, and why. */
export interface UnreachableTarget {
  kind: string
  id: number
  label: string | null
  reason: UnreachableReason
}

/** A stop of the route, in walking order (1-based `order`). */
export interface RouteStop {
  kind: string
  id: number
  label: string | null
  order: number
  /** Where the route touches the road for this stop. */
  at: XY
  /** Walking distance from the previous stop (or the start), m. */
  legM: number
}

/** Options of {@link planRoute}. */
export interface PlanOptions {
  /** A target farther than this from every road (m) is unreachable. Default 250. */
  maxAttachM?: number
  /** Time allowed for 2-opt and Or-opt (ms). Default 1000. */
  improveBudgetMs?: number
  /** Clock for the budget (ms); default `performance.now`. */
  clock?: () => number
}

/** The planned route. */
export interface RoutePlan {
  /** The walked line from the start through every stop (empty when there is no stop). */
  path: XY[]
  /** Walking distance along the roads, m. */
  distanceM: number
  /** The same stops in nearest-neighbour order would be this long, m. */
  nearestNeighbourM: number
  stops: RouteStop[]
  unreachable: UnreachableTarget[]
  /** Where the route starts on the road network (null when nothing is reachable from the start). */
  start: XY | null
  /** Whether the improvement stopped because its time budget ran out. */
  budgetExhausted: boolean
}

const DEFAULT_SNAP_M = 3
const DEFAULT_MAX_ATTACH_M = 250
const DEFAULT_BUDGET_MS = 1000
/** Grid cell of the segment index, m. */
const CELL_M = 50
/** Farthest a nearest-edge search looks through the grid before it scans every edge, m. */
const GRID_SEARCH_MAX_M = 800

const dist = (p: XY, q: XY): number => Math.hypot(p[0] - q[0], p[1] - q[1])

/** A uniform grid over segments (bounding boxes), for nearby-segment queries. */
class SegmentGrid {
  private readonly cells = new Map<string, number[]>()
  constructor(private readonly cell: number) {}

  private range(p: XY, q: XY, pad: number): [number, number, number, number] {
    return [
      Math.floor((Math.min(p[0], q[0]) - pad) / this.cell),
      Math.floor((Math.min(p[1], q[1]) - pad) / this.cell),
      Math.floor((Math.max(p[0], q[0]) + pad) / this.cell),
      Math.floor((Math.max(p[1], q[1]) + pad) / this.cell),
    ]
  }

  add(id: number, p: XY, q: XY): void {
    const [x0, y0, x1, y1] = this.range(p, q, 0)
    for (let x = x0; x <= x1; x++) {
      for (let y = y0; y <= y1; y++) {
        const key = `${x},${y}`
        const list = this.cells.get(key)
        if (list) list.push(id)
        else this.cells.set(key, [id])
      }
    }
  }

  /** Segment ids whose cells meet the box of p–q grown by `pad` (each id once). */
  near(p: XY, q: XY, pad: number): number[] {
    const [x0, y0, x1, y1] = this.range(p, q, pad)
    const seen = new Set<number>()
    for (let x = x0; x <= x1; x++) {
      for (let y = y0; y <= y1; y++) for (const id of this.cells.get(`${x},${y}`) ?? []) seen.add(id)
    }
    return [...seen]
  }
}

/** The foot of the perpendicular from p on segment a–b: parameter t in [0, 1] and the distance. */
function project(p: XY, a: XY, b: XY): { t: number; d: number; at: XY } {
  const dx = b[0] - a[0]
  const dy = b[1] - a[1]
  const len2 = dx * dx + dy * dy
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2))
  const at: XY = [a[0] + t * dx, a[1] + t * dy]
  return { t, d: dist(p, at), at }
}

/** Where segments p1–p2 and q1–q2 cross strictly inside both, as the parameters on each; null otherwise. */
function crossing(p1: XY, p2: XY, q1: XY, q2: XY): [number, number] | null {
  const rx = p2[0] - p1[0]
  const ry = p2[1] - p1[1]
  const sx = q2[0] - q1[0]
  const sy = q2[1] - q1[1]
  const denom = rx * sy - ry * sx
  if (Math.abs(denom) < 1e-12) return null
  const qpx = q1[0] - p1[0]
  const qpy = q1[1] - p1[1]
  const t = (qpx * sy - qpy * sx) / denom
  const u = (qpx * ry - qpy * rx) / denom
  const eps = 1e-9
  return t > eps && t < 1 - eps && u > eps && u < 1 - eps ? [t, u] : null
}

/** Snaps points to nodes: a point within `snap` of an existing node becomes that node. */
class NodeSnapper {
  readonly nodes: XY[] = []
  private readonly grid = new Map<string, number[]>()
  constructor(private readonly snap: number) {}

  nodeAt(p: XY): number {
    const size = Math.max(this.snap, 1e-6)
    const cx = Math.floor(p[0] / size)
    const cy = Math.floor(p[1] / size)
    let best = -1
    let bestD = this.snap
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const id of this.grid.get(`${cx + dx},${cy + dy}`) ?? []) {
          const d = dist(this.nodes[id]!, p)
          if (d <= bestD) {
            best = id
            bestD = d
          }
        }
      }
    }
    if (best >= 0) return best
    const id = this.nodes.length
    this.nodes.push([p[0], p[1]])
    const key = `${cx},${cy}`
    const cell = this.grid.get(key)
    if (cell) cell.push(id)
    else this.grid.set(key, [id])
    return id
  }
}

/**
 * Build the walking graph of some road lines (metres): shared and near vertices joined, line ends
 * that stop just short of (or just past) another line joined to it, crossings split. Repeated edges
 * between the same two nodes are kept once (the shortest).
 */
export function buildWalkGraph(lines: readonly RoadLine[], options: GraphOptions = {}): WalkGraph {
  const snapM = options.snapM ?? DEFAULT_SNAP_M
  // Every segment of every line, with the line it belongs to and its position in the line.
  const segs: { p: XY; q: XY; line: number; index: number; last: boolean; cuts: number[] }[] = []
  lines.forEach((l, li) => {
    const pts = l.line.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]))
    for (let i = 0; i + 1 < pts.length; i++) segs.push({ p: pts[i]!, q: pts[i + 1]!, line: li, index: i, last: i + 2 === pts.length, cuts: [] })
  })
  const grid = new SegmentGrid(CELL_M)
  segs.forEach((s, i) => grid.add(i, s.p, s.q))

  // Crossings: split both segments there.
  segs.forEach((s, i) => {
    for (const j of grid.near(s.p, s.q, 0)) {
      if (j <= i) continue
      const o = segs[j]!
      if (o.line === s.line && Math.abs(o.index - s.index) <= 1) continue
      const hit = crossing(s.p, s.q, o.p, o.q)
      if (!hit) continue
      s.cuts.push(hit[0])
      o.cuts.push(hit[1])
    }
  })

  // Line ends near another line's segment (not at its vertices): split that segment at the foot.
  segs.forEach((s) => {
    const ends: XY[] = []
    if (s.index === 0) ends.push(s.p)
    if (s.last) ends.push(s.q)
    for (const end of ends) {
      for (const j of grid.near(end, end, snapM)) {
        const o = segs[j]!
        if (o.line === s.line) continue
        const f = project(end, o.p, o.q)
        if (f.d <= snapM && f.t > 0 && f.t < 1) o.cuts.push(f.t)
      }
    }
  })

  const snapper = new NodeSnapper(snapM)
  const best = new Map<string, number>()
  const edges: GraphEdge[] = []
  const addEdge = (a: number, b: number, p: XY, q: XY): void => {
    if (a === b) return
    const length = dist(p, q)
    const key = a < b ? `${a},${b}` : `${b},${a}`
    const seen = best.get(key)
    if (seen !== undefined) {
      if (edges[seen]!.length > length) edges[seen]!.length = length
      return
    }
    best.set(key, edges.length)
    edges.push({ a, b, length })
  }
  for (const s of segs) {
    const ts = [0, ...s.cuts.sort((x, y) => x - y), 1]
    const points = ts.map((t): XY => [s.p[0] + t * (s.q[0] - s.p[0]), s.p[1] + t * (s.q[1] - s.p[1])])
    for (let k = 0; k + 1 < points.length; k++) {
      const p = points[k]!
      const q = points[k + 1]!
      addEdge(snapper.nodeAt(p), snapper.nodeAt(q), p, q)
    }
  }
  const adjacency: number[][] = snapper.nodes.map(() => [])
  edges.forEach((e, i) => {
    adjacency[e.a]!.push(i)
    adjacency[e.b]!.push(i)
  })
  return { nodes: snapper.nodes, edges, adjacency }
}

/** A component label per node (connected parts of the graph). */
export function components(graph: WalkGraph): Int32Array {
  const label = new Int32Array(graph.nodes.length).fill(-1)
  let next = 0
  for (let s = 0; s < graph.nodes.length; s++) {
    if (label[s] !== -1) continue
    label[s] = next
    const stack = [s]
    while (stack.length > 0) {
      const n = stack.pop()!
      for (const ei of graph.adjacency[n]!) {
        const e = graph.edges[ei]!
        const o = e.a === n ? e.b : e.a
        if (label[o] === -1) {
          label[o] = next
          stack.push(o)
        }
      }
    }
    next++
  }
  return label
}

/** A binary min-heap of (key, node) pairs, for Dijkstra. */
export class MinHeap {
  private keys: number[] = []
  private values: number[] = []

  get size(): number {
    return this.keys.length
  }

  push(key: number, value: number): void {
    const keys = this.keys
    const values = this.values
    let i = keys.length
    keys.push(key)
    values.push(value)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (keys[parent]! <= key) break
      keys[i] = keys[parent]!
      values[i] = values[parent]!
      i = parent
    }
    keys[i] = key
    values[i] = value
  }

  /** Remove the smallest; returns [key, value], or undefined when empty. */
  pop(): [number, number] | undefined {
    const keys = this.keys
    const values = this.values
    if (keys.length === 0) return undefined
    const top: [number, number] = [keys[0]!, values[0]!]
    const lastKey = keys.pop()!
    const lastValue = values.pop()!
    const n = keys.length
    if (n > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const c = r < n && keys[r]! < keys[l]! ? r : l
        if (keys[c]! >= lastKey) break
        keys[i] = keys[c]!
        values[i] = values[c]!
        i = c
      }
      keys[i] = lastKey
      values[i] = lastValue
    }
    return top
  }
}

/**
 * Shortest distances from `source` to every node (Infinity where unreachable) and the predecessor of
 * each node on its shortest path (-1 for the source and unreached nodes). Stops early once every node
 * in `targets` is settled, when given.
 */
export function dijkstra(graph: WalkGraph, source: number, targets?: readonly number[]): { distance: Float64Array; previous: Int32Array } {
  const n = graph.nodes.length
  const distance = new Float64Array(n).fill(Infinity)
  const previous = new Int32Array(n).fill(-1)
  const done = new Uint8Array(n)
  const wanted = targets ? new Set(targets) : null
  let left = wanted ? wanted.size : -1
  distance[source] = 0
  const heap = new MinHeap()
  heap.push(0, source)
  while (heap.size > 0) {
    const [d, u] = heap.pop()!
    if (done[u]) continue
    done[u] = 1
    if (wanted?.has(u) && --left === 0) break
    for (const ei of graph.adjacency[u]!) {
      const e = graph.edges[ei]!
      const v = e.a === u ? e.b : e.a
      const nd = d + e.length
      if (nd < distance[v]!) {
        distance[v] = nd
        previous[v] = u
        heap.push(nd, v)
      }
    }
  }
  return { distance, previous }
}

/** The node path from the source to `to` along the predecessors of a {@link dijkstra} run. */
function pathTo(previous: Int32Array, to: number): number[] {
  const path: number[] = []
  for (let n = to; n !== -1; n = previous[n]!) path.push(n)
  return path.reverse()
}

/**
 * Attach points to the graph: each to the nearest edge within `maxM`, split there by a new node (or the
 * nearer end node when the foot is on it). Returns a new graph (the input is not changed) and, per
 * point, its node (-1 when no edge is that close).
 */
export function attachPoints(graph: WalkGraph, points: readonly XY[], maxM: number | ((index: number) => number)): { graph: WalkGraph; nodes: number[] } {
  const limitOf = typeof maxM === 'number' ? () => maxM : maxM
  const grid = new SegmentGrid(CELL_M)
  graph.edges.forEach((e, i) => grid.add(i, graph.nodes[e.a]!, graph.nodes[e.b]!))
  const cuts = new Map<number, { t: number; point: number }[]>()
  const nodes = [...graph.nodes]
  const foot: { edge: number; t: number; at: XY }[] = []
  const result = points.map((p, pi) => {
    const limit = limitOf(pi)
    let bestEdge = -1
    let bestT = 0
    let bestD = Infinity
    let bestAt: XY = p
    const consider = (ei: number): void => {
      const e = graph.edges[ei]!
      const f = project(p, graph.nodes[e.a]!, graph.nodes[e.b]!)
      if (f.d < bestD || (f.d === bestD && ei < bestEdge)) {
        bestD = f.d
        bestEdge = ei
        bestT = f.t
        bestAt = f.at
      }
    }
    // Widen the search ring until an edge is found (or the limit is passed); past the widest ring, look at every edge.
    const widest = Math.min(limit, GRID_SEARCH_MAX_M)
    for (let pad = Math.min(CELL_M, widest); ; pad = Math.min(pad * 2, widest)) {
      for (const ei of grid.near(p, p, pad)) consider(ei)
      if ((bestEdge >= 0 && bestD <= pad) || pad >= widest) break
    }
    if (!(bestD <= widest) && limit > widest) for (let ei = 0; ei < graph.edges.length; ei++) consider(ei)
    if (bestEdge < 0 || bestD > limit) return -1
    foot[pi] = { edge: bestEdge, t: bestT, at: bestAt }
    const e = graph.edges[bestEdge]!
    const len = e.length
    if (bestT * len < 1e-6) return e.a
    if ((1 - bestT) * len < 1e-6) return e.b
    const id = nodes.length
    nodes.push(bestAt)
    const list = cuts.get(bestEdge) ?? []
    list.push({ t: bestT, point: id })
    cuts.set(bestEdge, list)
    return id
  })
  const edges: GraphEdge[] = []
  graph.edges.forEach((e, i) => {
    const list = cuts.get(i)
    if (!list) {
      edges.push({ ...e })
      return
    }
    list.sort((x, y) => x.t - y.t)
    let from = e.a
    let fromT = 0
    for (const c of list) {
      edges.push({ a: from, b: c.point, length: (c.t - fromT) * e.length })
      from = c.point
      fromT = c.t
    }
    edges.push({ a: from, b: e.b, length: (1 - fromT) * e.length })
  })
  const adjacency: number[][] = nodes.map(() => [])
  edges.forEach((e, i) => {
    adjacency[e.a]!.push(i)
    if (e.b !== e.a) adjacency[e.b]!.push(i)
  })
  return { graph: { nodes, edges, adjacency }, nodes: result }
}

/** Length of an open path through `order` (indexes into the matrix), starting at index 0 of the matrix. */
export function pathLength(matrix: Float64Array, size: number, order: readonly number[]): number {
  let total = 0
  let prev = 0
  for (const i of order) {
    total += matrix[prev * size + i]!
    prev = i
  }
  return total
}

/** Nearest-neighbour order of stops 1..size-1 from stop 0 (ties: the lower index). */
export function nearestNeighbourOrder(matrix: Float64Array, size: number): number[] {
  const left = new Set<number>()
  for (let i = 1; i < size; i++) left.add(i)
  const order: number[] = []
  let at = 0
  while (left.size > 0) {
    let best = -1
    let bestD = Infinity
    for (const i of left) {
      const d = matrix[at * size + i]!
      if (d < bestD) {
        bestD = d
        best = i
      }
    }
    order.push(best)
    left.delete(best)
    at = best
  }
  return order
}

/**
 * Improve an open path from stop 0 through `order` with 2-opt and Or-opt moves (first improvement,
 * repeated until no move shortens the path or `deadline` passes on `clock`). Returns the new order and
 * whether the deadline cut it short. Distances must be symmetric.
 */
export function improveOrder(
  matrix: Float64Array,
  size: number,
  order: readonly number[],
  deadline = Infinity,
  clock: () => number = () => performance.now(),
): { order: number[]; exhausted: boolean } {
  // p[0] is the fixed start (matrix index 0); p[1..n] are the stops.
  const p = [0, ...order]
  const n = p.length - 1
  const d = (a: number, b: number): number => matrix[p[a]! * size + p[b]!]!
  const eps = 1e-7
  let improved = true
  let exhausted = false
  let checks = 0
  const late = (): boolean => {
    if ((++checks & 255) !== 0) return false
    if (clock() > deadline) exhausted = true
    return exhausted
  }
  while (improved && !exhausted) {
    improved = false
    // 2-opt: reverse p[i..j].
    for (let i = 1; i < n && !exhausted; i++) {
      for (let j = i + 1; j <= n; j++) {
        const before = d(i - 1, i) + (j < n ? d(j, j + 1) : 0)
        const after = d(i - 1, j) + (j < n ? d(i, j + 1) : 0)
        if (after < before - eps) {
          for (let a = i, b = j; a < b; a++, b--) [p[a], p[b]] = [p[b]!, p[a]!]
          improved = true
        }
        if (late()) break
      }
    }
    // Or-opt: move the run p[i..i+len-1] between p[k] and p[k+1], as it is or reversed.
    for (let len = 1; len <= 3 && !exhausted; len++) {
      for (let i = 1; i + len - 1 <= n && !exhausted; i++) {
        const j = i + len - 1
        const removeGain = d(i - 1, i) + (j < n ? d(j, j + 1) : 0) - (j < n ? d(i - 1, j + 1) : 0)
        let moved = false
        for (let k = 0; k <= n && !moved; k++) {
          if (k >= i - 1 && k <= j) continue
          const next = k + 1 <= n ? k + 1 : -1
          const link = next === -1 ? 0 : d(k, next)
          const forward = d(k, i) + (next === -1 ? 0 : d(j, next)) - link
          const backward = d(k, j) + (next === -1 ? 0 : d(i, next)) - link
          const addCost = Math.min(forward, backward)
          if (addCost < removeGain - eps) {
            const run = p.slice(i, j + 1)
            if (backward < forward) run.reverse()
            const rest = [...p.slice(0, i), ...p.slice(j + 1)]
            const at = k < i ? k + 1 : k + 1 - len
            rest.splice(at, 0, ...run)
            for (let x = 0; x < rest.length; x++) p[x] = rest[x]!
            moved = true
            improved = true
          }
          if (late()) break
        }
      }
    }
  }
  return { order: p.slice(1), exhausted }
}

/**
 * Plan the next round: from `start` through every reachable target, shortest first by the heuristics
 * above. With no start, the route starts at the target nearest the middle of the targets that share
 * the part of the network holding the most of them. Targets off the network or on a part the start
 * cannot reach are listed in `unreachable`.
 */
export function planRoute(graph: WalkGraph, targets: readonly RouteTarget[], start: XY | null, options: PlanOptions = {}): RoutePlan {
  const maxAttachM = options.maxAttachM ?? DEFAULT_MAX_ATTACH_M
  const clock = options.clock ?? (() => performance.now())
  const deadline = clock() + (options.improveBudgetMs ?? DEFAULT_BUDGET_MS)
  const points = targets.map((t) => t.point)
  // The start (a phone's position, a leader's pick) may be anywhere: it is joined to the nearest road however far.
  const attached = attachPoints(graph, start ? [start, ...points] : points, (i) => (start && i === 0 ? Infinity : maxAttachM))
  const g = attached.graph
  const startNode0 = start ? attached.nodes[0]! : -1
  const targetNodes = start ? attached.nodes.slice(1) : attached.nodes
  const label = components(g)
  const unreachable: UnreachableTarget[] = []
  const empty = (startAt: XY | null): RoutePlan => ({ path: [], distanceM: 0, nearestNeighbourM: 0, stops: [], unreachable, start: startAt, budgetExhausted: false })

  // The start node: given, or the middle of the best-served component.
  let startNode = startNode0
  if (!start) {
    const count = new Map<number, number>()
    for (const n of targetNodes) if (n >= 0) count.set(label[n]!, (count.get(label[n]!) ?? 0) + 1)
    let bestComp = -1
    let bestCount = 0
    for (const [c, k] of count) if (k > bestCount || (k === bestCount && c < bestComp)) [bestComp, bestCount] = [c, k]
    if (bestComp >= 0) {
      const inComp = targetNodes.filter((n) => n >= 0 && label[n] === bestComp)
      const mx = inComp.reduce((s, n) => s + g.nodes[n]![0], 0) / inComp.length
      const my = inComp.reduce((s, n) => s + g.nodes[n]![1], 0) / inComp.length
      startNode = inComp.reduce((b, n) => (dist(g.nodes[n]!, [mx, my]) < dist(g.nodes[b]!, [mx, my]) ? n : b), inComp[0]!)
    }
  }

  const reachable: number[] = []
  targets.forEach((t, i) => {
    const node = targetNodes[i]!
    if (node < 0) unreachable.push({ kind: t.kind, id: t.id, label: t.label, reason: 'no_road_nearby' })
    else if (startNode < 0 || label[node] !== label[startNode]) unreachable.push({ kind: t.kind, id: t.id, label: t.label, reason: 'disconnected' })
    else reachable.push(i)
  })
  if (startNode < 0) return empty(null)
  const startAt = g.nodes[startNode]!
  if (reachable.length === 0) return empty(startAt)

  // Distance matrix over [start, ...reachable targets], with the predecessor trees for the paths.
  const size = reachable.length + 1
  const matrixNodes = [startNode, ...reachable.map((i) => targetNodes[i]!)]
  const matrix = new Float64Array(size * size)
  const trees: Int32Array[] = []
  for (let a = 0; a < size; a++) {
    const { distance, previous } = dijkstra(g, matrixNodes[a]!, matrixNodes)
    trees.push(previous)
    for (let b = 0; b < size; b++) matrix[a * size + b] = distance[matrixNodes[b]!]!
  }
  // Undirected graph: keep the matrix exactly symmetric (floating sums may differ in the last bit).
  for (let a = 0; a < size; a++) {
    for (let b = a + 1; b < size; b++) {
      const m = Math.min(matrix[a * size + b]!, matrix[b * size + a]!)
      matrix[a * size + b] = m
      matrix[b * size + a] = m
    }
  }

  const nn = nearestNeighbourOrder(matrix, size)
  const nearestNeighbourM = pathLength(matrix, size, nn)
  const { order, exhausted } = improveOrder(matrix, size, nn, deadline, clock)

  const path: XY[] = [startAt]
  const stops: RouteStop[] = []
  let prev = 0
  order.forEach((m, k) => {
    const nodesOnWay = pathTo(trees[prev]!, matrixNodes[m]!)
    for (const node of nodesOnWay.slice(1)) path.push(g.nodes[node]!)
    const t = targets[reachable[m - 1]!]!
    stops.push({ kind: t.kind, id: t.id, label: t.label, order: k + 1, at: g.nodes[matrixNodes[m]!]!, legM: matrix[prev * size + m]! })
    prev = m
  })
  return { path, distanceM: pathLength(matrix, size, order), nearestNeighbourM, stops, unreachable, start: startAt, budgetExhausted: exhausted }
}

/**
 * How much more a metre off the roads counts than a metre along them when {@link walkBetween} chooses the way on and
 * off the network: a straight leg across a courtyard may be blocked (a wall, a fence), so a road is preferred unless
 * it leads far round.
 */
export const OFF_ROAD_WEIGHT = 3

/** Options of {@link walkBetween}. */
export interface WalkOptions {
  /** Roads within this distance (m) of either end are all tried as the way on and off the network. Default 150. */
  accessM?: number
  /** The destination must lie within this distance (m) of a road. Default 250. */
  maxAttachM?: number
}

/** A walk from one point to another (see {@link walkBetween}). */
export interface WalkPlan {
  /** From the start, along the roads, to the destination (empty when there is no way). */
  path: XY[]
  /** Length of `path`, m (the legs on and off the network included). */
  distanceM: number
  /** Why there is no way, or null. */
  reason: UnreachableReason | null
}

/** A way on or off the network: the foot of the perpendicular on an edge, and how far it is from the end. */
interface Access {
  edge: number
  t: number
  at: XY
  d: number
}

/** The edges within `radius` of `p` as accesses, nearest first; with none, the nearest edge within `farthest`. */
function accesses(graph: WalkGraph, grid: SegmentGrid, p: XY, radius: number, farthest: number): Access[] {
  const foot = (edge: number): Access => {
    const e = graph.edges[edge]!
    const f = project(p, graph.nodes[e.a]!, graph.nodes[e.b]!)
    return { edge, t: f.t, at: f.at, d: f.d }
  }
  const near = grid.near(p, p, radius).map(foot).filter((a) => a.d <= radius)
  if (near.length > 0) return near.sort((a, b) => a.d - b.d)
  let best: Access | null = null
  for (let i = 0; i < graph.edges.length; i++) {
    const a = foot(i)
    if (a.d <= farthest && (!best || a.d < best.d)) best = a
  }
  return best ? [best] : []
}

/**
 * The shortest walk from `from` to `to` (metres, planar) along the graph's roads, for directions to one place (the
 * patrol phone's 任务, issue 15). Unlike {@link planRoute}, which joins each end to its nearest road, every road
 * within `accessM` of either end is tried as the way on and off the network (the nearest one may lie behind a wall,
 * or lead the long way round): one Dijkstra search from the destination's accesses over the whole graph, then the
 * best of the start's accesses. The legs on and off the network are walked straight but weigh {@link OFF_ROAD_WEIGHT}
 * times their length in the choice (`distanceM` is the plain length of the path). The start joins the nearest road
 * however far when none is within `accessM`; the destination only within `maxAttachM` (else `no_road_nearby`).
 */
export function walkBetween(graph: WalkGraph, from: XY, to: XY, options: WalkOptions = {}): WalkPlan {
  const accessM = options.accessM ?? 150
  const maxAttachM = options.maxAttachM ?? DEFAULT_MAX_ATTACH_M
  const none = (reason: UnreachableReason): WalkPlan => ({ path: [], distanceM: 0, reason })
  const grid = new SegmentGrid(CELL_M)
  graph.edges.forEach((e, i) => grid.add(i, graph.nodes[e.a]!, graph.nodes[e.b]!))
  const ends = accesses(graph, grid, to, accessM, maxAttachM)
  if (ends.length === 0) return none('no_road_nearby')
  const starts = accesses(graph, grid, from, accessM, Infinity)
  if (starts.length === 0) return none('disconnected')

  // Distances to the destination from every node; `exit` is the access a node leaves the network by.
  const n = graph.nodes.length
  const distance = new Float64Array(n).fill(Infinity)
  const next = new Int32Array(n).fill(-1)
  const exit = new Int32Array(n).fill(-1)
  const heap = new MinHeap()
  ends.forEach((a, i) => {
    const e = graph.edges[a.edge]!
    for (const [node, along] of [[e.a, a.t * e.length], [e.b, (1 - a.t) * e.length]] as const) {
      const d = OFF_ROAD_WEIGHT * a.d + along
      if (d < distance[node]!) {
        distance[node] = d
        exit[node] = i
        heap.push(d, node)
      }
    }
  })
  const done = new Uint8Array(n)
  while (heap.size > 0) {
    const [d, u] = heap.pop()!
    if (done[u]) continue
    done[u] = 1
    for (const ei of graph.adjacency[u]!) {
      const e = graph.edges[ei]!
      const v = e.a === u ? e.b : e.a
      const nd = d + e.length
      if (nd < distance[v]!) {
        distance[v] = nd
        next[v] = u
        exit[v] = -1
        heap.push(nd, v)
      }
    }
  }

  // The best way on: through either end of an access's edge, or along that edge straight to an exit on it.
  let best = Infinity
  let bestPath: XY[] = []
  for (const s of starts) {
    const e = graph.edges[s.edge]!
    for (const [node, along] of [[e.a, s.t * e.length], [e.b, (1 - s.t) * e.length]] as const) {
      const cost = OFF_ROAD_WEIGHT * s.d + along + distance[node]!
      if (cost < best) {
        const path: XY[] = [from, s.at]
        let u = node
        for (;;) {
          path.push(graph.nodes[u]!)
          if (next[u] === -1) break
          u = next[u]!
        }
        path.push(ends[exit[u]!]!.at, to)
        best = cost
        bestPath = path
      }
    }
    for (const a of ends) {
      if (a.edge !== s.edge) continue
      const cost = OFF_ROAD_WEIGHT * (s.d + a.d) + Math.abs(s.t - a.t) * e.length
      if (cost < best) {
        best = cost
        bestPath = [from, s.at, a.at, to]
      }
    }
  }
  if (!Number.isFinite(best)) return none('disconnected')
  let length = 0
  for (let i = 1; i < bestPath.length; i++) length += dist(bestPath[i - 1]!, bestPath[i]!)
  return { path: bestPath, distanceM: length, reason: null }
}
