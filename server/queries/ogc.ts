/**
 * The data of the OGC API – Features service (`/ogc`): the collections (the map layers of
 * server/queries/layers.ts and the hazards of server/queries/hazards.ts), their extents, and pages
 * of items counted and cut in SQL (`numberMatched`, `limit`, `offset`).
 */
import type postgres from 'postgres'
import type { Sql } from '../db/connect.ts'
import { hazardProps } from './hazards.ts'
import { layerSource, type LayerName } from './layers.ts'

/** The collections served, in the order listed. */
export const OGC_COLLECTION_IDS = ['communities', 'compounds', 'buildings', 'key-places', 'zones', 'roads', 'hazards'] as const
export type OgcCollectionId = (typeof OGC_COLLECTION_IDS)[number]

/** Title and description of each collection. */
export const OGC_COLLECTIONS: Record<OgcCollectionId, { title: string; description: string }> = {
  communities: { title: '社区 Communities', description: 'Community (社区) boundaries.' },
  compounds: { title: '小区 Compounds', description: 'Residential compounds (小区).' },
  buildings: { title: '楼栋 Buildings', description: 'Building footprints with floors and households.' },
  'key-places': { title: '重点部位 Key places', description: 'Entrances, garages, fire lanes, charging sheds, shops (points or lines).' },
  zones: { title: '责任网格 Zones', description: 'Responsibility zones with their assignee (网格员) and area in m².' },
  roads: { title: '道路 Roads', description: 'Roads and paths (Tilezen kinds).' },
  hazards: { title: '隐患 Hazards', description: 'Hazards (隐患) with status, category, severity, reportedAt and dueAt; datetime filters reportedAt.' },
}

/** A bbox in CRS84; minLon > maxLon crosses the antimeridian. */
export type OgcBBox = [number, number, number, number]

/** Filters and page of an items request. */
export interface OgcItemsQuery {
  communityIds: number[] | null
  bbox?: OgcBBox | undefined
  /** Closed interval on `reported_at` (hazards only); an open end is undefined. */
  datetime?: { from?: string | undefined; to?: string | undefined } | undefined
  limit: number
  offset: number
}

type Fragment = postgres.Fragment

interface Source {
  from: Fragment
  id: Fragment
  geom: Fragment
  community: Fragment
  props: Fragment
  time?: Fragment
  /** Rows never served (hazards: leads, which the OGC layers carry for no one; core/matters.ts seesLeads). */
  only?: Fragment
}

function sourceOf(sql: Sql, id: OgcCollectionId): Source {
  if (id === 'hazards') {
    return { from: sql`hazards h`, id: sql`h.id`, geom: sql`h.geom`, community: sql`h.community_id`, props: hazardProps(sql), time: sql`h.reported_at`, only: sql`h.type <> 'lead'` }
  }
  const src = layerSource(sql, id satisfies LayerName)
  return { ...src, id: sql`x.id` }
}

function whereOf(sql: Sql, src: Source, q: Pick<OgcItemsQuery, 'communityIds' | 'bbox' | 'datetime'>): Fragment {
  const parts: Fragment[] = []
  if (src.only) parts.push(src.only)
  if (q.communityIds !== null) parts.push(sql`${src.community} = any(${q.communityIds}::bigint[])`)
  if (q.bbox) {
    const [minLon, minLat, maxLon, maxLat] = q.bbox
    parts.push(
      minLon <= maxLon
        ? sql`${src.geom} && ST_MakeEnvelope(${minLon}, ${minLat}, ${maxLon}, ${maxLat}, 4326)`
        : sql`(${src.geom} && ST_MakeEnvelope(${minLon}, ${minLat}, 180, ${maxLat}, 4326)
               or ${src.geom} && ST_MakeEnvelope(-180, ${minLat}, ${maxLon}, ${maxLat}, 4326))`,
    )
  }
  if (q.datetime && src.time) {
    if (q.datetime.from) parts.push(sql`${src.time} >= ${q.datetime.from}::timestamptz`)
    if (q.datetime.to) parts.push(sql`${src.time} <= ${q.datetime.to}::timestamptz`)
  }
  return parts.length === 0 ? sql`true` : parts.reduce((a, p) => sql`${a} and ${p}`)
}

/** The extent of a collection: its bbox (null when empty) and, for hazards, the first and last reportedAt. */
export async function collectionExtent(
  sql: Sql,
  id: OgcCollectionId,
  communityIds: number[] | null,
): Promise<{ bbox: OgcBBox | null; interval: [string, string] | null }> {
  const src = sourceOf(sql, id)
  const [row] = await sql<{ xmin: number | null; ymin: number | null; xmax: number | null; ymax: number | null; t0: Date | null; t1: Date | null }[]>`
    select ST_XMin(e) as xmin, ST_YMin(e) as ymin, ST_XMax(e) as xmax, ST_YMax(e) as ymax, t0, t1
    from (select ST_Extent(${src.geom})::geometry as e,
                 ${src.time ? sql`min(${src.time})` : sql`null::timestamptz`} as t0,
                 ${src.time ? sql`max(${src.time})` : sql`null::timestamptz`} as t1
          from ${src.from} where ${whereOf(sql, src, { communityIds })}) s`
  const bbox = row && row.xmin !== null ? ([row.xmin, row.ymin!, row.xmax!, row.ymax!] as OgcBBox) : null
  const interval = row?.t0 && row.t1 ? ([row.t0.toISOString(), row.t1.toISOString()] as [string, string]) : null
  return { bbox, interval }
}

/** One page of a collection's items (features as JSON text, in id order) and how many match in all. */
export async function collectionItems(sql: Sql, id: OgcCollectionId, q: OgcItemsQuery): Promise<{ numberMatched: number; features: string }> {
  const src = sourceOf(sql, id)
  const where = whereOf(sql, src, q)
  const [count] = await sql<{ n: number }[]>`select count(*)::int as n from ${src.from} where ${where}`
  const [page] = await sql<{ features: string }[]>`
    select coalesce(json_agg(json_build_object(
      'type', 'Feature', 'id', t.id, 'geometry', ST_AsGeoJSON(t.g, 7)::json, 'properties', t.props) order by t.id), '[]'::json)::text as features
    from (select ${src.id} as id, ${src.geom} as g, ${src.props} as props
          from ${src.from} where ${where}
          order by ${src.id} limit ${q.limit} offset ${q.offset}) t`
  return { numberMatched: count?.n ?? 0, features: page?.features ?? '[]' }
}

/** One item of a collection as a Feature, or undefined (unknown, or outside the caller's communities). */
export async function collectionItem(sql: Sql, id: OgcCollectionId, featureId: number, communityIds: number[] | null): Promise<Record<string, unknown> | undefined> {
  const src = sourceOf(sql, id)
  const [row] = await sql<{ feature: Record<string, unknown> }[]>`
    select json_build_object('type', 'Feature', 'id', ${src.id}, 'geometry', ST_AsGeoJSON(${src.geom}, 7)::json, 'properties', ${src.props}) as feature
    from ${src.from}
    where ${whereOf(sql, src, { communityIds })} and ${src.id} = ${featureId}`
  return row?.feature
}
