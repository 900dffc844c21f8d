/**
 * The web app's names for what the SafeGrid HTTP API returns. Every answer shape is derived from
 * web/api/openapi-types.ts (generated from the OpenAPI document by `npm run openapi-types`), so a change
 * of a response shape breaks the web typecheck; this module only adds what the document cannot say:
 * the GeoJSON geometry type of a feature (the document describes any geometry) and client-side helpers.
 *
 * Geometry follows GeoJSON (RFC 7946), WGS84 lon/lat. Every map feature carries its database id
 * both at the Feature level and in `properties.id`.
 */
// The hazard vocabulary is the server's (core/matters.ts), shared so the two never drift.
import { CATEGORIES, CLOSED_STATUSES as SERVER_CLOSED, NOT_CLOSED_STATUSES, SEVERITIES, STATUSES } from '../../core/matters.ts'
import type { MatterCategory, MatterType } from '../../core/matters.ts'
import type * as Api from './openapi-types.ts'
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
export type Health = Api.Health

/** A community (社区): the unit of responsibility. */
export type CommunityProperties = Api.Community['properties']

/** A residential compound (小区), as `GET /api/layers/compounds` draws it. */
export type CompoundProperties = Api.CompoundFeature['properties']

/** A building footprint (`GET /api/layers/buildings`), with its head (楼栋长/党员中心户) when named. */
export type BuildingProperties = Api.BuildingFeature['properties']

/** Tilezen road kinds we style explicitly; others fall back to a minor-road look. */
export type RoadKind = 'highway' | 'major_road' | 'minor_road' | 'path' | 'rail' | (string & {})

/** A road, path or rail line (`GET /api/layers/roads`). */
export type RoadProperties = Api.RoadFeature['properties']

/** A responsibility zone (责任网格) as the map layer draws it (`GET /api/layers/zones`). */
export type ZoneProperties = Api.ZoneLayerFeature['properties']

/** Kinds of key places (重点部位). */
export type { KeyPlaceKind } from '../../core/org.ts'

/** A key place (重点部位) as the map layer draws it (`GET /api/layers/key-places`; no QR code). */
export type KeyPlaceProperties = Api.KeyPlaceFeature['properties']

/** A water body or waterway (`GET /api/layers/water`). */
export type WaterProperties = Api.WaterFeature['properties']

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

/**
 * Whether a hazard in `status` still needs work: counted in 未闭环, a report waiting for review (待核实) included
 * (core/matters.ts NOT_CLOSED_STATUSES, the same rule as `/api/stats` notClosed and the reports).
 */
export function isOpenStatus(status: HazardStatus): boolean {
  return NOT_CLOSED_STATUSES.includes(status)
}

/** A hazard (隐患) as listed by `GET /api/hazards` and sent by the live stream. */
export type HazardProperties = Api.Hazard['properties']

/** Properties of `GET /api/hazards/:id`: the list properties plus history, photos and comments. */
export type HazardDetailProperties = Api.HazardDetail['properties']

/** One step of a hazard's history (`properties.events` of `GET /api/hazards/:id`). */
export type HazardEvent = HazardDetailProperties['events'][number]

/** A comment on a matter (`properties.comments` of `GET /api/hazards/:id`). */
export type HazardComment = HazardDetailProperties['comments'][number]

/** A photo of a hazard; `url` serves the full size, `url?size=thumb` a thumbnail. */
export type HazardPhoto = HazardDetailProperties['photos'][number]

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

/** An RFC 9457 problem document as the API sends it (read defensively: a proxy may answer something else). */
export type ProblemDocument = Partial<Api.Problem>

/** Creates an empty FeatureCollection of the given feature type. */
export function emptyCollection<G extends Geometry | null, P extends BaseProperties>(): SgFeatureCollection<G, P> {
  return { type: 'FeatureCollection', features: [] }
}

/** The roles of the contract (core/roles.ts). */
export { ROLES, type Role } from '../../core/roles.ts'

/** The signed-in user as `GET /api/auth/me` describes them. */
export type SessionUser = Api.Me['user']

/** `POST /api/auth/login`. */
export type LoginResponse = Api.Login

/** `GET /api/auth/me`. */
export type MeResponse = Api.Me

/** A person (网格员, 队员) as `GET /api/people` lists them; phone numbers come masked. */
export type Person = Api.Person

/** `GET /api/people`. */
export type PeopleResponse = Api.PersonList

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
export type PhotoUploadResponse = Api.PhotoCreated

/** Data of a live `position` event. */
export interface LivePosition {
  deviceId: string
  lon: number
  lat: number
  t: string
}
