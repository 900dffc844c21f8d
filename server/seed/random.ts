/**
 * A small seeded pseudo-random number generator (mulberry32) and the helpers the demo seed needs.
 * The same seed always yields the same sequence, so the demo community is reproducible.
 */

/** Hash a string into a 32-bit seed (FNV-1a). */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** A deterministic random source: mulberry32 plus convenience draws. */
export class Random {
  private state: number
  private readonly seed: number
  private spare: number | null = null

  /** @param seed a 32-bit integer or a string (hashed with {@link hashSeed}). */
  constructor(seed: number | string) {
    this.seed = (typeof seed === 'string' ? hashSeed(seed) : seed) >>> 0
    this.state = this.seed
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** A float in [min, max). */
  float(min: number, max: number): number {
    return min + (max - min) * this.next()
  }

  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p
  }

  /** A standard normal draw (Box–Muller), times sigma. */
  gaussian(sigma = 1): number {
    if (this.spare !== null) {
      const value = this.spare
      this.spare = null
      return value * sigma
    }
    let u = 0
    while (u === 0) u = this.next()
    const v = this.next()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spare = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v) * sigma
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty array')
    return items[Math.floor(this.next() * items.length)] as T
  }

  /** One element, chosen with probability proportional to its weight. */
  weighted<T>(items: readonly T[], weight: (item: T) => number): T {
    if (items.length === 0) throw new Error('weighted pick from an empty array')
    let total = 0
    for (const item of items) total += Math.max(0, weight(item))
    let r = this.next() * total
    for (const item of items) {
      r -= Math.max(0, weight(item))
      if (r < 0) return item
    }
    return items[items.length - 1] as T
  }

  /** A key of a weight table, chosen with probability proportional to its value. */
  weightedKey<K extends string>(table: Readonly<Record<K, number>>): K {
    const keys = Object.keys(table) as K[]
    return this.weighted(keys, (k) => table[k])
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = items.slice()
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1))
      const a = copy[i] as T
      copy[i] = copy[j] as T
      copy[j] = a
    }
    return copy
  }

  /** n distinct elements (or all of them when there are fewer). */
  sample<T>(items: readonly T[], n: number): T[] {
    return this.shuffle(items).slice(0, Math.max(0, n))
  }

  /** A Poisson draw with mean lambda (Knuth; fine for small means). */
  poisson(lambda: number): number {
    const limit = Math.exp(-lambda)
    let k = 0
    let p = this.next()
    while (p > limit) {
      k++
      p *= this.next()
    }
    return k
  }

  /**
   * A child generator with its own stream, derived from this generator's seed and the label only
   * (not from how many draws were made), so adding draws in one part leaves the others alone.
   */
  fork(label: string): Random {
    return new Random((hashSeed(label) ^ Math.imul(this.seed, 0x9e3779b1)) >>> 0)
  }
}
