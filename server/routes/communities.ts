import { Hono } from 'hono'
import { z } from 'zod'
import { SETTABLE_TARGETS } from '../../core/terms.ts'
import { canSeeCommunity, requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { parseZoneGeometry } from '../domain/zone-geometry.ts'
import { createCommunity } from '../queries/communities.ts'
import { layerGeoJson } from '../queries/layers.ts'
import { communityTargets, setCommunityTargets } from '../queries/targets.ts'
import { problems } from '../problem.ts'
import { assertValidGeometry } from '../queries/zones.ts'
import { idParam, validate } from '../validate.ts'

const communityFeature = z.object({
  type: z.literal('Feature'),
  geometry: z.unknown(),
  properties: z.object({
    name: z.string().trim().min(1, 'name is required').max(100),
    nameEn: z.string().trim().max(100).optional(),
  }),
})

const share = z.number().refine(Number.isFinite, 'must be a finite number').min(0, 'a share from 0 to 1').max(1, 'a share from 0 to 1')
/** A community's own targets: each settable one a share 0..1, absent or null for the default. */
const targetsBody = z.strictObject(Object.fromEntries(SETTABLE_TARGETS.map((k) => [k, share.nullable().optional()])) as Record<(typeof SETTABLE_TARGETS)[number], z.ZodOptional<z.ZodNullable<typeof share>>>)
const communityParam = z.object({ id: idParam })

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
  // Targets (目标值, issue 19.8): whoever sees the community reads them; an admin sets them.
  .get('/:id/targets', validate('param', communityParam), async (c) => {
    const { id } = c.req.valid('param')
    if (!canSeeCommunity(c.get('communityIds'), id)) throw problems.notFound('No such community.')
    const found = await communityTargets(c.get('sql'), id)
    if (!found) throw problems.notFound('No such community.')
    return c.json(found)
  })
  .put('/:id/targets', requirePermission('manageCommunities'), validate('param', communityParam), validate('json', targetsBody), async (c) => {
    const { id } = c.req.valid('param')
    if (!canSeeCommunity(c.get('communityIds'), id)) throw problems.notFound('No such community.')
    const body = c.req.valid('json')
    const own = Object.fromEntries(Object.entries(body).filter((e): e is [string, number] => typeof e[1] === 'number'))
    const saved = await setCommunityTargets(c.get('sql'), id, own, c.get('user'))
    if (!saved) throw problems.notFound('No such community.')
    return c.json(saved)
  })
