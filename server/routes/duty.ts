import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { problems } from '../problem.ts'
import { listDuty, recordDuty } from '../queries/duty.ts'
import { idParam, isoTime, validate } from '../validate.ts'
import { deviceIdSchema } from './tracks.ts'

/** Longest window `GET /api/duty` answers. */
export const MAX_DUTY_WINDOW_DAYS = 92

const actionBody = z.object({
  action: z.enum(['start', 'stop']),
  deviceId: deviceIdSchema,
  t: isoTime,
  clientId: z.string().trim().min(1, 'clientId is required').max(100),
})
const listQuery = z.object({
  from: isoTime,
  to: isoTime,
  personId: idParam.optional(),
  communityId: idParam.optional(),
})

/**
 * Duty (执勤): `POST /` `{ action: start|stop, deviceId, t, clientId }` (the `report` permission; the
 * device bound to its person like a track upload; exactly once per clientId: 201 the first time, 200
 * after; a start on a device already on duty or a stop with no start: 409), and `GET /?from=&to=&personId=`
 * (sessions overlapping the window with minutes and metres; a patrol member sees only their own).
 * Mounted at `/api/duty`.
 */
export const duty = new Hono<AppEnv>()
  .post('/', requirePermission('report'), validate('json', actionBody), async (c) => {
    const b = c.req.valid('json')
    const result = await recordDuty(c.get('sql'), { ...b, t: Date.parse(b.t) }, c.get('user'), c.get('communityIds'))
    return c.json(result.session, result.created ? 201 : 200)
  })
  .get('/', validate('query', listQuery), async (c) => {
    const q = c.req.valid('query')
    const span = Date.parse(q.to) - Date.parse(q.from)
    if (span <= 0) throw problems.badRequest('from must be before to.', [{ path: 'from', message: 'must be before to' }])
    if (span > MAX_DUTY_WINDOW_DAYS * 86_400_000) {
      throw problems.badRequest(`The window is longer than ${MAX_DUTY_WINDOW_DAYS} days.`, [{ path: 'from', message: `at most ${MAX_DUTY_WINDOW_DAYS} days before to` }])
    }
    const user = c.get('user')
    let personId = q.personId
    if (user.role === 'patrol') {
      if (personId !== undefined && personId !== user.personId) throw problems.forbidden('A patrol member sees only their own duty.')
      personId = user.personId ?? -1
    }
    return c.json({ items: await listDuty(c.get('sql'), { ...q, personId, communityIds: c.get('communityIds') }) })
  })
