import { Hono } from 'hono'
import type { AppEnv } from '../context.ts'
import { layerGeoJson } from '../queries/layers.ts'

/** `GET /api/communities`: the communities the caller may see, with their boundaries. */
export const communities = new Hono<AppEnv>().get('/', async (c) => {
  const body = await layerGeoJson(c.get('sql'), 'communities', { communityIds: c.get('communityIds') })
  return c.body(body, 200, { 'content-type': 'application/geo+json; charset=utf-8' })
})
