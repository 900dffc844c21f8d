import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { referenceVisitedBuildings } from '../bench/coverage-reference.ts'
import { TRACK_MAX_SPEED_KMH, TRACK_NOISE_M, describeTrackFlag, parseTrackFlag } from '../core/track-flags.ts'
import { RUN_MAX_GAP_M, RUN_MAX_GAP_S } from '../server/domain/tracks.ts'
import { hashPassword } from '../server/domain/password.ts'
import { createUser } from '../server/queries/users.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'

/**
 * Track points at ingest (issue #18 item 6, #21): physically impossible points are flagged with a
 * reason and left out of coverage, late and out-of-order points re-judge their neighbours, and the
 * track pieces kept up to date by the triggers always equal a rebuild from scratch, so coverage from
 * them equals the plain-SQL reference (bench/coverage-reference.ts).
 *
 * A community of its own, 600 m × 600 m in UTM 50N far from the demo one, with a building every 40 m.
 */

interface Flags {
  type: 'FeatureCollection'
  total: number
  flaggedPoints: number
  features: { id: string; geometry: { coordinates: [number, number] }; properties: { deviceId: string; from: string; to: string; points: number; reason: string } }[]
}

const SRID = 32650
const HOUR = 3_600_000
let server: TestServer
let leader: Client
let communityId: number
let x0 = 0
let y0 = 0
/** Start of the test windows: a whole hour two weeks before the seed, one hour per case. */
let base = 0

/** A deterministic pseudo-random number generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A point `x`, `y` metres from the community's south-west corner, `s` seconds into hour `h`, as an upload point. */
async function points(h: number, list: [x: number, y: number, s: number][]): Promise<{ lon: number; lat: number; t: string; accuracy: number }[]> {
  const rows = await server.db.sql<{ lon: number; lat: number }[]>`
    select ST_X(p) as lon, ST_Y(p) as lat
    from unnest(${list.map((p) => x0 + p[0])}::float8[], ${list.map((p) => y0 + p[1])}::float8[]) with ordinality as u(x, y, i),
         ST_Transform(ST_SetSRID(ST_MakePoint(u.x, u.y), ${SRID}::int), 4326) p
    order by u.i`
  return list.map((p, i) => ({ lon: rows[i]!.lon, lat: rows[i]!.lat, t: new Date(base + h * HOUR + p[2] * 1000).toISOString(), accuracy: 5 }))
}

async function upload(deviceId: string, pts: unknown[]): Promise<void> {
  const res = await leader.post('/api/tracks/points', { deviceId, points: pts })
  expect(res.status).toBe(200)
}

/** The flag of each point of a device in hour `h`, by its second. */
async function flagsOf(deviceId: string, h: number): Promise<Record<number, string | null>> {
  const rows = await server.db.sql<{ s: number; flag: string | null }[]>`
    select round(extract(epoch from t) - ${(base + h * HOUR) / 1000})::int as s, flag from track_points where device_id = ${deviceId} order by t`
  return Object.fromEntries(rows.map((r) => [r.s, r.flag]))
}

async function flagged(h: number): Promise<Flags> {
  const res = await leader.get(`/api/tracks/flags?communityId=${communityId}&from=${new Date(base + h * HOUR).toISOString()}&to=${new Date(base + (h + 1) * HOUR).toISOString()}`)
  expect(res.status).toBe(200)
  return (await res.json()) as Flags
}

/** Segments (vertex time pairs) and lone points of a device's stored pieces, and of a rebuild from scratch. */
async function piecesAgree(deviceId: string): Promise<void> {
  const shape = async (from: string) =>
    (
      await server.db.sql.unsafe<{ k: string }[]>(
        `select k from (
           select ST_Z(ST_PointN(p.geom, i))::text || '>' || ST_Z(ST_PointN(p.geom, i + 1))::text as k
           from ${from} p, generate_series(1, greatest(ST_NPoints(p.geom) - 1, 0)) i where p.n > 1
           union all
           select ST_Z(p.geom)::text from ${from} p where p.n = 1
         ) x order by k`,
        [deviceId],
      )
    ).map((r) => r.k)
  const kept = await shape('(select * from track_pieces where device_id = $1)')
  expect(kept.length).toBeGreaterThan(0)
  expect(kept).toEqual(await shape(`sg_build_track_pieces($1, '-infinity', 'infinity')`))
}

beforeAll(async () => {
  server = await startTestServer()
  const sql = server.db.sql
  base = Math.floor((server.seededAt.getTime() - 14 * 86_400_000) / HOUR) * HOUR
  const [corner] = await sql<{ x: number; y: number }[]>`
    select ST_X(p) as x, ST_Y(p) as y from (select ST_Transform(ST_SetSRID(ST_MakePoint(114.62, 30.72), 4326), ${SRID}::int) as p) q`
  x0 = corner!.x
  y0 = corner!.y
  const [c] = await sql<{ id: number }[]>`
    insert into communities (name, utm_srid, boundary, created_at)
    values ('轨迹测试社区', ${SRID}, ST_Multi(ST_Transform(ST_MakeEnvelope(${x0}, ${y0}, ${x0 + 600}, ${y0 + 600}, ${SRID}), 4326)), ${new Date(base - HOUR)})
    returning id`
  communityId = c!.id
  // Created before the test windows: points from before a community existed are refused as evidence.
  // A 10 m × 10 m building every 40 m, centred on (20 + 40i, 20 + 40j).
  await sql`
    insert into buildings (community_id, name, footprint)
    select ${communityId}, 'B' || i || '-' || j,
           ST_Multi(ST_Transform(ST_MakeEnvelope(${x0}::float8 + 15 + 40 * i, ${y0}::float8 + 15 + 40 * j, ${x0}::float8 + 25 + 40 * i, ${y0}::float8 + 25 + 40 * j, ${SRID}), 4326))
    from generate_series(0, 14) i, generate_series(0, 14) j`
  await createUser(sql, { username: 'tp-leader', name: '轨迹测试队长', role: 'leader', passwordHash: await hashPassword('tp-secret-1'), communityIds: [communityId] })
  leader = await server.login('tp-leader', 'tp-secret-1')
})
afterAll(async () => {
  await server?.close()
})

describe('the rule', () => {
  test('the database and the application use the same numbers', async () => {
    const [rule] = await server.db.sql<{ maxGapS: number; maxGapM: number; noiseM: number; maxSpeedMs: number }[]>`
      select max_gap_s as "maxGapS", max_gap_m as "maxGapM", noise_m as "noiseM", max_speed_ms as "maxSpeedMs" from sg_track_rule()`
    expect(rule).toEqual({ maxGapS: RUN_MAX_GAP_S, maxGapM: RUN_MAX_GAP_M, noiseM: TRACK_NOISE_M, maxSpeedMs: TRACK_MAX_SPEED_KMH / 3.6 })
  })

  test('reasons read back in Chinese and English', () => {
    expect(parseTrackFlag('speed 126 km/h')).toEqual({ kind: 'speed', kmh: 126 })
    expect(describeTrackFlag('teleport 5200 m in 10 s', 'zh')).toBe('位置跳变：10 秒移动 5.2 km')
    expect(describeTrackFlag('speed 126 km/h', 'en')).toBe('Impossible speed: 126 km/h (limit 36 km/h)')
  })
})

describe('impossible points', () => {
  test('a walk at 1.2 m/s is plausible', async () => {
    await upload('tp-walk', await points(0, Array.from({ length: 30 }, (_, i) => [10 + i * 12, 300, i * 10] as [number, number, number])))
    expect(Object.values(await flagsOf('tp-walk', 0)).every((f) => f === null)).toBe(true)
    expect((await flagged(0)).total).toBe(0)
  })

  test('a spike 500 m off a walk is flagged for speed, its neighbours are not', async () => {
    await upload('tp-spike', await points(1, [[100, 100, 0], [112, 100, 10], [112, 590, 20], [136, 100, 30], [148, 100, 40]]))
    const flags = await flagsOf('tp-spike', 1)
    expect(flags[20]).toMatch(/^speed \d+ km\/h$/)
    expect([flags[0], flags[10], flags[30], flags[40]]).toEqual([null, null, null, null])
    const list = await flagged(1)
    expect(list.features).toHaveLength(1)
    expect(list.features[0]!.properties).toMatchObject({ deviceId: 'tp-spike', points: 1 })
    expect(parseTrackFlag(list.features[0]!.properties.reason)?.kind).toBe('speed')
  })

  test('a jump of 5 km that stays is flagged as a teleport where it lands', async () => {
    await upload('tp-jump', await points(2, [[100, 200, 0], [110, 200, 10], [120, 200, 20], [5120, 200, 30], [5130, 200, 40], [5140, 200, 50]]))
    const flags = await flagsOf('tp-jump', 2)
    expect(flags[30]).toBe('teleport 5000 m in 10 s')
    expect([flags[0], flags[10], flags[20], flags[40], flags[50]]).toEqual([null, null, null, null, null])
  })

  test('a point on every building one second apart counts for nothing', async () => {
    const forged = Array.from({ length: 40 }, (_, k) => [20 + 40 * (k % 10), 20 + 40 * Math.floor(k / 10) * 3, k] as [number, number, number])
    await upload('tp-forged', await points(3, forged))
    const flags = Object.values(await flagsOf('tp-forged', 3))
    expect(flags.filter((f) => f !== null).length).toBeGreaterThanOrEqual(38)
    const res = await leader.get(`/api/analysis/coverage?communityId=${communityId}&from=${new Date(base + 3 * HOUR).toISOString()}&to=${new Date(base + 4 * HOUR).toISOString()}`)
    const coverage = (await res.json()) as { buildings: { visited: number }; flagged: Flags }
    expect(coverage.buildings.visited).toBeLessThanOrEqual(4)
    expect(coverage.flagged.flaggedPoints).toBe(flags.filter((f) => f !== null).length)
    expect(coverage.flagged.features[0]?.properties.deviceId).toBe('tp-forged')
  })

  test('flagged points leave the drawn track too', async () => {
    const res = await leader.get(`/api/tracks?communityId=${communityId}&deviceId=tp-spike&from=${new Date(base + HOUR).toISOString()}&to=${new Date(base + 2 * HOUR).toISOString()}`)
    const body = (await res.json()) as { features: { properties: { points: number } }[] }
    expect(body.features.reduce((s, f) => s + f.properties.points, 0)).toBe(4)
  })
})

describe('late and out-of-order points', () => {
  test('a spike judged a teleport becomes a speed point when the point after it arrives', async () => {
    await upload('tp-late1', await points(4, [[100, 100, 0], [110, 100, 10], [110, 590, 20]]))
    expect((await flagsOf('tp-late1', 4))[20]).toMatch(/^teleport /)
    await upload('tp-late1', await points(4, [[130, 100, 30]]))
    const flags = await flagsOf('tp-late1', 4)
    expect(flags[20]).toMatch(/^speed /)
    expect(flags[30]).toBeNull()
  })

  test('a late spike between two plausible points is flagged and they stay plausible', async () => {
    await upload('tp-late2', await points(5, [[100, 100, 0], [110, 100, 10], [130, 100, 30], [140, 100, 40]]))
    await upload('tp-late2', await points(5, [[120, 590, 20]]))
    const flags = await flagsOf('tp-late2', 5)
    expect(flags[20]).toMatch(/^speed /)
    expect([flags[0], flags[10], flags[30], flags[40]]).toEqual([null, null, null, null])
    await piecesAgree('tp-late2')
  })

  test('a late point that joins two runs is taken into the pieces', async () => {
    // 150 s apart: two runs; the late point in between joins them (75 s each way).
    await upload('tp-late3', await points(6, [[60, 20, 0], [220, 20, 150]]))
    const visited = async () => {
      const res = await leader.get(`/api/analysis/coverage?communityId=${communityId}&from=${new Date(base + 6 * HOUR).toISOString()}&to=${new Date(base + 7 * HOUR).toISOString()}`)
      return (await res.json()) as { buildings: { visited: number } }
    }
    // Buildings centred every 40 m on y = 20: alone, the points at x = 60 and 220 reach one each.
    expect((await visited()).buildings.visited).toBe(2)
    // Joined through x = 140, the track passes the five from x = 60 to x = 220.
    await upload('tp-late3', await points(6, [[140, 20, 75]]))
    expect((await visited()).buildings.visited).toBe(5)
    await piecesAgree('tp-late3')
  })
})

describe('kept pieces equal a rebuild, and coverage equals the reference', () => {
  test('random walks with spikes and pauses, uploaded in shuffled batches, some points deleted again', async () => {
    const rnd = random(21)
    const devices = ['tp-r1', 'tp-r2', 'tp-r3']
    const h = 8
    for (const device of devices) {
      const list: [number, number, number][] = []
      let x = 50 + rnd() * 500
      let y = 50 + rnd() * 500
      let s = rnd() * 60
      for (let i = 0; i < 220; i++) {
        const pause = rnd() < 0.04 ? 100 + rnd() * 200 : 0
        s += 3 + rnd() * 25 + pause
        x = Math.min(590, Math.max(10, x + (rnd() - 0.5) * 40))
        y = Math.min(590, Math.max(10, y + (rnd() - 0.5) * 40))
        const spike = rnd() < 0.05
        list.push(spike ? [rnd() * 600, rnd() * 600, s] : [x, y, s])
      }
      const all = await points(h, list)
      // Shuffle, then upload in batches of 1 to 40.
      for (let i = all.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1))
        ;[all[i], all[j]] = [all[j]!, all[i]!]
      }
      for (let i = 0; i < all.length; ) {
        const n = 1 + Math.floor(rnd() * 40)
        await upload(device, all.slice(i, i + n))
        i += n
      }
      await piecesAgree(device)
    }
    // Delete every seventh point of one device (straight in SQL): the triggers rebuild around them.
    await server.db.sql`
      delete from track_points where device_id = 'tp-r2'
        and t in (select t from (select t, row_number() over (order by t) as k from track_points where device_id = 'tp-r2') x where x.k % 7 = 0)`
    await piecesAgree('tp-r2')
    const [spikes] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from track_points where device_id like 'tp-r%' and flag is not null`
    expect(spikes!.n).toBeGreaterThan(10)
    const windows: [number, number][] = [[0, 60], [5, 17], [13.3, 41.7], [30, 31], [47, 60], [0, 200]]
    for (const [a, b] of windows) {
      const from = new Date(base + h * HOUR + a * 60_000).toISOString()
      const to = new Date(base + h * HOUR + b * 60_000).toISOString()
      const product = await server.db.sql<{ id: number }[]>`
        select id from sg_coverage_visits(array[${communityId}]::bigint[], ${from}::timestamptz, ${to}::timestamptz, 30)
        where kind = 'building' and by_track order by id`
      const reference = await server.db.sql.begin((tx) => referenceVisitedBuildings(tx, communityId, from, to, 30))
      expect(product.map((r) => r.id), `${from} – ${to}`).toEqual(reference)
      if (b - a >= 60) expect(reference.length).toBeGreaterThan(20)
    }
  })
})
