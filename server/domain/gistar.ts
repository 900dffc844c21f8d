/**
 * Hot-spot statistics (热点分析): the Getis-Ord Gi* statistic on counts per hexagon cell, its
 * two-sided p-value from the normal distribution, the ArcGIS-style confidence bin, the flat-topped
 * hexagon grid of `ST_HexagonGrid`, and the small-numbers rule that keeps the map from calling noise
 * a hot spot.
 *
 * Pure functions only: no database, no HTTP.
 */

/** √3, the ratio of a flat-topped hexagon's centre spacing to its edge. */
export const SQRT3 = Math.sqrt(3)

/** Neighbours are the cells whose centres lie within this factor × the centre spacing (√3 × edge). */
export const NEIGHBOUR_TOLERANCE = 1.01

/** Fewest hazards in the window for a hot-spot answer with z-scores. */
export const MIN_HAZARDS = 30
/** Fewest non-empty cells for a hot-spot answer with z-scores. */
export const MIN_NONEMPTY_CELLS = 5

/** Confidence bin: 3/2/1 hot at 99/95/90 %, -3/-2/-1 cold, 0 not significant. */
export type Confidence = -3 | -2 | -1 | 0 | 1 | 2 | 3

/** A cell: its centre in metres (any metric projection) and its count. */
export interface GiCell {
  x: number
  y: number
  count: number
}

/** The Gi* of one cell. `z` and `p` are null where the statistic is undefined. */
export interface GiResult {
  z: number | null
  p: number | null
  confidence: Confidence
}

/** Distance (m) within which two cell centres are neighbours: 1.01 × √3 × edge. */
export function neighbourDistance(edge: number): number {
  return NEIGHBOUR_TOLERANCE * SQRT3 * edge
}

/**
 * For each cell, the indices of its neighbours (itself included): the cells whose centres lie within
 * `distance`. A bucket grid of `distance`-sized squares keeps it linear in the number of cells.
 */
export function neighbours(cells: readonly Pick<GiCell, 'x' | 'y'>[], distance: number): number[][] {
  const buckets = new Map<string, number[]>()
  const key = (bx: number, by: number): string => `${bx},${by}`
  cells.forEach((c, i) => {
    const k = key(Math.floor(c.x / distance), Math.floor(c.y / distance))
    const list = buckets.get(k)
    if (list) list.push(i)
    else buckets.set(k, [i])
  })
  const d2 = distance * distance
  return cells.map((c) => {
    const bx = Math.floor(c.x / distance)
    const by = Math.floor(c.y / distance)
    const found: number[] = []
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const j of buckets.get(key(bx + dx, by + dy)) ?? []) {
          const o = cells[j]!
          if ((o.x - c.x) ** 2 + (o.y - c.y) ** 2 <= d2) found.push(j)
        }
      }
    }
    return found.sort((a, b) => a - b)
  })
}

// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969)
// 631–638, as in his CALERF (netlib specfun): relative error below 1e-16 over the whole range.
const A = [3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315]
const B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171]
const C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769, 1712.0476126340707,
  2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
]
const D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597, 4362.619090143247,
  3439.3676741437216, 1230.3393548037495,
]
const P = [0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 0.0006587491615298378, 0.016315387137302097]
const Q = [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918]
const SQRPI = 0.5641895835477563 // 1/√π
const THRESH = 0.46875
const XBIG = 26.543

/** exp(-y²) computed without losing the low digits of y² (Cody's split of y into a 1/16 grid and the rest). */
function expMinusSquare(y: number): number {
  const ysq = Math.trunc(y * 16) / 16
  const del = (y - ysq) * (y + ysq)
  return Math.exp(-ysq * ysq) * Math.exp(-del)
}

/** The complementary error function erfc(x) = 1 − erf(x), accurate in the far tails too (W. J. Cody). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN
  const y = Math.abs(x)
  let result: number
  if (y <= THRESH) {
    const ysq = y > 1.11e-16 ? y * y : 0
    let num = A[4]! * ysq
    let den = ysq
    for (let i = 0; i < 3; i++) {
      num = (num + A[i]!) * ysq
      den = (den + B[i]!) * ysq
    }
    return 1 - (x * (num + A[3]!)) / (den + B[3]!)
  }
  if (y <= 4) {
    let num = C[8]! * y
    let den = y
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]!) * y
      den = (den + D[i]!) * y
    }
    result = expMinusSquare(y) * ((num + C[7]!) / (den + D[7]!))
  } else if (y >= XBIG) {
    result = 0
  } else {
    const ysq = 1 / (y * y)
    let num = P[5]! * ysq
    let den = ysq
    for (let i = 0; i < 4; i++) {
      num = (num + P[i]!) * ysq
      den = (den + Q[i]!) * ysq
    }
    result = expMinusSquare(y) * ((SQRPI - (ysq * (num + P[4]!)) / (den + Q[4]!)) / y)
  }
  return x < 0 ? 2 - result : result
}

/** The standard normal cumulative distribution Φ(z). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2)
}

/** Two-sided p-value of a standard normal z: P(|Z| ≥ |z|) = erfc(|z| / √2). */
export function twoSidedP(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2)
}

/** The confidence bin of a z-score and its two-sided p: ±3 when p < 0.01, ±2 when p < 0.05, ±1 when p < 0.10. */
export function confidenceOf(z: number | null, p: number | null): Confidence {
  if (z === null || p === null || z === 0) return 0
  const level = p < 0.01 ? 3 : p < 0.05 ? 2 : p < 0.1 ? 1 : 0
  if (level === 0) return 0
  return (z > 0 ? level : -level) as Confidence
}

/**
 * Getis-Ord Gi* with binary weights (a cell's neighbours, itself included, weigh 1):
 *
 *   Gi* = (Σⱼ wᵢⱼ xⱼ − X̄ Σⱼ wᵢⱼ) / (S √[(n Σⱼ wᵢⱼ² − (Σⱼ wᵢⱼ)²) / (n − 1)])
 *
 * with X̄ = Σ x / n and S = √(Σ x² / n − X̄²) over all n cells. z and p are null when the statistic is
 * undefined: fewer than two cells, all counts equal (S = 0), or a neighbourhood holding every cell.
 *
 * @param cells  the cells with their centres in metres and their counts
 * @param edge   the hexagon edge in metres: neighbours lie within {@link neighbourDistance}(edge)
 */
export function getisOrdGiStar(cells: readonly GiCell[], edge: number): GiResult[] {
  const n = cells.length
  const none = (): GiResult => ({ z: null, p: null, confidence: 0 })
  if (n < 2) return cells.map(none)
  let sum = 0
  let sumSq = 0
  for (const c of cells) {
    sum += c.count
    sumSq += c.count * c.count
  }
  const mean = sum / n
  const variance = sumSq / n - mean * mean
  // Counts are integers: a variance this close to 0 is rounding, not spread.
  if (!(variance > 1e-12 * Math.max(1, mean * mean))) return cells.map(none)
  const s = Math.sqrt(variance)
  const near = neighbours(cells, neighbourDistance(edge))
  return near.map((js) => {
    const w = js.length // binary weights: Σ wᵢⱼ = Σ wᵢⱼ² = the number of neighbours
    let local = 0
    for (const j of js) local += cells[j]!.count
    const spread = (n * w - w * w) / (n - 1)
    if (spread <= 0) return none()
    const z = (local - mean * w) / (s * Math.sqrt(spread))
    const p = twoSidedP(z)
    return { z, p, confidence: confidenceOf(z, p) }
  })
}

/** Centre (metres) of the flat-topped hexagon (column `i`, row `j`) of `ST_HexagonGrid(edge, …)`. */
export function hexCentre(i: number, j: number, edge: number): { x: number; y: number } {
  return { x: 1.5 * edge * i, y: SQRT3 * edge * (j + 0.5 * (Math.abs(i) % 2)) }
}

/**
 * The hexagon (column, row) of `ST_HexagonGrid(edge, …)` holding the point (x, y): of the two
 * columns around x, the nearest centre (a hexagon grid's cells are the Voronoi cells of its centres).
 * Points on an edge go to the lower column, then the lower row. The SQL twin is `sg_hex_col`/`sg_hex_row`
 * in db/functions/hotspots.sql.
 */
export function hexCellOf(x: number, y: number, edge: number): { i: number; j: number } {
  const i0 = Math.floor(x / (1.5 * edge))
  const rowOf = (i: number): number => Math.floor(y / (SQRT3 * edge) - 0.5 * (Math.abs(i) % 2) + 0.5)
  const d = (i: number): number => {
    const c = hexCentre(i, rowOf(i), edge)
    return (x - c.x) ** 2 + (y - c.y) ** 2
  }
  const i = d(i0) <= d(i0 + 1) ? i0 : i0 + 1
  return { i, j: rowOf(i) }
}

/** Roughly how many cells of edge `edge` a box of `width` × `height` metres spans (a cap check before building them). */
export function hexCellEstimate(width: number, height: number, edge: number): number {
  return (Math.ceil(width / (1.5 * edge)) + 2) * (Math.ceil(height / (SQRT3 * edge)) + 2)
}

/** Why a hot-spot answer carries no z-scores. */
export interface SmallNumbersNote {
  code: 'too_few_hazards' | 'too_few_cells'
  zh: string
  en: string
}

/**
 * The small-numbers rule: with fewer than {@link MIN_HAZARDS} hazards or fewer than
 * {@link MIN_NONEMPTY_CELLS} non-empty cells, Gi* says nothing trustworthy; the answer keeps the
 * counts, sets every confidence to 0 and z/p to null, and carries this note. Null when the rule does not apply.
 */
export function smallNumbersNote(hazards: number, nonEmptyCells: number): SmallNumbersNote | null {
  if (hazards < MIN_HAZARDS) {
    return {
      code: 'too_few_hazards',
      zh: `所选时段只有 ${hazards} 条隐患（少于 ${MIN_HAZARDS} 条），样本太少，不做热点显著性判断，仅显示各网格计数。`,
      en: `Only ${hazards} hazards in the window (fewer than ${MIN_HAZARDS}): too few to tell hot spots from chance; counts only.`,
    }
  }
  if (nonEmptyCells < MIN_NONEMPTY_CELLS) {
    return {
      code: 'too_few_cells',
      zh: `隐患只落在 ${nonEmptyCells} 个网格中（少于 ${MIN_NONEMPTY_CELLS} 个），无法比较区域差异，不做热点显著性判断，仅显示各网格计数。`,
      en: `The hazards fall in only ${nonEmptyCells} cells (fewer than ${MIN_NONEMPTY_CELLS}): nothing to compare; counts only.`,
    }
  }
  return null
}
