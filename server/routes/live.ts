import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { AppEnv } from '../context.ts'
import type { LiveEvent, StreamEnd } from '../live/hub.ts'
import { hashToken } from '../queries/users.ts'
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
 * `GET /api/live`: Server-Sent Events `hazard`, `position`, `checkin` and `escalation` of the communities the
 * caller may see (leads only to the roles that see them), each with its `live_events` id as `id:`. With `Last-Event-ID`, the events missed
 * since are replayed first, from the hub's memory (no database query), in chunks. A comment line
 * every {@link LiveHub.heartbeatMs} keeps proxies from closing the stream; the stream ends when the
 * client goes, the hub closes, its session ends (sign-out, expiry, revocation), or its owner opens
 * more streams than the caps allow (the oldest is closed; see server/live/hub.ts).
 */
export const live = new Hono<AppEnv>().get('/', (c) => {
  const hub = c.get('live')
  const sql = c.get('sql')
  const communityIds = c.get('communityIds')
  // Leads (治安线索) reach only the roles that see them (core/matters.ts seesLeads).
  const shown = seesLeads(c.get('user').role) ? () => true : (event: LiveEvent) => !isLeadEvent(event)
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
    const send = (event: LiveEvent): Promise<void> =>
      stream.writeSSE({ event: event.type, id: String(event.id), data: JSON.stringify(event.data) })
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
