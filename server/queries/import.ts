import { KEY_PLACE_KINDS } from '../../core/org.ts'
import type { Queryable, Sql } from '../db/connect.ts'
import type { ImportGeometry, ImportLayer } from '../domain/import-geometry.ts'
import { problems } from '../problem.ts'
import { recordAudit } from './audit.ts'
import type { SessionUser } from './users.ts'
import { newKeyPlaceCode } from '../domain/evidence.ts'
import { setStatementTimeout } from '../db/timeouts.ts'

/** One checked feature to import; features with the same `key` (`properties.id`) are merged. */
export interface LayerImportItem {
  index: number
  key: string
  geometry: ImportGeometry
  properties: Record<string, unknown>
}

/** The answer of `POST /api/import/:layer`. */
export interface LayerImportResult {
  imported: number
  merged: number
  rejected: { index: number; reason: string }[]
  ids: number[]
}

const KIND_NAMES: Record<string, string> = { entrance: '入口', garage: '车库', fire_lane: '消防通道', charging_shed: '充电棚', shop: '商铺', other: '重点部位' }

const text = (v: unknown, max = 100): string | null => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : typeof v === 'number' ? String(v) : null)
const int = (v: unknown, min: number, max: number): number | null => {
  const n = typeof v === 'string' ? Number(v) : v
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : null
}

interface RefusalRow {
  i: number
  valid: boolean
  reason: string | null
  x: number | null
  y: number | null
  outside: boolean
}

const refusalText = (row: RefusalRow | undefined): string | null => {
  if (!row) return 'the community is gone'
  if (!row.valid) return `${row.reason ?? 'invalid geometry'}${row.x !== null && row.y !== null ? ` at ${row.x.toFixed(6)},${row.y.toFixed(6)}` : ''}`
  if (row.outside) return 'lies outside the community'
  return null
}

/**
 * Why PostGIS refuses each feature (invalid, or outside the community), or null when it is fine: a batch
 * of features per statement; a batch PostGIS cannot read as a whole is checked one feature at a time, so
 * one unreadable geometry costs only itself.
 */
async function refusals(sql: Sql, layer: ImportLayer, communityId: number, items: LayerImportItem[]): Promise<(string | null)[]> {
  const out: (string | null)[] = []
  for (let start = 0; start < items.length; start += CHECK_BATCH) {
    const batch = items.slice(start, start + CHECK_BATCH)
    const check = (part: LayerImportItem[], offset: number): Promise<RefusalRow[]> =>
      sql<RefusalRow[]>`
        with f as (select * from jsonb_to_recordset(${JSON.stringify(part.map((item, k) => ({ i: offset + k, g: JSON.stringify(item.geometry) })))}::text::jsonb) as f(i int, g text)),
             g as (select f.i, ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(f.g)), 4326) as geom from f),
             d as (select g.i, g.geom, ST_IsValidDetail(g.geom) as v from g)
        select d.i, (d.v).valid, (d.v).reason, ST_X((d.v).location) as x, ST_Y((d.v).location) as y,
               case when not (d.v).valid then false
                    when ${layer === 'buildings'} then ST_Area(ST_Transform(ST_Difference(d.geom, c.boundary), c.utm_srid)) >= 1
                    else not ST_Intersects(d.geom, c.boundary) end as outside
        from d, communities c where c.id = ${communityId}`
    let rows: RefusalRow[]
    try {
      rows = await check(batch, start)
    } catch {
      rows = []
      for (let k = 0; k < batch.length; k++) {
        try {
          rows.push(...(await check([batch[k]!], start + k)))
        } catch (error) {
          rows.push({ i: start + k, valid: false, reason: error instanceof Error ? error.message.slice(0, 200) : 'unreadable geometry', x: null, y: null, outside: false })
        }
      }
    }
    const byIndex = new Map(rows.map((r) => [r.i, r]))
    for (let k = 0; k < batch.length; k++) out.push(refusalText(byIndex.get(start + k)))
  }
  return out
}

/** Features checked per statement, and merged features inserted per transaction. */
const CHECK_BATCH = 200
const INSERT_BATCH = 250

/** One merged feature to insert: its parts' geometries and its merged properties. */
interface Group {
  items: LayerImportItem[]
  props: Record<string, unknown>
  osmId: number | null
}

/** Insert one part of the groups in `tx`; the ids of the inserted rows and the groups skipped as already imported. */
async function insertGroups(tx: Queryable, layer: ImportLayer, communityId: number, groups: Group[]): Promise<{ ids: number[]; skipped: Group[] }> {
  const rows = groups.map((g, k) => ({
    k,
    osm_id: g.osmId,
    name: text(g.props.name),
    floors: int(g.props.floors ?? g.props['building:levels'], 1, 200),
    households: int(g.props.households, 0, 100_000) ?? 0,
    kind: layer === 'roads' ? (text(g.props.kind) ?? 'road') : String(g.props.kind),
    kind_detail: text(g.props.kind_detail ?? g.props.kindDetail),
    code: layer === 'key-places' ? newKeyPlaceCode() : null,
    parts: g.items.map((item) => item.geometry),
  }))
  const input = tx`(
    select r.*, (select ST_Union(ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(p::text)), 4326)) from jsonb_array_elements(r.parts) p) as u
    from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb)
      as r(k int, osm_id bigint, name text, floors int, households int, kind text, kind_detail text, code text, parts jsonb)
  )`
  if (layer === 'buildings') {
    const inserted = await tx<{ id: number; osmId: number | null }[]>`
      insert into buildings (community_id, osm_id, name, floors, households, footprint, compound_id)
      select ${communityId}, i.osm_id, i.name, i.floors, i.households, s.f,
             (select id from compounds where community_id = ${communityId} and ST_Contains(geom, ST_PointOnSurface(s.f)) limit 1)
      from ${input} i, lateral (select ST_Multi(ST_ForcePolygonCCW(ST_CollectionExtract(i.u, 3))) as f) s
      order by i.k
      on conflict (community_id, osm_id) where osm_id is not null do nothing
      returning id, osm_id as "osmId"`
    const got = new Set(inserted.map((r) => (r.osmId === null ? null : Number(r.osmId))))
    return { ids: inserted.map((r) => r.id), skipped: groups.filter((g) => g.osmId !== null && !got.has(g.osmId)) }
  }
  if (layer === 'roads') {
    const inserted = await tx<{ id: number }[]>`
      insert into roads (community_id, osm_id, kind, kind_detail, name, geom)
      select ${communityId}, i.osm_id, i.kind, i.kind_detail, i.name, ST_Multi(ST_CollectionExtract(i.u, 2))
      from ${input} i order by i.k
      returning id`
    return { ids: inserted.map((r) => r.id), skipped: [] }
  }
  const inserted = await tx<{ id: number }[]>`
    insert into key_places (community_id, kind, name, code, geom)
    select ${communityId}, i.kind, coalesce(i.name, ${tx.json(KIND_NAMES)}::jsonb ->> i.kind, '重点部位'), i.code,
           case when GeometryType(i.u) in ('POINT', 'LINESTRING') then i.u else ST_LineMerge(i.u) end
    from ${input} i order by i.k
    returning id`
  return { ids: inserted.map((r) => r.id), skipped: [] }
}

/**
 * Import buildings, key places or roads into a community: each feature is checked on its own and rejected
 * with its reason; features sharing `properties.id` (an OSM id) are merged with ST_Union.
 *
 * So that no import monopolises the database (issue 18.4), the checks run {@link CHECK_BATCH} features per
 * statement outside any transaction, and the merged features are inserted {@link INSERT_BATCH} per
 * transaction, each with its own audit row: other requests are served in between. A part that commits
 * stays (a repeated import skips buildings already imported by their OSM id).
 */
export async function importLayer(
  sql: Sql,
  layer: ImportLayer,
  communityId: number,
  items: LayerImportItem[],
  rejectedBefore: LayerImportResult['rejected'],
  actor: SessionUser,
  communityIds: number[] | null,
): Promise<LayerImportResult> {
  const [community] = await sql`select id from communities where id = ${communityId}
                                 and ${communityIds === null ? sql`true` : sql`id = any(${communityIds}::bigint[])`}`
  if (!community) throw problems.notFound(`No community ${communityId}.`)
  const rejected = [...rejectedBefore]
  const candidates: LayerImportItem[] = []
  for (const item of items) {
    if (layer === 'key-places' && !KEY_PLACE_KINDS.includes(item.properties.kind as (typeof KEY_PLACE_KINDS)[number])) {
      rejected.push({ index: item.index, reason: `properties.kind must be one of ${KEY_PLACE_KINDS.join(', ')}` })
    } else candidates.push(item)
  }
  const reasons = await refusals(sql, layer, communityId, candidates)
  const byKey = new Map<string, LayerImportItem[]>()
  candidates.forEach((item, k) => {
    const reason = reasons[k]
    if (reason) rejected.push({ index: item.index, reason })
    else byKey.set(item.key, [...(byKey.get(item.key) ?? []), item])
  })
  const groups: Group[] = [...byKey.values()].map((group) => {
    const props = Object.assign({}, ...group.map((g) => g.properties)) as Record<string, unknown>
    return { items: group, props, osmId: int(props.id, 1, Number.MAX_SAFE_INTEGER) }
  })
  const merged = groups.reduce((sum, g) => sum + g.items.length - 1, 0)
  const ids: number[] = []
  for (let start = 0; start < groups.length || start === 0; start += INSERT_BATCH) {
    const part = groups.slice(start, start + INSERT_BATCH)
    await sql.begin(async (tx) => {
      await setStatementTimeout(tx, 'import')
      const { ids: inserted, skipped } = part.length ? await insertGroups(tx, layer, communityId, part) : { ids: [], skipped: [] }
      for (const g of skipped) for (const item of g.items) rejected.push({ index: item.index, reason: 'already imported (same properties.id)' })
      ids.push(...inserted)
      const parts = Math.max(1, Math.ceil(groups.length / INSERT_BATCH))
      await recordAudit(tx, {
        userId: actor.id,
        communityId,
        action: 'import',
        entity: layer,
        after: { imported: inserted.length, merged: start === 0 ? merged : 0, rejected: start === 0 ? rejected.length : skipped.length, ids: inserted, ...(parts > 1 ? { part: start / INSERT_BATCH + 1, of: parts } : {}) },
      })
    })
  }
  rejected.sort((a, b) => a.index - b.index)
  return { imported: ids.length, merged, rejected, ids }
}
