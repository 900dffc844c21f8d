import { zValidator } from '@hono/zod-validator'
import type { ValidationTargets } from 'hono'
import { z } from 'zod'
import { Problem, zodErrors } from './problem.ts'

/**
 * zod validator whose failures become problem+json (400 by default; 422 for well-formed but invalid).
 * Handlers read the parsed value with `c.req.valid(target)`.
 */
export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T, status: 400 | 422 = 400) {
  const middleware = zValidator(target, schema, (result) => {
    if (!result.success) {
      const where = target === 'json' ? 'body' : target
      throw new Problem(status, `The ${where} is invalid.`, { errors: zodErrors(result.error) })
    }
  })
  VALIDATORS.set(middleware, { target, schema, status })
  return middleware
}

/** What one `validate()` middleware checks: read back by the OpenAPI document (server/openapi.ts). */
export interface ValidatorInfo {
  target: keyof ValidationTargets
  schema: z.ZodType
  status: 400 | 422
}

/** Every validator made by `validate()`, keyed by its middleware: the routes' schemas are their own description. */
const VALIDATORS = new WeakMap<object, ValidatorInfo>()

/** The schema a route handler validates, or undefined when the handler is no `validate()` middleware. */
export function validatorOf(handler: unknown): ValidatorInfo | undefined {
  return typeof handler === 'function' ? VALIDATORS.get(handler) : undefined
}

/** A finite number (rejects NaN, Infinity and `1e999`). */
export const finite = z.number().refine(Number.isFinite, 'must be a finite number')

/** Longitude and latitude in WGS84. */
export const lon = finite.min(-180, 'longitude must be ≥ -180').max(180, 'longitude must be ≤ 180')
export const lat = finite.min(-90, 'latitude must be ≥ -90').max(90, 'latitude must be ≤ 90')

/** An id in a path or query string. */
export const idParam = z.coerce.number().int('must be an integer').positive('must be positive').max(Number.MAX_SAFE_INTEGER)

/** A bounding box `[minLon, minLat, maxLon, maxLat]`. */
export type BBox = [number, number, number, number]

/** Largest bbox a list query accepts, in square degrees (about 30 km × 30 km at 30°N). */
export const MAX_BBOX_AREA_DEG2 = 0.1

/** `bbox=minLon,minLat,maxLon,maxLat`: four finite numbers in range, min < max, area capped. */
export const bboxParam = z
  .string()
  .transform((text, ctx): BBox => {
    const parts = text.split(',')
    const nums = parts.map((p) => (p.trim() === '' ? Number.NaN : Number(p)))
    if (parts.length !== 4 || nums.some((n) => !Number.isFinite(n))) {
      ctx.addIssue({ code: 'custom', message: 'bbox must be four finite numbers: minLon,minLat,maxLon,maxLat' })
      return z.NEVER
    }
    const [minLon, minLat, maxLon, maxLat] = nums as BBox
    if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90) {
      ctx.addIssue({ code: 'custom', message: 'bbox is outside lon -180..180 / lat -90..90' })
      return z.NEVER
    }
    if (minLon >= maxLon || minLat >= maxLat) {
      ctx.addIssue({ code: 'custom', message: 'bbox min must be less than max (minLon,minLat,maxLon,maxLat)' })
      return z.NEVER
    }
    if ((maxLon - minLon) * (maxLat - minLat) > MAX_BBOX_AREA_DEG2) {
      ctx.addIssue({ code: 'custom', message: `bbox is larger than ${MAX_BBOX_AREA_DEG2} square degrees; zoom in or use tiles` })
      return z.NEVER
    }
    return [minLon, minLat, maxLon, maxLat]
  })

/** An ISO 8601 time with offset (or Z). */
export const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with offset, e.g. 2026-11-25T22:10:00+08:00' })

/** A comma-separated list of enum values, e.g. `status=reported,dispatched`. */
export function enumList<const T extends readonly [string, ...string[]]>(values: T) {
  const one = z.enum(values)
  return z
    .string()
    .transform((text) => text.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(one).min(1))
}
