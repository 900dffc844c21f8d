import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { checkImportGeometry, IMPORT_LAYERS } from '../domain/import-geometry.ts'
import { importLayer, type LayerImportItem, type LayerImportResult } from '../queries/import.ts'
import { idParam, validate } from '../validate.ts'
import { IMPORT_MAX_FEATURES } from './import-zones.ts'

const layers = Object.keys(IMPORT_LAYERS) as [keyof typeof IMPORT_LAYERS, ...(keyof typeof IMPORT_LAYERS)[]]
const params = z.object({ layer: z.enum(layers, { message: `layer must be zones or one of ${layers.join(', ')}` }) })
const query = z.object({ communityId: idParam, crs: z.enum(['wgs84', 'gcj02']).default('wgs84') })
const body = z.object({
  type: z.literal('FeatureCollection', { error: 'must be a GeoJSON FeatureCollection' }),
  features: z.array(z.unknown()).max(IMPORT_MAX_FEATURES, `at most ${IMPORT_MAX_FEATURES} features`),
})
const feature = z.object({ type: z.literal('Feature', { error: 'not a GeoJSON Feature' }), geometry: z.unknown(), properties: z.record(z.string(), z.unknown()).nullish() })

/**
 * `POST /api/import/:layer?communityId=&crs=wgs84|gcj02` (admin) for buildings, key-places and roads — OSM
 * exports included: features sharing `properties.id` are merged, label points and other geometry types are
 * rejected with their index and reason, the rest imported. Zones have their own route (planners may import them).
 */
export const layerImport = new Hono<AppEnv>().post(
  '/:layer',
  requirePermission('manageCommunities'),
  validate('param', params),
  validate('query', query),
  validate('json', body),
  async (c) => {
    const { layer } = c.req.valid('param')
    const { communityId, crs } = c.req.valid('query')
    const items: LayerImportItem[] = []
    const rejected: LayerImportResult['rejected'] = []
    c.req.valid('json').features.forEach((raw, index) => {
      const f = feature.safeParse(raw)
      if (!f.success) return void rejected.push({ index, reason: f.error.issues[0]?.message ?? 'not a GeoJSON Feature' })
      const geometry = checkImportGeometry(layer, f.data.geometry, crs)
      if ('reason' in geometry) return void rejected.push({ index, reason: geometry.reason })
      const properties = f.data.properties ?? {}
      const id = properties.id
      items.push({ index, key: typeof id === 'string' || typeof id === 'number' ? `id:${String(id)}` : `index:${index}`, geometry, properties })
    })
    return c.json(await importLayer(c.get('sql'), layer, communityId, items, rejected, c.get('user'), c.get('communityIds')))
  },
)
