import { expect, test } from 'vitest'
import { gcj02ToWgs84, mapPositions, outOfChina, wgs84ToGcj02 } from '../core/gcj02.ts'

/** Published WGS84 → GCJ-02 pairs (the eviltransform test vectors): [wgsLon, wgsLat, gcjLon, gcjLat]. */
const KNOWN: [number, number, number, number][] = [
  [121.5272106, 31.1774276, 121.531541859215, 31.17530398364597], // Shanghai
  [113.912316, 22.543847, 113.9171764808363, 22.540796131694766], // Shenzhen
  [116.377817, 39.911954, 116.38404722455657, 39.91334545536069], // Beijing
]

/** Metres between two lon/lat points (equirectangular; fine at these distances). */
function metres(a: [number, number], b: [number, number]): number {
  const k = (Math.PI / 180) * 6_371_008.8
  return Math.hypot((a[0] - b[0]) * k * Math.cos(((a[1] + b[1]) / 2) * (Math.PI / 180)), (a[1] - b[1]) * k)
}

test('WGS84 → GCJ-02 matches the published pairs', () => {
  for (const [wLon, wLat, gLon, gLat] of KNOWN) {
    const [lon, lat] = wgs84ToGcj02(wLon, wLat)
    expect(Math.abs(lon - gLon)).toBeLessThan(1e-9)
    expect(Math.abs(lat - gLat)).toBeLessThan(1e-9)
  }
})

test('GCJ-02 → WGS84 recovers the published WGS84 points within a centimetre', () => {
  for (const [wLon, wLat, gLon, gLat] of KNOWN) expect(metres(gcj02ToWgs84(gLon, gLat), [wLon, wLat])).toBeLessThan(0.01)
})

test('the round trip over Wuhan stays within 0.5 m while the offset itself is hundreds of metres', () => {
  for (let lon = 114.2; lon <= 114.6; lon += 0.05) {
    for (let lat = 30.4; lat <= 30.7; lat += 0.05) {
      const gcj = wgs84ToGcj02(lon, lat)
      expect(metres(gcj, [lon, lat])).toBeGreaterThan(100)
      expect(metres(gcj02ToWgs84(gcj[0], gcj[1]), [lon, lat])).toBeLessThan(0.5)
    }
  }
})

test('outside China there is no offset', () => {
  expect(outOfChina(2.35, 48.85)).toBe(true)
  expect(wgs84ToGcj02(2.35, 48.85)).toEqual([2.35, 48.85])
  expect(gcj02ToWgs84(-74, 40.7)).toEqual([-74, 40.7])
})

test('mapPositions converts every position of nested coordinates and keeps altitude', () => {
  const out = mapPositions([[[1, 2, 9], [3, 4]]], (lon, lat) => [lon * 10, lat * 10]) as number[][][]
  expect(out).toEqual([[[10, 20, 9], [30, 40]]])
})
