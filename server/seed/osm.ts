/**
 * Reading the OpenStreetMap extract (vector-tile GeoJSON) the demo community is built from.
 * Features cut by tile edges appear once per tile with the same `properties.id`: they are grouped
 * here by id and merged in PostGIS (ST_UnaryUnion / ST_LineMerge) when inserted.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'

/** Where the project keeps its copy of the extract. */
export const OSM_EXTRACT_PATH = resolve(import.meta.dirname, '../../db/seed/wuhan-guanggu.osm.geojson')

type Position = [number, number]
type Properties = Record<string, unknown>

interface Feature {
  type: 'Feature'
  geometry: { type: string; coordinates: unknown } | null
  properties: Properties | null
}

/**
 * A building: all the polygons that share one OSM id, as a MultiPolygon coordinate array. Every
 * distinct id of the `buildings` layer is one, building parts (3D parts of towers, kind
 * `building_part`, lying over their root building) included.
 */
export interface OsmBuilding {
  osmId: number
  name: string | null
  /** Tilezen `kind_detail` when present (house, apartments, mall, …), else `kind`. */
  kind: string
  landuseKind: string | null
  height: number | null
  levels: number | null
  /** Whether people live in it (residential landuse, house/apartments, dormitory names, …). */
  residential: boolean
  /** Whether it is a shop/office/hotel building (shops are placed around these). */
  commercial: boolean
  polygons: Position[][][]
}

/** A road: all the lines that share one OSM id. */
export interface OsmRoad {
  osmId: number
  kind: string
  kindDetail: string | null
  name: string | null
  tunnel: boolean
  lines: Position[][]
}

/** A water feature (polygon or line) by OSM id. */
export interface OsmWater {
  osmId: number
  kind: string | null
  name: string | null
  /** A GeoJSON geometry (Polygon/MultiPolygon/LineString/MultiLineString) of all parts. */
  geometry: { type: string; coordinates: unknown }
}

/** The extract, grouped by OSM id. */
export interface OsmExtract {
  buildings: OsmBuilding[]
  roads: OsmRoad[]
  water: OsmWater[]
  /** [minLon, minLat, maxLon, maxLat] of everything. */
  bbox: [number, number, number, number]
}

const RESIDENTIAL_KINDS = new Set(['house', 'apartments', 'residential', 'dormitory', 'detached', 'terrace'])
const COMMERCIAL_KINDS = new Set(['mall', 'commercial', 'retail', 'hotel', 'office', 'supermarket'])
const RESIDENTIAL_NAME = /宿舍|公寓|住宅|小区|号楼|花园|家园|新村|苑|栋|单身楼/
/** Names mappers use for "no name". */
const NO_NAME = new Set(['无名', '未知', 'unknown'])
const CAMPUS_LANDUSE = new Set(['forest', 'meadow', 'park', 'grass'])

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null)
const num = (value: unknown): number | null => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number.parseFloat(value) : Number.NaN
  return Number.isFinite(n) && n > 0 ? n : null
}

/** Read and group the extract (by default the project copy). */
export async function loadOsm(path: string = OSM_EXTRACT_PATH): Promise<OsmExtract> {
  const collection = JSON.parse(await readFile(path, 'utf8')) as { features: Feature[] }
  const buildings = new Map<number, OsmBuilding>()
  const roads = new Map<number, OsmRoad>()
  const water = new Map<number, { props: Properties; polygons: Position[][][]; lines: Position[][] }>()
  const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity]

  for (const feature of collection.features) {
    const props = feature.properties ?? {}
    const geometry = feature.geometry
    if (!geometry) continue
    const id = typeof props.id === 'number' ? props.id : Number(props.id)
    if (!Number.isFinite(id)) continue
    extendBbox(bbox, geometry.coordinates)
    const layer = props.layer
    const polygons = asPolygons(geometry)
    const lines = asLines(geometry)
    if (layer === 'buildings' && polygons) {
      // Point features in this layer are label anchors, not buildings.
      const existing = buildings.get(id)
      if (existing) existing.polygons.push(...polygons)
      else buildings.set(id, describeBuilding(id, props, polygons))
    } else if (layer === 'roads' && lines) {
      const existing = roads.get(id)
      if (existing) existing.lines.push(...lines)
      else
        roads.set(id, {
          osmId: id,
          kind: text(props.kind) ?? 'road',
          kindDetail: text(props.kind_detail),
          name: text(props.name),
          tunnel: props.is_tunnel === true,
          lines: lines.slice(),
        })
    } else if (layer === 'water' && (polygons || lines)) {
      const entry = water.get(id) ?? { props, polygons: [], lines: [] }
      if (polygons) entry.polygons.push(...polygons)
      if (lines) entry.lines.push(...lines)
      water.set(id, entry)
    }
  }

  return {
    buildings: [...buildings.values()].sort((a, b) => a.osmId - b.osmId),
    roads: [...roads.values()].sort((a, b) => a.osmId - b.osmId),
    water: [...water.entries()]
      .sort(([a], [b]) => a - b)
      .map(([osmId, { props, polygons, lines }]) => ({
        osmId,
        kind: text(props.kind),
        name: text(props.name),
        // A water polygon's outline also comes as a line (boundary=true): keep the polygon.
        geometry:
          polygons.length > 0
            ? { type: 'MultiPolygon', coordinates: polygons }
            : { type: 'MultiLineString', coordinates: lines },
      })),
    bbox,
  }
}

function describeBuilding(osmId: number, props: Properties, polygons: Position[][][]): OsmBuilding {
  const rawName = text(props.name)
  const name = rawName !== null && NO_NAME.has(rawName) ? null : rawName
  const kindDetail = text(props.kind_detail)
  const kind = kindDetail ?? text(props.kind) ?? 'building'
  const landuseKind = text(props.landuse_kind)
  const area = num(props.area) ?? 0
  let residential = false
  if (landuseKind === 'residential' || RESIDENTIAL_KINDS.has(kind)) residential = true
  else if (name !== null) residential = RESIDENTIAL_NAME.test(name)
  // Unnamed blocks on the university campus (forest/park landuse) are staff and student housing.
  else if (landuseKind !== null && CAMPUS_LANDUSE.has(landuseKind) && area < 2500) residential = true
  const commercial =
    !residential && (COMMERCIAL_KINDS.has(kind) || landuseKind === 'commercial' || landuseKind === 'retail')
  return {
    osmId,
    name,
    kind,
    landuseKind,
    height: num(props.height),
    levels: num(props['building:levels']) ?? num(props.levels) ?? num(props.floors),
    residential,
    commercial,
    polygons: polygons.slice(),
  }
}

function asPolygons(geometry: { type: string; coordinates: unknown }): Position[][][] | null {
  if (geometry.type === 'Polygon') return [geometry.coordinates as Position[][]]
  if (geometry.type === 'MultiPolygon') return geometry.coordinates as Position[][][]
  return null
}

function asLines(geometry: { type: string; coordinates: unknown }): Position[][] | null {
  if (geometry.type === 'LineString') return [geometry.coordinates as Position[]]
  if (geometry.type === 'MultiLineString') return geometry.coordinates as Position[][]
  return null
}

function extendBbox(bbox: [number, number, number, number], coordinates: unknown): void {
  if (!Array.isArray(coordinates)) return
  if (typeof coordinates[0] === 'number') {
    const [x, y] = coordinates as Position
    bbox[0] = Math.min(bbox[0], x)
    bbox[1] = Math.min(bbox[1], y)
    bbox[2] = Math.max(bbox[2], x)
    bbox[3] = Math.max(bbox[3], y)
    return
  }
  for (const child of coordinates) extendBbox(bbox, child)
}
