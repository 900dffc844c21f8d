import type postgres from 'postgres'
import type { Sql } from '../db/connect.ts'
import type { BBox } from '../validate.ts'

/** The map layers `GET /api/layers/:layer` serves. */
export const LAYERS = ['communities', 'compounds', 'buildings', 'key-places', 'zones', 'roads', 'water'] as const
export type LayerName = (typeof LAYERS)[number]

/** What restricts a layer query: the communities a caller may see (null = all), one community, a bbox. */
export interface LayerFilter {
  communityIds: number[] | null
  communityId?: number | undefined
  bbox?: BBox | undefined
}

type Fragment = postgres.Fragment
/** Where a layer comes from: its `from` (alias `x`), geometry, community column and JSON properties. */
export interface LayerSource {
  from: Fragment
  geom: Fragment
  community: Fragment
  props: Fragment
}

/** The table, geometry column, community column, properties and joins of one layer. */
export function layerSource(sql: Sql, layer: LayerName): LayerSource {
  switch (layer) {
    case 'communities':
      return {
        from: sql`communities x`,
        geom: sql`x.boundary`,
        community: sql`x.id`,
        props: sql`json_build_object('id', x.id, 'name', x.name, 'nameEn', x.name_en, 'utmSrid', x.utm_srid, 'districtId', x.district_id, 'publicCode', x.public_code)`,
      }
    case 'compounds':
      return {
        from: sql`compounds x`,
        geom: sql`x.geom`,
        community: sql`x.community_id`,
        props: sql`json_build_object('id', x.id, 'name', x.name, 'communityId', x.community_id)`,
      }
    case 'buildings':
      return {
        from: sql`buildings x left join people hp on hp.id = x.head_person_id`,
        geom: sql`x.footprint`,
        community: sql`x.community_id`,
        props: sql`json_build_object('id', x.id, 'name', x.name, 'kind', x.kind, 'floors', x.floors,
          'households', x.households, 'compoundId', x.compound_id, 'communityId', x.community_id,
          'headPersonId', x.head_person_id, 'headName', hp.name)`,
      }
    case 'key-places':
      return {
        from: sql`key_places x`,
        geom: sql`x.geom`,
        community: sql`x.community_id`,
        // No QR code here: codes are for printing (GET /api/key-places, the printCodes permission).
        props: sql`json_build_object('id', x.id, 'kind', x.kind, 'name', x.name,
          'buildingId', x.building_id, 'communityId', x.community_id)`,
      }
    case 'zones':
      return {
        from: sql`zones x
          left join people p on p.id = x.assignee_id
          join communities c on c.id = x.community_id`,
        geom: sql`x.geom`,
        community: sql`x.community_id`,
        props: sql`json_build_object('id', x.id, 'name', x.name, 'communityId', x.community_id, 'parentId', x.parent_id,
          'assigneeId', x.assignee_id, 'assigneeName', p.name, 'teamId', x.team_id,
          'areaM2', round(ST_Area(ST_Transform(x.geom, c.utm_srid))::numeric, 1))`,
      }
    case 'roads':
      return {
        from: sql`roads x`,
        geom: sql`x.geom`,
        community: sql`x.community_id`,
        props: sql`json_build_object('id', x.id, 'kind', x.kind, 'kindDetail', x.kind_detail, 'name', x.name)`,
      }
    case 'water':
      return {
        from: sql`water x`,
        geom: sql`x.geom`,
        community: sql`x.community_id`,
        props: sql`json_build_object('id', x.id, 'kind', x.kind, 'name', x.name)`,
      }
  }
}

/**
 * A layer as a GeoJSON FeatureCollection, built by PostGIS and returned as JSON text
 * (no parse/serialise round trip in Node for the large layers).
 */
export async function layerGeoJson(sql: Sql, layer: LayerName, filter: LayerFilter): Promise<string> {
  const src = layerSource(sql, layer)
  const scope = filter.communityIds === null ? sql`true` : sql`${src.community} = any(${filter.communityIds}::bigint[])`
  const one = filter.communityId === undefined ? sql`true` : sql`${src.community} = ${filter.communityId}`
  const box = filter.bbox
    ? sql`${src.geom} && ST_MakeEnvelope(${filter.bbox[0]}, ${filter.bbox[1]}, ${filter.bbox[2]}, ${filter.bbox[3]}, 4326)`
    : sql`true`
  const [row] = await sql<{ fc: string }[]>`
    select json_build_object(
      'type', 'FeatureCollection',
      'features', coalesce(json_agg(json_build_object(
        'type', 'Feature',
        'id', t.id,
        'geometry', ST_AsGeoJSON(t.g, 7)::json,
        'properties', t.props
      ) order by t.id), '[]'::json)
    )::text as fc
    from (
      select x.id, ${src.geom} as g, ${src.props} as props
      from ${src.from}
      where ${scope} and ${one} and ${box}
    ) t`
  return row?.fc ?? '{"type":"FeatureCollection","features":[]}'
}
