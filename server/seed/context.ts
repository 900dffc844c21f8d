/**
 * Shared types of the demo seed steps: the transaction, what each step learned about the
 * community (ids, metric geometry) and the counters of the summary.
 */
import type postgres from 'postgres'
import type { XY } from './geo.ts'
import type { Random } from './random.ts'

/** The transaction every seed step runs in. */
export type Tx = postgres.TransactionSql<Record<string, never>>

/** A MultiPolygon as coordinate arrays (polygons → rings → points), in metres. */
export type MultiPolygonXY = XY[][][]

/** Counts of what the seed inserted. */
export interface SeedSummary {
  /** True when the database already had a community and nothing was inserted. */
  skipped: boolean
  districts: number
  communities: number
  compounds: number
  buildings: number
  roads: number
  water: number
  keyPlaces: number
  /** Grids (top-tier zones). */
  zones: number
  /** Micro-grids (微网格) nested in grids. */
  microGrids: number
  zoneHistory: number
  teams: number
  people: number
  users: number
  devices: number
  hazards: number
  hazardEvents: number
  trackPoints: number
  checkins: number
  /** Wall time of the seed in milliseconds. */
  ms: number
}

/** A summary with every count at zero. */
export function emptySummary(): SeedSummary {
  return {
    skipped: false,
    districts: 0,
    communities: 0,
    compounds: 0,
    buildings: 0,
    roads: 0,
    water: 0,
    keyPlaces: 0,
    zones: 0,
    microGrids: 0,
    zoneHistory: 0,
    teams: 0,
    people: 0,
    users: 0,
    devices: 0,
    hazards: 0,
    hazardEvents: 0,
    trackPoints: 0,
    checkins: 0,
    ms: 0,
  }
}

/** What every step gets. */
export interface SeedContext {
  tx: Tx
  now: Date
  /** EPSG code of the community's UTM zone. */
  utm: number
  districtId: number
  communityId: number
  /** The root random source; steps fork their own stream from it by name. */
  rng: Random
  log: (message: string) => void
  summary: SeedSummary
}

/** A building as the later steps see it (metric geometry). */
export interface BuildingInfo {
  id: number
  osmId: number
  name: string | null
  kind: string
  residential: boolean
  commercial: boolean
  floors: number
  /** Stair units (单元) of a residential building, 0 otherwise. */
  units: number
  households: number
  areaM2: number
  centroid: XY
  footprint: MultiPolygonXY
  compoundId: number | null
  /** How people refer to it: its OSM name, or "<compound>N栋". */
  label: string
}

/** A residential compound (小区). */
export interface CompoundInfo {
  id: number
  name: string
  /** Index in numbering order (0 = the first compound). */
  index: number
  buildingIds: number[]
  centroid: XY
  geom: MultiPolygonXY
}

/** A key place as later steps see it. */
export interface KeyPlaceInfo {
  id: number
  kind: 'entrance' | 'garage' | 'fire_lane' | 'charging_shed' | 'shop' | 'other'
  name: string
  compoundId: number | null
  buildingId: number | null
  /** A point, or the vertices of a line (fire lanes). */
  points: XY[]
}

/** A person and the team they are in. */
export interface PersonInfo {
  id: number
  name: string
  teamKind: string | null
  title: string
}

/** The people, teams, accounts and devices of the community. */
export interface Organisation {
  teams: { id: number; name: string; kind: string; leaderId: number }[]
  people: PersonInfo[]
  gridWorkers: PersonInfo[]
  /** Demo accounts by username (absent when demo accounts are off). */
  users: Map<string, { id: number; name: string }>
  devices: { id: string; personId: number; personName: string }[]
}

/** A zone as later steps see it. */
export interface ZoneInfo {
  id: number
  name: string
  assigneeId: number
  teamId: number
}

/** Allocate n ids from a table's identity sequence, so rows can be linked before they are inserted. */
export async function allocateIds(tx: Tx, table: string, n: number): Promise<number[]> {
  if (n <= 0) return []
  const rows = await tx<{ id: number }[]>`
    select nextval(pg_get_serial_sequence(${table}, 'id'))::bigint as id from generate_series(1, ${n})`
  return rows.map((r) => r.id).sort((a, b) => a - b)
}

/**
 * Serialise rows for `jsonb_to_recordset(${json(rows)}::text::jsonb)`: one parameter per statement
 * whatever the row count (cast through text, or postgres.js would encode the string as JSON again).
 */
export function json(value: unknown): string {
  return JSON.stringify(value)
}
