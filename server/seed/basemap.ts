/**
 * The demo community's base map: district, community boundary, buildings, roads, water and
 * residential compounds, from the OpenStreetMap extract.
 */
import { allocateIds, json, type BuildingInfo, type CompoundInfo, type MultiPolygonXY, type SeedContext } from './context.ts'
import { bounds, distance, type XY } from './geo.ts'
import { COMPOUND_NAMES } from './names.ts'
import type { OsmBuilding, OsmExtract } from './osm.ts'
import type { Random } from './random.ts'

/** The community boundary: the convex hull of all buildings, buffered by this many metres. */
const BOUNDARY_BUFFER_M = 30
/**
 * Longest boundary edge (m). A long edge that is straight in lon/lat bows by millimetres in UTM;
 * short edges keep metric overlays (zones against the boundary) free of phantom slivers.
 */
const BOUNDARY_SEGMENT_M = 10
/** Residential buildings closer than this (m, footprint to footprint) fall in one compound. */
const COMPOUND_EPS_M = 30
/** A compound's outline: the convex hull of its buildings, buffered by this many metres. */
const COMPOUND_BUFFER_M = 12
/** Clusters wider than this (m) or with more buildings than the next constant are split. */
const COMPOUND_MAX_EXTENT_M = 330
const COMPOUND_MAX_BUILDINGS = 26

/** Insert the street office (街道) and the community with its boundary; returns their ids. */
export async function makeCommunity(
  ctx: Omit<SeedContext, 'districtId' | 'communityId'>,
  osm: OsmExtract,
  names: { district: string; community: string; communityEn: string },
): Promise<{ districtId: number; communityId: number }> {
  const { tx, utm } = ctx
  const [district] = await tx<{ id: number }[]>`insert into districts (name) values (${names.district}) returning id`
  const polygons = osm.buildings.flatMap((b) => b.polygons.map((coordinates) => ({ type: 'Polygon', coordinates })))
  const [community] = await tx<{ id: number }[]>`
    insert into communities (district_id, name, name_en, utm_srid, boundary, created_at)
    select ${district!.id}, ${names.community}, ${names.communityEn}, ${utm}::int,
           ST_Multi(ST_Transform(ST_Segmentize(ST_Buffer(ST_ConvexHull(ST_Collect(
             ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(g), 4326), ${utm}::int))), ${BOUNDARY_BUFFER_M}::float8),
             ${BOUNDARY_SEGMENT_M}::float8), 4326)),
           -- Set up in SafeGrid before its history (120 days, like its phones): records may not be older (server/domain/evidence.ts).
           ${new Date(ctx.now.getTime() - 120 * 86_400_000)}::timestamptz
    from jsonb_array_elements_text(${json(polygons)}::text::jsonb) as g
    returning id`
  ctx.summary.districts = 1
  ctx.summary.communities = 1
  return { districtId: district!.id, communityId: community!.id }
}

/**
 * Insert one building per OSM id (tile pieces unioned; invalid pieces repaired with ST_MakeValid),
 * then give each plausible floors and households. Returns the buildings in metric coordinates.
 */
export async function insertBuildings(ctx: SeedContext, osm: OsmExtract): Promise<BuildingInfo[]> {
  const { tx, utm, communityId } = ctx
  const rows = osm.buildings.map((b) => ({
    osm_id: b.osmId,
    name: b.name,
    kind: b.kind,
    parts: b.polygons.map((coordinates) => ({ type: 'Polygon', coordinates })),
  }))
  const inserted = await tx<{ id: number; osm_id: number; g: string; area: number; cx: number; cy: number }[]>`
    with src as (
      select * from jsonb_to_recordset(${json(rows)}::text::jsonb) as r(osm_id bigint, name text, kind text, parts jsonb)
    ), pieces as (
      select src.osm_id, ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(p), 4326)) as g
      from src cross join lateral jsonb_array_elements_text(src.parts) as p
    ), merged as (
      select osm_id, ST_Multi(ST_CollectionExtract(ST_Union(g), 3)) as footprint from pieces group by osm_id
    ), ins as (
      insert into buildings (community_id, osm_id, name, kind, footprint)
      select ${communityId}, src.osm_id, src.name, src.kind, merged.footprint
      from src join merged using (osm_id)
      where not ST_IsEmpty(merged.footprint)
      order by src.osm_id
      returning id, osm_id, footprint
    )
    select id, osm_id,
           ST_AsGeoJSON(ST_Transform(footprint, ${utm}::int), 2) as g,
           ST_Area(ST_Transform(footprint, ${utm}::int))::float8 as area,
           ST_X(ST_Centroid(ST_Transform(footprint, ${utm}::int)))::float8 as cx,
           ST_Y(ST_Centroid(ST_Transform(footprint, ${utm}::int)))::float8 as cy
    from ins order by osm_id`

  const byOsmId = new Map(osm.buildings.map((b) => [b.osmId, b]))
  const rng = ctx.rng.fork('buildings')
  const buildings: BuildingInfo[] = inserted.map((row) => {
    const source = byOsmId.get(row.osm_id) as OsmBuilding
    const floors = plannedFloors(source, row.area, rng)
    const units = source.residential ? plannedUnits(source, row.area) : 0
    const perFloor = source.kind === 'house' ? 1 : row.area / Math.max(1, units) > 320 ? rng.int(3, 4) : 2
    return {
      id: row.id,
      osmId: row.osm_id,
      name: source.name,
      kind: source.kind,
      residential: source.residential,
      commercial: source.commercial,
      floors,
      units,
      households: source.residential ? floors * units * perFloor : 0,
      areaM2: row.area,
      centroid: [row.cx, row.cy],
      footprint: parseMultiPolygon(row.g),
      compoundId: null,
      label: source.name ?? '',
    }
  })
  const updates = buildings.map((b) => ({ id: b.id, floors: b.floors, households: b.households }))
  await tx`
    update buildings b set floors = s.floors, households = s.households
    from jsonb_to_recordset(${json(updates)}::text::jsonb) as s(id bigint, floors int, households int)
    where b.id = s.id`
  ctx.summary.buildings = buildings.length
  return buildings
}

/** Floors from `building:levels`, else the height, else a plausible number for the kind and size. */
function plannedFloors(b: OsmBuilding, area: number, rng: Random): number {
  const clamp = (n: number): number => Math.max(1, Math.min(120, Math.round(n)))
  if (b.levels !== null) return clamp(b.levels)
  if (b.height !== null) return clamp(b.height / (b.residential ? 3 : 4))
  if (b.kind === 'house') return rng.int(2, 4)
  if (b.residential) {
    if (area < 350) return rng.int(5, 7)
    if (area < 900) return rng.weightedKey({ low: 5, mid: 3, high: 2 }) === 'low' ? rng.int(6, 7) : rng.int(11, 33)
    return rng.int(18, 33)
  }
  if (b.commercial) return area > 1500 ? rng.int(20, 50) : rng.int(4, 12)
  return area > 3000 ? rng.int(3, 8) : rng.int(2, 6)
}

/** Stair units (单元): one per ~260 m² of slab footprint. */
function plannedUnits(b: OsmBuilding, area: number): number {
  if (b.kind === 'house') return Math.max(1, Math.min(4, Math.round(area / 300)))
  return Math.max(1, Math.min(8, Math.round(area / 260)))
}

/** Insert the roads (one row per OSM id, pieces merged) and the water features. */
export async function insertRoadsAndWater(ctx: SeedContext, osm: OsmExtract): Promise<void> {
  const { tx, communityId } = ctx
  const roads = osm.roads.map((r) => ({
    osm_id: r.osmId,
    kind: r.kind,
    kind_detail: r.kindDetail,
    name: r.name,
    geom: { type: 'MultiLineString', coordinates: r.lines },
  }))
  const insertedRoads = await tx`
    with src as (
      select * from jsonb_to_recordset(${json(roads)}::text::jsonb)
        as r(osm_id bigint, kind text, kind_detail text, name text, geom jsonb)
    ), shaped as (
      select src.*, ST_Multi(ST_CollectionExtract(ST_LineMerge(ST_UnaryUnion(
               ST_SetSRID(ST_GeomFromGeoJSON(src.geom::text), 4326))), 2)) as g
      from src
    )
    insert into roads (community_id, osm_id, kind, kind_detail, name, geom)
    select ${communityId}, osm_id, kind, kind_detail, name, g from shaped
    where not ST_IsEmpty(g)
    order by osm_id`
  const water = osm.water.map((w) => ({ osm_id: w.osmId, kind: w.kind, name: w.name, geom: w.geometry }))
  const insertedWater = await tx`
    with src as (
      select * from jsonb_to_recordset(${json(water)}::text::jsonb) as r(osm_id bigint, kind text, name text, geom jsonb)
    ), pieces as (
      select src.osm_id, ST_MakeValid(d.geom) as g
      from src cross join lateral ST_Dump(ST_SetSRID(ST_GeomFromGeoJSON(src.geom::text), 4326)) as d
    ), merged as (
      select osm_id, ST_UnaryUnion(ST_Collect(g)) as g from pieces group by osm_id
    )
    insert into water (community_id, osm_id, kind, name, geom)
    select ${communityId}, src.osm_id, src.kind, src.name,
           case when ST_Dimension(merged.g) = 2 then ST_Multi(ST_CollectionExtract(merged.g, 3))
                else ST_Multi(ST_LineMerge(ST_CollectionExtract(merged.g, 2))) end
    from src join merged using (osm_id)
    order by src.osm_id`
  ctx.summary.roads = insertedRoads.count
  ctx.summary.water = insertedWater.count
}

/**
 * Group the residential buildings into compounds: DBSCAN of footprints in UTM, over-large clusters
 * split by k-means, stragglers attached to the nearest compound. Each compound's outline is the
 * buffered convex hull of its buildings (clipped to the community and kept off its neighbours).
 * Sets `compoundId` and `label` ("<compound>N栋") on the buildings.
 */
export async function makeCompounds(ctx: SeedContext, buildings: BuildingInfo[]): Promise<CompoundInfo[]> {
  const { tx, utm, communityId } = ctx
  const residential = buildings.filter((b) => b.residential)
  const clusterRows = await tx<{ id: number; cid: number }[]>`
    select id, ST_ClusterDBSCAN(ST_Transform(footprint, ${utm}::int), eps := ${COMPOUND_EPS_M}::float8, minpoints := 1) over () as cid
    from buildings
    where community_id = ${communityId}
      and id in (select value::bigint from jsonb_array_elements_text(${json(residential.map((b) => b.id))}::text::jsonb))
    order by id`
  const byId = new Map(buildings.map((b) => [b.id, b]))
  const raw = new Map<number, BuildingInfo[]>()
  for (const row of clusterRows) {
    const list = raw.get(row.cid) ?? []
    list.push(byId.get(row.id) as BuildingInfo)
    raw.set(row.cid, list)
  }
  const rng = ctx.rng.fork('compounds')
  // Deterministic order whatever the cluster numbering: by the smallest building id.
  let groups = [...raw.values()].sort((a, b) => minId(a) - minId(b)).flatMap((g) => splitLarge(g, rng))
  groups = attachStragglers(groups)
  groups.sort((a, b) => compareNorthWest(centroidOf(a), centroidOf(b)))
  const ids = await allocateIds(tx, 'compounds', groups.length)
  const names = nameCompounds(groups)
  const compounds: CompoundInfo[] = groups.map((group, index) => ({
    id: ids[index] as number,
    name: names[index] as string,
    index,
    buildingIds: group.map((b) => b.id).sort((a, b) => a - b),
    centroid: centroidOf(group),
    geom: [],
  }))
  for (const compound of compounds) {
    const members = compound.buildingIds.map((id) => byId.get(id) as BuildingInfo)
    members.sort((a, b) => compareNorthWest(a.centroid, b.centroid, 25))
    members.forEach((b, i) => {
      b.compoundId = compound.id
      b.label = b.name ?? `${compound.name}${i + 1}栋`
    })
  }
  for (const b of buildings) if (b.label === '') b.label = b.name ?? buildingKindLabel(b)

  const rows = compounds.map((c) => ({ id: c.id, name: c.name, buildings: c.buildingIds }))
  // Outline per compound: the buffered convex hull of its buildings, cut to the compound's "territory"
  // (the Voronoi cells of points sampled along its buildings' outlines) so neighbours never overlap.
  const inserted = await tx<{ id: number; g: string }[]>`
    with src as (
      select * from jsonb_to_recordset(${json(rows)}::text::jsonb) as r(id bigint, name text, buildings jsonb)
    ), members as (
      select src.id, ST_Transform(b.footprint, ${utm}::int) as fp
      from src cross join lateral jsonb_array_elements_text(src.buildings) as e(bid)
      join buildings b on b.id = e.bid::bigint
    ), hulls as (
      select id, ST_Buffer(ST_ConvexHull(ST_Collect(fp)), ${COMPOUND_BUFFER_M}::float8) as hull from members group by id
    ), boundary as (
      select ST_Transform(boundary, ${utm}::int) as g from communities where id = ${communityId}
    ), pts as (
      select m.id, d.geom as p
      from members m cross join lateral ST_DumpPoints(ST_Segmentize(ST_Boundary(m.fp), 8)) as d
    ), sites as (
      select id, ST_Collect(p) as mp from pts group by id
    ), cells as (
      select (ST_Dump(ST_VoronoiPolygons((select ST_Collect(p) from pts), 0,
               (select ST_Expand(g, 200) from boundary)))).geom as cell
    ), territory as (
      select s.id, ST_Union(c.cell) as g from sites s join cells c on ST_Intersects(c.cell, s.mp) group by s.id
    ), trimmed as (
      select h.id, ST_Intersection(ST_Intersection(h.hull, t.g), (select g from boundary)) as g
      from hulls h join territory t using (id)
    )
    insert into compounds (id, community_id, name, geom)
    select src.id, ${communityId}, src.name,
           ST_Multi(ST_CollectionExtract(ST_Transform(ST_MakeValid(trimmed.g), 4326), 3))
    from src join trimmed using (id)
    order by src.id
    returning id, ST_AsGeoJSON(ST_Transform(geom, ${utm}::int), 2) as g`
  const geomById = new Map(inserted.map((r) => [r.id, parseMultiPolygon(r.g)]))
  for (const c of compounds) c.geom = geomById.get(c.id) ?? []
  const links = compounds.flatMap((c) => c.buildingIds.map((b) => ({ b, c: c.id })))
  await tx`
    update buildings set compound_id = s.c
    from jsonb_to_recordset(${json(links)}::text::jsonb) as s(b bigint, c bigint)
    where buildings.id = s.b`
  // Non-residential buildings inside a compound's outline (clubhouses, kindergartens, shops) belong to it too.
  const enclosed = await tx<{ id: number; compound_id: number }[]>`
    update buildings b set compound_id = c.id
    from compounds c
    where b.community_id = ${communityId} and c.community_id = ${communityId} and b.compound_id is null
      and ST_Within(ST_PointOnSurface(b.footprint), c.geom)
    returning b.id, b.compound_id`
  const compoundById = new Map(compounds.map((c) => [c.id, c]))
  for (const row of enclosed.slice().sort((a, b) => a.id - b.id)) {
    const b = byId.get(row.id) as BuildingInfo
    const compound = compoundById.get(row.compound_id) as CompoundInfo
    b.compoundId = compound.id
    b.label = b.name ?? `${compound.name}${compound.buildingIds.length + 1}号楼`
    compound.buildingIds.push(b.id)
  }
  ctx.summary.compounds = compounds.length
  return compounds
}

function minId(group: BuildingInfo[]): number {
  return Math.min(...group.map((b) => b.id))
}

function centroidOf(group: readonly BuildingInfo[]): XY {
  let x = 0
  let y = 0
  let w = 0
  for (const b of group) {
    x += b.centroid[0] * b.areaM2
    y += b.centroid[1] * b.areaM2
    w += b.areaM2
  }
  return w > 0 ? [x / w, y / w] : [0, 0]
}

/** North before south (in bands of `band` metres), then west before east. */
export function compareNorthWest(a: XY, b: XY, band = 250): number {
  const ra = Math.floor(-a[1] / band)
  const rb = Math.floor(-b[1] / band)
  return ra !== rb ? ra - rb : a[0] - b[0]
}

/** Split a cluster that is too big to be one compound with k-means on the building centroids. */
function splitLarge(group: BuildingInfo[], rng: Random): BuildingInfo[][] {
  const [x0, y0, x1, y1] = bounds(group.map((b) => b.centroid))
  const extent = Math.hypot(x1 - x0, y1 - y0)
  const k = Math.max(Math.ceil(group.length / COMPOUND_MAX_BUILDINGS), Math.ceil(extent / COMPOUND_MAX_EXTENT_M))
  if (k <= 1) return [group]
  const labels = kMeans(
    group.map((b) => b.centroid),
    k,
    rng,
  )
  const parts: BuildingInfo[][] = Array.from({ length: k }, () => [])
  group.forEach((b, i) => parts[labels[i] as number]!.push(b))
  return parts.filter((p) => p.length > 0)
}

/** Clusters of one or two buildings join the nearest compound within 120 m, else stay out of any. */
function attachStragglers(groups: BuildingInfo[][]): BuildingInfo[][] {
  const big = groups.filter((g) => g.length >= 3)
  for (const small of groups.filter((g) => g.length < 3)) {
    let best: BuildingInfo[] | null = null
    let bestDistance = 120
    for (const g of big) {
      for (const a of small) {
        for (const b of g) {
          const d = distance(a.centroid, b.centroid)
          if (d < bestDistance) {
            bestDistance = d
            best = g
          }
        }
      }
    }
    if (best) best.push(...small)
  }
  return big
}

/** Names in numbering order; the university's staff and student housing keep their own names. */
function nameCompounds(groups: BuildingInfo[][]): string[] {
  const used = new Set<string>()
  let generic = 0
  return groups.map((group) => {
    const named = group.map((b) => b.name ?? '')
    let name: string | null = null
    if (named.filter((n) => n.includes('教工宿舍')).length >= 3) name = '工大教工宿舍区'
    else if (named.filter((n) => n.includes('学生公寓')).length >= 2) name = '工大学生公寓区'
    if (name !== null && used.has(name)) {
      const suffixes = ['二区', '三区', '四区']
      name = name.replace(/区$/, '') + (suffixes.find((s) => !used.has(name!.replace(/区$/, '') + s)) ?? '五区')
    }
    if (name === null) {
      name = COMPOUND_NAMES[generic % COMPOUND_NAMES.length] as string
      if (generic >= COMPOUND_NAMES.length) name += `${Math.floor(generic / COMPOUND_NAMES.length) + 1}期`
      generic++
    }
    used.add(name)
    return name
  })
}

function buildingKindLabel(b: BuildingInfo): string {
  const labels: Record<string, string> = {
    mall: '商场',
    commercial: '商业楼',
    retail: '商铺',
    hotel: '酒店',
    office: '写字楼',
    house: '住宅',
    apartments: '公寓楼',
    residential: '住宅楼',
  }
  return labels[b.kind] ?? (b.residential ? '住宅楼' : '楼栋')
}

/** Lloyd's k-means with k-means++ seeding from the given random source; returns a label per point. */
export function kMeans(points: readonly XY[], k: number, rng: Random, iterations = 30): number[] {
  const centres: XY[] = [rng.pick(points)]
  while (centres.length < k) {
    const weights = points.map((p) => Math.min(...centres.map((c) => distance(p, c))) ** 2)
    const total = weights.reduce((a, b) => a + b, 0)
    let r = rng.next() * total
    let chosen = points.length - 1
    for (let i = 0; i < points.length; i++) {
      r -= weights[i] as number
      if (r <= 0) {
        chosen = i
        break
      }
    }
    centres.push(points[chosen] as XY)
  }
  let labels = points.map(() => 0)
  for (let iteration = 0; iteration < iterations; iteration++) {
    const next = points.map((p) => {
      let best = 0
      for (let c = 1; c < k; c++) if (distance(p, centres[c] as XY) < distance(p, centres[best] as XY)) best = c
      return best
    })
    const changed = next.some((l, i) => l !== labels[i])
    labels = next
    for (let c = 0; c < k; c++) {
      const members = points.filter((_, i) => labels[i] === c)
      if (members.length === 0) continue
      centres[c] = [members.reduce((s, p) => s + p[0], 0) / members.length, members.reduce((s, p) => s + p[1], 0) / members.length]
    }
    if (!changed) break
  }
  return labels
}

/** Parse a GeoJSON Polygon/MultiPolygon string into MultiPolygon coordinates. */
export function parseMultiPolygon(text: string): MultiPolygonXY {
  const g = JSON.parse(text) as { type: string; coordinates: unknown }
  if (g.type === 'Polygon') return [g.coordinates as XY[][]]
  if (g.type === 'MultiPolygon') return g.coordinates as XY[][][]
  if (g.type === 'GeometryCollection') {
    const parts = (g as unknown as { geometries: { type: string; coordinates: unknown }[] }).geometries
    return parts.flatMap((p) => parseMultiPolygon(JSON.stringify(p)))
  }
  return []
}
