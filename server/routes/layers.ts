import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.ts'
import { LAYERS, layerGeoJson } from '../queries/layers.ts'
import { bboxParam, idParam, validate } from '../validate.ts'

const params = z.object({ layer: z.enum(LAYERS, { message: `layer must be one of ${LAYERS.join(', ')}` }) })
const query = z.object({ bbox: bboxParam.optional(), communityId: idParam.optional() })

/** `GET /api/layers/:layer?bbox=&communityId=`: a map layer as a GeoJSON FeatureCollection. */
export const layers = new Hono<AppEnv>().get('/:layer', validate('param', params), validate('query', query), async (c) => {
  const { layer } = c.req.valid('param')
  const { bbox, communityId } = c.req.valid('query')
  const body = await layerGeoJson(c.get('sql'), layer, { communityIds: c.get('communityIds'), communityId, bbox })
  return c.body(body, 200, { 'content-type': 'application/geo+json; charset=utf-8' })
})
