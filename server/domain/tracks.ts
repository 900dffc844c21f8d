/**
 * Rules of patrol tracks: what a good track point is, how a batch is checked point by point,
 * how points join into runs, and the GPX 1.1 and OwnTracks formats phones and GPS apps send.
 *
 * Pure functions only: no database, no HTTP.
 */
import { isoTime } from '../validate.ts'
import { CLOCK_SKEW_MS } from './evidence.ts'

/** Most points one request may carry (`POST /api/tracks/points`, `/gpx`); more → 413. */
export const MAX_POINTS_PER_REQUEST = 5000

/** How far ahead of the server clock a phone may stamp a point (its clock runs a little fast). */
export const TRACK_CLOCK_SKEW_MS = CLOCK_SKEW_MS

import { MAX_ACCURACY_M, TRACK_MIN_TIME } from '../../core/tracking.ts'

/** The track rules shared with the phone (core/tracking.ts). */
export { MAX_ACCURACY_M, RUN_MAX_GAP_M, RUN_MAX_GAP_S, TRACK_MIN_TIME } from '../../core/tracking.ts'

/** A point that passed the checks. `t` is epoch milliseconds. */
export interface TrackPoint {
  index: number
  lon: number
  lat: number
  t: number
  accuracy: number | null
}

/** Why a point of a batch was refused. */
export interface RejectedPoint {
  index: number
  reason: string
}

/** A batch after the checks: the good points (first of each time only), the refused ones, and repeats within the batch. */
export interface CheckedBatch {
  points: TrackPoint[]
  rejected: RejectedPoint[]
  /** Points whose time another point of the same batch already had (the first one is kept). */
  duplicates: number
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The reason a value is not a usable coordinate, or null when it is. */
function coordinateProblem(name: 'lon' | 'lat', value: unknown): string | null {
  const limit = name === 'lon' ? 180 : 90
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${name} must be a finite number`
  if (value < -limit || value > limit) return `${name} must be between ${-limit} and ${limit}`
  return null
}

/**
 * Check one raw point (`{ lon, lat, t, accuracy? }`, `t` ISO 8601 with offset) against `now` and
 * the earliest time the device's community allows (`minTime`, its creation).
 * Returns the point, or the reason it is refused.
 */
export function checkPoint(raw: unknown, index: number, now: number, minTime = TRACK_MIN_TIME): TrackPoint | RejectedPoint {
  if (!isRecord(raw)) return { index, reason: 'a point must be an object { lon, lat, t, accuracy? }' }
  const problem = coordinateProblem('lon', raw.lon) ?? coordinateProblem('lat', raw.lat)
  if (problem) return { index, reason: problem }
  if (typeof raw.t !== 'string' || !isoTime.safeParse(raw.t).success) {
    return { index, reason: 't must be an ISO 8601 time with offset, e.g. 2026-11-25T22:10:00+08:00' }
  }
  const t = Date.parse(raw.t)
  if (!Number.isFinite(t)) return { index, reason: 't is not a valid time' }
  if (t > now + TRACK_CLOCK_SKEW_MS) return { index, reason: `t is more than ${TRACK_CLOCK_SKEW_MS / 60_000} minutes in the future` }
  if (t < TRACK_MIN_TIME) return { index, reason: 't is before 2000-01-01 (is the device clock set?)' }
  if (t < minTime) return { index, reason: `t is before the community was set up in SafeGrid (${new Date(minTime).toISOString().slice(0, 10)})` }
  let accuracy: number | null = null
  if (raw.accuracy !== undefined && raw.accuracy !== null) {
    if (typeof raw.accuracy !== 'number' || !Number.isFinite(raw.accuracy) || raw.accuracy < 0 || raw.accuracy > MAX_ACCURACY_M) {
      return { index, reason: `accuracy must be a number of metres between 0 and ${MAX_ACCURACY_M}` }
    }
    accuracy = raw.accuracy
  }
  return { index, lon: raw.lon as number, lat: raw.lat as number, t, accuracy }
}

/**
 * Check a batch point by point: bad points are refused with their index and reason, the rest kept;
 * a point whose time (to the millisecond) an earlier point of the batch already had counts as a
 * duplicate and is dropped. Order does not matter: late and out-of-order points are fine.
 */
export function checkBatch(raw: readonly unknown[], now: number, minTime = TRACK_MIN_TIME): CheckedBatch {
  const points: TrackPoint[] = []
  const rejected: RejectedPoint[] = []
  const seen = new Set<number>()
  let duplicates = 0
  raw.forEach((item, index) => {
    const checked = checkPoint(item, index, now, minTime)
    if ('reason' in checked) {
      rejected.push(checked)
      return
    }
    if (seen.has(checked.t)) {
      duplicates++
      return
    }
    seen.add(checked.t)
    points.push(checked)
  })
  return { points, rejected, duplicates }
}

/** A GPX document that cannot be read (answered 400). */
export class GpxError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GpxError'
  }
}

/** A GPX point as read, before the checks (`t` may be missing or bad: the checks refuse it with its index). */
export interface RawGpxPoint {
  lon: unknown
  lat: unknown
  t: unknown
}

/** The text of the first `<name>…</name>` child (namespace prefix allowed) inside `body`, if any. */
function childText(body: string, name: string): string | undefined {
  const open = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${name}(?:\\s[^<>]*)?>`)
  const m = open.exec(body)
  if (!m) return undefined
  const start = m.index + m[0].length
  const end = body.indexOf('<', start)
  if (end < 0) return undefined
  return body.slice(start, end).trim()
}

/** Attribute `name` of a start tag's attribute text, or undefined. */
function attribute(attrs: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(attrs)
  return m ? (m[2] ?? m[3]) : undefined
}

function gpxNumber(text: string | undefined): unknown {
  if (text === undefined) return undefined
  const trimmed = text.trim()
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed
}

/**
 * Read the track points (`<trkpt lat lon><time>`; also route points `<rtept>`) of a GPX 1.1 (or 1.0)
 * document, in document order. Refuses any DOCTYPE or ENTITY declaration (no entity is ever
 * expanded: the reader only scans for tags and attributes, in time linear in the text), and text that
 * is not a GPX document. A point without a time is kept with `t: undefined`, so the checks refuse it
 * with its index. Stops counting past `limit` points (the caller answers 413).
 */
export function parseGpx(text: string, limit = MAX_POINTS_PER_REQUEST): { points: RawGpxPoint[]; tooMany: boolean } {
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) throw new GpxError('GPX with a DOCTYPE or ENTITY declaration is refused.')
  if (!/<(?:[A-Za-z_][\w.-]*:)?gpx[\s>]/.test(text)) throw new GpxError('The body is not a GPX document (no <gpx> element).')
  const points: RawGpxPoint[] = []
  // `[^<>]` keeps every match attempt short: a run of unclosed `<trkpt` cannot make the scan quadratic.
  const tag = /<((?:[A-Za-z_][\w.-]*:)?(?:trkpt|rtept))(\s[^<>]*?)?(\/?)>/g
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    if (points.length >= limit) return { points, tooMany: true }
    const attrs = m[2] ?? ''
    let body = ''
    if (m[3] !== '/') {
      const close = text.indexOf(`</${m[1]}`, tag.lastIndex)
      if (close < 0) throw new GpxError(`A <${m[1]}> element is not closed.`)
      body = text.slice(tag.lastIndex, close)
      tag.lastIndex = close
    }
    points.push({ lat: gpxNumber(attribute(attrs, 'lat')), lon: gpxNumber(attribute(attrs, 'lon')), t: childText(body, 'time') })
  }
  return { points, tooMany: false }
}

/** An OwnTracks `location` message as the app sends it (other fields are ignored). */
export interface OwnTracksLocation {
  _type: 'location'
  lat: number
  lon: number
  /** Epoch seconds of the fix. */
  tst: number
  tid?: string
  acc?: number
}

/** Whether an OwnTracks message is a location message. */
export function isOwnTracksLocation(message: unknown): message is OwnTracksLocation {
  return isRecord(message) && message._type === 'location'
}

/**
 * The device id of an OwnTracks message: `X-Limit-U/X-Limit-D` (user and device names the app is
 * configured with), the device name alone, or the two-letter tracker id `tid`. Undefined when none.
 */
export function ownTracksDeviceId(user: string | undefined, device: string | undefined, tid: unknown): string | undefined {
  const u = user?.trim()
  const d = device?.trim()
  const id = d ? (u ? `${u}/${d}` : d) : typeof tid === 'string' && tid.trim() ? tid.trim() : undefined
  return id && id.length <= 100 ? id : undefined
}

/** An OwnTracks location as a raw track point (`tst` epoch seconds → ISO time), for {@link checkPoint}. */
export function ownTracksPoint(message: OwnTracksLocation): Record<string, unknown> {
  const t = typeof message.tst === 'number' && Number.isFinite(message.tst) ? new Date(message.tst * 1000) : null
  return {
    lon: message.lon,
    lat: message.lat,
    t: t && !Number.isNaN(t.getTime()) ? t.toISOString() : undefined,
    accuracy: typeof message.acc === 'number' ? message.acc : undefined,
  }
}
