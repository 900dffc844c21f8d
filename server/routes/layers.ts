import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.ts'
import { problems } from '../problem.ts'
import { LAYERS, layerGeoJson, type LayerName } from '../queries/layers.ts'
import { bboxParam, idParam, validate } from '../validate.ts'

const params = z.object({ layer: z.enum(LAYERS, { message: `layer must be one of ${LAYERS.join(', ')}` }) })
const query = z.object({ bbox: bboxParam.optional(), communityId: idParam.optional() })

/** Layers too large to send for more than one community at once: a city's come as tiles (`/api/tiles/:layer/…`). */
export const LARGE_LAYERS: ReadonlySet<LayerName> = new Set(['buildings', 'roads'])
/** Largest bbox side (degrees, about 11 km) a large layer is answered for across communities. */
export const MAX_LAYER_BBOX_DEG = 0.1

/**
 * `GET /api/layers/:layer?bbox=&communityId=`: a map layer as a GeoJSON FeatureCollection. The large
 * layers ({@link LARGE_LAYERS}) of a caller who sees more than one community need `communityId`, or
 * a `bbox` at most {@link MAX_LAYER_BBOX_DEG}° on a side (400 otherwise).
 */
export const layers = new Hono<AppEnv>().get('/:layer', validate('param', params), validate('query', query), async (c) => {
  const { layer } = c.req.valid('param')
  const { bbox, communityId } = c.req.valid('query')
  const scope = c.get('communityIds')
  if (LARGE_LAYERS.has(layer) && communityId === undefined && (scope === null || scope.length > 1)) {
    if (!bbox) {
      throw problems.badRequest(`The ${layer} of more than one community come as vector tiles (/api/tiles/${layer}/{z}/{x}/{y}.mvt); here give communityId or a bbox.`, [
        { path: 'bbox', message: 'required without communityId' },
      ])
    }
    if (bbox[2] - bbox[0] > MAX_LAYER_BBOX_DEG || bbox[3] - bbox[1] > MAX_LAYER_BBOX_DEG) {
      throw problems.badRequest(`The bbox is larger than ${MAX_LAYER_BBOX_DEG}° on a side; ask for a smaller one, a community, or the tiles.`, [
        { path: 'bbox', message: `at most ${MAX_LAYER_BBOX_DEG}° wide and high without communityId` },
      ])
    }
  }
  const body = await layerGeoJson(c.get('sql'), layer, { communityIds: scope, communityId, bbox })
  return c.body(body, 200, { 'content-type': 'application/geo+json; charset=utf-8' })
})
