import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.ts'
import { publicOrigin } from '../http.ts'
import { problems } from '../problem.ts'
import { collectionExtent, collectionItem, collectionItems, OGC_COLLECTION_IDS, OGC_COLLECTIONS, type OgcBBox, type OgcCollectionId } from '../queries/ogc.ts'
import { idParam, validate } from '../validate.ts'

/** Items per page when `limit` is absent, and the most a page holds (a larger `limit` is cut to it). */
export const OGC_DEFAULT_LIMIT = 10
export const OGC_MAX_LIMIT = 10_000

const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84'
const GREGORIAN = 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian'
const JSON_TYPE = 'application/json'
const GEOJSON_TYPE = 'application/geo+json'

/** The conformance classes implemented: Core, GeoJSON and OpenAPI 3.0 (the document at `/api/openapi.json`). */
export const OGC_CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
]

/** `f=json` (the default and only encoding; `geojson` is accepted for items). */
const f = z.enum(['json', 'geojson'], { message: 'f must be json' }).optional()

/** `bbox=minLon,minLat,maxLon,maxLat` (or 6 numbers with heights, which are ignored), CRS84. */
const bbox = z.string().transform((text, ctx): OgcBBox => {
  const n = text.split(',').map((p) => (p.trim() === '' ? Number.NaN : Number(p)))
  if ((n.length !== 4 && n.length !== 6) || n.some((x) => !Number.isFinite(x))) {
    ctx.addIssue({ code: 'custom', message: 'bbox must be 4 (or 6) numbers: minLon,minLat,maxLon,maxLat' })
    return z.NEVER
  }
  const [minLon, minLat, maxLon, maxLat] = (n.length === 4 ? n : [n[0], n[1], n[3], n[4]]) as OgcBBox
  if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90 || maxLon < -180 || minLon > 180 || minLat > maxLat) {
    ctx.addIssue({ code: 'custom', message: 'bbox is out of range or minLat > maxLat' })
    return z.NEVER
  }
  return [minLon, minLat, maxLon, maxLat]
})

/** An instant with a zone, or a date; `..` or empty for an open end. */
function instant(text: string): string | undefined | null {
  if (text === '' || text === '..') return undefined
  const withZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text)
  if ((!withZone && !date) || Number.isNaN(Date.parse(text))) return null
  return new Date(text).toISOString()
}

/** `datetime=<instant>`, `<start>/<end>`, `../<end>`, `<start>/..` (RFC 3339). A date alone means that whole UTC day. */
const datetime = z.string().transform((text, ctx) => {
  const parts = text.split('/')
  const bad = () => {
    ctx.addIssue({ code: 'custom', message: 'datetime must be an RFC 3339 instant or interval start/end (.. for open)' })
    return z.NEVER
  }
  if (parts.length === 1) {
    const t = instant(parts[0]!)
    if (!t) return bad()
    const isDate = /^\d{4}-\d{2}-\d{2}$/.test(parts[0]!)
    return { from: t, to: isDate ? new Date(Date.parse(t) + 86_400_000 - 1).toISOString() : t }
  }
  if (parts.length !== 2) return bad()
  const from = instant(parts[0]!)
  let to = instant(parts[1]!)
  if (from === null || to === null || (from === undefined && to === undefined && parts[0] !== '..' && parts[1] !== '..')) return bad()
  if (to && /^\d{4}-\d{2}-\d{2}$/.test(parts[1]!)) to = new Date(Date.parse(to) + 86_400_000 - 1).toISOString()
  if (from && to && from > to) return bad()
  return { from, to }
})

const collectionParams = z.object({ collectionId: z.string() })
const itemParams = z.object({ collectionId: z.string(), featureId: z.string() })

/** The collection named in the path; 404 for any other name. */
function collectionOf(id: string): OgcCollectionId {
  if (!(OGC_COLLECTION_IDS as readonly string[]).includes(id)) throw problems.notFound(`No collection ${id}; see /ogc/collections.`)
  return id as OgcCollectionId
}
const plainQuery = z.strictObject({ f })
const itemsQuery = z.strictObject({
  f,
  bbox: bbox.optional(),
  datetime: datetime.optional(),
  limit: z.coerce.number().int('must be an integer').min(1, 'at least 1').default(OGC_DEFAULT_LIMIT),
  offset: z.coerce.number().int('must be an integer').min(0, 'at least 0').default(0),
})

/** The service's base URL (`…/ogc`): PUBLIC_URL, or the request's host when it is allowed (server/http.ts), never any Host header. */
function base(c: Context<AppEnv>): string {
  return `${publicOrigin(c)}/ogc`
}

function json(c: Context<AppEnv>, body: unknown, type = JSON_TYPE): Response {
  return c.body(JSON.stringify(body), 200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'private, no-cache' })
}

async function collectionDoc(c: Context<AppEnv>, id: OgcCollectionId): Promise<Record<string, unknown>> {
  const root = base(c)
  const { bbox: box, interval } = await collectionExtent(c.get('sql'), id, c.get('communityIds'))
  const extent: Record<string, unknown> = {}
  if (box) extent.spatial = { bbox: [box], crs: CRS84 }
  if (interval) extent.temporal = { interval: [interval], trs: GREGORIAN }
  return {
    id,
    title: OGC_COLLECTIONS[id].title,
    description: OGC_COLLECTIONS[id].description,
    itemType: 'feature',
    crs: [CRS84],
    ...(Object.keys(extent).length ? { extent } : {}),
    links: [
      { href: `${root}/collections/${id}`, rel: 'self', type: JSON_TYPE, title: 'This collection' },
      { href: `${root}/collections/${id}/items`, rel: 'items', type: GEOJSON_TYPE, title: 'Items as GeoJSON' },
    ],
  }
}

/**
 * OGC API – Features Part 1 (Core + GeoJSON), mounted at `/ogc` behind the same authentication as
 * `/api` (`Authorization: Bearer …` for QGIS and GDAL): the landing page, `/conformance`,
 * `/collections`, `/collections/:id`, `/collections/:id/items?bbox=&datetime=&limit=&offset=` (paged
 * with next/prev links, `numberMatched`/`numberReturned`) and `/collections/:id/items/:featureId`.
 * Everything is in CRS84 (WGS84 lon/lat); only the caller's communities are served.
 */
export const ogc = new Hono<AppEnv>()
  .get('/', validate('query', plainQuery), (c) => {
    const root = base(c)
    return json(c, {
      title: 'SafeGrid 平安网格 — OGC API Features',
      description: 'The map layers and hazards of the communities you may see.',
      links: [
        { href: root, rel: 'self', type: JSON_TYPE, title: 'This document' },
        { href: `${publicOrigin(c)}/api/openapi.json`, rel: 'service-desc', type: 'application/vnd.oai.openapi+json;version=3.0', title: 'The API definition (OpenAPI 3.0)' },
        { href: `${publicOrigin(c)}/api/docs`, rel: 'service-doc', type: 'text/html', title: 'The API reference' },
        { href: `${root}/conformance`, rel: 'conformance', type: JSON_TYPE, title: 'Conformance classes' },
        { href: `${root}/conformance`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/conformance', type: JSON_TYPE, title: 'Conformance classes' },
        { href: `${root}/collections`, rel: 'data', type: JSON_TYPE, title: 'Collections' },
        { href: `${root}/collections`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/data', type: JSON_TYPE, title: 'Collections' },
      ],
    })
  })
  .get('/conformance', validate('query', plainQuery), (c) => json(c, { conformsTo: OGC_CONFORMANCE }))
  .get('/collections', validate('query', plainQuery), async (c) => {
    const root = base(c)
    const collections = []
    for (const id of OGC_COLLECTION_IDS) collections.push(await collectionDoc(c, id))
    return json(c, { links: [{ href: `${root}/collections`, rel: 'self', type: JSON_TYPE, title: 'This document' }], collections })
  })
  .get('/collections/:collectionId', validate('param', collectionParams), validate('query', plainQuery), async (c) => {
    return json(c, await collectionDoc(c, collectionOf(c.req.valid('param').collectionId)))
  })
  .get('/collections/:collectionId/items', validate('param', collectionParams), validate('query', itemsQuery), async (c) => {
    const collectionId = collectionOf(c.req.valid('param').collectionId)
    const q = c.req.valid('query')
    const limit = Math.min(q.limit, OGC_MAX_LIMIT)
    const page = await collectionItems(c.get('sql'), collectionId, { communityIds: c.get('communityIds'), bbox: q.bbox, datetime: q.datetime, limit, offset: q.offset })
    const returned = (JSON.parse(page.features) as unknown[]).length
    const self = new URL(c.req.url)
    const at = (offset: number) => {
      const u = new URL(`${base(c)}/collections/${collectionId}/items`)
      for (const [k, v] of self.searchParams) if (k !== 'offset' && k !== 'limit') u.searchParams.set(k, v)
      u.searchParams.set('limit', String(limit))
      u.searchParams.set('offset', String(offset))
      return u.toString()
    }
    const links = [
      { href: at(q.offset), rel: 'self', type: GEOJSON_TYPE, title: 'This page' },
      { href: `${base(c)}/collections/${collectionId}`, rel: 'collection', type: JSON_TYPE, title: 'The collection' },
    ]
    if (q.offset + returned < page.numberMatched) links.push({ href: at(q.offset + limit), rel: 'next', type: GEOJSON_TYPE, title: 'Next page' })
    if (q.offset > 0) links.push({ href: at(Math.max(0, q.offset - limit)), rel: 'prev', type: GEOJSON_TYPE, title: 'Previous page' })
    // The features arrive as JSON text from PostGIS; splice them in rather than parse and re-serialise.
    const head = JSON.stringify({
      type: 'FeatureCollection',
      numberMatched: page.numberMatched,
      numberReturned: returned,
      timeStamp: new Date().toISOString(),
      links,
    })
    const body = `${head.slice(0, -1)},"features":${page.features}}`
    return c.body(body, 200, { 'content-type': `${GEOJSON_TYPE}; charset=utf-8`, 'cache-control': 'private, no-cache' })
  })
  .get('/collections/:collectionId/items/:featureId', validate('param', itemParams), validate('query', plainQuery), async (c) => {
    const collectionId = collectionOf(c.req.valid('param').collectionId)
    const parsed = idParam.safeParse(c.req.valid('param').featureId)
    if (!parsed.success) throw problems.notFound(`No feature ${c.req.valid('param').featureId} in ${collectionId}.`)
    const featureId = parsed.data
    const feature = await collectionItem(c.get('sql'), collectionId, featureId, c.get('communityIds'))
    if (!feature) throw problems.notFound(`No feature ${featureId} in ${collectionId}.`)
    const root = base(c)
    return json(
      c,
      {
        ...feature,
        links: [
          { href: `${root}/collections/${collectionId}/items/${featureId}`, rel: 'self', type: GEOJSON_TYPE, title: 'This feature' },
          { href: `${root}/collections/${collectionId}`, rel: 'collection', type: JSON_TYPE, title: 'The collection' },
        ],
      },
      GEOJSON_TYPE,
    )
  })
