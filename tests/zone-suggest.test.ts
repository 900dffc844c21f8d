import { expect, test } from 'vitest'
import { balanceOf, groupBuildings, type SuggestItem } from '../server/domain/zone-suggest.ts'

/** A 10 × 7 grid of buildings 50 m apart with uneven households. */
const grid: SuggestItem[] = Array.from({ length: 70 }, (_, i) => ({ id: i + 1, x: (i % 10) * 50, y: Math.floor(i / 10) * 50, households: 20 + ((i * 37) % 60) }))

test('any n, power of two or not, gives n non-empty groups', () => {
  for (const n of [1, 2, 3, 5, 7, 8, 10]) {
    const labels = groupBuildings(grid, n)
    expect(new Set(labels).size).toBe(n)
  }
})

test('households are balanced within ±15 % of the mean', () => {
  for (const n of [3, 6, 9]) {
    const b = balanceOf(grid, groupBuildings(grid, n), n)
    expect(b.withinTolerance).toBe(true)
    expect(b.minRatio).toBeGreaterThanOrEqual(0.85)
    expect(b.maxRatio).toBeLessThanOrEqual(1.15)
  }
})

test('without household data the buildings are balanced by count', () => {
  const bare = grid.map((b) => ({ ...b, households: 0 }))
  const b = balanceOf(bare, groupBuildings(bare, 7), 7)
  expect(b.by).toBe('buildings')
  expect(b.max - b.min).toBeLessThanOrEqual(1)
})
