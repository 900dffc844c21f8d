import type { SchemaName } from './schemas.ts'

/** One answer of an operation: a named response schema (JSON), or another media type. */
export interface ResponseSpec {
  description: string
  /** A schema of server/openapi/schemas.ts; absent for bodiless answers (204) and non-JSON media. */
  schema?: SchemaName
  /** Media type; `application/json` by default (`application/geo+json` for GeoJSON bodies). */
  type?: string
}

/** What the route itself cannot say about an operation: its words and its answers. */
export interface OperationSpec {
  summary: string
  tag: string
  description?: string
  /** Answered without signing in. */
  public?: boolean
  /** HTTP Basic (OwnTracks) instead of a Bearer token or the session cookie. */
  basic?: boolean
  /** The answers besides the errors (which every operation documents as problem+json). */
  responses: Record<number, ResponseSpec>
}

const GEOJSON = 'application/geo+json'
const ok = (schema: SchemaName, description = 'OK', type?: string): Record<number, ResponseSpec> => ({ 200: { description, schema, ...(type ? { type } : {}) } })
const created = (schema: SchemaName, description = 'Created'): Record<number, ResponseSpec> => ({ 201: { description, schema } })
const createdOrSame = (schema: SchemaName): Record<number, ResponseSpec> => ({
  201: { description: 'Created', schema },
  200: { description: 'The same request was made before (same clientId): the first result', schema },
})
const noContent: Record<number, ResponseSpec> = { 204: { description: 'Done; no body' } }
const geojson = (schema: SchemaName): Record<number, ResponseSpec> => ok(schema, 'GeoJSON', GEOJSON)
const file = (type: string, description: string): Record<number, ResponseSpec> => ({ 200: { description, type } })

/**
 * Every operation of the API, once, keyed `METHOD /path` exactly as the Hono app registers it
 * (`:param` paths). The request side (path, query, header, JSON and form bodies) is not written here:
 * it is read from the routes' own `validate()` schemas (server/validate.ts), and the permission from
 * their `requirePermission()` (server/auth/middleware.ts). tests/openapi.test.ts fails when a route
 * is missing here, or an entry here has no route.
 */
export const OPERATIONS: Record<string, OperationSpec> = {
  // Service
  'GET /api/health': { tag: 'service', summary: 'Liveness and database versions', public: true, responses: ok('Health') },
  'GET /api/config': { tag: 'service', summary: 'Client configuration (the operator’s base map)', public: true, responses: ok('AppConfig') },
  'GET /api/openapi.json': { tag: 'service', summary: 'This OpenAPI 3.0 document', public: true, responses: ok('AnyObject', 'OpenAPI 3.0 document') },
  'GET /api/docs': { tag: 'service', summary: 'A reference page of this document (HTML, nothing loaded from outside)', public: true, responses: file('text/html', 'HTML page') },
  'GET /api/setup': { tag: 'service', summary: 'Whether the first admin account still has to be made', public: true, responses: ok('SetupState') },
  'POST /api/setup': { tag: 'service', summary: 'Make the first admin account (empty database only) and sign in', public: true, responses: created('Login') },
  // Sign-in
  'POST /api/auth/login': { tag: 'auth', summary: 'Sign in: a Bearer token, the session cookie and a CSRF token', public: true, responses: ok('Login') },
  'POST /api/auth/password': { tag: 'auth', summary: 'Change one’s own password', responses: noContent },
  'POST /api/auth/logout': { tag: 'auth', summary: 'Sign out (the session is revoked)', responses: noContent },
  'GET /api/auth/me': { tag: 'auth', summary: 'The signed-in user and the CSRF token', responses: ok('Me') },
  // Communities and layers
  'GET /api/communities': { tag: 'communities', summary: 'Communities the caller may see', responses: geojson('CommunityCollection') },
  'POST /api/communities': { tag: 'communities', summary: 'Create a community from its boundary', responses: created('Community') },
  'GET /api/communities/:id/targets': { tag: 'communities', summary: 'A community’s targets (目标值): its own and those it is measured against', responses: ok('CommunityTargets') },
  'PUT /api/communities/:id/targets': { tag: 'communities', summary: 'Set a community’s own targets (admin); absent or null keys take the defaults', responses: ok('CommunityTargets') },
  'GET /api/layers/:layer': { tag: 'layers', summary: 'A map layer as GeoJSON (buildings, compounds, roads, key places, …)', description: 'The features’ properties depend on the layer: see the schemas named in MapLayer.', responses: geojson('MapLayer') },
  'GET /api/tiles/:layer/:z/:x/:tile': {
    tag: 'layers',
    summary: 'A Mapbox vector tile of a layer (`{y}.mvt`)',
    responses: { 200: { description: 'Vector tile', type: 'application/vnd.mapbox-vector-tile' }, 204: { description: 'Empty tile' }, 304: { description: 'Not modified (If-None-Match)' } },
  },
  'GET /api/buildings/:id': { tag: 'layers', summary: 'A building', responses: ok('Building') },
  'PUT /api/buildings/:id': { tag: 'layers', summary: 'Name a building’s head (楼栋长)', responses: ok('Building') },
  'POST /api/import/zones': { tag: 'import', summary: 'Import zones from a GeoJSON/Shapefile/KML/GPX file', responses: ok('LayerImportResult') },
  'POST /api/import/:layer': { tag: 'import', summary: 'Import a layer (buildings, key places, …) from a file', responses: ok('LayerImportResult') },
  'GET /api/community-imports': { tag: 'import', summary: 'Jobs of new communities from their own files', responses: ok('ImportJobList') },
  'POST /api/community-imports': { tag: 'import', summary: 'Upload a community’s map files (multipart); the job reads them in the background', responses: { 202: { description: 'Accepted', schema: 'ImportJob' } } },
  'GET /api/community-imports/:id': { tag: 'import', summary: 'A community import job', responses: ok('ImportJob') },
  'GET /api/community-imports/:id/features': { tag: 'import', summary: 'The features a job read, for review', responses: geojson('ImportFeatureCollection') },
  'POST /api/community-imports/:id/commit': { tag: 'import', summary: 'Commit a reviewed import', responses: { 202: { description: 'Accepted', schema: 'ImportJob' } } },
  // Hazards
  'GET /api/hazards': {
    tag: 'hazards',
    summary: 'Hazards (隐患), filtered and cursor-paged; `at` replays the state at a time',
    description: 'A FeatureCollection with `next` (the cursor of the next page, also in the `Link` header) and `limit`. `?format=csv|xlsx|geojson` downloads everything selected.',
    responses: geojson('HazardPage'),
  },
  'POST /api/hazards': { tag: 'hazards', summary: 'Report a hazard', responses: createdOrSame('Hazard') },
  'GET /api/hazards/:id': { tag: 'hazards', summary: 'A hazard with its events and photos', responses: ok('HazardDetail') },
  'POST /api/hazards/:id/transition': { tag: 'hazards', summary: 'Move a hazard along the closed loop (dispatch, rectify, verify, reopen, reject)', responses: ok('Hazard') },
  'POST /api/hazards/:id/photos': { tag: 'hazards', summary: 'Add a photo (multipart field `photo`; `Idempotency-Key` header)', responses: createdOrSame('PhotoCreated') },
  'GET /api/hazards/:id/photos/:photoId': { tag: 'hazards', summary: 'A hazard photo (JPEG/PNG/WebP)', responses: file('image/*', 'The photo') },
  'GET /api/live': { tag: 'hazards', summary: 'Live changes as Server-Sent Events', responses: file('text/event-stream', 'Event stream') },
  // Zones
  'GET /api/zones': { tag: 'zones', summary: 'Zones (责任网格) as GeoJSON or CSV', responses: geojson('ZoneCollection') },
  'GET /api/zones/check': { tag: 'zones', summary: 'Overlaps, gaps and coverage of a community’s zones', responses: ok('ZoneCheck') },
  'GET /api/zones/stats': { tag: 'zones', summary: 'Hazard counts by zone (the zone valid at each hazard’s time)', responses: ok('ZoneStats') },
  'POST /api/zones/suggest': { tag: 'zones', summary: 'Suggest n zones for a community, or n micro-grids for one of its grids (parentId)', responses: ok('ZoneSuggestion') },
  'GET /api/zones/:id': { tag: 'zones', summary: 'A zone with its buildings, key places, person and teams', responses: ok('ZoneDetail') },
  'POST /api/zones': { tag: 'zones', summary: 'Draw a zone (`?strict=true` refuses overlaps with 409)', responses: created('ZoneWrite') },
  'GET /api/zones/:id/versions': { tag: 'zones', summary: 'A zone’s versions, newest first: valid when, who wrote it, area and its change, geometry', responses: ok('ZoneVersionList') },
  'PUT /api/zones/:id': { tag: 'zones', summary: 'Reshape, rename or reassign a zone', responses: ok('ZoneWrite') },
  'POST /api/zones/:id/split': { tag: 'zones', summary: 'Split a zone by a drawn part', responses: created('ZoneSplit') },
  'DELETE /api/zones/:id': { tag: 'zones', summary: 'Delete a zone', responses: noContent },
  // Patrol
  'POST /api/tracks/points': { tag: 'patrol', summary: 'Send duty track points from a bound device', responses: ok('TrackUploadResult') },
  'POST /api/tracks/gpx': { tag: 'patrol', summary: 'Upload a GPX track', responses: ok('TrackUploadResult') },
  'GET /api/tracks/flags': { tag: 'patrol', summary: 'Implausible track stretches with reasons', responses: ok('TrackFlags') },
  'GET /api/tracks': { tag: 'patrol', summary: 'Patrol tracks in a window (GeoJSON; `?format=gpx`)', responses: geojson('TrackCollection') },
  'POST /api/owntracks': { tag: 'patrol', summary: 'OwnTracks HTTP mode (HTTP Basic)', basic: true, responses: ok('OwnTracksAnswer') },
  'POST /api/checkins': { tag: 'patrol', summary: 'Check in at a key place (QR code)', responses: createdOrSame('CheckinCreated') },
  'GET /api/checkins': { tag: 'patrol', summary: 'Check-ins in a window', responses: ok('CheckinList') },
  'GET /api/key-places': { tag: 'patrol', summary: 'Key places (重点部位) with their check-in codes', responses: ok('KeyPlaceList') },
  'GET /api/key-places/by-code/:code': { tag: 'patrol', summary: 'The key place of a QR code', responses: ok('KeyPlaceByCode') },
  'GET /api/key-places/:id/qr': { tag: 'patrol', summary: 'A key place’s QR code (SVG)', responses: file('image/svg+xml', 'SVG') },
  'GET /api/devices': { tag: 'patrol', summary: 'Registered devices', responses: ok('DeviceList') },
  'POST /api/devices': { tag: 'patrol', summary: 'Register a device for a person', responses: createdOrSame('Device') },
  // Analysis
  'GET /api/analysis/coverage': { tag: 'analysis', summary: 'Patrol coverage of buildings and key places in a window', responses: ok('Coverage') },
  'GET /api/analysis/coverage/calendar': { tag: 'analysis', summary: 'Compound × day coverage and the weekly rule', responses: ok('CoverageCalendar') },
  'GET /api/analysis/clusters': { tag: 'analysis', summary: 'Hazard clusters (DBSCAN)', responses: geojson('ClusterCollection') },
  'GET /api/analysis/hotspots': { tag: 'analysis', summary: 'Hot spots (Getis-Ord Gi*) on a grid', responses: geojson('HotspotCollection') },
  'GET /api/analysis/recurrences': { tag: 'analysis', summary: 'Hazards that came back near a closed one', responses: geojson('RecurrenceCollection') },
  'GET /api/stats/communities': { tag: 'analysis', summary: 'The street office’s overview: open, overdue, critical, waiting for review and on duty per community', responses: ok('CommunityOverview') },
  'GET /api/stats': { tag: 'analysis', summary: 'Totals, response and closure rates, overdue, medians', responses: ok('Stats') },
  'GET /api/stats/trend': { tag: 'analysis', summary: 'Daily counts per category', responses: ok('Trend') },
  'GET /api/reports/:period': {
    tag: 'analysis',
    summary: 'Day, week or month report (JSON, printable HTML, XLSX, CSV)',
    responses: { 200: { description: 'The report (`format=json|html|xlsx|csv`)', schema: 'ReportData' } },
  },
  // Roster and accounts
  'GET /api/people': { tag: 'roster', summary: 'People of the roster (phones masked unless the caller manages the roster)', responses: ok('PersonList') },
  'POST /api/people/import': { tag: 'roster', summary: 'Import a roster workbook (XLSX/CSV)', responses: ok('RosterImportResult') },
  'GET /api/people/:id': { tag: 'roster', summary: 'A person with their devices', responses: ok('PersonDetail') },
  'POST /api/people': { tag: 'roster', summary: 'Add a person', responses: created('Person') },
  'PUT /api/people/:id': { tag: 'roster', summary: 'Change or deactivate a person', responses: ok('Person') },
  'GET /api/teams': { tag: 'roster', summary: 'Teams', responses: ok('TeamList') },
  'GET /api/teams/:id': { tag: 'roster', summary: 'A team', responses: ok('Team') },
  'POST /api/teams': { tag: 'roster', summary: 'Add a team', responses: created('Team') },
  'PUT /api/teams/:id': { tag: 'roster', summary: 'Change a team, its leader and deputies', responses: ok('Team') },
  'GET /api/users': { tag: 'accounts', summary: 'Accounts', responses: ok('UserList') },
  'GET /api/users/:id': { tag: 'accounts', summary: 'An account', responses: ok('User') },
  'POST /api/users': { tag: 'accounts', summary: 'Create an account (a generated password is returned once)', responses: created('User') },
  'PUT /api/users/:id': { tag: 'accounts', summary: 'Change an account (role, communities, active)', responses: ok('User') },
  'POST /api/users/:id/reset-password': { tag: 'accounts', summary: 'Reset a password (returned once)', responses: ok('PasswordReset') },
  'GET /api/audit': { tag: 'accounts', summary: 'The audit log', responses: ok('AuditList') },
  // Alerts
  'GET /api/alert-channels': { tag: 'alerts', summary: 'Alert channels (group robots, webhooks)', responses: ok('AlertChannelList') },
  'POST /api/alert-channels': { tag: 'alerts', summary: 'Add an alert channel', responses: created('AlertChannel') },
  'GET /api/alert-channels/:id': { tag: 'alerts', summary: 'An alert channel', responses: ok('AlertChannel') },
  'PUT /api/alert-channels/:id': { tag: 'alerts', summary: 'Change an alert channel', responses: ok('AlertChannel') },
  'DELETE /api/alert-channels/:id': { tag: 'alerts', summary: 'Delete an alert channel', responses: noContent },
  'POST /api/alert-channels/:id/test': { tag: 'alerts', summary: 'Send a test message now', responses: ok('AlertTestResult') },
  'GET /api/alert-channels/:id/deliveries': { tag: 'alerts', summary: 'The delivery log of a channel', responses: ok('AlertDeliveryList') },
  // OGC API – Features
  'GET /ogc': { tag: 'ogc', summary: 'OGC API – Features landing page', responses: ok('OgcLanding') },
  'GET /ogc/conformance': { tag: 'ogc', summary: 'Conformance classes', responses: ok('OgcConformance') },
  'GET /ogc/collections': { tag: 'ogc', summary: 'Feature collections', responses: ok('OgcCollections') },
  'GET /ogc/collections/:collectionId': { tag: 'ogc', summary: 'A feature collection', responses: ok('OgcCollection') },
  'GET /ogc/collections/:collectionId/items': { tag: 'ogc', summary: 'Features of a collection (paged with next/prev links)', responses: ok('OgcItems', 'GeoJSON', GEOJSON) },
  'GET /ogc/collections/:collectionId/items/:featureId': { tag: 'ogc', summary: 'One feature', responses: ok('OgcItem', 'GeoJSON', GEOJSON) },
  // Version 2, issues 14, 15, 17 and 19
  'POST /api/hazards/:id/escalate': { tag: 'hazards', summary: '升级: move a matter up one or two handling levels, with a reason', responses: ok('Hazard') },
  'GET /api/matters': { tag: 'hazards', summary: 'Matters of every kind (事项: hazard, dispute, lead, emergency, request, information)', responses: geojson('HazardPage') },
  'POST /api/matters': { tag: 'hazards', summary: 'Report a matter of any kind (`type` required; its categories only)', responses: createdOrSame('Hazard') },
  'GET /api/matters/:id': { tag: 'hazards', summary: 'A matter with its timeline', responses: ok('Hazard') },
  'GET /api/people/:id/activity': { tag: 'roster', summary: 'Hours on duty, distance, reports and check-ins of a person in a window', responses: ok('PersonActivity') },
  'GET /api/units': { tag: 'units', summary: 'Partner units (共建单位) serving the caller’s communities', responses: ok('PartnerUnitList') },
  'GET /api/units/:id': { tag: 'units', summary: 'A partner unit', responses: ok('PartnerUnit') },
  'POST /api/units': { tag: 'units', summary: 'Add a partner unit (admin)', responses: created('PartnerUnit') },
  'PUT /api/units/:id': { tag: 'units', summary: 'Change a partner unit (admin)', responses: ok('PartnerUnit') },
  'POST /api/hazards/:id/comments': { tag: 'hazards', summary: 'Comment on a matter (partner units too); idempotent by clientId', responses: createdOrSame('Hazard') },
  'POST /api/hazards/:id/rectify': { tag: 'hazards', summary: '整改完成 from the phone: into rectified (through rectifying from dispatched); idempotent by clientId', responses: createdOrSame('Hazard') },
  'POST /api/hazards/:id/review': { tag: 'hazards', summary: '待核实: accept a resident’s report (→ reported) or decline it with an answer (→ rejected)', responses: ok('Hazard') },
  'POST /api/public/reports': {
    tag: 'residents',
    summary: 'A resident reports without signing in (JSON, or multipart with one optional `photo`); rate-limited per address and device',
    description: 'Body: `{ type: hazard|request, category?, lon, lat | placeCode, description, contact?, deviceId? }`. Starts as `pending_review` (待核实). 422 outside every community or for an unknown placeCode; 429 with Retry-After when sent too often.',
    public: true,
    responses: created('PublicReportCreated'),
  },
  'GET /api/public/reports/:trackingCode': { tag: 'residents', summary: 'A resident’s report by its tracking code: status, public timeline (no names), answer, rating', public: true, responses: ok('PublicReportView') },
  'POST /api/public/reports/:trackingCode/rating': { tag: 'residents', summary: 'Rate a closed report once (satisfied, basically, unsatisfied); unsatisfied reopens it for a recheck', public: true, responses: ok('PublicReportView') },
  'GET /api/posters': { tag: 'residents', summary: 'Posters (扫码上报): every compound and building with its report code and link', responses: ok('PosterList') },
  'GET /api/posters/:code/qr': { tag: 'residents', summary: 'The QR code of a poster’s report link (SVG)', responses: file('image/svg+xml', 'QR code') },
  'POST /api/hotline/columns': { tag: 'residents', summary: 'Read a 12345 export’s header row: columns, sample rows and the suggested mapping', responses: ok('HotlineColumns') },
  'POST /api/hotline/import': {
    tag: 'residents',
    summary: 'Import 12345 hotline tickets from the platform’s Excel export (multipart: file, mapping); dryRun=true (default) previews',
    responses: ok('HotlineImportResult'),
  },
  'GET /api/public/summary': {
    tag: 'residents',
    summary: 'A community’s public monthly summary (公示) by its public code: counts by kind, category, level and grid, closed rate, handling time, satisfaction',
    public: true,
    responses: ok('PublicSummary'),
  },
  'GET /api/public/reports/area': { tag: 'residents', summary: 'The box around the communities served (for the report page’s map)', public: true, responses: ok('PublicArea') },
  'GET /api/public/reports/places/:code': { tag: 'residents', summary: 'The place of a poster’s code (its name, for the report page)', public: true, responses: ok('PublicPlace') },
  'POST /api/hazards/:id/arrive': { tag: 'hazards', summary: '到场: record the first arrival on site (within 100 m + accuracy, or with a note); idempotent by clientId', responses: createdOrSame('Hazard') },
  'GET /api/hazards/spot-checks': { tag: 'hazards', summary: 'A random sample of the matters closed as fixed on the spot (现场处置), for a leader’s spot check', responses: ok('SpotCheckSample') },
  'POST /api/hazards/:id/remind': { tag: 'hazards', summary: '催办: remind the assignee (one an hour per matter)', responses: created('ReminderResult') },
  'GET /api/coverage/route': { tag: 'plans', summary: 'The next round: a walking route along the roads through the unvisited places', responses: ok('RouteFeature', 'A GeoJSON Feature (sent as application/json)') },
  'POST /api/coverage/route/assignments': { tag: 'plans', summary: 'Send the next round to a member’s phone', responses: created('RouteAssignment') },
  'GET /api/route/walk': { tag: 'plans', summary: 'Walking directions along the community’s roads from a position to a matter', responses: ok('WalkRoute', 'A GeoJSON Feature (sent as application/json)') },
  'GET /api/coverage/route/assigned': { tag: 'plans', summary: 'The signed-in member’s newest round', responses: ok('RouteAssignment') },
  'GET /api/patrol-plans': { tag: 'plans', summary: 'Patrol plans (with their occurrences in a window)', responses: ok('PatrolPlanList') },
  'GET /api/patrol-plans/:id': { tag: 'plans', summary: 'A patrol plan', responses: ok('PatrolPlan') },
  'POST /api/patrol-plans': { tag: 'plans', summary: 'Make a patrol plan', responses: created('PatrolPlan') },
  'PUT /api/patrol-plans/:id': { tag: 'plans', summary: 'Change a patrol plan', responses: ok('PatrolPlan') },
  'GET /api/patrol-plans/:id/coverage': { tag: 'plans', summary: 'Plan against reality: coverage of its zones by its people, minutes on duty', responses: ok('PlanCoverage') },
  'POST /api/duty': { tag: 'plans', summary: 'Start or stop duty (idempotent by clientId)', responses: createdOrSame('DutySession') },
  'GET /api/duty': { tag: 'plans', summary: 'Duty sessions with minutes and distance', responses: ok('DutySessionList') },
  'GET /api/care/residents': { tag: 'care', summary: 'Households under care (address and phone for admins and paired members only)', responses: ok('CareResidentList') },
  'GET /api/care/residents/:id': { tag: 'care', summary: 'A household under care', responses: ok('CareResident') },
  'POST /api/care/residents': { tag: 'care', summary: 'Register a household under care', responses: created('CareResident') },
  'PUT /api/care/residents/:id': { tag: 'care', summary: 'Change a household under care', responses: ok('CareResident') },
  'POST /api/care/visits': { tag: 'care', summary: 'Record a visit at the door (position or door code; idempotent by clientId)', responses: createdOrSame('CareVisit') },
  'GET /api/care/calendar': { tag: 'care', summary: 'Household × day: visits and misses against each rule', responses: ok('CareCalendar') },
  'GET /api/care/today': { tag: 'care', summary: 'The signed-in member’s households still to visit today', responses: ok('CareToday') },
  'GET /api/points/rules': { tag: 'points', summary: 'Points rules of a community', responses: ok('PointsRules') },
  'PUT /api/points/rules': { tag: 'points', summary: 'Set the points rules (admin)', responses: ok('PointsRules') },
  'GET /api/points/ranking': { tag: 'points', summary: 'The month’s points ranking', responses: ok('PointsRanking') },
  'GET /api/points/redemptions': { tag: 'points', summary: 'Redemptions (what was exchanged, by whom)', responses: ok('RedemptionList') },
  'POST /api/points/redemptions': { tag: 'points', summary: 'Record a redemption (never below zero)', responses: createdOrSame('Redemption') },
  'GET /api/points': { tag: 'points', summary: 'A person’s balance and ledger', responses: ok('PersonPoints') },
}
