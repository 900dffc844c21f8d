import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { CARE_GROUPS } from '../../core/org.ts'
import { normalisePhone } from '../domain/roster.ts'
import { CALENDAR_MAX_DAYS, careCalendarFor, careToday, createResident, getResident, listResidents, recordVisit, updateResident } from '../queries/care.ts'
import { idParam, isoTime, lat, lon, validate } from '../validate.ts'
import { deviceIdSchema } from './tracks.ts'

const phone = z.string().transform((text, ctx) => {
  if (text.trim() === '') return null
  const p = normalisePhone(text)
  if (!p) {
    ctx.addIssue({ code: 'custom', message: 'must be a mobile (13812345678) or landline (02787654321) number' })
    return z.NEVER
  }
  return p
})
const optionalText = (max: number) => z.string().trim().max(max).transform((s) => (s === '' ? null : s)).nullable().optional()

const residentFields = {
  communityId: idParam.optional(),
  name: z.string().trim().min(1, 'name is required').max(100),
  address: optionalText(200),
  phone: phone.nullable().optional(),
  group: z.enum(CARE_GROUPS),
  buildingId: idParam.nullable().optional(),
  lon: lon.optional(),
  lat: lat.optional(),
  visitsPerDay: z.number().int().min(1).max(6).nullable().optional(),
  visitsPerWeek: z.number().int().min(1).max(21).nullable().optional(),
  active: z.boolean().optional(),
  note: optionalText(500),
  personIds: z.array(idParam).max(20).optional(),
}
const bothOrNeither = (b: { lon?: number | undefined; lat?: number | undefined }) => (b.lon === undefined) === (b.lat === undefined)
const createBody = z.object(residentFields).strict().refine(bothOrNeither, { message: 'give lon and lat together', path: ['lat'] })
const updateBody = z.object(residentFields).partial().strict().refine(bothOrNeither, { message: 'give lon and lat together', path: ['lat'] })

const listQuery = z.object({
  communityId: idParam.optional(),
  active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
})

const visitBody = z
  .object({
    residentId: idParam,
    t: isoTime.optional(),
    lon: lon.optional(),
    lat: lat.optional(),
    accuracy: z.number().min(0, 'must be ≥ 0').max(100_000).refine(Number.isFinite, 'must be finite').nullish(),
    /** The door's QR code (CV-…), instead of a position. */
    code: z.string().trim().regex(/^[A-Za-z0-9_-]{1,40}$/, 'a door code such as CV-3F9A1C0B7E2D').optional(),
    note: z.string().trim().max(500).optional(),
    clientId: z.string().trim().min(1).max(100),
    deviceId: deviceIdSchema.nullish(),
  })
  .strict()
  .refine(bothOrNeither, { message: 'give lon and lat together', path: ['lat'] })

const calendarQuery = z.object({
  days: z.coerce.number().int().min(1).max(CALENDAR_MAX_DAYS).default(14),
  communityId: idParam.optional(),
})

/**
 * Care visits (每日两访): the register of households under care (`GET/POST/PUT /residents`, admin and leader;
 * address and phone masked except for admins and the paired members), visits at the door (`POST /visits`, the
 * paired members, admins and leaders), the household × day calendar (`GET /calendar?days=`) and the signed-in
 * member's households still to visit today (`GET /today`).
 */
export const care = new Hono<AppEnv>()
  .get('/residents', requirePermission('manageCare'), validate('query', listQuery), async (c) => {
    const q = c.req.valid('query')
    return c.json({ items: await listResidents(c.get('sql'), c.get('user'), { communityIds: c.get('communityIds'), ...q }) })
  })
  .get('/residents/:id', requirePermission('manageCare'), validate('param', z.object({ id: idParam })), async (c) => {
    return c.json(await getResident(c.get('sql'), c.get('user'), c.get('communityIds'), c.req.valid('param').id))
  })
  .post('/residents', requirePermission('manageCare'), validate('json', createBody), async (c) => {
    return c.json(await createResident(c.get('sql'), c.req.valid('json'), c.get('user'), c.get('communityIds')), 201)
  })
  .put('/residents/:id', requirePermission('manageCare'), validate('param', z.object({ id: idParam })), validate('json', updateBody), async (c) => {
    return c.json(await updateResident(c.get('sql'), c.req.valid('param').id, c.req.valid('json'), c.get('user'), c.get('communityIds')))
  })
  .post('/visits', requirePermission('report'), validate('json', visitBody), async (c) => {
    const b = c.req.valid('json')
    const result = await recordVisit(
      c.get('sql'),
      {
        residentId: b.residentId,
        t: b.t ? Date.parse(b.t) : Date.now(),
        lon: b.lon,
        lat: b.lat,
        accuracy: b.accuracy ?? null,
        code: b.code,
        note: b.note,
        clientId: b.clientId,
        deviceId: b.deviceId ?? undefined,
      },
      c.get('user'),
      c.get('communityIds'),
    )
    return c.json(result.visit, result.created ? 201 : 200)
  })
  .get('/calendar', validate('query', calendarQuery), async (c) => {
    const q = c.req.valid('query')
    return c.json(await careCalendarFor(c.get('sql'), { communityIds: c.get('communityIds'), ...q }))
  })
  .get('/today', async (c) => c.json(await careToday(c.get('sql'), c.get('user'))))
