import { describe, expect, test } from 'vitest'
import {
  confidenceOf,
  erfc,
  getisOrdGiStar,
  hexCellOf,
  hexCentre,
  neighbourDistance,
  neighbours,
  normalCdf,
  smallNumbersNote,
  SQRT3,
  twoSidedP,
  type GiCell,
} from '../server/domain/gistar.ts'

const EDGE = 100

/**
 * Seven hexagons: a centre and its ring, the ring numbered counter-clockwise from the upper right
 * (30°, 90°, …, 330°), each ring cell √3 × edge from the centre and from its two ring neighbours.
 */
function flower(counts: [number, number, number, number, number, number, number]): GiCell[] {
  const [centre, ...ring] = counts
  return [
    { x: 0, y: 0, count: centre },
    ...ring.map((count, k) => {
      const angle = ((30 + 60 * k) * Math.PI) / 180
      return { x: SQRT3 * EDGE * Math.cos(angle), y: SQRT3 * EDGE * Math.sin(angle), count }
    }),
  ]
}

describe('the complementary error function (W. J. Cody)', () => {
  // Reference values to 16 digits (e.g. from mpmath: erfc(mpf(x))).
  test.each([
    [0.1, 0.8875370839817152],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028513],
    [2, 0.004677734981047266],
    [5, 1.537459794428035e-12],
    [10, 2.088487583762545e-45],
    [-1, 1.842700792949715],
  ])('erfc(%f) = %e to 14 significant digits', (x, expected) => {
    expect(Math.abs(erfc(x) - expected) / expected).toBeLessThan(1e-14)
  })

  test('erfc(0) is 1 and erfc of a huge argument is 0', () => {
    expect(erfc(0)).toBe(1)
    expect(erfc(30)).toBe(0)
  })

  test('Φ is symmetric around 0', () => {
    expect(normalCdf(0)).toBe(0.5)
    expect(normalCdf(1.3) + normalCdf(-1.3)).toBeCloseTo(1, 15)
  })
})

describe('two-sided p-values at the confidence thresholds', () => {
  test.each([
    [1.645, 0.1, 0.0999698],
    [1.96, 0.05, 0.0499958],
    [2.576, 0.01, 0.0099951],
  ])('z = %f gives p ≈ %f', (z, rounded, precise) => {
    expect(twoSidedP(z)).toBeCloseTo(rounded, 3)
    expect(twoSidedP(z)).toBeCloseTo(precise, 7)
    expect(twoSidedP(-z)).toBe(twoSidedP(z))
  })
})

describe('confidence bins', () => {
  test.each([
    [2.6, 3],
    [2.0, 2],
    [1.7, 1],
    [1.6, 0],
    [0, 0],
    [-1.7, -1],
    [-2.0, -2],
    [-3.1, -3],
  ])('z = %f is bin %i', (z, bin) => {
    expect(confidenceOf(z, twoSidedP(z))).toBe(bin)
  })

  test('an undefined z is bin 0', () => {
    expect(confidenceOf(null, null)).toBe(0)
  })
})

describe('neighbours', () => {
  test('lie within 1.01 × √3 × edge: the cell itself and the 6 adjacent hexagons', () => {
    expect(neighbourDistance(EDGE)).toBeCloseTo(1.01 * Math.sqrt(3) * EDGE, 9)
    const cells = []
    for (let i = -3; i <= 3; i++) for (let j = -3; j <= 3; j++) cells.push(hexCentre(i, j, EDGE))
    const near = neighbours(cells, neighbourDistance(EDGE))
    const centre = cells.findIndex((c) => c.x === 0 && c.y === 0)
    expect(near[centre]!.length).toBe(7)
    expect(near[centre]).toContain(centre)
    // The second ring (3 × edge or 2√3 × edge away) is out.
    for (const j of near[centre]!) expect(Math.hypot(cells[j]!.x, cells[j]!.y)).toBeLessThan(1.01 * SQRT3 * EDGE)
  })
})

describe('Getis-Ord Gi* by hand on seven hexagons', () => {
  // Counts: centre 10, ring (30°, 90°, 150°, 210°, 270°, 330°) = 6, 4, 0, 0, 0, 2.
  // n = 7, Σx = 22, X̄ = 22/7, Σx² = 100 + 36 + 16 + 4 = 156,
  // S = √(156/7 − (22/7)²) = √(1092/49 − 484/49) = √608 / 7.
  // A ring cell has 4 neighbours (itself, the centre, its two ring neighbours): Σw = Σw² = 4,
  //   √[(n Σw² − (Σw)²)/(n − 1)] = √[(28 − 16)/6] = √2, so the denominator is √608/7 · √2 = √1216/7
  //   and the numerator Σ w x − X̄ · 4 = local − 88/7.
  // The centre neighbours all 7 cells: n Σw² − (Σw)² = 49 − 49 = 0, so its Gi* is undefined.
  const cells = flower([10, 6, 4, 0, 0, 0, 2])
  const result = getisOrdGiStar(cells, EDGE)
  const z = (local: number) => (local - 88 / 7) / (Math.sqrt(1216) / 7)

  test('the centre, whose neighbourhood is every cell, has no z', () => {
    expect(result[0]).toEqual({ z: null, p: null, confidence: 0 })
  })

  test.each([
    // ring cell, local sum = own + centre + two ring neighbours
    [1, 6 + 10 + 4 + 2, 66 / Math.sqrt(1216)], // 1.8927 → p 0.058 → 90 % hot
    [2, 4 + 10 + 6 + 0, 52 / Math.sqrt(1216)], // 1.4912
    [3, 0 + 10 + 4 + 0, 10 / Math.sqrt(1216)], // 0.2868
    [4, 0 + 10 + 0 + 0, -18 / Math.sqrt(1216)], // −0.5162
    [5, 0 + 10 + 0 + 2, -4 / Math.sqrt(1216)], // −0.1147
    [6, 2 + 10 + 0 + 6, 38 / Math.sqrt(1216)], // 1.0897
  ])('ring cell %i: local sum %i gives z = %f', (k, local, expected) => {
    expect(z(local)).toBeCloseTo(expected, 12)
    expect(result[k]!.z).toBeCloseTo(expected, 12)
    expect(result[k]!.p).toBeCloseTo(erfc(Math.abs(expected) / Math.SQRT2), 12)
  })

  test('only the cell at z = 1.89 is significant (hot, 90 %)', () => {
    expect(result.map((r) => r.confidence)).toEqual([0, 1, 0, 0, 0, 0, 0])
  })

  test('the order of the cells does not matter', () => {
    const reversed = getisOrdGiStar([...cells].reverse(), EDGE).reverse()
    reversed.forEach((r, k) => {
      if (r.z === null) expect(result[k]!.z).toBeNull()
      else expect(r.z).toBeCloseTo(result[k]!.z!, 12)
    })
  })
})

describe('Getis-Ord Gi* when undefined', () => {
  test('equal counts everywhere (S = 0) give no z anywhere', () => {
    expect(getisOrdGiStar(flower([3, 3, 3, 3, 3, 3, 3]), EDGE).every((r) => r.z === null && r.confidence === 0)).toBe(true)
  })

  test('a single cell gives no z', () => {
    expect(getisOrdGiStar([{ x: 0, y: 0, count: 5 }], EDGE)).toEqual([{ z: null, p: null, confidence: 0 }])
  })
})

describe('the hexagon grid of ST_HexagonGrid', () => {
  test('odd columns sit half a row higher', () => {
    expect(hexCentre(0, 0, 10)).toEqual({ x: 0, y: 0 })
    expect(hexCentre(1, 0, 10).x).toBe(15)
    expect(hexCentre(1, 0, 10).y).toBeCloseTo(8.660254, 6)
    expect(hexCentre(-1, 0, 10).y).toBeCloseTo(8.660254, 6)
  })

  test('a point goes to the hexagon whose centre is nearest', () => {
    for (let k = 0; k < 500; k++) {
      const x = ((k * 7919) % 1000) - 500 + 0.37
      const y = ((k * 104729) % 1000) - 500 + 0.11
      const { i, j } = hexCellOf(x, y, 10)
      const own = hexCentre(i, j, 10)
      const d = Math.hypot(x - own.x, y - own.y)
      for (let di = -2; di <= 2; di++) {
        for (let dj = -2; dj <= 2; dj++) {
          const c = hexCentre(i + di, j + dj, 10)
          expect(Math.hypot(x - c.x, y - c.y)).toBeGreaterThanOrEqual(d - 1e-9)
        }
      }
    }
  })

  test('a hexagon centre is in its own hexagon', () => {
    expect(hexCellOf(hexCentre(4, -7, 25).x, hexCentre(4, -7, 25).y, 25)).toEqual({ i: 4, j: -7 })
  })
})

describe('the small-numbers rule', () => {
  test('fewer than 30 hazards: counts only', () => {
    expect(smallNumbersNote(29, 20)?.code).toBe('too_few_hazards')
  })

  test('fewer than 5 non-empty cells: counts only', () => {
    expect(smallNumbersNote(100, 4)?.code).toBe('too_few_cells')
  })

  test('30 hazards in 5 cells are enough', () => {
    expect(smallNumbersNote(30, 5)).toBeNull()
  })

  test('the note is in Chinese and English', () => {
    const note = smallNumbersNote(3, 1)!
    expect(note.zh).toMatch(/[\u4e00-\u9fff]/)
    expect(note.en).toContain('3 hazards')
  })
})
