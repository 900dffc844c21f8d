import { createHash } from 'node:crypto'
import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.ts'
import { CATEGORIES, SEVERITIES, STATUSES } from '../../core/matters.ts'
import { MAX_TILE_ZOOM, renderTile, TILE_LAYERS, TILE_TABLES } from '../queries/tiles.ts'
import { enumList, validate } from '../validate.ts'

/** The tile media type. */
export const MVT_CONTENT_TYPE = 'application/vnd.mapbox-vector-tile'

/** Seconds a browser may reuse a tile: hazards change by the minute, the base layers rarely. */
export const TILE_MAX_AGE = { hazards: 60, other: 300 } as const

const params = z
  .object({
    layer: z.enum(TILE_LAYERS, { message: `layer must be one of ${TILE_LAYERS.join(', ')}` }),
    z: z
      .string()
      .regex(/^\d{1,2}$/, `z must be an integer from 0 to ${MAX_TILE_ZOOM}`)
      .transform(Number)
      .pipe(z.number().max(MAX_TILE_ZOOM, `z must be an integer from 0 to ${MAX_TILE_ZOOM}`)),
    x: z.string().regex(/^\d{1,7}$/, 'x must be a non-negative integer').transform(Number),
    tile: z
      .string()
      .regex(/^\d{1,7}\.mvt$/, 'the last part must be <y>.mvt with y a non-negative integer')
      .transform((s) => Number(s.slice(0, -'.mvt'.length))),
  })
  .superRefine((p, ctx) => {
    const n = 2 ** p.z
    if (p.x >= n) ctx.addIssue({ code: 'custom', path: ['x'], message: `x must be below 2^z = ${n}` })
    if (p.tile >= n) ctx.addIssue({ code: 'custom', path: ['y'], message: `y must be below 2^z = ${n}` })
  })

const query = z.object({
  status: enumList(STATUSES).optional(),
  category: enumList(CATEGORIES).optional(),
  severity: enumList(SEVERITIES).optional(),
})

/** Whether an If-None-Match header names this ETag (weak or strong, or `*`). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t.replace(/^W\//, '') === etag
  })
}

/**
 * `GET /api/tiles/:layer/:z/:x/:y.mvt`: one Mapbox Vector Tile layer named like `:layer`, of the
 * communities the caller may see (hazards: `?status=` — the open ones by default —, `category=`,
 * `severity=`). 204 when the tile is empty; ETag (a hash of the tile) and If-None-Match → 304;
 * `Cache-Control: private` for a minute (hazards) or five (the rest).
 *
 * Rendered tiles are kept in the app's tile cache (server/cache/tile-cache.ts), keyed by the tile, the
 * caller's scope and the filters, until the layer's table changes; a cached tile answers
 * If-None-Match before anything is rendered; a request with `Cache-Control: no-cache` and no If-None-Match is rendered afresh.
 * `X-Tile-Cache: hit | miss` says which it was.
 */
export const tiles = new Hono<AppEnv>().get('/:layer/:z/:x/:tile', validate('param', params), validate('query', query), async (c) => {
  const { layer, z: zoom, x, tile: y } = c.req.valid('param')
  const { status, category, severity } = c.req.valid('query')
  const communityIds = c.get('communityIds')
  const cache = c.get('tileCache')
  const table = TILE_TABLES[layer]
  const filters = layer === 'hazards' ? `${status?.join(',') ?? ''}|${category?.join(',') ?? ''}|${severity?.join(',') ?? ''}` : ''
  const key = `${layer}/${zoom}/${x}/${y}|${cache.scopeKey(communityIds)}|${filters}`
  c.header('cache-control', `private, max-age=${layer === 'hazards' ? TILE_MAX_AGE.hazards : TILE_MAX_AGE.other}`)
  // `Cache-Control: no-cache` from the client: render afresh (and keep the result). Not for a conditional
  // request: fetch adds `no-cache` by itself to any request carrying If-None-Match (Fetch standard, HTTP-network-or-cache fetch).
  const afresh = /no-cache/i.test(c.req.header('cache-control') ?? '') && !c.req.header('if-none-match')
  let tile = afresh ? undefined : cache.get(key, table)
  c.header('x-tile-cache', tile ? 'hit' : 'miss')
  if (!tile) {
    const epoch = cache.epoch(table)
    const body = await renderTile(c.get('sql'), c.get('databaseKind'), { layer, z: zoom, x, y, communityIds, status, category, severity })
    tile = { body, etag: body.length === 0 ? null : `"${createHash('sha1').update(body).digest('base64url')}"`, epoch, table, at: Date.now() }
    cache.set(key, tile)
  }
  if (tile.etag === null) return c.body(null, 204)
  c.header('etag', tile.etag)
  if (matches(c.req.header('if-none-match'), tile.etag)) return c.body(null, 304)
  return c.body(tile.body as Uint8Array<ArrayBuffer>, 200, { 'content-type': MVT_CONTENT_TYPE })
})
