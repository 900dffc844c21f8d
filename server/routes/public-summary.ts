import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.ts'
import { clientAddress } from '../http.ts'
import { Problem, problems } from '../problem.ts'
import { PublicReportLimiter, type RateLimit } from '../domain/public-reports.ts'
import { communityByPublicCode, publicSummary } from '../queries/public-summary.ts'
import { shanghaiDate } from '../../core/period.ts'
import { validate } from '../validate.ts'

/** What a community's public code looks like (migration 093: `PS-` and 12 hex capitals; older codes any of these letters). */
export const PUBLIC_CODE_PATTERN = /^[A-Za-z0-9-]{6,40}$/

/** Reads of the public summary: 60 per 10 minutes per client address, 3,000 in all (a notice board refreshes rarely). */
export const PUBLIC_SUMMARY_LIMITS = {
  perAddress: { max: 60, windowMs: 10 * 60_000 },
  perDevice: { max: 60, windowMs: 10 * 60_000 },
  overall: { max: 3000, windowMs: 10 * 60_000 },
} as const satisfies Record<string, RateLimit>

const summaryQuery = z.object({
  community: z.string().trim().min(1, 'the community’s public code').max(40),
  month: z
    .string()
    .regex(/^(\d{4})-(0[1-9]|1[0-2])$/, 'a month YYYY-MM')
    .refine((m) => Number(m.slice(0, 4)) >= 2000, 'from 2000 on'),
})

/**
 * The public monthly summary (公示, issue 15), mounted at `/api/public/summary` before the sign-in:
 * `GET /?community=<public code>&month=YYYY-MM` → counts only (server/queries/public-summary.ts). A community is
 * named by its random public code, never its id (an id, like any unknown code, is 404: communities cannot be
 * counted through). A month not begun yet → 422. Rate-limited per client address, in memory; one limiter per app.
 */
export function publicSummaryRoutes(limiter = new PublicReportLimiter(PUBLIC_SUMMARY_LIMITS)): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/', validate('query', summaryQuery), async (c) => {
    const now = Date.now()
    const address = clientAddress(c)
    const wait = limiter.check(now, address)
    if (wait > 0) {
      c.header('retry-after', String(Math.max(1, Math.ceil(wait / 1000))))
      throw new Problem(429, 'Too many requests from here; please wait a few minutes.')
    }
    limiter.record(now, address)
    const q = c.req.valid('query')
    const community = PUBLIC_CODE_PATTERN.test(q.community) ? await communityByPublicCode(c.get('sql'), q.community) : undefined
    if (!community) throw problems.notFound('No community has this public code.')
    if (q.month > shanghaiDate(new Date(now)).slice(0, 7)) throw problems.unprocessable('That month has not begun.', [{ path: 'month', message: 'a month up to this one' }])
    c.header('cache-control', 'public, max-age=300')
    return c.json(await publicSummary(c.get('sql'), community, q.month))
  })
}
