import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.ts'
import { CATEGORIES } from '../../core/matters.ts'
import { problems } from '../problem.ts'
import { hazardStats, hazardTrend } from '../queries/stats.ts'
import { communityOverview } from '../queries/overview.ts'
import { requirePermission } from '../auth/middleware.ts'
import { enumList, idParam, isoTime, validate } from '../validate.ts'
import { partnerUnitOf } from '../queries/units.ts'
import { seesLeads } from '../../core/matters.ts'

/** Longest daily trend, in days. */
export const MAX_TREND_DAYS = 366

const statsQuery = z.object({
  from: isoTime.optional(),
  to: isoTime.optional(),
  communityId: idParam.optional(),
  category: enumList(CATEGORIES).optional(),
})

const trendQuery = z.object({
  days: z.coerce.number().int('must be an integer').min(1, 'at least 1').max(MAX_TREND_DAYS, `at most ${MAX_TREND_DAYS}`).default(90),
  communityId: idParam.optional(),
  category: enumList(CATEGORIES).optional(),
})

/**
 * The command centre's statistics (统计), mounted at `/api/stats`: `GET /` (totals, response and
 * closure rates, overdue, medians over the hazards reported in a window) and `GET /trend` (daily
 * counts per category, Asia/Shanghai days). Without `communityId`: every community the caller may see.
 */
export const stats = new Hono<AppEnv>()
  // The street office's overview: a row per community the caller may see (街道总览, issue 19.3).
  .get('/communities', requirePermission('commandCentre'), async (c) => {
    const items = await communityOverview(c.get('sql'), c.get('communityIds'), { hideLeads: !seesLeads(c.get('user').role) })
    return c.json({ items })
  })
  .get('/', validate('query', statsQuery), async (c) => {
    const q = c.req.valid('query')
    if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) {
      throw problems.badRequest('from must be before to.', [{ path: 'from', message: 'must be before to' }])
    }
    // A partner account's figures are those of its unit's matters only; leads only for the roles that see them.
    return c.json(
      await hazardStats(c.get('sql'), { ...q, communityIds: c.get('communityIds'), unitId: partnerUnitOf(c.get('user')), hideLeads: !seesLeads(c.get('user').role) }),
    )
  })
  .get('/trend', validate('query', trendQuery), async (c) => {
    const q = c.req.valid('query')
    return c.json(await hazardTrend(c.get('sql'), { ...q, communityIds: c.get('communityIds'), unitId: partnerUnitOf(c.get('user')) }))
  })
