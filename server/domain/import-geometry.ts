import { gcj02ToWgs84, mapPositions } from '../../core/gcj02.ts'

/** Layers `POST /api/import/:layer` takes besides zones, and the geometry types each accepts. */
export const IMPORT_LAYERS = {
  buildings: ['Polygon', 'MultiPolygon'],
  'key-places': ['Point', 'LineString'],
  roads: ['LineString', 'MultiLineString'],
} as const
export type ImportLayer = keyof typeof IMPORT_LAYERS

/** Most positions one imported feature may have. */
export const MAX_IMPORT_VERTICES = 10_000

/** A checked GeoJSON geometry of an imported feature. */
export interface ImportGeometry {
  type: string
  coordinates: unknown
}

const DEPTH: Record<string, number> = { Point: 0, LineString: 1, MultiLineString: 2, Polygon: 2, MultiPolygon: 3 }

/**
 * Check an imported geometry before PostGIS sees it: allowed type, finite lon/lat in range, enough positions,
 * closed rings, at most {@link MAX_IMPORT_VERTICES} positions. Returns the reason it is refused, or the
 * geometry (converted from GCJ-02 when asked).
 */
export function checkImportGeometry(layer: ImportLayer, input: unknown, crs: 'wgs84' | 'gcj02'): ImportGeometry | { reason: string } {
  if (typeof input !== 'object' || input === null) return { reason: 'geometry is missing' }
  const { type, coordinates } = input as { type?: unknown; coordinates?: unknown }
  const allowed = IMPORT_LAYERS[layer] as readonly string[]
  if (typeof type !== 'string' || !allowed.includes(type)) return { reason: `geometry must be ${allowed.join(' or ')}` }
  let count = 0
  const walk = (value: unknown, depth: number, path: string): string | null => {
    if (!Array.isArray(value)) return `${path} is not an array`
    if (depth === 0) {
      if (value.length < 2 || value.length > 3) return `${path} is not a position [lon, lat]`
      const [lon, lat] = value as unknown[]
      if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat)) return `${path} must hold finite numbers`
      if (lon < -180 || lon > 180 || lat < -90 || lat > 90) return `${path} is outside lon -180..180 / lat -90..90`
      return ++count > MAX_IMPORT_VERTICES ? `more than ${MAX_IMPORT_VERTICES} positions` : null
    }
    if (value.length === 0) return `${path} is empty`
    for (let i = 0; i < value.length; i++) {
      const reason = walk(value[i], depth - 1, `${path}.${i}`)
      if (reason) return reason
    }
    if (depth === 1 && (type === 'LineString' || type === 'MultiLineString') && value.length < 2) return `${path} needs at least 2 positions`
    if (depth === 1 && (type === 'Polygon' || type === 'MultiPolygon')) {
      if (value.length < 4) return `${path}: a ring needs at least 4 positions`
      const first = value[0] as number[]
      const last = value[value.length - 1] as number[]
      if (first[0] !== last[0] || first[1] !== last[1]) return `${path}: the ring is not closed`
    }
    return null
  }
  const reason = walk(coordinates, DEPTH[type]!, 'coordinates')
  if (reason) return { reason }
  return { type, coordinates: crs === 'gcj02' ? mapPositions(coordinates, gcj02ToWgs84) : coordinates }
}
