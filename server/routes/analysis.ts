import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.ts'
import { CATEGORIES, STATUSES } from '../../core/matters.ts'
import { problems } from '../problem.ts'
import { hazardClusters, hazardRecurrences, hotspotGrid } from '../queries/analysis.ts'
import { enumList, idParam, isoTime, validate } from '../validate.ts'
import { seesLeads } from '../../core/matters.ts'

/** A finite number from the query string within [min, max]. */
const numberIn = (min: number, max: number, unit: string) =>
  z.coerce
    .number()
    .refine(Number.isFinite, 'must be a finite number')
    .min(min, `at least ${min}${unit}`)
    .max(max, `at most ${max}${unit}`)

const windowed = {
  from: isoTime.optional(),
  to: isoTime.optional(),
  communityId: idParam.optional(),
  category: enumList(CATEGORIES).optional(),
  status: enumList(STATUSES).optional(),
}

const clustersQuery = z.object({
  ...windowed,
  eps: numberIn(1, 5000, ' m').default(50),
  minPoints: z.coerce.number().int('must be an integer').min(1, 'at least 1').max(1000, 'at most 1000').default(3),
})

const hotspotsQuery = z.object({
  ...windowed,
  cell: numberIn(10, 2000, ' m').default(100),
})

const recurrencesQuery = z.object({
  from: isoTime.optional(),
  to: isoTime.optional(),
  communityId: idParam.optional(),
  category: enumList(CATEGORIES).optional(),
})

/** 400 when `from` is not before `to`. */
function checkWindow(q: { from?: string | undefined; to?: string | undefined }): void {
  if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) {
    throw problems.badRequest('from must be before to.', [{ path: 'from', message: 'must be before to' }])
  }
}

/**
 * Hazard analysis (隐患分析), mounted at `/api/analysis`: `GET /clusters` (DBSCAN), `GET /hotspots`
 * (Getis-Ord Gi* on flat-topped hexagons) and `GET /recurrences` (repeat locations, 防反弹).
 * Without `status`, rejected hazards are left out. (`/api/analysis/coverage` is its own sub-app.)
 */
export const analysis = new Hono<AppEnv>()
  .get('/clusters', validate('query', clustersQuery), async (c) => {
    const q = c.req.valid('query')
    checkWindow(q)
    const body = await hazardClusters(c.get('sql'), { ...q, communityIds: c.get('communityIds'), hideLeads: !seesLeads(c.get('user').role) })
    return c.body(body, 200, { 'content-type': 'application/geo+json; charset=utf-8' })
  })
  .get('/hotspots', validate('query', hotspotsQuery), async (c) => {
    const q = c.req.valid('query')
    checkWindow(q)
    const fc = await hotspotGrid(c.get('sql'), { ...q, communityIds: c.get('communityIds'), hideLeads: !seesLeads(c.get('user').role) })
    return c.body(JSON.stringify(fc), 200, { 'content-type': 'application/geo+json; charset=utf-8' })
  })
  .get('/recurrences', validate('query', recurrencesQuery), async (c) => {
    const q = c.req.valid('query')
    checkWindow(q)
    const fc = await hazardRecurrences(c.get('sql'), { ...q, communityIds: c.get('communityIds'), hideLeads: !seesLeads(c.get('user').role) })
    return c.body(JSON.stringify(fc), 200, { 'content-type': 'application/geo+json; charset=utf-8' })
  })
