/**
 * GCJ-02 (国测局坐标, "Mars coordinates"): the obfuscated datum of most Chinese web maps (AMap, Tencent,
 * and Baidu before its own BD-09 step). Imports made by tracing such a map are shifted 100–700 m from
 * WGS84; {@link gcj02ToWgs84} undoes the shift.
 *
 * The forward transform is the published Krasovsky-ellipsoid polynomial; it has no closed-form inverse,
 * so the inverse iterates: guess w = g, then w ← w + (g − forward(w)) until the step is below 1e-10°
 * (about 0.01 mm), which takes 3–5 rounds. Outside the rough China rectangle there is no shift.
 */

/** `[lon, lat]` in degrees. */
export type LonLat = [number, number]

/** Semi-major axis of the Krasovsky 1940 ellipsoid (metres). */
const A = 6378245.0
/** First eccentricity squared of the Krasovsky 1940 ellipsoid. */
const EE = 0.006693421622965943

/** Whether a point lies outside the rectangle where GCJ-02 applies (there it equals WGS84). */
export function outOfChina(lon: number, lat: number): boolean {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
}

function shiftLat(x: number, y: number): number {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0
  r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0
  return r
}

function shiftLon(x: number, y: number): number {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0
  r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0
  return r
}

/** WGS84 → GCJ-02 (the published forward transform). */
export function wgs84ToGcj02(lon: number, lat: number): LonLat {
  if (outOfChina(lon, lat)) return [lon, lat]
  let dLat = shiftLat(lon - 105.0, lat - 35.0)
  let dLon = shiftLon(lon - 105.0, lat - 35.0)
  const radLat = (lat / 180.0) * Math.PI
  let magic = Math.sin(radLat)
  magic = 1 - EE * magic * magic
  const sqrtMagic = Math.sqrt(magic)
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI)
  dLon = (dLon * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI)
  return [lon + dLon, lat + dLat]
}

/** Step below which {@link gcj02ToWgs84} stops, in degrees (≈ 0.01 mm). */
const INVERSE_EPSILON = 1e-10
/** Most rounds {@link gcj02ToWgs84} takes (it converges in 3–5). */
const INVERSE_MAX_ROUNDS = 30

/** GCJ-02 → WGS84 by fixed-point iteration of the forward transform (error far below a millimetre). */
export function gcj02ToWgs84(lon: number, lat: number): LonLat {
  if (outOfChina(lon, lat)) return [lon, lat]
  let wLon = lon
  let wLat = lat
  for (let i = 0; i < INVERSE_MAX_ROUNDS; i++) {
    const [gLon, gLat] = wgs84ToGcj02(wLon, wLat)
    const dLon = lon - gLon
    const dLat = lat - gLat
    wLon += dLon
    wLat += dLat
    if (Math.abs(dLon) < INVERSE_EPSILON && Math.abs(dLat) < INVERSE_EPSILON) break
  }
  return [wLon, wLat]
}

/** Map every position of GeoJSON `coordinates` (any nesting depth) through `fn`, keeping extra ordinates. */
export function mapPositions(coordinates: unknown, fn: (lon: number, lat: number) => LonLat): unknown {
  if (!Array.isArray(coordinates)) return coordinates
  if (coordinates.length >= 2 && typeof coordinates[0] === 'number' && typeof coordinates[1] === 'number') {
    const [lon, lat] = fn(coordinates[0], coordinates[1])
    return [lon, lat, ...coordinates.slice(2)]
  }
  return coordinates.map((c) => mapPositions(c, fn))
}
