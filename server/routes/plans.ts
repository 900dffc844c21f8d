import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import { PLAN_TYPES, TIME_OF_DAY } from '../../core/plans.ts'
import type { AppEnv } from '../context.ts'
import { problems } from '../problem.ts'
import { createPlan, defaultPlanWindow, getPlan, listPlans, planCommunity, planCoverage, updatePlan, type PlanInput } from '../queries/plans.ts'
import { idParam, isoTime, lat, lon, validate } from '../validate.ts'

/** Longest span of a plan (a repeating plan: its whole season). */
export const MAX_PLAN_SPAN_DAYS = 366
/** Longest window a plan's coverage answers. */
export const MAX_PLAN_COVERAGE_DAYS = 92

const jsonId = z.number().int('must be an integer').positive('must be positive').max(Number.MAX_SAFE_INTEGER)
const ids = z.array(jsonId).max(200, 'at most 200')
const position = z.tuple([lon, lat])
const polygon = z.object({
  type: z.literal('Polygon'),
  coordinates: z.array(z.array(position).min(4, 'a ring has at least 4 positions').max(5000)).min(1).max(50),
})
const repeat = z
  .object({
    weekdays: z.array(z.number().int().min(1, '1 = Monday').max(7, '7 = Sunday')).min(1, 'at least one weekday').max(7),
    start: z.string().regex(TIME_OF_DAY, 'HH:MM'),
    end: z.string().regex(TIME_OF_DAY, 'HH:MM'),
  })
  .refine((r) => r.start !== r.end, { message: 'end must differ from start', path: ['end'] })

const fields = {
  communityId: jsonId.optional(),
  type: z.enum(PLAN_TYPES),
  name: z.string().trim().min(1, 'name is required').max(100),
  from: isoTime,
  to: isoTime,
  repeat: repeat.nullable().optional(),
  zoneIds: ids.optional(),
  personIds: ids.optional(),
  unitIds: ids.optional(),
  leaderId: jsonId.nullable().optional(),
  area: polygon.nullable().optional(),
  note: z.string().trim().max(2000).nullable().optional(),
}
const createBody = z.object(fields).strict()
const updateBody = z
  .object({ ...fields, type: fields.type.optional(), name: fields.name.optional(), from: isoTime.optional(), to: isoTime.optional() })
  .strict()
  .refine((b) => b.communityId === undefined, { message: 'a plan stays in its community', path: ['communityId'] })
const idParams = z.object({ id: idParam })
const listQuery = z.object({ communityId: idParam.optional(), from: isoTime.optional(), to: isoTime.optional(), type: z.enum(PLAN_TYPES).optional() })
const coverageQuery = z.object({
  from: isoTime.optional(),
  to: isoTime.optional(),
  radius: z.coerce.number().refine(Number.isFinite, 'must be a finite number').min(1, 'at least 1 m').max(500, 'at most 500 m').default(30),
})

/** The times of a plan: from before to, at most a year; 422 otherwise. */
function checkTimes(p: Pick<PlanInput, 'from' | 'to'>): void {
  const span = Date.parse(p.to) - Date.parse(p.from)
  if (span <= 0) throw problems.unprocessable('from must be before to.', [{ path: 'to', message: 'must be after from' }])
  if (span > MAX_PLAN_SPAN_DAYS * 86_400_000) {
    throw problems.unprocessable(`A plan spans at most ${MAX_PLAN_SPAN_DAYS} days.`, [{ path: 'to', message: `at most ${MAX_PLAN_SPAN_DAYS} days after from` }])
  }
}

/**
 * Patrol plans (巡查计划): `GET /` (plans the caller may see; `from`+`to` lists those running in the
 * window with their occurrences), `GET /:id`, `POST /` and `PUT /:id` (admin, command, leader), and
 * `GET /:id/coverage?from=&to=&radius=` (plan against reality: coverage of its zones by its people in
 * its windows, who came, minutes and metres, zones with nobody on duty now). Mounted at `/api/patrol-plans`.
 */
export const patrolPlans = new Hono<AppEnv>()
  .get('/', validate('query', listQuery), async (c) => {
    const q = c.req.valid('query')
    if ((q.from === undefined) !== (q.to === undefined)) throw problems.badRequest('Give both from and to, or neither.', [{ path: q.from ? 'to' : 'from', message: 'required with the other' }])
    if (q.from && q.to && Date.parse(q.to) <= Date.parse(q.from)) throw problems.badRequest('from must be before to.', [{ path: 'from', message: 'must be before to' }])
    return c.json({ items: await listPlans(c.get('sql'), { ...q, communityIds: c.get('communityIds') }) })
  })
  .get('/:id', validate('param', idParams), async (c) => {
    return c.json(await getPlan(c.get('sql'), c.req.valid('param').id, c.get('communityIds')))
  })
  .post('/', requirePermission('planPatrols'), validate('json', createBody), async (c) => {
    const b = c.req.valid('json')
    const sql = c.get('sql')
    const communityId = await planCommunity(sql, b, c.get('communityIds'))
    const input: PlanInput = {
      communityId,
      type: b.type,
      name: b.name,
      from: b.from,
      to: b.to,
      repeat: b.repeat ?? null,
      zoneIds: b.zoneIds ?? [],
      personIds: b.personIds ?? [],
      unitIds: b.unitIds ?? [],
      leaderId: b.leaderId ?? null,
      area: b.area ?? null,
      note: b.note ?? null,
    }
    checkTimes(input)
    return c.json(await createPlan(sql, input, c.get('user')), 201)
  })
  .put('/:id', requirePermission('planPatrols'), validate('param', idParams), validate('json', updateBody), async (c) => {
    const sql = c.get('sql')
    const old = await getPlan(sql, c.req.valid('param').id, c.get('communityIds'))
    const b = c.req.valid('json')
    const input: PlanInput = {
      communityId: old.communityId,
      type: b.type ?? old.type,
      name: b.name ?? old.name,
      from: b.from ?? old.from,
      to: b.to ?? old.to,
      repeat: b.repeat === undefined ? old.repeat : b.repeat,
      zoneIds: b.zoneIds ?? old.zoneIds,
      personIds: b.personIds ?? old.personIds,
      unitIds: b.unitIds ?? old.unitIds,
      leaderId: b.leaderId === undefined ? old.leaderId : b.leaderId,
      area: b.area === undefined ? old.area : b.area,
      note: b.note === undefined ? old.note : b.note,
    }
    checkTimes(input)
    return c.json(await updatePlan(sql, old.id, input, c.get('user')))
  })
  .get('/:id/coverage', validate('param', idParams), validate('query', coverageQuery), async (c) => {
    const sql = c.get('sql')
    const plan = await getPlan(sql, c.req.valid('param').id, c.get('communityIds'))
    const q = c.req.valid('query')
    if ((q.from === undefined) !== (q.to === undefined)) throw problems.badRequest('Give both from and to, or neither.', [{ path: q.from ? 'to' : 'from', message: 'required with the other' }])
    const window = q.from && q.to ? { from: q.from, to: q.to } : defaultPlanWindow(plan)
    const span = Date.parse(window.to) - Date.parse(window.from)
    if (span <= 0) throw problems.badRequest('from must be before to.', [{ path: 'from', message: 'must be before to' }])
    if (span > MAX_PLAN_COVERAGE_DAYS * 86_400_000) {
      throw problems.badRequest(`The window is longer than ${MAX_PLAN_COVERAGE_DAYS} days.`, [{ path: 'from', message: `at most ${MAX_PLAN_COVERAGE_DAYS} days before to` }])
    }
    return c.json(await planCoverage(sql, plan, { ...window, radius: q.radius }))
  })
