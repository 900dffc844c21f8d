/**
 * What a new community's map files hold: which feature is a building, which a road, which neither and why.
 * Works for OpenStreetMap tags (OSM XML, Overpass GeoJSON), Tilezen vector-tile GeoJSON (`layer`, `kind`,
 * the demo's extract) and untagged GeoJSON/Shapefile/KML (polygons are buildings, lines are roads).
 */
import { checkImportGeometry, type ImportGeometry } from './import-geometry.ts'
import type { RawFeature } from './map-files.ts'

/** How the user labelled a data file: work it out, or everything in it is buildings / roads. */
export type LayerHint = 'auto' | 'buildings' | 'roads'

/** A feature sorted: staged for the database checks, or refused here with the reason. */
export type Classified =
  | { layer: 'buildings' | 'roads'; geometry: ImportGeometry; key: string | null; props: Record<string, unknown> }
  | { layer: 'buildings' | 'roads' | 'other'; reason: string; props: Record<string, unknown> }

const POLYGONS = new Set(['Polygon', 'MultiPolygon'])
const LINES = new Set(['LineString', 'MultiLineString'])
const MAJOR = new Set(['motorway', 'trunk', 'primary', 'secondary', 'tertiary', 'motorway_link', 'trunk_link', 'primary_link', 'secondary_link', 'tertiary_link'])
const MINOR = new Set(['residential', 'service', 'unclassified', 'living_street', 'road'])
const PATHS = new Set(['footway', 'path', 'pedestrian', 'steps', 'cycleway', 'track', 'corridor', 'bridleway'])
/** Tags that say what a feature is when it is neither a building nor a road (named in the refusal). */
const OTHER_KEYS = ['landuse', 'natural', 'leisure', 'amenity', 'waterway', 'water', 'railway', 'barrier', 'boundary', 'place', 'power', 'man_made', 'shop', 'tourism', 'parking']

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null)

/** Tilezen kind of an OSM highway value. */
export function roadKind(highway: string): string {
  if (MAJOR.has(highway)) return 'major_road'
  if (MINOR.has(highway)) return 'minor_road'
  if (PATHS.has(highway)) return 'path'
  return 'road'
}

/** The key pieces of one source feature share (an OSM id), so tile-cut parts merge into one. */
function keyOf(props: Record<string, unknown>): string | null {
  const id = props.id ?? props.osm_id ?? props['@id']
  return typeof id === 'number' || (typeof id === 'string' && id.trim() !== '') ? String(id) : null
}

/** Sort one feature; geometry checked (types, finite lon/lat, closed rings, ≤ 10,000 positions) and converted from GCJ-02 when asked. */
export function classifyFeature(feature: RawFeature, hint: LayerHint, crs: 'wgs84' | 'gcj02'): Classified {
  const props = feature.properties ?? {}
  const g = feature.geometry
  if (!g || typeof g.type !== 'string') {
    const missing = props['@missing']
    return { layer: 'other', reason: missing ? 'refers to nodes or ways missing from the extract' : 'has no geometry', props }
  }
  const isPolygon = POLYGONS.has(g.type)
  const isLine = LINES.has(g.type)
  const tilezen = text(props.layer)
  const building = text(props.building)
  const highway = text(props.highway)
  let layer: 'buildings' | 'roads' | 'other'
  let reason: string | null = null
  if (hint === 'buildings') layer = 'buildings'
  else if (hint === 'roads') layer = 'roads'
  else if (tilezen) {
    if (tilezen === 'buildings') {
      layer = 'buildings'
      if (text(props.kind) === 'building_part') reason = 'a building part (its building is imported)'
      else if (!isPolygon) reason = 'a label point, not a footprint'
    } else if (tilezen === 'roads') layer = 'roads'
    else {
      layer = 'other'
      reason = `layer "${tilezen.slice(0, 40)}" is not imported`
    }
  } else if (props['building:part'] !== undefined && building === null) {
    layer = 'buildings'
    reason = 'a building part (its building is imported)'
  } else if (building !== null && building !== 'no') layer = 'buildings'
  else if (highway !== null) layer = 'roads'
  else {
    const tagged = OTHER_KEYS.find((k) => text(props[k]) !== null)
    if (tagged) {
      layer = 'other'
      reason = `not a building or road (${tagged}=${text(props[tagged])!.slice(0, 40)})`
    } else if (isPolygon) layer = 'buildings'
    else if (isLine) layer = 'roads'
    else {
      layer = 'other'
      reason = g.type === 'Point' || g.type === 'MultiPoint' ? 'a point: neither a footprint nor a road' : `geometry ${g.type} is not imported`
    }
  }
  if (reason) return { layer, reason, props }
  if (layer === 'buildings' && !isPolygon) return { layer, reason: g.type === 'Point' || g.type === 'MultiPoint' ? 'a point, not a footprint' : `a building must be a Polygon, not ${g.type}`, props }
  if (layer === 'roads' && !isLine) return { layer, reason: isPolygon ? 'an area, not a road line' : `a road must be a LineString, not ${g.type}`, props }
  const checked = checkImportGeometry(layer === 'buildings' ? 'buildings' : 'roads', g, crs)
  if ('reason' in checked) return { layer, reason: checked.reason, props }
  return { layer: layer as 'buildings' | 'roads', geometry: checked, key: keyOf(props), props: normaliseProps(layer as 'buildings' | 'roads', props) }
}

const int = (v: unknown, min: number, max: number): number | null => {
  const n = typeof v === 'string' ? Number.parseFloat(v) : v
  return typeof n === 'number' && Number.isFinite(n) ? Math.max(min, Math.min(max, Math.round(n))) : null
}

/** The properties kept for a building or road (names, floors, households, road kinds, the OSM id). */
function normaliseProps(layer: 'buildings' | 'roads', props: Record<string, unknown>): Record<string, unknown> {
  const id = props.id ?? props.osm_id
  const osmId = typeof id === 'number' && Number.isSafeInteger(id) ? id : typeof id === 'string' && /^-?\d{1,15}$/.test(id) ? Number(id) : null
  const name = text(props.name ?? props['name:zh'] ?? props.NAME ?? props.Name)?.slice(0, 100) ?? null
  if (layer === 'buildings') {
    const building = text(props.building)
    return {
      osmId,
      name,
      kind: (text(props.kind_detail) ?? (building && building !== 'yes' ? building : null) ?? 'building').slice(0, 40),
      floors: int(props['building:levels'] ?? props.levels ?? props.floors ?? props.FLOORS ?? props.Floor, 1, 200),
      households: int(props.households ?? props.HOUSEHOLDS, 0, 100_000) ?? 0,
    }
  }
  const highway = text(props.highway)
  return {
    osmId,
    name,
    kind: (text(props.kind) ?? (highway ? roadKind(highway) : 'road')).slice(0, 40),
    kindDetail: (text(props.kind_detail) ?? highway)?.slice(0, 40) ?? null,
  }
}
