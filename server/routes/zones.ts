import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import type { Sql } from '../db/connect.ts'
import { parseZoneGeometry } from '../domain/zone-geometry.ts'
import { problems } from '../problem.ts'
import { listCommunities } from '../queries/communities.ts'
import { checkZones } from '../queries/zone-check.ts'
import { zoneVersions } from '../queries/zone-history.ts'
import { createZone, deleteZone, splitZoneByCut, suggestZones, updateZone, zoneDetail, zonesCsv, zonesGeoJson, zoneStats } from '../queries/zones.ts'
import { bboxParam, idParam, isoTime, validate } from '../validate.ts'

const jsonId = z.number().int('must be an integer').positive('must be positive').max(Number.MAX_SAFE_INTEGER)
const name = z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters')

const listQuery = z.object({
  communityId: idParam.optional(),
  bbox: bboxParam.optional(),
  format: z.enum(['geojson', 'csv']).optional(),
})
const communityQuery = z.object({ communityId: idParam.optional() })
const statsQuery = z.object({ communityId: idParam.optional(), from: isoTime.optional(), to: isoTime.optional() })
const writeQuery = z.object({ strict: z.enum(['true', 'false']).transform((v) => v === 'true').optional() })
const idParams = z.object({ id: idParam })

/** A zone as a GeoJSON Feature; the geometry is checked separately (422 with its reason). */
const createBody = z.object({
  type: z.literal('Feature', { error: 'must be a GeoJSON Feature' }),
  geometry: z.unknown(),
  properties: z.looseObject({
    name,
    assigneeId: jsonId.nullish(),
    teamId: jsonId.nullish(),
    teamIds: z.array(jsonId).max(20).optional(),
    communityId: jsonId.optional(),
    parentId: jsonId.nullish(),
  }),
})
/** An update: a Feature whose geometry and properties may each be left out (kept as they are). */
const updateBody = z.object({
  type: z.literal('Feature', { error: 'must be a GeoJSON Feature' }),
  geometry: z.unknown().optional(),
  properties: z
    .looseObject({
      name: name.optional(),
      assigneeId: jsonId.nullable().optional(),
      teamId: jsonId.nullable().optional(),
      teamIds: z.array(jsonId).max(20).optional(),
      communityId: jsonId.optional(),
      parentId: jsonId.nullable().optional(),
    })
    .optional(),
})
/** A split: the drawn part to split off, and the new zone's name and person (default: `<name>-2`, the same person). */
const splitBody = z.object({
  type: z.literal('Feature', { error: 'must be a GeoJSON Feature' }),
  geometry: z.unknown(),
  properties: z.looseObject({ name: name.optional(), assigneeId: jsonId.nullable().optional() }).nullish(),
})
const suggestBody = z.object({
  communityId: jsonId,
  n: z.number().int('must be an integer').min(1, 'at least 1').max(100, 'at most 100'),
  /** Split this grid into `n` micro-grids instead of the community into grids. */
  parentId: jsonId.optional(),
})

/** The community a request means: the one given, or the caller's only one (400 when ambiguous). */
async function communityOf(sql: Sql, communityIds: number[] | null, given: number | undefined): Promise<number> {
  if (given !== undefined) return given
  const visible = await listCommunities(sql, communityIds)
  if (visible.length === 1) return visible[0]!.id
  throw problems.badRequest('communityId is required.', [{ path: 'communityId', message: 'required when you may see more than one community' }])
}

/**
 * Zone endpoints (责任网格): list and export, check (overlaps, gaps, coverage), statistics by the zone
 * valid at each hazard's time, suggestions, detail, and the planner's writes (create, update, split,
 * delete). With `?strict=true` a
 * write overlapping another zone of its tier by 1 m² or more is refused with 409; otherwise overlaps are
 * allowed and listed in the answer's `overlaps`. `properties.parentId` makes a zone a micro-grid (微网格) of
 * a grid of the same community (two tiers; within the grid, 422 otherwise); a grid still holding
 * micro-grids is not deleted (409).
 */
export const zones = new Hono<AppEnv>()
  .get('/', validate('query', listQuery), async (c) => {
    const { communityId, bbox, format } = c.req.valid('query')
    const filter = { communityIds: c.get('communityIds'), communityId, bbox }
    const file = `zones${communityId === undefined ? '' : `-${communityId}`}`
    if (format === 'csv') {
      return c.body(await zonesCsv(c.get('sql'), filter), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${file}.csv"`,
      })
    }
    const body = await zonesGeoJson(c.get('sql'), filter)
    return c.body(body, 200, {
      'content-type': 'application/geo+json; charset=utf-8',
      ...(format === 'geojson' ? { 'content-disposition': `attachment; filename="${file}.geojson"` } : {}),
    })
  })
  .get('/check', validate('query', communityQuery), async (c) => {
    const sql = c.get('sql')
    const communityId = await communityOf(sql, c.get('communityIds'), c.req.valid('query').communityId)
    const result = await checkZones(sql, communityId, c.get('communityIds'))
    if (!result) throw problems.notFound(`No community ${communityId}.`)
    return c.json(result)
  })
  .get('/stats', validate('query', statsQuery), async (c) => {
    const { communityId, from, to } = c.req.valid('query')
    return c.json(await zoneStats(c.get('sql'), { communityIds: c.get('communityIds'), communityId, from, to }))
  })
  .post('/suggest', requirePermission('editZones'), validate('json', suggestBody), async (c) => {
    const { communityId, n, parentId } = c.req.valid('json')
    const result = await suggestZones(c.get('sql'), communityId, n, c.get('communityIds'), parentId)
    if (!result) throw problems.notFound(parentId === undefined ? `No community ${communityId}.` : `No grid ${parentId} in community ${communityId}.`)
    return c.json(result)
  })
  .get('/:id', validate('param', idParams), async (c) => {
    const { id } = c.req.valid('param')
    const feature = await zoneDetail(c.get('sql'), id, c.get('user'), c.get('communityIds'))
    if (!feature) throw problems.notFound(`No zone ${id}.`)
    return c.json(feature)
  })
  .get('/:id/versions', validate('param', idParams), async (c) => {
    const { id } = c.req.valid('param')
    const items = await zoneVersions(c.get('sql'), id, c.get('communityIds'))
    if (!items) throw problems.notFound(`No zone ${id}.`)
    return c.json({ items })
  })
  .post('/', requirePermission('editZones'), validate('query', writeQuery), validate('json', createBody), async (c) => {
    const body = c.req.valid('json')
    const geometry = parseZoneGeometry(body.geometry)
    const { name: zoneName, assigneeId, teamId, teamIds, communityId, parentId } = body.properties
    const result = await createZone(c.get('sql'), { name: zoneName, assigneeId, teamId, teamIds, communityId, parentId, geometry }, c.get('user'), c.get('communityIds'), {
      strict: c.req.valid('query').strict ?? false,
    })
    c.header('location', `/api/zones/${result.feature.id}`)
    return c.json({ ...result.feature, overlaps: result.overlaps }, 201)
  })
  .put('/:id', requirePermission('editZones'), validate('param', idParams), validate('query', writeQuery), validate('json', updateBody), async (c) => {
    const { id } = c.req.valid('param')
    const body = c.req.valid('json')
    const geometry = body.geometry === undefined || body.geometry === null ? undefined : parseZoneGeometry(body.geometry)
    const p = body.properties ?? {}
    const result = await updateZone(
      c.get('sql'),
      id,
      { name: p.name, assigneeId: p.assigneeId, teamId: p.teamId, teamIds: p.teamIds, communityId: p.communityId, parentId: p.parentId, geometry },
      c.get('user'),
      c.get('communityIds'),
      { strict: c.req.valid('query').strict ?? false },
    )
    if (!result) throw problems.notFound(`No zone ${id}.`)
    return c.json({ ...result.feature, overlaps: result.overlaps })
  })
  .post('/:id/split', requirePermission('editZones'), validate('param', idParams), validate('json', splitBody), async (c) => {
    const { id } = c.req.valid('param')
    const body = c.req.valid('json')
    const cut = parseZoneGeometry(body.geometry)
    const result = await splitZoneByCut(c.get('sql'), id, cut, { name: body.properties?.name, assigneeId: body.properties?.assigneeId }, c.get('user'), c.get('communityIds'))
    if (!result) throw problems.notFound(`No zone ${id}.`)
    return c.json(result, 201)
  })
  .delete('/:id', requirePermission('editZones'), validate('param', idParams), async (c) => {
    const { id } = c.req.valid('param')
    if (!(await deleteZone(c.get('sql'), id, c.get('user'), c.get('communityIds')))) throw problems.notFound(`No zone ${id}.`)
    return c.body(null, 204)
  })
