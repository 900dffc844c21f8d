import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { PERMISSIONS, ROLES, type Permission, type Role } from '../core/roles.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

/** Who may call an endpoint: nobody signed in, any role, or the roles of a permission. */
type Access = 'public' | 'any' | Permission

/** One row of the role × endpoint matrix: how to build a fresh, harmless, valid request. */
interface Row {
  name: string
  access: Access
  request: () => Promise<{ method: string; path: string; body?: unknown }>
}

type Who = Role | 'anonymous'
const WHO: Who[] = [...ROLES, 'anonymous']

let server: TestServer
const clients = {} as Record<Role, Client>
let fx: {
  communityId: number
  lon: number
  lat: number
  hazardId: number
  zoneId: number
  keyPlaceId: number
  keyPlaceCode: string
  /** Where the key place is: a check-in carries the phone's position there. */
  keyPlaceAt: { lon: number; lat: number }
  png: Uint8Array<ArrayBuffer>
  leaderTeamId: number
  leaderTeamName: string
  buildingId: number
}
let seq = 0
const results: Record<string, Record<Who, number>> = {}

const sql = () => server.db.sql

async function freshHazard(communityId = fx.communityId, description = 'access test'): Promise<number> {
  const [h] = await sql()<{ id: number }[]>`
    insert into hazards (community_id, category, severity, status, geom, reported_at, due_at, description)
    values (${communityId}, 'other', 'minor', 'reported', ST_SetSRID(ST_MakePoint(${fx.lon}, ${fx.lat}), 4326), now(), now() + interval '1 day', ${description})
    returning id`
  return h!.id
}

/** A partner unit of the fixture community (not the partner account's). */
async function freshUnit(): Promise<number> {
  const [u] = await sql()<{ id: number }[]>`insert into partner_units (name, kind) values (${`acc-unit-${++seq}`}, 'other') returning id::int`
  await sql()`insert into partner_unit_communities (community_id, unit_id) values (${fx.communityId}, ${u!.id})`
  return u!.id
}

async function freshZone(communityId = fx.communityId, name = 'access zone'): Promise<number> {
  const d = 0.0003
  const [z] = await sql()<{ id: number }[]>`
    insert into zones (community_id, name, geom)
    values (${communityId}, ${name}, ST_Multi(ST_MakeEnvelope(${fx.lon}, ${fx.lat}, ${fx.lon + d}, ${fx.lat + d}, 4326))) returning id`
  return z!.id
}

/** A disabled alert channel to a local address (a test send is refused by the address rule: no network). */
async function freshChannel(communityId = fx.communityId): Promise<number> {
  const [ch] = await sql()<{ id: number }[]>`
    insert into alert_channels (community_id, name, provider, url, events, enabled)
    values (${communityId}, 'access channel', 'webhook', 'http://127.0.0.1:9/hook', array['critical'], false) returning id`
  return ch!.id
}

const square = (d = 0.0002) => ({
  type: 'Polygon',
  coordinates: [
    [
      [fx.lon, fx.lat],
      [fx.lon + d, fx.lat],
      [fx.lon + d, fx.lat + d],
      [fx.lon, fx.lat + d],
      [fx.lon, fx.lat],
    ],
  ],
})
async function freshPerson(): Promise<number> {
  const [p] = await sql()<{ id: number }[]>`insert into people (community_id, name, team_id) values (${fx.communityId}, ${`acc-person-${++seq}`}, ${fx.leaderTeamId}) returning id::int`
  return p!.id
}

async function freshUser(): Promise<number> {
  const [u] = await sql()<{ id: number }[]>`
    insert into users (username, name, role, password_hash) values (${`acc-user-${++seq}`}, 'x', 'patrol', 'scrypt$x') returning id::int`
  await sql()`insert into user_communities (user_id, community_id) values (${u!.id}, ${fx.communityId})`
  return u!.id
}

/** A household under care at the community's point, paired with nobody. */
async function freshResident(): Promise<number> {
  const [r] = await sql()<{ id: number }[]>`
    insert into care_residents (community_id, name, address, phone, care_group, geom, visits_per_day)
    values (${fx.communityId}, ${`acc-care-${++seq}`}, '光谷广场社区1栋101', '13812341234', 'elderly_alone', ST_SetSRID(ST_MakePoint(${fx.lon}, ${fx.lat}), 4326), 2)
    returning id::int`
  return r!.id
}

const day = () => ({ from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString() })
const q = (o: Record<string, string | number>) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)])).toString()

/** Every endpoint mounted in server/app.ts, with who may call it (docs/API.md, core/roles.ts). */
const ROWS: Row[] = [
  { name: 'GET /api/health', access: 'public', request: async () => ({ method: 'GET', path: '/api/health' }) },
  { name: 'GET /api/auth/me', access: 'any', request: async () => ({ method: 'GET', path: '/api/auth/me' }) },
  { name: 'GET /api/communities', access: 'any', request: async () => ({ method: 'GET', path: '/api/communities' }) },
  { name: 'GET /api/people', access: 'any', request: async () => ({ method: 'GET', path: '/api/people' }) },
  { name: 'GET /api/audit', access: 'readAudit', request: async () => ({ method: 'GET', path: '/api/audit?limit=5' }) },
  { name: 'GET /api/alert-channels', access: 'manageAlerts', request: async () => ({ method: 'GET', path: '/api/alert-channels' }) },
  {
    name: 'POST /api/alert-channels',
    access: 'manageAlerts',
    request: async () => ({ method: 'POST', path: '/api/alert-channels', body: { communityId: fx.communityId, name: `acc-${++seq}`, provider: 'webhook', url: 'https://example.com/hook', enabled: false } }),
  },
  { name: 'GET /api/alert-channels/:id', access: 'manageAlerts', request: async () => ({ method: 'GET', path: `/api/alert-channels/${await freshChannel()}` }) },
  { name: 'PUT /api/alert-channels/:id', access: 'manageAlerts', request: async () => ({ method: 'PUT', path: `/api/alert-channels/${await freshChannel()}`, body: { name: `acc-${++seq}` } }) },
  { name: 'DELETE /api/alert-channels/:id', access: 'manageAlerts', request: async () => ({ method: 'DELETE', path: `/api/alert-channels/${await freshChannel()}` }) },
  { name: 'POST /api/alert-channels/:id/test', access: 'manageAlerts', request: async () => ({ method: 'POST', path: `/api/alert-channels/${await freshChannel()}/test` }) },
  { name: 'GET /api/alert-channels/:id/deliveries', access: 'manageAlerts', request: async () => ({ method: 'GET', path: `/api/alert-channels/${await freshChannel()}/deliveries` }) },
  ...['communities', 'compounds', 'buildings', 'key-places', 'zones', 'roads'].map(
    (layer): Row => ({ name: `GET /api/layers/${layer}`, access: 'any', request: async () => ({ method: 'GET', path: `/api/layers/${layer}?communityId=${fx.communityId}` }) }),
  ),
  { name: 'GET /api/tiles/:layer/:z/:x/:y.mvt', access: 'any', request: async () => ({ method: 'GET', path: '/api/tiles/buildings/0/0/0.mvt' }) },
  { name: 'GET /api/hazards', access: 'any', request: async () => ({ method: 'GET', path: '/api/hazards' }) },
  { name: 'GET /api/hazards/:id', access: 'any', request: async () => ({ method: 'GET', path: `/api/hazards/${fx.hazardId}` }) },
  {
    name: 'POST /api/hazards',
    access: 'report',
    request: async () => ({ method: 'POST', path: '/api/hazards', body: { category: 'other', severity: 'minor', location: { lon: fx.lon, lat: fx.lat }, clientId: `acc-${++seq}` } }),
  },
  { name: 'GET /api/matters', access: 'any', request: async () => ({ method: 'GET', path: '/api/matters?type=dispute' }) },
  { name: 'GET /api/matters/:id', access: 'any', request: async () => ({ method: 'GET', path: `/api/matters/${fx.hazardId}` }) },
  {
    name: 'POST /api/matters',
    access: 'report',
    request: async () => ({ method: 'POST', path: '/api/matters', body: { type: 'dispute', category: 'noise', location: { lon: fx.lon, lat: fx.lat }, clientId: `acc-m-${++seq}` } }),
  },
  {
    name: 'POST /api/hazards/:id/escalate',
    access: 'dispatch',
    request: async () => ({ method: 'POST', path: `/api/hazards/${await freshHazard()}/escalate`, body: { level: 'grid', reason: 'access' } }),
  },
  { name: 'POST /api/hazards/:id/transition (reject)', access: 'dispatch', request: async () => ({ method: 'POST', path: `/api/hazards/${await freshHazard()}/transition`, body: { to: 'rejected', note: 'access' } }) },
  {
    name: 'POST /api/hazards/:id/photos',
    access: 'rectify',
    request: async () => {
      const form = new FormData()
      form.append('photo', new Blob([fx.png], { type: 'image/png' }), 'p.png')
      return { method: 'POST', path: `/api/hazards/${fx.hazardId}/photos`, body: form }
    },
  },
  { name: 'POST /api/hazards/:id/comments', access: 'rectify', request: async () => ({ method: 'POST', path: `/api/hazards/${await freshHazard()}/comments`, body: { note: 'access comment' } }) },
  { name: 'GET /api/units', access: 'any', request: async () => ({ method: 'GET', path: '/api/units' }) },
  { name: 'GET /api/units/:id', access: 'any', request: async () => ({ method: 'GET', path: `/api/units/${await freshUnit()}` }) },
  { name: 'POST /api/units', access: 'manageUnits', request: async () => ({ method: 'POST', path: '/api/units', body: { name: `acc-unit-${++seq}`, kind: 'other', communityIds: [fx.communityId] } }) },
  { name: 'PUT /api/units/:id', access: 'manageUnits', request: async () => ({ method: 'PUT', path: `/api/units/${await freshUnit()}`, body: { contact: `acc-${++seq}` } }) },
  { name: 'GET /api/live (SSE)', access: 'any', request: async () => ({ method: 'GET', path: '/api/live' }) },
  { name: 'GET /api/zones', access: 'any', request: async () => ({ method: 'GET', path: '/api/zones' }) },
  { name: 'GET /api/zones/check', access: 'any', request: async () => ({ method: 'GET', path: `/api/zones/check?communityId=${fx.communityId}` }) },
  { name: 'GET /api/zones/stats', access: 'any', request: async () => ({ method: 'GET', path: `/api/zones/stats?communityId=${fx.communityId}` }) },
  { name: 'GET /api/zones/:id', access: 'any', request: async () => ({ method: 'GET', path: `/api/zones/${fx.zoneId}` }) },
  { name: 'POST /api/zones', access: 'editZones', request: async () => ({ method: 'POST', path: '/api/zones', body: { type: 'Feature', geometry: square(), properties: { name: `acc-${++seq}`, communityId: fx.communityId } } }) },
  { name: 'PUT /api/zones/:id', access: 'editZones', request: async () => ({ method: 'PUT', path: `/api/zones/${await freshZone()}`, body: { type: 'Feature', properties: { name: `acc-${++seq}` } } }) },
  { name: 'DELETE /api/zones/:id', access: 'editZones', request: async () => ({ method: 'DELETE', path: `/api/zones/${await freshZone()}` }) },
  {
    name: 'POST /api/zones/:id/split',
    access: 'editZones',
    request: async () => ({ method: 'POST', path: `/api/zones/${await freshZone()}/split`, body: { type: 'Feature', geometry: square(0.00015), properties: { name: `acc-${++seq}` } } }),
  },
  { name: 'POST /api/zones/suggest', access: 'editZones', request: async () => ({ method: 'POST', path: '/api/zones/suggest', body: { communityId: fx.communityId, n: 3 } }) },
  {
    name: 'POST /api/import/zones',
    access: 'editZones',
    request: async () => ({
      method: 'POST',
      path: `/api/import/zones?communityId=${fx.communityId}`,
      body: { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: square(), properties: { name: `acc-${++seq}` } }] },
    }),
  },
  {
    name: 'POST /api/tracks/points',
    access: 'report',
    request: async () => ({ method: 'POST', path: '/api/tracks/points', body: { deviceId: `acc-dev-${++seq}`, points: [{ lon: fx.lon, lat: fx.lat, t: new Date(Date.now() - 1000).toISOString() }] } }),
  },
  {
    name: 'POST /api/tracks/gpx',
    access: 'report',
    request: async () => ({
      method: 'POST',
      path: `/api/tracks/gpx?deviceId=acc-gpx-${++seq}`,
      body: `<gpx version="1.1"><trk><trkseg><trkpt lat="${fx.lat}" lon="${fx.lon}"><time>${new Date(Date.now() - 2000).toISOString()}</time></trkpt></trkseg></trk></gpx>`,
    }),
  },
  { name: 'GET /api/tracks', access: 'readTracks', request: async () => ({ method: 'GET', path: '/api/tracks' }) },
  {
    name: 'POST /api/owntracks',
    access: 'report',
    request: async () => ({ method: 'POST', path: '/api/owntracks', body: { _type: 'location', lat: fx.lat, lon: fx.lon, tst: Math.floor(Date.now() / 1000) - 5, tid: `a${++seq}` } }),
  },
  { name: 'POST /api/checkins', access: 'report', request: async () => ({ method: 'POST', path: '/api/checkins', body: { keyPlaceId: fx.keyPlaceId, clientId: `acc-${++seq}`, ...fx.keyPlaceAt, accuracy: 10 } }) },
  { name: 'GET /api/checkins', access: 'any', request: async () => ({ method: 'GET', path: `/api/checkins?${q(day())}` }) },
  { name: 'GET /api/key-places', access: 'any', request: async () => ({ method: 'GET', path: '/api/key-places' }) },
  { name: 'GET /api/key-places/by-code/:code', access: 'any', request: async () => ({ method: 'GET', path: `/api/key-places/by-code/${fx.keyPlaceCode}` }) },
  { name: 'GET /api/key-places/:id/qr', access: 'printCodes', request: async () => ({ method: 'GET', path: `/api/key-places/${fx.keyPlaceId}/qr` }) },
  { name: 'GET /api/analysis/coverage', access: 'any', request: async () => ({ method: 'GET', path: `/api/analysis/coverage?${q({ ...day(), communityId: fx.communityId })}` }) },
  { name: 'GET /api/analysis/coverage/calendar', access: 'any', request: async () => ({ method: 'GET', path: `/api/analysis/coverage/calendar?communityId=${fx.communityId}` }) },
  { name: 'GET /api/analysis/clusters', access: 'any', request: async () => ({ method: 'GET', path: '/api/analysis/clusters' }) },
  { name: 'GET /api/analysis/hotspots', access: 'any', request: async () => ({ method: 'GET', path: `/api/analysis/hotspots?communityId=${fx.communityId}` }) },
  { name: 'GET /api/analysis/recurrences', access: 'any', request: async () => ({ method: 'GET', path: '/api/analysis/recurrences' }) },
  { name: 'GET /api/stats', access: 'any', request: async () => ({ method: 'GET', path: '/api/stats' }) },
  { name: 'GET /api/stats/trend', access: 'any', request: async () => ({ method: 'GET', path: '/api/stats/trend?days=7' }) },
  { name: 'GET /api/config', access: 'public', request: async () => ({ method: 'GET', path: '/api/config' }) },
  { name: 'GET /api/reports/:period', access: 'any', request: async () => ({ method: 'GET', path: `/api/reports/day?date=2026-01-05&communityId=${fx.communityId}&format=csv` }) },
  { name: 'GET /api/hazards?format=xlsx', access: 'any', request: async () => ({ method: 'GET', path: '/api/hazards?status=reported&format=xlsx' }) },
  { name: 'GET /ogc/collections', access: 'any', request: async () => ({ method: 'GET', path: '/ogc/collections' }) },
  { name: 'GET /ogc/collections/:id/items', access: 'any', request: async () => ({ method: 'GET', path: '/ogc/collections/buildings/items?limit=2' }) },
  {
    name: 'POST /api/import/buildings',
    access: 'manageCommunities',
    request: async () => ({ method: 'POST', path: `/api/import/buildings?communityId=${fx.communityId}`, body: { type: 'FeatureCollection', features: [] } }),
  },
  // The roster, accounts and devices (issue 16).
  { name: 'GET /api/setup', access: 'public', request: async () => ({ method: 'GET', path: '/api/setup' }) },
  { name: 'GET /api/people/:id', access: 'any', request: async () => ({ method: 'GET', path: `/api/people/${await freshPerson()}` }) },
  { name: 'GET /api/people?format=xlsx', access: 'any', request: async () => ({ method: 'GET', path: `/api/people?format=xlsx&communityId=${fx.communityId}` }) },
  { name: 'POST /api/people', access: 'manageRoster', request: async () => ({ method: 'POST', path: '/api/people', body: { name: `acc-${++seq}`, teamIds: [fx.leaderTeamId] } }) },
  { name: 'PUT /api/people/:id', access: 'manageRoster', request: async () => ({ method: 'PUT', path: `/api/people/${await freshPerson()}`, body: { posts: ['巡逻'] } }) },
  {
    name: 'POST /api/people/import',
    access: 'manageRoster',
    request: async () => {
      const form = new FormData()
      form.append('file', new Blob([`姓名,队伍\nacc-${++seq},${fx.leaderTeamName}\n`]), 'roster.csv')
      return { method: 'POST', path: `/api/people/import?communityId=${fx.communityId}`, body: form }
    },
  },
  { name: 'GET /api/teams', access: 'any', request: async () => ({ method: 'GET', path: '/api/teams' }) },
  { name: 'POST /api/teams', access: 'manageCommunities', request: async () => ({ method: 'POST', path: '/api/teams', body: { communityId: fx.communityId, name: `acc-${++seq}`, kind: 'patrol' } }) },
  { name: 'PUT /api/teams/:id', access: 'manageRoster', request: async () => ({ method: 'PUT', path: `/api/teams/${fx.leaderTeamId}`, body: { name: '巡逻队' } }) },
  { name: 'GET /api/users', access: 'manageUsers', request: async () => ({ method: 'GET', path: '/api/users' }) },
  {
    name: 'POST /api/users',
    access: 'manageUsers',
    request: async () => ({ method: 'POST', path: '/api/users', body: { username: `acc-new-${++seq}`, name: 'x', role: 'patrol', communityIds: [fx.communityId] } }),
  },
  { name: 'PUT /api/users/:id', access: 'manageUsers', request: async () => ({ method: 'PUT', path: `/api/users/${await freshUser()}`, body: { name: 'renamed' } }) },
  { name: 'POST /api/users/:id/reset-password', access: 'manageUsers', request: async () => ({ method: 'POST', path: `/api/users/${await freshUser()}/reset-password` }) },
  { name: 'GET /api/devices', access: 'any', request: async () => ({ method: 'GET', path: '/api/devices' }) },
  {
    name: 'POST /api/devices',
    access: 'registerDevice',
    request: async () => ({ method: 'POST', path: '/api/devices', body: { id: `acc-phone-${++seq}`, personId: await freshPerson(), communityId: fx.communityId } }),
  },
  { name: 'GET /api/buildings/:id', access: 'any', request: async () => ({ method: 'GET', path: `/api/buildings/${fx.buildingId}` }) },
  { name: 'PUT /api/buildings/:id', access: 'editBuildings', request: async () => ({ method: 'PUT', path: `/api/buildings/${fx.buildingId}`, body: { properties: { headPersonId: null } } }) },
  { name: 'GET /api/community-imports', access: 'manageCommunities', request: async () => ({ method: 'GET', path: '/api/community-imports' }) },
  {
    name: 'POST /api/community-imports',
    access: 'manageCommunities',
    request: async () => {
      const form = new FormData()
      form.append('name', `acc-${++seq}`)
      form.append('data', new Blob(['<osm version="0.6"><node id="1" lat="31" lon="121"><tag k="amenity" v="bench"/></node></osm>']), 'x.osm')
      return { method: 'POST', path: '/api/community-imports', body: form }
    },
  },
  // Care visits (issue 17): the register (admin, leader), visits by the paired members or admins and leaders.
  { name: 'GET /api/care/residents', access: 'manageCare', request: async () => ({ method: 'GET', path: '/api/care/residents' }) },
  { name: 'GET /api/care/residents/:id', access: 'manageCare', request: async () => ({ method: 'GET', path: `/api/care/residents/${await freshResident()}` }) },
  {
    name: 'POST /api/care/residents',
    access: 'manageCare',
    request: async () => ({ method: 'POST', path: '/api/care/residents', body: { communityId: fx.communityId, name: `acc-${++seq}`, group: 'elderly_alone', lon: fx.lon, lat: fx.lat, visitsPerDay: 2 } }),
  },
  { name: 'PUT /api/care/residents/:id', access: 'manageCare', request: async () => ({ method: 'PUT', path: `/api/care/residents/${await freshResident()}`, body: { note: `acc-${++seq}` } }) },
  // Nobody in the matrix is paired with a fresh household: only admins and leaders may record its visits.
  {
    name: 'POST /api/care/visits (unpaired household)',
    access: 'manageCare',
    request: async () => ({ method: 'POST', path: '/api/care/visits', body: { residentId: await freshResident(), lon: fx.lon, lat: fx.lat, accuracy: 10, clientId: `acc-${++seq}` } }),
  },
  { name: 'GET /api/care/calendar', access: 'any', request: async () => ({ method: 'GET', path: '/api/care/calendar?days=7' }) },
  { name: 'GET /api/care/today', access: 'any', request: async () => ({ method: 'GET', path: '/api/care/today' }) },
  // Last: a new community in the admin's district changes which communities the admin acts in.
  {
    name: 'POST /api/communities',
    access: 'manageCommunities',
    request: async () => {
      const x = 120 + (++seq % 100) * 0.02
      return { method: 'POST', path: '/api/communities', body: { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[x, 31], [x + 0.01, 31], [x + 0.01, 31.01], [x, 31.01], [x, 31]]] }, properties: { name: `acc-${seq}` } } }
    },
  },
]

/**
 * What a partner unit's account (role `partner`, demo account `wuye`) gets beyond the public endpoints: these
 * 2xx; the matters of the fixture, which are not handed to its unit, 404; everything else 403 (never people).
 */
const PARTNER: Record<string, '2xx' | 404> = {
  'GET /api/auth/me': '2xx',
  'GET /api/communities': '2xx',
  'GET /api/hazards': '2xx',
  'GET /api/hazards?format=xlsx': '2xx',
  'GET /api/live (SSE)': '2xx',
  'GET /api/stats': '2xx',
  'GET /api/stats/trend': '2xx',
  'GET /api/hazards/:id': 404,
  'POST /api/hazards/:id/transition (reject)': 404,
  'POST /api/hazards/:id/photos': 404,
  'POST /api/hazards/:id/comments': 404,
  'GET /api/units': '2xx',
  'GET /api/units/:id': 404,
}

/** The username of each role's demo account (a partner unit's is `wuye`). */
const usernameOf = (role: Role): string => (role === 'partner' ? 'wuye' : role)

/** The statuses a caller must get: 401 anonymous, 403 without the permission, else 2xx; a partner: {@link PARTNER}. */
function expected(row: Row, who: Who): '2xx' | 401 | 403 | 404 {
  const access = row.access
  if (access === 'public') return '2xx'
  if (who === 'partner') return PARTNER[row.name] ?? 403
  if (who === 'anonymous') return 401
  if (access === 'any') return '2xx'
  return (PERMISSIONS[access] as readonly Role[]).includes(who) ? '2xx' : 403
}

async function call(who: Who, req: { method: string; path: string; body?: unknown }): Promise<{ status: number; text: string }> {
  const send = who === 'anonymous' ? server.send : clients[who].send
  const res = await send(req.method, req.path, req.body, {})
  if (req.path === '/api/live') {
    await res.body?.cancel()
    return { status: res.status, text: '' }
  }
  return { status: res.status, text: await res.text() }
}

beforeAll(async () => {
  server = await startTestServer()
  for (const role of ROLES) clients[role] = await server.login(usernameOf(role))
  const [c] = await sql()<{ id: number; lon: number; lat: number }[]>`
    select id, ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat from communities order by id limit 1`
  const [k] = await sql()<{ id: number; code: string; lon: number; lat: number }[]>`
    select id, code, ST_X(ST_PointOnSurface(geom)) as lon, ST_Y(ST_PointOnSurface(geom)) as lat from key_places where community_id = ${c!.id} order by id limit 1`
  // Not handed to a partner unit: the partner account must not reach it.
  const [h] = await sql()<{ id: number }[]>`select id from hazards where community_id = ${c!.id} and unit_id is null order by id limit 1`
  const [z] = await sql()<{ id: number }[]>`select id from zones where community_id = ${c!.id} order by id limit 1`
  const png = new Uint8Array(await sharp({ create: { width: 16, height: 16, channels: 3, background: '#c00' } }).png().toBuffer())
  const [t] = await sql()<{ id: number; name: string }[]>`
    select t.id::int, t.name from teams t join users u on u.person_id = t.leader_id where u.username = 'leader'`
  const [b] = await sql()<{ id: number }[]>`select id::int from buildings where community_id = ${c!.id} order by id limit 1`
  fx = { communityId: c!.id, lon: c!.lon, lat: c!.lat, hazardId: h!.id, zoneId: z!.id, keyPlaceId: k!.id, keyPlaceCode: k!.code, keyPlaceAt: { lon: k!.lon, lat: k!.lat }, png, leaderTeamId: t!.id, leaderTeamName: t!.name, buildingId: b!.id }
})
afterAll(async () => {
  await server?.close()
})

test('every endpoint answers each role as the contract says: 401 anonymous, 403 without the permission, 2xx otherwise', { timeout: 240_000 }, async () => {
  const wrong: string[] = []
  for (const row of ROWS) {
    results[row.name] = {} as Record<Who, number>
    for (const who of WHO) {
      const { status, text } = await call(who, await row.request())
      results[row.name]![who] = status
      const want = expected(row, who)
      const ok = want === '2xx' ? status >= 200 && status < 300 : status === want
      if (!ok) wrong.push(`${row.name} as ${who}: ${status} (want ${want}) ${text.slice(0, 160)}`)
    }
  }
  console.table(results)
  const lines = [
    '| endpoint | who may | ' + WHO.join(' | ') + ' |',
    '|---|---|' + WHO.map(() => '---').join('|') + '|',
    ...ROWS.map((r) => `| \`${r.name}\` | ${r.access} | ${WHO.map((w) => String(results[r.name]![w])).join(' | ')} |`),
  ]
  await writeFile(resolve(import.meta.dirname, '../test-results/access-matrix.md'), lines.join('\n') + '\n').catch(() => {})
  expect(wrong).toEqual([])
})

test('a cookie write without the CSRF token is refused with 403', async () => {
  const res = await server.send('POST', '/api/hazards', { category: 'other', severity: 'minor', location: { lon: fx.lon, lat: fx.lat } }, { cookie: `sg_session=${clients.patrol.token}` })
  expect(res.status).toBe(403)
})

test("community A's leader, patrol, planner and partner never reach community B's objects by id", async () => {
  const SECRET = 'B-ONLY-SECRET-7f3a'
  const [b] = await sql()<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary)
    values ('访问测试社区B', 32650, ST_Multi(ST_MakeEnvelope(114.60, 30.70, 114.61, 30.71, 4326))) returning id`
  const bId = b!.id
  const [hb] = await sql()<{ id: number }[]>`
    insert into hazards (community_id, category, severity, status, geom, reported_at, due_at, description)
    values (${bId}, 'other', 'minor', 'reported', ST_SetSRID(ST_MakePoint(114.605, 30.705), 4326), now(), now() + interval '1 day', ${SECRET}) returning id`
  const [zb] = await sql()<{ id: number }[]>`
    insert into zones (community_id, name, geom) values (${bId}, ${SECRET}, ST_Multi(ST_MakeEnvelope(114.601, 30.701, 114.602, 30.702, 4326))) returning id`
  const code = `KPB${Date.now() % 100000}`
  const [kb] = await sql()<{ id: number }[]>`
    insert into key_places (community_id, kind, name, code, geom) values (${bId}, 'other', ${SECRET}, ${code}, ST_SetSRID(ST_MakePoint(114.605, 30.705), 4326)) returning id`
  const device = `dev-b-${Date.now()}`
  await sql()`insert into devices (id, community_id, name) values (${device}, ${bId}, ${SECRET})`
  await sql()`insert into track_points (community_id, device_id, t, geom) values (${bId}, ${device}, now() - interval '1 hour', ST_SetSRID(ST_MakePoint(114.605, 30.705), 4326))`
  const poly = { type: 'Polygon', coordinates: [[[114.601, 30.701], [114.6015, 30.701], [114.6015, 30.7015], [114.601, 30.7015], [114.601, 30.701]]] }
  const probes: { method: string; path: string; body?: unknown; list?: boolean }[] = [
    { method: 'GET', path: `/api/hazards/${hb!.id}` },
    { method: 'POST', path: `/api/hazards/${hb!.id}/transition`, body: { to: 'rejected' } },
    { method: 'GET', path: `/api/zones/${zb!.id}` },
    { method: 'PUT', path: `/api/zones/${zb!.id}`, body: { type: 'Feature', properties: { name: 'taken' } } },
    { method: 'POST', path: `/api/zones/${zb!.id}/split`, body: { type: 'Feature', geometry: poly } },
    { method: 'DELETE', path: `/api/zones/${zb!.id}` },
    { method: 'GET', path: `/api/zones/check?communityId=${bId}` },
    { method: 'POST', path: '/api/zones/suggest', body: { communityId: bId, n: 2 } },
    { method: 'POST', path: '/api/zones', body: { type: 'Feature', geometry: poly, properties: { name: 'into B', communityId: bId } } },
    { method: 'POST', path: `/api/import/zones?communityId=${bId}`, body: { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: poly, properties: {} }] } },
    { method: 'GET', path: `/api/key-places/${kb!.id}/qr` },
    { method: 'GET', path: `/api/key-places/by-code/${code}` },
    { method: 'POST', path: '/api/checkins', body: { keyPlaceId: kb!.id, lon: 114.605, lat: 30.705 } },
    { method: 'POST', path: '/api/checkins', body: { code, lon: 114.605, lat: 30.705 } },
    { method: 'POST', path: '/api/tracks/points', body: { deviceId: device, points: [{ lon: 114.605, lat: 30.705, t: new Date().toISOString() }] } },
    { method: 'GET', path: `/api/hazards?communityId=${bId}`, list: true },
    { method: 'GET', path: `/api/zones?communityId=${bId}`, list: true },
    { method: 'GET', path: `/api/tracks?deviceId=${device}`, list: true },
    { method: 'GET', path: `/api/key-places?communityId=${bId}`, list: true },
    { method: 'GET', path: `/api/layers/key-places?communityId=${bId}`, list: true },
    { method: 'GET', path: `/api/stats?communityId=${bId}`, list: true },
    { method: 'GET', path: `/api/analysis/coverage?${q({ ...day(), communityId: bId })}`, list: true },
  ]
  const leaks: string[] = []
  let calls = 0
  for (const role of ['leader', 'patrol', 'planner', 'partner'] as const) {
    for (const p of probes) {
      const { status, text } = await call(role, p)
      calls++
      // The caller's own device id or code echoed in a refusal is not a leak; B's names and rows are.
      const sent = JSON.stringify(p)
      if (text.includes(SECRET) || (text.includes(device) && !sent.includes(device)) || (text.includes(code) && !sent.includes(code))) leaks.push(`${role} ${p.method} ${p.path}: ${status} leaks B`)
      if (!p.list && ![403, 404].includes(status) && !(status === 422 && p.method === 'POST')) leaks.push(`${role} ${p.method} ${p.path}: ${status} ${text.slice(0, 120)}`)
      if (p.list && status >= 500) leaks.push(`${role} ${p.method} ${p.path}: ${status}`)
    }
  }
  console.log(`[access] cross-community probes: ${calls}, leaks: ${leaks.length}`)
  expect(leaks).toEqual([])
  const [after] = await sql()<{ status: string; zones: number; points: number }[]>`
    select (select status from hazards where id = ${hb!.id}) as status,
           (select count(*)::int from zones where community_id = ${bId}) as zones,
           (select count(*)::int from track_points where device_id = ${device}) as points`
  expect(after).toEqual({ status: 'reported', zones: 1, points: 1 })
})

test('a household’s address and phone reach only admins and its paired members; everyone else sees them masked', async () => {
  const PHONE = '13912345678'
  const ADDRESS = '光谷广场社区9栋1单元909室'
  const [r] = await sql()<{ id: number }[]>`
    insert into care_residents (community_id, name, address, phone, care_group, geom, visits_per_day)
    values (${fx.communityId}, 'acc-masked', ${ADDRESS}, ${PHONE}, 'elderly_alone', ST_SetSRID(ST_MakePoint(${fx.lon}, ${fx.lat}), 4326), 2)
    returning id::int`
  const leaks: string[] = []
  for (const role of ROLES) {
    for (const path of [`/api/care/residents/${r!.id}`, '/api/care/residents', '/api/care/calendar?days=3', '/api/care/today']) {
      const { status, text } = await call(role, { method: 'GET', path })
      if (status >= 500) leaks.push(`${role} ${path}: ${status}`)
      const open = role === 'admin'
      if (!open && (text.includes(PHONE) || text.includes(ADDRESS))) leaks.push(`${role} ${path} shows the address or phone`)
      if (open && path.endsWith(String(r!.id)) && !(text.includes(PHONE) && text.includes(ADDRESS))) leaks.push(`admin ${path} does not show them`)
    }
  }
  // Paired with the demo patrol member: now it sees them in its list for today, the leader still does not.
  await sql()`insert into care_pairs (community_id, resident_id, person_id) select ${fx.communityId}, ${r!.id}, person_id from users where username = 'patrol'`
  const today = await call('patrol', { method: 'GET', path: '/api/care/today' })
  if (!(today.text.includes(PHONE) && today.text.includes(ADDRESS))) leaks.push('the paired member does not see them')
  const asLeader = await call('leader', { method: 'GET', path: `/api/care/residents/${r!.id}` })
  if (asLeader.text.includes(PHONE) || asLeader.text.includes(ADDRESS)) leaks.push('the unpaired leader sees them')
  expect(leaks).toEqual([])
})

test('a lead (治安线索) is seen only by admin and command: lists, by id, stats, reports, live', async () => {
  const SECRET = `LEAD-SECRET-${Date.now()}`
  const [lead] = await sql()<{ id: number }[]>`
    insert into hazards (community_id, type, category, severity, status, geom, reported_at, due_at, description)
    values (${fx.communityId}, 'lead', 'suspicious_person', 'major', 'reported', ST_SetSRID(ST_MakePoint(${fx.lon}, ${fx.lat}), 4326),
            now(), now() + interval '1 day', ${SECRET}) returning id`
  const from = new Date(Date.now() - 3_600_000).toISOString()
  const to = new Date(Date.now() + 3_600_000).toISOString()
  for (const role of ROLES) {
    const sees = role === 'admin' || role === 'command'
    const c = clients[role]
    const list = await (await c.get('/api/matters?type=lead&limit=500')).text()
    expect({ role, inList: list.includes(SECRET) }).toEqual({ role, inList: sees })
    // A partner account reaches /api/matters not at all (403; its unit's matters are under /api/hazards).
    expect({ role, byId: (await c.get(`/api/matters/${lead!.id}`)).status }).toEqual({ role, byId: sees ? 200 : role === 'partner' ? 403 : 404 })
    expect({ role, hazardById: (await c.get(`/api/hazards/${lead!.id}`)).status }).toEqual({ role, hazardById: sees ? 200 : 404 })
    const stats = (await (await c.get(`/api/stats?communityId=${fx.communityId}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).json()) as { hazards: { byType: Record<string, number> } }
    expect({ role, counted: (stats.hazards.byType.lead ?? 0) > 0 }).toEqual({ role, counted: sees })
    const csv = await (await c.get('/api/matters?type=lead&format=csv')).text()
    expect({ role, exported: csv.includes(SECRET) }).toEqual({ role, exported: sees })
    if (!sees) {
      expect((await c.post(`/api/hazards/${lead!.id}/transition`, { to: 'rejected', note: 'x' })).status).toBe(404)
    }
  }
  // Never in the hazards list (type hazard) nor the OGC layer, even for admins.
  expect(await (await clients.admin.get('/api/hazards?limit=500')).text()).not.toContain(SECRET)
  expect(await (await clients.admin.get('/ogc/collections/hazards/items?limit=10000')).text()).not.toContain(SECRET)
})
