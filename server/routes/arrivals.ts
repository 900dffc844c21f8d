import { Hono } from 'hono'
import { z } from 'zod'
import { SPOT_CHECK_DAYS, SPOT_CHECK_SAMPLE } from '../../core/arrival.ts'
import { seesLeads } from '../../core/matters.ts'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { arriveAtHazard, spotCheckSample } from '../queries/arrivals.ts'
import { finite, idParam, isoTime, lat, lon, validate } from '../validate.ts'

/** Longest note of an arrival, in characters. */
const NOTE_MAX = 2000

const arriveBody = z
  .object({
    lon,
    lat,
    /** The position's accuracy (m) as the phone reports it. */
    accuracy: finite.min(0, 'must not be negative').max(100_000, 'at most 100 km').nullish(),
    /** The phone's id of this arrival (its outbox): a repeat answers the first. */
    clientId: z.string().trim().min(1).max(100).nullish(),
    /** Why the position is farther than allowed, or any word on the arrival. */
    note: z.string().trim().max(NOTE_MAX, `at most ${NOTE_MAX} characters`).nullish(),
    /** When the phone arrived (sent later by its outbox); now when absent. */
    t: isoTime.nullish(),
  })
  .strict()

const spotQuery = z.object({
  days: z.coerce.number().int('must be an integer').min(1, 'at least 1').max(90, 'at most 90').default(SPOT_CHECK_DAYS),
  n: z.coerce.number().int('must be an integer').min(1, 'at least 1').max(50, 'at most 50').default(SPOT_CHECK_SAMPLE),
  communityId: idParam.optional(),
})

const idParams = z.object({ id: idParam })

/**
 * The field's side of the closed loop (issue 15), mounted at `/api/hazards` before the hazards routes:
 * `POST /:id/arrive` (到场, server/queries/arrivals.ts says who may and when) and `GET /spot-checks` (a leader's
 * random sample of the matters closed as fixed on the spot, to check and reopen one with the transition
 * `verified → reopened` and a reason).
 */
export const arrivals = new Hono<AppEnv>()
  .get('/spot-checks', requirePermission('dispatch'), validate('query', spotQuery), async (c) => {
    const q = c.req.valid('query')
    const sample = await spotCheckSample(c.get('sql'), { ...q, communityIds: c.get('communityIds'), hideLeads: !seesLeads(c.get('user').role) })
    return c.json(sample)
  })
  .post('/:id/arrive', requirePermission('rectify'), validate('param', idParams), validate('json', arriveBody), async (c) => {
    const { id } = c.req.valid('param')
    const body = c.req.valid('json')
    const result = await arriveAtHazard(
      c.get('sql'),
      {
        id,
        lon: body.lon,
        lat: body.lat,
        accuracy: body.accuracy ?? undefined,
        clientId: body.clientId ?? undefined,
        note: body.note || undefined,
        t: body.t ? new Date(body.t) : undefined,
      },
      c.get('user'),
      c.get('communityIds'),
      !seesLeads(c.get('user').role),
    )
    if (result.live) c.get('live').publish(result.live)
    return c.json(result.feature, result.created ? 201 : 200)
  })
