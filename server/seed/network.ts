/**
 * The walkable network of the community in metres: footpaths and residential/service roads with
 * every piece inside a building cut out, optionally also cut back around some compounds.
 */
import { json, type SeedContext } from './context.ts'
import type { XY } from './geo.ts'
import type { OsmExtract } from './osm.ts'

/** Road kinds (Tilezen kind_detail) a patrol walks along. */
export const WALK_KINDS = ['footway', 'path', 'pedestrian', 'steps', 'living_street', 'residential', 'service', 'unclassified', 'track']
/** Main roads: walked along their pavements only to get from one compound to the next. */
export const CONNECTOR_KINDS = ['tertiary', 'secondary', 'primary', 'trunk', 'secondary_link', 'tertiary_link', 'primary_link']

/** A walkable line in metres and the kind of road it comes from. */
export interface WalkLine {
  kind: string
  /** A main road, walked only to get somewhere. */
  connector: boolean
  line: XY[]
}

/**
 * The walkable lines outside every building (and, when given, farther than `avoidMetres` from the
 * buildings of the compounds in `avoidCompoundIds`): paths and minor roads, plus the main roads as
 * connectors. Tunnels are left out.
 */
export async function loadWalkLines(
  ctx: SeedContext,
  osm: OsmExtract,
  avoidCompoundIds: number[] = [],
  avoidMetres = 0,
): Promise<WalkLine[]> {
  const { tx, utm, communityId } = ctx
  const tunnels = osm.roads.filter((r) => r.tunnel).map((r) => r.osmId)
  const rows = await tx<{ kind: string; g: string }[]>`
    with blockers as (
      select ST_Union(g) as g from (
        select ST_Buffer(ST_Transform(footprint, ${utm}::int), 0.5) as g
        from buildings where community_id = ${communityId}
        union all
        select ST_Buffer(ST_Transform(footprint, ${utm}::int), ${avoidMetres}::float8)
        from buildings
        where community_id = ${communityId}
          and compound_id in (select value::bigint from jsonb_array_elements_text(${json(avoidCompoundIds)}::text::jsonb))
      ) as parts
    ), walk as (
      select id, kind_detail, ST_Transform(geom, ${utm}::int) as g
      from roads
      where community_id = ${communityId}
        and kind_detail in (select value from jsonb_array_elements_text(${json([...WALK_KINDS, ...CONNECTOR_KINDS])}::text::jsonb))
        and (osm_id is null or osm_id not in (select value::bigint from jsonb_array_elements_text(${json(tunnels)}::text::jsonb)))
    )
    select w.kind_detail as kind, ST_AsGeoJSON(d.geom, 2) as g
    from walk w
    cross join lateral ST_Dump(ST_Difference(w.g, (select g from blockers))) as d
    where ST_Length(d.geom) > 1
    order by w.id, d.path`
  const lines: WalkLine[] = []
  for (const row of rows) {
    const g = JSON.parse(row.g) as { type: string; coordinates: XY[] }
    if (g.type === 'LineString' && g.coordinates.length >= 2) {
      lines.push({ kind: row.kind, connector: CONNECTOR_KINDS.includes(row.kind), line: g.coordinates })
    }
  }
  // A stable order whatever order the geometry engine returned the pieces in.
  return lines.sort((a, b) => (a.line[0]![0] - b.line[0]![0]) || (a.line[0]![1] - b.line[0]![1]) || a.kind.localeCompare(b.kind))
}
