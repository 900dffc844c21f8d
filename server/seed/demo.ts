/**
 * The deterministic demo community (光谷广场社区, Wuhan Optics Valley), loaded on first start
 * into an empty database. See {@link seedDemo}.
 */
import type { Sql } from '../db/connect.ts'
import { insertBuildings, insertRoadsAndWater, makeCommunity, makeCompounds, parseMultiPolygon } from './basemap.ts'
import { emptySummary, json, type SeedContext, type SeedSummary } from './context.ts'
import { makeHazards } from './hazards.ts'
import { loadWalkLines } from './network.ts'
import { makePeople } from './org.ts'
import { loadOsm } from './osm.ts'
import { makeTracks, UNVISITED_CLEARANCE_M, UNVISITED_COMPOUNDS_TONIGHT } from './patrols.ts'
import { makePlansAndDuty } from './plans.ts'
import { makeKeyPlaces } from './places.ts'
import { Random } from './random.ts'
import { makeZones } from './zones.ts'
import { makePartnerUnits } from './units.ts'
import { makeCare } from './care.ts'

export type { SeedSummary } from './context.ts'
export { QUIET_NIGHTS, UNVISITED_COMPOUNDS_TONIGHT } from './patrols.ts'
export { DEMO_PASSWORD } from './org.ts'
export { tonightWindow } from './time.ts'

/** Version of the demo data, stored in `settings` under `demo`. */
export const DEMO_SEED_VERSION = 1

/** Options for {@link seedDemo}. */
export interface SeedDemoOptions {
  /** The seed's "now" (default: the current time). Same `now`, same data. */
  now?: Date
  /** Progress messages (default: none). */
  log?: (message: string) => void
  /** Create the demo accounts admin/planner/command/leader/patrol with password `demo` (default true). */
  demoAccounts?: boolean
}

/** EPSG code of UTM zone 50N, where Wuhan lies. */
const UTM_SRID = 32650
const SEED = 'safegrid-demo-v1'

/**
 * Load the demo community into an empty database in one transaction. When any community already
 * exists it does nothing and returns a summary of zeros with `skipped: true`.
 */
export async function seedDemo(sql: Sql, options: SeedDemoOptions = {}): Promise<SeedSummary> {
  const started = Date.now()
  const now = options.now ?? new Date()
  const log = options.log ?? (() => {})
  const skipped = (): SeedSummary => ({ ...emptySummary(), skipped: true })
  // Cheap check first: the server calls this on every start.
  const [existing] = await sql<{ seeded: boolean }[]>`select exists (select 1 from communities) as seeded`
  if (existing?.seeded) return skipped()
  const osm = await loadOsm()
  const summary = await sql.begin(async (tx) => {
    const summary = emptySummary()
    await tx`select pg_advisory_xact_lock(735121)`
    const [raced] = await tx<{ seeded: boolean }[]>`select exists (select 1 from communities) as seeded`
    if (raced?.seeded) return skipped()
    let t = Date.now()
    const step = (name: string): void => {
      log(`seed: ${name} ${Date.now() - t} ms`)
      t = Date.now()
    }
    const base = { tx, now, utm: UTM_SRID, rng: new Random(SEED), log, summary }
    const ids = await makeCommunity(base, osm, {
      district: '关东街道',
      community: '光谷广场社区',
      communityEn: 'Optics Valley Square Community',
    })
    const ctx: SeedContext = { ...base, ...ids }
    step('community')
    const buildings = await insertBuildings(ctx, osm)
    step('buildings')
    await insertRoadsAndWater(ctx, osm)
    step('roads and water')
    const compounds = await makeCompounds(ctx, buildings)
    step('compounds')
    const org = await makePeople(ctx, options.demoAccounts !== false)
    step('teams, people, accounts, devices')
    const zones = await makeZones(ctx, buildings, org)
    step('zones')
    const walk = await loadWalkLines(ctx, osm)
    const [community] = await tx<{ g: string }[]>`
      select ST_AsGeoJSON(ST_Transform(boundary, ${UTM_SRID}::int), 2) as g from communities where id = ${ctx.communityId}`
    const keyPlaces = await makeKeyPlaces(ctx, buildings, compounds, walk, parseMultiPolygon(community!.g))
    step('key places')
    await makeHazards(ctx, buildings, keyPlaces, zones, org)
    step('hazards')
    await makePartnerUnits(ctx, options.demoAccounts !== false)
    step('partner units')
    const unvisited = compounds.filter((c) => UNVISITED_COMPOUNDS_TONIGHT.includes(c.name)).map((c) => c.id)
    const patrolWalk = await loadWalkLines(ctx, osm, unvisited, UNVISITED_CLEARANCE_M)
    await makeTracks(ctx, compounds, buildings, keyPlaces, patrolWalk, org)
    step('tracks and check-ins')
    await makePlansAndDuty(ctx, zones, org)
    step('plans and duty')
    await makeCare(ctx, org)
    step('care visits and points')
    const setting = { seededAt: now.toISOString(), version: DEMO_SEED_VERSION }
    await tx`
      insert into settings (key, value) values ('demo', ${json(setting)}::text::jsonb)
      on conflict (key) do update set value = excluded.value`
    return summary
  })
  if (!summary.skipped) summary.ms = Date.now() - started
  return summary
}
