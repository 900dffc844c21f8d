/**
 * A community's own map files, read into GeoJSON features: GeoJSON (a FeatureCollection, a Feature or a bare
 * geometry), KML, OSM XML (nodes, ways and multipolygon relations) and zipped Shapefiles. Sizes, feature
 * counts, positions and nesting are capped before anything is walked deeply; XML is read by a streaming
 * parser (saxes) with a depth cap and no DOCTYPE (so no entity expansion).
 */
import { SaxesParser } from 'saxes'
import { MapFileError, readShapefileZip, ringsToPolygons, type RawFeature } from './shapefile.ts'

export { MapFileError, type RawFeature } from './shapefile.ts'

/** The formats read. */
export type MapFormat = 'geojson' | 'kml' | 'osm' | 'shapefile'

/** A file read: its format and features (a Shapefile ZIP may hold several layers, flattened here). */
export interface ParsedMapFile {
  name: string
  format: MapFormat
  features: (RawFeature & { layerName?: string })[]
}

/** Caps of one upload. */
export const MAP_LIMITS = {
  /** All files of one upload together. */
  maxBytes: 60 * 1024 * 1024,
  maxFeatures: 200_000,
  maxPoints: 5_000_000,
  /** Deepest JSON array/object nesting (GeoJSON needs 7). */
  maxJsonDepth: 20,
  /** Deepest XML element nesting (KML folders included). */
  maxXmlDepth: 48,
} as const

const head = (bytes: Uint8Array, n = 2048): string => new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, n)).replace(/^\uFEFF/, '')

/** Which format a file is, by content first and name second. */
export function detectFormat(name: string, bytes: Uint8Array): MapFormat | null {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b) return 'shapefile'
  const text = head(bytes).trimStart()
  if (text.startsWith('{')) return 'geojson'
  if (text.startsWith('<')) {
    if (/<osm[\s>]/.test(text)) return 'osm'
    if (/<kml[\s>]/i.test(text)) return 'kml'
    if (/\.kml$/i.test(name)) return 'kml'
    if (/\.(osm|xml)$/i.test(name)) return 'osm'
  }
  return null
}

/** The deepest nesting of arrays/objects in JSON text (strings skipped), stopping past `cap`. */
export function jsonDepth(text: string, cap: number): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 92) i++
      else if (ch === 34) inString = false
    } else if (ch === 34) inString = true
    else if (ch === 91 || ch === 123) {
      if (++depth > max) {
        max = depth
        if (max > cap) return max
      }
    } else if (ch === 93 || ch === 125) depth--
  }
  return max
}

function readGeoJson(bytes: Uint8Array): RawFeature[] {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '')
  if (jsonDepth(text, MAP_LIMITS.maxJsonDepth) > MAP_LIMITS.maxJsonDepth) throw new MapFileError(`JSON nested deeper than ${MAP_LIMITS.maxJsonDepth} levels`)
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw new MapFileError('not valid JSON')
  }
  const obj = doc as { type?: unknown; features?: unknown; geometry?: unknown; properties?: unknown; coordinates?: unknown }
  if (obj?.type === 'FeatureCollection' && Array.isArray(obj.features)) {
    if (obj.features.length > MAP_LIMITS.maxFeatures) throw new MapFileError(`more than ${MAP_LIMITS.maxFeatures} features`)
    return obj.features.map((f) => {
      const feature = f as { type?: unknown; geometry?: unknown; properties?: unknown; id?: unknown }
      const properties = typeof feature?.properties === 'object' && feature.properties !== null ? { ...(feature.properties as Record<string, unknown>) } : {}
      if (properties.id === undefined && (typeof feature?.id === 'string' || typeof feature?.id === 'number')) properties.id = feature.id
      return { geometry: feature?.type === 'Feature' ? (feature.geometry as RawFeature['geometry']) ?? null : null, properties }
    })
  }
  if (obj?.type === 'Feature') return [{ geometry: (obj.geometry as RawFeature['geometry']) ?? null, properties: (obj.properties as Record<string, unknown>) ?? {} }]
  if (typeof obj?.type === 'string' && obj.coordinates !== undefined) return [{ geometry: obj as RawFeature['geometry'], properties: {} }]
  throw new MapFileError('not a GeoJSON FeatureCollection, Feature or geometry')
}

/** Run a streaming XML parse with a depth cap; DOCTYPE is refused. */
function parseXml(bytes: Uint8Array, handlers: { open: (name: string, attrs: Record<string, string>, depth: number) => void; close: (name: string) => void; text?: (text: string) => void }): void {
  const parser = new SaxesParser({ xmlns: false })
  let depth = 0
  let failure: string | null = null
  parser.on('doctype', () => {
    failure = 'a DOCTYPE is not accepted'
    throw new MapFileError(failure)
  })
  parser.on('opentag', (tag) => {
    depth++
    if (depth > MAP_LIMITS.maxXmlDepth) {
      failure = `XML nested deeper than ${MAP_LIMITS.maxXmlDepth} levels`
      throw new MapFileError(failure)
    }
    const local = tag.name.includes(':') ? tag.name.slice(tag.name.indexOf(':') + 1) : tag.name
    handlers.open(local, tag.attributes as Record<string, string>, depth)
    if (tag.isSelfClosing) return
  })
  parser.on('closetag', (tag) => {
    depth--
    const local = tag.name.includes(':') ? tag.name.slice(tag.name.indexOf(':') + 1) : tag.name
    handlers.close(local)
  })
  if (handlers.text) {
    parser.on('text', handlers.text)
    parser.on('cdata', handlers.text)
  }
  parser.on('error', (error) => {
    failure ??= `not well-formed XML (${error.message.split('\n')[0]?.slice(0, 120)})`
    throw new MapFileError(failure)
  })
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '')
  try {
    // In slices, so one huge line never becomes one huge token.
    for (let i = 0; i < text.length; i += 1 << 20) parser.write(text.slice(i, i + (1 << 20)))
    parser.close()
  } catch (error) {
    if (error instanceof MapFileError) throw error
    throw new MapFileError(failure ?? 'not well-formed XML')
  }
}

/** Parse KML `coordinates` text: "lon,lat[,alt] lon,lat …". */
function kmlCoordinates(text: string): number[][] {
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((tuple) => tuple.split(',').slice(0, 2).map(Number))
}

function readKml(bytes: Uint8Array): RawFeature[] {
  const features: RawFeature[] = []
  let points = 0
  let placemark: { props: Record<string, unknown>; geoms: { type: string; coordinates: unknown }[] } | null = null
  let polygon: { outer: number[][] | null; inner: number[][][] } | null = null
  let ringKind: 'outer' | 'inner' | null = null
  let text = ''
  let dataName: string | null = null
  const stack: string[] = []
  parseXml(bytes, {
    open: (name, attrs) => {
      stack.push(name)
      text = ''
      if (name === 'Placemark') placemark = { props: {}, geoms: [] }
      else if (name === 'Polygon') polygon = { outer: null, inner: [] }
      else if (name === 'outerBoundaryIs') ringKind = 'outer'
      else if (name === 'innerBoundaryIs') ringKind = 'inner'
      else if (name === 'Data' || name === 'SimpleData') dataName = attrs.name ?? null
    },
    text: (t) => {
      text += t
      if (text.length > 50 * 1024 * 1024) throw new MapFileError('a KML text node is too large')
    },
    close: (name) => {
      stack.pop()
      const parent = stack[stack.length - 1]
      if (!placemark) return
      const pm = placemark as { props: Record<string, unknown>; geoms: { type: string; coordinates: unknown }[] }
      if (name === 'coordinates') {
        const coords = kmlCoordinates(text)
        points += coords.length
        if (points > MAP_LIMITS.maxPoints) throw new MapFileError(`more than ${MAP_LIMITS.maxPoints} positions`)
        if (polygon && ringKind === 'outer') polygon.outer = coords
        else if (polygon && ringKind === 'inner') polygon.inner.push(coords)
        else if (parent === 'Point') pm.geoms.push({ type: 'Point', coordinates: coords[0] ?? [] })
        else if (parent === 'LineString') pm.geoms.push({ type: 'LineString', coordinates: coords })
        else if (parent === 'LinearRing') pm.geoms.push({ type: 'Polygon', coordinates: [coords] })
      } else if (name === 'outerBoundaryIs' || name === 'innerBoundaryIs') ringKind = null
      else if (name === 'Polygon' && polygon) {
        if (polygon.outer) pm.geoms.push({ type: 'Polygon', coordinates: ringsToPolygons([polygon.outer], false)[0]!.concat(polygon.inner) })
        polygon = null
      } else if ((name === 'name' || name === 'description') && parent === 'Placemark') pm.props[name] = text.trim().slice(0, 500)
      else if ((name === 'value' && parent === 'Data') || name === 'SimpleData') {
        if (dataName) pm.props[dataName] = text.trim().slice(0, 500)
      } else if (name === 'Placemark') {
        if (features.length >= MAP_LIMITS.maxFeatures) throw new MapFileError(`more than ${MAP_LIMITS.maxFeatures} features`)
        const geoms = pm.geoms
        const geometry =
          geoms.length === 0
            ? null
            : geoms.length === 1
              ? geoms[0]!
              : geoms.every((g) => g.type === 'Polygon')
                ? { type: 'MultiPolygon', coordinates: geoms.map((g) => g.coordinates) }
                : geoms.every((g) => g.type === 'LineString')
                  ? { type: 'MultiLineString', coordinates: geoms.map((g) => g.coordinates) }
                  : { type: 'GeometryCollection', coordinates: null }
        features.push({ geometry, properties: pm.props })
        placemark = null
      }
      text = ''
    },
  })
  return features
}

/** Join open ways end to end into closed rings (multipolygon members). */
function joinRings(ways: number[][][]): number[][][] {
  const rings: number[][][] = []
  const open = ways.filter((w) => w.length >= 2).map((w) => [...w])
  const same = (a: number[], b: number[]) => a[0] === b[0] && a[1] === b[1]
  while (open.length > 0) {
    let ring = open.shift()!
    let grew = true
    while (!same(ring[0]!, ring[ring.length - 1]!) && grew) {
      grew = false
      for (let i = 0; i < open.length; i++) {
        const w = open[i]!
        const end = ring[ring.length - 1]!
        if (same(w[0]!, end)) ring = ring.concat(w.slice(1))
        else if (same(w[w.length - 1]!, end)) ring = ring.concat([...w].reverse().slice(1))
        else continue
        open.splice(i, 1)
        grew = true
        break
      }
    }
    if (same(ring[0]!, ring[ring.length - 1]!) && ring.length >= 4) rings.push(ring)
  }
  return rings
}

const AREA_KEYS = ['building', 'building:part', 'landuse', 'leisure', 'natural', 'amenity', 'area', 'water', 'place', 'boundary']

function readOsm(bytes: Uint8Array): RawFeature[] {
  const nodes = new Map<string, number[]>()
  const ways = new Map<string, { coords: number[][]; tags: Record<string, string> }>()
  const features: RawFeature[] = []
  let current: { kind: 'node' | 'way' | 'relation'; id: string; tags: Record<string, string>; refs: string[]; members: { type: string; ref: string; role: string }[]; lonlat?: number[] } | null = null
  let points = 0
  parseXml(bytes, {
    open: (name, a) => {
      if (name === 'node' || name === 'way' || name === 'relation') {
        current = { kind: name, id: a.id ?? '', tags: {}, refs: [], members: [] }
        if (name === 'node') {
          const lon = Number(a.lon)
          const lat = Number(a.lat)
          current.lonlat = [lon, lat]
          if (++points > MAP_LIMITS.maxPoints) throw new MapFileError(`more than ${MAP_LIMITS.maxPoints} nodes`)
          nodes.set(current.id, [lon, lat])
        }
      } else if (current && name === 'tag' && a.k !== undefined) {
        if (Object.keys(current.tags).length < 200) current.tags[a.k.slice(0, 100)] = (a.v ?? '').slice(0, 500)
      } else if (current && name === 'nd' && a.ref !== undefined) {
        if (current.refs.length < 100_000) current.refs.push(a.ref)
      } else if (current && name === 'member') {
        if (current.members.length < 10_000) current.members.push({ type: a.type ?? '', ref: a.ref ?? '', role: a.role ?? '' })
      }
    },
    close: (name) => {
      if (!current || name !== current.kind) return
      const c = current
      current = null
      if (features.length >= MAP_LIMITS.maxFeatures) throw new MapFileError(`more than ${MAP_LIMITS.maxFeatures} features`)
      if (c.kind === 'node') {
        if (Object.keys(c.tags).length > 0) features.push({ geometry: { type: 'Point', coordinates: c.lonlat }, properties: { ...c.tags, id: Number(c.id), '@id': `node/${c.id}` } })
        return
      }
      if (c.kind === 'way') {
        const coords = c.refs.map((r) => nodes.get(r)).filter((p): p is number[] => p !== undefined)
        ways.set(c.id, { coords, tags: c.tags })
        if (Object.keys(c.tags).length === 0) return
        const props = { ...c.tags, id: Number(c.id), '@id': `way/${c.id}` }
        if (coords.length < c.refs.length) {
          features.push({ geometry: null, properties: { ...props, '@missing': c.refs.length - coords.length } })
          return
        }
        const closed = coords.length >= 4 && coords[0]![0] === coords[coords.length - 1]![0] && coords[0]![1] === coords[coords.length - 1]![1]
        const isArea = closed && c.tags.area !== 'no' && (AREA_KEYS.some((k) => k in c.tags) || (c.tags.highway !== undefined && c.tags.area === 'yes'))
        features.push({ geometry: isArea ? { type: 'Polygon', coordinates: ringsToPolygons([coords], false)[0] } : { type: 'LineString', coordinates: coords }, properties: props })
        return
      }
      if (c.tags.type !== 'multipolygon' && c.tags.type !== 'building' && c.tags.type !== 'boundary') {
        if (Object.keys(c.tags).length > 0) features.push({ geometry: null, properties: { ...c.tags, id: -Number(c.id), '@id': `relation/${c.id}` } })
        return
      }
      const memberWays = c.members.filter((m) => m.type === 'way').map((m) => ({ role: m.role, way: ways.get(m.ref) }))
      const props = { ...c.tags, id: -Number(c.id), '@id': `relation/${c.id}` }
      if (memberWays.some((m) => !m.way)) {
        features.push({ geometry: null, properties: { ...props, '@missing': memberWays.filter((m) => !m.way).length } })
        return
      }
      const outer = joinRings(memberWays.filter((m) => m.role !== 'inner').map((m) => m.way!.coords))
      const inner = joinRings(memberWays.filter((m) => m.role === 'inner').map((m) => m.way!.coords))
      const polygons = ringsToPolygons([...outer.map((r) => orient(r, true)), ...inner.map((r) => orient(r, false))], false)
      features.push({ geometry: polygons.length === 0 ? null : { type: 'MultiPolygon', coordinates: polygons }, properties: props })
    },
  })
  return features
}

/** A ring turned counter-clockwise (`ccw`) or clockwise. */
function orient(ring: number[][], ccw: boolean): number[][] {
  let a = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j]![0]! - ring[i]![0]!) * (ring[j]![1]! + ring[i]![1]!)
  return a > 0 === ccw ? ring : [...ring].reverse()
}

/** Read one uploaded map file (its format told by content). Throws {@link MapFileError} with the reason for the whole file. */
export function readMapFile(name: string, bytes: Uint8Array): ParsedMapFile {
  const format = detectFormat(name, bytes)
  if (!format) throw new MapFileError('not GeoJSON, KML, OSM XML or a zipped Shapefile')
  if (format === 'geojson') return { name, format, features: readGeoJson(bytes) }
  if (format === 'kml') return { name, format, features: readKml(bytes) }
  if (format === 'osm') return { name, format, features: readOsm(bytes) }
  const layers = readShapefileZip(bytes, { maxFeatures: MAP_LIMITS.maxFeatures, maxPoints: MAP_LIMITS.maxPoints })
  return { name, format, features: layers.flatMap((l) => l.features.map((f) => ({ ...f, layerName: l.layer }))) }
}
