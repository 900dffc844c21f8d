/**
 * Geometry of the zone editor, computed in the browser with turf while the planner draws: overlaps
 * of the edited zone with the others, the gaps the zones leave in the community, splitting a zone,
 * and the snapping targets (vertices and edges of the neighbouring zones and of the boundary).
 * The server checks the same on save (`GET /api/zones/check`); these are the live preview.
 */
import { area, bbox, difference, featureCollection, intersect, union } from '@turf/turf'
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson'

/** Polygonal geometry. */
export type Areal = Polygon | MultiPolygon

/** Pieces smaller than this (m²) are noise from floating point, not overlaps. */
export const SLIVER_M2 = 0.5
/** Gap pieces smaller than this (m²) are slivers of the overlay along shared edges, not gaps. */
export const GAP_MIN_M2 = 10

const asFeature = (g: Areal, properties: Record<string, unknown> = {}): Feature<Areal> => ({ type: 'Feature', geometry: g, properties })

/** The part `a` and `b` share, or null (or below {@link SLIVER_M2}). */
export function overlapOf(a: Areal, b: Areal): Feature<Areal> | null {
  const [ax0, ay0, ax1, ay1] = bbox(a)
  const [bx0, by0, bx1, by1] = bbox(b)
  if (ax1 < bx0 || bx1 < ax0 || ay1 < by0 || by1 < ay0) return null
  try {
    const shared = intersect(featureCollection([asFeature(a), asFeature(b)]))
    return shared && area(shared) >= SLIVER_M2 ? shared : null
  } catch {
    return null
  }
}

/** The overlaps of `edited` with each of `others` (red on the map), with the other zone's id and the area. */
export function overlapsWith(edited: Areal, others: { id: string | number; geometry: Areal }[]): Feature<Areal, { zoneId: string | number; areaM2: number }>[] {
  const out: Feature<Areal, { zoneId: string | number; areaM2: number }>[] = []
  for (const other of others) {
    const shared = overlapOf(edited, other.geometry)
    if (shared) out.push({ type: 'Feature', geometry: shared.geometry, properties: { zoneId: other.id, areaM2: Math.round(area(shared)) } })
  }
  return out
}

/** The community minus the union of the zones (hatched orange on the map); null when fully covered. */
export function gapsOf(boundary: Areal, zones: Areal[]): Feature<Areal, { areaM2: number }> | null {
  try {
    let rest: Feature<Areal> | null = asFeature(boundary)
    if (zones.length > 0) {
      const all = zones.length === 1 ? asFeature(zones[0]!) : union(featureCollection(zones.map((z) => asFeature(z))))
      rest = all ? difference(featureCollection([asFeature(boundary), all])) : rest
    }
    if (!rest) return null
    // Drop the slivers turf's overlay leaves along shared edges; keep real holes.
    const parts = (rest.geometry.type === 'Polygon' ? [rest.geometry.coordinates] : rest.geometry.coordinates).filter(
      (coordinates) => area({ type: 'Polygon', coordinates }) >= GAP_MIN_M2,
    )
    if (parts.length === 0) return null
    const geometry: MultiPolygon = { type: 'MultiPolygon', coordinates: parts }
    return { type: 'Feature', geometry, properties: { areaM2: Math.round(area(geometry)) } }
  } catch {
    return null
  }
}

/** Split `zone` by a drawn `cut` polygon: the part inside the cut and the rest; null when either is empty. */
export function splitZone(zone: Areal, cut: Areal): { inside: Areal; rest: Areal } | null {
  const fc = featureCollection([asFeature(zone), asFeature(cut)])
  const inside = intersect(fc)
  const rest = difference(fc)
  if (!inside || !rest || area(inside) < SLIVER_M2 || area(rest) < SLIVER_M2) return null
  return { inside: inside.geometry, rest: rest.geometry }
}

/** Area in m² (geodesic, turf). */
export function areaM2(g: Areal): number {
  return area(asFeature(g))
}

/** A straight piece of a zone or boundary edge, in lon/lat. */
export type Segment = [Position, Position]

/** Every edge of the given polygons (each ring's consecutive positions). */
export function segmentsOf(geometries: Areal[]): Segment[] {
  const out: Segment[] = []
  for (const g of geometries) {
    const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates
    for (const polygon of polygons) {
      for (const ring of polygon) {
        for (let i = 0; i + 1 < ring.length; i++) out.push([ring[i]!, ring[i + 1]!])
      }
    }
  }
  return out
}

/** Project lon/lat to screen pixels. */
export type ProjectFn = (lng: number, lat: number) => { x: number; y: number }

/** Pixel radius within which a vertex wins over an edge. */
export const SNAP_VERTEX_PX = 12
/** Pixel radius of edge snapping. */
export const SNAP_EDGE_PX = 10

/**
 * The snapped position for a pointer at `pointer` (pixels): the nearest vertex within
 * {@link SNAP_VERTEX_PX}, else the nearest point on an edge within {@link SNAP_EDGE_PX}, else undefined.
 * Only segments whose lon/lat box is near the pointer are projected.
 */
export function snapTo(pointer: { x: number; y: number; lng: number; lat: number }, segments: Segment[], project: ProjectFn, near: number): Position | undefined {
  let best: Position | undefined
  let bestD = SNAP_VERTEX_PX
  const candidates = segments.filter(
    ([a, b]) =>
      Math.min(a[0]!, b[0]!) - near <= pointer.lng &&
      Math.max(a[0]!, b[0]!) + near >= pointer.lng &&
      Math.min(a[1]!, b[1]!) - near <= pointer.lat &&
      Math.max(a[1]!, b[1]!) + near >= pointer.lat,
  )
  for (const [a] of candidates) {
    const p = project(a[0]!, a[1]!)
    const d = Math.hypot(p.x - pointer.x, p.y - pointer.y)
    if (d < bestD) {
      bestD = d
      best = [a[0]!, a[1]!]
    }
  }
  if (best) return best
  bestD = SNAP_EDGE_PX
  for (const [a, b] of candidates) {
    const pa = project(a[0]!, a[1]!)
    const pb = project(b[0]!, b[1]!)
    const dx = pb.x - pa.x
    const dy = pb.y - pa.y
    const len2 = dx * dx + dy * dy
    if (len2 === 0) continue
    const t = Math.max(0, Math.min(1, ((pointer.x - pa.x) * dx + (pointer.y - pa.y) * dy) / len2))
    const d = Math.hypot(pa.x + t * dx - pointer.x, pa.y + t * dy - pointer.y)
    if (d < bestD) {
      bestD = d
      best = [a[0]! + t * (b[0]! - a[0]!), a[1]! + t * (b[1]! - a[1]!)]
    }
  }
  return best
}
