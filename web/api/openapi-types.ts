/**
 * Types of the SafeGrid API 2, generated from the OpenAPI document (GET /api/openapi.json)
 * by `npm run openapi-types`. Do not edit: change the routes or server/openapi/, then run it again.
 */

export type Problem = {
  type: string
  title: string
  status: number
  detail: string
  errors?: Array<{
    path: string
    message: string
  }>
}

export type Geometry = {
  type: "Point" | "MultiPoint" | "LineString" | "MultiLineString" | "Polygon" | "MultiPolygon" | "GeometryCollection"
  coordinates?: unknown[]
  geometries?: unknown[]
}

export type AnyFeature = {
  type: "Feature"
  id?: number | string
  geometry: Geometry | null
  properties: Record<string, unknown> | null
}

export type AnyFeatureCollection = {
  type: "FeatureCollection"
  features: AnyFeature[]
}

export type AnyObject = Record<string, unknown>

export type AnyList = {
  items: AnyObject[]
}

export type Health = {
  status: string
  database: string
  postgis: string | null
  postgres: string | null
}

export type Login = {
  token: string
  csrfToken: string
  expiresAt: string
  user: {
    id: number
    username: string
    name: string
    role: "admin" | "planner" | "command" | "leader" | "patrol" | "partner"
    mustChangePassword: boolean
    communityIds?: number[] | null
  }
}

export type Me = {
  user: {
    id: number
    username: string
    name: string
    role: "admin" | "planner" | "command" | "leader" | "patrol" | "partner"
    personId: number | null
    mustChangePassword: boolean
    communityIds?: number[] | null
  }
  csrfToken: string
  teamKinds: string[]
}

export type AppConfig = {
  basemap: Record<string, unknown> | null
}

export type Community = {
  type: "Feature"
  id?: number
  geometry: Geometry | null
  properties: {
    id: number
    name: string
    nameEn: string | null
    utmSrid: number
    districtId: number | null
    publicCode: string
  }
}

export type CommunityCollection = {
  type: "FeatureCollection"
  features: Community[]
}

export type Hazard = {
  type: "Feature"
  id?: number
  geometry: Geometry | null
  properties: {
    id: number
    communityId: number
    zoneId: number | null
    microGridId: number | null
    buildingId: number | null
    place: {
      buildingName: string | null
      compoundName: string | null
    } | null
    type: "hazard" | "dispute" | "lead" | "emergency" | "request" | "information"
    category: "flying_wire_charging" | "ebike_indoor" | "fire_lane_blocked" | "corridor_clutter" | "facility_aging" | "poor_lighting" | "falling_object_risk" | "other" | "neighbours" | "family" | "noise" | "property" | "suspicious_person" | "suspicious_vehicle" | "fraud" | "fire" | "medical" | "flood" | "gas_leak" | "traffic" | "repair" | "environment" | "elderly_help" | "micro_wish" | "opinion" | "suggestion" | "complaint"
    severity: "minor" | "major" | "critical"
    level: "micro_grid" | "grid" | "street"
    source: "patrol" | "resident" | "hotline_12345" | "command" | "partner" | "import"
    escalations: number
    escalatedAt: string | null
    unitId: number | null
    unitName: string | null
    contact: string | null
    answer: string | null
    answeredAt: string | null
    rating: "satisfied" | "basically" | "unsatisfied" | null
    ratingComment: string | null
    ratedAt: string | null
    status: "pending_review" | "reported" | "dispatched" | "rectifying" | "rectified" | "verified" | "reopened" | "rejected"
    description: string | null
    reportedAt: string
    dueAt: string
    respondedAt: string | null
    closedAt: string | null
    arrivedAt: string | null
    arrivedBy: number | null
    arrivalDistanceM: number | null
    foundOnPatrol: boolean
    fixedOnSpot: boolean
    overdue: boolean
    warning: boolean
    slaUsed: number | null
    assigneeId: number | null
    assigneeName: string | null
    reporterId: number | null
    recurrenceOf: number | null
    version: number
    updatedAt: string
  }
}

export type HazardDetail = {
  type: "Feature"
  id?: number
  geometry: Geometry | null
  properties: {
    id: number
    communityId: number
    zoneId: number | null
    microGridId: number | null
    buildingId: number | null
    place: {
      buildingName: string | null
      compoundName: string | null
    } | null
    type: "hazard" | "dispute" | "lead" | "emergency" | "request" | "information"
    category: "flying_wire_charging" | "ebike_indoor" | "fire_lane_blocked" | "corridor_clutter" | "facility_aging" | "poor_lighting" | "falling_object_risk" | "other" | "neighbours" | "family" | "noise" | "property" | "suspicious_person" | "suspicious_vehicle" | "fraud" | "fire" | "medical" | "flood" | "gas_leak" | "traffic" | "repair" | "environment" | "elderly_help" | "micro_wish" | "opinion" | "suggestion" | "complaint"
    severity: "minor" | "major" | "critical"
    level: "micro_grid" | "grid" | "street"
    source: "patrol" | "resident" | "hotline_12345" | "command" | "partner" | "import"
    escalations: number
    escalatedAt: string | null
    unitId: number | null
    unitName: string | null
    contact: string | null
    answer: string | null
    answeredAt: string | null
    rating: "satisfied" | "basically" | "unsatisfied" | null
    ratingComment: string | null
    ratedAt: string | null
    status: "pending_review" | "reported" | "dispatched" | "rectifying" | "rectified" | "verified" | "reopened" | "rejected"
    description: string | null
    reportedAt: string
    dueAt: string
    respondedAt: string | null
    closedAt: string | null
    arrivedAt: string | null
    arrivedBy: number | null
    arrivalDistanceM: number | null
    foundOnPatrol: boolean
    fixedOnSpot: boolean
    overdue: boolean
    warning: boolean
    slaUsed: number | null
    assigneeId: number | null
    assigneeName: string | null
    reporterId: number | null
    recurrenceOf: number | null
    version: number
    updatedAt: string
    events: Array<{
      at: string
      by: string | null
      from: "pending_review" | "reported" | "dispatched" | "rectifying" | "rectified" | "verified" | "reopened" | "rejected" | null
      to: "pending_review" | "reported" | "dispatched" | "rectifying" | "rectified" | "verified" | "reopened" | "rejected"
      note: string | null
      assigneeId: number | null
      kind: "transition" | "reminder" | "escalation" | "arrival"
      unitId: number | null
      unitName: string | null
      fromLevel: "micro_grid" | "grid" | "street" | null
      toLevel: "micro_grid" | "grid" | "street" | null
    }>
    photos: Array<{
      id: number
      url: string
      width?: number | null
      height?: number | null
      role?: "before" | "after" | null
    }>
    comments: Array<{
      at: string
      by: string | null
      unitId: number | null
      unitName: string | null
      note: string
    }>
  }
}

export type HazardPage = {
  type: "FeatureCollection"
  features: Hazard[]
  next: string | null
  limit: number
}

export type PhotoCreated = {
  id: number
  url: string
  mime: string
  width: number
  height: number
}

export type Zone = {
  type: "Feature"
  id?: number
  geometry: Geometry | null
  properties: {
    id: number
    name: string
    communityId: number
    parentId: number | null
    assigneeId: number | null
    assigneeName: string | null
    teamId: number | null
    teamName: string | null
    teamIds: number[]
    areaM2: number
    households: number
    buildings: number
    updatedAt: string
  }
}

export type ZoneCollection = {
  type: "FeatureCollection"
  features: Zone[]
}

export type ZoneDetail = {
  type: "Feature"
  id?: number
  geometry: Geometry | null
  properties: {
    id: number
    name: string
    communityId: number
    parentId: number | null
    assigneeId: number | null
    assigneeName: string | null
    teamId: number | null
    teamName: string | null
    teamIds: number[]
    areaM2: number
    households: number
    buildings: number
    updatedAt: string
    buildingsInside: Array<{
      id: number
      name: string | null
      kind: string | null
      floors: number | null
      households: number | null
    }>
    keyPlaces: Array<{
      id: number
      kind: string
      name: string
    }>
  }
}

export type ZoneWrite = {
  type: "Feature"
  id?: number
  geometry: Geometry | null
  properties: {
    id: number
    name: string
    communityId: number
    parentId: number | null
    assigneeId: number | null
    assigneeName: string | null
    teamId: number | null
    teamName: string | null
    teamIds: number[]
    areaM2: number
    households: number
    buildings: number
    updatedAt: string
  }
  overlaps: Array<{
    zoneId: number
    name: string
    areaM2: number
  }>
}

export type ZoneVersion = {
  id: number
  zoneId: number
  communityId: number
  name: string
  validFrom: string
  validTo: string | null
  assigneeId: number | null
  assigneeName: string | null
  parentId: number | null
  areaM2: number
  areaChangeM2: number | null
  userId: number | null
  userName: string | null
  action: string | null
  geometry: Geometry
}

export type ZoneVersionList = {
  items: ZoneVersion[]
}

export type ZoneCheck = {
  communityId: number
  overlaps: Array<{
    a: number
    b: number
    areaM2: number
    geometry: Geometry | null
  }>
  gaps: {
    areaM2: number
    geometry: Geometry
  }
  coverage: number
  communityAreaM2: number
  zonedAreaM2: number
  microGrids: Array<{
    parentId: number
    name: string
    count: number
    overlaps: Array<{
      a: number
      b: number
      areaM2: number
      geometry: Geometry | null
    }>
    gaps: {
      areaM2: number
      geometry: Geometry
    }
    coverage: number
  }>
}

export type ZoneStats = {
  window: {
    from: string | null
    to: string | null
  }
  communityId: number | null
  byZone: Array<{
    zoneId: number
    name: string
    assigneeId: number | null
    assigneeName: string | null
    hazards: {
      total: number
      open: number
      closed: number
      bySeverity: {
        [key: string]: number
      }
      byCategory: {
        [key: string]: number
      }
    }
  }>
  microGrids: Array<{
    zoneId: number
    parentId: number
    name: string
    assigneeId: number | null
    assigneeName: string | null
    hazards: {
      total: number
      open: number
      closed: number
      bySeverity: {
        [key: string]: number
      }
    }
  }>
  unzoned: number
}

export type Stats = {
  window: {
    from: string | null
    to: string | null
  }
  targets: Targets
  communityId: number | null
  hazards: {
    total: number
    byStatus: {
      reported: number
      dispatched: number
      rectifying: number
      rectified: number
      verified: number
      reopened: number
    }
    byCategory: {
      flying_wire_charging: number
      ebike_indoor: number
      fire_lane_blocked: number
      corridor_clutter: number
      facility_aging: number
      poor_lighting: number
      falling_object_risk: number
      other: number
    }
    bySeverity: {
      minor: number
      major: number
      critical: number
    }
    byLevel: {
      micro_grid: number
      grid: number
      street: number
    }
    byType: {
      hazard: number
      dispute: number
      lead: number
      emergency: number
      request: number
      information: number
    }
    escalated: number
  }
  escalatedRate: number | null
  responseRate: number | null
  arrivedInTime: number
  responseBase: number
  foundOnPatrol: number
  foundOnPatrolShare: number | null
  fixedOnSpot: number
  closureRate: number | null
  onTimeClosureRate: number | null
  overdue: number
  medianResponseMinutes: number | null
  medianHoursToClose: number | null
  pendingReview: number
  notClosed: number
}

export type CommunityOverview = {
  items: Array<{
    communityId: number
    name: string
    open: number
    overdue: number
    critical: number
    pendingReview: number
    onDuty: number
  }>
}

export type Targets = {
  responseMinutes: number
  responseRate: number
  onTimeClosureRate: number
  weeklyCoverage: number
  levelDays: {
    micro_grid: number
    grid: number
    street: number
  }
}

export type CommunityTargets = {
  communityId: number
  own: {
    responseRate?: number
    onTimeClosureRate?: number
    weeklyCoverage?: number
  }
  targets: Targets
}

export type Trend = {
  timeZone: string
  communityId: number | null
  days: string[]
  from: string
  to: string
  series: Array<{
    category: "flying_wire_charging" | "ebike_indoor" | "fire_lane_blocked" | "corridor_clutter" | "facility_aging" | "poor_lighting" | "falling_object_risk" | "other" | "neighbours" | "family" | "noise" | "property" | "suspicious_person" | "suspicious_vehicle" | "fraud" | "fire" | "medical" | "flood" | "gas_leak" | "traffic" | "repair" | "environment" | "elderly_help" | "micro_wish" | "opinion" | "suggestion" | "complaint"
    counts: number[]
    total: number
  }>
  total: number[]
}

export type Coverage = {
  window: {
    from: string
    to: string
  }
  radiusM: number
  communityId: number
  zoneId: number | null
  buildings: {
    total: number
    visited: number
    coverage: number
    byTrack: number
    byCheckin: number
  }
  keyPlaces: {
    total: number
    visited: number
    coverage: number
    byTrack: number
    byCheckin: number
  }
  byZone: Array<{
    zoneId: number
    name: string
    teamId: number | null
    teamName: string | null
    assigneeName: string | null
    buildings: {
      total: number
      visited: number
      coverage: number
    }
    keyPlaces: {
      total: number
      visited: number
      coverage: number
    }
  }>
  byTeam: Array<{
    teamId: number | null
    name: string | null
    zoneIds: number[]
    buildings: {
      total: number
      visited: number
      coverage: number
    }
    keyPlaces: {
      total: number
      visited: number
      coverage: number
    }
  }>
  unvisited: AnyFeatureCollection
  flagged: TrackFlags
}

export type CoverageCalendar = {
  communityId: number
  timeZone: string
  radiusM: number
  days: string[]
  compounds: Array<{
    id: number
    name: string
    patrolled: boolean[]
    byTrack: boolean[]
    byCheckin: boolean[]
    daysPatrolled: number
    lastPatrolled: string | null
    longestGapDays: number
  }>
  weeks: Array<{
    week: string
    from: string
    to: string
    daysInWindow: number
    complete: boolean
    breaking: number[]
  }>
  last7Days: {
    from: string
    to: string
    breaking: number[]
  }
  breakingAnyWeek: number[]
}

export type Person = {
  id: number
  communityId: number
  teamId: number | null
  teamName: string | null
  teamLeaderId: number | null
  teamIds: number[]
  teamNames: string[]
  deputyOf: number[]
  zoneNames: string[]
  teamZoneNames: string[]
  name: string
  phone: string | null
  title: string | null
  posts: string[]
  active: boolean
  joinedOn: string | null
  leftOn: string | null
  userId: number | null
}

export type PersonList = {
  items: Person[]
}

export type PersonDetail = {
  id: number
  communityId: number
  teamId: number | null
  teamName: string | null
  teamLeaderId: number | null
  teamIds: number[]
  teamNames: string[]
  deputyOf: number[]
  zoneNames: string[]
  teamZoneNames: string[]
  name: string
  phone: string | null
  title: string | null
  posts: string[]
  active: boolean
  joinedOn: string | null
  leftOn: string | null
  userId: number | null
  devices: DeviceCreated[]
}

export type Team = {
  id: number
  communityId: number
  name: string
  kind: "patrol" | "mediation" | "publicity" | "school_traffic" | "emergency" | "information" | "custom"
  kindLabel: string | null
  leaderId: number | null
  leaderName: string | null
  deputyIds: number[]
  memberCount: number
  activeCount: number
  active: boolean
}

export type TeamList = {
  items: Team[]
}

export type User = {
  id: number
  username: string
  name: string
  role: "admin" | "planner" | "command" | "leader" | "patrol" | "partner"
  personId: number | null
  personName: string | null
  districtId: number | null
  communityIds: number[]
  unitId: number | null
  unitName: string | null
  active: boolean
  mustChangePassword: boolean
  createdAt: string
  lastSignInAt: string | null
}

export type UserList = {
  items: User[]
}

export type Device = {
  id: string
  communityId: number
  personId: number | null
  personName: string | null
  name: string | null
  createdAt: string
  addedBy: number | null
  lastPositionAt: string | null
}

export type DeviceList = {
  items: DeviceCreated[]
}

export type KeyPlace = {
  id: number
  communityId: number
  buildingId: number | null
  kind: string
  name: string
  code?: string
  lon: number
  lat: number
}

export type KeyPlaceList = {
  items: KeyPlace[]
}

export type Checkin = {
  id: number
  communityId: number
  keyPlaceId: number
  keyPlaceName: string
  code?: string
  buildingId: number | null
  deviceId: string | null
  personId: number | null
  personName: string | null
  t: string
  lon: number
  lat: number
}

export type CheckinList = {
  items: Checkin[]
}

export type Track = {
  type: "Feature"
  id?: string
  geometry: Geometry | null
  properties: {
    id: string
    deviceId: string
    communityId: number
    personId: number | null
    personName: string | null
    teamId: number | null
    teamName: string | null
    from: string
    to: string
    points: number
    times: number[]
  }
}

export type TrackCollection = {
  type: "FeatureCollection"
  features: Track[]
  next: string | null
  limit: number
}

export type TrackFlags = {
  type: "FeatureCollection"
  features: Array<{
    type: "Feature"
    id?: string
    geometry: Geometry | null
    properties: {
      id: string
      deviceId: string
      personName: string | null
      teamName: string | null
      from: string
      to: string
      points: number
      reason: string
    }
  }>
  total: number
  flaggedPoints: number
}

export type Building = {
  id: number
  communityId: number
  name: string | null
  kind: string | null
  floors: number | null
  households: number | null
  headPersonId: number | null
  headName: string | null
}

export type CommunityLayer = {
  type: "FeatureCollection"
  features: Community[]
}

export type CompoundFeature = {
  type: "Feature"
  id?: number
  geometry: Geometry | null
  properties: {
    id: number
    name: string
    communityId: number
  }
}

export type CompoundLayer = {
  type: "FeatureCollection"
  features: CompoundFeature[]
}

export type BuildingFeature = {
  type: "Feature"
  id?: number
  geometry: Geometry | null
  properties: {
    id: number
    name: string | null
    kind: string
    floors: number | null
    households: number
    compoundId: number | null
    communityId: number
    headPersonId: number | null
    headName: string | null
  }
}

export type BuildingLayer = {
  type: "FeatureCollection"
  features: BuildingFeature[]
}

export type KeyPlaceFeature = {
  type: "Feature"
  id?: number
  geometry: Geometry | null
  properties: {
    id: number
    kind: "entrance" | "garage" | "fire_lane" | "charging_shed" | "shop" | "other"
    name: string
    buildingId: number | null
    communityId: number
  }
}

export type KeyPlaceLayer = {
  type: "FeatureCollection"
  features: KeyPlaceFeature[]
}

export type ZoneLayerFeature = {
  type: "Feature"
  id?: number
  geometry: Geometry | null
  properties: {
    id: number
    name: string
    communityId: number
    parentId: number | null
    assigneeId: number | null
    assigneeName: string | null
    teamId: number | null
    areaM2: number
  }
}

export type ZoneLayer = {
  type: "FeatureCollection"
  features: ZoneLayerFeature[]
}

export type RoadFeature = {
  type: "Feature"
  id?: number
  geometry: Geometry | null
  properties: {
    id: number
    kind: string
    kindDetail: string | null
    name: string | null
  }
}

export type RoadLayer = {
  type: "FeatureCollection"
  features: RoadFeature[]
}

export type WaterFeature = {
  type: "Feature"
  id?: number
  geometry: Geometry | null
  properties: {
    id: number
    kind: string | null
    name: string | null
  }
}

export type WaterLayer = {
  type: "FeatureCollection"
  features: WaterFeature[]
}

export type MapLayer = CommunityLayer | CompoundLayer | BuildingLayer | KeyPlaceLayer | ZoneLayer | RoadLayer | WaterLayer

export type ImportFeature = {
  type: "Feature"
  id?: number
  geometry: Geometry | null
  properties: {
    seq: number
    layer: "buildings" | "roads" | "other"
    status: "pending" | "accepted" | "straddling" | "refused" | "merged"
    reason: string | null
    file: string
    index: number
    insideShare: number | null
    name: string | null
    osmId: string | null
  }
}

export type ImportFeatureCollection = {
  type: "FeatureCollection"
  features: ImportFeature[]
}

export type AuditEntry = {
  id: number
  at: string
  userId: number | null
  username: string | null
  communityId: number | null
  action: string
  entity: string
  entityId: string | null
  before: unknown
  after: unknown
}

export type AuditList = {
  items: AuditEntry[]
}

export type OgcLanding = {
  title: string
  description?: string
  links: Array<{
    href: string
    rel: string
    type?: string
    title?: string
  }>
}

export type OgcConformance = {
  conformsTo: string[]
}

export type OgcCollection = {
  id: string
  title?: string
  description?: string
  itemType?: string
  crs?: string[]
  extent?: AnyObject
  links: Array<{
    href: string
    rel: string
    type?: string
    title?: string
  }>
}

export type OgcCollections = {
  links: Array<{
    href: string
    rel: string
    type?: string
    title?: string
  }>
  collections: OgcCollection[]
}

export type OgcItems = {
  type: "FeatureCollection"
  features: AnyFeature[]
  numberMatched: number
  numberReturned: number
  timeStamp: string
  links: Array<{
    href: string
    rel: string
    type?: string
    title?: string
  }>
}

export type OgcItem = {
  type: "Feature"
  id?: number | string
  geometry: Geometry | null
  properties: Record<string, unknown> | null
  links: Array<{
    href: string
    rel: string
    type?: string
    title?: string
  }>
}

export type SetupState = {
  needsAdmin: boolean
  communities: number
}

export type LayerImportResult = {
  imported: number
  merged: number
  rejected: Array<{
    index: number
    reason: string
  }>
  ids: number[]
}

export type RosterImportResult = {
  dryRun: boolean
  communityId: number
  imported: number
  updated: number
  unchanged: number
  rejected: Array<{
    row: number
    reason: string
  }>
  rows: Array<{
    row: number
    action: "create" | "update" | "unchanged"
    name: string
    personId: number | null
  }>
}

export type ImportJob = {
  id: number
  status: "queued" | "parsing" | "checking" | "ready" | "committing" | "done" | "failed" | "cancelled"
  stage: string | null
  done: number
  total: number
  params: Record<string, unknown>
  summary: {
    buildings: {
      accepted: number
      straddling: number
      refused: number
      merged: number
    }
    roads: {
      accepted: number
      refused: number
      merged: number
    }
    other: {
      refused: number
    }
    byReason: Array<{
      layer: string
      reason: string
      count: number
    }>
  } | null
  error: string | null
  communityId: number | null
  userId: number | null
  boundary?: Geometry | null
  boundaryAreaM2: number | null
  utmSrid: number | null
  createdAt: string
  updatedAt: string
}

export type ImportJobList = {
  items: ImportJob[]
}

export type TrackUploadResult = {
  accepted: number
  duplicates: number
  rejected: Array<{
    index: number
    reason: string
  }>
}

export type OwnTracksAnswer = unknown[]

export type CheckinCreated = {
  id: number
  communityId: number
  keyPlaceId: number
  keyPlaceName: string
  code: string
  buildingId: number | null
  deviceId: string | null
  personId: number | null
  personName: string | null
  t: string
  lon: number
  lat: number
  clientId: string | null
}

export type DeviceCreated = {
  id: string
  communityId: number
  personId: number | null
  personName: string | null
  name: string | null
  createdAt: string
  addedBy: number | null
  lastPositionAt: string | null
}

export type KeyPlaceByCode = {
  id: number
  communityId: number
  buildingId: number | null
  kind: string
  name: string
  code: string
  lon: number
  lat: number
  communityName: string
  checkinUrl: string
}

export type PasswordReset = {
  id: number
  username: string
  name: string
  role: "admin" | "planner" | "command" | "leader" | "patrol" | "partner"
  personId: number | null
  personName: string | null
  districtId: number | null
  communityIds: number[]
  unitId: number | null
  unitName: string | null
  active: boolean
  mustChangePassword: boolean
  createdAt: string
  lastSignInAt: string | null
  password: string
}

export type ZoneSplit = {
  zone: Zone
  created: Zone
}

export type SuggestBalance = {
  by: "households" | "buildings"
  mean: number
  min: number
  max: number
  minRatio: number
  maxRatio: number
  withinTolerance: boolean
  tolerance: number
}

export type ZoneSuggestion = {
  type: "FeatureCollection"
  features: Array<{
    type: "Feature"
    id?: string
    geometry: Geometry | null
    properties: {
      id: string
      name: string
      households: number
      buildings: number
      areaM2: number
      buildingIds: number[]
      parentId: number | null
    }
  }>
  balance: SuggestBalance
  communityId: number
}

export type ReportData = {
  window: Record<string, unknown>
  generatedAt: string
  scope: {
    districtName: string | null
    communities: Array<{
      id: number
      name: string
      nameEn: string | null
    }>
  }
  targets: Record<string, unknown>
  headline: {
    found: number
    closed: number
    overdue: number
    rejected: number
    responseRate: number | null
    closureRate: number | null
    escalated: number
    notClosed: number
    pendingReview: number
  }
  byCategory: Array<{
    category: string
  }>
  bySeverity: Array<{
    severity: "minor" | "major" | "critical"
  }>
  byUnit: Array<{
    unitId: number
    name: string
    handed: number
    responded: number
    responseBase: number
    closed: number
    onTime: number
    responseRate: number | null
    closureRate: number | null
  }>
  residents: {
    reports: number
    hazards: number
    requests: number
    answered: number
    accepted: number
    declined: number
    waiting: number
    withoutReview: number
    medianAnswerMinutes: number | null
    p90AnswerMinutes: number | null
    rated: number
    satisfied: number
    basically: number
    unsatisfied: number
    satisfactionRate: number | null
  }
}

export type AlertChannel = {
  id: number
  communityId: number
  zoneId: number | null
  zoneName: string | null
  name: string
  provider: "wecom" | "dingtalk" | "feishu" | "webhook"
  url: string
  secret: string | null
  hasSecret: boolean
  events: Array<"critical" | "escalation" | "overdue">
  enabled: boolean
  createdAt: string
  updatedAt: string
  deliveries: {
    sent: number
    failed: number
    pending: number
  }
  lastDelivery: {
    id: number
    event: "critical" | "escalation" | "overdue" | "reminder" | "test"
    status: "pending" | "sending" | "sent" | "failed"
    at: string
    error: string | null
  } | null
}

export type AlertChannelList = {
  items: AlertChannel[]
}

export type AlertDeliveryList = {
  items: Array<{
    id: number
    event: "critical" | "escalation" | "overdue" | "reminder" | "test"
    eventKey: string
    hazardId: number | null
    title: string | null
    status: "pending" | "sending" | "sent" | "failed"
    attempts: number
    maxAttempts: number
    lastError: string | null
    responseCode: number | null
    createdAt: string
    lastAttemptAt: string | null
    nextAttemptAt: string | null
    sentAt: string | null
  }>
}

export type AlertTestResult = {
  ok: boolean
  responseCode: number | null
  error: string | null
  delivery?: {
    id: number
    event: "critical" | "escalation" | "overdue" | "reminder" | "test"
    eventKey: string
    hazardId: number | null
    title: string | null
    status: "pending" | "sending" | "sent" | "failed"
    attempts: number
    maxAttempts: number
    lastError: string | null
    responseCode: number | null
    createdAt: string
    lastAttemptAt: string | null
    nextAttemptAt: string | null
    sentAt: string | null
  } | null
}

export type PartnerUnit = {
  id: number
  name: string
  kind: "property" | "owners_committee" | "police" | "fire" | "enforcement" | "utility" | "other"
  contact: string | null
  active: boolean
  communityIds: number[]
  accountCount: number
  createdAt: string
  updatedAt: string
}

export type PartnerUnitList = {
  items: PartnerUnit[]
}

export type PublicReportCreated = {
  trackingCode: string
  url: string
}

export type PublicReportView = {
  trackingCode: string
  type: string
  category: string
  status: "pending_review" | "reported" | "dispatched" | "rectifying" | "rectified" | "verified" | "reopened" | "rejected"
  reportedAt: string
  closedAt: string | null
  place: string | null
  timeline: Array<{
    at: string
    status: "pending_review" | "reported" | "dispatched" | "rectifying" | "rectified" | "verified" | "reopened" | "rejected"
  }>
  answer: string | null
  answeredAt: string | null
  rating: "satisfied" | "basically" | "unsatisfied" | null
  ratedAt: string | null
  mayRate: boolean
}

export type PublicSummary = {
  community: {
    name: string
    nameEn: string | null
  }
  month: string
  label: string
  from: string
  to: string
  total: number
  byType: {
    hazard: number
    dispute: number
    emergency: number
    request: number
    information: number
  }
  byCategory: Array<{
    category: string
    count: number
  }>
  byLevel: {
    micro_grid: number
    grid: number
    street: number
  }
  closed: number
  closedRate: number | null
  averageHandlingHours: number | null
  satisfaction: {
    rated: number
    satisfied: number
    basically: number
    unsatisfied: number
    rate: number | null
  }
  residentReports: number
  byGrid: Array<{
    name: string | null
    count: number
  }>
}

export type HotlineColumns = {
  sheet: string
  headers: string[]
  rows: number
  samples: Array<string[]>
  suggested: {
    [key: string]: number
  }
}

export type HotlineImportResult = {
  dryRun: boolean
  total: number
  accepted: number
  imported: number
  skipped: number
  rows: Array<{
    row: number
    ticket: string
    reportedAt: string
    place: string
    type: "hazard" | "request"
    category: string
    exists: boolean
  }>
  rejected: Array<{
    row: number
    ticket: string | null
    reason: string
  }>
}

export type PublicArea = {
  bbox: number[] | null
}

export type PublicPlace = {
  code: string
  name: string
  communityName: string
}

export type PosterList = {
  items: Array<{
    kind: "compound" | "building"
    id: number
    communityId: number
    communityName: string
    name: string
    compoundName: string | null
    code: string
    reportUrl: string
    qrUrl: string
  }>
}

export type SpotCheckSample = {
  total: number
  days: number
  features: HazardDetail[]
}

export type ReminderResult = {
  hazardId: number
  at: string
  assigneeId: number
  assigneeName: string | null
  note: string | null
  alerts: number
}

export type RouteFeature = {
  type: "Feature"
  geometry: Geometry | null
  properties: {
    communityId: number
    zoneId: number | null
    window: {
      from: string
      to: string
    }
    radiusM: number
    start: number[] | null
    distanceM: number
    minutes: number
    nearestNeighbourM: number
    stops: Array<{
      kind: "building" | "key_place"
      id: number
      label: string
      order: number
      legM: number
      lon: number
      lat: number
    }>
    unreachable: Array<{
      kind: "building" | "key_place"
      id: number
      label: string
      reason: "no_road_nearby" | "disconnected"
    }>
    budgetExhausted: boolean
    computedMs: number
  }
}

export type WalkRoute = {
  type: "Feature"
  geometry: {
    type: "LineString"
    coordinates: Array<number[]>
  } | null
  properties: {
    communityId: number
    hazardId: number
    from: number[]
    to: number[]
    distanceM: number
    minutes: number
    straightM: number
    reason: "no_road_nearby" | "disconnected" | null
    computedMs: number
  }
}

export type RouteAssignment = {
  id: number
  personId: number
  personName: string
  assignedAt: string
  assignedBy: string | null
  route: RouteFeature
}

export type PatrolPlan = {
  id: number
  communityId: number
  type: "routine" | "night_special" | "joint" | "school_gate" | "event"
  name: string
  from: string
  to: string
  repeat: {
    weekdays: number[]
    start: string
    end: string
  } | null
  zoneIds: number[]
  personIds: number[]
  unitIds: number[]
  leaderId: number | null
  leaderName: string | null
  area: Geometry | null
  note: string | null
  createdBy: number | null
  createdAt: string
  updatedAt: string
  occurrences?: Array<{
    from: string
    to: string
  }>
}

export type PatrolPlanList = {
  items: PatrolPlan[]
}

export type PlanPerson = {
  personId: number
  name: string
  planned: boolean
  came: boolean
  onDutyMinutes: number
  distanceM: number
}

export type PlanCoverage = {
  planId: number
  communityId: number
  window: {
    from: string
    to: string
  }
  occurrences: Array<{
    from: string
    to: string
  }>
  radiusM: number
  buildings: {
    total: number
    visited: number
    coverage: number
    byTrack: number
    byCheckin: number
  }
  keyPlaces: {
    total: number
    visited: number
    coverage: number
    byTrack: number
    byCheckin: number
  }
  byZone: Array<{
    zoneId: number
    name: string
    buildings: {
      total: number
      visited: number
      coverage: number
    }
    keyPlaces: {
      total: number
      visited: number
      coverage: number
    }
  }>
  unvisited: AnyFeatureCollection
  people: PlanPerson[]
  runningNow: boolean
  zonesWithoutDutyNow: Array<{
    zoneId: number
    name: string
  }>
  onDutyNow: Array<{
    personId: number | null
    name: string | null
    deviceId: string
    zoneId: number | null
    since: string
  }>
}

export type DutySession = {
  id: number
  communityId: number
  personId: number | null
  personName: string | null
  deviceId: string
  startedAt: string
  stoppedAt: string | null
  open: boolean
  minutes: number
  distanceM: number
}

export type DutySessionList = {
  items: DutySession[]
}

export type PersonActivity = {
  personId: number
  name: string
  window: {
    from: string
    to: string
  }
  dutyMinutes: number
  dutyHours: number
  distanceM: number
  sessions: number
  reports: {
    total: number
    confirmed: number
  }
  checkins: number
}

export type CareResident = {
  id: number
  communityId: number
  name: string
  address: string | null
  phone: string | null
  masked: boolean
  group: "elderly_alone" | "empty_nest" | "disabled" | "hardship" | "other"
  buildingId: number | null
  lon: number
  lat: number
  visitsPerDay: number | null
  visitsPerWeek: number | null
  active: boolean
  note: string | null
  people: Array<{
    id: number
    name: string
  }>
  doorCode?: string
  createdAt: string
  updatedAt: string
}

export type CareResidentList = {
  items: CareResident[]
}

export type CareVisit = {
  id: number
  communityId: number
  residentId: number
  residentName: string
  personId: number | null
  personName: string | null
  t: string
  distanceM: number | null
  byCode: boolean
  note: string | null
  clientId: string | null
}

export type CareCalendar = {
  days: string[]
  today: string
  households: Array<{
    residentId: number
    communityId: number
    name: string
    group: "elderly_alone" | "empty_nest" | "disabled" | "hardship" | "other"
    visitsPerDay: number | null
    visitsPerWeek: number | null
    days: Array<{
      date: string
      visits: number
      due: number
      state: "done" | "partial" | "missed" | "open" | "none"
      missed: number
    }>
    weeks: Array<{
      from: string
      visits: number
      due: number
      missed: number
    }>
    visits: number
    due: number
    missed: number
  }>
  summary: {
    households: number
    visits: number
    due: number
    missed: number
    householdsMissed: number
  }
}

export type CareToday = {
  date: string
  items: Array<{
    residentId: number
    name: string
    group: "elderly_alone" | "empty_nest" | "disabled" | "hardship" | "other"
    address: string | null
    phone: string | null
    lon: number
    lat: number
    visitsPerDay: number | null
    visitsPerWeek: number | null
    visitsToday: number
    remaining: number
    lastVisitAt: string | null
  }>
  done: number
}

export type PointsRules = {
  communityId: number
  perDutyHour: number
  perReport: number
  perCheckin: number
  perCareVisit: number
  updatedAt: string | null
}

export type PointsRanking = {
  month: string
  items: Array<{
    rank: number
    personId: number
    name: string
    teamName: string | null
    points: number
    byKind: {
      duty: number
      report: number
      checkin: number
      care_visit: number
    }
  }>
}

export type Redemption = {
  id: number
  personId: number
  points: number
  item: string
  note: string | null
  at: string
  byUserId: number | null
  byName: string | null
  balance: number
}

export type RedemptionList = {
  items: Array<{
    id: number
    personId: number
    points: number
    item: string
    note: string | null
    at: string
    byUserId: number | null
    byName: string | null
  }>
}

export type PersonPoints = {
  personId: number
  name: string
  communityId: number
  earned: number
  redeemed: number
  balance: number
  byKind: {
    duty: number
    report: number
    checkin: number
    care_visit: number
    redemption: number
  }
  entries: Array<{
    kind: "duty" | "report" | "checkin" | "care_visit" | "redemption"
    at: string
    ref: string
    detail: string | null
    points: number
    byName?: string | null
  }>
}

export type HotspotProperties = {
  id: string
  col: number
  row: number
  count: number
  giZ: number | null
  giP: number | null
  confidence: 3 | 2 | 1 | 0 | -1 | -2 | -3
}

export type HotspotCollection = {
  type: "FeatureCollection"
  features: Array<{
    type: "Feature"
    id?: string
    geometry: Geometry | null
    properties: HotspotProperties
  }>
  communityId: number
  cellM: number
  hazards: number
  cells: number
  nonEmptyCells: number
  note: {
    code: "too_few_hazards" | "too_few_cells"
    zh: string
    en: string
  } | null
}

export type ClusterCollection = {
  type: "FeatureCollection"
  features: Array<{
    type: "Feature"
    id?: number
    geometry: Geometry | null
    properties: {
      id: number
      clusterId: number
      communityId: number
      count: number
      hazardIds: number[]
      categories: {
        [key: string]: number
      }
    }
  }>
  eps: number
  minPoints: number
  hazards: number
  noise: number
}

export type RecurrenceCollection = {
  type: "FeatureCollection"
  features: Array<{
    type: "Feature"
    id?: number
    geometry: Geometry | null
    properties: {
      id: number
      hazardId: number
      earlierId: number
      category: "flying_wire_charging" | "ebike_indoor" | "fire_lane_blocked" | "corridor_clutter" | "facility_aging" | "poor_lighting" | "falling_object_risk" | "other" | "neighbours" | "family" | "noise" | "property" | "suspicious_person" | "suspicious_vehicle" | "fraud" | "fire" | "medical" | "flood" | "gas_leak" | "traffic" | "repair" | "environment" | "elderly_help" | "micro_wish" | "opinion" | "suggestion" | "complaint"
      count: number
      distanceM: number
      reportedAt: string
    }
  }>
}

/** Every operation: its path parameters, query, request body and success answer. */
export interface ApiOperations {
  "GET /api/health": {
    path: never
    query: never
    body: never
    response: Health
  }
  "GET /api/config": {
    path: never
    query: never
    body: never
    response: AppConfig
  }
  "GET /api/openapi.json": {
    path: never
    query: never
    body: never
    response: AnyObject
  }
  "GET /api/docs": {
    path: never
    query: never
    body: never
    response: void
  }
  "GET /api/setup": {
    path: never
    query: never
    body: never
    response: SetupState
  }
  "POST /api/setup": {
    path: never
    query: never
    body: {
      username: string
      name: string
      password: string
      setupToken?: string
    }
    response: Login
  }
  "POST /api/auth/login": {
    path: never
    query: never
    body: {
      username: string
      password: string
    }
    response: Login
  }
  "POST /api/auth/password": {
    path: never
    query: never
    body: {
      currentPassword: string
      newPassword: string
    }
    response: void
  }
  "POST /api/auth/logout": {
    path: never
    query: never
    body: never
    response: void
  }
  "GET /api/auth/me": {
    path: never
    query: never
    body: never
    response: Me
  }
  "GET /api/communities": {
    path: never
    query: never
    body: never
    response: CommunityCollection
  }
  "POST /api/communities": {
    path: never
    query: never
    body: {
      type: "Feature"
      geometry: unknown
      properties: {
        name: string
        nameEn?: string
      }
    }
    response: Community
  }
  "GET /api/communities/{id}/targets": {
    path: { id: number }
    query: never
    body: never
    response: CommunityTargets
  }
  "PUT /api/communities/{id}/targets": {
    path: { id: number }
    query: never
    body: {
      responseRate?: number | null
      onTimeClosureRate?: number | null
      weeklyCoverage?: number | null
    }
    response: CommunityTargets
  }
  "GET /api/layers/{layer}": {
    path: { layer: "communities" | "compounds" | "buildings" | "key-places" | "zones" | "roads" | "water" }
    query: { bbox?: string; communityId?: number }
    body: never
    response: MapLayer
  }
  "GET /api/tiles/{layer}/{z}/{x}/{tile}": {
    path: { layer: "buildings" | "zones" | "key-places" | "hazards" | "roads" | "compounds" | "compound-labels" | "communities"; z: string; x: string; tile: string }
    query: { status?: string; category?: string; severity?: string }
    body: never
    response: void
  }
  "GET /api/buildings/{id}": {
    path: { id: number }
    query: never
    body: never
    response: Building
  }
  "PUT /api/buildings/{id}": {
    path: { id: number }
    query: never
    body: {
      type?: "Feature"
      properties: {
        headPersonId?: number | null
        name?: string | null
        households?: number
      }
    }
    response: Building
  }
  "POST /api/import/zones": {
    path: never
    query: { communityId: number; crs?: "wgs84" | "gcj02" }
    body: {
      type: "FeatureCollection"
      features: unknown[]
    }
    response: LayerImportResult
  }
  "POST /api/import/{layer}": {
    path: { layer: "buildings" | "key-places" | "roads" }
    query: { communityId: number; crs?: "wgs84" | "gcj02" }
    body: {
      type: "FeatureCollection"
      features: unknown[]
    }
    response: LayerImportResult
  }
  "GET /api/community-imports": {
    path: never
    query: never
    body: never
    response: ImportJobList
  }
  "POST /api/community-imports": {
    path: never
    query: never
    body: never
    response: ImportJob
  }
  "GET /api/community-imports/{id}": {
    path: { id: number }
    query: never
    body: never
    response: ImportJob
  }
  "GET /api/community-imports/{id}/features": {
    path: { id: number }
    query: { status?: string; layer?: "buildings" | "roads" | "other"; limit?: number; offset?: number }
    body: never
    response: ImportFeatureCollection
  }
  "POST /api/community-imports/{id}/commit": {
    path: { id: number }
    query: never
    body: {
      name?: string
      nameEn?: string
    }
    response: ImportJob
  }
  "GET /api/hazards": {
    path: never
    query: { status?: string; category?: string; severity?: string; from?: string; to?: string; bbox?: string; zoneId?: number; communityId?: number; assigneeId?: number; unitId?: number; level?: string; overdue?: "true" | "false"; at?: string; limit?: number; cursor?: string }
    body: never
    response: HazardPage
  }
  "POST /api/hazards": {
    path: never
    query: never
    body: {
      category: "flying_wire_charging" | "ebike_indoor" | "fire_lane_blocked" | "corridor_clutter" | "facility_aging" | "poor_lighting" | "falling_object_risk" | "other"
      severity: "minor" | "major" | "critical"
      location: {
        lon: number
        lat: number
      } | {
        type: "Point"
        coordinates: number[]
      }
      description?: string | null
      buildingId?: number | null
      reportedAt?: string | null
      clientId?: string | null
      fixedOnSpot?: boolean | null
      note?: string | null
    }
    response: Hazard
  }
  "GET /api/hazards/{id}": {
    path: { id: number }
    query: never
    body: never
    response: HazardDetail
  }
  "POST /api/hazards/{id}/transition": {
    path: { id: number }
    query: never
    body: {
      to: "pending_review" | "reported" | "dispatched" | "rectifying" | "rectified" | "verified" | "reopened" | "rejected"
      note?: string | null
      assigneeId?: number | null
      unitId?: number | null
      version?: number | null
    }
    response: Hazard
  }
  "POST /api/hazards/{id}/photos": {
    path: { id: number }
    query: never
    body: {
      photo: string
      clientId?: string
      role?: "before" | "after"
    }
    response: PhotoCreated
  }
  "GET /api/hazards/{id}/photos/{photoId}": {
    path: { id: number; photoId: number }
    query: { size?: "thumb" | "full" }
    body: never
    response: void
  }
  "GET /api/live": {
    path: never
    query: never
    body: never
    response: void
  }
  "GET /api/zones": {
    path: never
    query: { communityId?: number; bbox?: string; format?: "geojson" | "csv" }
    body: never
    response: ZoneCollection
  }
  "POST /api/zones": {
    path: never
    query: { strict?: "true" | "false" }
    body: {
      type: "Feature"
      geometry: unknown
      properties: {
        name: string
        assigneeId?: number | null
        teamId?: number | null
        teamIds?: number[]
        communityId?: number
        parentId?: number | null
      }
    }
    response: ZoneWrite
  }
  "GET /api/zones/check": {
    path: never
    query: { communityId?: number }
    body: never
    response: ZoneCheck
  }
  "GET /api/zones/stats": {
    path: never
    query: { communityId?: number; from?: string; to?: string }
    body: never
    response: ZoneStats
  }
  "POST /api/zones/suggest": {
    path: never
    query: never
    body: {
      communityId: number
      n: number
      parentId?: number
    }
    response: ZoneSuggestion
  }
  "GET /api/zones/{id}": {
    path: { id: number }
    query: never
    body: never
    response: ZoneDetail
  }
  "PUT /api/zones/{id}": {
    path: { id: number }
    query: { strict?: "true" | "false" }
    body: {
      type: "Feature"
      geometry?: unknown
      properties?: {
        name?: string
        assigneeId?: number | null
        teamId?: number | null
        teamIds?: number[]
        communityId?: number
        parentId?: number | null
      }
    }
    response: ZoneWrite
  }
  "DELETE /api/zones/{id}": {
    path: { id: number }
    query: never
    body: never
    response: void
  }
  "GET /api/zones/{id}/versions": {
    path: { id: number }
    query: never
    body: never
    response: ZoneVersionList
  }
  "POST /api/zones/{id}/split": {
    path: { id: number }
    query: never
    body: {
      type: "Feature"
      geometry: unknown
      properties?: {
        name?: string
        assigneeId?: number | null
      } | null
    }
    response: ZoneSplit
  }
  "POST /api/tracks/points": {
    path: never
    query: never
    body: {
      deviceId: string
      points: unknown[]
    }
    response: TrackUploadResult
  }
  "POST /api/tracks/gpx": {
    path: never
    query: { deviceId: string }
    body: never
    response: TrackUploadResult
  }
  "GET /api/tracks/flags": {
    path: never
    query: { from?: string; to?: string; deviceId?: string; communityId?: number }
    body: never
    response: TrackFlags
  }
  "GET /api/tracks": {
    path: never
    query: { from?: string; to?: string; deviceId?: string; communityId?: number; limit?: number; cursor?: string }
    body: never
    response: TrackCollection
  }
  "POST /api/owntracks": {
    path: never
    query: never
    body: never
    response: OwnTracksAnswer
  }
  "GET /api/checkins": {
    path: never
    query: { from: string; to: string; communityId?: number; keyPlaceId?: number }
    body: never
    response: CheckinList
  }
  "POST /api/checkins": {
    path: never
    query: never
    body: {
      keyPlaceId?: number
      code?: string
      deviceId?: string | null
      t?: string
      clientId?: string | null
      lon: number
      lat: number
      accuracy?: number | null
    }
    response: CheckinCreated
  }
  "GET /api/key-places": {
    path: never
    query: { communityId?: number }
    body: never
    response: KeyPlaceList
  }
  "GET /api/key-places/by-code/{code}": {
    path: { code: string }
    query: never
    body: never
    response: KeyPlaceByCode
  }
  "GET /api/key-places/{id}/qr": {
    path: { id: number }
    query: never
    body: never
    response: void
  }
  "GET /api/devices": {
    path: never
    query: { personId?: number; communityId?: number }
    body: never
    response: DeviceList
  }
  "POST /api/devices": {
    path: never
    query: never
    body: {
      id: string
      personId: number
      communityId: number
      name?: string
    }
    response: Device
  }
  "GET /api/analysis/coverage": {
    path: never
    query: { from: string; to: string; radius?: number; communityId?: number; zoneId?: number }
    body: never
    response: Coverage
  }
  "GET /api/analysis/coverage/calendar": {
    path: never
    query: { communityId?: number; days?: number; radius?: number }
    body: never
    response: CoverageCalendar
  }
  "GET /api/analysis/clusters": {
    path: never
    query: { from?: string; to?: string; communityId?: number; category?: string; status?: string; eps?: number; minPoints?: number }
    body: never
    response: ClusterCollection
  }
  "GET /api/analysis/hotspots": {
    path: never
    query: { from?: string; to?: string; communityId?: number; category?: string; status?: string; cell?: number }
    body: never
    response: HotspotCollection
  }
  "GET /api/analysis/recurrences": {
    path: never
    query: { from?: string; to?: string; communityId?: number; category?: string }
    body: never
    response: RecurrenceCollection
  }
  "GET /api/stats/communities": {
    path: never
    query: never
    body: never
    response: CommunityOverview
  }
  "GET /api/stats": {
    path: never
    query: { from?: string; to?: string; communityId?: number; category?: string }
    body: never
    response: Stats
  }
  "GET /api/stats/trend": {
    path: never
    query: { days?: number; communityId?: number; category?: string }
    body: never
    response: Trend
  }
  "GET /api/reports/{period}": {
    path: { period: "day" | "week" | "month" }
    query: { date?: string; communityId?: number; format?: "html" | "xlsx" | "csv" | "json" }
    body: never
    response: ReportData
  }
  "GET /api/people": {
    path: never
    query: { teamId?: number; communityId?: number; q?: string; active?: "true" | "false" }
    body: never
    response: PersonList
  }
  "POST /api/people": {
    path: never
    query: never
    body: {
      communityId?: number
      name: string
      phone?: string | null
      title?: string | null
      teamIds?: number[]
      posts?: string[]
      active?: boolean
      joinedOn?: string | null
      leftOn?: string | null
    }
    response: Person
  }
  "POST /api/people/import": {
    path: never
    query: { communityId?: number; dryRun?: "true" | "false" }
    body: never
    response: RosterImportResult
  }
  "GET /api/people/{id}": {
    path: { id: number }
    query: never
    body: never
    response: PersonDetail
  }
  "PUT /api/people/{id}": {
    path: { id: number }
    query: never
    body: {
      communityId?: number
      name?: string
      phone?: string | null
      title?: string | null
      teamIds?: number[]
      posts?: string[]
      active?: boolean
      joinedOn?: string | null
      leftOn?: string | null
    }
    response: Person
  }
  "GET /api/teams": {
    path: never
    query: { communityId?: number }
    body: never
    response: TeamList
  }
  "POST /api/teams": {
    path: never
    query: never
    body: {
      communityId: number
      name: string
      kind: "patrol" | "mediation" | "publicity" | "school_traffic" | "emergency" | "information" | "custom"
      kindLabel?: string | null
      leaderId?: number | null
      deputyIds?: number[]
      active?: boolean
    }
    response: Team
  }
  "GET /api/teams/{id}": {
    path: { id: number }
    query: never
    body: never
    response: Team
  }
  "PUT /api/teams/{id}": {
    path: { id: number }
    query: never
    body: {
      name?: string
      kind?: "patrol" | "mediation" | "publicity" | "school_traffic" | "emergency" | "information" | "custom"
      kindLabel?: string | null
      leaderId?: number | null
      deputyIds?: number[]
      active?: boolean
    }
    response: Team
  }
  "GET /api/users": {
    path: never
    query: { q?: string }
    body: never
    response: UserList
  }
  "POST /api/users": {
    path: never
    query: never
    body: {
      username: string
      name: string
      role: "admin" | "planner" | "command" | "leader" | "patrol" | "partner"
      password?: string
      personId?: number | null
      communityIds?: number[]
      unitId?: number | null
      mustChangePassword?: boolean
    }
    response: User
  }
  "GET /api/users/{id}": {
    path: { id: number }
    query: never
    body: never
    response: User
  }
  "PUT /api/users/{id}": {
    path: { id: number }
    query: never
    body: {
      username?: string
      name?: string
      role?: "admin" | "planner" | "command" | "leader" | "patrol" | "partner"
      personId?: number | null
      communityIds?: number[]
      unitId?: number | null
      active?: boolean
      mustChangePassword?: boolean
    }
    response: User
  }
  "POST /api/users/{id}/reset-password": {
    path: { id: number }
    query: never
    body: never
    response: PasswordReset
  }
  "GET /api/audit": {
    path: never
    query: { limit?: number; offset?: number }
    body: never
    response: AuditList
  }
  "GET /api/alert-channels": {
    path: never
    query: { communityId?: number }
    body: never
    response: AlertChannelList
  }
  "POST /api/alert-channels": {
    path: never
    query: never
    body: {
      communityId?: number
      zoneId?: number | null
      name: string
      provider: "wecom" | "dingtalk" | "feishu" | "webhook"
      url: string
      secret?: string | null
      events?: Array<"critical" | "escalation" | "overdue">
      enabled?: boolean
    }
    response: AlertChannel
  }
  "GET /api/alert-channels/{id}": {
    path: { id: number }
    query: never
    body: never
    response: AlertChannel
  }
  "PUT /api/alert-channels/{id}": {
    path: { id: number }
    query: never
    body: {
      zoneId?: number | null
      name?: string
      provider?: "wecom" | "dingtalk" | "feishu" | "webhook"
      url?: string
      secret?: string | null
      events?: Array<"critical" | "escalation" | "overdue">
      enabled?: boolean
    }
    response: AlertChannel
  }
  "DELETE /api/alert-channels/{id}": {
    path: { id: number }
    query: never
    body: never
    response: void
  }
  "POST /api/alert-channels/{id}/test": {
    path: { id: number }
    query: never
    body: never
    response: AlertTestResult
  }
  "GET /api/alert-channels/{id}/deliveries": {
    path: { id: number }
    query: { limit?: number; offset?: number }
    body: never
    response: AlertDeliveryList
  }
  "GET /ogc": {
    path: never
    query: { f?: "json" | "geojson" }
    body: never
    response: OgcLanding
  }
  "GET /ogc/conformance": {
    path: never
    query: { f?: "json" | "geojson" }
    body: never
    response: OgcConformance
  }
  "GET /ogc/collections": {
    path: never
    query: { f?: "json" | "geojson" }
    body: never
    response: OgcCollections
  }
  "GET /ogc/collections/{collectionId}": {
    path: { collectionId: string }
    query: { f?: "json" | "geojson" }
    body: never
    response: OgcCollection
  }
  "GET /ogc/collections/{collectionId}/items": {
    path: { collectionId: string }
    query: { f?: "json" | "geojson"; bbox?: string; datetime?: string; limit?: number; offset?: number }
    body: never
    response: OgcItems
  }
  "GET /ogc/collections/{collectionId}/items/{featureId}": {
    path: { collectionId: string; featureId: string }
    query: { f?: "json" | "geojson" }
    body: never
    response: OgcItem
  }
  "POST /api/hazards/{id}/escalate": {
    path: { id: number }
    query: never
    body: {
      level: "micro_grid" | "grid" | "street"
      reason?: string | null
      unitId?: number | null
      clientId?: string
    }
    response: Hazard
  }
  "GET /api/matters": {
    path: never
    query: { type?: string; status?: string; category?: string; severity?: string; level?: string; from?: string; to?: string; bbox?: string; zoneId?: number; communityId?: number; assigneeId?: number; overdue?: "true" | "false"; limit?: number; cursor?: string }
    body: never
    response: HazardPage
  }
  "POST /api/matters": {
    path: never
    query: never
    body: {
      type: "hazard" | "dispute" | "lead" | "emergency" | "request" | "information"
      category: string
      severity?: "minor" | "major" | "critical"
      level?: "micro_grid" | "grid" | "street"
      source?: "patrol" | "resident" | "hotline_12345" | "command" | "partner" | "import"
      location: {
        lon: number
        lat: number
      }
      description?: string | null
      buildingId?: number | null
      reportedAt?: string | null
      clientId?: string | null
    }
    response: Hazard
  }
  "GET /api/matters/{id}": {
    path: { id: number }
    query: never
    body: never
    response: Hazard
  }
  "GET /api/people/{id}/activity": {
    path: { id: number }
    query: { from: string; to: string }
    body: never
    response: PersonActivity
  }
  "GET /api/units": {
    path: never
    query: { communityId?: number; active?: "true" | "false" }
    body: never
    response: PartnerUnitList
  }
  "POST /api/units": {
    path: never
    query: never
    body: {
      name: string
      kind: "property" | "owners_committee" | "police" | "fire" | "enforcement" | "utility" | "other"
      contact?: string | null
      communityIds: number[]
      active?: boolean
    }
    response: PartnerUnit
  }
  "GET /api/units/{id}": {
    path: { id: number }
    query: never
    body: never
    response: PartnerUnit
  }
  "PUT /api/units/{id}": {
    path: { id: number }
    query: never
    body: {
      name?: string
      kind?: "property" | "owners_committee" | "police" | "fire" | "enforcement" | "utility" | "other"
      contact?: string | null
      communityIds?: number[]
      active?: boolean
    }
    response: PartnerUnit
  }
  "POST /api/hazards/{id}/comments": {
    path: { id: number }
    query: never
    body: {
      note: string
      clientId?: string
    }
    response: Hazard
  }
  "POST /api/hazards/{id}/rectify": {
    path: { id: number }
    query: never
    body: {
      note?: string | null
      clientId?: string
    }
    response: Hazard
  }
  "POST /api/hazards/{id}/review": {
    path: { id: number }
    query: never
    body: {
      decision: "accept" | "decline"
      answer?: string | null
    }
    response: Hazard
  }
  "POST /api/public/reports": {
    path: never
    query: never
    body: never
    response: PublicReportCreated
  }
  "GET /api/public/reports/{trackingCode}": {
    path: { trackingCode: string }
    query: never
    body: never
    response: PublicReportView
  }
  "POST /api/public/reports/{trackingCode}/rating": {
    path: { trackingCode: string }
    query: never
    body: {
      rating: "satisfied" | "basically" | "unsatisfied"
      comment?: string | null
    }
    response: PublicReportView
  }
  "GET /api/posters": {
    path: never
    query: { communityId?: number }
    body: never
    response: PosterList
  }
  "GET /api/posters/{code}/qr": {
    path: { code: string }
    query: never
    body: never
    response: void
  }
  "POST /api/hotline/columns": {
    path: never
    query: never
    body: never
    response: HotlineColumns
  }
  "POST /api/hotline/import": {
    path: never
    query: { communityId?: number; dryRun?: "true" | "false" }
    body: never
    response: HotlineImportResult
  }
  "GET /api/public/summary": {
    path: never
    query: { community: string; month: string }
    body: never
    response: PublicSummary
  }
  "GET /api/public/reports/area": {
    path: never
    query: never
    body: never
    response: PublicArea
  }
  "GET /api/public/reports/places/{code}": {
    path: { code: string }
    query: never
    body: never
    response: PublicPlace
  }
  "POST /api/hazards/{id}/arrive": {
    path: { id: number }
    query: never
    body: {
      lon: number
      lat: number
      accuracy?: number | null
      clientId?: string | null
      note?: string | null
      t?: string | null
    }
    response: Hazard
  }
  "GET /api/hazards/spot-checks": {
    path: never
    query: { days?: number; n?: number; communityId?: number }
    body: never
    response: SpotCheckSample
  }
  "POST /api/hazards/{id}/remind": {
    path: { id: number }
    query: never
    body: {
      note?: string
    }
    response: ReminderResult
  }
  "GET /api/coverage/route": {
    path: never
    query: { from: string; to: string; radius?: number; communityId?: number; zoneId?: number; start?: string }
    body: never
    response: RouteFeature
  }
  "POST /api/coverage/route/assignments": {
    path: never
    query: never
    body: {
      from: string
      to: string
      radius?: number
      communityId?: number
      zoneId?: number
      start?: Array<number | number>
      personId: number
    }
    response: RouteAssignment
  }
  "GET /api/route/walk": {
    path: never
    query: { from: string; hazardId: number }
    body: never
    response: WalkRoute
  }
  "GET /api/coverage/route/assigned": {
    path: never
    query: never
    body: never
    response: RouteAssignment
  }
  "GET /api/patrol-plans": {
    path: never
    query: { communityId?: number; from?: string; to?: string; type?: "routine" | "night_special" | "joint" | "school_gate" | "event" }
    body: never
    response: PatrolPlanList
  }
  "POST /api/patrol-plans": {
    path: never
    query: never
    body: {
      communityId?: number
      type: "routine" | "night_special" | "joint" | "school_gate" | "event"
      name: string
      from: string
      to: string
      repeat?: {
        weekdays: number[]
        start: string
        end: string
      } | null
      zoneIds?: number[]
      personIds?: number[]
      unitIds?: number[]
      leaderId?: number | null
      area?: {
        type: "Polygon"
        coordinates: Array<Array<Array<number | number>>>
      } | null
      note?: string | null
    }
    response: PatrolPlan
  }
  "GET /api/patrol-plans/{id}": {
    path: { id: number }
    query: never
    body: never
    response: PatrolPlan
  }
  "PUT /api/patrol-plans/{id}": {
    path: { id: number }
    query: never
    body: {
      communityId?: number
      type?: "routine" | "night_special" | "joint" | "school_gate" | "event"
      name?: string
      from?: string
      to?: string
      repeat?: {
        weekdays: number[]
        start: string
        end: string
      } | null
      zoneIds?: number[]
      personIds?: number[]
      unitIds?: number[]
      leaderId?: number | null
      area?: {
        type: "Polygon"
        coordinates: Array<Array<Array<number | number>>>
      } | null
      note?: string | null
    }
    response: PatrolPlan
  }
  "GET /api/patrol-plans/{id}/coverage": {
    path: { id: number }
    query: { from?: string; to?: string; radius?: number }
    body: never
    response: PlanCoverage
  }
  "GET /api/duty": {
    path: never
    query: { from: string; to: string; personId?: number; communityId?: number }
    body: never
    response: DutySessionList
  }
  "POST /api/duty": {
    path: never
    query: never
    body: {
      action: "start" | "stop"
      deviceId: string
      t: string
      clientId: string
    }
    response: DutySession
  }
  "GET /api/care/residents": {
    path: never
    query: { communityId?: number; active?: "true" | "false" }
    body: never
    response: CareResidentList
  }
  "POST /api/care/residents": {
    path: never
    query: never
    body: {
      communityId?: number
      name: string
      address?: string | null
      phone?: string | null
      group: "elderly_alone" | "empty_nest" | "disabled" | "hardship" | "other"
      buildingId?: number | null
      lon?: number
      lat?: number
      visitsPerDay?: number | null
      visitsPerWeek?: number | null
      active?: boolean
      note?: string | null
      personIds?: number[]
    }
    response: CareResident
  }
  "GET /api/care/residents/{id}": {
    path: { id: number }
    query: never
    body: never
    response: CareResident
  }
  "PUT /api/care/residents/{id}": {
    path: { id: number }
    query: never
    body: {
      communityId?: number
      name?: string
      address?: string | null
      phone?: string | null
      group?: "elderly_alone" | "empty_nest" | "disabled" | "hardship" | "other"
      buildingId?: number | null
      lon?: number
      lat?: number
      visitsPerDay?: number | null
      visitsPerWeek?: number | null
      active?: boolean
      note?: string | null
      personIds?: number[]
    }
    response: CareResident
  }
  "POST /api/care/visits": {
    path: never
    query: never
    body: {
      residentId: number
      t?: string
      lon?: number
      lat?: number
      accuracy?: number | null
      code?: string
      note?: string
      clientId: string
      deviceId?: string | null
    }
    response: CareVisit
  }
  "GET /api/care/calendar": {
    path: never
    query: { days?: number; communityId?: number }
    body: never
    response: CareCalendar
  }
  "GET /api/care/today": {
    path: never
    query: never
    body: never
    response: CareToday
  }
  "GET /api/points/rules": {
    path: never
    query: { communityId?: number }
    body: never
    response: PointsRules
  }
  "PUT /api/points/rules": {
    path: never
    query: never
    body: {
      communityId?: number
      perDutyHour?: number
      perReport?: number
      perCheckin?: number
      perCareVisit?: number
    }
    response: PointsRules
  }
  "GET /api/points/ranking": {
    path: never
    query: { month?: string; communityId?: number }
    body: never
    response: PointsRanking
  }
  "GET /api/points/redemptions": {
    path: never
    query: { communityId?: number }
    body: never
    response: RedemptionList
  }
  "POST /api/points/redemptions": {
    path: never
    query: never
    body: {
      personId: number
      points: number
      item: string
      note?: string
      clientId?: string
    }
    response: Redemption
  }
  "GET /api/points": {
    path: never
    query: { personId?: number }
    body: never
    response: PersonPoints
  }
}
