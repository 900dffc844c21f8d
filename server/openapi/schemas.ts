import { z } from 'zod'
import { HOTSPOT_CONFIDENCES } from '../../core/answers.ts'
import { ALERT_EVENTS, ALERT_PROVIDERS, DELIVERY_STATUSES } from '../../core/alerts.ts'
import { CARE_DAY_STATES, POINTS_KINDS } from '../../core/care.ts'
import { ALL_CATEGORIES, CATEGORIES, LEVELS, MATTER_TYPES, SEVERITIES, SOURCES, STATUSES } from '../../core/matters.ts'
import { CARE_GROUPS, KEY_PLACE_KINDS, PLAN_TYPES, RATINGS, TEAM_KINDS_ANY, UNIT_KINDS } from '../../core/org.ts'
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

export const Community = feature(
  z.object({
    id,
    name: z.string(),
    nameEn: z.string().nullable(),
    utmSrid: z.number().int(),
    districtId: id.nullable(),
    publicCode: z.string().describe('the code of its public monthly summary (公示, `/public/summary?community=`): random, not the id'),
  }),
  id,
)
export const CommunityCollection = collection(Community)

export const HazardProperties = z.object({
  id,
  communityId: id,
  zoneId: id.nullable(),
  microGridId: id.nullable().describe('the micro-grid (微网格) it was reported in, if any; zoneId is its grid'),
  buildingId: id.nullable(),
  place: z
    .object({ buildingName: z.string().nullable(), compoundName: z.string().nullable() })
    .nullable()
    .describe('the building it is at and its compound (小区), for a readable address (core/address.ts); null without a building'),
  type: z.enum(MATTER_TYPES).describe('kind of matter (事项类型)'),
  category: z.enum(ALL_CATEGORIES as unknown as [string, ...string[]]).describe('one of its type’s categories (core/matters.ts CATEGORIES_BY_TYPE)'),
  severity: z.enum(SEVERITIES),
  level: z.enum(LEVELS).describe('handling level (办理层级): sets dueAt'),
  source: z.enum(SOURCES),
  escalations: z.number().int().describe('times escalated (升级)'),
  escalatedAt: nullableTime,
  unitId: id.nullable().describe('the partner unit (共建单位) it is handed to'),
  unitName: z.string().nullable(),
  contact: z.string().nullable().describe('a resident’s phone: masked, whole only for admin and command in the detail'),
  answer: z.string().nullable().describe('the answer the resident reads'),
  answeredAt: nullableTime,
  rating: z.enum(RATINGS).nullable(),
  ratingComment: z.string().nullable(),
  ratedAt: nullableTime,
  status: z.enum(STATUSES),
  description: z.string().nullable(),
  reportedAt: time,
  dueAt: time,
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
const HazardEvent = z.object({
  at: time,
  by: z.string().nullable(),
  from: z.enum(STATUSES).nullable(),
  to: z.enum(STATUSES),
  note: z.string().nullable(),
  assigneeId: id.nullable(),
  kind: z.enum(['transition', 'reminder', 'escalation', 'arrival']).describe('reminder: a 催办; escalation: a 升级 (fromLevel → toLevel); arrival: a 到场'),
  unitId: id.nullable(),
  unitName: z.string().nullable(),
  fromLevel: z.enum(LEVELS).nullable(),
  toLevel: z.enum(LEVELS).nullable(),
})
const HazardPhoto = z.object({
  id,
  url: z.string(),
  width: z.number().int().nullable().optional(),
  height: z.number().int().nullable().optional(),
  role: z.enum(['before', 'after']).nullable().optional().describe('what the photo shows: as found (before) or once fixed (after)'),
})
const HazardComment = z.object({ at: time, by: z.string().nullable(), unitId: id.nullable(), unitName: z.string().nullable(), note: z.string() })
export const HazardDetail = feature(HazardProperties.extend({ events: z.array(HazardEvent), photos: z.array(HazardPhoto), comments: z.array(HazardComment) }), id)
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
export const ZoneWrite = Zone.extend({ overlaps: z.array(z.object({ zoneId: id, name: z.string(), areaM2: z.number() })).describe('other zones of the same tier it overlaps, largest first') })
/** A version of a zone: what it was while valid, and who wrote it. */
export const ZoneVersion = z.object({
  id: id.describe('the history row'),
  zoneId: id,
  communityId: id,
  name: z.string(),
  validFrom: time,
  validTo: nullableTime.describe('null for the current version'),
  assigneeId: id.nullable(),
  assigneeName: z.string().nullable(),
  parentId: id.nullable(),
  areaM2: z.number(),
  areaChangeM2: z.number().nullable().describe('against the version before; null for the first'),
  userId: id.nullable().describe('who wrote it (the audit log); null when not recorded'),
  userName: z.string().nullable(),
  action: z.string().nullable().describe('create, update, split, … as the audit log has it'),
  geometry: Geometry,
})
export const ZoneVersionList = items(ZoneVersion)
const Overlap = z.object({ a: id, b: id, areaM2: z.number(), geometry: Geometry.nullable() }).describe('a pair sharing more than a sliver, a < b')
export const ZoneCheck = z.object({
  communityId: id,
  overlaps: z.array(Overlap),
  gaps: z.object({ areaM2: z.number(), geometry: Geometry.describe('a MultiPolygon, empty when nothing is left') }),
  coverage: z.number(),
  communityAreaM2: z.number(),
  zonedAreaM2: z.number(),
  microGrids: z.array(
    z.object({
      parentId: id,
      name: z.string(),
      count: z.number().int(),
      overlaps: z.array(Overlap),
      gaps: z.object({ areaM2: z.number(), geometry: Geometry.describe('a MultiPolygon, empty when nothing is left') }),
      coverage: z.number(),
    }),
  ),
})
const Window = z.object({ from: nullableTime, to: nullableTime })
const counts = z.record(z.string(), z.number().int())
/** `{ key: count }` with every key of a vocabulary. */
const countsOf = (keys: readonly string[]) => z.object(Object.fromEntries(keys.map((k) => [k, z.number().int()])))
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

/** Targets measured against (shares 0..1; core/terms.ts). */
export const Targets = z.object({
  responseMinutes: z.number().int(),
  responseRate: z.number(),
  onTimeClosureRate: z.number(),
  weeklyCoverage: z.number(),
  levelDays: z.object({ micro_grid: z.number().int(), grid: z.number().int(), street: z.number().int() }),
})
/** `GET|PUT /api/communities/:id/targets`: what a community set (`own`) and what it is measured against. */
export const CommunityTargets = z.object({
  communityId: id,
  own: z.object({ responseRate: z.number().optional(), onTimeClosureRate: z.number().optional(), weeklyCoverage: z.number().optional() }),
  targets: Targets,
})
/** `GET /api/stats/communities`: the street office's overview, a row per community, most overdue first. */
export const CommunityOverview = items(
  z.object({
    communityId: id,
    name: z.string(),
    open: z.number().int(),
    overdue: z.number().int(),
    critical: z.number().int(),
    pendingReview: z.number().int().describe('residents’ reports waiting for review (待核实)'),
    onDuty: z.number().int().describe('duty sessions running now (started within 12 hours)'),
  }),
)
export const Stats = z.object({
  window: Window,
  targets: Targets.describe('the community’s own targets, or the defaults for several communities'),
  communityId: id.nullable(),
  hazards: z.object({
    total: z.number().int(),
    byStatus: countsOf(STATUSES.filter((s) => s !== 'rejected' && s !== 'pending_review')),
    byCategory: countsOf(CATEGORIES),
    bySeverity: countsOf(SEVERITIES),
    byLevel: countsOf(LEVELS).describe('by handling level now (办理层级)'),
    byType: countsOf(MATTER_TYPES).describe('by kind of matter (事项类型)'),
    escalated: z.number().int().describe('escalated at least once (升级)'),
  }),
  escalatedRate: z.number().nullable(),
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
  pendingReview: z.number().int().describe("residents' reports of the window still waiting for review (待核实): not in `hazards.total`"),
  notClosed: z
    .number()
    .int()
    .describe('未闭环: the matters of the window neither verified nor rejected, the reports waiting for review (待核实) included (core/matters.ts NOT_CLOSED_STATUSES)'),
})
export const Trend = z.object({
  timeZone: z.string(),
  communityId: id.nullable(),
  days: z.array(date),
  from: time,
  to: time,
  series: z.array(z.object({ category: z.enum(ALL_CATEGORIES as unknown as [string, ...string[]]), counts: z.array(z.number().int()), total: z.number().int() })),
  total: z.array(z.number().int()),
})

const Visited = z.object({ total: z.number().int(), visited: z.number().int(), coverage: z.number().describe('visited / total; 1 when there is none') })
/** `GET /api/tracks/flags` (and `flagged` of the coverage): stretches of consecutive implausible points, with the reason. */
export const TrackFlags = collection(
  feature(
    z.object({
      id: z.string(),
      deviceId: z.string(),
      personName: z.string().nullable(),
      teamName: z.string().nullable(),
      from: time,
      to: time,
      points: z.number().int(),
      reason: z.string(),
    }),
    z.string(),
  ),
  { total: z.number().int(), flaggedPoints: z.number().int() },
)
export const Coverage = z.object({
  window: z.object({ from: time, to: time }),
  radiusM: z.number(),
  communityId: id,
  zoneId: id.nullable(),
  buildings: Visited.extend({ byTrack: z.number().int(), byCheckin: z.number().int() }),
  keyPlaces: Visited.extend({ byTrack: z.number().int(), byCheckin: z.number().int() }),
  byZone: z.array(z.object({ zoneId: id, name: z.string(), teamId: id.nullable(), teamName: z.string().nullable(), assigneeName: z.string().nullable(), buildings: Visited, keyPlaces: Visited })),
  byTeam: z.array(z.object({ teamId: id.nullable(), name: z.string().nullable(), zoneIds: z.array(id), buildings: Visited, keyPlaces: Visited })),
  unvisited: AnyFeatureCollection,
  flagged: TrackFlags.describe('the implausible stretches of the window’s tracks, left out of the coverage'),
})
export const CoverageCalendar = z.object({
  communityId: id,
  timeZone: z.string(),
  radiusM: z.number(),
  days: z.array(date),
  compounds: z.array(
    z.object({
      id,
      name: z.string(),
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
  teamLeaderId: id.nullable(),
  teamIds: z.array(id),
  teamNames: z.array(z.string()),
  deputyOf: z.array(id).describe('teams where the person is a deputy leader'),
  zoneNames: z.array(z.string()).describe('the zones the person is responsible for (责任人)'),
  teamZoneNames: z.array(z.string()).describe('the other zones the person’s teams look after'),
  name: z.string(),
  phone: z.string().nullable().describe('masked (138****1234) unless the caller may manage the roster'),
  title: z.string().nullable(),
  posts: z.array(z.string()),
  active: z.boolean(),
  joinedOn: date.nullable(),
  leftOn: date.nullable(),
  userId: id.nullable(),
})
export const PersonList = items(Person)
export const Device = z.object({ id: z.string(), communityId: id, personId: id.nullable(), personName: z.string().nullable(), name: z.string().nullable(), createdAt: time, addedBy: id.nullable(), lastPositionAt: nullableTime })
export const PersonDetail = Person.extend({ devices: z.array(Device) })

export const Team = z.object({
  id,
  communityId: id,
  name: z.string(),
  kind: z.enum(TEAM_KINDS_ANY),
  kindLabel: z.string().nullable(),
  leaderId: id.nullable(),
  leaderName: z.string().nullable(),
  deputyIds: z.array(id),
  memberCount: z.number().int(),
  activeCount: z.number().int(),
  active: z.boolean(),
})
export const TeamList = items(Team)

export const User = z.object({
  id,
  username: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  personId: id.nullable(),
  personName: z.string().nullable(),
  districtId: id.nullable(),
  communityIds: z.array(id),
  unitId: id.nullable().describe('a partner account’s unit (共建单位)'),
  unitName: z.string().nullable(),
  active: z.boolean(),
  mustChangePassword: z.boolean(),
  createdAt: time,
  lastSignInAt: nullableTime,
})
export const UserList = items(User)

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
  keyPlaceName: z.string(),
  code: z.string().optional().describe('only for roles that may print codes'),
  buildingId: id.nullable(),
  deviceId: z.string().nullable(),
  personId: id.nullable(),
  personName: z.string().nullable(),
  t: time,
  lon: z.number(),
  lat: z.number(),
})
export const CheckinList = items(Checkin)

export const Track = feature(
  z.object({
    id: z.string(),
    deviceId: z.string(),
    communityId: id,
    personId: id.nullable(),
    personName: z.string().nullable(),
    teamId: id.nullable(),
    teamName: z.string().nullable(),
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

export const Building = z.object({ id, communityId: id, name: z.string().nullable(), kind: z.string().nullable(), floors: z.number().int().nullable(), households: z.number().int().nullable(), headPersonId: id.nullable(), headName: z.string().nullable() })

/*
 * The map layers of `GET /api/layers/:layer` (server/queries/layers.ts), one schema a layer: a feature's
 * properties are what that layer's query builds. The operation answers {@link MapLayer}, any one of them.
 */
/** `GET /api/layers/communities`: the community boundaries. */
export const CommunityLayer = CommunityCollection
/** A residential compound (小区). */
export const CompoundFeature = feature(z.object({ id, name: z.string(), communityId: id }), id)
export const CompoundLayer = collection(CompoundFeature)
/** A building footprint, with its head (楼栋长) when named. */
export const BuildingFeature = feature(
  z.object({
    id,
    name: z.string().nullable(),
    kind: z.string().describe('OSM building kind (residential, apartments, …); building when unknown'),
    floors: z.number().int().nullable(),
    households: z.number().int(),
    compoundId: id.nullable(),
    communityId: id,
    headPersonId: id.nullable(),
    headName: z.string().nullable(),
  }),
  id,
)
export const BuildingLayer = collection(BuildingFeature)
/** A key place (重点部位); its QR code is not here (GET /api/key-places, for roles that print codes). */
export const KeyPlaceFeature = feature(z.object({ id, kind: z.enum(KEY_PLACE_KINDS), name: z.string(), buildingId: id.nullable(), communityId: id }), id)
export const KeyPlaceLayer = collection(KeyPlaceFeature)
/** A zone as the map draws it (the zone list, `GET /api/zones`, says more). */
export const ZoneLayerFeature = feature(
  ZoneProperties.pick({ id: true, name: true, communityId: true, parentId: true, assigneeId: true, assigneeName: true, teamId: true, areaM2: true }),
  id,
)
export const ZoneLayer = collection(ZoneLayerFeature)
/** A road, path or rail line (Tilezen kinds: highway, major_road, minor_road, path, rail, …). */
export const RoadFeature = feature(z.object({ id, kind: z.string(), kindDetail: z.string().nullable(), name: z.string().nullable() }), id)
export const RoadLayer = collection(RoadFeature)
/** A water body or waterway. */
export const WaterFeature = feature(z.object({ id, kind: z.string().nullable(), name: z.string().nullable() }), id)
export const WaterLayer = collection(WaterFeature)
/** `GET /api/layers/:layer`: the collection of the layer asked for. */
export const MapLayer = z
  .union([CommunityLayer, CompoundLayer, BuildingLayer, KeyPlaceLayer, ZoneLayer, RoadLayer, WaterLayer])
  .describe('by :layer — communities: CommunityLayer, compounds: CompoundLayer, buildings: BuildingLayer, key-places: KeyPlaceLayer, zones: ZoneLayer, roads: RoadLayer, water: WaterLayer')

/** A feature a community import read (`GET /api/community-imports/:id/features`), with the check's verdict. */
export const ImportFeature = feature(
  z.object({
    seq: z.number().int(),
    layer: z.enum(['buildings', 'roads', 'other']),
    status: z.enum(['pending', 'accepted', 'straddling', 'refused', 'merged']),
    reason: z.string().nullable().describe('why it was refused or straddles the boundary'),
    file: z.string(),
    index: z.number().int().describe('its place in its file'),
    insideShare: z.number().nullable().describe('the share of it inside the boundary (0–1)'),
    name: z.string().nullable(),
    osmId: z.string().nullable(),
  }),
  z.number().int(),
)
export const ImportFeatureCollection = collection(ImportFeature)

export const AuditEntry = z.object({
  id,
  at: time,
  userId: id.nullable(),
  username: z.string().nullable(),
  communityId: id.nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown().describe('the entity before the change (JSON), or null'),
  after: z.unknown().describe('the entity after the change (JSON), or null'),
})
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

// ---- Version 2 answers (issues 14–19) and the rest of the writes ----

const count = z.number().int()
const DELIVERY_EVENTS = [...ALERT_EVENTS, 'reminder', 'test'] as const
const CoverageCountSchema = z.object({ total: count, visited: count, coverage: z.number() })
const RejectedRow = z.object({ index: count, reason: z.string() })

export const SetupState = z.object({ needsAdmin: z.boolean(), communities: count })
export const LayerImportResult = z.object({ imported: count, merged: count, rejected: z.array(RejectedRow), ids: z.array(id) })
export const RosterImportResult = z.object({
  dryRun: z.boolean(),
  communityId: id,
  imported: count,
  updated: count,
  unchanged: count,
  rejected: z.array(z.object({ row: count, reason: z.string() })),
  rows: z.array(z.object({ row: count, action: z.enum(['create', 'update', 'unchanged']), name: z.string(), personId: id.nullable() })),
})
const ImportSummary = z.object({
  buildings: z.object({ accepted: count, straddling: count, refused: count, merged: count }),
  roads: z.object({ accepted: count, refused: count, merged: count }),
  other: z.object({ refused: count }),
  byReason: z.array(z.object({ layer: z.string(), reason: z.string(), count })),
})
export const ImportJob = z.object({
  id,
  status: z.enum(['queued', 'parsing', 'checking', 'ready', 'committing', 'done', 'failed', 'cancelled']),
  stage: z.string().nullable(),
  done: count,
  total: count,
  params: z.object({}).catchall(z.unknown()),
  summary: ImportSummary.nullable(),
  error: z.string().nullable(),
  communityId: id.nullable(),
  userId: id.nullable(),
  boundary: Geometry.nullable().optional().describe('the community boundary read (one job only, not in the list)'),
  boundaryAreaM2: z.number().nullable(),
  utmSrid: z.number().int().nullable(),
  createdAt: time,
  updatedAt: time,
})
export const ImportJobList = items(ImportJob)

export const TrackUploadResult = z.object({ accepted: count, duplicates: count, rejected: z.array(RejectedRow) })
export const OwnTracksAnswer = z.array(z.unknown()).describe('always []: OwnTracks reads it as the friends’ positions, none')
export const CheckinCreated = Checkin.extend({ code: z.string(), clientId: z.string().nullable() })
export const DeviceCreated = Device
export const KeyPlaceByCode = KeyPlace.extend({ communityName: z.string(), code: z.string(), checkinUrl: z.string() })
export const PasswordReset = User.extend({ password: z.string().describe('the new password, shown once') })
export const ZoneSplit = z.object({ zone: Zone, created: Zone })
/** How balanced a zone suggestion is. */
export const SuggestBalance = z.object({
  by: z.enum(['households', 'buildings']).describe('what is balanced: households, or buildings when no building records households'),
  mean: z.number(),
  min: z.number(),
  max: z.number(),
  minRatio: z.number().describe('min / mean'),
  maxRatio: z.number().describe('max / mean'),
  withinTolerance: z.boolean().describe('whether every group lies within ±tolerance of the mean'),
  tolerance: z.number(),
})
export const ZoneSuggestion = collection(
  feature(z.object({ id: z.string(), name: z.string(), households: count, buildings: count, areaM2: z.number(), buildingIds: z.array(id), parentId: id.nullable() }), z.string()),
  {
    balance: SuggestBalance,
    communityId: id,
  },
)
/** The residents' figures of a report period (server/queries/reports.ts residentSection). */
export const ResidentFigures = z
  .object({
    reports: count,
    hazards: count,
    requests: count,
    answered: count.describe('reviewed (accepted or declined) by the end of the period'),
    accepted: count,
    declined: count,
    waiting: count.describe('still waiting for review (待核实) at the end of the period'),
    withoutReview: count.describe('entered without the review step (recorded before it existed): neither answered nor waiting'),
    medianAnswerMinutes: z.number().nullable().describe('report → first answer (the review), minutes'),
    p90AnswerMinutes: z.number().nullable(),
    rated: count.describe('ratings given in the period'),
    satisfied: count,
    basically: count,
    unsatisfied: count,
    satisfactionRate: z.number().nullable().describe('(satisfied + basically) / rated'),
  })
  .describe("residents' reports of the period as it stood at its end, and the ratings given in it (issue 15)")

export const ReportData = z
  .object({
    window: z.object({}).catchall(z.unknown()),
    generatedAt: time,
    scope: z.object({ districtName: z.string().nullable(), communities: z.array(z.object({ id, name: z.string(), nameEn: z.string().nullable() })) }),
    targets: z.object({}).catchall(z.unknown()),
    headline: z.object({
      found: count,
      closed: count,
      overdue: count,
      rejected: count,
      responseRate: z.number().nullable(),
      closureRate: z.number().nullable(),
      escalated: count,
      notClosed: count.describe('未闭环: found in the period, neither verified nor rejected now; the reports waiting for review (待核实) included'),
      pendingReview: count.describe("residents' reports of the period still waiting for review (待核实) now"),
    }),
    byCategory: z.array(z.object({ category: z.string() }).catchall(z.unknown())),
    bySeverity: z.array(z.object({ severity: z.enum(SEVERITIES) }).catchall(z.unknown())),
    byUnit: z.array(
      z.object({
        unitId: id,
        name: z.string(),
        handed: count,
        responded: count.describe('arrived on site within 7 minutes of the report (contract v2: reportedAt → arrivedAt)'),
        responseBase: count.describe('the handed matters the 7-minute rate is over (not found on patrol)'),
        closed: count,
        onTime: count,
        responseRate: z.number().nullable().describe('responded / responseBase'),
        closureRate: z.number().nullable(),
      }).catchall(z.unknown()),
    ),
    residents: ResidentFigures,
  })
  .describe('`format=json`; the other formats render the same data (server/queries/reports.ts ReportData)')

const Delivery = z.object({
  id,
  event: z.enum(DELIVERY_EVENTS),
  eventKey: z.string(),
  hazardId: id.nullable(),
  title: z.string().nullable(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: count,
  maxAttempts: count,
  lastError: z.string().nullable(),
  responseCode: z.number().int().nullable(),
  createdAt: time,
  lastAttemptAt: nullableTime,
  nextAttemptAt: nullableTime,
  sentAt: nullableTime,
})
export const AlertChannel = z.object({
  id,
  communityId: id,
  zoneId: id.nullable(),
  zoneName: z.string().nullable(),
  name: z.string(),
  provider: z.enum(ALERT_PROVIDERS),
  url: z.string().describe('the token masked'),
  secret: z.string().nullable().describe('masked'),
  hasSecret: z.boolean(),
  events: z.array(z.enum(ALERT_EVENTS)),
  enabled: z.boolean(),
  createdAt: time,
  updatedAt: time,
  deliveries: z.object({ sent: count, failed: count, pending: count }),
  lastDelivery: z.object({ id, event: z.enum(DELIVERY_EVENTS), status: z.enum(DELIVERY_STATUSES), at: time, error: z.string().nullable() }).nullable(),
})
export const AlertChannelList = items(AlertChannel)
export const AlertDeliveryList = items(Delivery)
export const AlertTestResult = z.object({ ok: z.boolean(), responseCode: z.number().int().nullable(), error: z.string().nullable(), delivery: Delivery.nullable().optional() })

export const PartnerUnit = z.object({
  id,
  name: z.string(),
  kind: z.enum(UNIT_KINDS),
  contact: z.string().nullable(),
  active: z.boolean(),
  communityIds: z.array(id),
  accountCount: count,
  createdAt: time,
  updatedAt: time,
})
export const PartnerUnitList = items(PartnerUnit)

export const PublicReportCreated = z.object({ trackingCode: z.string(), url: z.string().describe('the tracking page') })
export const PublicReportView = z.object({
  trackingCode: z.string(),
  type: z.string(),
  category: z.string(),
  status: z.enum(STATUSES),
  reportedAt: time,
  closedAt: nullableTime,
  place: z.string().nullable(),
  timeline: z.array(z.object({ at: time, status: z.enum(STATUSES) })),
  answer: z.string().nullable(),
  answeredAt: nullableTime,
  rating: z.enum(RATINGS).nullable(),
  ratedAt: nullableTime,
  mayRate: z.boolean(),
})
export const PublicArea = z.object({ bbox: z.array(z.number()).min(4).max(4).nullable().describe('[minLon, minLat, maxLon, maxLat]; null when no community is served') })
export const PublicSummary = z
  .object({
    community: z.object({ name: z.string(), nameEn: z.string().nullable() }),
    month: z.string().describe('YYYY-MM (Asia/Shanghai)'),
    label: z.string().describe('the month in Chinese, e.g. 2026年11月'),
    from: time,
    to: time,
    total: z.number().int().describe('matters reported in the month (declined ones, those waiting for review and leads left out)'),
    byType: countsOf(MATTER_TYPES.filter((t) => t !== 'lead')),
    byCategory: z.array(z.object({ category: z.string(), count: z.number().int() })).describe('most first'),
    byLevel: countsOf(LEVELS),
    closed: z.number().int().describe('of them, closed (verified) by now'),
    closedRate: z.number().nullable(),
    averageHandlingHours: z.number().nullable().describe('mean hours from report to close over the closed ones'),
    satisfaction: z.object({
      rated: z.number().int().describe('ratings given in the month'),
      satisfied: z.number().int(),
      basically: z.number().int(),
      unsatisfied: z.number().int(),
      rate: z.number().nullable().describe('(satisfied + basically) / rated'),
    }),
    residentReports: z.number().int().describe("residents' reports made in the month"),
    byGrid: z.array(z.object({ name: z.string().nullable().describe('the grid as named then; null = outside every grid'), count: z.number().int() })),
  })
  .describe('公示: counts only, no names, phones, descriptions or places of matters')
export const HotlineColumns = z.object({
  sheet: z.string(),
  headers: z.array(z.string()).describe('the header row (an empty header named 列N)'),
  rows: z.number().int().describe('ticket rows under it'),
  samples: z.array(z.array(z.string())).describe('the first rows, as text'),
  suggested: z.object({}).catchall(z.number().int()).describe('a column index per field guessed from the headers (ticket, time, address, content, category, phone)'),
})
export const HotlineImportResult = z.object({
  dryRun: z.boolean(),
  total: z.number().int().describe('rows read'),
  accepted: z.number().int().describe('rows that passed the checks and found their building'),
  imported: z.number().int().describe('matters made (0 in a preview)'),
  skipped: z.number().int().describe('accepted rows whose ticket is already in the community (not made again)'),
  rows: z
    .array(
      z.object({
        row: z.number().int(),
        ticket: z.string(),
        reportedAt: time,
        place: z.string().describe('the building, as its readable address'),
        type: z.enum(['hazard', 'request']),
        category: z.string(),
        exists: z.boolean(),
      }),
    )
    .describe('the accepted rows (at most 500 listed)'),
  rejected: z.array(z.object({ row: z.number().int(), ticket: z.string().nullable(), reason: z.string() })),
})
export const PublicPlace = z.object({ code: z.string(), name: z.string(), communityName: z.string() })
export const PosterList = items(
  z.object({
    kind: z.enum(['compound', 'building']),
    id,
    communityId: id,
    communityName: z.string(),
    name: z.string(),
    compoundName: z.string().nullable(),
    code: z.string(),
    reportUrl: z.string(),
    qrUrl: z.string(),
  }),
)

export const SpotCheckSample = z.object({ total: count.describe('matters fixed on the spot in the window'), days: count, features: z.array(HazardDetail).describe('the sample, with timelines and photos') })
export const ReminderResult = z.object({ hazardId: id, at: time, assigneeId: id, assigneeName: z.string().nullable(), note: z.string().nullable(), alerts: count })

const LonLat = z.array(z.number()).min(2).max(2)
export const RouteFeature = z.object({
  type: z.literal('Feature'),
  geometry: Geometry.nullable(),
  properties: z.object({
    communityId: id,
    zoneId: id.nullable(),
    window: z.object({ from: time, to: time }),
    radiusM: z.number(),
    start: LonLat.nullable(),
    distanceM: z.number(),
    minutes: z.number(),
    nearestNeighbourM: z.number(),
    stops: z.array(z.object({ kind: z.enum(['building', 'key_place']), id, label: z.string(), order: count, legM: z.number(), lon: z.number(), lat: z.number() })),
    unreachable: z.array(z.object({ kind: z.enum(['building', 'key_place']), id, label: z.string(), reason: z.enum(['no_road_nearby', 'disconnected']) })),
    budgetExhausted: z.boolean(),
    computedMs: z.number(),
  }),
})
export const WalkRoute = z.object({
  type: z.literal('Feature'),
  geometry: z.object({ type: z.literal('LineString'), coordinates: z.array(LonLat) }).nullable().describe('the way along the roads, from the position to the matter; null when no road leads there'),
  properties: z.object({
    communityId: id,
    hazardId: id,
    from: LonLat.describe('the position walked from'),
    to: LonLat.describe('the matter'),
    distanceM: z.number().describe('walking distance, m'),
    minutes: z.number().int().describe('walking time at 1.2 m/s'),
    straightM: z.number().describe('straight-line distance, m'),
    reason: z.enum(['no_road_nearby', 'disconnected']).nullable().describe('why there is no way (geometry null)'),
    computedMs: z.number(),
  }),
})
export const RouteAssignment = z.object({ id, personId: id, personName: z.string(), assignedAt: time, assignedBy: z.string().nullable(), route: RouteFeature })

const Occurrence = z.object({ from: time, to: time })
export const PatrolPlan = z.object({
  id,
  communityId: id,
  type: z.enum(PLAN_TYPES),
  name: z.string(),
  from: time,
  to: time,
  repeat: z.object({ weekdays: z.array(z.number().int()), start: z.string().describe('HH:MM'), end: z.string().describe('HH:MM') }).nullable(),
  zoneIds: z.array(id),
  personIds: z.array(id),
  unitIds: z.array(id),
  leaderId: id.nullable(),
  leaderName: z.string().nullable(),
  area: Geometry.nullable(),
  note: z.string().nullable(),
  createdBy: id.nullable(),
  createdAt: time,
  updatedAt: time,
  occurrences: z.array(Occurrence).optional().describe('the windows inside the listed window'),
})
export const PatrolPlanList = items(PatrolPlan)
const Visited3 = CoverageCountSchema.extend({ byTrack: count, byCheckin: count })
/** A person of a plan's answer: planned or not, minutes on duty and metres walked in the plan's windows. */
export const PlanPerson = z.object({
  personId: id,
  name: z.string(),
  planned: z.boolean(),
  came: z.boolean().describe('whether the person was on duty inside the plan’s windows at all'),
  onDutyMinutes: z.number().describe('minutes on duty inside the plan’s windows (an open session counts up to now)'),
  distanceM: z.number().describe('metres walked on duty inside the windows'),
})
export const PlanCoverage = z.object({
  planId: id,
  communityId: id,
  window: Occurrence,
  occurrences: z.array(Occurrence),
  radiusM: z.number(),
  buildings: Visited3,
  keyPlaces: Visited3,
  byZone: z.array(z.object({ zoneId: id, name: z.string(), buildings: CoverageCountSchema, keyPlaces: CoverageCountSchema })),
  unvisited: AnyFeatureCollection,
  people: z.array(PlanPerson),
  runningNow: z.boolean(),
  zonesWithoutDutyNow: z.array(z.object({ zoneId: id, name: z.string() })),
  onDutyNow: z.array(z.object({ personId: id.nullable(), name: z.string().nullable(), deviceId: z.string(), zoneId: id.nullable(), since: time })),
})

export const DutySession = z.object({
  id,
  communityId: id,
  personId: id.nullable(),
  personName: z.string().nullable(),
  deviceId: z.string(),
  startedAt: time,
  stoppedAt: nullableTime,
  open: z.boolean(),
  minutes: z.number(),
  distanceM: z.number(),
})
export const DutySessionList = items(DutySession)
export const PersonActivity = z.object({
  personId: id,
  name: z.string(),
  window: z.object({ from: time, to: time }),
  dutyMinutes: z.number(),
  dutyHours: z.number(),
  distanceM: z.number(),
  sessions: count,
  reports: z.object({ total: count, confirmed: count }),
  checkins: count,
})

export const CareResident = z.object({
  id,
  communityId: id,
  name: z.string(),
  address: z.string().nullable().describe('masked unless admin or a paired member'),
  phone: z.string().nullable().describe('masked unless admin or a paired member'),
  masked: z.boolean(),
  group: z.enum(CARE_GROUPS),
  buildingId: id.nullable(),
  lon: z.number(),
  lat: z.number(),
  visitsPerDay: z.number().int().nullable(),
  visitsPerWeek: z.number().int().nullable(),
  active: z.boolean(),
  note: z.string().nullable(),
  people: z.array(z.object({ id, name: z.string() })),
  doorCode: z.string().optional().describe('only for those who keep the register'),
  createdAt: time,
  updatedAt: time,
})
export const CareResidentList = items(CareResident)
export const CareVisit = z.object({
  id,
  communityId: id,
  residentId: id,
  residentName: z.string(),
  personId: id.nullable(),
  personName: z.string().nullable(),
  t: time,
  distanceM: z.number().nullable(),
  byCode: z.boolean(),
  note: z.string().nullable(),
  clientId: z.string().nullable(),
})
export const CareCalendar = z.object({
  days: z.array(date),
  today: date,
  households: z.array(
    z.object({
      residentId: id,
      communityId: id,
      name: z.string(),
      group: z.enum(CARE_GROUPS),
      visitsPerDay: z.number().int().nullable(),
      visitsPerWeek: z.number().int().nullable(),
      days: z.array(z.object({ date, visits: count, due: count, state: z.enum(CARE_DAY_STATES), missed: count })),
      weeks: z.array(z.object({ from: date, visits: count, due: count, missed: count })),
      visits: count,
      due: count,
      missed: count,
    }),
  ),
  summary: z.object({ households: count, visits: count, due: count, missed: count, householdsMissed: count }),
})
export const CareToday = z.object({
  date,
  items: z.array(
    z.object({
      residentId: id,
      name: z.string(),
      group: z.enum(CARE_GROUPS),
      address: z.string().nullable(),
      phone: z.string().nullable(),
      lon: z.number(),
      lat: z.number(),
      visitsPerDay: z.number().int().nullable(),
      visitsPerWeek: z.number().int().nullable(),
      visitsToday: count,
      remaining: count,
      lastVisitAt: nullableTime,
    }),
  ),
  done: count,
})

export const PointsRules = z.object({ communityId: id, perDutyHour: z.number(), perReport: z.number(), perCheckin: z.number(), perCareVisit: z.number(), updatedAt: nullableTime })
const byKindEarned = z.object({ duty: z.number(), report: z.number(), checkin: z.number(), care_visit: z.number() })
export const PointsRanking = z.object({
  month: z.string().describe('YYYY-MM'),
  items: z.array(z.object({ rank: count, personId: id, name: z.string(), teamName: z.string().nullable(), points: z.number(), byKind: byKindEarned })),
})
const RedemptionShape = z.object({ id, personId: id, points: z.number(), item: z.string(), note: z.string().nullable(), at: time, byUserId: id.nullable(), byName: z.string().nullable() })
export const Redemption = RedemptionShape.extend({ balance: z.number().describe('the person’s balance after it') })
export const RedemptionList = items(RedemptionShape)
export const PersonPoints = z.object({
  personId: id,
  name: z.string(),
  communityId: id,
  earned: z.number(),
  redeemed: z.number(),
  balance: z.number(),
  byKind: byKindEarned.extend({ redemption: z.number() }),
  entries: z.array(z.object({ kind: z.enum(POINTS_KINDS), at: time, ref: z.string(), detail: z.string().nullable(), points: z.number(), byName: z.string().nullable().optional() })),
})

const categoryEnum = z.enum(ALL_CATEGORIES as unknown as [string, ...string[]])
/** One hexagon cell of a hot-spot answer. */
export const HotspotProperties = z.object({
  id: z.string(),
  col: z.number().int().describe('column of the hexagon in ST_HexagonGrid(cell) of the community’s UTM zone'),
  row: z.number().int(),
  count,
  giZ: z.number().nullable(),
  giP: z.number().nullable(),
  confidence: z.literal(HOTSPOT_CONFIDENCES).describe('3/2/1 hot at 99/95/90 %, -3/-2/-1 cold, 0 not significant'),
})
export const HotspotCollection = collection(
  feature(HotspotProperties, z.string()),
  {
    communityId: id,
    cellM: z.number(),
    hazards: count,
    cells: count,
    nonEmptyCells: count,
    note: z.object({ code: z.enum(['too_few_hazards', 'too_few_cells']), zh: z.string(), en: z.string() }).nullable().describe('why there are no z-scores'),
  },
)
export const ClusterCollection = collection(
  feature(z.object({ id, clusterId: z.number().int(), communityId: id, count, hazardIds: z.array(id), categories: z.record(z.string(), count) }), id),
  { eps: z.number(), minPoints: count, hazards: count, noise: count },
)
export const RecurrenceCollection = collection(
  feature(z.object({ id, hazardId: id, earlierId: id, category: categoryEnum, count, distanceM: z.number(), reportedAt: time }), id),
)

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
  ZoneVersion,
  ZoneVersionList,
  ZoneCheck,
  ZoneStats,
  Stats,
  CommunityOverview,
  Targets,
  CommunityTargets,
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
  CommunityLayer,
  CompoundFeature,
  CompoundLayer,
  BuildingFeature,
  BuildingLayer,
  KeyPlaceFeature,
  KeyPlaceLayer,
  ZoneLayerFeature,
  ZoneLayer,
  RoadFeature,
  RoadLayer,
  WaterFeature,
  WaterLayer,
  MapLayer,
  ImportFeature,
  ImportFeatureCollection,
  AuditEntry,
  AuditList,
  OgcLanding,
  OgcConformance,
  OgcCollection,
  OgcCollections,
  OgcItems,
  OgcItem,
  SetupState,
  LayerImportResult,
  RosterImportResult,
  ImportJob,
  ImportJobList,
  TrackUploadResult,
  OwnTracksAnswer,
  CheckinCreated,
  DeviceCreated,
  KeyPlaceByCode,
  PasswordReset,
  ZoneSplit,
  SuggestBalance,
  ZoneSuggestion,
  ReportData,
  AlertChannel,
  AlertChannelList,
  AlertDeliveryList,
  AlertTestResult,
  PartnerUnit,
  PartnerUnitList,
  PublicReportCreated,
  PublicReportView,
  PublicSummary,
  HotlineColumns,
  HotlineImportResult,
  PublicArea,
  PublicPlace,
  PosterList,
  SpotCheckSample,
  ReminderResult,
  RouteFeature,
  WalkRoute,
  RouteAssignment,
  PatrolPlan,
  PatrolPlanList,
  PlanPerson,
  PlanCoverage,
  DutySession,
  DutySessionList,
  PersonActivity,
  CareResident,
  CareResidentList,
  CareVisit,
  CareCalendar,
  CareToday,
  PointsRules,
  PointsRanking,
  Redemption,
  RedemptionList,
  PersonPoints,
  HotspotProperties,
  HotspotCollection,
  ClusterCollection,
  RecurrenceCollection,
} as const

/** The name of a response schema. */
export type SchemaName = keyof typeof RESPONSE_SCHEMAS
