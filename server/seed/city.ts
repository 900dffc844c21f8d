/**
 * A synthetic city for scale tests and benchmarks (`npm run generate`): N communities of about
 * 1 km² on a grid around Wuhan (114.2–114.6 E, 30.4–30.7 N; shrunk when N does not fit), each with
 * its own boundary, streets, compounds of buildings in rows, eight zones in a 4 × 2 grid, key places,
 * a patrol team and grid workers, a year of hazards through the closed loop and nights of patrol tracks.
 * Everything follows from the seed and `now`: the same two give the same city.
 *
 * Rows go in with COPY on a real PostgreSQL and with multi-row inserts on the embedded database
 * (server/seed/bulk.ts); ids are taken from the tables' sequences up front so rows can refer to each other.
 */
import type { DatabaseKind, Sql } from '../db/connect.ts'
import { LEVEL_DAYS, type Category, type Severity, type Status } from '../../core/matters.ts'
import { hashPassword } from '../domain/password.ts'
import { bulkInsert, type BulkMethod, type BulkTable, type Cell } from './bulk.ts'
import { lineHex, multiLineHex, multiPolygonHex, pointHex, type LonLat } from './ewkb.ts'
import { COMPOUND_NAMES, describeHazard, EVENT_NOTES, NameMaker, PhoneMaker, SHOP_NAMES } from './names.ts'
import { keyPlaceCode } from './places.ts'
import { Random } from './random.ts'
import { DAY, HOUR, MINUTE, shanghaiTime, tonightWindow } from './time.ts'

/** Options of {@link generateCity}. */
export interface CityOptions {
  /** How many communities. */
  communities: number
  /** The seed (same seed and `now`, same city). */
  seed: string | number
  /** Hazards per community over the past year (default 200). */
  hazardsPerCommunity?: number
  /** Nights of patrol tracks before `now` (default 2). */
  nights?: number
  /** Tracked phones per community (default 4). */
  devicesPerCommunity?: number
  /** Seconds between two fixes of a track (default 15). */
  fixSeconds?: number
  /** Create accounts: `city-admin` (all communities) and `c<N>-leader`, `c<N>-patrol` per community. */
  users?: boolean
  /** Password of the created accounts (default `demo`). */
  password?: string
  /** The city's "now" (default: the start of the current day in Asia/Shanghai). */
  now?: Date
  /** How rows are loaded; default COPY on a real server, multi-row inserts on the embedded one. */
  method?: BulkMethod
  log?: (message: string) => void
}

/** What {@link generateCity} made. */
export interface CitySummary {
  districts: number
  communities: number
  /** Ids of the communities made, in grid order (row by row from the north-west). */
  communityIds: number[]
  /** Grid columns and rows; community i is at column i % columns, row floor(i / columns). */
  columns: number
  rows: number
  /** Side of a community in metres. */
  sideM: number
  /** The WGS84 box the city covers. */
  bbox: [number, number, number, number]
  compounds: number
  buildings: number
  roads: number
  keyPlaces: number
  zones: number
  teams: number
  people: number
  devices: number
  users: number
  hazards: number
  hazardEvents: number
  trackPoints: number
  /** Milliseconds spent loading each table (the rest is generating rows). */
  loadMs: Record<string, number>
  ms: number
}

/** The area communities are laid out in. */
export const CITY_AREA: [number, number, number, number] = [114.2, 30.4, 114.6, 30.7]
/** Side of a community when the grid fits (m), and the street between two communities. */
const SIDE_M = 1000
const GAP_M = 40
/** Metres per degree around 30.55° N (a local plane is plenty for synthetic data). */
const LAT0 = (CITY_AREA[1] + CITY_AREA[3]) / 2
const M_PER_DEG_LON = 111_320 * Math.cos((LAT0 * Math.PI) / 180)
const M_PER_DEG_LAT = 110_852
const UTM_SRID = 32650
/** Communities per street office (街道). */
const COMMUNITIES_PER_DISTRICT = 20
/** Rows generated before they are flushed to the database (every statement has a fixed cost: few, big ones). */
const FLUSH_ROWS = 250_000
const ZONE_COLUMNS = 4
const ZONE_ROWS = 2
const GRID_WORKERS = ZONE_COLUMNS * ZONE_ROWS

const T = {
  districts: { table: 'districts', columns: [['id', 'bigint'], ['name', 'text']] },
  communities: {
    table: 'communities',
    columns: [['id', 'bigint'], ['district_id', 'bigint'], ['name', 'text'], ['name_en', 'text'], ['utm_srid', 'int'], ['boundary', 'geometry']],
  },
  compounds: { table: 'compounds', columns: [['id', 'bigint'], ['community_id', 'bigint'], ['name', 'text'], ['geom', 'geometry']] },
  buildings: {
    table: 'buildings',
    columns: [
      ['id', 'bigint'], ['community_id', 'bigint'], ['compound_id', 'bigint'], ['name', 'text'], ['kind', 'text'],
      ['floors', 'int'], ['households', 'int'], ['footprint', 'geometry'],
    ],
  },
  roads: {
    table: 'roads',
    columns: [['id', 'bigint'], ['community_id', 'bigint'], ['kind', 'text'], ['kind_detail', 'text'], ['name', 'text'], ['geom', 'geometry']],
  },
  teams: { table: 'teams', columns: [['id', 'bigint'], ['community_id', 'bigint'], ['name', 'text'], ['kind', 'text']] },
  people: {
    table: 'people',
    columns: [['id', 'bigint'], ['community_id', 'bigint'], ['team_id', 'bigint'], ['name', 'text'], ['phone', 'text'], ['title', 'text']],
  },
  zones: {
    table: 'zones',
    columns: [
      ['id', 'bigint'], ['community_id', 'bigint'], ['name', 'text'], ['assignee_id', 'bigint'], ['team_id', 'bigint'],
      ['geom', 'geometry'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
    ],
  },
  zoneHistory: {
    table: 'zone_history',
    columns: [
      ['community_id', 'bigint'], ['zone_id', 'bigint'], ['name', 'text'], ['assignee_id', 'bigint'], ['geom', 'geometry'],
      ['valid_from', 'timestamptz'],
    ],
  },
  keyPlaces: {
    table: 'key_places',
    columns: [
      ['id', 'bigint'], ['community_id', 'bigint'], ['building_id', 'bigint'], ['kind', 'text'], ['name', 'text'], ['code', 'text'],
      ['geom', 'geometry'],
    ],
  },
  devices: {
    table: 'devices',
    columns: [['id', 'text'], ['community_id', 'bigint'], ['person_id', 'bigint'], ['name', 'text'], ['created_at', 'timestamptz']],
  },
  users: {
    table: 'users',
    columns: [['id', 'bigint'], ['username', 'text'], ['name', 'text'], ['role', 'text'], ['password_hash', 'text'], ['person_id', 'bigint']],
  },
  userCommunities: { table: 'user_communities', columns: [['user_id', 'bigint'], ['community_id', 'bigint']] },
  hazards: {
    table: 'hazards',
    columns: [
      ['id', 'bigint'], ['community_id', 'bigint'], ['zone_id', 'bigint'], ['building_id', 'bigint'], ['category', 'text'],
      ['severity', 'text'], ['status', 'text'], ['description', 'text'], ['geom', 'geometry'], ['reported_at', 'timestamptz'],
      ['due_at', 'timestamptz'], ['reporter_id', 'bigint'], ['assignee_id', 'bigint'], ['responded_at', 'timestamptz'],
      ['closed_at', 'timestamptz'], ['version', 'int'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
    ],
  },
  hazardEvents: {
    table: 'hazard_events',
    columns: [
      ['community_id', 'bigint'], ['hazard_id', 'bigint'], ['at', 'timestamptz'], ['from_status', 'text'], ['to_status', 'text'],
      ['user_id', 'bigint'], ['by_name', 'text'], ['assignee_id', 'bigint'], ['note', 'text'],
    ],
  },
  trackPoints: {
    table: 'track_points',
    columns: [
      ['community_id', 'bigint'], ['device_id', 'text'], ['t', 'timestamptz'], ['geom', 'geometry'], ['accuracy', 'real'],
      ['received_at', 'timestamptz'],
    ],
  },
} as const satisfies Record<string, BulkTable>

type TableKey = keyof typeof T
type CountField = 'districts' | 'compounds' | 'buildings' | 'roads' | 'keyPlaces' | 'zones' | 'teams' | 'people' | 'devices' | 'users' | 'hazards' | 'hazardEvents' | 'trackPoints'
/** Which summary count a table's rows add to. */
const COUNTED: Partial<Record<TableKey, CountField>> = {
  districts: 'districts', compounds: 'compounds', buildings: 'buildings', roads: 'roads', keyPlaces: 'keyPlaces', zones: 'zones',
  teams: 'teams', people: 'people', devices: 'devices', users: 'users', hazards: 'hazards', hazardEvents: 'hazardEvents', trackPoints: 'trackPoints',
}
/** Tables in an order that satisfies their foreign keys. */
const LOAD_ORDER: TableKey[] = [
  'districts', 'communities', 'compounds', 'buildings', 'roads', 'teams', 'people', 'zones', 'zoneHistory', 'keyPlaces',
  'devices', 'users', 'userCommunities', 'hazards', 'hazardEvents', 'trackPoints',
]

const CATEGORY_WEIGHTS: Record<Category, number> = {
  flying_wire_charging: 22,
  ebike_indoor: 20,
  corridor_clutter: 19,
  fire_lane_blocked: 10,
  facility_aging: 10,
  poor_lighting: 8,
  falling_object_risk: 7,
  other: 4,
}
const SEVERITY_WEIGHTS: Record<Severity, number> = { minor: 68, major: 26, critical: 6 }

/** A rectangle in local metres: [x0, y0, x1, y1]. */
type Rect = [number, number, number, number]
type XY = [number, number]

/** The grid the communities are laid out on. */
export interface CityGrid {
  columns: number
  rows: number
  /** Distance between two communities' corners (m), and a community's side. */
  pitchM: number
  sideM: number
  /** South-west corner of community i, in metres from the area's south-west corner. */
  origin: (i: number) => XY
}

/**
 * Lay N communities out on a grid that fits {@link CITY_AREA}: 1 km squares 40 m apart when they fit,
 * smaller squares when they do not (10,000 communities still fit, at about 330 m).
 */
export function cityGrid(n: number): CityGrid {
  if (!Number.isInteger(n) || n < 1) throw new RangeError('the number of communities must be a positive integer')
  const width = (CITY_AREA[2] - CITY_AREA[0]) * M_PER_DEG_LON
  const height = (CITY_AREA[3] - CITY_AREA[1]) * M_PER_DEG_LAT
  let pitch = SIDE_M + GAP_M
  const fits = (p: number): number => Math.floor(width / p) * Math.floor(height / p)
  while (fits(pitch) < n) pitch *= 0.97
  if (pitch < 150) throw new RangeError(`${n} communities do not fit the city area`)
  const maxColumns = Math.floor(width / pitch)
  const maxRows = Math.floor(height / pitch)
  const columns = Math.min(maxColumns, Math.max(1, Math.ceil(Math.sqrt((n * maxColumns) / maxRows))))
  const rows = Math.ceil(n / columns)
  const ox = (width - columns * pitch) / 2
  const oy = (height - rows * pitch) / 2
  const sideM = pitch - GAP_M * (pitch / (SIDE_M + GAP_M))
  return {
    columns,
    rows,
    pitchM: pitch,
    sideM,
    origin: (i) => {
      const col = i % columns
      const row = Math.floor(i / columns)
      return [ox + col * pitch + (pitch - sideM) / 2, height - oy - (row + 1) * pitch + (pitch - sideM) / 2]
    },
  }
}

const toLonLat = (x: number, y: number): LonLat => [
  Math.round((CITY_AREA[0] + x / M_PER_DEG_LON) * 1e7) / 1e7,
  Math.round((CITY_AREA[1] + y / M_PER_DEG_LAT) * 1e7) / 1e7,
]
const rectRing = (r: Rect): LonLat[] => [
  toLonLat(r[0], r[1]),
  toLonLat(r[2], r[1]),
  toLonLat(r[2], r[3]),
  toLonLat(r[0], r[3]),
  toLonLat(r[0], r[1]),
]
const rectHex = (r: Rect): string => multiPolygonHex([[rectRing(r)]])
const iso = (ms: number): string => new Date(ms).toISOString()

/** Ids handed out from each table's sequence; the sequences are moved past them at the end. */
class Ids {
  private readonly next = new Map<string, number>()
  private readonly first = new Map<string, number>()
  static async start(sql: Sql, tables: string[]): Promise<Ids> {
    const ids = new Ids()
    for (const table of tables) {
      const [row] = await sql<{ n: number }[]>`
        select greatest(
          coalesce((select max(id) from ${sql(table)}), 0),
          coalesce(pg_sequence_last_value(pg_get_serial_sequence(${table}, 'id')::regclass), 0)
        )::bigint + 1 as n`
      ids.next.set(table, row!.n)
      ids.first.set(table, row!.n)
    }
    return ids
  }
  take(table: string): number {
    const n = this.next.get(table)!
    this.next.set(table, n + 1)
    return n
  }
  async commit(sql: Sql): Promise<void> {
    for (const [table, n] of this.next) {
      if (n === this.first.get(table)) continue
      await sql`select setval(pg_get_serial_sequence(${table}, 'id'), ${n - 1}::bigint)`
    }
  }
}

interface Compound {
  id: number
  name: string
  rect: Rect
  residential: boolean
  buildings: { id: number; rect: Rect; label: string }[]
}

/**
 * Generate a city into an open, migrated database. Refuses when a community already lies in the
 * city's area (a generated city never overlaps real data). Runs in one transaction.
 */
export async function generateCity(sql: Sql, kind: DatabaseKind, options: CityOptions): Promise<CitySummary> {
  const started = Date.now()
  const log = options.log ?? (() => {})
  const n = options.communities
  const grid = cityGrid(n)
  const hazardsPer = options.hazardsPerCommunity ?? 200
  const nights = options.nights ?? 2
  const devicesPer = options.devicesPerCommunity ?? 4
  const fixMs = (options.fixSeconds ?? 15) * 1000
  const now = options.now ?? shanghaiTime(new Date(), 0, 0)
  const method: BulkMethod = options.method ?? (kind === 'postgres' ? 'copy' : 'json')
  const root = new Random(options.seed)
  const first = grid.origin(0)
  const last = grid.origin(n - 1)
  const sw = toLonLat(first[0], last[1])
  const ne = toLonLat(last[0] + grid.sideM, first[1] + grid.sideM)
  // The last row may be short: the box still spans the full first row.
  const east = toLonLat(grid.origin(Math.min(n, grid.columns) - 1)[0] + grid.sideM, 0)[0]
  const bbox: [number, number, number, number] = [sw[0], sw[1], Math.max(ne[0], east), ne[1]]

  const [clash] = await sql<{ n: number }[]>`
    select count(*)::int as n from communities where boundary && ST_MakeEnvelope(${bbox[0]}, ${bbox[1]}, ${bbox[2]}, ${bbox[3]}, 4326)`
  if ((clash?.n ?? 0) > 0) throw new Error(`${clash!.n} communities already lie in the city's area ${bbox.join(',')}; generate into an empty database`)

  const summary: CitySummary = {
    districts: 0, communities: 0, communityIds: [], columns: grid.columns, rows: grid.rows, sideM: Math.round(grid.sideM), bbox,
    compounds: 0, buildings: 0, roads: 0, keyPlaces: 0, zones: 0, teams: 0, people: 0, devices: 0, users: 0, hazards: 0,
    hazardEvents: 0, trackPoints: 0, loadMs: {}, ms: 0,
  }
  const passwordHash = options.users ? await hashPassword(options.password ?? 'demo') : ''

  await sql.begin(async (tx) => {
    const q = tx as unknown as Sql
    const ids = await Ids.start(q, ['districts', 'communities', 'compounds', 'buildings', 'roads', 'teams', 'people', 'zones', 'key_places', 'users', 'hazards'])
    const rows = Object.fromEntries(LOAD_ORDER.map((k) => [k, [] as Cell[][]])) as Record<TableKey, Cell[][]>
    const flush = async (): Promise<void> => {
      for (const key of LOAD_ORDER) {
        const list = rows[key]
        if (list.length === 0) continue
        const t0 = Date.now()
        await bulkInsert(tx, method, T[key], list)
        summary.loadMs[T[key].table] = (summary.loadMs[T[key].table] ?? 0) + Date.now() - t0
        const field = COUNTED[key]
        if (field) summary[field] += list.length
        list.length = 0
      }
    }
    if (options.users) {
      const id = ids.take('users')
      rows.users.push([id, 'city-admin', '城市管理员', 'admin', passwordHash, null])
    }
    let districtId = 0
    for (let i = 0; i < n; i++) {
      if (i % COMMUNITIES_PER_DISTRICT === 0) {
        districtId = ids.take('districts')
        rows.districts.push([districtId, `第${i / COMMUNITIES_PER_DISTRICT + 1}街道`])
      }
      const communityId = ids.take('communities')
      summary.communityIds.push(communityId)
      makeCommunity({ i, communityId, districtId, grid, rng: root.fork(`community-${i}`), ids, rows, now, hazardsPer, nights, devicesPer, fixMs, users: !!options.users, passwordHash })
      summary.communities++
      const pending = LOAD_ORDER.reduce((sum, k) => sum + rows[k].length, 0)
      if (pending >= FLUSH_ROWS || i === n - 1) {
        await flush()
        log(`generate: ${i + 1}/${n} communities, ${summary.buildings} buildings, ${summary.hazards} hazards, ${summary.trackPoints} track points (${((Date.now() - started) / 1000).toFixed(1)} s)`)
      }
    }
    await tx`
      update teams t set leader_id = p.id
      from people p
      where p.team_id = t.id and p.title = '队长' and t.community_id = any(${summary.communityIds}::bigint[])`
    await ids.commit(q)
  })
  summary.ms = Date.now() - started
  return summary
}

interface CommunityContext {
  i: number
  communityId: number
  districtId: number
  grid: CityGrid
  rng: Random
  ids: Ids
  rows: Record<TableKey, Cell[][]>
  now: Date
  hazardsPer: number
  nights: number
  devicesPer: number
  fixMs: number
  users: boolean
  passwordHash: string
}

function makeCommunity(ctx: CommunityContext): void {
  const { i, communityId, rng, ids, rows, now } = ctx
  const side = ctx.grid.sideM
  const s = side / SIDE_M
  const [ox, oy] = ctx.grid.origin(i)
  const at = (u: number, v: number): LonLat => toLonLat(ox + u, oy + v)
  const rect = (r: Rect): Rect => [ox + r[0], oy + r[1], ox + r[2], oy + r[3]]
  const label = String(i + 1).padStart(3, '0')
  const name = `城${label}社区`
  rows.communities.push([communityId, ctx.districtId, name, `Community ${label}`, UTM_SRID, rectHex(rect([0, 0, side, side]))])

  // Streets at a third and two thirds across, both ways; the blocks between them are compounds.
  const cuts = [0, side / 3, (2 * side) / 3, side]
  const margin = 15 * s
  const streets: { kind: string; detail: string; name: string; line: XY[] }[] = []
  for (let k = 1; k <= 2; k++) {
    const major = k === 1
    streets.push({ kind: major ? 'major_road' : 'minor_road', detail: major ? 'secondary' : 'residential', name: `${name}${k}路`, line: [[cuts[k]!, 0], [cuts[k]!, side]] })
    streets.push({ kind: major ? 'major_road' : 'minor_road', detail: major ? 'secondary' : 'residential', name: `${name}${k}街`, line: [[0, cuts[k]!], [side, cuts[k]!]] })
  }
  for (const st of streets) rows.roads.push([ids.take('roads'), communityId, st.kind, st.detail, st.name, multiLineHex([st.line.map(([u, v]) => at(u, v))])])

  // Compounds and their buildings in rows.
  const target = rng.int(40, 200)
  const blocks: Rect[] = []
  for (let r = 2; r >= 0; r--) for (let c = 0; c < 3; c++) blocks.push([cuts[c]! + margin, cuts[r]! + margin, cuts[c + 1]! - margin, cuts[r + 1]! - margin])
  const compounds: Compound[] = []
  const residentialBlocks = blocks.length - 1
  const centre = 4
  let left = target - 2
  blocks.forEach((b, k) => {
    const residential = k !== centre
    const compoundName = residential ? `${COMPOUND_NAMES[(i * 3 + k) % COMPOUND_NAMES.length]}${label}` : `${name}服务中心`
    const c: Compound = { id: ids.take('compounds'), name: compoundName, rect: b, residential, buildings: [] }
    const remainingBlocks = residentialBlocks - compounds.filter((x) => x.residential).length
    const quota = residential ? Math.max(1, Math.round(left / Math.max(1, remainingBlocks))) : 2
    if (residential) left -= quota
    const perRow = Math.max(1, Math.ceil(Math.sqrt(quota)))
    const rowCount = Math.ceil(quota / perRow)
    const slotW = (b[2] - b[0]) / perRow
    const slotH = (b[3] - b[1]) / rowCount
    const w = Math.min(60 * s, slotW * 0.7)
    const d = Math.min(16 * s, slotH * 0.5)
    for (let q = 0; q < quota; q++) {
      const cx = b[0] + slotW * ((q % perRow) + 0.5)
      const cy = b[3] - slotH * (Math.floor(q / perRow) + 0.5)
      c.buildings.push({ id: ids.take('buildings'), rect: [cx - w / 2, cy - d / 2, cx + w / 2, cy + d / 2], label: residential ? `${compoundName}${q + 1}栋` : q === 0 ? `${name}党群服务中心` : `${name}商业楼` })
    }
    rows.compounds.push([c.id, communityId, c.name, rectHex(rect(b))])
    for (const bd of c.buildings) {
      const floors = residential ? rng.int(6, 33) : rng.int(2, 5)
      const households = residential ? floors * rng.int(2, 4) * 2 : 0
      rows.buildings.push([bd.id, communityId, c.id, bd.label, residential ? 'residential' : 'commercial', floors, households, rectHex(rect(bd.rect))])
    }
    // A footway between the rows.
    if (rowCount > 1) {
      const paths: LonLat[][] = []
      for (let r = 1; r < rowCount; r++) paths.push([at(b[0], b[3] - slotH * r), at(b[2], b[3] - slotH * r)])
      rows.roads.push([ids.take('roads'), communityId, 'path', 'footway', null, multiLineHex(paths)])
    }
    compounds.push(c)
  })

  // People: a patrol team (leader and the phone carriers) and one grid worker per zone.
  const names = new NameMaker(rng.fork('people'))
  const phones = new PhoneMaker(rng.fork('phones'))
  const teamId = ids.take('teams')
  rows.teams.push([teamId, communityId, '巡逻队', 'patrol'])
  const leaderId = ids.take('people')
  rows.people.push([leaderId, communityId, teamId, names.next(), phones.next(), '队长'])
  const walkers: { id: number; name: string }[] = []
  for (let d = 0; d < ctx.devicesPer; d++) {
    const person = { id: ids.take('people'), name: names.next() }
    rows.people.push([person.id, communityId, teamId, person.name, phones.next(), '队员'])
    walkers.push(person)
  }
  const workers: number[] = []
  for (let g = 0; g < GRID_WORKERS; g++) {
    const id = ids.take('people')
    rows.people.push([id, communityId, null, names.next(), phones.next(), '网格员'])
    workers.push(id)
  }

  // Zones: a 4 × 2 grid of the boundary.
  const since = iso(now.getTime() - 120 * DAY)
  const zoneIds: number[] = []
  for (let zr = 0; zr < ZONE_ROWS; zr++) {
    for (let zc = 0; zc < ZONE_COLUMNS; zc++) {
      const k = zr * ZONE_COLUMNS + zc
      const id = ids.take('zones')
      zoneIds.push(id)
      const r: Rect = [(zc * side) / ZONE_COLUMNS, side - ((zr + 1) * side) / ZONE_ROWS, ((zc + 1) * side) / ZONE_COLUMNS, side - (zr * side) / ZONE_ROWS]
      const geom = rectHex(rect(r))
      rows.zones.push([id, communityId, `第${k + 1}网格`, workers[k]!, teamId, geom, since, since])
      rows.zoneHistory.push([communityId, id, `第${k + 1}网格`, workers[k]!, geom, since])
    }
  }
  const zoneAt = (u: number, v: number): number => {
    const zc = Math.min(ZONE_COLUMNS - 1, Math.max(0, Math.floor((u / side) * ZONE_COLUMNS)))
    const zr = Math.min(ZONE_ROWS - 1, Math.max(0, Math.floor(((side - v) / side) * ZONE_ROWS)))
    return zr * ZONE_COLUMNS + zc
  }

  // Key places: per compound a gate, a garage, a charging shed and a fire lane; shops by the centre.
  const places = rng.fork('places')
  const keyPlace = (kind: string, placeName: string, buildingId: number | null, geom: string): void => {
    const id = ids.take('key_places')
    rows.keyPlaces.push([id, communityId, buildingId, kind, placeName, keyPlaceCode(), geom])
  }
  for (const c of compounds) {
    const b = c.rect
    const midX = (b[0] + b[2]) / 2
    if (c.residential) {
      keyPlace('entrance', `${c.name}南门`, null, pointHex(at(midX, b[1])))
      keyPlace('garage', `${c.name}地下车库入口`, null, pointHex(at(b[0] + 6 * s, b[1] + 6 * s)))
      keyPlace('charging_shed', `${c.name}充电棚`, null, pointHex(at(b[2] - 8 * s, b[1] + places.float(10, 30) * s)))
      keyPlace('fire_lane', `${c.name}消防通道`, null, lineHex([at(b[0] + 3 * s, b[1] + 3 * s), at(b[0] + 3 * s, b[3] - 3 * s)]))
    } else {
      for (let k = 0; k < 4; k++) {
        keyPlace('shop', `${places.pick(SHOP_NAMES)}`, c.buildings[1]?.id ?? null, pointHex(at(b[0] + ((k + 0.5) * (b[2] - b[0])) / 4, b[1] + 2 * s)))
      }
    }
  }

  // Devices, and the accounts when asked for.
  const devices = walkers.map((w, d) => ({ id: `c${communityId}-dev-${d + 1}`, person: w }))
  for (const d of devices) rows.devices.push([d.id, communityId, d.person.id, `巡逻手机-${d.person.name}`, iso(now.getTime() - 120 * DAY)])
  let reporterId: number | null = null
  if (ctx.users) {
    const leaderUser = ids.take('users')
    const patrolUser = ids.take('users')
    rows.users.push([leaderUser, `c${communityId}-leader`, `${name}巡逻队长`, 'leader', ctx.passwordHash, leaderId])
    rows.users.push([patrolUser, `c${communityId}-patrol`, walkers[0]?.name ?? `${name}巡逻队员`, 'patrol', ctx.passwordHash, walkers[0]?.id ?? null])
    rows.userCommunities.push([leaderUser, communityId], [patrolUser, communityId])
    reporterId = patrolUser
  }

  makeHazards(ctx, compounds, zoneIds, workers, zoneAt, at, reporterId)
  makeTracks(ctx, compounds, devices.map((d) => d.id), at)
}

function makeHazards(
  ctx: CommunityContext,
  compounds: Compound[],
  zoneIds: number[],
  workers: number[],
  zoneAt: (u: number, v: number) => number,
  at: (u: number, v: number) => LonLat,
  reporterId: number | null,
): void {
  const { communityId, ids, rows } = ctx
  const rng = ctx.rng.fork('hazards')
  const now = ctx.now.getTime()
  const homes = compounds.filter((c) => c.residential).flatMap((c) => c.buildings)
  if (homes.length === 0) return
  for (let h = 0; h < ctx.hazardsPer; h++) {
    const id = ids.take('hazards')
    const category = rng.weightedKey(CATEGORY_WEIGHTS)
    const severity = rng.weightedKey(SEVERITY_WEIGHTS)
    const b = rng.pick(homes)
    // Just outside the building's south wall, somewhere along it.
    const u = rng.float(b.rect[0], b.rect[2])
    const v = b.rect[1] - rng.float(1, 5)
    const zone = zoneAt(u, v)
    const reportedAt = Math.round((now - rng.float(0.05, 365) * DAY) / 1000) * 1000
    // Every bench matter is handled in the micro-grid (level defaults to micro_grid): due in 1 day (contract v2).
    const dueAt = reportedAt + LEVEL_DAYS.micro_grid * DAY
    const events = lifecycle(rng, reportedAt, dueAt, now)
    const lastEvent = events[events.length - 1]!
    const responded = events.find((e) => e.to === 'rectifying')
    const closing = events.find((e) => e.to === 'verified' || e.to === 'rejected')
    rows.hazards.push([
      id, communityId, zoneIds[zone]!, b.id, category, severity, lastEvent.to, describeHazard(rng, category, b.label), pointHex(at(u, v)),
      iso(reportedAt), iso(dueAt), reporterId, workers[zone]!, responded ? iso(responded.at) : null, closing ? iso(closing.at) : null,
      events.length, iso(reportedAt), iso(lastEvent.at),
    ])
    let from: Status | null = null
    for (const e of events) {
      const note = e.to === 'reported' ? null : rng.pick(EVENT_NOTES[e.to] ?? [''])
      rows.hazardEvents.push([communityId, id, iso(e.at), from, e.to, e.to === 'reported' ? reporterId : null, e.to === 'reported' ? '巡逻队员' : '指挥中心', e.to === 'dispatched' ? workers[zone]! : null, note])
      from = e.to
    }
  }
}

/** The events of one hazard up to now: most closed in time, the recent ones still open somewhere in the loop. */
function lifecycle(rng: Random, reportedAt: number, dueAt: number, now: number): { at: number; to: Status }[] {
  const events: { at: number; to: Status }[] = [{ at: reportedAt, to: 'reported' }]
  const push = (at: number, to: Status): boolean => {
    const t = Math.round(Math.max(at, events[events.length - 1]!.at + 30_000) / 1000) * 1000
    if (t > now) return false
    events.push({ at: t, to })
    return true
  }
  if (rng.chance(0.04)) {
    push(reportedAt + rng.float(5, 240) * MINUTE, 'rejected')
    return events
  }
  // A few stall somewhere in the loop (overdue once their time is up).
  const stallAfter = rng.chance(0.03) ? rng.int(1, 3) : 99
  const step = (at: number, to: Status): boolean => events.length <= stallAfter && push(at, to)
  if (!step(reportedAt + rng.float(0.5, 4) * MINUTE, 'dispatched')) return events
  const respond = rng.chance(0.84) ? rng.float(2, 6.8) : rng.float(8, 180)
  if (!step(reportedAt + respond * MINUTE, 'rectifying')) return events
  const sla = dueAt - reportedAt
  const close = rng.chance(0.89) ? reportedAt + sla * rng.float(0.12, 0.92) : dueAt + Math.max(2 * HOUR, sla * rng.float(0.05, 0.9))
  if (!step(close - rng.float(0.3, 3) * HOUR, 'rectified')) return events
  step(close, 'verified')
  return events
}

function makeTracks(ctx: CommunityContext, compounds: Compound[], deviceIds: string[], at: (u: number, v: number) => LonLat): void {
  const { communityId, rows } = ctx
  const rng = ctx.rng.fork('tracks')
  const side = ctx.grid.sideM
  const street = (15 * side) / SIDE_M / 2
  const tonight = tonightWindow(ctx.now)
  for (let night = 0; night < ctx.nights; night++) {
    const nightStart = tonight.start.getTime() - night * DAY
    deviceIds.forEach((deviceId) => {
      // Round a few blocks along the streets around them, at walking pace.
      const route: XY[] = []
      for (let k = 0; k < 4; k++) {
        const b = rng.pick(compounds).rect
        const r: Rect = [b[0] - street, b[1] - street, b[2] + street, b[3] + street]
        route.push([r[0], r[1]], [r[2], r[1]], [r[2], r[3]], [r[0], r[3]], [r[0], r[1]])
      }
      const start = nightStart + rng.float(0.2, 3) * HOUR
      const duration = rng.float(60, 120) * MINUTE
      const speed = rng.float(1.1, 1.35)
      let leg = 0
      let along = 0
      let t = start
      const noise: XY = [0, 0]
      while (t < start + duration && leg < route.length - 1) {
        const a = route[leg]!
        const b = route[leg + 1]!
        const len = Math.hypot(b[0] - a[0], b[1] - a[1])
        if (along > len) {
          along -= len
          leg++
          continue
        }
        const f = len === 0 ? 0 : along / len
        noise[0] = 0.7 * noise[0] + rng.gaussian(2)
        noise[1] = 0.7 * noise[1] + rng.gaussian(2)
        const inside = (w: number): number => Math.min(side - 1, Math.max(1, w))
        const p = at(inside(a[0] + (b[0] - a[0]) * f + noise[0]), inside(a[1] + (b[1] - a[1]) * f + noise[1]))
        const whole = Math.round(t / 1000) * 1000
        rows.trackPoints.push([communityId, deviceId, iso(whole), pointHex(p), rng.int(4, 16), iso(whole + rng.int(1, 20) * 1000)])
        const step = ctx.fixMs + rng.int(-2, 2) * 1000
        t += step
        along += speed * (step / 1000)
      }
    })
  }
}
