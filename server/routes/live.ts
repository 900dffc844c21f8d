import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { AppEnv } from '../context.ts'
import { liveEventsSince, type LiveEvent } from '../live/hub.ts'

/** Milliseconds a browser waits before reconnecting (the SSE `retry:` field). */
const RETRY_MS = 3000

/** The `Last-Event-ID` (header, or `lastEventId` query for clients that cannot set headers) as a number. */
function lastEventIdOf(value: string | undefined): number | undefined {
  if (!value || !/^\d{1,15}$/.test(value.trim())) return undefined
  return Number(value.trim())
}

/**
 * `GET /api/live`: Server-Sent Events `hazard`, `position` and `checkin` of the communities the
 * caller may see, each with its `live_events` id as `id:`. With `Last-Event-ID`, the events missed
 * since are replayed first. A comment line every {@link LiveHub.heartbeatMs} keeps proxies from
 * closing the stream; the stream ends when the client goes or the hub closes.
 */
export const live = new Hono<AppEnv>().get('/', (c) => {
  const hub = c.get('live')
  const sql = c.get('sql')
  const communityIds = c.get('communityIds')
  const lastEventId = lastEventIdOf(c.req.header('last-event-id') ?? c.req.query('lastEventId'))
  c.header('x-accel-buffering', 'no')
  return streamSSE(c, async (stream) => {
    const queue: LiveEvent[] = []
    let ping = false
    let done = false
    let wake: (() => void) | undefined
    const poke = (): void => {
      const w = wake
      wake = undefined
      w?.()
    }
    const finish = (): void => {
      done = true
      poke()
    }
    // Subscribe before reading the replay, so nothing published in between is lost.
    const unsubscribe = hub.subscribe(
      communityIds,
      (event) => {
        queue.push(event)
        poke()
      },
      finish,
    )
    stream.onAbort(finish)
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
        for (const event of await liveEventsSince(sql, lastEventId, communityIds)) {
          if (done) break
          replayed.add(event.id)
          await send(event)
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
    } finally {
      clearInterval(heartbeat)
      unsubscribe()
    }
  })
})
