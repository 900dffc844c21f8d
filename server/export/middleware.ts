/**
 * `?format=csv|xlsx|geojson` (tracks also `gpx`) on every list endpoint, in one place: the middleware
 * takes `format` off the request, lets the route answer its usual JSON with the same filters, and turns
 * that answer into a download. Routes stay as they are; errors (400, 404, …) pass through untouched.
 */
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../context.ts'
import { problems } from '../problem.ts'
import { toCsv } from './csv.ts'
import { CONTENT_TYPES, contentDisposition, EXPORT_FORMATS, shanghaiToday, type ExportFormat } from './download.ts'
import { toGpx } from './gpx.ts'
import { featuresTable, itemsCollection, itemsTable, type JsonFeatureCollection, type Table } from './table.ts'
import { toXlsx } from './xlsx.ts'
import { rosterTables } from './roster.ts'

/** What an exportable endpoint answers, reduced to features or items. */
type Extracted = { kind: 'features'; fc: JsonFeatureCollection } | { kind: 'items'; items: Record<string, unknown>[] }

/** One exportable list endpoint. */
interface ExportSource {
  pattern: RegExp
  /** File name stem in ASCII and in Chinese; `m` is the path match. */
  names: (m: RegExpExecArray) => { ascii: string; zh: string }
  extract: (body: unknown) => Extracted | undefined
  gpx?: boolean
  /** The tables of a list download when not the generic one (the roster template). */
  tables?: (items: Record<string, unknown>[]) => Table[]
  /** Extra query parameters this middleware applies to the features (taken off the request too). */
  filter?: (fc: JsonFeatureCollection, query: URLSearchParams) => JsonFeatureCollection
}

const LAYER_NAMES: Record<string, string> = {
  communities: '社区',
  compounds: '小区',
  buildings: '楼栋',
  'key-places': '重点部位',
  zones: '责任网格',
  roads: '道路',
  water: '水系',
}

const asFeatures = (body: unknown): Extracted | undefined => {
  const fc = body as JsonFeatureCollection | null
  return fc && fc.type === 'FeatureCollection' && Array.isArray(fc.features) ? { kind: 'features', fc } : undefined
}
const asItems = (body: unknown): Extracted | undefined => {
  const items = (body as { items?: unknown } | null)?.items
  return Array.isArray(items) ? { kind: 'items', items: items as Record<string, unknown>[] } : undefined
}

/** `warning=true|false`: the list's SLA-warning filter (≥ 80 % of the time used, not yet overdue). */
function warningFilter(fc: JsonFeatureCollection, query: URLSearchParams): JsonFeatureCollection {
  const w = query.get('warning')
  if (w === null) return fc
  if (w !== 'true' && w !== 'false') throw problems.badRequest('The query is invalid.', [{ path: 'warning', message: 'must be true or false' }])
  return { ...fc, features: fc.features.filter((f) => Boolean(f.properties?.warning) === (w === 'true')) }
}

/** The list endpoints that can be downloaded. */
export const EXPORT_SOURCES: readonly ExportSource[] = [
  { pattern: /^\/api\/hazards\/?$/, names: () => ({ ascii: 'hazards', zh: '隐患' }), extract: asFeatures, filter: warningFilter },
  { pattern: /^\/api\/matters\/?$/, names: () => ({ ascii: 'matters', zh: '事项' }), extract: asFeatures, filter: warningFilter },
  { pattern: /^\/api\/zones\/?$/, names: () => ({ ascii: 'zones', zh: '责任网格' }), extract: asFeatures },
  { pattern: /^\/api\/communities\/?$/, names: () => ({ ascii: 'communities', zh: '社区' }), extract: asFeatures },
  {
    pattern: /^\/api\/layers\/([a-z-]+)\/?$/,
    names: (m) => ({ ascii: m[1]!, zh: LAYER_NAMES[m[1]!] ?? m[1]! }),
    extract: asFeatures,
  },
  { pattern: /^\/api\/tracks\/?$/, names: () => ({ ascii: 'tracks', zh: '巡逻轨迹' }), extract: asFeatures, gpx: true },
  { pattern: /^\/api\/people\/?$/, names: () => ({ ascii: 'people', zh: '花名册' }), extract: asItems, tables: rosterTables },
  { pattern: /^\/api\/key-places\/?$/, names: () => ({ ascii: 'key-places', zh: '重点部位' }), extract: asItems },
  { pattern: /^\/api\/checkins\/?$/, names: () => ({ ascii: 'checkins', zh: '打卡记录' }), extract: asItems },
  {
    pattern: /^\/api\/analysis\/coverage\/?$/,
    names: () => ({ ascii: 'unvisited', zh: '未巡查' }),
    extract: (body) => asFeatures((body as { unvisited?: unknown } | null)?.unvisited),
  },
]

/** Parameters this middleware consumes (never seen by the route). */
const OWN_PARAMS = ['format', 'warning']

/**
 * The export middleware (mount on `/api/*` after `authenticate`): acts only on a GET of an
 * {@link EXPORT_SOURCES} path with `format`; 400 for an unknown format (or `gpx` off the tracks).
 */
export const exportDownloads: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method !== 'GET') return next()
  const url = new URL(c.req.url)
  const format = url.searchParams.get('format')
  if (format === null) return next()
  let match: RegExpExecArray | null = null
  const source = EXPORT_SOURCES.find((s) => (match = s.pattern.exec(url.pathname)) !== null)
  if (!source || !match) return next()
  const allowed: readonly string[] = source.gpx ? EXPORT_FORMATS : EXPORT_FORMATS.filter((f) => f !== 'gpx')
  if (!allowed.includes(format)) {
    throw problems.badRequest('The query is invalid.', [{ path: 'format', message: `must be one of ${allowed.join(', ')}` }])
  }
  const query = new URLSearchParams(url.searchParams)
  for (const p of OWN_PARAMS) url.searchParams.delete(p)
  c.req.raw = new Request(url, c.req.raw)
  c.set('exporting', true)
  await next()
  if (c.res.status !== 200) return
  const extracted = source.extract(await c.res.clone().json())
  if (!extracted) return
  const names = source.names(match)
  // Only a well-formed id goes into the file name: never the raw query text.
  const givenCommunity = url.searchParams.get('communityId')
  const communityId = givenCommunity !== null && /^[1-9]\d{0,14}$/.test(givenCommunity) ? givenCommunity : null
  const stem = `${names.ascii}${communityId ? `-${communityId}` : ''}`
  const stemZh = `${names.zh}${communityId ? `-${communityId}` : ''}-${shanghaiToday()}`
  const fmt = format as ExportFormat
  let fc: JsonFeatureCollection | undefined
  let tables: Table[]
  if (extracted.kind === 'features') {
    fc = source.filter ? source.filter(extracted.fc, query) : extracted.fc
    tables = [featuresTable(names.zh, fc)]
  } else {
    tables = source.tables ? source.tables(extracted.items) : [itemsTable(names.zh, extracted.items)]
  }
  const table = tables[0]!
  let body: string | Uint8Array<ArrayBuffer>
  switch (fmt) {
    case 'csv':
      body = toCsv(table)
      break
    case 'xlsx':
      body = await toXlsx(tables, { title: names.zh })
      break
    case 'gpx':
      body = toGpx(fc ?? { type: 'FeatureCollection', features: [] }, { name: names.zh })
      break
    case 'geojson':
      body = JSON.stringify(fc ?? itemsCollection(extracted.kind === 'items' ? extracted.items : []))
      break
  }
  const headers = new Headers(c.res.headers)
  headers.set('content-type', CONTENT_TYPES[fmt])
  headers.set('content-disposition', contentDisposition(`${stem}.${fmt}`, `${stemZh}.${fmt}`))
  headers.set('cache-control', 'private, no-store')
  headers.delete('content-length')
  // Drop the JSON answer first: assigning over it would copy its headers onto the download.
  c.res = undefined
  c.res = new Response(body, { status: 200, headers })
}
