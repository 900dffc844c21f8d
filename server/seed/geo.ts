/**
 * Planar geometry helpers for the demo seed. Coordinates are metres in the community's UTM zone
 * (PostGIS does the projecting: the seed reads geometry with ST_Transform and writes it back the same way).
 */

/** A point in metres (x east, y north). */
export type XY = [number, number]

/** Euclidean distance. */
export function distance(a: XY, b: XY): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1])
}

/** Linear interpolation between a and b (t in [0, 1]). */
export function lerp(a: XY, b: XY, t: number): XY {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

/** The closest point of segment ab to p, its parameter t in [0, 1] and the distance. */
export function closestOnSegment(p: XY, a: XY, b: XY): { point: XY; t: number; distance: number } {
  const dx = b[0] - a[0]
  const dy = b[1] - a[1]
  const len2 = dx * dx + dy * dy
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2))
  const point: XY = [a[0] + dx * t, a[1] + dy * t]
  return { point, t, distance: distance(p, point) }
}

/** Length of a polyline. */
export function lineLength(line: readonly XY[]): number {
  let total = 0
  for (let i = 1; i < line.length; i++) total += distance(line[i - 1] as XY, line[i] as XY)
  return total
}

/** The part of a polyline between distances `from` and `to` along it. */
export function lineSubstring(line: readonly XY[], from: number, to: number): XY[] {
  const out: XY[] = []
  let walked = 0
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1] as XY
    const b = line[i] as XY
    const len = distance(a, b)
    const start = walked
    const end = walked + len
    walked = end
    if (end < from || start > to || len === 0) continue
    if (out.length === 0) out.push(lerp(a, b, Math.max(0, (from - start) / len)))
    if (end <= to) out.push(b)
    else {
      out.push(lerp(a, b, (to - start) / len))
      break
    }
  }
  return out
}

/** Minimum distance from p to a polyline. */
export function distanceToLine(p: XY, line: readonly XY[]): number {
  let best = Infinity
  for (let i = 1; i < line.length; i++) best = Math.min(best, closestOnSegment(p, line[i - 1] as XY, line[i] as XY).distance)
  return best
}

/** Signed area of a ring (positive when counter-clockwise). */
export function ringArea(ring: readonly XY[]): number {
  let sum = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[j] as XY
    const b = ring[i] as XY
    sum += a[0] * b[1] - b[0] * a[1]
  }
  return sum / 2
}

/** Even-odd point-in-ring test. */
export function pointInRing(p: XY, ring: readonly XY[]): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i] as XY
    const b = ring[j] as XY
    if (a[1] > p[1] !== b[1] > p[1] && p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside
  }
  return inside
}

/** Whether p lies inside a MultiPolygon (coordinate arrays: polygon → rings → points). */
export function pointInPolygons(p: XY, polygons: readonly (readonly (readonly XY[])[])[]): boolean {
  for (const rings of polygons) {
    const [outer, ...holes] = rings
    if (outer && pointInRing(p, outer) && !holes.some((hole) => pointInRing(p, hole))) return true
  }
  return false
}

/** Minimum distance from p to the outlines of a MultiPolygon (0 when inside). */
export function distanceToPolygons(p: XY, polygons: readonly (readonly (readonly XY[])[])[]): number {
  if (pointInPolygons(p, polygons)) return 0
  let best = Infinity
  for (const rings of polygons) for (const ring of rings) best = Math.min(best, distanceToLine(p, ring))
  return best
}

/** Axis-aligned bounds [minX, minY, maxX, maxY] of some points. */
export function bounds(points: Iterable<XY>): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity]
  for (const [x, y] of points) {
    b[0] = Math.min(b[0], x)
    b[1] = Math.min(b[1], y)
    b[2] = Math.max(b[2], x)
    b[3] = Math.max(b[3], y)
  }
  return b
}

/** The point at distance s along a polyline (clamped to its ends). */
export function pointAlong(line: readonly XY[], s: number): XY {
  let walked = 0
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1] as XY
    const b = line[i] as XY
    const len = distance(a, b)
    if (walked + len >= s && len > 0) return lerp(a, b, Math.max(0, (s - walked) / len))
    walked += len
  }
  const last = line[line.length - 1] ?? [0, 0]
  return [last[0], last[1]]
}
