import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { UNIT_KINDS } from '../../core/org.ts'
import { createUnit, getUnit, listUnits, updateUnit } from '../queries/units.ts'
import { idParam, validate } from '../validate.ts'

const fields = {
  name: z.string().trim().min(1, 'name is required').max(100, 'at most 100 characters'),
  kind: z.enum(UNIT_KINDS),
  contact: z.string().trim().max(200, 'at most 200 characters').nullable().optional(),
  communityIds: z.array(idParam).min(1, 'name at least one community the unit serves').max(200),
  active: z.boolean().optional(),
}
const createBody = z.object(fields).strict()
const updateBody = z.object({ ...fields, name: fields.name.optional(), kind: fields.kind.optional(), communityIds: fields.communityIds.optional() }).strict()
const listQuery = z.object({ communityId: idParam.optional(), active: z.enum(['true', 'false']).transform((v) => v === 'true').optional() })
const idParams = z.object({ id: idParam })

/**
 * Partner units (共建单位), mounted at `/api/units`: `GET /` (the units serving the caller's communities; a
 * partner account: its own unit), `GET /:id`, `POST /` and `PUT /:id` (admin; audited). Body
 * `{ name, kind, communityIds, contact?, active? }`.
 */
export const units = new Hono<AppEnv>()
  .get('/', validate('query', listQuery), async (c) => {
    return c.json({ items: await listUnits(c.get('sql'), c.get('user'), c.get('communityIds'), c.req.valid('query')) })
  })
  .get('/:id', validate('param', idParams), async (c) => c.json(await getUnit(c.get('sql'), c.req.valid('param').id, c.get('user'), c.get('communityIds'))))
  .post('/', requirePermission('manageUnits'), validate('json', createBody), async (c) => {
    const unit = await createUnit(c.get('sql'), c.req.valid('json'), c.get('user'), c.get('communityIds'))
    c.header('location', `/api/units/${unit.id}`)
    return c.json(unit, 201)
  })
  .put('/:id', requirePermission('manageUnits'), validate('param', idParams), validate('json', updateBody), async (c) => {
    return c.json(await updateUnit(c.get('sql'), c.req.valid('param').id, c.req.valid('json'), c.get('user'), c.get('communityIds')))
  })
