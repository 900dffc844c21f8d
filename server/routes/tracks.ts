import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { checkBatch, GpxError, MAX_POINTS_PER_REQUEST, parseGpx, TRACK_MIN_TIME, type RejectedPoint } from '../domain/tracks.ts'
import { publishLive } from '../live/hub.ts'
import { Problem, problems } from '../problem.ts'
import { decodeTextCursor, encodeTextCursor, nextPageUrl } from '../paging.ts'
import { listFlaggedStretches, listTracksGeoJson, resolveDevice, storeTrackPoints, trackScope } from '../queries/tracks.ts'
import { idParam, isoTime, validate } from '../validate.ts'

/** The answer of every track upload. */
export interface TrackUploadResult {
  /** Points stored by this request. */
  accepted: number
  /** Points already stored (sent before) or repeated within the request: not stored again. */
  duplicates: number
  /** Points refused, with their index in the request and the reason. */
  rejected: RejectedPoint[]
}

/** Longest window `GET /api/tracks` answers. */
export const MAX_TRACK_WINDOW_DAYS = 31

/** Default window of `GET /api/tracks` when `from` is missing: the 12 hours before `to`. */
const DEFAULT_WINDOW_MS = 12 * 3_600_000

export const deviceIdSchema = z.string().trim().min(1, 'deviceId is required').max(100, 'at most 100 characters')

const pointsBody = z.object({
  deviceId: deviceIdSchema,
  points: z.array(z.unknown(), { message: 'points must be an array of { lon, lat, t, accuracy? }' }),
})

const gpxQuery = z.object({ deviceId: deviceIdSchema })

const listQuery = z.object({
  from: isoTime.optional(),
  to: isoTime.optional(),
  deviceId: deviceIdSchema.optional(),
  communityId: idParam.optional(),
})

/** Devices per page of `GET /api/tracks` when `limit` is absent, and at most. */
export const TRACK_PAGE_DEVICES = { default: 200, max: 1000 } as const

const trackListQuery = listQuery.extend({
  limit: z.coerce.number().int('must be an integer').min(1, 'at least 1').max(TRACK_PAGE_DEVICES.max, `at most ${TRACK_PAGE_DEVICES.max}`).optional(),
  cursor: z
    .string()
    .max(200)
    .transform((s, ctx) => {
      const key = decodeTextCursor(s)
      if (key === undefined) ctx.addIssue({ code: 'custom', message: 'not a cursor of this list (use `next` of the previous page)' })
      return key ?? ''
    })
    .optional(),
})

function tooMany(): Problem {
  return new Problem(413, `At most ${MAX_POINTS_PER_REQUEST} points per request; send the rest in further requests.`, {
    extensions: { maxPoints: MAX_POINTS_PER_REQUEST },
  })
}

/**
 * The shared body of every track upload: resolve (or register) the device, check the points one by
 * one, store the good ones in one statement, and publish the device's newest position on the live
 * stream (only when this batch moved it forward: a late batch does not pull the marker back).
 * `home` is the community (and person) to register an unknown device in, when the caller knows it.
 */
export async function ingestPoints(
  c: Context<AppEnv>,
  deviceId: string,
  raw: readonly unknown[],
  home?: { communityId: number; personId: number | null },
): Promise<TrackUploadResult> {
  if (raw.length > MAX_POINTS_PER_REQUEST) throw tooMany()
  const sql = c.get('sql')
  const device = await resolveDevice(sql, deviceId, c.get('user'), c.get('communityIds'), home)
  // Evidence: nothing before the community existed, nothing more than a few minutes ahead (server/domain/evidence.ts).
  const batch = checkBatch(raw, Date.now(), Math.max(TRACK_MIN_TIME, device.communityCreatedAt.getTime()))
  const stored = await storeTrackPoints(sql, device, batch.points)
  if (stored.newest) {
    await publishLive(
      sql,
      {
        type: 'position',
        communityId: device.communityId,
        data: { deviceId: device.id, lon: stored.newest.lon, lat: stored.newest.lat, t: stored.newest.t, personId: device.personId, personName: device.personName, registeredBy: device.registeredBy },
      },
      c.get('live'),
    )
  }
  return {
    accepted: stored.inserted,
    duplicates: batch.duplicates + (batch.points.length - stored.inserted),
    rejected: batch.rejected,
  }
}

/** The window of a track list: `to` (default now) and `from` (default 12 hours before); 400 when empty or over 31 days. */
function trackWindow(q: { from?: string | undefined; to?: string | undefined }): { from: string; to: string } {
  const to = q.to ?? new Date().toISOString()
  const from = q.from ?? new Date(Date.parse(to) - DEFAULT_WINDOW_MS).toISOString()
  const span = Date.parse(to) - Date.parse(from)
  if (span <= 0) throw problems.badRequest('from must be before to.', [{ path: 'from', message: 'must be before to' }])
  if (span > MAX_TRACK_WINDOW_DAYS * 86_400_000) {
    throw problems.badRequest(`The window is longer than ${MAX_TRACK_WINDOW_DAYS} days.`, [{ path: 'from', message: `at most ${MAX_TRACK_WINDOW_DAYS} days before to` }])
  }
  return { from, to }
}

/**
 * Patrol tracks: `POST /points` (JSON batches), `POST /gpx` (a GPX 1.1 file), `GET /` (runs as
 * LineStrings), `GET /flags` (the physically impossible stretches, with their reasons). Reads need
 * `readTracks` and are scoped by {@link trackScope} (a leader sees their own team's members). Uploads need
 * the `report` permission; a point is identified by (deviceId, t) and is never stored twice. Track uploads are not written to the audit log (one row per fix would drown
 * it); registering a device on first use is.
 */
export const tracks = new Hono<AppEnv>()
  .post('/points', requirePermission('report'), validate('json', pointsBody), async (c) => {
    const { deviceId, points } = c.req.valid('json')
    return c.json(await ingestPoints(c, deviceId, points))
  })
  .post('/gpx', requirePermission('report'), validate('query', gpxQuery), async (c) => {
    const { deviceId } = c.req.valid('query')
    const text = await c.req.text()
    let parsed: ReturnType<typeof parseGpx>
    try {
      parsed = parseGpx(text, MAX_POINTS_PER_REQUEST)
    } catch (error) {
      if (error instanceof GpxError) throw problems.badRequest(error.message)
      throw error
    }
    if (parsed.tooMany) throw tooMany()
    return c.json(await ingestPoints(c, deviceId, parsed.points))
  })
  .get('/flags', requirePermission('readTracks'), validate('query', listQuery), async (c) => {
    const q = c.req.valid('query')
    const { from, to } = trackWindow(q)
    const scope = await trackScope(c.get('sql'), c.get('user'))
    return c.json(await listFlaggedStretches(c.get('sql'), { communityIds: c.get('communityIds'), scope, communityId: q.communityId, deviceId: q.deviceId, from, to }))
  })
  .get('/', requirePermission('readTracks'), validate('query', trackListQuery), async (c) => {
    const { limit = TRACK_PAGE_DEVICES.default, cursor, ...q } = c.req.valid('query')
    const { from, to } = trackWindow(q)
    const scope = await trackScope(c.get('sql'), c.get('user'))
    const filter = { communityIds: c.get('communityIds'), scope, communityId: q.communityId, deviceId: q.deviceId, from, to }
    const headers = { 'content-type': 'application/geo+json; charset=utf-8' }
    // A download (GPX, CSV …) holds the whole window; the API answers a page of devices with `next`.
    if (c.get('exporting')) return c.body((await listTracksGeoJson(c.get('sql'), filter)).body, 200, headers)
    const { body, next } = await listTracksGeoJson(c.get('sql'), filter, { limit, after: cursor })
    const nextCursor = next === null ? null : encodeTextCursor(next)
    if (nextCursor) c.header('link', `<${nextPageUrl(c.req.url, nextCursor)}>; rel="next"`)
    return c.body(`${body.slice(0, -1)},"next":${JSON.stringify(nextCursor)},"limit":${limit}}`, 200, headers)
  })
