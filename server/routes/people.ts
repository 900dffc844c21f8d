import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { checkRosterRow, normalisePhone, parseDay, readRoster, ROSTER_MAX_BYTES, type CheckedRosterRow } from '../domain/roster.ts'
import { problems } from '../problem.ts'
import { listDevices } from '../queries/devices.ts'
import { createPerson, getPerson, importRoster, listPeople, updatePerson } from '../queries/people.ts'
import { readUpload, uploadLimit } from '../uploads.ts'
import { personActivity } from '../queries/duty.ts'
import { idParam, isoTime, validate } from '../validate.ts'

const query = z.object({
  teamId: idParam.optional(),
  communityId: idParam.optional(),
  q: z.string().max(50).optional(),
  active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
})
const day = z.string().transform((text, ctx) => {
  const d = parseDay(text)
  if (!d) {
    ctx.addIssue({ code: 'custom', message: 'must be a date YYYY-MM-DD' })
    return z.NEVER
  }
  return d
})
const phone = z.string().transform((text, ctx) => {
  if (text.trim() === '') return null
  const p = normalisePhone(text)
  if (!p) {
    ctx.addIssue({ code: 'custom', message: 'must be a mobile (13812345678) or landline (02787654321) number' })
    return z.NEVER
  }
  return p
})
const fields = {
  communityId: idParam.optional(),
  name: z.string().trim().min(1, 'name is required').max(50),
  phone: phone.nullable().optional(),
  title: z.string().trim().max(30).nullable().optional(),
  teamIds: z.array(idParam).max(20).optional(),
  posts: z.array(z.string().trim().min(1).max(30)).max(20).optional(),
  active: z.boolean().optional(),
  joinedOn: day.nullable().optional(),
  leftOn: day.nullable().optional(),
}
const createBody = z.object(fields).strict()
const updateBody = z.object({ ...fields, name: fields.name.optional() }).strict()
const idParams = z.object({ id: idParam })
const activityQuery = z.object({ from: isoTime, to: isoTime })
/** Longest window of a person's activity. */
const MAX_ACTIVITY_DAYS = 92
const importQuery = z.object({
  communityId: idParam.optional(),
  dryRun: z.enum(['true', 'false']).transform((v) => v === 'true').default(false),
})

/**
 * People (花名册): `GET /api/people` (any role; `?format=xlsx` is the roster template), `GET /api/people/:id`
 * (with devices), `POST /api/people` and `PUT /api/people/:id` (admin; a leader for their own team), and
 * `POST /api/people/import?communityId=&dryRun=` (an XLSX or CSV roster; `dryRun=true` is the preview), and
 * `GET /api/people/:id/activity?from=&to=` (hours on duty, distance, reports, check-ins; a patrol member only their own).
 */
export const people = new Hono<AppEnv>()
  .get('/', validate('query', query), async (c) => {
    const filter = c.req.valid('query')
    return c.json({ items: await listPeople(c.get('sql'), c.get('user'), { communityIds: c.get('communityIds'), ...filter }) })
  })
  .post(
    '/import',
    uploadLimit(ROSTER_MAX_BYTES + 64 * 1024, 'roster'),
    requirePermission('manageRoster'),
    validate('query', importQuery),
    async (c) => {
      const { communityId: asked, dryRun } = c.req.valid('query')
      const scope = c.get('communityIds')
      const communityId = asked ?? (scope !== null && scope.length === 1 ? scope[0] : undefined)
      if (communityId === undefined) throw problems.badRequest('The query is invalid.', [{ path: 'communityId', message: 'say which community' }])
      const { files } = await readUpload(c, ROSTER_MAX_BYTES)
      const file = files[0]
      if (!file) throw problems.badRequest('No file was uploaded (send it as multipart field "file" or as the body).')
      const raw = await readRoster(file.bytes)
      const rows: CheckedRosterRow[] = []
      const rejected: { row: number; reason: string }[] = []
      for (const r of raw) {
        const checked = checkRosterRow(r)
        if ('reason' in checked) rejected.push(checked)
        else rows.push(checked)
      }
      return c.json(await importRoster(c.get('sql'), communityId, rows, rejected, c.get('user'), scope, dryRun))
    },
  )
  .get('/:id/activity', validate('param', idParams), validate('query', activityQuery), async (c) => {
    const { id } = c.req.valid('param')
    const q = c.req.valid('query')
    const span = Date.parse(q.to) - Date.parse(q.from)
    if (span <= 0) throw problems.badRequest('from must be before to.', [{ path: 'from', message: 'must be before to' }])
    if (span > MAX_ACTIVITY_DAYS * 86_400_000) throw problems.badRequest(`The window is longer than ${MAX_ACTIVITY_DAYS} days.`, [{ path: 'from', message: `at most ${MAX_ACTIVITY_DAYS} days before to` }])
    const user = c.get('user')
    if (user.role === 'patrol' && user.personId !== id) throw problems.forbidden("A patrol member sees only their own activity.")
    return c.json(await personActivity(c.get('sql'), id, { ...q, communityIds: c.get('communityIds') }))
  })
  .get('/:id', validate('param', idParams), async (c) => {
    const sql = c.get('sql')
    const person = await getPerson(sql, c.get('user'), c.get('communityIds'), c.req.valid('param').id)
    return c.json({ ...person, devices: await listDevices(sql, { communityIds: c.get('communityIds'), personId: person.id }) })
  })
  .post('/', requirePermission('manageRoster'), validate('json', createBody), async (c) => {
    const sql = c.get('sql')
    const id = await createPerson(sql, c.req.valid('json'), c.get('user'), c.get('communityIds'))
    return c.json(await getPerson(sql, c.get('user'), null, id), 201)
  })
  .put('/:id', requirePermission('manageRoster'), validate('param', idParams), validate('json', updateBody), async (c) => {
    const sql = c.get('sql')
    const { id } = c.req.valid('param')
    await updatePerson(sql, id, c.req.valid('json'), c.get('user'), c.get('communityIds'))
    return c.json(await getPerson(sql, c.get('user'), null, id))
  })
