/**
 * A small Mapbox Vector Tile (MVT 2.1) encoder, for databases whose PostGIS cannot encode tiles
 * (PGlite is built without protobuf-c). It writes what PostGIS's ST_AsMVT writes for the same rows:
 * one layer, features in the given order, the keys in column order, values deduplicated in order of first use,
 * integers ≥ 0 as `uint_value`, negative ones as `sint_value`, other numbers as `double_value`,
 * null properties left out, polygon rings without their closing point and closed by ClosePath.
 * Fields go out in field-number order, as protobuf-c writes them, so the bytes match ST_AsMVT's too.
 * Geometry must already be in tile coordinates (integers, y down), as `safegrid_tile_geom` gives it.
 */
import { PbfWriter } from 'pbf'

/** A GeoJSON geometry in tile coordinates. */
export type TileGeometry =
  | { type: 'Point'; coordinates: number[] }
  | { type: 'MultiPoint'; coordinates: number[][] }
  | { type: 'LineString'; coordinates: number[][] }
  | { type: 'MultiLineString'; coordinates: number[][][] }
  | { type: 'Polygon'; coordinates: number[][][] }
  | { type: 'MultiPolygon'; coordinates: number[][][][] }

/** A property value a tile can carry (null: left out). */
export type TileValue = string | number | boolean | null

/** One feature to encode. */
export interface TileFeature {
  id: number
  /** Properties in column order. */
  properties: [string, TileValue][]
  geometry: TileGeometry
}

/** Default tile extent (pixels across a tile). */
export const MVT_EXTENT = 4096

const enum GeomType {
  Point = 1,
  LineString = 2,
  Polygon = 3,
}

const command = (id: number, count: number): number => (count << 3) | (id & 0x7)
const zigzag = (n: number): number => (n << 1) ^ (n >> 31)

/** The packed command stream of one geometry (cursor starts at 0,0 per feature). */
function geometryCommands(geometry: TileGeometry): { type: GeomType; commands: number[] } {
  const out: number[] = []
  let cx = 0
  let cy = 0
  const moveTo = (points: number[][]): void => {
    out.push(command(1, points.length))
    for (const p of points) {
      const x = Math.trunc(p[0]!)
      const y = Math.trunc(p[1]!)
      out.push(zigzag(x - cx), zigzag(y - cy))
      cx = x
      cy = y
    }
  }
  const path = (points: number[][], ring: boolean): void => {
    const n = ring ? points.length - 1 : points.length
    if (n < 1) return
    moveTo([points[0]!])
    if (n > 1) {
      out.push(command(2, n - 1))
      for (let i = 1; i < n; i++) {
        const x = Math.trunc(points[i]![0]!)
        const y = Math.trunc(points[i]![1]!)
        out.push(zigzag(x - cx), zigzag(y - cy))
        cx = x
        cy = y
      }
    }
    if (ring) out.push(command(7, 1))
  }
  switch (geometry.type) {
    case 'Point':
      moveTo([geometry.coordinates])
      return { type: GeomType.Point, commands: out }
    case 'MultiPoint':
      moveTo(geometry.coordinates)
      return { type: GeomType.Point, commands: out }
    case 'LineString':
      path(geometry.coordinates, false)
      return { type: GeomType.LineString, commands: out }
    case 'MultiLineString':
      for (const line of geometry.coordinates) path(line, false)
      return { type: GeomType.LineString, commands: out }
    case 'Polygon':
      for (const ring of geometry.coordinates) path(ring, true)
      return { type: GeomType.Polygon, commands: out }
    case 'MultiPolygon':
      for (const polygon of geometry.coordinates) for (const ring of polygon) path(ring, true)
      return { type: GeomType.Polygon, commands: out }
  }
}

/** Key of a value in the value table: the same value of another type is another entry (as in PostGIS). */
function valueKey(value: string | number | boolean): string {
  if (typeof value === 'string') return `s${value}`
  if (typeof value === 'boolean') return value ? 'b1' : 'b0'
  return `n${value}`
}

/**
 * Encode one layer as a tile. Returns an empty array when there are no features (serve 204 then).
 */
export function encodeMvt(name: string, features: readonly TileFeature[], extent = MVT_EXTENT): Uint8Array {
  if (features.length === 0) return new Uint8Array(0)
  const keys: string[] = []
  const keyIndex = new Map<string, number>()
  const values: (string | number | boolean)[] = []
  const valueIndex = new Map<string, number>()
  // Like ST_AsMVT, every column is a key from the start (in column order), null or not.
  for (const [key] of features[0]!.properties) {
    if (!keyIndex.has(key)) keyIndex.set(key, keys.push(key) - 1)
  }
  const encoded = features.map((f) => {
    const tags: number[] = []
    for (const [key, value] of f.properties) {
      if (value === null || value === undefined) continue
      let k = keyIndex.get(key)
      if (k === undefined) {
        k = keys.push(key) - 1
        keyIndex.set(key, k)
      }
      const vk = valueKey(value)
      let v = valueIndex.get(vk)
      if (v === undefined) {
        v = values.push(value) - 1
        valueIndex.set(vk, v)
      }
      tags.push(k, v)
    }
    return { id: f.id, tags, ...geometryCommands(f.geometry) }
  })
  const pbf = new PbfWriter()
  pbf.writeMessage(3, () => {
    pbf.writeStringField(1, name)
    for (const f of encoded) {
      pbf.writeMessage(2, () => {
        pbf.writeVarintField(1, f.id)
        if (f.tags.length > 0) pbf.writePackedVarint(2, f.tags)
        pbf.writeVarintField(3, f.type)
        pbf.writePackedVarint(4, f.commands)
      }, undefined)
    }
    for (const key of keys) pbf.writeStringField(3, key)
    for (const value of values) {
      pbf.writeMessage(4, () => {
        if (typeof value === 'string') pbf.writeStringField(1, value)
        else if (typeof value === 'boolean') pbf.writeBooleanField(7, value)
        else if (Number.isInteger(value) && value >= 0) pbf.writeVarintField(5, value)
        else if (Number.isInteger(value)) pbf.writeSVarintField(6, value)
        else pbf.writeDoubleField(3, value)
      }, undefined)
    }
    pbf.writeVarintField(5, extent)
    pbf.writeVarintField(15, 2)
  }, undefined)
  return pbf.finish()
}

/** The tile x/y (Web Mercator, XYZ scheme) holding a WGS84 point at zoom z. */
export function tileOf(lon: number, lat: number, z: number): { x: number; y: number } {
  const n = 2 ** z
  const rad = (lat * Math.PI) / 180
  const x = Math.floor(((lon + 180) / 360) * n)
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n)
  return { x: Math.min(n - 1, Math.max(0, x)), y: Math.min(n - 1, Math.max(0, y)) }
}

/** Every tile at zoom z that a WGS84 box [minLon, minLat, maxLon, maxLat] touches, row by row. */
export function tilesCovering(bbox: readonly [number, number, number, number], z: number): { z: number; x: number; y: number }[] {
  const a = tileOf(bbox[0], bbox[3], z)
  const b = tileOf(bbox[2], bbox[1], z)
  const out: { z: number; x: number; y: number }[] = []
  for (let y = a.y; y <= b.y; y++) for (let x = a.x; x <= b.x; x++) out.push({ z, x, y })
  return out
}
