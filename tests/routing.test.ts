import { describe, expect, test } from 'vitest'
import {
  attachPoints,
  buildWalkGraph,
  components,
  dijkstra,
  improveOrder,
  MinHeap,
  nearestNeighbourOrder,
  pathLength,
  planRoute,
  type RoadLine,
  type RouteTarget,
  type WalkGraph,
  type XY,
  walkBetween,
} from '../server/domain/routing.ts'

/** The node nearest a point (the tests' way of naming nodes by position). */
function nodeNear(g: WalkGraph, p: XY): number {
  let best = -1
  let bestD = Infinity
  g.nodes.forEach((n, i) => {
    const d = Math.hypot(n[0] - p[0], n[1] - p[1])
    if (d < bestD) [best, bestD] = [i, d]
  })
  return best
}

function shortest(g: WalkGraph, a: XY, b: XY): number {
  return dijkstra(g, nodeNear(g, a))!.distance[nodeNear(g, b)]!
}

const target = (id: number, point: XY): RouteTarget => ({ kind: 'building', id, label: `B${id}`, point })

/** A 4 × 4 grid of streets 100 m apart (0..300 m each way), each street one line. */
const GRID: RoadLine[] = [0, 100, 200, 300].flatMap((c) => [
  { line: [[0, c], [300, c]] as XY[] },
  { line: [[c, 0], [c, 300]] as XY[] },
])

/** A deterministic pseudo-random sequence (tests need no Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0
    return s / 2 ** 32
  }
}

describe('walking graph', () => {
  test('lines that share a vertex meet at one node and distances add up exactly', () => {
    const g = buildWalkGraph([
      { line: [[0, 0], [30, 0], [30, 40]] },
      { line: [[30, 40], [100, 40]] },
    ])
    expect(g.nodes).toHaveLength(4)
    expect(shortest(g, [0, 0], [100, 40])).toBeCloseTo(30 + 40 + 70, 9)
  })

  test('crossing lines are split at the crossing', () => {
    const g = buildWalkGraph([{ line: [[0, 50], [100, 50]] }, { line: [[50, 0], [50, 100]] }])
    expect(g.nodes).toHaveLength(5)
    expect(shortest(g, [0, 50], [50, 0])).toBeCloseTo(100, 9)
  })

  test('a line ending 2 m short of another joins it; 10 m short does not', () => {
    const near = buildWalkGraph([{ line: [[0, 0], [100, 0]] }, { line: [[40, 2], [40, 80]] }])
    expect(new Set(components(near)).size).toBe(1)
    expect(shortest(near, [0, 0], [40, 80])).toBeCloseTo(40 + 78, 9)
    const far = buildWalkGraph([{ line: [[0, 0], [100, 0]] }, { line: [[40, 10], [40, 80]] }])
    expect(new Set(components(far)).size).toBe(2)
  })

  test('vertices within the snap distance become one node (lines cut at a tile edge)', () => {
    const g = buildWalkGraph([{ line: [[0, 0], [50, 0]] }, { line: [[51.5, 0.5], [120, 0]] }])
    expect(new Set(components(g)).size).toBe(1)
  })

  test('the grid gives exact Manhattan distances', () => {
    const g = buildWalkGraph(GRID)
    expect(g.nodes).toHaveLength(16)
    expect(shortest(g, [0, 0], [300, 300])).toBeCloseTo(600, 9)
    expect(shortest(g, [100, 200], [300, 0])).toBeCloseTo(400, 9)
  })

  test('an empty network has no nodes and no edges', () => {
    expect(buildWalkGraph([])).toEqual({ nodes: [], edges: [], adjacency: [] })
    expect(buildWalkGraph([{ line: [[5, 5]] }]).edges).toHaveLength(0)
  })

  test('a point attached to an edge splits it at the foot of the perpendicular', () => {
    const g = buildWalkGraph([{ line: [[0, 0], [100, 0]] }])
    const { graph, nodes } = attachPoints(g, [[30, 20], [70, -500]], 250)
    expect(nodes[1]).toBe(-1)
    expect(graph.nodes[nodes[0]!]).toEqual([30, 0])
    expect(dijkstra(graph, nodes[0]!).distance[nodeNear(graph, [100, 0])]).toBeCloseTo(70, 9)
  })
})

describe('binary heap', () => {
  test('pops keys in ascending order', () => {
    const heap = new MinHeap()
    const rnd = lcg(7)
    const keys = Array.from({ length: 500 }, () => rnd())
    keys.forEach((k, i) => heap.push(k, i))
    const out: number[] = []
    while (heap.size > 0) out.push(heap.pop()![0])
    expect(out).toEqual([...keys].sort((a, b) => a - b))
  })
})

describe('ordering', () => {
  /** A Euclidean matrix over points (index 0 = start). */
  function matrixOf(points: XY[]): Float64Array {
    const n = points.length
    const m = new Float64Array(n * n)
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) m[a * n + b] = Math.hypot(points[a]![0] - points[b]![0], points[a]![1] - points[b]![1])
    return m
  }

  test('nearest neighbour goes to the nearest unvisited stop each time', () => {
    const m = matrixOf([[0, 0], [10, 0], [3, 0], [20, 0]])
    expect(nearestNeighbourOrder(m, 4)).toEqual([2, 1, 3])
  })

  test('2-opt and Or-opt are never longer than nearest neighbour (200 random instances)', () => {
    const rnd = lcg(42)
    let strictlyBetter = 0
    for (let k = 0; k < 200; k++) {
      const pts: XY[] = Array.from({ length: 3 + Math.floor(rnd() * 30) }, () => [rnd() * 1000, rnd() * 1000])
      const m = matrixOf(pts)
      const nn = nearestNeighbourOrder(m, pts.length)
      const { order } = improveOrder(m, pts.length, nn)
      expect([...order].sort((a, b) => a - b)).toEqual([...nn].sort((a, b) => a - b))
      const before = pathLength(m, pts.length, nn)
      const after = pathLength(m, pts.length, order)
      expect(after).toBeLessThanOrEqual(before + 1e-9)
      if (after < before - 1e-6) strictlyBetter++
    }
    expect(strictlyBetter).toBeGreaterThan(50)
  })

  test('the improvement fixes a nearest-neighbour trap on a line', () => {
    // From 0, NN goes right to 1, then 2, back left to -3 (5 m), then on to 10 (13 m): 20 m; left first is 3 + 13 = 16 m.
    const m = matrixOf([[0, 0], [1, 0], [2, 0], [-3, 0], [10, 0]])
    const nn = nearestNeighbourOrder(m, 5)
    expect(pathLength(m, 5, nn)).toBeCloseTo(20, 9)
    expect(pathLength(m, 5, improveOrder(m, 5, nn).order)).toBeCloseTo(16, 9)
  })

  test('a spent time budget stops the improvement and says so', () => {
    const rnd = lcg(3)
    const pts: XY[] = Array.from({ length: 120 }, () => [rnd() * 1000, rnd() * 1000])
    const m = matrixOf(pts)
    let t = 0
    const result = improveOrder(m, pts.length, nearestNeighbourOrder(m, pts.length), 10, () => (t += 1))
    expect(result.exhausted).toBe(true)
    expect(result.order).toHaveLength(119)
  })
})

describe('planRoute', () => {
  const grid = buildWalkGraph(GRID)

  test('visits every target along the roads with exact leg lengths', () => {
    const plan = planRoute(grid, [target(1, [100, 105]), target(2, [300, 300]), target(3, [5, 200])], [0, 0])
    expect(plan.unreachable).toEqual([])
    expect(plan.stops.map((s) => s.id).sort()).toEqual([1, 2, 3])
    // Stops sit on the roads: (100,105) on x = 100, (5,200) on y = 200.
    const at = Object.fromEntries(plan.stops.map((s) => [s.id, s.at]))
    expect(at[1]).toEqual([100, 105])
    expect(at[3]).toEqual([5, 200])
    expect(plan.stops.reduce((s, x) => s + x.legM, 0)).toBeCloseTo(plan.distanceM, 9)
    // Best open routes (two tie): (0,0) → (5,200) 205 → (100,105) 190 → (300,300) 395 = 790, or 1, 3, 2 also 790.
    expect(plan.distanceM).toBeCloseTo(790, 6)
    expect(plan.stops.at(-1)!.id).toBe(2)
    expect(plan.distanceM).toBeLessThanOrEqual(plan.nearestNeighbourM + 1e-9)
  })

  test('the path is a connected walk along the edges from the start to the last stop', () => {
    const plan = planRoute(grid, [target(1, [200, 150]), target(2, [0, 300])], [300, 0])
    expect(plan.path[0]).toEqual([300, 0])
    let walked = 0
    for (let i = 1; i < plan.path.length; i++) {
      const [a, b] = [plan.path[i - 1]!, plan.path[i]!]
      // Every step runs along a street of the grid (x or y constant, on a multiple of 100).
      expect(a[0] === b[0] ? a[0] % 100 : a[1] === b[1] ? a[1] % 100 : -1).toBe(0)
      walked += Math.hypot(a[0] - b[0], a[1] - b[1])
    }
    expect(walked).toBeCloseTo(plan.distanceM, 6)
    expect(plan.path.at(-1)).toEqual(plan.stops.at(-1)!.at)
  })

  test('targets on a part of the network the start cannot reach, or far from every road, are reported', () => {
    const g = buildWalkGraph([...GRID, { line: [[1000, 0], [1100, 0]] }])
    const plan = planRoute(g, [target(1, [100, 50]), target(2, [1050, 5]), target(3, [600, 600])], [0, 0])
    expect(plan.stops.map((s) => s.id)).toEqual([1])
    expect(plan.unreachable).toEqual([
      { kind: 'building', id: 2, label: 'B2', reason: 'disconnected' },
      { kind: 'building', id: 3, label: 'B3', reason: 'no_road_nearby' },
    ])
  })

  test('no targets: an empty route from the start', () => {
    const plan = planRoute(grid, [], [10, 10])
    expect(plan.stops).toEqual([])
    expect(plan.path).toEqual([])
    expect(plan.distanceM).toBe(0)
    expect(plan.start).toEqual([10, 0])
  })

  test('no roads: every target is unreachable', () => {
    const plan = planRoute(buildWalkGraph([]), [target(1, [0, 0])], [0, 0])
    expect(plan.stops).toEqual([])
    expect(plan.unreachable).toEqual([{ kind: 'building', id: 1, label: 'B1', reason: 'no_road_nearby' }])
  })

  test('one target: one leg of the shortest distance', () => {
    const plan = planRoute(grid, [target(7, [300, 250])], [0, 0])
    expect(plan.stops).toHaveLength(1)
    expect(plan.stops[0]).toMatchObject({ id: 7, order: 1 })
    expect(plan.distanceM).toBeCloseTo(550, 9)
  })

  test('without a start, the route starts among the targets of the largest connected part', () => {
    const g = buildWalkGraph([...GRID, { line: [[1000, 0], [1100, 0]] }])
    const plan = planRoute(g, [target(1, [0, 50]), target(2, [300, 250]), target(3, [1050, 0])], null)
    expect(plan.stops.map((s) => s.id).sort()).toEqual([1, 2])
    expect(plan.unreachable.map((u) => u.id)).toEqual([3])
    // Starts at one of the two (both as near the middle), walks 300 + 200 m to the other.
    expect(plan.distanceM).toBeCloseTo(500, 6)
  })

  test('two targets at the same road point are both stops, the second 0 m after the first', () => {
    const plan = planRoute(grid, [target(1, [50, 10]), target(2, [50, -10])], [0, 0])
    expect(plan.stops.map((s) => s.legM)).toEqual([50, 0])
  })
})

describe('walkBetween (directions to one place)', () => {
  /** A U-shaped road whose ends are nearest both points, and a straight road a little farther from both. */
  const roads: RoadLine[] = [
    { line: [[0, 0], [0, -300], [100, -300], [100, 0]] },
    { line: [[0, 40], [100, 40]] },
  ]
  const from: XY = [0, 10]
  const to: XY = [100, 10]

  test('takes the road a little farther off when the nearest one leads the long way round', () => {
    const plan = walkBetween(buildWalkGraph(roads), from, to)
    expect(plan.reason).toBeNull()
    expect(plan.distanceM).toBeCloseTo(30 + 100 + 30, 6)
    expect(plan.path[0]).toEqual(from)
    expect(plan.path.at(-1)).toEqual(to)
    expect(plan.path.slice(1, -1).every((p) => p[1] === 40)).toBe(true)
    // Joined only to its nearest road, the round would walk the U: 10 + 300 + 100 + 300 + 10.
    expect(walkBetween(buildWalkGraph(roads), from, to, { accessM: 20 }).distanceM).toBeCloseTo(720, 6)
  })

  test('two points beside one road walk along it between their feet', () => {
    const plan = walkBetween(buildWalkGraph([{ line: [[0, 0], [200, 0]] }]), [20, 5], [150, -8])
    expect(plan.distanceM).toBeCloseTo(5 + 130 + 8, 6)
    expect(plan.path).toEqual([[20, 5], [20, 0], [150, 0], [150, -8]])
  })

  test('a destination farther than maxAttachM from every road has no way, and a start cut off from it neither', () => {
    expect(walkBetween(buildWalkGraph(roads), from, [1000, 1000]).reason).toBe('no_road_nearby')
    const apart = buildWalkGraph([{ line: [[0, 0], [100, 0]] }, { line: [[0, 500], [100, 500]] }])
    expect(walkBetween(apart, [50, 5], [50, 495], { accessM: 20 }).reason).toBe('disconnected')
  })
})
