/**
 * A walking network built from road lines (metres): nodes where lines share a vertex (snapped
 * within a couple of metres, which also joins lines cut at tile edges), edges along the lines,
 * shortest paths by Dijkstra.
 */
import { distance, type XY } from './geo.ts'

interface Edge {
  to: number
  length: number
  /** What walking it costs when choosing routes (length times a dislike factor). */
  cost: number
  factor: number
}

/** A line of the network and how much walking along it is disliked (1 = not at all). */
export interface WeightedLine {
  line: readonly XY[]
  factor: number
}

/** An undirected graph of walkable lines. */
export class WalkGraph {
  /** Node positions. */
  readonly nodes: XY[] = []
  /** Adjacency lists. */
  readonly edges: Edge[][] = []
  private readonly grid = new Map<string, number[]>()

  /**
   * @param lines polylines in metres with their dislike factors
   * @param snap vertices closer than this (m) become one node
   */
  constructor(lines: readonly WeightedLine[], private readonly snap = 2) {
    for (const { line, factor } of lines) {
      let previous: number | null = null
      for (const point of line) {
        const node = this.nodeAt(point)
        if (previous !== null && previous !== node) this.connect(previous, node, factor)
        previous = node
      }
    }
  }

  /**
   * Join dead ends to the nearest node of another part of the network within `maxGap` metres
   * (unmapped links across a lawn or a gate), unless `blocked` says the way is not free.
   */
  bridgeDeadEnds(maxGap: number, blocked: (a: XY, b: XY) => boolean, factor = 2): number {
    let added = 0
    const component = this.components()
    for (let node = 0; node < this.nodes.length; node++) {
      if ((this.edges[node] as Edge[]).length !== 1) continue
      const p = this.nodes[node] as XY
      const best = this.nearestNode(p, (other) => component[other] !== component[node] && distance(this.nodes[other] as XY, p) <= maxGap)
      if (best < 0 || blocked(p, this.nodes[best] as XY)) continue
      this.connect(node, best, factor)
      added++
    }
    return added
  }

  private cellKey(x: number, y: number): string {
    return `${Math.floor(x / this.snap)},${Math.floor(y / this.snap)}`
  }

  private nodeAt(point: XY): number {
    const cx = Math.floor(point[0] / this.snap)
    const cy = Math.floor(point[1] / this.snap)
    let best = -1
    let bestDistance = this.snap
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const id of this.grid.get(`${cx + dx},${cy + dy}`) ?? []) {
          const d = distance(this.nodes[id] as XY, point)
          if (d <= bestDistance) {
            best = id
            bestDistance = d
          }
        }
      }
    }
    if (best >= 0) return best
    const id = this.nodes.length
    this.nodes.push([point[0], point[1]])
    this.edges.push([])
    const key = this.cellKey(point[0], point[1])
    const cell = this.grid.get(key)
    if (cell) cell.push(id)
    else this.grid.set(key, [id])
    return id
  }

  private connect(a: number, b: number, factor: number): void {
    const length = distance(this.nodes[a] as XY, this.nodes[b] as XY)
    const fromA = this.edges[a] as Edge[]
    if (fromA.some((e) => e.to === b)) return
    const cost = length * factor
    fromA.push({ to: b, length, cost, factor })
    ;(this.edges[b] as Edge[]).push({ to: a, length, cost, factor })
  }

  /** Whether a node lies on a line walked for its own sake (dislike factor 1). */
  isPreferred(node: number): boolean {
    return (this.edges[node] ?? []).some((e) => e.factor === 1)
  }

  /** A component label per node (connected parts of the network). */
  components(): number[] {
    const label = new Array<number>(this.nodes.length).fill(-1)
    let next = 0
    for (let start = 0; start < this.nodes.length; start++) {
      if (label[start] !== -1) continue
      const stack = [start]
      label[start] = next
      while (stack.length > 0) {
        const node = stack.pop() as number
        for (const edge of this.edges[node] as Edge[]) {
          if (label[edge.to] === -1) {
            label[edge.to] = next
            stack.push(edge.to)
          }
        }
      }
      next++
    }
    return label
  }

  /** The nearest node to p among those accepted by the filter, or -1. */
  nearestNode(p: XY, accept: (node: number) => boolean = () => true): number {
    let best = -1
    let bestDistance = Infinity
    for (let i = 0; i < this.nodes.length; i++) {
      if (!accept(i)) continue
      const d = distance(this.nodes[i] as XY, p)
      if (d < bestDistance) {
        best = i
        bestDistance = d
      }
    }
    return best
  }

  /** The cheapest path from a to b (by edge cost) as a list of nodes, or null when they are not connected. */
  shortestPath(a: number, b: number): number[] | null {
    if (a === b) return [a]
    const dist = new Float64Array(this.nodes.length).fill(Infinity)
    const prev = new Int32Array(this.nodes.length).fill(-1)
    const heap = new MinHeap()
    dist[a] = 0
    heap.push(0, a)
    while (heap.size > 0) {
      const [d, node] = heap.pop()
      if (node === b) break
      if (d > (dist[node] as number)) continue
      for (const edge of this.edges[node] as Edge[]) {
        const nd = d + edge.cost
        if (nd < (dist[edge.to] as number)) {
          dist[edge.to] = nd
          prev[edge.to] = node
          heap.push(nd, edge.to)
        }
      }
    }
    if (!Number.isFinite(dist[b] as number)) return null
    const path = [b]
    for (let node = prev[b] as number; node !== -1; node = prev[node] as number) path.push(node)
    return path.reverse()
  }
}

/** A binary min-heap of (priority, value) pairs. */
class MinHeap {
  private readonly keys: number[] = []
  private readonly values: number[] = []

  get size(): number {
    return this.keys.length
  }

  push(key: number, value: number): void {
    this.keys.push(key)
    this.values.push(value)
    let i = this.keys.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if ((this.keys[parent] as number) <= key) break
      this.swap(i, parent)
      i = parent
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.keys[0] as number, this.values[0] as number]
    const lastKey = this.keys.pop() as number
    const lastValue = this.values.pop() as number
    if (this.keys.length > 0) {
      this.keys[0] = lastKey
      this.values[0] = lastValue
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let smallest = i
        if (l < this.keys.length && (this.keys[l] as number) < (this.keys[smallest] as number)) smallest = l
        if (r < this.keys.length && (this.keys[r] as number) < (this.keys[smallest] as number)) smallest = r
        if (smallest === i) break
        this.swap(i, smallest)
        i = smallest
      }
    }
    return top
  }

  private swap(i: number, j: number): void {
    const k = this.keys[i] as number
    this.keys[i] = this.keys[j] as number
    this.keys[j] = k
    const v = this.values[i] as number
    this.values[i] = this.values[j] as number
    this.values[j] = v
  }
}
