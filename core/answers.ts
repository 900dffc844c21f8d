/**
 * Shapes of API answers that the server builds, generic over their GeoJSON members (the server passes
 * GeoJSON through as PostGIS wrote it, `unknown`). Pure types, no I/O. The contract itself is the
 * OpenAPI document (`GET /api/openapi.json`, zod schemas in server/openapi/schemas.ts): the web app
 * reads its generated types (web/api/openapi-types.ts), and an answer whose schema says everything is
 * typed on the server with `z.infer` of that schema rather than here (units, public reports, duty,
 * statistics, the route, the coverage calendar, check-ins, tracks, the roster, alert channels, care and points).
 */
import type { Occurrence, PlanRepeat, PlanType } from './plans.ts'

/** Visited / total of some kind of place; `coverage` = visited / total (1 when there is none). */
export interface CoverageCount {
  total: number
  visited: number
  coverage: number
}

/** An unvisited building or key place of a coverage answer. */
export interface UnvisitedProperties {
  id: number
  kind: 'building' | 'key_place'
  name: string | null
  zoneId: number | null
  compoundId: number | null
  compoundName: string | null
}

/** `GET /api/analysis/coverage`, with the GeoJSON of the unvisited places and of the flagged stretches as parameters. */
export interface CoverageReport<Unvisited = unknown, Flagged = unknown> {
  window: { from: string; to: string }
  radiusM: number
  communityId: number
  zoneId: number | null
  buildings: CoverageCount & { byTrack: number; byCheckin: number }
  keyPlaces: CoverageCount & { byTrack: number; byCheckin: number }
  byZone: { zoneId: number; name: string; teamId: number | null; teamName: string | null; assigneeName: string | null; buildings: CoverageCount; keyPlaces: CoverageCount }[]
  byTeam: { teamId: number | null; name: string | null; zoneIds: number[]; buildings: CoverageCount; keyPlaces: CoverageCount }[]
  unvisited: Unvisited
  /** The physically impossible stretches of the window's tracks, left out of the coverage (with their reasons). */
  flagged: Flagged
}

/** The micro-grid tier of one grid in `GET /api/zones/check`: its micro-grids against each other and the grid. */
export interface MicroGridCheck<Id = number, OverlapGeometry = unknown, GapGeometry = unknown> {
  /** The grid (网格) holding the micro-grids. */
  parentId: Id
  name: string
  /** How many micro-grids it holds. */
  count: number
  /** Every pair of its micro-grids sharing more than a sliver: a < b. */
  overlaps: { a: Id; b: Id; areaM2: number; geometry: OverlapGeometry }[]
  /** The grid minus the union of its micro-grids (slivers dropped). */
  gaps: { areaM2: number; geometry: GapGeometry }
  /** Area of the grid its micro-grids cover / the grid's area, 0..1. */
  coverage: number
}

/**
 * `GET /api/zones/check`: where zones overlap and what no zone covers, per tier: the top-level fields are
 * the grids (zones without a parent) against the community; `microGrids` one entry per grid holding micro-grids.
 */
export interface ZoneCheck<Id = number, OverlapGeometry = unknown, GapGeometry = unknown> {
  communityId: Id
  /** Every pair of grids sharing more than a sliver: a < b. */
  overlaps: { a: Id; b: Id; areaM2: number; geometry: OverlapGeometry }[]
  /** The community boundary minus the union of its grids (slivers dropped). */
  gaps: { areaM2: number; geometry: GapGeometry }
  /** Zoned area / community area, 0..1. */
  coverage: number
  communityAreaM2: number
  zonedAreaM2: number
  /** The micro-grid tier, per grid that holds micro-grids (by grid id). */
  microGrids: MicroGridCheck<Id, OverlapGeometry, GapGeometry>[]
}

/** Hot-spot confidence bins: 3/2/1 hot at 99/95/90 %, -3/-2/-1 cold, 0 not significant. */
export const HOTSPOT_CONFIDENCES = [3, 2, 1, 0, -1, -2, -3] as const
/** A hot-spot confidence bin ({@link HOTSPOT_CONFIDENCES}). */
export type HotspotConfidence = (typeof HOTSPOT_CONFIDENCES)[number]

/** A patrol plan (`/api/patrol-plans`), with its area's GeoJSON Polygon as a parameter. */
export interface PatrolPlan<Area = unknown> {
  id: number
  communityId: number
  type: PlanType
  name: string
  from: string
  to: string
  repeat: PlanRepeat | null
  zoneIds: number[]
  personIds: number[]
  unitIds: number[]
  leaderId: number | null
  leaderName: string | null
  /** A GeoJSON Polygon (events), or null. */
  area: Area | null
  note: string | null
  createdBy: number | null
  createdAt: string
  updatedAt: string
  /** The plan's windows inside the listed window (all of them for a single plan). */
  occurrences?: Occurrence[]
}

/**
 * `GET /api/patrol-plans/:id/coverage`: a plan against reality, with its unvisited places' GeoJSON and
 * its people (planned or not, minutes on duty and metres walked in the plan's windows) as parameters.
 */
export interface PlanCoverage<Unvisited = unknown, Person = unknown> {
  planId: number
  communityId: number
  window: Occurrence
  /** The plan's windows inside `window`, clipped to it. */
  occurrences: Occurrence[]
  radiusM: number
  buildings: CoverageCount & { byTrack: number; byCheckin: number }
  keyPlaces: CoverageCount & { byTrack: number; byCheckin: number }
  byZone: { zoneId: number; name: string; buildings: CoverageCount; keyPlaces: CoverageCount }[]
  unvisited: Unvisited
  people: Person[]
  /** Whether one of the plan's windows runs now. */
  runningNow: boolean
  /** The plan's zones where nobody is on duty now (no open session whose latest position, at most 15 minutes old, lies in the zone). */
  zonesWithoutDutyNow: { zoneId: number; name: string }[]
  /** People on duty now in the community (open session), with the plan zone of their latest position. */
  onDutyNow: { personId: number | null; name: string | null; deviceId: string; zoneId: number | null; since: string }[]
}

