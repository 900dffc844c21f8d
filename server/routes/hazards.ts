import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { CATEGORIES, LEVELS, seesLeads, SEVERITIES, STATUSES } from '../../core/matters.ts'
import { cleanPhoto, PHOTO_MAX_BYTES, photoVariant } from '../media/photos.ts'
import { Problem, problems, type ProblemFieldError } from '../problem.ts'
import { DEFAULT_PAGE_LIMIT, encodeCursor, nextPageUrl, pageQuery } from '../paging.ts'
import { addHazardComment, addHazardPhoto, createHazard, escalateHazard, hazardFeature, hazardPage, hazardPhoto, listHazardsGeoJson, rectifyHazard, transitionHazard } from '../queries/hazards.ts'
import { partnerUnitOf } from '../queries/units.ts'
import { CLOCK_SKEW_MS } from '../domain/evidence.ts'
import { FIXED_ON_SPOT_ROLES } from '../../core/arrival.ts'
import { limitBody } from '../http.ts'
import { remindHazard } from '../queries/reminders.ts'
import { residentContact, reviewReport } from '../queries/public-reports.ts'
import { can } from '../../core/roles.ts'
import { bboxParam, enumList, finite, idParam, isoTime, validate } from '../validate.ts'

/** Largest multipart body of a photo upload: the photo plus room for the form's boundaries and headers. */
export const PHOTO_BODY_LIMIT = PHOTO_MAX_BYTES + 64 * 1024

/** The photo upload path, which has its own body limit instead of the app-wide JSON one. */
export const PHOTO_UPLOAD_PATH = /^\/api\/hazards\/[^/]+\/photos\/?$/


/** Longest description or note, in characters. */
const TEXT_MAX = 2000

const listQuery = z.object({
  status: enumList(STATUSES).optional(),
  category: enumList(CATEGORIES).optional(),
  severity: enumList(SEVERITIES).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  bbox: bboxParam.optional(),
  zoneId: idParam.optional(),
  communityId: idParam.optional(),
  assigneeId: idParam.optional(),
  unitId: idParam.optional(),
  level: enumList(LEVELS).optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  at: isoTime.optional(),
  ...pageQuery,
})

const jsonId = z.number().int('must be an integer').positive('must be positive').max(Number.MAX_SAFE_INTEGER)

/** `{lon, lat}` or a GeoJSON Point; numbers must be finite (ranges are checked after, as 422). */
const location = z.union([
  z.object({ lon: finite, lat: finite }),
  z.object({ type: z.literal('Point'), coordinates: z.array(finite).min(2).max(3) }),
])

const createBody = z.object({
  category: z.enum(CATEGORIES),
  severity: z.enum(SEVERITIES),
  location,
  description: z.string().trim().max(TEXT_MAX, `at most ${TEXT_MAX} characters`).nullish(),
  buildingId: jsonId.nullish(),
  reportedAt: isoTime.nullish(),
  clientId: z.string().trim().min(1).max(100).nullish(),
  /** 现场处置 (issue 15): found and fixed on the spot; `note` says what was done. */
  fixedOnSpot: z.boolean().nullish(),
  note: z.string().trim().max(TEXT_MAX, `at most ${TEXT_MAX} characters`).nullish(),
})

const remindBody = z.object({ note: z.string().max(TEXT_MAX, `at most ${TEXT_MAX} characters`).optional() })

const transitionBody = z.object({
  to: z.enum(STATUSES),
  note: z.string().trim().max(TEXT_MAX, `at most ${TEXT_MAX} characters`).nullish(),
  assigneeId: jsonId.nullish(),
  /** With `to: 'dispatched'`: hand the matter to this partner unit (null takes it back). */
  unitId: jsonId.nullable().optional(),
  version: z.number().int().positive().nullish(),
})

const commentBody = z
  .object({
    note: z.string().trim().min(1, 'a comment must not be empty').max(TEXT_MAX, `at most ${TEXT_MAX} characters`),
    /** The phone's id of this comment (its outbox, issue 15): the same clientId again answers the matter, commented once. */
    clientId: z.string().trim().min(1).max(100).optional(),
  })
  .strict()

/** `POST /:id/rectify` (整改完成 from the phone, issue 15): an optional note, and the outbox's clientId. */
const rectifyBody = z
  .object({
    note: z.string().trim().max(TEXT_MAX, `at most ${TEXT_MAX} characters`).nullish(),
    clientId: z.string().trim().min(1).max(100).optional(),
  })
  .strict()

/** `POST /:id/escalate`: malformed → 400; a missing or blank reason is well-formed but invalid → 422 (the route). */
const escalateBody = z.object({
  level: z.enum(LEVELS),
  reason: z.string().trim().max(TEXT_MAX, `at most ${TEXT_MAX} characters`).nullish(),
  /** At street level: hand the matter to this partner unit. */
  unitId: jsonId.nullish(),
  /** The phone's id of this escalation (its outbox): the same clientId again answers the matter, escalated once. */
  clientId: z.string().trim().min(1).max(100).optional(),
})

/** `POST /:id/review` (issue 15): accept a resident's report, or decline it with the answer the resident reads. */
const reviewBody = z.object({
  decision: z.enum(['accept', 'decline']),
  answer: z.string().trim().max(TEXT_MAX, `at most ${TEXT_MAX} characters`).nullish(),
})

const idParams = z.object({ id: idParam })
const photoParams = z.object({ id: idParam, photoId: idParam })
const photoQuery = z.object({ size: z.enum(['thumb', 'full']).default('full') })
const photoForm = z.object({
  photo: z.custom<File>((v) => v instanceof Blob, 'a file in the form field "photo" is required'),
  /** The client's id of this upload: sending it again returns the first photo (200) instead of a second one. */
  clientId: z.string().trim().min(1).max(100).optional(),
  /** What the photo shows (issue 15): as found (`before`) or once fixed (`after`). */
  role: z.enum(['before', 'after']).optional(),
})
const idempotencyKey = z.string().trim().min(1, 'Idempotency-Key must not be empty').max(100, 'Idempotency-Key is at most 100 characters')

/** Longitude/latitude of the location, or 422 when out of range. */
function lonLatOf(loc: z.infer<typeof location>): { lon: number; lat: number } {
  const [lon, lat] = 'lon' in loc ? [loc.lon, loc.lat] : [loc.coordinates[0]!, loc.coordinates[1]!]
  const errors: ProblemFieldError[] = []
  if (lon < -180 || lon > 180) errors.push({ path: 'location.lon', message: 'longitude must be between -180 and 180' })
  if (lat < -90 || lat > 90) errors.push({ path: 'location.lat', message: 'latitude must be between -90 and 90' })
  if (errors.length) throw problems.unprocessable('The location is out of range.', errors)
  return { lon, lat }
}

/** Hazard endpoints (隐患): list and replay, report, detail, transitions of the closed loop, photos. */
export const hazards = new Hono<AppEnv>()
  .get('/', validate('query', listQuery), async (c) => {
    const { limit = DEFAULT_PAGE_LIMIT, cursor, ...q } = c.req.valid('query')
    // `/api/hazards` is the matters of type hazard (contract v2); `/api/matters` lists every kind.
    // A partner account sees only the matters handed to its unit, whatever it asks for.
    const own = partnerUnitOf(c.get('user'))
    const filter = { ...q, type: ['hazard' as const], communityIds: c.get('communityIds'), hideLeads: true, ...(own === null ? {} : { unitId: own }) }
    // A download (?format=…) holds everything the filters select.
    if (c.get('exporting')) return c.body(await listHazardsGeoJson(c.get('sql'), filter), 200, { 'content-type': 'application/geo+json; charset=utf-8' })
    const { body, next } = await hazardPage(c.get('sql'), filter, { limit, after: cursor })
    const nextCursor = next ? encodeCursor(next) : null
    if (nextCursor) c.header('link', `<${nextPageUrl(c.req.url, nextCursor)}>; rel="next"`)
    // The FeatureCollection with two more members: the cursor of the next page (null on the last) and the page size.
    return c.body(`${body.slice(0, -1)},"next":${JSON.stringify(nextCursor)},"limit":${limit}}`, 200, { 'content-type': 'application/geo+json; charset=utf-8' })
  })
  .post('/', requirePermission('report'), validate('json', createBody), async (c) => {
    const body = c.req.valid('json')
    const { lon, lat } = lonLatOf(body.location)
    if (body.fixedOnSpot) {
      // Fixed on the spot means being there: a patrol member or a leader on the phone, saying what was done.
      if (!FIXED_ON_SPOT_ROLES.includes(c.get('user').role)) throw problems.forbidden('Only a patrol member or a leader on site reports a matter fixed on the spot.')
      if (!body.note) throw problems.unprocessable('A matter fixed on the spot needs a note saying what was done.', [{ path: 'note', message: 'required with fixedOnSpot' }])
    }
    const now = new Date()
    const claimed = body.reportedAt ? new Date(body.reportedAt) : now
    if (claimed.getTime() > now.getTime() + CLOCK_SKEW_MS) {
      throw problems.unprocessable('reportedAt is in the future.', [{ path: 'reportedAt', message: 'must not be in the future' }])
    }
    // A phone clock a little ahead counts as now, so the report never follows its own dispatch.
    const reportedAt = claimed > now ? now : claimed
    const result = await createHazard(
      c.get('sql'),
      {
        category: body.category,
        severity: body.severity,
        lon,
        lat,
        description: body.description || undefined,
        buildingId: body.buildingId ?? undefined,
        reportedAt,
        clientId: body.clientId ?? undefined,
        fixedOnSpot: body.fixedOnSpot ?? undefined,
        fixedNote: body.fixedOnSpot ? (body.note ?? undefined) : undefined,
      },
      c.get('user'),
      c.get('communityIds'),
    )
    if (result.live) c.get('live').publish(result.live)
    c.header('location', `/api/hazards/${result.feature.id}`)
    return c.json(result.feature, result.created ? 201 : 200)
  })
  .get('/:id', validate('param', idParams), async (c) => {
    const { id } = c.req.valid('param')
    const feature = await hazardFeature(c.get('sql'), id, c.get('communityIds'), true, partnerUnitOf(c.get('user')), !seesLeads(c.get('user').role))
    if (!feature) throw problems.notFound(`No hazard ${id}.`)
    // A resident's phone is whole only for admin and the command centre (masked in lists, exports, live events).
    if (feature.properties.contact && can(c.get('user').role, 'seeResidentContact')) feature.properties.contact = await residentContact(c.get('sql'), id)
    return c.json(feature)
  })
  // 待核实 (issue 15): the command centre accepts a resident's report or declines it with an answer.
  .post('/:id/review', requirePermission('review'), validate('param', idParams), validate('json', reviewBody), async (c) => {
    const { id } = c.req.valid('param')
    const { decision, answer } = c.req.valid('json')
    if (decision === 'decline' && !answer) throw problems.unprocessable('Declining a report needs an answer for the resident.', [{ path: 'answer', message: 'required to decline' }])
    const result = await reviewReport(c.get('sql'), { id, decision, answer: answer || null }, c.get('user'), c.get('communityIds'))
    c.get('live').publish(result.live)
    return c.json(result.feature)
  })
  .post('/:id/transition', validate('param', idParams), validate('json', transitionBody), async (c) => {
    const { id } = c.req.valid('param')
    const body = c.req.valid('json')
    const result = await transitionHazard(
      c.get('sql'),
      { id, to: body.to, note: body.note || undefined, assigneeId: body.assigneeId ?? undefined, unitId: body.unitId, version: body.version ?? undefined },
      c.get('user'),
      c.get('communityIds'),
      !seesLeads(c.get('user').role),
    )
    c.get('live').publish(result.live)
    return c.json(result.feature)
  })
  .post('/:id/comments', requirePermission('rectify'), validate('param', idParams), validate('json', commentBody), async (c) => {
    const { id } = c.req.valid('param')
    const { note, clientId } = c.req.valid('json')
    const result = await addHazardComment(c.get('sql'), id, note, c.get('user'), c.get('communityIds'), clientId ?? null, !seesLeads(c.get('user').role))
    if (result.live) c.get('live').publish(result.live)
    return c.json(result.feature, result.created ? 201 : 200)
  })
  // 整改完成 from the phone (issue 15): dispatched → rectifying → rectified, or rectifying → rectified; idempotent by clientId.
  .post('/:id/rectify', requirePermission('rectify'), validate('param', idParams), validate('json', rectifyBody), async (c) => {
    const { id } = c.req.valid('param')
    const { note, clientId } = c.req.valid('json')
    const result = await rectifyHazard(c.get('sql'), { id, note: note || undefined, clientId }, c.get('user'), c.get('communityIds'), !seesLeads(c.get('user').role))
    if (result.live) c.get('live').publish(result.live)
    return c.json(result.feature, result.created ? 201 : 200)
  })
  // 催办 (issue 19): a reminder to the assignee, one an hour per matter (server/queries/reminders.ts).
  .post('/:id/remind', requirePermission('dispatch'), validate('param', idParams), validate('json', remindBody), async (c) => {
    const { id } = c.req.valid('param')
    const { note } = c.req.valid('json')
    const { result, live } = await remindHazard(c.get('sql'), { id, note }, c.get('user'), c.get('communityIds'), c.get('alerts'))
    c.get('live').publish(live)
    return c.json(result, 201)
  })
  .post('/:id/escalate', validate('param', idParams), validate('json', escalateBody), async (c) => {
    const { id } = c.req.valid('param')
    const { level, reason, unitId, clientId } = c.req.valid('json')
    if (!reason) throw problems.unprocessable('An escalation needs a reason.', [{ path: 'reason', message: 'required' }])
    const result = await escalateHazard(c.get('sql'), { id, level, reason, unitId, clientId }, c.get('user'), c.get('communityIds'), !seesLeads(c.get('user').role))
    for (const event of result.live) c.get('live').publish(event)
    return c.json(result.feature)
  })
  .post(
    '/:id/photos',
    // Drained before the 413 (server/http.ts), so a phone reads the answer instead of a reset.
    limitBody(PHOTO_BODY_LIMIT, `The photo is larger than ${PHOTO_MAX_BYTES / 1024 / 1024} MB.`),
    requirePermission('rectify'),
    validate('param', idParams),
    validate('form', photoForm),
    async (c) => {
      const { id } = c.req.valid('param')
      const { photo, clientId: formClientId, role } = c.req.valid('form')
      const header = c.req.header('idempotency-key')
      const key = header === undefined ? undefined : idempotencyKey.safeParse(header)
      if (key && !key.success) throw problems.badRequest('The Idempotency-Key header is invalid.', [{ path: 'Idempotency-Key', message: key.error.issues[0]?.message ?? 'invalid' }])
      const clientId = key?.data ?? formClientId ?? null
      if (photo.size > PHOTO_MAX_BYTES) throw new Problem(413, `The photo is larger than ${PHOTO_MAX_BYTES / 1024 / 1024} MB.`)
      // Answer 404 before the work of decoding when the hazard is not visible.
      const hideLeads = !seesLeads(c.get('user').role)
      if (!(await hazardFeature(c.get('sql'), id, c.get('communityIds'), false, partnerUnitOf(c.get('user')), hideLeads))) throw problems.notFound(`No hazard ${id}.`)
      const clean = await cleanPhoto(new Uint8Array(await photo.arrayBuffer()))
      const { id: photoId, created } = await addHazardPhoto(c.get('sql'), id, clean, c.get('user'), c.get('communityIds'), clientId, hideLeads, role ?? null)
      const url = `/api/hazards/${id}/photos/${photoId}`
      c.header('location', url)
      return c.json({ id: photoId, url, mime: clean.mime, width: clean.width, height: clean.height }, created ? 201 : 200)
    },
  )
  .get('/:id/photos/:photoId', validate('param', photoParams), validate('query', photoQuery), async (c) => {
    const { id, photoId } = c.req.valid('param')
    const { size } = c.req.valid('query')
    const photo = await hazardPhoto(c.get('sql'), id, photoId, c.get('communityIds'), partnerUnitOf(c.get('user')), !seesLeads(c.get('user').role))
    if (!photo) throw problems.notFound(`No photo ${photoId} of hazard ${id}.`)
    const bytes = await photoVariant(photo, size)
    return c.body(new Uint8Array(bytes), 200, {
      'content-type': photo.mime,
      'cache-control': 'private, max-age=86400',
      'content-disposition': 'inline',
    })
  })
