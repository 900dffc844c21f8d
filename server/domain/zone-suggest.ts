/**
 * Suggested zones (建议网格): split a community's buildings into `n` groups of about equal households,
 * each group compact and none cutting a building (buildings are whole items). The polygons around the
 * groups are made in PostGIS (server/queries/zones.ts); this is the grouping.
 *
 * 1. Recursive bisection (k-d style): split the buildings along the longer axis of their extent at the
 *    household-weighted quantile n₁/n, where n₁ = ⌊n/2⌋ (so any n works, not only powers of two), and
 *    recurse with n₁ and n − n₁ groups.
 * 2. Balancing: single large buildings make the cuts lumpy, so then move buildings on the border of two
 *    groups (a building whose near neighbour is in the other group) while that lowers the spread of the
 *    group totals, never emptying a group.
 */
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'

/** A building to group: UTM centroid and households. */
export interface SuggestItem {
  id: number
  x: number
  y: number
  households: number
}

/** How far the group totals are from the mean. */
export type Balance = z.infer<typeof Schemas.SuggestBalance>

/** The tolerance the suggestion aims for: every zone within ±15 % of the mean households. */
export const BALANCE_TOLERANCE = 0.15

/** Neighbours per building considered for border moves. */
const NEIGHBOURS = 8
/** Most balancing moves (each strictly improves, so this only bounds the time). */
const MAX_MOVES = 5000

/**
 * Group `items` into `n` groups; returns the group index (0..n−1) of each item, in input order.
 * Groups are ordered north-west first (by the bisection order). n is clamped to 1..items.length.
 */
export function groupBuildings(items: readonly SuggestItem[], n: number): number[] {
  const count = Math.max(1, Math.min(n, items.length))
  const useHouseholds = items.some((b) => b.households > 0)
  const weight = (b: SuggestItem): number => (useHouseholds ? b.households : 1)
  const labels = new Array<number>(items.length).fill(0)
  let next = 0

  const bisect = (idx: number[], k: number): void => {
    if (k <= 1 || idx.length <= 1) {
      const label = next++
      for (const i of idx) labels[i] = label
      // Unused labels (fewer items than groups) are impossible: count ≤ items.length and every split keeps ≥ 1 per side.
      return
    }
    const xs = idx.map((i) => items[i]!.x)
    const ys = idx.map((i) => items[i]!.y)
    const alongX = Math.max(...xs) - Math.min(...xs) >= Math.max(...ys) - Math.min(...ys)
    // Longer axis first; the other axis north-first (descending y) or west-first breaks ties.
    const sorted = [...idx].sort((a, b) => {
      const A = items[a]!
      const B = items[b]!
      return alongX ? A.x - B.x || B.y - A.y || A.id - B.id : B.y - A.y || A.x - B.x || A.id - B.id
    })
    const k1 = Math.floor(k / 2)
    const total = sorted.reduce((s, i) => s + weight(items[i]!), 0)
    const target = (total * k1) / k
    // Cut after position `cut` (1..len−1), keeping at least k1 items left and k−k1 right.
    let best = k1
    let bestErr = Number.POSITIVE_INFINITY
    let acc = 0
    for (let p = 1; p < sorted.length; p++) {
      acc += weight(items[sorted[p - 1]!]!)
      if (p < k1 || sorted.length - p < k - k1) continue
      const err = Math.abs(acc - target)
      if (err < bestErr) {
        bestErr = err
        best = p
      }
    }
    bisect(sorted.slice(0, best), k1)
    bisect(sorted.slice(best), k - k1)
  }
  bisect(
    items.map((_, i) => i),
    count,
  )
  rebalance(items, labels, count, weight)
  return labels
}

function rebalance(items: readonly SuggestItem[], labels: number[], k: number, weight: (b: SuggestItem) => number): void {
  if (k <= 1) return
  const neighbours = items.map((a, i) =>
    items
      .map((b, j) => ({ j, d: (a.x - b.x) ** 2 + (a.y - b.y) ** 2 }))
      .filter((e) => e.j !== i)
      .sort((p, q) => p.d - q.d)
      .slice(0, NEIGHBOURS)
      .map((e) => e.j),
  )
  const sums = new Array<number>(k).fill(0)
  const sizes = new Array<number>(k).fill(0)
  items.forEach((b, i) => {
    sums[labels[i]!]! += weight(b)
    sizes[labels[i]!]!++
  })
  const mean = sums.reduce((s, v) => s + v, 0) / k
  for (let move = 0; move < MAX_MOVES; move++) {
    let bestGain = 1e-9
    let bestItem = -1
    let bestTo = -1
    for (let i = 0; i < items.length; i++) {
      const w = weight(items[i]!)
      if (w === 0) continue
      const from = labels[i]!
      if (sizes[from]! <= 1) continue
      const tried = new Set<number>()
      for (const j of neighbours[i]!) {
        const to = labels[j]!
        if (to === from || tried.has(to)) continue
        tried.add(to)
        const before = (sums[from]! - mean) ** 2 + (sums[to]! - mean) ** 2
        const after = (sums[from]! - w - mean) ** 2 + (sums[to]! + w - mean) ** 2
        const gain = before - after
        if (gain > bestGain) {
          bestGain = gain
          bestItem = i
          bestTo = to
        }
      }
    }
    if (bestItem < 0) break
    const from = labels[bestItem]!
    const w = weight(items[bestItem]!)
    sums[from]! -= w
    sizes[from]!--
    sums[bestTo]! += w
    sizes[bestTo]!++
    labels[bestItem] = bestTo
  }
}

/** The balance of group totals: min and max against the mean. */
export function balanceOf(items: readonly SuggestItem[], labels: readonly number[], k: number, tolerance = BALANCE_TOLERANCE): Balance {
  const useHouseholds = items.some((b) => b.households > 0)
  const sums = new Array<number>(k).fill(0)
  items.forEach((b, i) => {
    sums[labels[i]!]! += useHouseholds ? b.households : 1
  })
  const mean = sums.reduce((s, v) => s + v, 0) / Math.max(1, k)
  const min = Math.min(...sums)
  const max = Math.max(...sums)
  const ratio = (v: number): number => (mean > 0 ? Math.round((v / mean) * 1000) / 1000 : 1)
  return {
    by: useHouseholds ? 'households' : 'buildings',
    mean: Math.round(mean * 10) / 10,
    min,
    max,
    minRatio: ratio(min),
    maxRatio: ratio(max),
    withinTolerance: mean > 0 && min >= mean * (1 - tolerance) && max <= mean * (1 + tolerance),
    tolerance,
  }
}
