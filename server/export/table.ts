/**
 * Tables: what every download is made from. A GeoJSON FeatureCollection or a list of JSON items
 * becomes columns (with a type each, so spreadsheets get numbers as numbers and times as times) and
 * rows; csv.ts and xlsx.ts write them.
 */

/** How a column's values are written. */
export type ColumnType = 'text' | 'integer' | 'number' | 'percent' | 'datetime' | 'date' | 'boolean'

/** One column of a {@link Table}. */
export interface Column {
  /** Property of each row. */
  key: string
  /** Header cell. */
  header: string
  type: ColumnType
  /** Width in characters (spreadsheets); guessed from the data when absent. */
  width?: number
}

/** A named table: a CSV file, or one sheet of a workbook. */
export interface Table {
  name: string
  columns: Column[]
  /**
   * The rows. A row may carry `__types: { <key>: ColumnType }` to type single cells differently from
   * their column (a headline table mixing counts and shares), and `__total: true` to be set in bold.
   */
  rows: Record<string, unknown>[]
}

/** The type of one cell: the row's `__types` override, or the column's. */
export function cellType(row: Record<string, unknown>, column: Column): ColumnType {
  const own = (row.__types as Partial<Record<string, ColumnType>> | undefined)?.[column.key]
  return own ?? column.type
}

/** A GeoJSON Feature as the list endpoints answer it. */
export interface JsonFeature {
  type: 'Feature'
  id?: string | number
  geometry: { type: string; coordinates?: unknown; geometries?: unknown[] } | null
  properties: Record<string, unknown> | null
}

/** A GeoJSON FeatureCollection. */
export interface JsonFeatureCollection {
  type: 'FeatureCollection'
  features: JsonFeature[]
}

/** An ISO 8601 time with a zone, as PostgreSQL's JSON writes timestamptz. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/

/** Whether a value is an ISO 8601 time with a zone. */
export function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value))
}

/** The type that fits every non-empty value of a column. */
export function inferType(values: readonly unknown[]): ColumnType {
  const present = values.filter((v) => v !== null && v !== undefined && v !== '')
  if (present.length === 0) return 'text'
  if (present.every((v) => typeof v === 'boolean')) return 'boolean'
  if (present.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return present.every((v) => Number.isInteger(v)) ? 'integer' : 'number'
  }
  if (present.every(isIsoTime)) return 'datetime'
  return 'text'
}

/** Nested objects and arrays as JSON text; everything else as it is. */
function flat(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value
}

function wktNumbers(position: unknown): string {
  return Array.isArray(position) ? position.filter((n) => typeof n === 'number').join(' ') : ''
}

function wktRing(ring: unknown): string {
  return Array.isArray(ring) ? `(${ring.map(wktNumbers).join(', ')})` : '()'
}

function wktPolygon(rings: unknown): string {
  return Array.isArray(rings) ? `(${rings.map(wktRing).join(', ')})` : '()'
}

/** A GeoJSON geometry as WKT (what QGIS reads from a CSV column), or '' for none. */
export function toWkt(geometry: JsonFeature['geometry']): string {
  if (!geometry) return ''
  const c = geometry.coordinates
  const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : [])
  switch (geometry.type) {
    case 'Point':
      return `POINT (${wktNumbers(c)})`
    case 'LineString':
      return `LINESTRING ${wktRing(c)}`
    case 'Polygon':
      return `POLYGON ${wktPolygon(c)}`
    case 'MultiPoint':
      return `MULTIPOINT (${list(c).map((p) => `(${wktNumbers(p)})`).join(', ')})`
    case 'MultiLineString':
      return `MULTILINESTRING (${list(c).map(wktRing).join(', ')})`
    case 'MultiPolygon':
      return `MULTIPOLYGON (${list(c).map(wktPolygon).join(', ')})`
    case 'GeometryCollection':
      return `GEOMETRYCOLLECTION (${list(geometry.geometries).map((g) => toWkt(g as JsonFeature['geometry'])).join(', ')})`
    default:
      return ''
  }
}

/** Columns for these rows: keys in order of first appearance, each with its inferred type. */
export function columnsOf(rows: readonly Record<string, unknown>[], fixed: Partial<Record<string, ColumnType>> = {}): Column[] {
  const keys: string[] = []
  const seen = new Set<string>()
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key)
        keys.push(key)
      }
    }
  }
  return keys.map((key) => ({ key, header: key, type: fixed[key] ?? inferType(rows.map((r) => r[key])) }))
}

/**
 * A FeatureCollection as a table: the feature id, the properties (nested values as JSON text), and the
 * geometry — `lon` and `lat` when every feature is a point, otherwise a `wkt` column.
 */
export function featuresTable(name: string, fc: JsonFeatureCollection): Table {
  const allPoints = fc.features.length > 0 && fc.features.every((f) => f.geometry?.type === 'Point')
  const rows = fc.features.map((f) => {
    const row: Record<string, unknown> = { id: f.id ?? f.properties?.id ?? null }
    for (const [k, v] of Object.entries(f.properties ?? {})) if (k !== 'id') row[k] = flat(v)
    if (allPoints) {
      const [lon, lat] = (f.geometry?.coordinates as number[] | undefined) ?? []
      row.lon = lon ?? null
      row.lat = lat ?? null
    } else {
      row.wkt = toWkt(f.geometry)
    }
    return row
  })
  return { name, columns: columnsOf(rows), rows }
}

/** A list of JSON objects (`{ items: [...] }` answers) as a table, nested values as JSON text. */
export function itemsTable(name: string, items: readonly Record<string, unknown>[]): Table {
  const rows = items.map((item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, flat(v)])))
  return { name, columns: columnsOf(rows), rows }
}

/** Items without geometry as a FeatureCollection (null geometries), for `format=geojson` of a plain list. */
export function itemsCollection(items: readonly Record<string, unknown>[]): JsonFeatureCollection {
  return {
    type: 'FeatureCollection',
    features: items.map((item) => ({
      type: 'Feature',
      ...(typeof item.id === 'number' || typeof item.id === 'string' ? { id: item.id } : {}),
      geometry: null,
      properties: item,
    })),
  }
}
