import { Hono } from 'hono'
import { z } from 'zod'
import { can } from '../../core/roles.ts'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { problems } from '../problem.ts'
import { recordAudit } from '../queries/audit.ts'
import { ownTeams } from '../queries/people.ts'
import { assignedRoute, assignRoute, patrolsZone, routeRecipient, suggestRoute, walkRoute, type RouteQuery } from '../queries/route.ts'
import { partnerUnitOf } from '../queries/units.ts'
import { seesLeads } from '../../core/matters.ts'
import { idParam, isoTime, validate } from '../validate.ts'
import { MAX_COVERAGE_WINDOW_DAYS } from './coverage.ts'

/** `start=lon,lat`: two finite numbers in range. */
const startParam = z.string().transform((text, ctx): [number, number] => {
  const parts = text.split(',')
  const nums = parts.map((p) => (p.trim() === '' ? Number.NaN : Number(p)))
  const [lon, lat] = nums as [number, number]
  if (parts.length !== 2 || nums.some((n) => !Number.isFinite(n)) || lon < -180 || lon > 180 || lat < -90 || lat > 90) {
    ctx.addIssue({ code: 'custom', message: 'start must be lon,lat (WGS84), e.g. 114.3975,30.5055' })
    return z.NEVER
  }
  return [lon, lat]
})

/** `GET /api/route/walk?from=lon,lat&hazardId=`. */
const walkQuery = z.object({ from: startParam, hazardId: idParam })

const routeParams = {
  from: isoTime,
  to: isoTime,
  radius: z.coerce.number().refine(Number.isFinite, 'must be a finite number').min(1, 'at least 1 m').max(500, 'at most 500 m').default(30),
  communityId: idParam.optional(),
  zoneId: idParam.optional(),
}
const routeQuery = z.object({ ...routeParams, start: startParam.optional() })
const assignBody = z.object({
  ...routeParams,
  start: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]).optional(),
  personId: idParam,
})

function checkWindow(q: { from: string; to: string }): void {
  const span = Date.parse(q.to) - Date.parse(q.from)
  if (span <= 0) throw problems.badRequest('from must be before to.', [{ path: 'from', message: 'must be before to' }])
  if (span > MAX_COVERAGE_WINDOW_DAYS * 86_400_000) {
    throw problems.badRequest(`The window is longer than ${MAX_COVERAGE_WINDOW_DAYS} days.`, [{ path: 'from', message: `at most ${MAX_COVERAGE_WINDOW_DAYS} days before to` }])
  }
}

/**
 * The suggested next round (下一轮巡查路线), mounted at `/api/coverage`:
 * - `GET /route?from=&to=&communityId=&zoneId=&start=lon,lat&radius=` — the walking route through the places
 *   not visited in the window (leader, command, admin; a patrol member only for a zone they patrol).
 * - `POST /route/assignments { personId, from, to, communityId?, zoneId?, start?: [lon, lat] }` — compute it and
 *   send it to a member's phone as their next round (leader for their own team's members, command, admin).
 * - `GET /route/assigned` — the signed-in member's next round (the newest route sent to them); 404 when none.
 */
export const routePlanning = new Hono<AppEnv>()
  .get('/route', validate('query', routeQuery), async (c) => {
    const q = c.req.valid('query')
    const user = c.get('user')
    if (!can(user.role, 'planRoutes')) {
      if (user.role !== 'patrol') throw problems.forbidden(`The role '${user.role}' may not plan routes.`)
      if (q.zoneId === undefined) throw problems.forbidden('A patrol member plans routes only for a zone they patrol: give zoneId.')
      if (!(await patrolsZone(c.get('sql'), user.personId, q.zoneId))) throw problems.forbidden(`You do not patrol zone ${q.zoneId}.`)
    }
    checkWindow(q)
    const query: RouteQuery = { ...q, communityIds: c.get('communityIds') }
    return c.json(await suggestRoute(c.get('sql'), query))
  })
  .post('/route/assignments', requirePermission('planRoutes'), validate('json', assignBody), async (c) => {
    const body = c.req.valid('json')
    checkWindow(body)
    const sql = c.get('sql')
    const user = c.get('user')
    const teams = user.role === 'leader' ? await ownTeams(sql, user) : null
    const person = await routeRecipient(sql, body.personId, c.get('communityIds'), teams)
    if (!person) {
      throw problems.unprocessable(`No active member ${body.personId} you may send a route to.`, [{ path: 'personId', message: 'not an active member of your communities (a leader: of your team)' }])
    }
    const { personId, ...q } = body
    const route = await suggestRoute(sql, { ...q, communityId: q.communityId ?? person.communityId, communityIds: c.get('communityIds') })
    if (route.properties.communityId !== person.communityId) {
      throw problems.unprocessable(`${person.name} is not a member of community ${route.properties.communityId}.`, [{ path: 'personId', message: 'not in the route\'s community' }])
    }
    const id = await sql.begin(async (tx) => {
      const newId = await assignRoute(tx, { communityId: person.communityId, personId, userId: user.id, route })
      await recordAudit(tx, {
        userId: user.id,
        communityId: person.communityId,
        action: 'route.assign',
        entity: 'route_assignment',
        entityId: newId,
        after: { personId, stops: route.properties.stops.length, distanceM: route.properties.distanceM, zoneId: route.properties.zoneId },
      })
      return newId
    })
    const assignment = await assignedRoute(sql, personId)
    return c.json(assignment && assignment.id === id ? assignment : { id, personId, personName: person.name, assignedAt: new Date().toISOString(), assignedBy: user.name, route }, 201)
  })
  .get('/route/assigned', async (c) => {
    const user = c.get('user')
    if (user.personId === null) throw problems.notFound('Your account is not linked to a roster person, so no round is sent to you.')
    const found = await assignedRoute(c.get('sql'), user.personId)
    if (!found) throw problems.notFound('No round has been sent to you yet.')
    return c.json(found)
  })

/**
 * Walking directions (issue 15), mounted at `/api/route`: `GET /walk?from=lon,lat&hazardId=` — from the phone's
 * position to a matter the caller may see, along its community's walkable roads (server/queries/route.ts
 * `walkRoute`). Any signed-in role; the matter's visibility is the caller's (communities, partner unit, leads).
 */
export const walking = new Hono<AppEnv>().get('/walk', validate('query', walkQuery), async (c) => {
  const q = c.req.valid('query')
  const user = c.get('user')
  return c.json(await walkRoute(c.get('sql'), { from: q.from, hazardId: q.hazardId, communityIds: c.get('communityIds'), unitId: partnerUnitOf(user), hideLeads: !seesLeads(user.role) }))
})
