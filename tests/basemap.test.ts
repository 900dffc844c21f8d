import { describe, expect, test } from 'vitest'
import { loadBasemap } from '../server/basemap.ts'
import { createApp } from '../server/app.ts'
import type { Sql } from '../server/db/connect.ts'
import { collectionToGcj02, fromDisplay, toDisplay } from '../web/domain/basemap.ts'

/** Great-circle distance in metres. */
function metres(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180
  const dLat = (b[1] - a[1]) * rad
  const dLon = (b[0] - a[0]) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h))
}

/** Optics Valley Square (光谷广场), WGS84. */
const GUANGGU: [number, number] = [114.398, 30.5058]

describe('shifting our layers onto a GCJ-02 base map', () => {
  test('a known point moves 300–500 m, onto its published GCJ-02 position', () => {
    // Shanghai (Pudong), WGS84 → GCJ-02 as published with the transform.
    const wgs: [number, number] = [121.5272106, 31.1774276]
    const fc = collectionToGcj02({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: wgs }, properties: {} }] })
    const moved = fc.features[0]!.geometry.coordinates as [number, number]
    expect(moved[0]).toBeCloseTo(121.531541859215, 9)
    expect(moved[1]).toBeCloseTo(31.17530398364597, 9)
    const d = metres(wgs, moved)
    expect(d).toBeGreaterThan(300)
    expect(d).toBeLessThan(500)
  })

  test('the demo community moves a few hundred metres to the south-east', () => {
    const [lon, lat] = toDisplay(GUANGGU[0], GUANGGU[1], 'gcj02')
    const d = metres(GUANGGU, [lon, lat])
    expect(d).toBeGreaterThan(300)
    expect(d).toBeLessThan(700)
    expect(lon).toBeGreaterThan(GUANGGU[0])
    expect(lat).toBeLessThan(GUANGGU[1])
  })

  test('every vertex of a polygon moves, and the input is left as it was', () => {
    const ring = [GUANGGU, [114.399, 30.5058], [114.399, 30.5068], GUANGGU]
    const input = { type: 'FeatureCollection' as const, features: [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { id: 1 } }] }
    const copy = JSON.stringify(input)
    const out = collectionToGcj02(input)
    expect(JSON.stringify(input)).toBe(copy)
    const shifted = (out.features[0]!.geometry.coordinates as number[][][])[0]!
    expect(shifted).toHaveLength(4)
    shifted.forEach((p, i) => expect(metres(ring[i] as [number, number], p as [number, number])).toBeGreaterThan(300))
  })

  test('a click on the shifted map comes back to WGS84 within a millimetre', () => {
    const shown = toDisplay(GUANGGU[0], GUANGGU[1], 'gcj02')
    const back = fromDisplay(shown[0], shown[1], 'gcj02')
    expect(metres(back, GUANGGU)).toBeLessThan(0.001)
  })

  test('over a WGS84 base map nothing moves', () => {
    expect(toDisplay(GUANGGU[0], GUANGGU[1], 'wgs84')).toEqual(GUANGGU)
  })
})

describe('configuration', () => {
  test('no BASEMAP_URL, no base map', () => {
    expect(loadBasemap({})).toBeNull()
  })

  test('the variables are read and checked', () => {
    expect(loadBasemap({ BASEMAP_URL: 'https://tiles.example.org/{z}/{x}/{y}.png', BASEMAP_CRS: 'GCJ02', BASEMAP_ATTRIBUTION: '© Example' })).toEqual({
      type: 'raster',
      url: 'https://tiles.example.org/{z}/{x}/{y}.png',
      attribution: '© Example',
      crs: 'gcj02',
    })
    expect(() => loadBasemap({ BASEMAP_URL: 'ftp://x/y' })).toThrow(/http/)
    expect(() => loadBasemap({ BASEMAP_URL: 'https://x/y', BASEMAP_TYPE: 'wms' })).toThrow(/raster or vector/)
  })

  test('GET /api/config answers null and the CSP allows no other origin by default', async () => {
    const app = createApp({ sql: {} as Sql, basemap: null })
    const res = await app.request('/api/config')
    expect(await res.json()).toEqual({ basemap: null })
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self';")
  })

  test('a configured base map is served and its origin allowed by the CSP', async () => {
    const basemap = { type: 'raster' as const, url: 'https://tiles.example.org/{z}/{x}/{y}.png', attribution: '© Example', crs: 'gcj02' as const }
    const res = await createApp({ sql: {} as Sql, basemap }).request('/api/config')
    expect(await res.json()).toEqual({ basemap })
    const csp = res.headers.get('content-security-policy')!
    expect(csp).toContain("connect-src 'self' https://tiles.example.org")
    expect(csp).toContain("img-src 'self' data: blob: https://tiles.example.org")
  })
})
