import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { parseZoneGeometry } from '../domain/zone-geometry.ts'
import { createCommunity } from '../queries/communities.ts'
import { layerGeoJson } from '../queries/layers.ts'
import { assertValidGeometry } from '../queries/zones.ts'
import { validate } from '../validate.ts'

const communityFeature = z.object({
  type: z.literal('Feature'),
  geometry: z.unknown(),
  properties: z.object({
    name: z.string().trim().min(1, 'name is required').max(100),
    nameEn: z.string().trim().max(100).optional(),
  }),
})

/** Communities: `GET /api/communities` (those the caller may see) and `POST /api/communities` (admin). */
export const communities = new Hono<AppEnv>()
  .get('/', async (c) => {
    const body = await layerGeoJson(c.get('sql'), 'communities', { communityIds: c.get('communityIds') })
    return c.body(body, 200, { 'content-type': 'application/geo+json; charset=utf-8' })
  })
  .post('/', requirePermission('manageCommunities'), validate('json', communityFeature), async (c) => {
    const { geometry, properties } = c.req.valid('json')
    const sql = c.get('sql')
    const boundary = parseZoneGeometry(geometry)
    await assertValidGeometry(sql, boundary)
    const feature = await createCommunity(sql, { name: properties.name, nameEn: properties.nameEn, boundary }, c.get('user'))
    // Whoever sees every community sees this one from the next request on: the new row drops every
    // cached session (server/auth/session-cache.ts).
    return c.json(feature, 201)
  })
