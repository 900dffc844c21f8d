/**
 * Hex EWKB (SRID 4326) for bulk loads: PostGIS parses it faster than WKT, in COPY and in
 * `jsonb_to_recordset` alike. Coordinates are [lon, lat].
 */

/** A lon/lat position. */
export type LonLat = [number, number]

const SRID = 4326
const WITH_SRID = 0x20000000

class Writer {
  private buf: Buffer
  private pos = 0
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size)
  }
  header(type: number, srid: boolean): void {
    this.buf.writeUInt8(1, this.pos)
    this.buf.writeUInt32LE(srid ? (type | WITH_SRID) >>> 0 : type, this.pos + 1)
    this.pos += 5
    if (srid) {
      this.buf.writeUInt32LE(SRID, this.pos)
      this.pos += 4
    }
  }
  uint(n: number): void {
    this.buf.writeUInt32LE(n, this.pos)
    this.pos += 4
  }
  points(points: readonly LonLat[]): void {
    for (const [x, y] of points) {
      this.buf.writeDoubleLE(x, this.pos)
      this.buf.writeDoubleLE(y, this.pos + 8)
      this.pos += 16
    }
  }
  hex(): string {
    return this.buf.toString('hex', 0, this.pos)
  }
}

/** A Point. */
export function pointHex(p: LonLat): string {
  const w = new Writer(25)
  w.header(1, true)
  w.points([p])
  return w.hex()
}

/** A LineString. */
export function lineHex(line: readonly LonLat[]): string {
  const w = new Writer(13 + 16 * line.length)
  w.header(2, true)
  w.uint(line.length)
  w.points(line)
  return w.hex()
}

/** A MultiLineString. */
export function multiLineHex(lines: readonly (readonly LonLat[])[]): string {
  const w = new Writer(13 + lines.reduce((n, l) => n + 9 + 16 * l.length, 0))
  w.header(5, true)
  w.uint(lines.length)
  for (const line of lines) {
    w.header(2, false)
    w.uint(line.length)
    w.points(line)
  }
  return w.hex()
}

/** A MultiPolygon of polygons given as rings (closed: first point repeated last). */
export function multiPolygonHex(polygons: readonly (readonly (readonly LonLat[])[])[]): string {
  const size = 13 + polygons.reduce((n, rings) => n + 9 + rings.reduce((m, r) => m + 4 + 16 * r.length, 0), 0)
  const w = new Writer(size)
  w.header(6, true)
  w.uint(polygons.length)
  for (const rings of polygons) {
    w.header(3, false)
    w.uint(rings.length)
    for (const ring of rings) {
      w.uint(ring.length)
      w.points(ring)
    }
  }
  return w.hex()
}
