import { Hono } from 'hono'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { isOwnTracksLocation, ownTracksDeviceId, ownTracksPoint } from '../domain/tracks.ts'
import { problems } from '../problem.ts'
import { ingestPoints } from './tracks.ts'

/**
 * `POST /api/owntracks`: the OwnTracks app's HTTP mode. A `location` message
 * (`{ _type: "location", lat, lon, tst, tid, acc }`, or an array of them) becomes track points of the
 * device named by the `X-Limit-U` / `X-Limit-D` headers (`user/device`), else by `tid`. Every other
 * message type is ignored. The answer is always `[]` (OwnTracks reads it as "no messages for you");
 * a point the checks refuse is dropped rather than answered with an error, since the app would
 * otherwise resend it forever.
 */
export const owntracks = new Hono<AppEnv>().post('/', requirePermission('report'), async (c) => {
  let body: unknown
  try {
    body = await c.req.json()
  } catch {
    throw problems.badRequest('The body is not valid JSON.')
  }
  const messages = Array.isArray(body) ? body : [body]
  const byDevice = new Map<string, unknown[]>()
  for (const message of messages) {
    if (!isOwnTracksLocation(message)) continue
    const deviceId = ownTracksDeviceId(c.req.header('x-limit-u'), c.req.header('x-limit-d'), message.tid)
    if (!deviceId) throw problems.badRequest('No device: send the X-Limit-U/X-Limit-D headers or a tid.')
    const list = byDevice.get(deviceId) ?? []
    list.push(ownTracksPoint(message))
    byDevice.set(deviceId, list)
  }
  for (const [deviceId, points] of byDevice) await ingestPoints(c, deviceId, points)
  return c.json([])
})
