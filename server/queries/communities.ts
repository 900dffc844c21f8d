import type { Sql } from '../db/connect.ts'
import type { ZoneGeometry } from '../domain/zone-geometry.ts'
import { recordAudit } from './audit.ts'
import type { SessionUser } from './users.ts'

/** A community row as the server uses it. */
export interface CommunityRow {
  id: number
  name: string
  nameEn: string | null
  utmSrid: number
  districtId: number | null
}

/** All communities, or those with these ids. */
export async function listCommunities(sql: Sql, ids: number[] | null): Promise<CommunityRow[]> {
  return sql<CommunityRow[]>`
    select id, name, name_en as "nameEn", utm_srid as "utmSrid", district_id as "districtId"
    from communities
    where ${ids === null ? sql`true` : sql`id = any(${ids}::bigint[])`}
    order by id`
}

/** Whether the database holds any community (an empty database gets the demo on first start). */
export async function hasCommunities(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ any: boolean }[]>`select exists (select 1 from communities) as any`
  return row?.any ?? false
}

/** A community as a GeoJSON Feature. */
export interface CommunityFeature {
  type: 'Feature'
  id: number
  geometry: unknown
  properties: CommunityRow & { id: number; publicCode: string }
}

/**
 * Create a community from a checked boundary (rings stored counter-clockwise); the creator's district, when
 * they have one, becomes its district. Audited in the same transaction.
 */
export async function createCommunity(
  sql: Sql,
  input: { name: string; nameEn?: string | undefined; boundary: ZoneGeometry },
  actor: SessionUser,
): Promise<CommunityFeature> {
  return sql.begin(async (tx) => {
    const [row] = await tx<(CommunityRow & { publicCode: string; geometry: unknown })[]>`
      with g as (select ST_Multi(ST_ForcePolygonCCW(ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(input.boundary)}::text), 4326)))) as boundary),
           c as (select ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from g)
      insert into communities (name, name_en, district_id, utm_srid, boundary)
      select ${input.name}, ${input.nameEn ?? null}, ${actor.districtId},
             (case when c.lat >= 0 then 32600 else 32700 end) + least(60, greatest(1, floor((c.lon + 180) / 6)::int + 1)),
             g.boundary
      from g, c
      returning id, name, name_en as "nameEn", utm_srid as "utmSrid", district_id as "districtId", public_code as "publicCode", ST_AsGeoJSON(boundary, 7)::json as geometry`
    const { geometry, ...props } = row!
    await recordAudit(tx, { userId: actor.id, communityId: props.id, action: 'create', entity: 'community', entityId: props.id, after: props })
    return { type: 'Feature', id: props.id, geometry, properties: { ...props } }
  })
}
