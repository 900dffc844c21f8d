/**
 * Drawing our WGS84 data over a GCJ-02 base map (most Chinese web maps): every coordinate is moved
 * by the published WGS84 → GCJ-02 transform (core/gcj02.ts, shared), so our layers sit on
 * the base map instead of 300–500 m off; clicks come back through the inverse.
 */
import { gcj02ToWgs84, mapPositions, wgs84ToGcj02 } from '../../core/gcj02.ts'

/** The datum a base map is drawn in. */
export type BasemapCrs = 'wgs84' | 'gcj02'

/** A configured base map, as `GET /api/config` answers. */
export interface BasemapConfig {
  type: 'raster' | 'vector'
  url: string
  attribution: string
  crs: BasemapCrs
}

interface AnyCollection {
  type: 'FeatureCollection'
  features: readonly { geometry: { coordinates?: unknown; geometries?: unknown[] } | null }[]
}

function shiftGeometry<G extends { coordinates?: unknown; geometries?: unknown[] } | null>(geometry: G): G {
  if (!geometry) return geometry
  if (Array.isArray(geometry.geometries)) {
    return { ...geometry, geometries: geometry.geometries.map((g) => shiftGeometry(g as { coordinates?: unknown })) }
  }
  return { ...geometry, coordinates: mapPositions(geometry.coordinates, wgs84ToGcj02) }
}

/** A copy of a FeatureCollection with every coordinate moved from WGS84 to GCJ-02 (the input is untouched). */
export function collectionToGcj02<T extends AnyCollection>(fc: T): T {
  return { ...fc, features: fc.features.map((f) => ({ ...f, geometry: shiftGeometry(f.geometry) })) }
}

/** WGS84 → what the map shows, for a base map in `crs`. */
export function toDisplay(lon: number, lat: number, crs: BasemapCrs): [number, number] {
  return crs === 'gcj02' ? wgs84ToGcj02(lon, lat) : [lon, lat]
}

/** What the map shows (a click) → WGS84, for a base map in `crs`. */
export function fromDisplay(lon: number, lat: number, crs: BasemapCrs): [number, number] {
  return crs === 'gcj02' ? gcj02ToWgs84(lon, lat) : [lon, lat]
}
