import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { can } from '../../core/roles.ts'
import type { AppEnv } from '../context.ts'
import type { LiveEvent, StreamEnd } from '../live/hub.ts'
import { trackScope, type TrackScope } from '../queries/tracks.ts'
import { hashToken } from '../queries/users.ts'
import { partnerUnitOf } from '../queries/units.ts'

/**
 * Which events a caller receives beyond the community scope: a partner account only `hazard` events of the
 * matters handed to its unit (never positions or check-ins: people); everyone else every event.
 */
export function liveEventFilter(unitId: number | null): (event: LiveEvent) => boolean {
  if (unitId === null) return () => true
  return (event) => event.type === 'hazard' && (event.data as { properties?: { unitId?: unknown } } | null)?.properties?.unitId === unitId
}

/**
 * Whether a `position` event may go to a caller: never without `readTracks` (patrol members and planners
 * do not follow people), only their own team's members' for a leader ({@link trackScope}).
 */
export function mayFollow(readTracks: boolean, scope: TrackScope | null, event: LiveEvent): boolean {
  if (event.type !== 'position') return true
  if (!readTracks) return false
  if (scope === null) return true
  const data = event.data as { personId?: number | null; registeredBy?: number | null }
  return (typeof data.personId === 'number' && scope.personIds.includes(data.personId)) || data.registeredBy === scope.registeredBy
}
import { seesLeads } from '../../core/matters.ts'

/** Milliseconds a browser waits before reconnecting (the SSE `retry:` field). */
const RETRY_MS = 3000

/** The `Last-Event-ID` (header, or `lastEventId` query for clients that cannot set headers) as a number. */
function lastEventIdOf(value: string | undefined): number | undefined {
  if (!value || !/^\d{1,15}$/.test(value.trim())) return undefined
  return Number(value.trim())
}

/** How long a stream closed for a newer one of the same session asks its browser to wait before reconnecting. */
const REPLACED_RETRY_MS = 60_000

/** Replayed events written between two yields to the event loop (other requests run in between). */
const REPLAY_CHUNK = 100

/** Whether a live event is about a lead (a `hazard` Feature, or an `escalation` carrying one, of type `lead`). */
export function isLeadEvent(event: Pick<LiveEvent, 'data'>): boolean {
  const data = (event.data ?? {}) as { properties?: { type?: unknown }; feature?: { properties?: { type?: unknown } } }
  return data.properties?.type === 'lead' || data.feature?.properties?.type === 'lead'
}

/**
 * `GET /api/live`: Server-Sent Events `hazard`, `position`, `checkin`, `reminder` and `escalation` of the communities the
 * caller may see (positions only as {@link mayFollow} allows, leads only to the roles that see them), each with its `live_events` id as `id:`. With `Last-Event-ID`, the events missed
 * since are replayed first, from the hub's memory (no database query), in chunks. A comment line
 * every {@link LiveHub.heartbeatMs} keeps proxies from closing the stream; the stream ends when the
 * client goes, the hub closes, its session ends (sign-out, expiry, revocation), or its owner opens
 * more streams than the caps allow (the oldest is closed; see server/live/hub.ts).
 */
export const live = new Hono<AppEnv>().get('/', async (c) => {
  const hub = c.get('live')
  const readTracks = can(c.get('user').role, 'readTracks')
  const scope = readTracks ? await trackScope(c.get('sql'), c.get('user')) : null
  const sql = c.get('sql')
  const communityIds = c.get('communityIds')
  // A partner account: its unit's matters only; leads (治安线索) only to the roles that see them (core/matters.ts seesLeads).
  const byUnit = liveEventFilter(partnerUnitOf(c.get('user')))
  const leadsToo = seesLeads(c.get('user').role)
  const shown = (event: LiveEvent) => byUnit(event) && (leadsToo || !isLeadEvent(event))
  const lastEventId = lastEventIdOf(c.req.header('last-event-id') ?? c.req.query('lastEventId'))
  const owner = { userId: c.get('user').id, session: hashToken(c.get('token')) }
  c.header('x-accel-buffering', 'no')
  return streamSSE(c, async (stream) => {
    const queue: LiveEvent[] = []
    let ping = false
    let done = false
    let ended: StreamEnd | undefined
    let wake: (() => void) | undefined
    const poke = (): void => {
      const w = wake
      wake = undefined
      w?.()
    }
    const finish = (why?: StreamEnd): void => {
      ended ??= why
      done = true
      poke()
      // Ended by the hub (replaced, session over): a write blocked on a client that stopped reading must not keep it open.
      if (why) setTimeout(() => stream.abort(), 2000).unref()
    }
    // Subscribe before reading the replay, so nothing published in between is lost.
    const unsubscribe = hub.subscribe(
      communityIds,
      (event) => {
        if (!shown(event)) return
        queue.push(event)
        poke()
      },
      finish,
      owner,
    )
    stream.onAbort(() => finish())
    const heartbeat = setInterval(() => {
      ping = true
      poke()
    }, hub.heartbeatMs)
    heartbeat.unref()
    // Ids sent by the replay: the same event may also arrive from the hub (published just after the replay read).
    const replayed = new Set<number>()
    const send = async (event: LiveEvent): Promise<void> => {
      if (!mayFollow(readTracks, scope, event)) return
      await stream.writeSSE({ event: event.type, id: String(event.id), data: JSON.stringify(event.data) })
    }
    try {
      await stream.write(`retry: ${RETRY_MS}\n: connected\n\n`)
      if (lastEventId !== undefined) {
        await hub.warm(sql)
        let n = 0
        for (const event of hub.since(lastEventId, communityIds)) {
          if (done) break
          if (!shown(event)) continue
          replayed.add(event.id)
          await send(event)
          if (++n % REPLAY_CHUNK === 0) await new Promise((resolve) => setImmediate(resolve))
        }
      }
      while (!done) {
        const event = queue.shift()
        if (event) {
          if (!replayed.has(event.id)) await send(event)
          continue
        }
        if (ping) {
          ping = false
          await stream.write(': ping\n\n')
          continue
        }
        await new Promise<void>((resolve) => {
          wake = resolve
        })
      }
      if (ended === 'replaced') await stream.write(`retry: ${REPLACED_RETRY_MS}\n: closed for a newer stream of this session\n\n`)
      else if (ended === 'session-ended') await stream.write(': the session ended; sign in again\n\n')
    } finally {
      clearInterval(heartbeat)
      unsubscribe()
    }
  })
})
