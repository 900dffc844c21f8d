import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.ts'
import { listPeople } from '../queries/people.ts'
import { idParam, validate } from '../validate.ts'

const query = z.object({ teamId: idParam.optional(), communityId: idParam.optional(), q: z.string().max(50).optional() })

/** `GET /api/people?teamId=&communityId=&q=`: people with phone numbers masked per the viewer. */
export const people = new Hono<AppEnv>().get('/', validate('query', query), async (c) => {
  const { teamId, communityId, q } = c.req.valid('query')
  return c.json({ items: await listPeople(c.get('sql'), c.get('user'), { communityIds: c.get('communityIds'), communityId, teamId, q }) })
})
