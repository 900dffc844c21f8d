/**
 * Responsibility zones (责任网格): list with household and building counts, detail, create / update /
 * delete with PostGIS validity and containment checks, the overlap/gap check, statistics by the zone
 * valid at each hazard's time, suggestions, and GeoJSON import.
 *
 * Areas are square metres in the community's UTM zone (communities.utm_srid).
 */
import type postgres from 'postgres'
import type { Queryable, Sql } from '../db/connect.ts'
import { balanceOf, groupBuildings, type Balance } from '../domain/zone-suggest.ts'
import type { ZoneGeometry } from '../domain/zone-geometry.ts'
import { Problem, problems, type ProblemFieldError } from '../problem.ts'
import type { BBox } from '../validate.ts'
import { recordAudit } from './audit.ts'
import { mayseePhone } from './people.ts'
import { closeZoneHistory, recordZoneVersion } from './zone-history.ts'
import type { SessionUser } from './users.ts'
import { maskPhone } from '../../core/roles.ts'
import { setStatementTimeout } from '../db/timeouts.ts'

/** A zone may stick out of its community by less than this (m²): drawing snaps are not perfect. */
export const OUTSIDE_TOLERANCE_M2 = 1
/**
 * Overlaps and gap pieces smaller than this (m²) are noise, not reported: the overlay arithmetic of two
 * neighbours cut from the same edge leaves slivers of a few square centimetres.
 */
export const SLIVER_M2 = 0.5
/**
 * A micro-grid may stick out of its grid by at most this share of its area (or {@link OUTSIDE_TOLERANCE_M2},
 * whichever is larger): it is drawn by hand inside a drawn grid, and snapping is not perfect.
 */
export const MICRO_OUTSIDE_SHARE = 0.01
/**
 * Gaps between micro-grids and their grid narrower than this (m) are noise, not reported: a micro-grid
 * drawn along its grid's edge leaves a sliver millimetres wide but, along a long edge, over {@link SLIVER_M2}.
 */
export const MICRO_SLIVER_WIDTH_M = 0.1
/** With `strict`, an overlap of at least this (m²) with another zone refuses the write (409). */
export const STRICT_OVERLAP_M2 = 1
/** Decimal digits of zone coordinates in answers (1e-9° ≈ 0.1 mm: what is stored comes back). */
export const GEOJSON_DIGITS = 9
const DIGITS = GEOJSON_DIGITS

/** Filter of the zone list. */
export interface ZoneFilter {
  communityIds: number[] | null
  communityId?: number | undefined
  bbox?: BBox | undefined
}

type Fragment = postgres.Fragment

const scope = (sql: Queryable, communityIds: number[] | null, column: Fragment): Fragment =>
  communityIds === null ? sql`true` : sql`${column} = any(${communityIds}::bigint[])`

/**
 * Properties of a zone feature (alias `z`, with `c` its community, `p` its assignee, `t` its team, `s` the counts).
 * `parentId` is the grid a micro-grid (微网格) lies in, null for a grid.
 */
function zoneProps(sql: Queryable): Fragment {
  return sql`json_build_object(
    'id', z.id, 'name', z.name, 'communityId', z.community_id, 'parentId', z.parent_id,
    'assigneeId', z.assignee_id, 'assigneeName', p.name,
    'teamId', z.team_id, 'teamName', t.name,
    'teamIds', coalesce((select json_agg(zt.team_id order by zt.team_id <> coalesce(z.team_id, 0), zt.team_id) from zone_teams zt where zt.zone_id = z.id),
                        case when z.team_id is null then '[]'::json else json_build_array(z.team_id) end),
    'areaM2', round(ST_Area(ST_Transform(z.geom, c.utm_srid))::numeric, 1),
    'households', coalesce(s.households, 0), 'buildings', coalesce(s.buildings, 0),
    'updatedAt', z.updated_at)`
}

/** Joins for {@link zoneProps}: a building counts in a zone when a point on its surface lies inside. */
function zoneJoins(sql: Queryable): Fragment {
  return sql`join communities c on c.id = z.community_id
    left join people p on p.id = z.assignee_id
    left join teams t on t.id = z.team_id
    left join lateral (
      select count(*)::int as buildings, coalesce(sum(b.households), 0)::int as households
      from buildings b
      where b.community_id = z.community_id and b.footprint && z.geom
        and ST_Covers(z.geom, ST_PointOnSurface(b.footprint))
    ) s on true`
}

/** The zones as a GeoJSON FeatureCollection (JSON text), in id order. */
export async function zonesGeoJson(sql: Sql, filter: ZoneFilter): Promise<string> {
  const box = filter.bbox
    ? sql`z.geom && ST_MakeEnvelope(${filter.bbox[0]}, ${filter.bbox[1]}, ${filter.bbox[2]}, ${filter.bbox[3]}, 4326)`
    : sql`true`
  const [row] = await sql<{ fc: string }[]>`
    select json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
      'type', 'Feature', 'id', z.id, 'geometry', ST_AsGeoJSON(z.geom, ${DIGITS})::json, 'properties', ${zoneProps(sql)}
    ) order by z.id), '[]'::json))::text as fc
    from zones z ${zoneJoins(sql)}
    where ${scope(sql, filter.communityIds, sql`z.community_id`)}
      and ${filter.communityId === undefined ? sql`true` : sql`z.community_id = ${filter.communityId}`}
      and ${box}`
  return row?.fc ?? '{"type":"FeatureCollection","features":[]}'
}

/** Zones as CSV rows (no geometry): id, name, community, parent grid, assignee, team, area, households, buildings. */
export async function zonesCsv(sql: Sql, filter: ZoneFilter): Promise<string> {
  const fc = JSON.parse(await zonesGeoJson(sql, filter)) as { features: { properties: Record<string, unknown> }[] }
  const columns = ['id', 'name', 'communityId', 'parentId', 'assigneeId', 'assigneeName', 'teamId', 'teamName', 'areaM2', 'households', 'buildings']
  const cell = (v: unknown): string => {
    const text = v === null || v === undefined ? '' : String(v)
    // Quote always; neutralise spreadsheet formulas.
    const safe = /^[=+\-@]/.test(text) ? `'${text}` : text
    return `"${safe.replace(/"/g, '""')}"`
  }
  return [columns.join(','), ...fc.features.map((f) => columns.map((k) => cell(f.properties[k])).join(','))].join('\r\n') + '\r\n'
}

/** A zone as one Feature (list properties), or undefined outside `communityIds`. */
export async function zoneFeature(sql: Queryable, id: number, communityIds: number[] | null): Promise<ZoneFeature | undefined> {
  const [row] = await sql<{ feature: ZoneFeature }[]>`
    select json_build_object('type', 'Feature', 'id', z.id, 'geometry', ST_AsGeoJSON(z.geom, ${DIGITS})::json,
                             'properties', ${zoneProps(sql)}) as feature
    from zones z ${zoneJoins(sql)}
    where z.id = ${id} and ${scope(sql, communityIds, sql`z.community_id`)}`
  return row?.feature
}

/** Where a matter at a point goes (dispatch by location). */
export interface DispatchZone {
  /** The grid (top tier) covering the point: the matter's `zoneId`. */
  id: number
  /**
   * The micro-grid covering the point, if any: the matter's `microGridId` (hazards.micro_zone_id). Where
   * micro-grids overlap, one with a person first, then the lowest id.
   */
  microGridId: number | null
  /** The micro-grid's person when the point lies in a micro-grid that has one, else the grid's. */
  assigneeId: number | null
}

/**
 * The grid of a point in a community, and who handles a matter there: the person of the micro-grid
 * (微网格) covering the point comes first, when it has one; else the grid's person. Where zones of a tier
 * overlap, the lowest id. undefined when no grid covers the point.
 */
export async function dispatchZoneAt(sql: Queryable, communityId: number, point: Fragment): Promise<DispatchZone | undefined> {
  const [row] = await sql<DispatchZone[]>`
    select g.id, m.id as "microGridId", coalesce(m.assignee_id, g.assignee_id) as "assigneeId"
    from zones g
    left join lateral (
      select mg.id, mg.assignee_id from zones mg
      where mg.parent_id = g.id and ST_Covers(mg.geom, ${point})
      order by mg.assignee_id is null, mg.id limit 1
    ) m on true
    where g.community_id = ${communityId} and g.parent_id is null and ST_Covers(g.geom, ${point})
    order by g.id limit 1`
  return row
}

/** A zone Feature as the API answers it. */
export interface ZoneFeature {
  type: 'Feature'
  id: number
  geometry: ZoneGeometry
  properties: Record<string, unknown> & { id: number; communityId: number; name: string }
}

/**
 * A zone with what is inside: `buildingsInside` ([{ id, name, kind, floors, households }]), `keyPlaces`
 * ([{ id, kind, name, code }]), `assignee` ({ id, name, title, phone, teamId } — phone masked as in
 * `GET /api/people`) and `team` ({ id, name, kind }).
 */
export async function zoneDetail(sql: Sql, id: number, viewer: SessionUser, communityIds: number[] | null): Promise<ZoneFeature | undefined> {
  const feature = await zoneFeature(sql, id, communityIds)
  if (!feature) return undefined
  const [extra] = await sql<{ buildings: unknown[]; keyPlaces: unknown[]; team: unknown; teams: unknown[] }[]>`
    select
      coalesce((select json_agg(json_build_object('id', b.id, 'name', b.name, 'kind', b.kind, 'floors', b.floors,
                                                  'households', b.households, 'headPersonId', b.head_person_id, 'headName', hp.name) order by b.id)
                from buildings b left join people hp on hp.id = b.head_person_id
                where b.community_id = z.community_id and b.footprint && z.geom
                  and ST_Covers(z.geom, ST_PointOnSurface(b.footprint))), '[]'::json) as buildings,
      coalesce((select json_agg(json_build_object('id', k.id, 'kind', k.kind, 'name', k.name) order by k.id)
                from key_places k
                where k.community_id = z.community_id and k.geom && z.geom
                  and ST_Covers(z.geom, ST_PointOnSurface(k.geom))), '[]'::json) as "keyPlaces",
      (select json_build_object('id', t.id, 'name', t.name, 'kind', t.kind) from teams t where t.id = z.team_id) as team,
      coalesce((select json_agg(json_build_object('id', t.id, 'name', t.name, 'kind', t.kind) order by t.id <> coalesce(z.team_id, 0), t.id)
                from zone_teams zt join teams t on t.id = zt.team_id where zt.zone_id = z.id), '[]'::json) as teams
    from zones z where z.id = ${id}`
  const [person] = await sql<{ id: number; name: string; title: string | null; phone: string | null; teamId: number | null; teamLeaderId: number | null }[]>`
    select p.id, p.name, p.title, p.phone, p.team_id as "teamId", t.leader_id as "teamLeaderId"
    from zones z join people p on p.id = z.assignee_id left join teams t on t.id = p.team_id
    where z.id = ${id}`
  const assignee = person
    ? { id: person.id, name: person.name, title: person.title, teamId: person.teamId, phone: mayseePhone(viewer, person) ? person.phone : maskPhone(person.phone) }
    : null
  feature.properties = { ...feature.properties, buildingsInside: extra?.buildings ?? [], keyPlaces: extra?.keyPlaces ?? [], assignee, team: extra?.team ?? null, teams: extra?.teams ?? [] }
  return feature
}

/** The PostGIS expression of a checked geometry: 2D, exterior rings counter-clockwise, MultiPolygon. */
function geomExpr(sql: Queryable, geometry: ZoneGeometry): Fragment {
  return sql`ST_Multi(ST_ForcePolygonCCW(ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geometry)}::text), 4326))))`
}

const fmt = (v: number): string => String(Math.round(v * 1e6) / 1e6)

/**
 * PostGIS validity (never repaired: a self-intersection is the planner's to fix) → 422 naming the reason
 * and where, e.g. "Self-intersection at 114.39,30.51".
 */
export async function assertValidGeometry(sql: Queryable, geometry: ZoneGeometry, path = 'geometry'): Promise<void> {
  const [row] = await sql<{ valid: boolean; reason: string | null; x: number | null; y: number | null }[]>`
    select (d).valid, (d).reason, ST_X((d).location) as x, ST_Y((d).location) as y
    from (select ST_IsValidDetail(ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geometry)}::text), 4326))) as d) v`
  if (!row || row.valid) return
  const where = row.x !== null && row.y !== null ? ` at ${fmt(row.x)},${fmt(row.y)}` : ''
  const reason = `${row.reason ?? 'Invalid geometry'}${where}`
  throw new Problem(422, `The zone geometry is invalid: ${reason}.`, {
    errors: [{ path, message: reason }],
    extensions: row.x !== null && row.y !== null ? { location: [row.x, row.y] } : {},
  })
}

/** Where a checked geometry goes: its community, and what it covers there. */
interface Placement {
  communityId: number
  utmSrid: number
  areaM2: number
}

/**
 * The community of a zone (the given one, or the visible community it overlaps most) and the checks
 * against it: it has an area, and lies inside the boundary (less than {@link OUTSIDE_TOLERANCE_M2} outside).
 */
async function placeGeometry(sql: Queryable, geometry: ZoneGeometry, communityId: number | undefined, communityIds: number[] | null, path = 'geometry'): Promise<Placement> {
  const g = geomExpr(sql, geometry)
  const [row] = await sql<{ id: number; utmSrid: number; area: number; outside: number }[]>`
    select c.id, c.utm_srid as "utmSrid",
           ST_Area(ST_Transform(g.g, c.utm_srid)) as area,
           ST_Area(ST_Difference(ST_Transform(g.g, c.utm_srid), ST_Transform(c.boundary, c.utm_srid))) as outside
    from communities c, (select ${g} as g) g
    where ${scope(sql, communityIds, sql`c.id`)}
      and ${communityId === undefined ? sql`ST_Intersects(c.boundary, g.g)` : sql`c.id = ${communityId}`}
    order by ST_Area(ST_Intersection(c.boundary, g.g)) desc, c.id
    limit 1`
  if (!row) {
    if (communityId !== undefined) throw problems.unprocessable('No such community, or not yours to edit.', [{ path: 'properties.communityId', message: 'unknown community' }])
    throw problems.unprocessable('The zone lies outside every community you may edit.', [{ path, message: 'outside every community you may edit' }])
  }
  if (row.area < OUTSIDE_TOLERANCE_M2) throw problems.unprocessable('The zone has no area.', [{ path, message: `the zone covers ${row.area.toFixed(2)} m²` }])
  if (row.outside >= OUTSIDE_TOLERANCE_M2) {
    throw problems.unprocessable(`The zone is not inside its community: ${row.outside.toFixed(1)} m² lie outside the boundary.`, [
      { path, message: `${row.outside.toFixed(1)} m² outside the community boundary` },
    ])
  }
  return { communityId: row.id, utmSrid: row.utmSrid, areaM2: row.area }
}

/**
 * Other zones of the same tier a geometry overlaps, with the shared area (m²), largest first: a grid is
 * compared with the community's other grids, a micro-grid with its siblings (the micro-grids of `parentId`).
 */
async function overlapsOf(sql: Queryable, geometry: ZoneGeometry, place: Placement, exceptId: number | null, parentId: number | null): Promise<{ zoneId: number; name: string; areaM2: number }[]> {
  const rows = await sql<{ zoneId: number; name: string; areaM2: number }[]>`
    select z.id as "zoneId", z.name,
           ST_Area(ST_Intersection(ST_Transform(z.geom, ${place.utmSrid}::int), ST_Transform(g.g, ${place.utmSrid}::int))) as "areaM2"
    from zones z, (select ${geomExpr(sql, geometry)} as g) g
    where z.community_id = ${place.communityId} and z.id <> ${exceptId ?? -1}
      and ${parentId === null ? sql`z.parent_id is null` : sql`z.parent_id = ${parentId}`}
      and ST_Intersects(z.geom, g.g)`
  return rows
    .filter((r) => r.areaM2 >= SLIVER_M2)
    .map((r) => ({ ...r, areaM2: Math.round(r.areaM2 * 10) / 10 }))
    .sort((a, b) => b.areaM2 - a.areaM2)
}

/** The person and team of a zone must belong to its community. */
async function assertMembers(sql: Queryable, communityId: number, assigneeId: number | null | undefined, teamId: number | null | undefined): Promise<void> {
  const errors: ProblemFieldError[] = []
  if (assigneeId !== undefined && assigneeId !== null) {
    const [p] = await sql`select 1 from people where id = ${assigneeId} and community_id = ${communityId}`
    if (!p) errors.push({ path: 'properties.assigneeId', message: 'no such person in this community' })
  }
  if (teamId !== undefined && teamId !== null) {
    const [t] = await sql`select 1 from teams where id = ${teamId} and community_id = ${communityId}`
    if (!t) errors.push({ path: 'properties.teamId', message: 'no such team in this community' })
  }
  if (errors.length) throw problems.unprocessable('The assignee or team is not in the zone’s community.', errors)
}

/** A zone to write (geometry already through `parseZoneGeometry`). */
export interface ZoneWrite {
  name?: string | undefined
  communityId?: number | undefined
  /** undefined keeps the current value (update); null clears it. */
  assigneeId?: number | null | undefined
  teamId?: number | null | undefined
  /** Several teams for the zone (一格多队); the first becomes `teamId`. Wins over `teamId`. */
  teamIds?: number[] | undefined
  /** The grid this zone is a micro-grid (微网格) of; null makes it a grid; undefined keeps it (update). */
  parentId?: number | null | undefined
  geometry?: ZoneGeometry | undefined
}

/** A grid a micro-grid may nest in. */
interface ParentGrid {
  id: number
  communityId: number
  name: string
}

/**
 * The grid `parentId` names, checked: it exists in a community the caller may edit (422 otherwise, the
 * same answer for another community's zone as for none), is a grid and not itself a micro-grid (422), and
 * lies in `communityId` when one is given (422). `selfId` (an update) may not be the parent itself.
 */
async function parentGrid(sql: Queryable, parentId: number, communityId: number | undefined, communityIds: number[] | null, selfId: number | null): Promise<ParentGrid> {
  const path = 'properties.parentId'
  const [row] = await sql<(ParentGrid & { grandParentId: number | null })[]>`
    select id, community_id as "communityId", name, parent_id as "grandParentId"
    from zones where id = ${parentId} and ${scope(sql, communityIds, sql`community_id`)}`
  if (!row) throw problems.unprocessable(`No grid ${parentId} that you may edit.`, [{ path, message: 'no such grid in your communities' }])
  if (selfId !== null && row.id === selfId) throw problems.unprocessable('A zone cannot be its own parent.', [{ path, message: 'must be another zone' }])
  if (row.grandParentId !== null) {
    throw problems.unprocessable(`${row.name} is itself a micro-grid; micro-grids nest only in grids (two tiers).`, [{ path, message: 'the parent is a micro-grid' }])
  }
  if (communityId !== undefined && communityId !== row.communityId) {
    throw problems.unprocessable('The parent grid is in another community.', [{ path, message: 'must be a grid of the zone’s community' }])
  }
  return { id: row.id, communityId: row.communityId, name: row.name }
}

/**
 * A micro-grid must lie within its grid: at most {@link MICRO_OUTSIDE_SHARE} of its area (or 1 m²) outside,
 * else 422 saying how much lies outside. `geom` is the micro-grid's geometry expression (4326).
 */
async function assertWithinParent(sql: Queryable, geom: Fragment, parent: ParentGrid, srid: number, path = 'geometry'): Promise<void> {
  const [row] = await sql<{ area: number; outside: number }[]>`
    select ST_Area(ST_Transform(g.g, ${srid}::int)) as area,
           ST_Area(ST_Difference(ST_Transform(g.g, ${srid}::int), ST_Transform(p.geom, ${srid}::int))) as outside
    from zones p, (select ${geom} as g) g where p.id = ${parent.id}`
  if (!row) return
  const allowed = Math.max(OUTSIDE_TOLERANCE_M2, row.area * MICRO_OUTSIDE_SHARE)
  if (row.outside > allowed) {
    const share = row.area > 0 ? Math.round((row.outside / row.area) * 1000) / 10 : 100
    throw problems.unprocessable(`The micro-grid is not within its grid ${parent.name}: ${row.outside.toFixed(1)} m² (${share} %) lie outside it.`, [
      { path, message: `${row.outside.toFixed(1)} m² (${share} % of its area) outside grid ${parent.id}; at most ${MICRO_OUTSIDE_SHARE * 100} % may be` },
    ])
  }
}

/** A grid reshaped must still hold its micro-grids (each within tolerance), else 422 naming them. */
async function assertHoldsMicroGrids(sql: Queryable, gridId: number, geometry: ZoneGeometry, srid: number): Promise<void> {
  const rows = await sql<{ id: number; name: string; area: number; outside: number }[]>`
    select m.id, m.name, ST_Area(ST_Transform(m.geom, ${srid}::int)) as area,
           ST_Area(ST_Difference(ST_Transform(m.geom, ${srid}::int), ST_Transform(g.g, ${srid}::int))) as outside
    from zones m, (select ${geomExpr(sql, geometry)} as g) g
    where m.parent_id = ${gridId}
    order by m.id`
  const out = rows.filter((r) => r.outside > Math.max(OUTSIDE_TOLERANCE_M2, r.area * MICRO_OUTSIDE_SHARE))
  if (out.length) {
    throw problems.unprocessable(`The grid would no longer hold its micro-grids ${out.map((r) => r.name).join(', ')}.`,
      out.map((r) => ({ path: 'geometry', message: `micro-grid ${r.id} (${r.name}): ${r.outside.toFixed(1)} m² would lie outside` })))
  }
}

/** The teams of a write: `teamIds`, else `[teamId]`, else undefined (unchanged). */
const teamsOf = (input: ZoneWrite): number[] | undefined =>
  input.teamIds !== undefined ? [...new Set(input.teamIds)] : input.teamId === undefined ? undefined : input.teamId === null ? [] : [input.teamId]

/** Set a zone's teams (zone_teams) and its first team (zones.team_id). */
async function setZoneTeams(tx: Queryable, communityId: number, zoneId: number, teamIds: number[] | undefined): Promise<void> {
  if (teamIds === undefined) return
  for (const teamId of teamIds) await assertMembers(tx, communityId, undefined, teamId)
  await tx`delete from zone_teams where zone_id = ${zoneId} and team_id <> all(${teamIds}::bigint[])`
  for (const teamId of teamIds) await tx`insert into zone_teams (community_id, zone_id, team_id) values (${communityId}, ${zoneId}, ${teamId}) on conflict do nothing`
  await tx`update zones set team_id = ${teamIds[0] ?? null} where id = ${zoneId}`
}

/** Options of a zone write. */
export interface WriteOptions {
  /** Refuse (409) a zone overlapping another by {@link STRICT_OVERLAP_M2} or more. */
  strict?: boolean
}

/** What a write answers: the zone, and the other zones it overlaps (allowed unless strict). */
export interface ZoneWriteResult {
  feature: ZoneFeature
  overlaps: { zoneId: number; name: string; areaM2: number }[]
}

async function checkOverlaps(tx: Queryable, geometry: ZoneGeometry, place: Placement, exceptId: number | null, parentId: number | null, strict: boolean): Promise<ZoneWriteResult['overlaps']> {
  const overlaps = await overlapsOf(tx, geometry, place, exceptId, parentId)
  const blocking = overlaps.filter((o) => o.areaM2 >= STRICT_OVERLAP_M2)
  if (strict && blocking.length > 0) {
    throw problems.conflict(`The zone overlaps ${blocking.map((o) => `${o.name} (${o.areaM2} m²)`).join(', ')}.`, { overlaps: blocking })
  }
  return overlaps
}

const auditShape = (f: ZoneFeature | undefined): unknown =>
  f && {
    name: f.properties.name,
    communityId: f.properties.communityId,
    parentId: f.properties.parentId,
    assigneeId: f.properties.assigneeId,
    teamId: f.properties.teamId,
    areaM2: f.properties.areaM2,
    geometry: f.geometry,
  }

/**
 * Create a zone: checks, insert, the first history row and the audit row, in one transaction. With
 * `parentId` it is a micro-grid of that grid: in the grid's community and within the grid.
 */
export async function createZone(sql: Sql, input: ZoneWrite & { name: string; geometry: ZoneGeometry }, actor: SessionUser, communityIds: number[] | null, options: WriteOptions = {}): Promise<ZoneWriteResult> {
  return sql.begin(async (tx): Promise<ZoneWriteResult> => {
    await assertValidGeometry(tx, input.geometry)
    const parent = input.parentId === undefined || input.parentId === null ? null : await parentGrid(tx, input.parentId, input.communityId, communityIds, null)
    const place = await placeGeometry(tx, input.geometry, parent?.communityId ?? input.communityId, communityIds)
    if (parent) await assertWithinParent(tx, geomExpr(tx, input.geometry), parent, place.utmSrid)
    await assertMembers(tx, place.communityId, input.assigneeId, input.teamId)
    const overlaps = await checkOverlaps(tx, input.geometry, place, null, parent?.id ?? null, options.strict ?? false)
    const [row] = await tx<{ id: number }[]>`
      insert into zones (community_id, name, assignee_id, team_id, parent_id, geom)
      values (${place.communityId}, ${input.name}, ${input.assigneeId ?? null}, ${input.teamId ?? null}, ${parent?.id ?? null}, ${geomExpr(tx, input.geometry)})
      returning id`
    const id = row!.id
    await setZoneTeams(tx, place.communityId, id, teamsOf(input))
    await recordZoneVersion(tx, id)
    const feature = (await zoneFeature(tx, id, null))!
    await recordAudit(tx, { userId: actor.id, communityId: place.communityId, action: 'create', entity: 'zone', entityId: id, after: auditShape(feature) })
    return { feature, overlaps }
  })
}

/**
 * Update a zone (geometry, name, assignee, team; what is absent stays): a new history version and an
 * audit row, in one transaction. undefined when the zone is unknown or not visible. A zone never
 * moves to another community.
 */
export async function updateZone(sql: Sql, id: number, input: ZoneWrite, actor: SessionUser, communityIds: number[] | null, options: WriteOptions = {}): Promise<ZoneWriteResult | undefined> {
  return sql.begin(async (tx): Promise<ZoneWriteResult | undefined> => {
    const [current] = await tx<{ communityId: number; parentId: number | null; srid: number; children: number }[]>`
      select z.community_id as "communityId", z.parent_id as "parentId", c.utm_srid as srid,
             (select count(*)::int from zones m where m.parent_id = z.id) as children
      from zones z join communities c on c.id = z.community_id
      where z.id = ${id} and ${scope(tx, communityIds, tx`z.community_id`)} for update of z`
    if (!current) return undefined
    if (input.communityId !== undefined && input.communityId !== current.communityId) {
      throw problems.unprocessable('A zone cannot move to another community.', [{ path: 'properties.communityId', message: 'must be the zone’s own community' }])
    }
    const before = await zoneFeature(tx, id, null)
    const parentId = input.parentId === undefined ? current.parentId : input.parentId
    if (parentId !== null && current.children > 0) {
      throw problems.unprocessable('The zone holds micro-grids and cannot become one (two tiers only).', [{ path: 'properties.parentId', message: 'the zone holds micro-grids' }])
    }
    const parent = parentId === null ? null : await parentGrid(tx, parentId, current.communityId, communityIds, id)
    let overlaps: ZoneWriteResult['overlaps'] = []
    if (input.geometry) {
      await assertValidGeometry(tx, input.geometry)
      const place = await placeGeometry(tx, input.geometry, current.communityId, null)
      overlaps = await checkOverlaps(tx, input.geometry, place, id, parent?.id ?? null, options.strict ?? false)
      if (current.children > 0) await assertHoldsMicroGrids(tx, id, input.geometry, current.srid)
    }
    if (parent && (input.geometry !== undefined || parent.id !== current.parentId)) {
      await assertWithinParent(tx, input.geometry === undefined ? tx`(select geom from zones where id = ${id})` : geomExpr(tx, input.geometry), parent, current.srid)
    }
    await assertMembers(tx, current.communityId, input.assigneeId, input.teamId)
    await tx`
      update zones set
        name = ${input.name === undefined ? tx`name` : tx`${input.name}`},
        assignee_id = ${input.assigneeId === undefined ? tx`assignee_id` : tx`${input.assigneeId}`},
        team_id = ${input.teamId === undefined ? tx`team_id` : tx`${input.teamId}`},
        parent_id = ${parent?.id ?? null},
        geom = ${input.geometry === undefined ? tx`geom` : geomExpr(tx, input.geometry)},
        updated_at = now()
      where id = ${id}`
    await setZoneTeams(tx, current.communityId, id, teamsOf(input))
    await recordZoneVersion(tx, id)
    const feature = (await zoneFeature(tx, id, null))!
    await recordAudit(tx, {
      userId: actor.id,
      communityId: current.communityId,
      action: input.geometry || parentId !== current.parentId ? 'update' : 'assign',
      entity: 'zone',
      entityId: id,
      before: auditShape(before),
      after: auditShape(feature),
    })
    return { feature, overlaps }
  })
}

/** What a split answers: the zone (what is left of it) and the new zone (the part split off). */
export interface ZoneSplitResult {
  zone: ZoneFeature
  created: ZoneFeature
}

/**
 * Split a zone by a drawn `cut` polygon, exactly, in PostGIS: the part inside the cut becomes a new zone
 * (named `name`, the given person or the zone's own), the rest stays the zone. Both get new history
 * versions and one audit row; 422 unless the cut crosses the zone leaving at least 1 m² on each side.
 * undefined when the zone is unknown or not visible.
 */
export async function splitZoneByCut(sql: Sql, id: number, cut: ZoneGeometry, input: { name?: string | undefined; assigneeId?: number | null | undefined }, actor: SessionUser, communityIds: number[] | null): Promise<ZoneSplitResult | undefined> {
  return sql.begin(async (tx): Promise<ZoneSplitResult | undefined> => {
    const [current] = await tx<{ communityId: number; name: string; assigneeId: number | null; teamId: number | null; srid: number }[]>`
      select z.community_id as "communityId", z.name, z.assignee_id as "assigneeId", z.team_id as "teamId", c.utm_srid as srid
      from zones z join communities c on c.id = z.community_id
      where z.id = ${id} and ${scope(tx, communityIds, tx`z.community_id`)} for update of z`
    if (!current) return undefined
    await assertValidGeometry(tx, cut)
    const assigneeId = input.assigneeId === undefined ? current.assigneeId : input.assigneeId
    await assertMembers(tx, current.communityId, assigneeId, undefined)
    const blade = geomExpr(tx, cut)
    const [parts] = await tx<{ inside: number; rest: number }[]>`
      select ST_Area(ST_Transform(ST_Intersection(z.geom, ${blade}), ${current.srid}::int)) as inside,
             ST_Area(ST_Transform(ST_Difference(z.geom, ${blade}), ${current.srid}::int)) as rest
      from zones z where z.id = ${id}`
    if (!parts || parts.inside < OUTSIDE_TOLERANCE_M2 || parts.rest < OUTSIDE_TOLERANCE_M2) {
      throw problems.unprocessable('The cut must cross the zone and leave part of it on both sides.', [{ path: 'geometry', message: 'does not split the zone' }])
    }
    const before = await zoneFeature(tx, id, null)
    const [row] = await tx<{ id: number }[]>`
      insert into zones (community_id, name, assignee_id, team_id, parent_id, geom)
      select community_id, ${input.name ?? `${current.name}-2`}, ${assigneeId}, team_id, parent_id,
             ST_Multi(ST_ForcePolygonCCW(ST_CollectionExtract(ST_Intersection(geom, ${blade}), 3)))
      from zones where id = ${id}
      returning id`
    await tx`update zones set geom = ST_Multi(ST_ForcePolygonCCW(ST_CollectionExtract(ST_Difference(geom, ${blade}), 3))), updated_at = now()
             where id = ${id}`
    // A split grid's micro-grids go with the part that holds most of each.
    const moved = await tx<{ id: number }[]>`
      update zones m set parent_id = ${row!.id}, updated_at = now()
      from zones n, zones o
      where m.parent_id = ${id} and n.id = ${row!.id} and o.id = ${id}
        and ST_Area(ST_Intersection(m.geom, n.geom)) > ST_Area(ST_Intersection(m.geom, o.geom))
      returning m.id`
    for (const m of moved) await recordZoneVersion(tx, m.id)
    await recordZoneVersion(tx, id)
    await recordZoneVersion(tx, row!.id)
    const zone = (await zoneFeature(tx, id, null))!
    const created = (await zoneFeature(tx, row!.id, null))!
    await recordAudit(tx, {
      userId: actor.id,
      communityId: current.communityId,
      action: 'split',
      entity: 'zone',
      entityId: id,
      before: auditShape(before),
      after: { zone: auditShape(zone), created: { id: created.id, ...(auditShape(created) as object) } },
    })
    return { zone, created }
  })
}

/**
 * Delete a zone: its history row is closed (kept for past statistics), an audit row written. False when
 * unknown; 409 (nothing changes) for a grid that still holds micro-grids.
 */
export async function deleteZone(sql: Sql, id: number, actor: SessionUser, communityIds: number[] | null): Promise<boolean> {
  return sql.begin(async (tx): Promise<boolean> => {
    const before = await zoneFeature(tx, id, communityIds)
    if (!before) return false
    const children = await tx<{ id: number; name: string }[]>`select id, name from zones where parent_id = ${id} order by id`
    if (children.length) {
      throw problems.conflict(`The grid still holds micro-grids ${children.map((c) => c.name).join(', ')}; delete or move them first.`, {
        microGrids: children.map((c) => c.id),
      })
    }
    await closeZoneHistory(tx, id)
    await tx`delete from zones where id = ${id}`
    await recordAudit(tx, { userId: actor.id, communityId: before.properties.communityId, action: 'delete', entity: 'zone', entityId: id, before: auditShape(before) })
    return true
  })
}

/** Hazard counts of one zone in a window, by the zone valid at each hazard's `reportedAt`. */
export interface ZoneStatsRow {
  zoneId: number
  /** The zone's name and assignee in the latest version valid in the window. */
  name: string
  assigneeId: number | null
  assigneeName: string | null
  hazards: { total: number; open: number; closed: number; bySeverity: Record<string, number>; byCategory: Record<string, number> }
}

/** A micro-grid's line of `GET /api/zones/stats` (`microGrids`): the matters reported in it (hazards.micro_zone_id). */
export interface MicroGridStatsRow {
  zoneId: number
  /** The grid it belongs to. */
  parentId: number
  name: string
  assigneeId: number | null
  assigneeName: string | null
  hazards: { total: number; open: number; closed: number; bySeverity: Record<string, number> }
}

/** `GET /api/zones/stats`. */
export interface ZoneStats {
  window: { from: string | null; to: string | null }
  communityId: number | null
  byZone: ZoneStatsRow[]
  /**
   * Micro-grids (微网格, issue #14) valid at any time in the window, with the matters reported in each (counted
   * within their grid in `byZone` too), by grid then id.
   */
  microGrids: MicroGridStatsRow[]
  /** Hazards no zone covered when reported. */
  unzoned: number
}

/**
 * Hazard statistics by zone over [from, to): each hazard counts for the zone that covered it when it
 * was reported (`zone_at`, from zone_history), so redrawing a zone today leaves last month unchanged.
 * Rejected hazards are left out. Grids valid at any time in the window are listed, with zero counts too;
 * micro-grids are not in `byZone` (a hazard counts for its grid) but in `microGrids`, by the micro-grid the
 * matter remembers (hazards.micro_zone_id).
 */
export async function zoneStats(sql: Sql, filter: { communityIds: number[] | null; communityId?: number | undefined; from?: string | undefined; to?: string | undefined }): Promise<ZoneStats> {
  const from = filter.from ?? null
  const to = filter.to ?? null
  const inCommunity = (col: Fragment): Fragment =>
    sql`${scope(sql, filter.communityIds, col)} and ${filter.communityId === undefined ? sql`true` : sql`${col} = ${filter.communityId}`}`
  const rows = await sql<{ zoneId: number | null; name: string | null; assigneeId: number | null; assigneeName: string | null; hazards: ZoneStatsRow['hazards'] }[]>`
    with h as (
      select x.*, zone_at(x.geom, x.community_id, x.reported_at) as zid
      from hazards x
      where ${inCommunity(sql`x.community_id`)} and x.status <> 'rejected'
        and ${from === null ? sql`true` : sql`x.reported_at >= ${from}::timestamptz`}
        and ${to === null ? sql`true` : sql`x.reported_at < ${to}::timestamptz`}
    ),
    versions as (
      select distinct on (zh.zone_id) zh.zone_id, zh.name, zh.assignee_id
      from zone_history zh
      where ${inCommunity(sql`zh.community_id`)} and zh.parent_id is null
        and ${to === null ? sql`true` : sql`zh.valid_from < ${to}::timestamptz`}
        and ${from === null ? sql`zh.valid_to is null` : sql`(zh.valid_to is null or zh.valid_to > ${from}::timestamptz)`}
      order by zh.zone_id, zh.valid_from desc
    ),
    counts as (
      select zid, count(*)::int as total,
             count(*) filter (where status <> 'verified')::int as open,
             count(*) filter (where status = 'verified')::int as closed,
             (select coalesce(json_object_agg(severity, n), '{}'::json) from (select severity, count(*)::int n from h h2 where h2.zid is not distinct from h1.zid group by severity) s) as sev,
             (select coalesce(json_object_agg(category, n), '{}'::json) from (select category, count(*)::int n from h h2 where h2.zid is not distinct from h1.zid group by category) s) as cat
      from h h1 group by zid
    )
    select coalesce(v.zone_id, c.zid) as "zoneId", v.name, v.assignee_id as "assigneeId", p.name as "assigneeName",
           json_build_object('total', coalesce(c.total, 0), 'open', coalesce(c.open, 0), 'closed', coalesce(c.closed, 0),
                             'bySeverity', coalesce(c.sev, '{}'::json), 'byCategory', coalesce(c.cat, '{}'::json)) as hazards
    from versions v
    full join (select * from counts where zid is not null) c on c.zid = v.zone_id
    left join people p on p.id = v.assignee_id
    order by 1`
  const [unzoned] = await sql<{ n: number }[]>`
    select count(*)::int as n from hazards x
    where ${inCommunity(sql`x.community_id`)} and x.status <> 'rejected'
      and ${from === null ? sql`true` : sql`x.reported_at >= ${from}::timestamptz`}
      and ${to === null ? sql`true` : sql`x.reported_at < ${to}::timestamptz`}
      and zone_at(x.geom, x.community_id, x.reported_at) is null`
  const micro = await sql<{ zoneId: number; parentId: number; name: string; assigneeId: number | null; assigneeName: string | null; hazards: MicroGridStatsRow['hazards'] }[]>`
    with versions as (
      select distinct on (zh.zone_id) zh.zone_id, zh.parent_id, zh.name, zh.assignee_id
      from zone_history zh
      where ${inCommunity(sql`zh.community_id`)} and zh.parent_id is not null
        and ${to === null ? sql`true` : sql`zh.valid_from < ${to}::timestamptz`}
        and ${from === null ? sql`zh.valid_to is null` : sql`(zh.valid_to is null or zh.valid_to > ${from}::timestamptz)`}
      order by zh.zone_id, zh.valid_from desc
    ),
    h as (
      select x.micro_zone_id as zid, x.status, x.severity from hazards x
      where ${inCommunity(sql`x.community_id`)} and x.status <> 'rejected' and x.micro_zone_id is not null
        and ${from === null ? sql`true` : sql`x.reported_at >= ${from}::timestamptz`}
        and ${to === null ? sql`true` : sql`x.reported_at < ${to}::timestamptz`}
    ),
    counts as (
      select zid, count(*)::int as total,
             count(*) filter (where status <> 'verified')::int as open,
             count(*) filter (where status = 'verified')::int as closed
      from h group by zid
    ),
    sev as (
      select zid, json_object_agg(severity, n) as sev from (select zid, severity, count(*)::int as n from h group by zid, severity) s group by zid
    )
    select v.zone_id::int as "zoneId", v.parent_id::int as "parentId", v.name, v.assignee_id as "assigneeId", p.name as "assigneeName",
           json_build_object('total', coalesce(c.total, 0), 'open', coalesce(c.open, 0), 'closed', coalesce(c.closed, 0),
                             'bySeverity', coalesce(s.sev, '{}'::json)) as hazards
    from versions v
    left join counts c on c.zid = v.zone_id
    left join sev s on s.zid = v.zone_id
    left join people p on p.id = v.assignee_id
    order by v.parent_id, v.zone_id`
  return {
    window: { from, to },
    communityId: filter.communityId ?? null,
    byZone: rows.map((r) => ({ zoneId: r.zoneId!, name: r.name ?? `#${r.zoneId}`, assigneeId: r.assigneeId, assigneeName: r.assigneeName, hazards: r.hazards })),
    microGrids: micro,
    unzoned: unzoned?.n ?? 0,
  }
}

/**
 * The shape of each suggested group: its buildings' Voronoi cells and footprints, less other groups'
 * footprints, within the area split (`whole`, hex EWKB). One statement makes the cells (joined per group),
 * then one statement per group shapes it against its neighbours' footprints only, so a suggestion over
 * many buildings or into many groups leaves the database to others in between (issue 18.4).
 */
async function suggestedShapes(
  sql: Sql,
  srid: number,
  whole: string,
  labelled: { id: number; grp: number; households: number }[],
): Promise<{ grp: number; geometry: unknown; areaM2: number; households: number; buildings: number; buildingIds: number[] }[]> {
  const ids = labelled.map((b) => b.id)
  const grps = labelled.map((b) => b.grp)
  const cells = await sql<{ grp: number; cells: Buffer }[]>`
    with c as (select ST_Transform(${whole}::geometry, ${srid}::int) as u),
    p as (
      select r.id, r.grp, ST_Transform(ST_PointOnSurface(b.footprint), ${srid}::int) as pt
      from unnest(${ids}::bigint[], ${grps}::int[]) as r(id, grp) join buildings b on b.id = r.id
    ),
    cells as (
      select row_number() over () as n, ST_SetSRID(d.geom, ${srid}::int) as ucell
      from ST_Dump(ST_VoronoiPolygons((select ST_Collect(pt) from p), 0, (select ST_Expand(u, 500) from c))) d
    ),
    owned as (
      select distinct on (cells.n) p.grp, cells.ucell
      from cells join p on ST_Intersects(cells.ucell, p.pt)
      order by cells.n, p.id
    )
    select grp, ST_AsEWKB(ST_Transform(ST_Union(ucell), 4326)) as cells from owned group by grp`
  const groups = [...new Set(grps)].sort((a, b) => a - b).map((grp) => ({ grp, members: labelled.filter((b) => b.grp === grp) }))
  const shapes = new Map<number, { geometry: unknown; areaM2: number }>()
  for (const { grp, cells: union } of cells) {
    const own = labelled.filter((b) => b.grp === grp).map((b) => b.id)
    const [row] = await sql<{ geometry: unknown; areaM2: number }[]>`
      with g as (
        select ST_Union(ST_GeomFromEWKB(${union}::bytea), (select ST_Union(footprint) from buildings where id = any(${own}::bigint[]))) as g
      ),
      shaped as (
        select ST_Multi(ST_ForcePolygonCCW(ST_CollectionExtract(ST_Intersection(
                 coalesce(ST_Difference(g.g, (select ST_Union(b.footprint) from buildings b
                                              where b.id = any(${ids}::bigint[]) and not b.id = any(${own}::bigint[]) and b.footprint && g.g)), g.g),
                 ${whole}::geometry), 3))) as g
        from g
      )
      select ST_AsGeoJSON(g, ${DIGITS})::json as geometry, round(ST_Area(ST_Transform(g, ${srid}::int))::numeric, 1)::float8 as "areaM2"
      from shaped`
    if (row) shapes.set(grp, row)
  }
  return groups.map(({ grp, members }) => ({
    grp,
    geometry: shapes.get(grp)?.geometry ?? { type: 'MultiPolygon', coordinates: [] },
    areaM2: shapes.get(grp)?.areaM2 ?? 0,
    households: members.reduce((sum, b) => sum + b.households, 0),
    buildings: members.length,
    buildingIds: members.map((b) => b.id).sort((a, b) => a - b),
  }))
}

/** Largest community (in buildings) a suggestion is computed for synchronously. */
export const SUGGEST_MAX_BUILDINGS = 20_000

/** `POST /api/zones/suggest`: proposed zones and how balanced they are. */
export interface ZoneSuggestion {
  type: 'FeatureCollection'
  features: {
    type: 'Feature'
    id: string
    geometry: unknown
    /** `parentId`: the grid split into micro-grids, or null for zones of the community. */
    properties: { id: string; name: string; households: number; buildings: number; areaM2: number; buildingIds: number[]; parentId: number | null }
  }[]
  balance: Balance
  communityId: number
}

/**
 * Propose `n` zones for a community: buildings grouped by {@link groupBuildings}; each zone = the union
 * of its buildings' Voronoi cells (centroids, in UTM) plus its footprints, minus the other groups'
 * footprints, clipped to the boundary — so no building is cut and the zones tile the community.
 * With `parentId` (a grid of the community), the same for the grid: `n` micro-grids balanced by
 * households over the buildings whose point on surface lies in the grid, clipped to the grid.
 * undefined when the community (or the grid) is not visible.
 */
export async function suggestZones(sql: Sql, communityId: number, n: number, communityIds: number[] | null, parentId?: number): Promise<ZoneSuggestion | undefined> {
  const [community] = await sql<{ id: number; srid: number; name: string }[]>`
    select id, utm_srid as srid, name from communities where id = ${communityId} and ${scope(sql, communityIds, sql`id`)}`
  if (!community) return undefined
  const srid = community.srid
  // The area split: the community, or one of its grids (micro-grids are not split further).
  const area =
    parentId === undefined
      ? sql`select boundary as g from communities where id = ${communityId}`
      : sql`select geom as g from zones where id = ${parentId} and community_id = ${communityId} and parent_id is null`
  if (parentId !== undefined) {
    const [grid] = await sql<{ id: number }[]>`select id from zones where id = ${parentId} and community_id = ${communityId}`
    if (!grid) return undefined
    const [top] = await sql<{ id: number }[]>`${area}`
    if (!top) throw problems.unprocessable(`Zone ${parentId} is a micro-grid; only a grid is split into micro-grids.`, [{ path: 'parentId', message: 'not a grid' }])
  }
  const what = parentId === undefined ? 'community' : 'grid'
  const buildings = await sql<{ id: number; x: number; y: number; households: number }[]>`
    select b.id, ST_X(p) as x, ST_Y(p) as y, b.households
    from buildings b, ST_Transform(ST_PointOnSurface(b.footprint), ${srid}::int) p
    where b.community_id = ${communityId}
      and ${parentId === undefined ? sql`true` : sql`ST_Covers((${area}), ST_PointOnSurface(b.footprint))`}
    order by b.id`
  if (buildings.length > SUGGEST_MAX_BUILDINGS) throw problems.unprocessable(`The ${what} has more than ${SUGGEST_MAX_BUILDINGS} buildings; suggest zones for a part of it.`)
  if (buildings.length < n) {
    throw problems.unprocessable(`The ${what} has ${buildings.length} buildings; it cannot be split into ${n} zones that each hold one.`, [{ path: 'n', message: `at most ${buildings.length}` }])
  }
  const ids = buildings.map((b) => b.id)
  // Buildings whose footprints overlap (a tower on its podium) move together: one unit each.
  const pairs = await sql<{ a: number; b: number }[]>`
    select a.id as a, b.id as b from buildings a join buildings b
      on a.community_id = b.community_id and a.id < b.id and a.footprint && b.footprint
     and ST_Relate(a.footprint, b.footprint, '2********')
    where a.community_id = ${communityId} and a.id = any(${ids}::bigint[]) and b.id = any(${ids}::bigint[])`
  const parent = new Map<number, number>(buildings.map((b) => [b.id, b.id]))
  const root = (id: number): number => {
    let r = id
    while (parent.get(r) !== r) r = parent.get(r)!
    parent.set(id, r)
    return r
  }
  for (const { a, b } of pairs) parent.set(root(a), root(b))
  const units = new Map<number, { id: number; x: number; y: number; households: number; members: number }>()
  for (const b of buildings) {
    const r = root(b.id)
    const u = units.get(r) ?? { id: r, x: 0, y: 0, households: 0, members: 0 }
    u.x += b.x
    u.y += b.y
    u.households += b.households
    u.members++
    units.set(r, u)
  }
  const items = [...units.values()].map((u) => ({ id: u.id, x: u.x / u.members, y: u.y / u.members, households: u.households }))
  if (items.length < n) {
    throw problems.unprocessable(`The ${what} has ${items.length} separate buildings; it cannot be split into ${n} zones that each hold one.`, [{ path: 'n', message: `at most ${items.length}` }])
  }
  const unitLabels = groupBuildings(items, n)
  const balance = balanceOf(items, unitLabels, n)
  const labelOf = new Map(items.map((u, i) => [u.id, unitLabels[i]!]))
  const [whole] = await sql<{ g: string }[]>`select ST_AsHEXEWKB(a.g) as g from (${area}) a`
  const zones = await suggestedShapes(sql, srid, whole!.g, buildings.map((b) => ({ id: b.id, grp: labelOf.get(root(b.id))!, households: b.households })))
  return {
    type: 'FeatureCollection',
    communityId,
    balance,
    features: zones.map((z) => {
      const id = `suggested-${z.grp + 1}`
      const name = parentId === undefined ? `建议网格 ${z.grp + 1}` : `建议微网格 ${z.grp + 1}`
      return {
        type: 'Feature',
        id,
        geometry: z.geometry,
        properties: { id, name, households: z.households, buildings: z.buildings, areaM2: z.areaM2, buildingIds: z.buildingIds.map(Number), parentId: parentId ?? null },
      }
    }),
  }
}

/** One feature of an import, after the TypeScript checks (geometry converted to WGS84). */
export interface ImportItem {
  index: number
  /** Features with the same key are merged into one zone. */
  key: string
  name: string | null
  assigneeId: number | null
  teamId: number | null
  geometry: ZoneGeometry
}

/** `POST /api/import/zones`. */
export interface ImportResult {
  imported: number
  merged: number
  rejected: { index: number; reason: string }[]
  ids: number[]
}

function problemReason(error: unknown): string | undefined {
  if (!(error instanceof Problem)) return undefined
  const first = error.errors?.[0]
  return first ? `${error.message} (${first.path}: ${first.message})` : error.message
}

/**
 * Import zones into a community: each feature is checked on its own (validity, inside the community)
 * and rejected with its reason if it fails; features sharing a key are merged (ST_Union) into one zone.
 * The accepted zones are inserted, with history and audit rows, in one transaction.
 */
export async function importZones(sql: Sql, communityId: number, items: ImportItem[], rejectedBefore: ImportResult['rejected'], actor: SessionUser, communityIds: number[] | null): Promise<ImportResult> {
  return sql.begin(async (tx): Promise<ImportResult> => {
    await setStatementTimeout(tx, 'import')
    const [community] = await tx`select id from communities where id = ${communityId} and ${scope(tx, communityIds, tx`id`)}`
    if (!community) throw problems.notFound(`No community ${communityId}.`)
    const rejected = [...rejectedBefore]
    const accepted: ImportItem[] = []
    for (const item of items) {
      try {
        await assertValidGeometry(tx, item.geometry, `features.${item.index}.geometry`)
        await placeGeometry(tx, item.geometry, communityId, null, `features.${item.index}.geometry`)
        accepted.push(item)
      } catch (error) {
        const reason = problemReason(error)
        if (reason === undefined) throw error
        rejected.push({ index: item.index, reason })
      }
    }
    const groups = new Map<string, ImportItem[]>()
    for (const item of accepted) groups.set(item.key, [...(groups.get(item.key) ?? []), item])
    const ids: number[] = []
    let merged = 0
    let n = 0
    for (const group of groups.values()) {
      n++
      merged += group.length - 1
      const name = group.find((g) => g.name)?.name ?? `导入网格 ${n}`
      const assigneeId = group.find((g) => g.assigneeId !== null)?.assigneeId ?? null
      const teamId = group.find((g) => g.teamId !== null)?.teamId ?? null
      const [p] = assigneeId === null ? [] : await tx`select 1 from people where id = ${assigneeId} and community_id = ${communityId}`
      const [t] = teamId === null ? [] : await tx`select 1 from teams where id = ${teamId} and community_id = ${communityId}`
      const geoms = group.map((g) => geomExpr(tx, g.geometry))
      const union = geoms.reduce((acc, g) => tx`ST_Union(${acc}, ${g})`)
      const [row] = await tx<{ id: number }[]>`
        insert into zones (community_id, name, assignee_id, team_id, geom)
        values (${communityId}, ${name}, ${p ? assigneeId : null}, ${t ? teamId : null},
                ST_Multi(ST_ForcePolygonCCW(ST_CollectionExtract(${union}, 3))))
        returning id`
      ids.push(row!.id)
      await recordZoneVersion(tx, row!.id)
    }
    rejected.sort((a, b) => a.index - b.index)
    await recordAudit(tx, {
      userId: actor.id,
      communityId,
      action: 'import',
      entity: 'zone',
      after: { imported: ids.length, merged, rejected: rejected.length, ids },
    })
    return { imported: ids.length, merged, rejected, ids }
  })
}
