import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { ALL_CATEGORIES, isCategoryOf, LEVELS, MATTER_TYPES, seesLeads, SEVERITIES, SOURCES, STATUSES, type MatterCategory } from '../../core/matters.ts'
import { CLOCK_SKEW_MS } from '../domain/evidence.ts'
import { DEFAULT_PAGE_LIMIT, encodeCursor, nextPageUrl, pageQuery } from '../paging.ts'
import { problems, type ProblemFieldError } from '../problem.ts'
import { createHazard, hazardFeature, hazardPage, listHazardsGeoJson } from '../queries/hazards.ts'
import { bboxParam, enumList, finite, idParam, isoTime, validate } from '../validate.ts'

/** Longest description, in characters. */
const TEXT_MAX = 2000

const listQuery = z.object({
  type: enumList(MATTER_TYPES).optional(),
  status: enumList(STATUSES).optional(),
  category: enumList(ALL_CATEGORIES as readonly [MatterCategory, ...MatterCategory[]]).optional(),
  severity: enumList(SEVERITIES).optional(),
  level: enumList(LEVELS).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  bbox: bboxParam.optional(),
  zoneId: idParam.optional(),
  communityId: idParam.optional(),
  assigneeId: idParam.optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  ...pageQuery,
})

const jsonId = z.number().int('must be an integer').positive('must be positive').max(Number.MAX_SAFE_INTEGER)

const createBody = z.object({
  type: z.enum(MATTER_TYPES),
  category: z.string().trim().min(1).max(50),
  severity: z.enum(SEVERITIES).default('minor'),
  level: z.enum(LEVELS).default('micro_grid'),
  source: z.enum(SOURCES).default('patrol'),
  location: z.object({ lon: finite, lat: finite }),
  description: z.string().trim().max(TEXT_MAX, `at most ${TEXT_MAX} characters`).nullish(),
  buildingId: jsonId.nullish(),
  reportedAt: isoTime.nullish(),
  clientId: z.string().trim().min(1).max(100).nullish(),
})

const idParams = z.object({ id: idParam })

/**
 * Matters of every kind (事项, contract v2 "Kinds of matters"): `GET /api/matters` (filter `type=`),
 * `POST /api/matters` (`type` required, the category must be one of that type's — 422 otherwise),
 * `GET /api/matters/:id`. The loop (transition, escalate, photos) is under `/api/hazards/:id` for every kind.
 * Leads (`type = lead`) only for the roles that see them (core/matters.ts seesLeads): left out of the
 * lists and 404 by id for everyone else.
 */
export const matters = new Hono<AppEnv>()
  .get('/', validate('query', listQuery), async (c) => {
    const { limit = DEFAULT_PAGE_LIMIT, cursor, ...q } = c.req.valid('query')
    const filter = { ...q, communityIds: c.get('communityIds'), hideLeads: !seesLeads(c.get('user').role) }
    if (c.get('exporting')) return c.body(await listHazardsGeoJson(c.get('sql'), filter), 200, { 'content-type': 'application/geo+json; charset=utf-8' })
    const { body, next } = await hazardPage(c.get('sql'), filter, { limit, after: cursor })
    const nextCursor = next ? encodeCursor(next) : null
    if (nextCursor) c.header('link', `<${nextPageUrl(c.req.url, nextCursor)}>; rel="next"`)
    return c.body(`${body.slice(0, -1)},"next":${JSON.stringify(nextCursor)},"limit":${limit}}`, 200, { 'content-type': 'application/geo+json; charset=utf-8' })
  })
  .post('/', requirePermission('report'), validate('json', createBody), async (c) => {
    const body = c.req.valid('json')
    const errors: ProblemFieldError[] = []
    if (!isCategoryOf(body.type, body.category)) errors.push({ path: 'category', message: `not a category of type '${body.type}'` })
    const { lon, lat } = body.location
    if (lon < -180 || lon > 180) errors.push({ path: 'location.lon', message: 'longitude must be between -180 and 180' })
    if (lat < -90 || lat > 90) errors.push({ path: 'location.lat', message: 'latitude must be between -90 and 90' })
    if (errors.length) throw problems.unprocessable('The matter is invalid.', errors)
    const now = new Date()
    const claimed = body.reportedAt ? new Date(body.reportedAt) : now
    if (claimed.getTime() > now.getTime() + CLOCK_SKEW_MS) {
      throw problems.unprocessable('reportedAt is in the future.', [{ path: 'reportedAt', message: 'must not be in the future' }])
    }
    const result = await createHazard(
      c.get('sql'),
      {
        type: body.type,
        category: body.category as MatterCategory,
        severity: body.severity,
        level: body.level,
        source: body.source,
        lon,
        lat,
        description: body.description || undefined,
        buildingId: body.buildingId ?? undefined,
        reportedAt: claimed > now ? now : claimed,
        clientId: body.clientId ?? undefined,
      },
      c.get('user'),
      c.get('communityIds'),
    )
    if (result.live) c.get('live').publish(result.live)
    c.header('location', `/api/matters/${result.feature.id}`)
    return c.json(result.feature, result.created ? 201 : 200)
  })
  .get('/:id', validate('param', idParams), async (c) => {
    const { id } = c.req.valid('param')
    const feature = await hazardFeature(c.get('sql'), id, c.get('communityIds'), true, null, !seesLeads(c.get('user').role))
    if (!feature) throw problems.notFound(`No matter ${id}.`)
    return c.json(feature)
  })
