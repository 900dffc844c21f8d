/** Batches of work sized by weight: how heavy analysis is cut into short statements (issue 18.4). */

/** Split `items` into consecutive batches whose summed weight stays within `budget` (a heavier item alone). */
export function batchesByWeight<T>(items: readonly T[], weight: (item: T) => number, budget: number): T[][] {
  const batches: T[][] = []
  let current: T[] = []
  let sum = 0
  for (const item of items) {
    const w = weight(item)
    if (current.length && sum + w > budget) {
      batches.push(current)
      current = []
      sum = 0
    }
    current.push(item)
    sum += w
  }
  if (current.length) batches.push(current)
  return batches
}
