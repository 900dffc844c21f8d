import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { problems } from '../problem.ts'
import { shanghaiDate } from '../../core/period.ts'
import { homeCommunity } from '../queries/tracks.ts'
import { listRedemptions, personPoints, pointsRanking, pointsRules, redeemPoints, setPointsRules } from '../queries/points.ts'
import { idParam, validate } from '../validate.ts'

const rate = z.number().min(0, 'must be ≥ 0').max(1000, 'at most 1000').refine(Number.isFinite, 'must be finite')
const rulesBody = z
  .object({ communityId: idParam.optional(), perDutyHour: rate.optional(), perReport: rate.optional(), perCheckin: rate.optional(), perCareVisit: rate.optional() })
  .strict()
const communityQuery = z.object({ communityId: idParam.optional() })
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM')
const redemptionBody = z
  .object({
    personId: idParam,
    points: z.number().positive('must be > 0').max(1_000_000).refine((n) => Number.isInteger(n * 100), 'at most two decimals'),
    /** What was exchanged (兑换物品或服务). */
    item: z.string().trim().min(1, 'item is required').max(200),
    note: z.string().trim().max(500).optional(),
    clientId: z.string().trim().min(1).max(100).optional(),
  })
  .strict()

/**
 * Points (积分): `GET /rules` and `PUT /rules` (admin) per community; `GET /?personId=` a person's balance and
 * entries (default: the caller's own person); `GET /redemptions` and `POST /redemptions` (admin, leader);
 * `GET /ranking?month=YYYY-MM` the month's ranking (最美巡逻队员 candidates). Earned points are derived from
 * verified records at each read (server/queries/points.ts).
 */
export const points = new Hono<AppEnv>()
  .get('/rules', validate('query', communityQuery), async (c) => {
    const sql = c.get('sql')
    const scope = c.get('communityIds')
    const q = c.req.valid('query')
    const communityId = q.communityId ?? (await homeCommunity(sql, c.get('user'), scope, 'the rules')).communityId
    if (scope !== null && !scope.includes(communityId)) throw problems.notFound(`No community ${communityId}.`)
    return c.json(await pointsRules(sql, communityId))
  })
  .put('/rules', requirePermission('managePoints'), validate('json', rulesBody), async (c) => {
    const sql = c.get('sql')
    const scope = c.get('communityIds')
    const b = c.req.valid('json')
    const communityId = b.communityId ?? (await homeCommunity(sql, c.get('user'), scope, 'the rules')).communityId
    if (scope !== null && !scope.includes(communityId)) throw problems.notFound(`No community ${communityId}.`)
    const [exists] = await sql<{ id: number }[]>`select id from communities where id = ${communityId}`
    if (!exists) throw problems.notFound(`No community ${communityId}.`)
    const { communityId: _c, ...rules } = b
    await setPointsRules(sql, communityId, rules, c.get('user'))
    return c.json(await pointsRules(sql, communityId))
  })
  .get('/ranking', validate('query', z.object({ month: month.optional(), communityId: idParam.optional() })), async (c) => {
    const q = c.req.valid('query')
    const m = q.month ?? shanghaiDate(new Date()).slice(0, 7)
    return c.json({ month: m, items: await pointsRanking(c.get('sql'), { communityIds: c.get('communityIds'), communityId: q.communityId, month: m }) })
  })
  .get('/redemptions', requirePermission('redeemPoints'), validate('query', communityQuery), async (c) => {
    return c.json({ items: await listRedemptions(c.get('sql'), { communityIds: c.get('communityIds'), communityId: c.req.valid('query').communityId }) })
  })
  .post('/redemptions', requirePermission('redeemPoints'), validate('json', redemptionBody), async (c) => {
    const result = await redeemPoints(c.get('sql'), c.req.valid('json'), c.get('user'), c.get('communityIds'))
    return c.json(result.redemption, result.created ? 201 : 200)
  })
  .get('/', validate('query', z.object({ personId: idParam.optional() })), async (c) => {
    const personId = c.req.valid('query').personId ?? c.get('user').personId
    if (personId === null) throw problems.unprocessable('Your account is not linked to a person: give personId.', [{ path: 'personId', message: 'required' }])
    return c.json(await personPoints(c.get('sql'), personId, c.get('communityIds')))
  })
