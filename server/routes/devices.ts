import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { listDevices, registerDevice } from '../queries/devices.ts'
import { idParam, validate } from '../validate.ts'
import { deviceIdSchema } from './tracks.ts'

const body = z.object({ id: deviceIdSchema, personId: idParam, communityId: idParam, name: z.string().trim().min(1).max(100).optional() }).strict()
const query = z.object({ personId: idParam.optional(), communityId: idParam.optional() })

/**
 * Devices: `GET /api/devices?personId=&communityId=` (any role) with each device's last position time, and
 * `POST /api/devices { id, personId, communityId, name? }` (admin; a leader for their own team's members) →
 * 201, or 200 when the same registration exists. A phone also registers itself at first duty (tracks).
 */
export const devices = new Hono<AppEnv>()
  .get('/', validate('query', query), async (c) => c.json({ items: await listDevices(c.get('sql'), { communityIds: c.get('communityIds'), ...c.req.valid('query') }) }))
  .post('/', requirePermission('registerDevice'), validate('json', body), async (c) => {
    const { device, created } = await registerDevice(c.get('sql'), c.req.valid('json'), c.get('user'), c.get('communityIds'))
    return c.json(device, created ? 201 : 200)
  })
