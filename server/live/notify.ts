/**
 * Cross-process live fan-out over PostgreSQL LISTEN/NOTIFY (a real server only: the embedded
 * database serves one process, whose hub already has every event).
 *
 * Every live event row is announced by `NOTIFY safegrid_live, '<id>'` when its transaction commits
 * ({@link recordLiveEvent}). Each server process LISTENs on one extra connection, reads the announced
 * rows back by id (a burst of notifications in one query) and publishes them to its own hub. The
 * process that wrote the event published it already; the hub drops the second copy.
 */
import type { Sql } from '../db/connect.ts'
import { LIVE_CHANNEL, LIVE_REPLAY_LIMIT, type LiveEvent, type LiveEventType, type LiveHub } from './hub.ts'

/** A running listener. */
export interface LiveListener {
  /** Stop listening (the server is closing). */
  close: () => Promise<void>
}

interface Row {
  id: number
  type: LiveEventType
  communityId: number | null
  data: unknown
  at: Date
}

/**
 * LISTEN on {@link LIVE_CHANNEL} and publish every event announced there to `hub`. After a lost
 * connection (postgres.js listens again by itself) the events recorded meanwhile are read and
 * published too, so a stream on this process misses nothing another process wrote.
 */
export async function listenLive(sql: Sql, hub: LiveHub): Promise<LiveListener> {
  const [start] = await sql<{ id: number }[]>`select coalesce(max(id), 0)::bigint as id from live_events`
  let lastId = start?.id ?? 0
  let listens = 0
  let catchUp = false
  const pending = new Set<number>()
  let running: Promise<void> | undefined
  let closed = false

  const deliver = (rows: Row[]): void => {
    for (const r of rows) {
      const event: LiveEvent = { id: r.id, type: r.type, communityId: r.communityId, data: r.data, at: r.at.toISOString() }
      hub.publish(event)
      if (r.id > lastId) lastId = r.id
    }
  }
  const drain = async (): Promise<void> => {
    while (!closed && (pending.size > 0 || catchUp)) {
      try {
        if (catchUp) {
          catchUp = false
          deliver(await sql<Row[]>`
            select id, type, community_id as "communityId", data, at from live_events
            where id > ${lastId} order by id limit ${LIVE_REPLAY_LIMIT}`)
        }
        const ids = [...pending]
        pending.clear()
        if (ids.length === 0) continue
        deliver(await sql<Row[]>`
          select id, type, community_id as "communityId", data, at from live_events
          where id = any(${ids}::bigint[]) order by id`)
      } catch (error) {
        if (!closed) console.error('[live] reading announced events failed', error)
      }
    }
  }
  const kick = (): void => {
    running ??= drain().finally(() => {
      running = undefined
      if (!closed && (pending.size > 0 || catchUp)) kick()
    })
  }

  const { unlisten } = await sql.listen(
    LIVE_CHANNEL,
    (payload) => {
      if (!/^\d{1,15}$/.test(payload)) return
      pending.add(Number(payload))
      kick()
    },
    () => {
      // Called on the first LISTEN and again after every reconnect: then catch up on what was missed.
      if (listens++ > 0) {
        catchUp = true
        kick()
      }
    },
  )
  return {
    close: async () => {
      closed = true
      await unlisten().catch(() => {})
      await running
    },
  }
}
