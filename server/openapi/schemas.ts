import { z } from 'zod'
import { SEVERITIES, STATUSES } from '../../core/matters.ts'
import { ROLES } from '../../core/roles.ts'

/*
 * The response shapes of the API, as zod schemas: each becomes one named schema under
 * `components.schemas` of the OpenAPI document (server/openapi/document.ts), and
 * tests/openapi.test.ts checks real responses of the seeded demo against them. Objects are open
 * (extra members are allowed) so that adding a member never breaks a client; what is listed is required.
 */

const id = z.number().int()
const time = z.string().describe('ISO 8601 time')
const date = z.string().describe('YYYY-MM-DD')
const nullableTime = time.nullable()

/** One field-level reason of a problem. */
const ProblemFieldError = z.object({ path: z.string(), message: z.string() })

/** RFC 9457 problem document (`application/problem+json`): every error answer. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(ProblemFieldError).optional(),
})

/** A GeoJSON geometry (RFC 7946), WGS84 longitude/latitude. */
export const Geometry = z.object({
  type: z.enum(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']),
  coordinates: z.array(z.unknown()).optional(),
  geometries: z.array(z.unknown()).optional(),
})

/** A GeoJSON Feature with these properties. */
function feature<P extends z.ZodType>(properties: P, featureId: z.ZodType = z.union([id, z.string()])) {
  return z.object({ type: z.literal('Feature'), id: featureId.optional(), geometry: Geometry.nullable(), properties })
}

/** A GeoJSON FeatureCollection of these features, with extra top-level members. */
function collection<F extends z.ZodType, E extends z.ZodRawShape>(item: F, extra: E = {} as E) {
  return z.object({ type: z.literal('FeatureCollection'), features: z.array(item), ...extra })
}

/** `{ items: [...] }`, the shape of every plain list. */
function items<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) })
}

/** Any GeoJSON Feature (properties not described further). */
export const AnyFeature = feature(z.record(z.string(), z.unknown()).nullable())
/** Any GeoJSON FeatureCollection. */
export const AnyFeatureCollection = collection(AnyFeature)
/** A JSON object not described further. */
export const AnyObject = z.object({}).catchall(z.unknown())

export const Health = z.object({ status: z.string(), database: z.string(), postgis: z.string().nullable(), postgres: z.string().nullable() })

export const SessionUser = z.object({
  id,
  username: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  personId: id.nullable(),
  mustChangePassword: z.boolean(),
  communityIds: z.array(id).nullable().optional(),
})
export const Login = z.object({ token: z.string(), csrfToken: z.string(), expiresAt: time, user: SessionUser.omit({ personId: true }).partial({ communityIds: true }) })
export const Me = z.object({ user: SessionUser, csrfToken: z.string(), teamKinds: z.array(z.string()).describe('Kinds of the teams the user belongs to') })
export const AppConfig = z.object({ basemap: z.object({}).catchall(z.unknown()).nullable() })

export const Community = feature(z.object({ id, name: z.string(), nameEn: z.string().nullable(), utmSrid: z.number().int(), districtId: id.nullable() }), id)
export const CommunityCollection = collection(Community)

export const HazardProperties = z.object({
  id,
  communityId: id,
  zoneId: id.nullable(),
  microGridId: id.nullable().describe('the micro-grid (微网格) it was reported in, if any; zoneId is its grid'),
  buildingId: id.nullable(),
  category: z.string().describe('core/matters.ts CATEGORIES'),
  severity: z.enum(SEVERITIES),
  status: z.enum(STATUSES),
  description: z.string().nullable(),
  reportedAt: time,
  dueAt: nullableTime,
  respondedAt: nullableTime,
  closedAt: nullableTime,
  arrivedAt: nullableTime.describe('first arrival on site (到场); reportedAt when found on patrol'),
  arrivedBy: id.nullable().describe('the account that arrived'),
  arrivalDistanceM: z.number().nullable().describe('distance (m) of the phone from the matter at arrival'),
  foundOnPatrol: z.boolean(),
  fixedOnSpot: z.boolean(),
  overdue: z.boolean(),
  warning: z.boolean(),
  slaUsed: z.number().nullable(),
  assigneeId: id.nullable(),
  assigneeName: z.string().nullable(),
  reporterId: id.nullable(),
  recurrenceOf: id.nullable(),
  version: z.number().int(),
  updatedAt: time,
})
export const Hazard = feature(HazardProperties, id)
const HazardEvent = z.object({ at: time, by: z.string().nullable(), from: z.enum(STATUSES).nullable(), to: z.enum(STATUSES), note: z.string().nullable(), assigneeId: id.nullable() })
export const HazardDetail = feature(HazardProperties.extend({ events: z.array(HazardEvent), photos: z.array(z.unknown()) }), id)
export const HazardPage = collection(Hazard, {
  next: z.string().nullable().describe('cursor of the next page (null on the last); also in the Link header'),
  limit: z.number().int(),
})
export const PhotoCreated = z.object({ id, url: z.string(), mime: z.string(), width: z.number().int(), height: z.number().int() })

export const ZoneProperties = z.object({
  id,
  name: z.string(),
  communityId: id,
  parentId: id.nullable().describe('the grid this zone is a micro-grid (微网格) of; null for a grid'),
  assigneeId: id.nullable(),
  assigneeName: z.string().nullable(),
  teamId: id.nullable(),
  teamName: z.string().nullable(),
  teamIds: z.array(id),
  areaM2: z.number(),
  households: z.number().int(),
  buildings: z.number().int(),
  updatedAt: time,
})
export const Zone = feature(ZoneProperties, id)
export const ZoneCollection = collection(Zone)
export const ZoneDetail = feature(
  ZoneProperties.extend({
    buildingsInside: z.array(z.object({ id, name: z.string().nullable(), kind: z.string().nullable(), floors: z.number().int().nullable(), households: z.number().int().nullable() })),
    keyPlaces: z.array(z.object({ id, kind: z.string(), name: z.string() })),
  }),
  id,
)
export const ZoneWrite = Zone.extend({ overlaps: z.array(z.unknown()) })
export const ZoneCheck = z.object({
  communityId: id,
  overlaps: z.array(z.unknown()),
  gaps: z.object({ areaM2: z.number(), geometry: Geometry.nullable() }),
  coverage: z.number(),
  communityAreaM2: z.number(),
  zonedAreaM2: z.number(),
  microGrids: z.array(
    z.object({
      parentId: id,
      name: z.string(),
      count: z.number().int(),
      overlaps: z.array(z.unknown()),
      gaps: z.object({ areaM2: z.number(), geometry: Geometry.nullable() }),
      coverage: z.number(),
    }),
  ),
})
const Window = z.object({ from: nullableTime, to: nullableTime })
const counts = z.record(z.string(), z.number().int())
export const ZoneStats = z.object({
  window: Window,
  communityId: id.nullable(),
  byZone: z.array(
    z.object({
      zoneId: id,
      name: z.string(),
      assigneeId: id.nullable(),
      assigneeName: z.string().nullable(),
      hazards: z.object({ total: z.number().int(), open: z.number().int(), closed: z.number().int(), bySeverity: counts, byCategory: counts }),
    }),
  ),
  microGrids: z.array(
    z.object({
      zoneId: id,
      parentId: id,
      name: z.string(),
      assigneeId: id.nullable(),
      assigneeName: z.string().nullable(),
      hazards: z.object({ total: z.number().int(), open: z.number().int(), closed: z.number().int(), bySeverity: counts }),
    }),
  ),
  unzoned: z.number().int(),
})

export const Stats = z.object({
  window: Window,
  communityId: id.nullable(),
  hazards: z.object({ total: z.number().int(), byStatus: counts, byCategory: counts, bySeverity: counts }),
  responseRate: z.number().nullable().describe('arrived on site within 7 minutes / responseBase (matters not found on patrol)'),
  arrivedInTime: z.number().int(),
  responseBase: z.number().int(),
  foundOnPatrol: z.number().int().describe('found by a patrol member on site: arrived at once, counted apart'),
  foundOnPatrolShare: z.number().nullable(),
  fixedOnSpot: z.number().int().describe('found and fixed on the spot (现场处置)'),
  closureRate: z.number().nullable(),
  onTimeClosureRate: z.number().nullable(),
  overdue: z.number().int(),
  medianResponseMinutes: z.number().nullable(),
  medianHoursToClose: z.number().nullable(),
})
export const Trend = z.object({
  timeZone: z.string(),
  communityId: id.nullable(),
  days: z.array(date),
  from: time,
  to: time,
  series: z.array(z.object({ category: z.string(), counts: z.array(z.number().int()), total: z.number().int() })),
  total: z.array(z.number().int()),
})

const Visited = z.object({ total: z.number().int(), visited: z.number().int(), coverage: z.number().nullable() })
export const Coverage = z.object({
  window: z.object({ from: time, to: time }),
  radiusM: z.number(),
  communityId: id,
  zoneId: id.nullable(),
  buildings: Visited.extend({ byTrack: z.number().int(), byCheckin: z.number().int() }),
  keyPlaces: Visited.extend({ byTrack: z.number().int(), byCheckin: z.number().int() }),
  byZone: z.array(z.object({ zoneId: id, name: z.string(), buildings: Visited, keyPlaces: Visited })),
  byTeam: z.array(z.object({ teamId: id, name: z.string(), zoneIds: z.array(id), buildings: Visited, keyPlaces: Visited })),
  unvisited: AnyFeatureCollection,
})
export const CoverageCalendar = z.object({
  communityId: id,
  timeZone: z.string(),
  radiusM: z.number(),
  days: z.array(date),
  compounds: z.array(
    z.object({
      id,
      name: z.string().nullable(),
      patrolled: z.array(z.boolean()),
      byTrack: z.array(z.boolean()),
      byCheckin: z.array(z.boolean()),
      daysPatrolled: z.number().int(),
      lastPatrolled: date.nullable(),
      longestGapDays: z.number().int(),
    }),
  ),
  weeks: z.array(z.object({ week: z.string(), from: date, to: date, daysInWindow: z.number().int(), complete: z.boolean(), breaking: z.array(id) })),
  last7Days: z.object({ from: date, to: date, breaking: z.array(id) }),
  breakingAnyWeek: z.array(id),
})

export const Person = z.object({
  id,
  communityId: id,
  teamId: id.nullable(),
  teamName: z.string().nullable(),
  teamIds: z.array(id),
  teamNames: z.array(z.string()),
  name: z.string(),
  phone: z.string().nullable().describe('masked (138****1234) unless the caller may manage the roster'),
  title: z.string().nullable(),
  active: z.boolean(),
  userId: id.nullable(),
})
export const PersonList = items(Person)
export const PersonDetail = Person.extend({ devices: z.array(z.unknown()) })

export const Team = z.object({
  id,
  communityId: id,
  name: z.string(),
  kind: z.string(),
  kindLabel: z.string().nullable(),
  leaderId: id.nullable(),
  leaderName: z.string().nullable(),
  deputyIds: z.array(id),
  memberCount: z.number().int(),
  active: z.boolean(),
})
export const TeamList = items(Team)

export const User = z.object({
  id,
  username: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  personId: id.nullable(),
  districtId: id.nullable(),
  communityIds: z.array(id),
  active: z.boolean(),
  mustChangePassword: z.boolean(),
  createdAt: time,
  lastSignInAt: nullableTime,
})
export const UserList = items(User)

export const Device = z.object({ id: z.string(), communityId: id, personId: id.nullable(), personName: z.string().nullable(), name: z.string().nullable(), createdAt: time })
export const DeviceList = items(Device)

export const KeyPlace = z.object({
  id,
  communityId: id,
  buildingId: id.nullable(),
  kind: z.string(),
  name: z.string(),
  code: z.string().optional().describe('only for roles that may print codes'),
  lon: z.number(),
  lat: z.number(),
})
export const KeyPlaceList = items(KeyPlace)

export const Checkin = z.object({
  id,
  communityId: id,
  keyPlaceId: id,
  keyPlaceName: z.string().nullable(),
  deviceId: z.string().nullable(),
  personId: id.nullable(),
  personName: z.string().nullable(),
  t: time,
  lon: z.number().nullable(),
  lat: z.number().nullable(),
})
export const CheckinList = items(Checkin)

export const Track = feature(
  z.object({
    id: z.string(),
    deviceId: z.string(),
    communityId: id,
    personId: id.nullable(),
    personName: z.string().nullable(),
    from: time,
    to: time,
    points: z.number().int(),
    times: z.array(z.number()).describe('seconds since `from`, one per vertex'),
  }),
  z.string(),
)
export const TrackCollection = collection(Track, {
  next: z.string().nullable().describe('cursor of the next page of devices (null on the last); also in the Link header'),
  limit: z.number().int().describe('devices per page'),
})
export const TrackFlags = collection(AnyFeature, { total: z.number().int(), flaggedPoints: z.number().int() })

export const Building = z.object({ id, communityId: id, name: z.string().nullable(), kind: z.string().nullable(), floors: z.number().int().nullable(), households: z.number().int().nullable(), headPersonId: id.nullable(), headName: z.string().nullable() })

export const AuditEntry = z.object({ id, at: time, userId: id.nullable(), username: z.string().nullable(), communityId: id.nullable(), action: z.string(), entity: z.string(), entityId: z.string().nullable() })
export const AuditList = items(AuditEntry)

export const AnyList = items(AnyObject)

const Link = z.object({ href: z.string(), rel: z.string(), type: z.string().optional(), title: z.string().optional() })
export const OgcLanding = z.object({ title: z.string(), description: z.string().optional(), links: z.array(Link) })
export const OgcConformance = z.object({ conformsTo: z.array(z.string()) })
const OgcCollection = z.object({ id: z.string(), title: z.string().optional(), description: z.string().optional(), itemType: z.string().optional(), crs: z.array(z.string()).optional(), extent: AnyObject.optional(), links: z.array(Link) })
export const OgcCollections = z.object({ links: z.array(Link), collections: z.array(OgcCollection) })
export { OgcCollection }
export const OgcItems = collection(AnyFeature, { numberMatched: z.number().int(), numberReturned: z.number().int(), timeStamp: time, links: z.array(Link) })
export const OgcItem = AnyFeature.extend({ links: z.array(Link) })

/** Every named response schema, by its name under `components.schemas`. */
export const RESPONSE_SCHEMAS = {
  Problem,
  Geometry,
  AnyFeature,
  AnyFeatureCollection,
  AnyObject,
  AnyList,
  Health,
  Login,
  Me,
  AppConfig,
  Community,
  CommunityCollection,
  Hazard,
  HazardDetail,
  HazardPage,
  PhotoCreated,
  Zone,
  ZoneCollection,
  ZoneDetail,
  ZoneWrite,
  ZoneCheck,
  ZoneStats,
  Stats,
  Trend,
  Coverage,
  CoverageCalendar,
  Person,
  PersonList,
  PersonDetail,
  Team,
  TeamList,
  User,
  UserList,
  Device,
  DeviceList,
  KeyPlace,
  KeyPlaceList,
  Checkin,
  CheckinList,
  Track,
  TrackCollection,
  TrackFlags,
  Building,
  AuditEntry,
  AuditList,
  OgcLanding,
  OgcConformance,
  OgcCollection,
  OgcCollections,
  OgcItems,
  OgcItem,
} as const

/** The name of a response schema. */
export type SchemaName = keyof typeof RESPONSE_SCHEMAS
