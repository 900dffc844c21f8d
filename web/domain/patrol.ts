/**
 * Pure helpers of the leader view: time windows (tonight = 18:00–06:00 Asia/Shanghai), tracks up to
 * a playback time, people's last positions, and the walking order of the next round.
 */
import { distance, pointOnFeature } from '@turf/turf'
import type { Feature, Geometry, LineString, Point } from 'geojson'
import type { TrackCollection, UnvisitedProperties } from '../api/patrol.ts'
import { DAY_MS, HOUR_MS, startOfShanghaiDay } from './time.ts'

/** A time window [from, to) in epoch milliseconds. */
export interface TimeWindow {
  from: number
  to: number
}

/** The window presets of the leader view. */
export const WINDOW_PRESETS = ['tonight', 'lastNight', 'today', 'last24h'] as const
/** One of {@link WINDOW_PRESETS}, or a window typed in. */
export type WindowPreset = (typeof WINDOW_PRESETS)[number] | 'custom'

/** Patrol nights run from 18:00 to 06:00 Asia/Shanghai. */
export const NIGHT_START_HOUR = 18
export const NIGHT_HOURS = 12

/**
 * "Tonight": the 18:00–06:00 Asia/Shanghai night that is under way or, by day, the last one
 * (at 10:00 that is yesterday 18:00 → today 06:00; at 21:00 today 18:00 → tomorrow 06:00).
 */
export function tonight(now: number): TimeWindow {
  const midnight = startOfShanghaiDay(now).getTime()
  const todayEvening = midnight + NIGHT_START_HOUR * HOUR_MS
  const from = now >= todayEvening ? todayEvening : todayEvening - DAY_MS
  return { from, to: from + NIGHT_HOURS * HOUR_MS }
}

/** The window of a preset at `now`. */
export function presetWindow(preset: Exclude<WindowPreset, 'custom'>, now: number): TimeWindow {
  switch (preset) {
    case 'tonight':
      return tonight(now)
    case 'lastNight': {
      const t = tonight(now)
      return { from: t.from - DAY_MS, to: t.to - DAY_MS }
    }
    case 'today': {
      const from = startOfShanghaiDay(now).getTime()
      return { from, to: from + DAY_MS }
    }
    case 'last24h':
      return { from: now - DAY_MS, to: now }
  }
}

/** Tracks drawn up to time `t` (ms): each run cut after its last vertex at or before `t`; runs not started yet left out. */
export function tracksUpTo(fc: TrackCollection, t: number): TrackCollection {
  const features: TrackCollection['features'] = []
  for (const f of fc.features) {
    const start = Date.parse(f.properties.from)
    if (start > t) continue
    if (Date.parse(f.properties.to) <= t) {
      features.push(f)
      continue
    }
    const times = f.properties.times
    let n = 0
    while (n < times.length && start + (times[n] ?? 0) * 1000 <= t) n++
    const coords = f.geometry.coordinates.slice(0, Math.max(n, 1))
    if (coords.length === 1) coords.push(coords[0]!)
    features.push({ ...f, geometry: { type: 'LineString', coordinates: coords } })
  }
  return { type: 'FeatureCollection', features }
}

/** A patroller's latest known position. */
export interface LastPosition {
  deviceId: string
  personName: string | null
  lon: number
  lat: number
  /** Epoch ms. */
  t: number
}

/** The last position of each device in the tracks, at or before `t` (ms). */
export function lastPositions(fc: TrackCollection, t = Number.POSITIVE_INFINITY): LastPosition[] {
  const last = new Map<string, LastPosition>()
  for (const f of tracksUpTo(fc, t).features) {
    const coords = f.geometry.coordinates
    const times = f.properties.times
    const i = Math.min(coords.length, times.length) - 1
    const at = Date.parse(f.properties.from) + (times[i] ?? 0) * 1000
    const c = coords[coords.length - 1]
    if (!c || !Number.isFinite(at)) continue
    const seen = last.get(f.properties.deviceId)
    if (!seen || seen.t < at) last.set(f.properties.deviceId, { deviceId: f.properties.deviceId, personName: f.properties.personName, lon: c[0]!, lat: c[1]!, t: at })
  }
  return [...last.values()].sort((a, b) => a.deviceId.localeCompare(b.deviceId))
}

/** A stop of the next round. */
export interface RoundStop {
  id: number
  kind: UnvisitedProperties['kind']
  name: string | null
  compoundName: string | null
  lon: number
  lat: number
  /** Metres from the previous stop (or the start). */
  legM: number
}

/**
 * The unvisited places in walking order: nearest neighbour from `origin` ([lon, lat]), straight-line
 * distances (turf, metres). Good enough to hand a patrol a sensible round; not an optimal tour.
 */
export function walkingOrder(places: Feature<Geometry, UnvisitedProperties>[], origin: [number, number]): RoundStop[] {
  const left = places.map((f) => {
    const p = f.geometry.type === 'Point' ? (f.geometry as Point).coordinates : pointOnFeature(f).geometry.coordinates
    return { f, lon: p[0]!, lat: p[1]! }
  })
  const stops: RoundStop[] = []
  let here: [number, number] = origin
  while (left.length > 0) {
    let best = 0
    let bestD = Number.POSITIVE_INFINITY
    left.forEach((c, i) => {
      const d = distance(here, [c.lon, c.lat], { units: 'meters' })
      if (d < bestD) {
        bestD = d
        best = i
      }
    })
    const [next] = left.splice(best, 1)
    if (!next) break
    const props = next.f.properties
    stops.push({ id: props.id, kind: props.kind, name: props.name, compoundName: props.compoundName, lon: next.lon, lat: next.lat, legM: bestD })
    here = [next.lon, next.lat]
  }
  return stops
}

/** The round as one line (origin first), for the map. */
export function roundLine(stops: RoundStop[], origin: [number, number]): Feature<LineString, { id: string }> {
  return { type: 'Feature', id: 'round', properties: { id: 'round' }, geometry: { type: 'LineString', coordinates: [origin, ...stops.map((s) => [s.lon, s.lat])] } }
}

/** Colours of visited (green) and unvisited (red) places on the map and in the calendar. */
export const COVERAGE_COLORS = { visited: '#22a05a', unvisited: '#dc3b3b', visitedLine: '#157a41', unvisitedLine: '#9f1f1f' } as const

/** Line colours of devices, assigned in order of device id. */
export const DEVICE_COLORS = ['#2563eb', '#9333ea', '#0d9488', '#db2777', '#ca8a04', '#0891b2', '#c2410c', '#4f46e5', '#15803d', '#be123c'] as const

/** A stable colour per device: devices sorted by id take the palette in turn. */
export function deviceColors(deviceIds: Iterable<string>): Map<string, string> {
  const ids = [...new Set(deviceIds)].sort()
  return new Map(ids.map((id, i) => [id, DEVICE_COLORS[i % DEVICE_COLORS.length]!]))
}
