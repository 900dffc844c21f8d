/**
 * Issue 18, item 3 — the live stream cannot be used to stall everyone: streams are capped per
 * session and per user (the oldest closed), replays come from memory (no query per reconnect),
 * and a stream ends when its session is signed out, revoked or expired.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { MAX_STREAMS_PER_SESSION, MAX_STREAMS_PER_USER } from '../server/live/hub.ts'
import { latenciesWhile, percentile, recordFigure } from './helpers/latency.ts'
import { startTestServer, type Client, type TestServer } from './helpers/server.ts'
import { openSse, type SseStream } from './helpers/sse.ts'

let server: TestServer
let communityId: number
let hazardId: number
let lastSeededEvent: number

/** Live events put in the table before any stream replays them. */
const SEEDED_EVENTS = 2000

beforeAll(async () => {
  server = await startTestServer()
  const sql = server.db.sql
  const [c] = await sql<{ id: number }[]>`select id from communities order by id limit 1`
  communityId = c!.id
  const [h] = await sql<{ id: number }[]>`select id from hazards where community_id = ${communityId} order by id limit 1`
  hazardId = h!.id
  const [last] = await sql<{ id: number }[]>`
    insert into live_events (community_id, type, data)
    select ${communityId}, 'position', jsonb_build_object('deviceId', 'dev-01', 'lon', 114.4 + i * 1e-6, 'lat', 30.5, 't', now())
    from generate_series(1, ${SEEDED_EVENTS}) i
    returning id`
  lastSeededEvent = (await sql<{ id: number }[]>`select max(id)::bigint as id from live_events`)[0]!.id
  expect(last).toBeDefined()
})

afterAll(async () => {
  await server?.close()
})

const ended = (s: SseStream, ms = 10_000): Promise<boolean> =>
  Promise.race([s.ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))])

describe('caps', () => {
  test(`one session keeps at most ${MAX_STREAMS_PER_SESSION} streams: opening more closes the oldest`, async () => {
    const patrol = await server.login('patrol')
    const streams: SseStream[] = []
    for (let i = 0; i < MAX_STREAMS_PER_SESSION + 2; i++) {
      const s = await openSse(server.url, patrol.token)
      expect(s.status).toBe(200)
      streams.push(s)
    }
    expect(await ended(streams[0]!)).toBe(true)
    expect(await ended(streams[1]!)).toBe(true)
    // The newest are still open: a hazard reaches the last one.
    const leader = await server.login('leader')
    const res = await leader.post('/api/hazards', { category: 'other', severity: 'minor', location: { lon: 114.4003, lat: 30.5052 } })
    expect(res.status).toBe(201)
    const id = String(((await res.json()) as { id: number }).id)
    expect(await streams.at(-1)!.until((e) => e.event === 'hazard' && JSON.parse(e.data).id === Number(id), 10_000)).toBeDefined()
    streams.forEach((s) => s.close())
  })

  test(`one user keeps at most ${MAX_STREAMS_PER_USER} streams over all sessions`, async () => {
    const sessions: Client[] = []
    for (let i = 0; i < 4; i++) sessions.push(await server.login('command'))
    const streams: SseStream[] = []
    for (const s of sessions) for (let i = 0; i < MAX_STREAMS_PER_SESSION; i++) streams.push(await openSse(server.url, s.token))
    const over = streams.length - MAX_STREAMS_PER_USER
    for (let i = 0; i < over; i++) expect(await ended(streams[i]!)).toBe(true)
    expect(await ended(streams.at(-1)!, 500)).toBe(false)
    streams.forEach((s) => s.close())
  })
})

describe('the session ends, the stream ends', () => {
  test('signing out ends the session’s streams', async () => {
    const leader = await server.login('leader')
    const stream = await openSse(server.url, leader.token)
    expect((await leader.post('/api/auth/logout')).status).toBe(204)
    expect(await ended(stream)).toBe(true)
    expect((await openSse(server.url, leader.token)).status).toBe(401)
  })

  test('a session revoked or expired elsewhere (another process, an admin) ends its streams at the next check', async () => {
    const revoked = await server.login('planner')
    const expired = await server.login('planner')
    const a = await openSse(server.url, revoked.token)
    const b = await openSse(server.url, expired.token)
    await server.db.sql`update sessions set revoked_at = now() where user_id = ${revoked.user.id} and revoked_at is null and created_at = (select max(created_at) from sessions where user_id = ${revoked.user.id})`
    await server.db.sql`update sessions set expires_at = now() - interval '1 second' where user_id = ${expired.user.id} and revoked_at is null`
    expect(await ended(a, 40_000)).toBe(true)
    expect(await ended(b, 40_000)).toBe(true)
  })
})

describe('replays', () => {
  test('a reconnect replays from memory: the events come back even after the table lost them', async () => {
    const command = await server.login('command')
    // The first replay loads the memory from the table once.
    const first = await openSse(server.url, command.token, { 'last-event-id': String(lastSeededEvent - 10) })
    expect(await first.until((e) => e.id === String(lastSeededEvent), 10_000)).toBeDefined()
    first.close()
    await server.db.sql`delete from live_events where id > ${lastSeededEvent - 100} and id <= ${lastSeededEvent}`
    const again = await openSse(server.url, command.token, { 'last-event-id': String(lastSeededEvent - 50) })
    const got = await again.next(10_000)
    expect(got?.id).toBe(String(lastSeededEvent - 49))
    again.close()
  })

  test('a storm of reconnects with lastEventId=0 from one token leaves other users’ requests answered (p99 recorded)', async () => {
    const patrol = await server.login('patrol')
    const command = await server.login('command')
    const RECONNECTS = 200
    const storm = (async () => {
      let opened = 0
      const one = async (): Promise<void> => {
        const abort = new AbortController()
        try {
          const res = await fetch(`${server.url}/api/live?lastEventId=0`, { headers: { authorization: `Bearer ${patrol.token}` }, signal: abort.signal })
          const reader = res.body!.getReader()
          await reader.read() // the first bytes, then the client drops, like a reconnecting tab
          opened++
        } finally {
          abort.abort()
        }
      }
      const lanes = Array.from({ length: 20 }, async () => {
        for (let i = 0; i < RECONNECTS / 20; i++) await one().catch(() => {})
      })
      await Promise.all(lanes)
      return opened
    })()
    const { ms, statuses, duringBusy } = await latenciesWhile(storm, { url: `${server.url}/api/hazards/${hazardId}`, headers: { authorization: `Bearer ${command.token}` } }, { min: 20 })
    const opened = await storm
    await recordFigure(`live-storm-${server.backend}`, {
      reconnects: RECONNECTS,
      opened,
      replayEventsEach: SEEDED_EVENTS,
      cheapRequests: ms.length,
      duringStorm: duringBusy,
      p50Ms: Math.round(percentile(ms, 50)),
      p99Ms: Math.round(percentile(ms, 99)),
      maxMs: Math.round(Math.max(...ms)),
    })
    expect(opened).toBe(RECONNECTS)
    expect(statuses.every((s) => s === 200)).toBe(true)
    // Cheap requests were answered while the storm went on, not queued behind it.
    expect(duringBusy).toBeGreaterThan(0)
  })
})
