import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { TEAM_KINDS_ANY } from '../../core/org.ts'
import { createTeam, getTeam, listTeams, updateTeam } from '../queries/teams.ts'
import { idParam, validate } from '../validate.ts'

const fields = {
  name: z.string().trim().min(1, 'name is required').max(50),
  kind: z.enum(TEAM_KINDS_ANY),
  kindLabel: z.string().trim().min(1).max(50).nullable().optional(),
  leaderId: idParam.nullable().optional(),
  deputyIds: z.array(idParam).max(20).optional(),
  active: z.boolean().optional(),
}
const createBody = z
  .object({ communityId: idParam, ...fields })
  .strict()
  .refine((b) => b.kind !== 'custom' || Boolean(b.kindLabel), { message: 'a custom team needs its kind name', path: ['kindLabel'] })
const updateBody = z.object({ ...fields, name: fields.name.optional(), kind: fields.kind.optional() }).strict()
const idParams = z.object({ id: idParam })

/**
 * Teams (队伍): `GET /api/teams?communityId=` (any role), `GET /api/teams/:id`, `POST /api/teams` (admin),
 * `PUT /api/teams/:id` (admin; the team's leader or a deputy for its name and deputies). Kinds are the six
 * standard ones or `custom` with `kindLabel`.
 */
export const teams = new Hono<AppEnv>()
  .get('/', validate('query', z.object({ communityId: idParam.optional() })), async (c) => {
    return c.json({ items: await listTeams(c.get('sql'), { communityIds: c.get('communityIds'), communityId: c.req.valid('query').communityId }) })
  })
  .get('/:id', validate('param', idParams), async (c) => c.json(await getTeam(c.get('sql'), c.req.valid('param').id, c.get('communityIds'))))
  .post('/', requirePermission('manageCommunities'), validate('json', createBody), async (c) => {
    return c.json(await createTeam(c.get('sql'), c.req.valid('json'), c.get('user'), c.get('communityIds')), 201)
  })
  .put('/:id', requirePermission('manageRoster'), validate('param', idParams), validate('json', updateBody), async (c) => {
    return c.json(await updateTeam(c.get('sql'), c.req.valid('param').id, c.req.valid('json'), c.get('user'), c.get('communityIds')))
  })
