import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.ts'
import { problems } from '../problem.ts'
import { coverageCalendar, coverageReport } from '../queries/coverage.ts'
import { idParam, isoTime, validate } from '../validate.ts'

/** Longest window a coverage query answers. */
export const MAX_COVERAGE_WINDOW_DAYS = 92

const radius = z.coerce
  .number()
  .refine(Number.isFinite, 'must be a finite number')
  .min(1, 'at least 1 m')
  .max(500, 'at most 500 m')
  .default(30)

const coverageQuery = z.object({
  from: isoTime,
  to: isoTime,
  radius,
  communityId: idParam.optional(),
  zoneId: idParam.optional(),
})

const calendarQuery = z.object({
  communityId: idParam.optional(),
  days: z.coerce.number().int('must be an integer').min(7, 'at least 7').max(92, 'at most 92').default(28),
  radius,
})

/**
 * Patrol coverage analysis: `GET /` (which buildings and key places were visited in a window, by
 * zone and team, and the unvisited ones as GeoJSON) and `GET /calendar` (compound × day, and the
 * weekly rule 每周覆盖). Mounted at `/api/analysis/coverage`.
 */
export const coverage = new Hono<AppEnv>()
  .get('/', validate('query', coverageQuery), async (c) => {
    const q = c.req.valid('query')
    const span = Date.parse(q.to) - Date.parse(q.from)
    if (span <= 0) throw problems.badRequest('from must be before to.', [{ path: 'from', message: 'must be before to' }])
    if (span > MAX_COVERAGE_WINDOW_DAYS * 86_400_000) {
      throw problems.badRequest(`The window is longer than ${MAX_COVERAGE_WINDOW_DAYS} days.`, [{ path: 'from', message: `at most ${MAX_COVERAGE_WINDOW_DAYS} days before to` }])
    }
    return c.json(await coverageReport(c.get('sql'), { ...q, communityIds: c.get('communityIds') }))
  })
  .get('/calendar', validate('query', calendarQuery), async (c) => {
    const q = c.req.valid('query')
    return c.json(await coverageCalendar(c.get('sql'), { ...q, communityIds: c.get('communityIds') }))
  })
