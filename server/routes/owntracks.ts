import { Hono } from 'hono'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { isOwnTracksLocation, ownTracksDeviceId, ownTracksPoint } from '../domain/tracks.ts'
import { MAX_DEVICES_PER_REQUEST, ownTracksDeviceKey } from '../domain/devices.ts'
import { problems } from '../problem.ts'
import { homeCommunity } from '../queries/tracks.ts'
import { ingestPoints } from './tracks.ts'

/**
 * `POST /api/owntracks`: the OwnTracks app's HTTP mode. A `location` message
 * (`{ _type: "location", lat, lon, tst, tid, acc }`, or an array of them) becomes track points of the
 * device named by the `X-Limit-U` / `X-Limit-D` headers (`user/device`), else by `tid` — scoped to the
 * caller's community and account (device id `ot:<communityId>:<userId>:<id>`), at most
 * {@link MAX_DEVICES_PER_REQUEST} devices per request. Every other
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
    if (byDevice.size > MAX_DEVICES_PER_REQUEST) {
      throw problems.unprocessable(`At most ${MAX_DEVICES_PER_REQUEST} devices per request.`, [{ path: 'tid', message: `at most ${MAX_DEVICES_PER_REQUEST} different devices` }])
    }
  }
  if (byDevice.size === 0) return c.json([])
  // OwnTracks ids are the app user's choice: scoped to the community and the account (server/domain/devices.ts).
  const user = c.get('user')
  const home = await homeCommunity(c.get('sql'), user, c.get('communityIds'), 'OwnTracks devices')
  for (const [deviceId, points] of byDevice) await ingestPoints(c, ownTracksDeviceKey(home.communityId, user.id, deviceId), points, home)
  return c.json([])
})
