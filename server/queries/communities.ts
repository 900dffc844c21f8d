import type { Sql } from '../db/connect.ts'

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
