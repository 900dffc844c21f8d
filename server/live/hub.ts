/**
 * The live stream's in-process fan-out (`GET /api/live`, Server-Sent Events).
 *
 * Every live event is first a row of `live_events` (its id is the SSE `id:`), written in the same
 * transaction as the change it reports, then published to the hub after the commit. Connected
 * streams receive it from the hub; a client that reconnects with `Last-Event-ID` reads what it
 * missed back from the table.
 *
 * Cross-process fan-out (several server processes behind one database): {@link recordLiveEvent}
 * also sends `NOTIFY safegrid_live, '<id>'` in the same statement (delivered on commit); on a real
 * PostgreSQL each process LISTENs (server/live/notify.ts), reads the rows back by id and calls
 * {@link LiveHub.publish}. The hub drops an id it has delivered, so in the process that did the write
 * the local publish and the notification both arrive and the stream gets the event once.
 */
import type { Queryable, Sql } from '../db/connect.ts'

/** Event names of the contract. */
export const LIVE_EVENT_TYPES = ['hazard', 'position', 'checkin'] as const
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number]

/** What a writer publishes. `data` must hold no phone numbers or other personal contact data. */
export interface LiveInput {
  type: LiveEventType
  /** The community the event belongs to; only users who may see it receive it (null: admins of all communities only). */
  communityId: number | null
  data: unknown
}

/** A recorded live event. */
export interface LiveEvent extends LiveInput {
  /** The `live_events` id, sent as the SSE `id:`. */
  id: number
  at: string
}


/** The PostgreSQL NOTIFY channel carrying the ids of new live events to every server process. */
export const LIVE_CHANNEL = 'safegrid_live'

/** How many events are kept for `Last-Event-ID` replay (the contract asks for at least 1,000). */
export const LIVE_RETENTION = 10_000

/** Most events replayed to one reconnecting client. */
export const LIVE_REPLAY_LIMIT = 5_000

/**
 * Insert a live event row (and NOTIFY {@link LIVE_CHANNEL} with its id, on commit) and return it.
 * Call it with the transaction of the change, then {@link LiveHub.publish} the result after the commit.
 */
export async function recordLiveEvent(sql: Queryable, input: LiveInput): Promise<LiveEvent> {
  // The notification goes out when the transaction commits (and never if it rolls back).
  const [row] = await sql<{ id: number; at: Date }[]>`
    with recorded as (
      insert into live_events (community_id, type, data)
      values (${input.communityId}, ${input.type}, ${sql.json(input.data as never)})
      returning id, at
    )
    select id, at, pg_notify(${LIVE_CHANNEL}, id::text)::text as notified from recorded`
  const id = row!.id
  // Keep the table bounded: every 1,000th event trims what is older than the retention.
  if (id % 1000 === 0) await sql`delete from live_events where id <= ${id - LIVE_RETENTION}`
  return { ...input, id, at: row!.at.toISOString() }
}

/** The events after `lastId` that a user with these communities may see, oldest first (at most `limit`, the newest ones). */
export async function liveEventsSince(sql: Sql, lastId: number, communityIds: number[] | null, limit = LIVE_REPLAY_LIMIT): Promise<LiveEvent[]> {
  const rows = await sql<{ id: number; type: LiveEventType; communityId: number | null; data: unknown; at: Date }[]>`
    select * from (
      select id, type, community_id as "communityId", data, at
      from live_events
      where id > ${lastId}
        and ${communityIds === null ? sql`true` : sql`community_id = any(${communityIds}::bigint[])`}
      order by id desc
      limit ${limit}
    ) recent order by id`
  return rows.map((r) => ({ ...r, at: r.at.toISOString() }))
}

/** A connected stream as the hub sees it. */
interface Subscriber {
  communityIds: number[] | null
  send: (event: LiveEvent) => void
  close: () => void
}

/** Whether a user with these communities may receive an event. */
export function mayReceive(communityIds: number[] | null, event: Pick<LiveEvent, 'communityId'>): boolean {
  if (communityIds === null) return true
  return event.communityId !== null && communityIds.includes(event.communityId)
}

/** In-process fan-out of live events to the connected streams of one app. */
export class LiveHub {
  private readonly subscribers = new Set<Subscriber>()
  /** Ids delivered lately, so an event published twice (locally and by the NOTIFY listener) goes out once. */
  private readonly recent = new Set<number>()
  private readonly recentOrder: number[] = []
  private closed = false

  /** Heartbeat period of the streams, in ms. */
  readonly heartbeatMs: number

  constructor(options: { heartbeatMs?: number } = {}) {
    this.heartbeatMs = options.heartbeatMs ?? 15_000
  }

  /** Number of connected streams. */
  get size(): number {
    return this.subscribers.size
  }

  /** Whether {@link close} was called. */
  get isClosed(): boolean {
    return this.closed
  }

  /**
   * Register a stream. `send` gets every later event the communities allow; `close` is called when
   * the hub closes. Returns the function that unregisters it.
   */
  subscribe(communityIds: number[] | null, send: (event: LiveEvent) => void, close: () => void): () => void {
    const sub: Subscriber = { communityIds, send, close }
    if (this.closed) {
      close()
      return () => {}
    }
    this.subscribers.add(sub)
    return () => {
      this.subscribers.delete(sub)
    }
  }

  /** Fan an event out to every stream allowed to see it. Call it after the event's transaction committed. */
  publish(event: LiveEvent): void {
    if (this.recent.has(event.id)) return
    this.recent.add(event.id)
    this.recentOrder.push(event.id)
    if (this.recentOrder.length > 1000) this.recent.delete(this.recentOrder.shift()!)
    for (const sub of this.subscribers) {
      if (!mayReceive(sub.communityIds, event)) continue
      try {
        sub.send(event)
      } catch (error) {
        console.error('[live] a subscriber failed', error)
      }
    }
  }

  /**
   * Record an event and publish it at once: for writers that are not inside a transaction
   * (inside one, use {@link recordLiveEvent} with the transaction and {@link publish} after the commit).
   */
  async publishLive(sql: Sql, input: LiveInput): Promise<LiveEvent> {
    const event = await recordLiveEvent(sql, input)
    this.publish(event)
    return event
  }

  /** End every stream (server shutdown). Later subscribers are closed at once. */
  close(): void {
    this.closed = true
    for (const sub of this.subscribers) sub.close()
    this.subscribers.clear()
  }
}

/**
 * Record a live event outside a transaction and fan it out through `hub`
 * (tracks, check-ins and other writers: `publishLive(c.get('sql'), { type, communityId, data }, c.get('live'))`).
 */
export async function publishLive(sql: Sql, input: LiveInput, hub: LiveHub): Promise<LiveEvent> {
  return hub.publishLive(sql, input)
}
