/**
 * Reading a zipped ESRI Shapefile (.shp + .dbf, optional .prj and .cpg) into GeoJSON features, in plain
 * TypeScript: points, multipoints, polylines and polygons (Z and M variants read as 2D). Sizes are capped
 * before anything is inflated or walked; a projected .prj is refused (export as WGS84 lon/lat).
 */
import { Unzip, UnzipInflate } from 'fflate'

/** A feature read from a map file. */
export interface RawFeature {
  geometry: { type: string; coordinates: unknown } | null
  properties: Record<string, unknown>
}

/** Largest single file inflated from a ZIP. */
export const ZIP_ENTRY_MAX_BYTES = 100 * 1024 * 1024
/** Most entries a ZIP may hold. */
export const ZIP_MAX_ENTRIES = 200

/** A refusal of a whole file, with a reason the user can act on. */
export class MapFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MapFileError'
  }
}

/** The entries of a ZIP whose names match `keep`, inflated with a cap on each (a ZIP bomb stops at the cap). */
export function unzipEntries(bytes: Uint8Array, keep: (name: string) => boolean, maxBytes = ZIP_ENTRY_MAX_BYTES): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>()
  let entries = 0
  let failure: string | null = null
  const unzip = new Unzip((file) => {
    if (++entries > ZIP_MAX_ENTRIES) {
      failure = `the ZIP holds more than ${ZIP_MAX_ENTRIES} files`
      return
    }
    if (!keep(file.name) || failure) return
    const chunks: Uint8Array[] = []
    let size = 0
    file.ondata = (error, data, final) => {
      if (error) {
        failure = `cannot inflate ${file.name}`
        return
      }
      size += data.length
      if (size > maxBytes) {
        failure = `${file.name} inflates to more than ${Math.round(maxBytes / 1024 / 1024)} MB`
        file.terminate()
        return
      }
      chunks.push(data)
      if (final) {
        const all = new Uint8Array(size)
        let at = 0
        for (const c of chunks) {
          all.set(c, at)
          at += c.length
        }
        out.set(file.name, all)
      }
    }
    file.start()
  })
  unzip.register(UnzipInflate)
  try {
    unzip.push(bytes, true)
  } catch {
    throw new MapFileError('not a readable ZIP archive')
  }
  if (failure) throw new MapFileError(failure)
  return out
}

const ringArea = (ring: number[][]): number => {
  let a = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j]![0]! - ring[i]![0]!) * (ring[j]![1]! + ring[i]![1]!)
  return a / 2
}

const pointInRing = (p: number[], ring: number[][]): boolean => {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number]
    const [xj, yj] = ring[j] as [number, number]
    if (yi > p[1]! !== yj > p[1]! && p[0]! < ((xj - xi) * (p[1]! - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

/**
 * Rings to polygons: each outer ring starts a polygon, each hole goes to the first outer ring holding its first
 * point. Outer rings are told by orientation (`outerClockwise` for Shapefiles) and exterior rings come out
 * counter-clockwise as GeoJSON wants.
 */
export function ringsToPolygons(rings: number[][][], outerClockwise: boolean): number[][][][] {
  const outers: number[][][][] = []
  const holes: number[][][] = []
  for (const ring of rings) {
    if (ring.length < 4) continue
    // The shoelace sum as written is positive for counter-clockwise rings (x = east, y = north).
    const clockwise = ringArea(ring) < 0
    if (clockwise === outerClockwise) outers.push([clockwise ? [...ring].reverse() : ring])
    else holes.push(clockwise ? ring : [...ring].reverse())
  }
  if (outers.length === 0) return holes.map((h) => [[...h].reverse()])
  for (const hole of holes) {
    const owner = outers.find((poly) => pointInRing(hole[0]!, poly[0]!)) ?? outers[0]!
    owner.push(hole)
  }
  return outers
}

/** The decoder for a .cpg code page (UTF-8 by default; GBK / 936 for most Chinese data). */
function decoderFor(cpg: string | undefined): TextDecoder {
  const name = (cpg ?? '').trim().toLowerCase()
  const label = /^(936|cp936|gbk|gb2312|gb18030)$/.test(name) ? 'gbk' : /^(utf-?8|65001)$/.test(name) ? 'utf-8' : ''
  if (label) return new TextDecoder(label)
  return new TextDecoder('utf-8')
}

/** Read the rows of a .dbf table. */
export function readDbf(bytes: Uint8Array, cpg: string | undefined, maxRows: number): Record<string, unknown>[] {
  if (bytes.length < 32) throw new MapFileError('the .dbf table is truncated')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const count = view.getUint32(4, true)
  const headerLength = view.getUint16(8, true)
  const recordLength = view.getUint16(10, true)
  if (count > maxRows) throw new MapFileError(`the .dbf table has more than ${maxRows} rows`)
  const fields: { name: string; type: string; length: number; offset: number }[] = []
  let offset = 1
  for (let at = 32; at + 32 <= headerLength && bytes[at] !== 0x0d && fields.length < 255; at += 32) {
    const name = new TextDecoder('latin1').decode(bytes.subarray(at, at + 11)).replace(/\0.*$/, '').trim()
    const field = { name, type: String.fromCharCode(bytes[at + 11]!), length: bytes[at + 16]!, offset }
    offset += field.length
    fields.push(field)
  }
  const explicit = cpg !== undefined && cpg.trim() !== ''
  let decoder = decoderFor(cpg)
  const rows: Record<string, unknown>[] = []
  for (let r = 0; r < count; r++) {
    const start = headerLength + r * recordLength
    if (start + recordLength > bytes.length) break
    const row: Record<string, unknown> = {}
    for (const f of fields) {
      const raw = bytes.subarray(start + f.offset, start + f.offset + f.length)
      let text: string
      try {
        text = decoder.decode(raw)
      } catch {
        text = ''
      }
      // Without a .cpg, text that is not valid UTF-8 is most likely GBK (Chinese GIS software).
      if (!explicit && text.includes('\uFFFD')) {
        decoder = new TextDecoder('gbk')
        text = decoder.decode(raw)
      }
      text = text.replace(/\0/g, '').trim()
      if (text === '') row[f.name] = null
      else if (f.type === 'N' || f.type === 'F') row[f.name] = Number.isFinite(Number(text)) ? Number(text) : text
      else if (f.type === 'L') row[f.name] = /^[tTyY]$/.test(text)
      else row[f.name] = text
    }
    rows.push(row)
  }
  return rows
}

/** Read the shapes of a .shp file (2D), capped at `maxShapes` and `maxPoints` positions in all. */
export function readShp(bytes: Uint8Array, maxShapes: number, maxPoints: number): (RawFeature['geometry'])[] {
  if (bytes.length < 100) throw new MapFileError('the .shp file is truncated')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (view.getInt32(0, false) !== 9994) throw new MapFileError('not a .shp file')
  const shapes: RawFeature['geometry'][] = []
  let points = 0
  let at = 100
  while (at + 8 <= bytes.length) {
    const length = view.getInt32(at + 4, false) * 2
    const start = at + 8
    at = start + length
    if (length < 4 || at > bytes.length) break
    if (shapes.length >= maxShapes) throw new MapFileError(`more than ${maxShapes} shapes`)
    const type = view.getInt32(start, true)
    const base = type % 10 === 0 ? 0 : type > 20 ? type - 20 : type > 10 ? type - 10 : type
    if (type === 0) {
      shapes.push(null)
      continue
    }
    if (base === 1) {
      shapes.push({ type: 'Point', coordinates: [view.getFloat64(start + 4, true), view.getFloat64(start + 12, true)] })
      points++
      continue
    }
    if (base === 8) {
      const n = view.getInt32(start + 36, true)
      points += n
      if (points > maxPoints || start + 40 + n * 16 > at) throw new MapFileError(`more than ${maxPoints} positions`)
      const coords: number[][] = []
      for (let i = 0; i < n; i++) coords.push([view.getFloat64(start + 40 + i * 16, true), view.getFloat64(start + 48 + i * 16, true)])
      shapes.push({ type: 'MultiPoint', coordinates: coords })
      continue
    }
    if (base !== 3 && base !== 5) throw new MapFileError(`shape type ${type} is not supported`)
    const numParts = view.getInt32(start + 36, true)
    const numPoints = view.getInt32(start + 40, true)
    points += numPoints
    if (numParts < 0 || numPoints < 0 || points > maxPoints) throw new MapFileError(`more than ${maxPoints} positions`)
    const partsAt = start + 44
    const pointsAt = partsAt + numParts * 4
    if (pointsAt + numPoints * 16 > at) throw new MapFileError('a shape record is truncated')
    const parts: number[][][] = []
    for (let p = 0; p < numParts; p++) {
      const from = view.getInt32(partsAt + p * 4, true)
      const to = p + 1 < numParts ? view.getInt32(partsAt + (p + 1) * 4, true) : numPoints
      if (from < 0 || to > numPoints || from > to) throw new MapFileError('a shape record is corrupt')
      const ring: number[][] = []
      for (let i = from; i < to; i++) ring.push([view.getFloat64(pointsAt + i * 16, true), view.getFloat64(pointsAt + i * 16 + 8, true)])
      parts.push(ring)
    }
    if (base === 3) shapes.push(parts.length === 1 ? { type: 'LineString', coordinates: parts[0] } : { type: 'MultiLineString', coordinates: parts })
    else {
      const polygons = ringsToPolygons(parts, true)
      shapes.push(polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons })
    }
  }
  return shapes
}

/**
 * Every layer of a zipped Shapefile as features; properties from the .dbf (text decoded by the .cpg, else
 * UTF-8 falling back to GBK). A .prj that names a projected system is refused.
 */
export function readShapefileZip(bytes: Uint8Array, limits: { maxFeatures: number; maxPoints: number }): { layer: string; features: RawFeature[] }[] {
  const entries = unzipEntries(bytes, (name) => /\.(shp|dbf|prj|cpg)$/i.test(name) && !name.startsWith('__MACOSX/'))
  const shps = [...entries.keys()].filter((n) => /\.shp$/i.test(n))
  if (shps.length === 0) throw new MapFileError('the ZIP holds no .shp file')
  const out: { layer: string; features: RawFeature[] }[] = []
  let total = 0
  for (const shpName of shps) {
    const stem = shpName.slice(0, -4)
    const find = (ext: string) => [...entries.keys()].find((n) => n.toLowerCase() === `${stem}.${ext}`.toLowerCase())
    const prj = find('prj')
    if (prj) {
      const text = new TextDecoder().decode(entries.get(prj)!)
      if (/^\s*PROJCS/i.test(text)) {
        throw new MapFileError(`${shpName} is in a projected system (${text.match(/PROJCS\["([^"]+)"/)?.[1] ?? 'PROJCS'}); export it as WGS84 (EPSG:4326) lon/lat`)
      }
    }
    const cpgName = find('cpg')
    const shapes = readShp(entries.get(shpName)!, limits.maxFeatures - total, limits.maxPoints)
    total += shapes.length
    const dbfName = find('dbf')
    const rows = dbfName ? readDbf(entries.get(dbfName)!, cpgName ? new TextDecoder().decode(entries.get(cpgName)!) : undefined, limits.maxFeatures) : []
    out.push({ layer: stem.split('/').pop() ?? stem, features: shapes.map((geometry, i) => ({ geometry, properties: rows[i] ?? {} })) })
  }
  return out
}
