import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { getBuilding, updateBuilding } from '../queries/buildings.ts'
import { idParam, validate } from '../validate.ts'

const idParams = z.object({ id: idParam })
const body = z.object({
  type: z.literal('Feature').optional(),
  properties: z
    .object({
      headPersonId: idParam.nullable().optional(),
      name: z.string().trim().max(100).nullable().optional(),
      households: z.number().int().min(0).max(100_000).optional(),
    })
    .strict(),
})

/**
 * Buildings: `GET /api/buildings/:id` (any role) and `PUT /api/buildings/:id { properties: { headPersonId, name?,
 * households? } }` (admin, planner): the building head (楼栋长/党员中心户) shown on the map and in the zone detail.
 */
export const buildings = new Hono<AppEnv>()
  .get('/:id', validate('param', idParams), async (c) => c.json(await getBuilding(c.get('sql'), c.req.valid('param').id, c.get('communityIds'))))
  .put('/:id', requirePermission('editBuildings'), validate('param', idParams), validate('json', body), async (c) => {
    return c.json(await updateBuilding(c.get('sql'), c.req.valid('param').id, c.req.valid('json').properties, c.get('user'), c.get('communityIds')))
  })
