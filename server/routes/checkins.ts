import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { TRACK_CLOCK_SKEW_MS, TRACK_MIN_TIME } from '../domain/tracks.ts'
import { problems } from '../problem.ts'
import { listCheckins, recordCheckin } from '../queries/checkins.ts'
import { idParam, isoTime, validate } from '../validate.ts'
import { deviceIdSchema } from './tracks.ts'

/** The printed code of a key place, e.g. `KP-000123`. */
export const keyPlaceCode = z.string().trim().regex(/^[A-Za-z0-9_-]{1,40}$/, 'a key place code such as KP-000123')

const jsonId = z.number().int('must be an integer').positive('must be positive').max(Number.MAX_SAFE_INTEGER)

const createBody = z
  .object({
    keyPlaceId: jsonId.optional(),
    /** The code printed on the QR sheet, instead of `keyPlaceId`. */
    code: keyPlaceCode.optional(),
    deviceId: deviceIdSchema.nullish(),
    t: isoTime.optional(),
    clientId: z.string().trim().min(1).max(100).nullish(),
  })
  .refine((b) => b.keyPlaceId !== undefined || b.code !== undefined, { message: 'keyPlaceId or code is required', path: ['keyPlaceId'] })

const listQuery = z.object({
  from: isoTime,
  to: isoTime,
  communityId: idParam.optional(),
  keyPlaceId: idParam.optional(),
})

/**
 * Check-ins at key places (扫码打卡): `POST /` (the `report` permission; idempotent on `clientId`;
 * `t` defaults to now; publishes a live `checkin` event) and `GET /?from=&to=` (a list, oldest first).
 */
export const checkins = new Hono<AppEnv>()
  .post('/', requirePermission('report'), validate('json', createBody), async (c) => {
    const body = c.req.valid('json')
    const now = Date.now()
    const t = body.t ? Date.parse(body.t) : now
    if (t > now + TRACK_CLOCK_SKEW_MS) throw problems.unprocessable('t is in the future.', [{ path: 't', message: 'must not be in the future' }])
    if (t < TRACK_MIN_TIME) throw problems.unprocessable('t is before 2000.', [{ path: 't', message: 'is before 2000-01-01' }])
    const result = await recordCheckin(
      c.get('sql'),
      {
        keyPlaceId: body.keyPlaceId,
        code: body.code,
        deviceId: body.deviceId ?? undefined,
        t: new Date(Math.min(t, now)).toISOString(),
        clientId: body.clientId ?? undefined,
      },
      c.get('user'),
      c.get('communityIds'),
    )
    if (result.live) c.get('live').publish(result.live)
    return c.json(result.checkin, result.created ? 201 : 200)
  })
  .get('/', validate('query', listQuery), async (c) => {
    const q = c.req.valid('query')
    return c.json({ items: await listCheckins(c.get('sql'), { ...q, communityIds: c.get('communityIds') }) })
  })
