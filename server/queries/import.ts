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

const KEY_PLACE_KINDS = ['entrance', 'garage', 'fire_lane', 'charging_shed', 'shop', 'other'] as const
const KIND_NAMES: Record<string, string> = { entrance: '入口', garage: '车库', fire_lane: '消防通道', charging_shed: '充电棚', shop: '商铺', other: '重点部位' }

const text = (v: unknown, max = 100): string | null => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : typeof v === 'number' ? String(v) : null)
const int = (v: unknown, min: number, max: number): number | null => {
  const n = typeof v === 'string' ? Number(v) : v
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : null
}

/** Why PostGIS refuses one feature (invalid, or outside the community), or null when it is fine. */
async function refusal(tx: Queryable, layer: ImportLayer, communityId: number, geometry: ImportGeometry): Promise<string | null> {
  const [row] = await tx<{ valid: boolean; reason: string | null; x: number | null; y: number | null; outside: boolean }[]>`
    with g as (select ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(${JSON.stringify(geometry)}::text)), 4326) as geom),
         d as (select ST_IsValidDetail(g.geom) as v from g)
    select (d.v).valid, (d.v).reason, ST_X((d.v).location) as x, ST_Y((d.v).location) as y,
           case when not (d.v).valid then false
                when ${layer === 'buildings'}
                then ST_Area(ST_Transform(ST_Difference(g.geom, c.boundary), c.utm_srid)) >= 1
                else not ST_Intersects(g.geom, c.boundary) end as outside
    from g, d, communities c where c.id = ${communityId}`
  if (!row) return 'the community is gone'
  if (!row.valid) return `${row.reason ?? 'invalid geometry'}${row.x !== null && row.y !== null ? ` at ${row.x.toFixed(6)},${row.y.toFixed(6)}` : ''}`
  if (row.outside) return 'lies outside the community'
  return null
}

/**
 * Import buildings, key places or roads into a community: each feature is checked on its own and rejected
 * with its reason; features sharing `properties.id` (an OSM id) are merged with ST_Union. One transaction.
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
  return sql.begin(async (tx) => {
    // Imports are the long request class (server/db/timeouts.ts).
    await setStatementTimeout(tx, 'import')
    const [community] = await tx`select id from communities where id = ${communityId}
                                   and ${communityIds === null ? tx`true` : tx`id = any(${communityIds}::bigint[])`}`
    if (!community) throw problems.notFound(`No community ${communityId}.`)
    const rejected = [...rejectedBefore]
    const groups = new Map<string, LayerImportItem[]>()
    for (const item of items) {
      if (layer === 'key-places' && !KEY_PLACE_KINDS.includes(item.properties.kind as (typeof KEY_PLACE_KINDS)[number])) {
        rejected.push({ index: item.index, reason: `properties.kind must be one of ${KEY_PLACE_KINDS.join(', ')}` })
        continue
      }
      const reason = await refusal(tx, layer, communityId, item.geometry)
      if (reason) rejected.push({ index: item.index, reason })
      else groups.set(item.key, [...(groups.get(item.key) ?? []), item])
    }
    const ids: number[] = []
    let merged = 0
    for (const group of groups.values()) {
      merged += group.length - 1
      const props = Object.assign({}, ...group.map((g) => g.properties)) as Record<string, unknown>
      const parts = group.map((g) => JSON.stringify(g.geometry))
      const union = tx`(select ST_Union(ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(part)), 4326)) from unnest(${parts}::text[]) as part)`
      const osmId = int(props.id, 1, Number.MAX_SAFE_INTEGER)
      let row: { id: number } | undefined
      if (layer === 'buildings') {
        ;[row] = await tx<{ id: number }[]>`
          insert into buildings (community_id, osm_id, name, floors, households, footprint, compound_id)
          select ${communityId}, ${osmId}, ${text(props.name)}, ${int(props.floors ?? props['building:levels'], 1, 200)},
                 ${int(props.households, 0, 100_000) ?? 0}, f, (select id from compounds where community_id = ${communityId} and ST_Contains(geom, ST_PointOnSurface(f)) limit 1)
          from (select ST_Multi(ST_ForcePolygonCCW(ST_CollectionExtract(${union}, 3))) as f) s
          on conflict (community_id, osm_id) where osm_id is not null do nothing
          returning id`
      } else if (layer === 'roads') {
        ;[row] = await tx<{ id: number }[]>`
          insert into roads (community_id, osm_id, kind, kind_detail, name, geom)
          values (${communityId}, ${osmId}, ${text(props.kind) ?? 'road'}, ${text(props.kind_detail ?? props.kindDetail)}, ${text(props.name)},
                  ST_Multi(ST_CollectionExtract(${union}, 2)))
          returning id`
      } else {
        const kind = String(props.kind)
        ;[row] = await tx<{ id: number }[]>`
          insert into key_places (community_id, kind, name, code, geom)
          values (${communityId}, ${kind}, ${text(props.name) ?? KIND_NAMES[kind] ?? '重点部位'}, ${newKeyPlaceCode()},
                  (select case when GeometryType(u) in ('POINT', 'LINESTRING') then u else ST_LineMerge(u) end from (select ${union} as u) s))
          returning id`
      }
      if (row) ids.push(row.id)
      else for (const g of group) rejected.push({ index: g.index, reason: 'already imported (same properties.id)' })
    }
    rejected.sort((a, b) => a.index - b.index)
    await recordAudit(tx, { userId: actor.id, communityId, action: 'import', entity: layer, after: { imported: ids.length, merged, rejected: rejected.length, ids } })
    return { imported: ids.length, merged, rejected, ids }
  })
}
