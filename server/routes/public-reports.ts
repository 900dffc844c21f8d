import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.ts'
import { CATEGORIES_BY_TYPE, isCategoryOf, PUBLIC_REPORT_TYPES, type MatterCategory } from '../../core/matters.ts'
import { RATINGS } from '../../core/org.ts'
import { cleanPhoto, PHOTO_MAX_BYTES } from '../media/photos.ts'
import { clientAddress, jsonDepthGuard, limitBody } from '../http.ts'
import { Problem, problems, zodErrors, type ProblemFieldError } from '../problem.ts'
import { normalizePhone, PublicReportLimiter, TRACKING_CODE_PATTERN } from '../domain/public-reports.ts'
import { createPublicReport, placeByCode, publicReport, ratePublicReport, servedArea, type PublicPlace } from '../queries/public-reports.ts'
import { finite, validate } from '../validate.ts'
import { PHOTO_BODY_LIMIT } from './hazards.ts'

/** Largest JSON body of a resident's report (a description of 2,000 characters fits many times over). */
export const PUBLIC_JSON_LIMIT = 32 * 1024

/** The report path, whose multipart body (with a photo) skips the app-wide JSON limit for its own. */
export const PUBLIC_REPORT_PATH = /^\/api\/public\/reports\/?$/

/** Longest description, answer or comment, in characters. */
const TEXT_MAX = 2000

/** A report's fields, from JSON or from the multipart form (numbers there arrive as text). */
const reportBody = z
  .object({
    type: z.enum(PUBLIC_REPORT_TYPES),
    category: z.string().trim().min(1).max(40).optional(),
    lon: finite.optional(),
    lat: finite.optional(),
    placeCode: z.string().trim().min(1).max(40).optional(),
    description: z.string().trim().min(1, 'say what you saw').max(TEXT_MAX, `at most ${TEXT_MAX} characters`),
    contact: z.string().trim().max(40).optional(),
    deviceId: z.string().trim().min(1).max(100).optional(),
  })
  .strict()

const ratingBody = z
  .object({
    rating: z.enum(RATINGS),
    comment: z.string().trim().max(TEXT_MAX, `at most ${TEXT_MAX} characters`).nullish(),
  })
  .strict()

const codeParams = z.object({ trackingCode: z.string().max(64) })
const placeParams = z.object({ code: z.string().max(64) })

/** The same answer for a malformed and an unknown code: nothing tells them apart. */
const unknownCode = (): Problem => problems.notFound('No report has this tracking code.')

/** Read the report from JSON or multipart (`photo` the optional file); a body of another type → 415. */
async function readReport(c: Parameters<MiddlewareHandler<AppEnv>>[0]): Promise<{ fields: unknown; photo: File | null }> {
  const type = (c.req.header('content-type') ?? '').toLowerCase()
  if (type.startsWith('multipart/form-data')) {
    const form = await c.req.parseBody().catch(() => {
      throw problems.badRequest('The form cannot be read.')
    })
    const fields: Record<string, unknown> = {}
    let photo: File | null = null
    for (const [key, value] of Object.entries(form)) {
      if (key === 'photo') {
        if (value instanceof Blob) photo = value as File
        else if (value !== '') throw problems.badRequest('The form field "photo" must be a file.')
        continue
      }
      if (typeof value !== 'string') throw problems.badRequest(`The form field "${key}" must be text.`)
      if (value === '') continue
      fields[key] = key === 'lon' || key === 'lat' ? Number(value) : value
    }
    return { fields, photo }
  }
  if (type.startsWith('application/json')) {
    const fields: unknown = await c.req.json().catch(() => {
      throw problems.badRequest('The body is not valid JSON.')
    })
    return { fields, photo: null }
  }
  throw new Problem(415, 'Send the report as application/json or multipart/form-data.')
}

const photoLimit = limitBody(PHOTO_BODY_LIMIT, `The photo is larger than ${PHOTO_MAX_BYTES / 1024 / 1024} MB.`)
const jsonLimit = limitBody(PUBLIC_JSON_LIMIT, `The report is larger than ${PUBLIC_JSON_LIMIT / 1024} KB.`)

/**
 * Body limits (the app leaves this path to its route): a multipart report may carry one photo; a JSON one is
 * small, and its nesting is checked like every other JSON body.
 */
const reportLimit: MiddlewareHandler<AppEnv> = (c, next) =>
  (c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')
    ? photoLimit(c, next)
    : jsonLimit(c, async () => {
        await jsonDepthGuard(c, next)
      })

/**
 * Residents' reports without signing in (人人都是安全员, issue 15), mounted at `/api/public/reports` before the
 * sign-in: report (rate-limited per address and per device, in memory), the public view by tracking code,
 * the rating after the close, and the name of a poster's place. One limiter per app.
 */
export function publicReports(limiter = new PublicReportLimiter()): Hono<AppEnv> {
  const tooMany = (c: Parameters<MiddlewareHandler<AppEnv>>[0], waitMs: number): Problem => {
    c.header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))))
    return new Problem(429, 'Too many reports from here; please wait a few minutes.')
  }

  return new Hono<AppEnv>()
    .post('/', reportLimit, async (c) => {
      const address = clientAddress(c)
      const early = limiter.check(Date.now(), address)
      if (early > 0) throw tooMany(c, early)
      const { fields, photo } = await readReport(c)
      const parsed = reportBody.safeParse(fields)
      if (!parsed.success) throw new Problem(400, 'The body is invalid.', { errors: zodErrors(parsed.error) })
      const body = parsed.data
      const errors: ProblemFieldError[] = []
      const category = (body.category ?? 'other') as MatterCategory
      if (!isCategoryOf(body.type, category)) errors.push({ path: 'category', message: `one of ${CATEGORIES_BY_TYPE[body.type].join(', ')}` })
      let contact: string | null = null
      if (body.contact) {
        contact = normalizePhone(body.contact)
        if (contact === null) errors.push({ path: 'contact', message: 'a phone number: 5 to 20 digits' })
      }
      const hasPoint = body.lon !== undefined && body.lat !== undefined
      if (!hasPoint && body.placeCode === undefined) errors.push({ path: 'lon', message: 'give lon and lat, or a placeCode' })
      if ((body.lon === undefined) !== (body.lat === undefined)) errors.push({ path: body.lon === undefined ? 'lon' : 'lat', message: 'lon and lat go together' })
      if (hasPoint && (body.lon! < -180 || body.lon! > 180)) errors.push({ path: 'lon', message: 'longitude must be between -180 and 180' })
      if (hasPoint && (body.lat! < -90 || body.lat! > 90)) errors.push({ path: 'lat', message: 'latitude must be between -90 and 90' })
      if (photo && photo.size > PHOTO_MAX_BYTES) throw new Problem(413, `The photo is larger than ${PHOTO_MAX_BYTES / 1024 / 1024} MB.`)
      if (errors.length) throw problems.unprocessable('The report is invalid.', errors)
      const wait = limiter.check(Date.now(), address, body.deviceId)
      if (wait > 0) throw tooMany(c, wait)
      limiter.record(Date.now(), address, body.deviceId)

      let place: PublicPlace | undefined
      if (body.placeCode !== undefined) {
        place = await placeByCode(c.get('sql'), body.placeCode)
        if (!place) throw problems.unprocessable('The place code is unknown.', [{ path: 'placeCode', message: 'no poster or place has this code' }])
      }
      const clean = photo ? await cleanPhoto(new Uint8Array(await photo.arrayBuffer())) : undefined
      const result = await createPublicReport(c.get('sql'), {
        type: body.type,
        category,
        // A poster's place wins: the phone's position may be poor indoors.
        lon: place ? place.lon : body.lon!,
        lat: place ? place.lat : body.lat!,
        place,
        description: body.description,
        contact,
        deviceId: body.deviceId ?? null,
        photo: clean && { mime: clean.mime, width: clean.width, height: clean.height, bytes: clean.bytes },
      })
      c.get('live').publish(result.live)
      const url = `/r/${result.trackingCode}`
      c.header('location', `/api/public/reports/${result.trackingCode}`)
      c.header('cache-control', 'no-store')
      return c.json({ trackingCode: result.trackingCode, url }, 201)
    })
    .get('/area', async (c) => c.json({ bbox: await servedArea(c.get('sql')) }))
    .get('/places/:code', validate('param', placeParams), async (c) => {
      const { code } = c.req.valid('param')
      const place = /^[A-Za-z0-9-]{1,40}$/.test(code) ? await placeByCode(c.get('sql'), code) : undefined
      if (!place) throw problems.notFound('No poster or place has this code.')
      return c.json({ code, name: place.name, communityName: place.communityName })
    })
    .get('/:trackingCode', validate('param', codeParams), async (c) => {
      const { trackingCode } = c.req.valid('param')
      const view = TRACKING_CODE_PATTERN.test(trackingCode) ? await publicReport(c.get('sql'), trackingCode) : undefined
      if (!view) throw unknownCode()
      c.header('cache-control', 'no-store')
      return c.json(view)
    })
    .post('/:trackingCode/rating', validate('param', codeParams), validate('json', ratingBody), async (c) => {
      const { trackingCode } = c.req.valid('param')
      const { rating, comment } = c.req.valid('json')
      const result = TRACKING_CODE_PATTERN.test(trackingCode) ? await ratePublicReport(c.get('sql'), trackingCode, rating, comment || null) : undefined
      if (!result) throw unknownCode()
      c.get('live').publish(result.live)
      return c.json(result.view)
    })
}
