import { Hono } from 'hono'
import { z } from 'zod'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { gcj02ToWgs84, mapPositions } from '../../core/gcj02.ts'
import { parseZoneGeometry, type ZoneGeometry } from '../domain/zone-geometry.ts'
import { Problem } from '../problem.ts'
import { importZones, type ImportItem, type ImportResult } from '../queries/zones.ts'
import { idParam, validate } from '../validate.ts'

/** Most features one import may carry. */
export const IMPORT_MAX_FEATURES = 5000

const importQuery = z.object({
  communityId: idParam,
  crs: z.enum(['wgs84', 'gcj02']).default('wgs84'),
})
const importBody = z.object({
  type: z.literal('FeatureCollection', { error: 'must be a GeoJSON FeatureCollection' }),
  features: z.array(z.unknown()).max(IMPORT_MAX_FEATURES, `at most ${IMPORT_MAX_FEATURES} features`),
})

const featureShape = z.object({
  type: z.literal('Feature', { error: 'not a GeoJSON Feature' }),
  geometry: z.unknown(),
  properties: z.record(z.string(), z.unknown()).nullish(),
})

const positiveId = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null)

/** One feature → an import item, or the reason it is rejected (geometry converted from GCJ-02 when asked). */
function toItem(raw: unknown, index: number, crs: 'wgs84' | 'gcj02'): ImportItem | { index: number; reason: string } {
  const shape = featureShape.safeParse(raw)
  if (!shape.success) return { index, reason: shape.error.issues[0]?.message ?? 'not a GeoJSON Feature' }
  let geometry: ZoneGeometry
  try {
    geometry = parseZoneGeometry(shape.data.geometry, `features.${index}.geometry`)
  } catch (error) {
    if (!(error instanceof Problem)) throw error
    const first = error.errors?.[0]
    return { index, reason: first ? `${first.path}: ${first.message}` : error.message }
  }
  if (crs === 'gcj02') geometry = { ...geometry, coordinates: mapPositions(geometry.coordinates, gcj02ToWgs84) } as ZoneGeometry
  const props = shape.data.properties ?? {}
  const id = props.id
  const key = typeof id === 'string' || typeof id === 'number' ? `id:${String(id)}` : `index:${index}`
  const name = typeof props.name === 'string' && props.name.trim() ? props.name.trim().slice(0, 100) : null
  return { index, key, name, assigneeId: positiveId(props.assigneeId), teamId: positiveId(props.teamId), geometry }
}

/**
 * `POST /api/import/zones?communityId=&crs=wgs84|gcj02` (planner, admin): a FeatureCollection of
 * zones → `{ imported, merged, rejected: [{ index, reason }], ids }`. Features sharing `properties.id`
 * become one zone; a feature that fails a check is rejected with its reason, the others are imported.
 */
export const zoneImport = new Hono<AppEnv>().post('/', requirePermission('editZones'), validate('query', importQuery), validate('json', importBody), async (c) => {
  const { communityId, crs } = c.req.valid('query')
  const { features } = c.req.valid('json')
  const items: ImportItem[] = []
  const rejected: ImportResult['rejected'] = []
  features.forEach((raw, index) => {
    const item = toItem(raw, index, crs)
    if ('reason' in item) rejected.push(item)
    else items.push(item)
  })
  const result = await importZones(c.get('sql'), communityId, items, rejected, c.get('user'), c.get('communityIds'))
  return c.json(result)
})
