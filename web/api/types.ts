/**
 * Typed shapes of what the SafeGrid HTTP API returns (see docs/API.md, version 1).
 *
 * Geometry follows GeoJSON (RFC 7946), WGS84 lon/lat. Every map feature carries its database id
 * both at the Feature level and in `properties.id`.
 */
// The hazard vocabulary is the server's (core/matters.ts), shared so the two never drift.
import { CATEGORIES, CLOSED_STATUSES as SERVER_CLOSED, SEVERITIES, STATUSES } from '../../core/matters.ts'
import type { Level, MatterCategory, MatterType } from '../../core/matters.ts'
import type {
  Geometry,
  LineString,
  MultiLineString,
  MultiPolygon,
  Point,
  Polygon,
} from 'geojson'

/** A database id as the API sends it (bigint ids may arrive as numbers or strings). */
export type FeatureId = number | string

/** Properties every SafeGrid feature has. */
export interface BaseProperties {
  id: FeatureId
}

/** A GeoJSON Feature with a stable id and typed properties. */
export interface SgFeature<G extends Geometry | null = Geometry, P extends BaseProperties = BaseProperties> {
  type: 'Feature'
  id: FeatureId
  geometry: G
  properties: P
}

/** A GeoJSON FeatureCollection of {@link SgFeature}s. */
export interface SgFeatureCollection<G extends Geometry | null = Geometry, P extends BaseProperties = BaseProperties> {
  type: 'FeatureCollection'
  features: SgFeature<G, P>[]
}

/** Polygonal geometry as stored for communities, compounds, buildings and zones. */
export type Areal = Polygon | MultiPolygon
/** Linear geometry as stored for roads. */
export type Linear = LineString | MultiLineString

/** `GET /api/health`. */
export interface Health {
  status: string
  database: 'embedded' | 'postgres'
  postgis: string
}

/** A community (社区): the unit of responsibility. */
export interface CommunityProperties extends BaseProperties {
  name: string
  nameEn: string | null
  utmSrid: number
}

/** A residential compound (小区). */
export interface CompoundProperties extends BaseProperties {
  name: string
}

/** A building footprint. */
export interface BuildingProperties extends BaseProperties {
  name: string | null
  kind: string
  floors: number | null
  households: number
  compoundId: FeatureId | null
  /** The building head (楼栋长/党员中心户), when named. */
  headPersonId?: FeatureId | null
  headName?: string | null
}

/** Tilezen road kinds we style explicitly; others fall back to a minor-road look. */
export type RoadKind = 'highway' | 'major_road' | 'minor_road' | 'path' | 'rail' | (string & {})

/** A road, path or rail line. */
export interface RoadProperties extends BaseProperties {
  kind: RoadKind
  kindDetail: string | null
  name: string | null
}

/** A responsibility zone (责任网格). */
export interface ZoneProperties extends BaseProperties {
  name: string
  assigneeId: FeatureId | null
  assigneeName: string | null
  areaM2: number
  communityId: FeatureId
  /** The grid this zone is a micro-grid (微网格) of; null for a grid. */
  parentId?: FeatureId | null
}

/** Kinds of key places (重点部位). */
export type KeyPlaceKind = 'entrance' | 'garage' | 'fire_lane' | 'charging_shed' | 'shop' | 'other'

/** A key place (重点部位). */
export interface KeyPlaceProperties extends BaseProperties {
  kind: KeyPlaceKind
  name: string
  code: string
}

/** A water body or waterway. */
export interface WaterProperties extends BaseProperties {
  kind: string | null
  name: string | null
}


/** Hazard categories (隐患类别), in display order. */
export const HAZARD_CATEGORIES = CATEGORIES
/** A hazard category. */
export type HazardCategory = (typeof HAZARD_CATEGORIES)[number]

/** Hazard severities, least to most severe. */
export const HAZARD_SEVERITIES = SEVERITIES
/** A hazard severity. */
export type HazardSeverity = (typeof HAZARD_SEVERITIES)[number]

/** Hazard statuses, in the order of the closed loop. */
export const HAZARD_STATUSES = STATUSES
/** A hazard status. */
export type HazardStatus = (typeof HAZARD_STATUSES)[number]

/** Statuses that end the loop: a hazard in one of these is no longer open. */
export const CLOSED_STATUSES: readonly HazardStatus[] = SERVER_CLOSED

/** Whether a hazard in `status` still needs work. */
export function isOpenStatus(status: HazardStatus): boolean {
  return !CLOSED_STATUSES.includes(status)
}

/** A hazard (隐患) as listed by `GET /api/hazards` and sent by the live stream. */
export interface HazardProperties extends BaseProperties {
  status: HazardStatus
  /** A resident's phone (issue 15): masked, whole only for admin and command in the detail. */
  contact?: string | null
  /** The answer the resident reads (件件有回音). */
  answer?: string | null
  /** The resident's rating after the close, and its comment. */
  rating?: 'satisfied' | 'basically' | 'unsatisfied' | null
  ratingComment?: string | null
  category: HazardCategory
  /** Danger only (contract v2). */
  severity: HazardSeverity
  /** Kind of matter (事项类型; contract v2). */
  type?: MatterType
  /** Handling level (办理层级): sets `dueAt` (1, 3, 5 days). */
  level?: Level
  /** How many times it was escalated (升级). */
  escalations?: number
  reportedAt: string
  dueAt: string
  /** Open and past `dueAt` (as of the query, or of `at` in a replay). */
  overdue: boolean
  /** Open, not yet overdue, with at least 80 % of the time to close used. */
  warning?: boolean
  /** Share of the time to close used: 0 at the report, 1 at `dueAt` (frozen at the close). */
  slaUsed?: number | null
  /** First move into `rectifying` (someone on site), if any. */
  respondedAt?: string | null
  /** When the hazard was verified or rejected, if it was. */
  closedAt?: string | null
  /** First arrival on site (到场, issue 15); `reportedAt` when found on patrol. */
  arrivedAt?: string | null
  /** The account that arrived. */
  arrivedBy?: FeatureId | null
  /** How far (m) the phone was from the matter when it arrived. */
  arrivalDistanceM?: number | null
  /** Found by a patrol member on site: arrived at once, counted apart from the 7-minute rate. */
  foundOnPatrol?: boolean
  /** Found and fixed on the spot (现场处置). */
  fixedOnSpot?: boolean
  zoneId: FeatureId | null
  /** The micro-grid (微网格) it was reported in, if any; `zoneId` is its grid (issue 14). */
  microGridId?: FeatureId | null
  assigneeId: FeatureId | null
  assigneeName?: string | null
  /** The partner unit (共建单位) the matter is handed to, and its name; null = none. */
  unitId?: number | null
  unitName?: string | null
  /** The user who reported it. */
  reporterId?: FeatureId | null
  communityId?: FeatureId
  description: string | null
  buildingId: FeatureId | null
  recurrenceOf?: FeatureId | null
  /** Optimistic-concurrency version; sent back with transitions. */
  version?: number
  updatedAt?: string
}

/** One step of a hazard's history (`properties.events` of `GET /api/hazards/:id`). */
export interface HazardEvent {
  at: string
  /** `null` for the report itself. */
  from: HazardStatus | null
  to: HazardStatus
  /** Name of who made the move. */
  by: string | null
  note: string | null
  assigneeId?: FeatureId | null
  /** The partner unit a dispatch handed the matter to, or whose account made the move. */
  unitId?: number | null
  unitName?: string | null
  /** 'reminder' for a 催办 (the status did not change); 'transition' otherwise. */
  kind?: 'transition' | 'reminder'
}

/** A comment on a matter (`properties.comments` of `GET /api/hazards/:id`). */
export interface HazardComment {
  at: string
  by: string | null
  unitId: number | null
  unitName: string | null
  note: string
}

/** A photo of a hazard; `url` serves the full size, `url?size=thumb` a thumbnail. */
export interface HazardPhoto {
  id: FeatureId
  url: string
  width?: number | null
  height?: number | null
}

/** Properties of `GET /api/hazards/:id`: the list properties plus history and photos. */
export interface HazardDetailProperties extends HazardProperties {
  events: HazardEvent[]
  photos: HazardPhoto[]
  /** Comments (a partner unit's word on the matter), oldest first. */
  comments?: HazardComment[]
}

/** Communities as returned by `GET /api/communities`. */
export type CommunityCollection = SgFeatureCollection<Areal, CommunityProperties>
/** A single community feature. */
export type CommunityFeature = SgFeature<Areal, CommunityProperties>
/** Hazards as returned by `GET /api/hazards`. */
export type HazardCollection = SgFeatureCollection<Point, HazardProperties>
/** A single hazard feature. */
export type HazardFeature = SgFeature<Point, HazardProperties>
/** A hazard with its history and photos (`GET /api/hazards/:id`). */
export type HazardDetailFeature = SgFeature<Point, HazardDetailProperties>

/** The base map layers served by `GET /api/layers/:layer`, with their feature types. */
export interface BaseLayerCollections {
  compounds: SgFeatureCollection<Areal, CompoundProperties>
  buildings: SgFeatureCollection<Areal, BuildingProperties>
  roads: SgFeatureCollection<Linear, RoadProperties>
  water: SgFeatureCollection<Geometry, WaterProperties>
  zones: SgFeatureCollection<Areal, ZoneProperties>
  'key-places': SgFeatureCollection<Point | LineString, KeyPlaceProperties>
}

/** Name of a base map layer. */
export type BaseLayerName = keyof BaseLayerCollections

/** `[minLon, minLat, maxLon, maxLat]` in WGS84. */
export type BBox = [number, number, number, number]

/** Filters accepted by `GET /api/hazards`. */
export interface HazardQuery {
  status?: HazardStatus | HazardStatus[]
  category?: HazardCategory | HazardCategory[]
  severity?: HazardSeverity | HazardSeverity[]
  from?: string
  to?: string
  bbox?: BBox
  zoneId?: FeatureId
  communityId?: FeatureId
  /** The map as it stood at this instant (ISO 8601): hazards open then, with their status then. */
  at?: string
}

/** Filters accepted by `GET /api/layers/:layer`. */
export interface LayerQuery {
  bbox?: BBox
  communityId?: FeatureId
}

/** An RFC 9457 problem document as the API sends it. */
export interface ProblemDocument {
  type?: string
  title?: string
  status?: number
  detail?: string
  errors?: { path: string; message: string }[]
}

/** Creates an empty FeatureCollection of the given feature type. */
export function emptyCollection<G extends Geometry | null, P extends BaseProperties>(): SgFeatureCollection<G, P> {
  return { type: 'FeatureCollection', features: [] }
}

/** The roles of the contract, from most to least powerful; `partner` is a partner unit's account (共建单位). */
export const ROLES = ['admin', 'planner', 'command', 'leader', 'patrol', 'partner'] as const
/** A user role. */
export type Role = (typeof ROLES)[number]

/** The signed-in user as `GET /api/auth/me` describes them. */
export interface SessionUser {
  id: FeatureId
  username: string
  name: string
  role: Role
  personId?: FeatureId | null
  districtId?: FeatureId | null
  /** Communities the user may see; `null` = every community. */
  communityIds?: FeatureId[] | null
  /** The account must choose its own password before anything else. */
  mustChangePassword?: boolean
}

/** `POST /api/auth/login`. */
export interface LoginResponse {
  token: string
  csrfToken: string
  expiresAt: string
  user: Pick<SessionUser, 'id' | 'name' | 'role' | 'username'>
}

/** `GET /api/auth/me`. */
export interface MeResponse {
  user: SessionUser
  csrfToken: string
  /** Kinds of the teams the user belongs to (the phone offers their kind of matter first). */
  teamKinds?: string[]
}

/** A person (网格员, 队员) as `GET /api/people` lists them; phone numbers come masked. */
export interface Person {
  id: FeatureId
  name: string
  teamId: FeatureId | null
  teamName: string | null
  title: string | null
  phone: string | null
  /** False once the person has left (kept on the roster, never handed work). */
  active?: boolean
}

/** `GET /api/people`. */
export interface PeopleResponse {
  items: Person[]
}

/** Body of `POST /api/hazards`. */
export interface NewHazardRequest {
  /** A matter of another kind than hazard (`POST /api/matters`); absent for a hazard (`POST /api/hazards`). */
  type?: Exclude<MatterType, 'hazard'>
  /** A category of the kind (a hazard category for hazards). */
  category: HazardCategory | MatterCategory
  severity: HazardSeverity
  location: { lon: number; lat: number }
  description?: string
  buildingId?: FeatureId
  reportedAt?: string
  /** Makes the call idempotent: a retry with the same id answers the first hazard. */
  clientId?: string
  /** 现场处置 (issue 15): found and fixed on the spot; `note` says what was done (required with it). */
  fixedOnSpot?: boolean
  note?: string
}

/** Body of `POST /api/hazards/:id/transition`. */
export interface TransitionRequest {
  to: HazardStatus
  note?: string
  assigneeId?: FeatureId
  /** With `to: 'dispatched'`: hand the matter to this partner unit (null takes it back). */
  unitId?: number | null
  /** The version the client saw; another one → 409. */
  version?: number
}

/** Answer of `POST /api/hazards/:id/photos`. */
export interface PhotoUploadResponse {
  id: FeatureId
  url: string
  mime?: string
  width?: number
  height?: number
}

/** Data of a live `position` event. */
export interface LivePosition {
  deviceId: string
  lon: number
  lat: number
  t: string
}
