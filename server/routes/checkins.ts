import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import { can } from '../../core/roles.ts'
import type { AppEnv } from '../context.ts'
import { listCheckins, recordCheckin } from '../queries/checkins.ts'
import { idParam, isoTime, lat, lon, validate } from '../validate.ts'
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
    /** Where the phone was (WGS84): required, a check-in is evidence of being there. */
    lon,
    lat,
    /** The position's accuracy in metres (as the phone's geolocation tells). */
    accuracy: z.number().min(0, 'must be ≥ 0').max(100_000).refine(Number.isFinite, 'must be finite').nullish(),
  })
  .refine((b) => b.keyPlaceId !== undefined || b.code !== undefined, { message: 'keyPlaceId or code is required', path: ['keyPlaceId'] })

const listQuery = z.object({
  from: isoTime,
  to: isoTime,
  communityId: idParam.optional(),
  keyPlaceId: idParam.optional(),
})

/**
 * Check-ins at key places (扫码打卡): `POST /` (the `report` permission; `lon`, `lat` and
 * `accuracy?` of the phone required; idempotent on `clientId`; `t` defaults to now; the limits of
 * server/domain/evidence.ts; publishes a live `checkin` event) and `GET /?from=&to=` (a list,
 * oldest first).
 */
export const checkins = new Hono<AppEnv>()
  .post('/', requirePermission('report'), validate('json', createBody), async (c) => {
    const body = c.req.valid('json')
    const result = await recordCheckin(
      c.get('sql'),
      {
        keyPlaceId: body.keyPlaceId,
        code: body.code,
        deviceId: body.deviceId ?? undefined,
        t: body.t ? Date.parse(body.t) : Date.now(),
        clientId: body.clientId ?? undefined,
        lon: body.lon,
        lat: body.lat,
        accuracy: body.accuracy ?? null,
      },
      c.get('user'),
      c.get('communityIds'),
    )
    if (result.live) c.get('live').publish(result.live)
    return c.json(result.checkin, result.created ? 201 : 200)
  })
  .get('/', validate('query', listQuery), async (c) => {
    const q = c.req.valid('query')
    const items = await listCheckins(c.get('sql'), { ...q, communityIds: c.get('communityIds') })
    // QR codes only for those who print them (core/roles.ts printCodes).
    return c.json({ items: can(c.get('user').role, 'printCodes') ? items : items.map(({ code: _code, ...rest }) => rest) })
  })
