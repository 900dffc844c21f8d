import type { Polygon } from 'geojson'
import { expect, test } from 'vitest'
import { gapsOf, overlapsWith, segmentsOf, snapTo, splitZone } from '../web/map/zone-geometry.ts'

/** A lon/lat square near the test community (about 96 m × 111 m per 0.001°). */
const square = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
})
const community = square(114.5, 30.6, 114.502, 30.602)

/** A flat projection: 1 px per 1e-6° (enough for the snapping arithmetic). */
const project = (lng: number, lat: number) => ({ x: (lng - 114.5) * 1e6, y: (30.602 - lat) * 1e6 })

test('the overlap of two zones is found with its area', () => {
  const [o] = overlapsWith(square(114.5, 30.6, 114.5012, 30.601), [{ id: 7, geometry: square(114.501, 30.6, 114.502, 30.601) }])
  expect(o?.properties.zoneId).toBe(7)
  // 0.0002° × 0.001° ≈ 19.2 m × 111 m.
  expect(o!.properties.areaM2).toBeGreaterThan(2000)
  expect(o!.properties.areaM2).toBeLessThan(2300)
})

test('zones that only touch do not overlap', () => {
  expect(overlapsWith(square(114.5, 30.6, 114.501, 30.601), [{ id: 1, geometry: square(114.501, 30.6, 114.502, 30.601) }])).toEqual([])
})

test('the gap is what the zones leave of the community', () => {
  const gap = gapsOf(community, [square(114.5, 30.6, 114.502, 30.601)])
  expect(gap!.properties.areaM2).toBeGreaterThan(20_000)
  expect(gapsOf(community, [community])).toBeNull()
})

test('a zone splits into the part inside the cut and the rest', () => {
  const parts = splitZone(community, square(114.499, 30.599, 114.501, 30.603))
  expect(parts).not.toBeNull()
  expect(splitZone(community, square(114.6, 30.6, 114.601, 30.601))).toBeNull()
})

test('a pointer snaps to a nearby vertex first, else to the nearest point of an edge', () => {
  const segments = segmentsOf([community])
  // 5 px from the corner (114.5, 30.6).
  expect(snapTo({ x: 5, y: 2000, lng: 114.500005, lat: 30.6 }, segments, project, 0.001)).toEqual([114.5, 30.6])
  // 6 px off the middle of the west edge: onto the edge.
  const edge = snapTo({ x: 6, y: 1000, lng: 114.500006, lat: 30.601 }, segments, project, 0.001)!
  expect(edge[0]).toBeCloseTo(114.5, 9)
  expect(edge[1]).toBeCloseTo(30.601, 6)
  // Far away: no snap.
  expect(snapTo({ x: 500, y: 1000, lng: 114.5005, lat: 30.601 }, segments, project, 0.001)).toBeUndefined()
})
