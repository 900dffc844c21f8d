import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { listAudit } from '../queries/audit.ts'
import { validate } from '../validate.ts'

const query = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
})

/** `GET /api/audit` (admin): every write, newest first. */
export const audit = new Hono<AppEnv>().get('/', requirePermission('readAudit'), validate('query', query), async (c) => {
  const { limit, offset } = c.req.valid('query')
  return c.json({ items: await listAudit(c.get('sql'), { communityIds: c.get('communityIds'), limit, offset }) })
})
