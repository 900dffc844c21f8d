/**
 * Map files the import has never seen, made inside the tests from a part of the OSM extract moved to another
 * place: OSM XML, a zipped Shapefile (written here byte by byte), GeoJSON and a KML boundary.
 */
import { readFileSync } from 'node:fs'
import { zipSync } from 'fflate'
import { OSM_EXTRACT_PATH } from '../../server/seed/osm.ts'

type Ring = number[][]

/** Buildings (one polygon per piece) and roads of the held-out part. */
export interface HeldOut {
  buildings: { id: number; name: string | null; levels: number | null; rings: Ring[] }[]
  roads: { id: number; highway: string; name: string | null; coords: number[][] }[]
  bbox: [number, number, number, number]
}

/**
 * The part of the extract east of `west` (and west of `east`), shifted by (dx, dy) degrees so it lies where no
 * community is: a place the import was never tuned on.
 */
export function heldOutExtract(options: { west: number; east: number; dx: number; dy: number }): HeldOut {
  const fc = JSON.parse(readFileSync(OSM_EXTRACT_PATH, 'utf8')) as { features: { geometry: { type: string; coordinates: unknown }; properties: Record<string, unknown> }[] }
  const move = (p: number[]) => [Math.round((p[0]! + options.dx) * 1e7) / 1e7, Math.round((p[1]! + options.dy) * 1e7) / 1e7]
  const inside = (ring: number[][]) => ring.every((p) => p[0]! >= options.west && p[0]! <= options.east)
  const out: HeldOut = { buildings: [], roads: [], bbox: [Infinity, Infinity, -Infinity, -Infinity] }
  let piece = 0
  for (const f of fc.features) {
    const p = f.properties
    if (p.layer === 'buildings' && f.geometry.type === 'Polygon' && p.kind !== 'building_part') {
      const rings = f.geometry.coordinates as Ring[]
      if (!inside(rings[0]!)) continue
      out.buildings.push({ id: Number(p.id) * 10 + (piece++ % 10), name: typeof p.name === 'string' ? p.name : null, levels: typeof p.height === 'number' ? Math.max(1, Math.round(p.height / 3)) : null, rings: rings.map((r) => r.map(move)) })
    } else if (p.layer === 'roads' && f.geometry.type === 'LineString') {
      const coords = f.geometry.coordinates as number[][]
      if (!coords.some((c) => c[0]! >= options.west && c[0]! <= options.east)) continue
      out.roads.push({ id: Number(p.id), highway: String(p.kind_detail ?? 'residential'), name: typeof p.name === 'string' ? p.name : null, coords: coords.map(move) })
    }
  }
  for (const b of out.buildings) {
    for (const [x, y] of b.rings[0]!) {
      out.bbox[0] = Math.min(out.bbox[0], x!)
      out.bbox[1] = Math.min(out.bbox[1], y!)
      out.bbox[2] = Math.max(out.bbox[2], x!)
      out.bbox[3] = Math.max(out.bbox[3], y!)
    }
  }
  return out
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')

/** The held-out part as OSM XML (nodes shared by coordinates, ways for buildings and roads), plus a few POI nodes. */
export function toOsmXml(part: HeldOut): string {
  const nodes = new Map<string, number>()
  const lines: string[] = []
  const node = (p: number[]) => {
    const key = `${p[0]},${p[1]}`
    let id = nodes.get(key)
    if (id === undefined) {
      id = nodes.size + 1
      nodes.set(key, id)
      lines.push(`  <node id="${id}" lat="${p[1]}" lon="${p[0]}"/>`)
    }
    return id
  }
  const ways: string[] = []
  for (const b of part.buildings) {
    const refs = b.rings[0]!.map(node)
    ways.push(
      `  <way id="${b.id}">${refs.map((r) => `<nd ref="${r}"/>`).join('')}<tag k="building" v="yes"/>` +
        `${b.name ? `<tag k="name" v="${esc(b.name)}"/>` : ''}${b.levels ? `<tag k="building:levels" v="${b.levels}"/>` : ''}</way>`,
    )
  }
  for (const r of part.roads) {
    const refs = r.coords.map(node)
    ways.push(`  <way id="${r.id}">${refs.map((x) => `<nd ref="${x}"/>`).join('')}<tag k="highway" v="${esc(r.highway)}"/>${r.name ? `<tag k="name" v="${esc(r.name)}"/>` : ''}</way>`)
  }
  const [minx, miny] = part.bbox
  lines.push(`  <node id="${nodes.size + 1}" lat="${miny + 0.0005}" lon="${minx + 0.0005}"><tag k="amenity" v="bench"/></node>`)
  return `<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="safegrid-test">\n${lines.join('\n')}\n${ways.join('\n')}\n</osm>\n`
}

/** A KML file with one polygon (the boundary). */
export function toKml(ring: Ring, name = '边界'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><Placemark><name>${esc(name)}</name>
<Polygon><outerBoundaryIs><LinearRing><coordinates>${ring.map((p) => `${p[0]},${p[1]},0`).join(' ')}</coordinates></LinearRing></outerBoundaryIs></Polygon>
</Placemark></Folder></Document></kml>`
}

/** A rectangle ring (counter-clockwise). */
export const rectangle = (minx: number, miny: number, maxx: number, maxy: number): Ring => [
  [minx, miny],
  [maxx, miny],
  [maxx, maxy],
  [minx, maxy],
  [minx, miny],
]

/** Twice the signed area of a ring: positive when counter-clockwise. */
function signedArea(ring: Ring): number {
  let a = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j]![0]! - ring[i]![0]!) * (ring[j]![1]! + ring[i]![1]!)
  return a
}

/** A zipped polygon Shapefile (.shp, .shx, .dbf with NAME and FLOORS, .prj WGS84, .cpg UTF-8). */
export function toShapefileZip(polygons: { rings: Ring[]; name: string | null; floors: number | null }[], options: { prj?: string } = {}): Uint8Array {
  const records: Uint8Array[] = []
  for (const [i, poly] of polygons.entries()) {
    // Shapefile outer rings turn clockwise, holes counter-clockwise (whatever the source's winding).
    const rings = poly.rings.map((r, k) => (signedArea(r) > 0 === (k === 0) ? [...r].reverse() : r))
    const points = rings.flat()
    const content = new DataView(new ArrayBuffer(44 + rings.length * 4 + points.length * 16))
    content.setInt32(0, 5, true)
    const xs = points.map((p) => p[0]!)
    const ys = points.map((p) => p[1]!)
    ;[Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((v, k) => content.setFloat64(4 + k * 8, v, true))
    content.setInt32(36, rings.length, true)
    content.setInt32(40, points.length, true)
    let at = 0
    rings.forEach((r, k) => {
      content.setInt32(44 + k * 4, at, true)
      at += r.length
    })
    points.forEach((p, k) => {
      content.setFloat64(44 + rings.length * 4 + k * 16, p[0]!, true)
      content.setFloat64(52 + rings.length * 4 + k * 16, p[1]!, true)
    })
    const header = new DataView(new ArrayBuffer(8))
    header.setInt32(0, i + 1, false)
    header.setInt32(4, content.byteLength / 2, false)
    records.push(new Uint8Array(header.buffer), new Uint8Array(content.buffer))
  }
  const body = records.reduce((n, r) => n + r.length, 0)
  const shp = new Uint8Array(100 + body)
  const h = new DataView(shp.buffer)
  h.setInt32(0, 9994, false)
  h.setInt32(24, shp.length / 2, false)
  h.setInt32(28, 1000, true)
  h.setInt32(32, 5, true)
  let at = 100
  for (const r of records) {
    shp.set(r, at)
    at += r.length
  }
  // .dbf: NAME C(80), FLOORS N(4).
  const enc = new TextEncoder()
  const fields = [
    { name: 'NAME', type: 'C', len: 80 },
    { name: 'FLOORS', type: 'N', len: 4 },
  ]
  const headerLen = 32 + fields.length * 32 + 1
  const recLen = 1 + fields.reduce((n, f) => n + f.len, 0)
  const dbf = new Uint8Array(headerLen + polygons.length * recLen + 1)
  const d = new DataView(dbf.buffer)
  dbf[0] = 3
  d.setUint32(4, polygons.length, true)
  d.setUint16(8, headerLen, true)
  d.setUint16(10, recLen, true)
  fields.forEach((f, k) => {
    dbf.set(enc.encode(f.name), 32 + k * 32)
    dbf[32 + k * 32 + 11] = f.type.charCodeAt(0)
    dbf[32 + k * 32 + 16] = f.len
  })
  dbf[headerLen - 1] = 0x0d
  polygons.forEach((p, i) => {
    const start = headerLen + i * recLen
    dbf[start] = 0x20
    const name = enc.encode(p.name ?? '').subarray(0, 80)
    dbf.fill(0x20, start + 1, start + recLen)
    dbf.set(name, start + 1)
    if (p.floors !== null) dbf.set(enc.encode(String(p.floors).padStart(4, ' ')), start + 81)
  })
  dbf[dbf.length - 1] = 0x1a
  const prj = options.prj ?? 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
  return zipSync({ 'buildings/楼栋.shp': shp, 'buildings/楼栋.dbf': dbf, 'buildings/楼栋.prj': enc.encode(prj), 'buildings/楼栋.cpg': enc.encode('UTF-8') })
}
