/**
 * The partner boundary (issue #14): an account of a partner unit (role `partner`) reaches only the matters
 * handed to its unit and never people. This gate allows a short list of endpoints and refuses every other
 * one with 403 — deny by default, so an endpoint added later stays closed to partners until it is opened
 * here on purpose. The allowed endpoints limit what they answer to the unit themselves (hazards, stats,
 * live events, units).
 */
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../context.ts'
import { problems } from '../problem.ts'

/** `METHOD path` patterns a partner account may call (after `/api`). */
export const PARTNER_ENDPOINTS: readonly { method: string; path: RegExp }[] = [
  // The matters handed to the unit: list (and downloads), one by id, its photos; accept, rectify, photos, comments.
  { method: 'GET', path: /^\/api\/hazards\/?$/ },
  { method: 'GET', path: /^\/api\/hazards\/\d+\/?$/ },
  { method: 'GET', path: /^\/api\/hazards\/\d+\/photos\/\d+\/?$/ },
  { method: 'POST', path: /^\/api\/hazards\/\d+\/(transition|photos|comments)\/?$/ },
  // The unit's own figures and live events.
  { method: 'GET', path: /^\/api\/stats(\/trend)?\/?$/ },
  { method: 'GET', path: /^\/api\/live\/?$/ },
  // Its own unit, and the names and outlines of the communities it serves.
  { method: 'GET', path: /^\/api\/units(\/\d+)?\/?$/ },
  { method: 'GET', path: /^\/api\/communities\/?$/ },
]

/** Whether a partner account may call `method path`. */
export function partnerMayCall(method: string, path: string): boolean {
  const m = method === 'HEAD' ? 'GET' : method
  return PARTNER_ENDPOINTS.some((e) => e.method === m && e.path.test(path))
}

/** After `authenticate`: a partner account gets 403 on every endpoint not in {@link PARTNER_ENDPOINTS}. */
export const partnerBoundary: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('user')?.role === 'partner' && !partnerMayCall(c.req.method, c.req.path)) {
    throw problems.forbidden('A partner unit’s account sees only the matters handed to its unit.')
  }
  await next()
}
