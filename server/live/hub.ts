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

/** Event names of the contract; `escalation` (issue #14): `{ hazardId, communityId, from, to, reason, by, unitId, feature }`. */
export const LIVE_EVENT_TYPES = ['hazard', 'position', 'checkin', 'reminder', 'escalation'] as const
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

/** Most events replayed to one reconnecting client (the contract asks for at least 1,000). */
export const LIVE_REPLAY_LIMIT = 2_000

/** Events kept in memory for replays (as many as the table keeps), so a reconnect never queries the database. */
export const LIVE_MEMORY = LIVE_RETENTION

/** Open streams one session may hold; a further one closes its oldest. */
export const MAX_STREAMS_PER_SESSION = 4
/** Open streams one user may hold over all sessions; a further one closes their oldest. */
export const MAX_STREAMS_PER_USER = 12
/** How often open streams' sessions are checked (revoked, expired, user disabled → the stream ends). */
export const SESSION_CHECK_MS = 15_000

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

/** Whose a stream is: the user and the session (sha256 of its token), for the caps and for ending it with the session. */
export interface StreamOwner {
  userId: number
  /** `hashToken(token)` of the session. */
  session: string
}

/** Why the hub ended a stream. */
export type StreamEnd = 'closed' | 'replaced' | 'session-ended'

/** A connected stream as the hub sees it. */
interface Subscriber {
  communityIds: number[] | null
  send: (event: LiveEvent) => void
  close: (why: StreamEnd) => void
  owner: StreamOwner | undefined
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
  /** The last {@link LIVE_MEMORY} events, ascending by id: replays are served from here. */
  private readonly memory: LiveEvent[] = []
  private warming: Promise<void> | undefined
  private sessionTimer: NodeJS.Timeout | undefined
  private sessionCheck: ((sessions: string[]) => Promise<string[]>) | undefined
  private closed = false

  /** Heartbeat period of the streams, in ms. */
  readonly heartbeatMs: number
  /** Period of the session check, in ms. */
  readonly sessionCheckMs: number

  constructor(options: { heartbeatMs?: number; sessionCheckMs?: number } = {}) {
    this.heartbeatMs = options.heartbeatMs ?? 15_000
    this.sessionCheckMs = options.sessionCheckMs ?? SESSION_CHECK_MS
  }

  /**
   * Fill the replay memory from `live_events` once (the newest {@link LIVE_MEMORY} rows); later
   * calls wait for the same load. Events published meanwhile are merged in by id.
   */
  warm(sql: Sql): Promise<void> {
    this.warming ??= (async () => {
      const rows = await sql<{ id: number; type: LiveEventType; communityId: number | null; data: unknown; at: Date }[]>`
        select * from (
          select id, type, community_id as "communityId", data, at from live_events order by id desc limit ${LIVE_MEMORY}
        ) recent order by id`
      for (const r of rows) this.remember({ id: r.id, type: r.type, communityId: r.communityId, data: r.data, at: r.at.toISOString() })
    })().catch((error: unknown) => {
      this.warming = undefined
      throw error
    })
    return this.warming
  }

  /** Keep an event in the replay memory (in id order, each id once, the newest {@link LIVE_MEMORY}). */
  private remember(event: LiveEvent): void {
    const m = this.memory
    let i = m.length
    while (i > 0 && m[i - 1]!.id > event.id) i--
    if (i > 0 && m[i - 1]!.id === event.id) return
    m.splice(i, 0, event)
    if (m.length > LIVE_MEMORY) m.splice(0, m.length - LIVE_MEMORY)
  }

  /**
   * The events after `lastId` that a user with these communities may see, oldest first: at most
   * `limit`, the newest ones. From memory: no database query.
   */
  since(lastId: number, communityIds: number[] | null, limit = LIVE_REPLAY_LIMIT): LiveEvent[] {
    const m = this.memory
    let lo = 0
    let hi = m.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (m[mid]!.id <= lastId) lo = mid + 1
      else hi = mid
    }
    const out: LiveEvent[] = []
    for (let i = m.length - 1; i >= lo && out.length < limit; i--) if (mayReceive(communityIds, m[i]!)) out.push(m[i]!)
    return out.reverse()
  }

  /**
   * Check the sessions of open streams every {@link sessionCheckMs} with `check` (given the session
   * hashes, it answers those that are revoked, expired or of a disabled user); their streams end.
   */
  watchSessions(check: (sessions: string[]) => Promise<string[]>): void {
    this.sessionCheck = check
  }

  private scheduleSessionCheck(): void {
    if (this.sessionTimer || this.closed || !this.sessionCheck) return
    this.sessionTimer = setTimeout(() => {
      this.sessionTimer = undefined
      void this.checkSessions().finally(() => {
        if ([...this.subscribers].some((s) => s.owner)) this.scheduleSessionCheck()
      })
    }, this.sessionCheckMs)
    this.sessionTimer.unref()
  }

  /** Run the session check now (also what the timer does). */
  async checkSessions(): Promise<void> {
    const check = this.sessionCheck
    if (!check) return
    const sessions = [...new Set([...this.subscribers].flatMap((s) => (s.owner ? [s.owner.session] : [])))]
    if (sessions.length === 0) return
    try {
      for (const dead of await check(sessions)) this.endSession(dead)
    } catch (error) {
      console.error('[live] checking the sessions of open streams failed', error)
    }
  }

  /** End every stream of a session (sign-out, revocation). */
  endSession(session: string): void {
    for (const sub of [...this.subscribers]) {
      if (sub.owner?.session !== session) continue
      this.subscribers.delete(sub)
      sub.close('session-ended')
    }
  }

  /** Open streams of a user (all sessions). */
  streamsOf(userId: number): number {
    let n = 0
    for (const sub of this.subscribers) if (sub.owner?.userId === userId) n++
    return n
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
   * the hub ends it: on shutdown, when its session ends, or when its owner opens more than
   * {@link MAX_STREAMS_PER_SESSION} streams in one session or {@link MAX_STREAMS_PER_USER} in all
   * (then the owner's oldest stream is closed). Returns the function that unregisters it.
   */
  subscribe(communityIds: number[] | null, send: (event: LiveEvent) => void, close: (why: StreamEnd) => void, owner?: StreamOwner): () => void {
    const sub: Subscriber = { communityIds, send, close, owner }
    if (this.closed) {
      close('closed')
      return () => {}
    }
    if (owner) {
      // Set iteration is insertion order: the first match is the oldest stream.
      const mine = [...this.subscribers].filter((s) => s.owner?.userId === owner.userId)
      const sameSession = mine.filter((s) => s.owner!.session === owner.session)
      const evict = (s: Subscriber): void => {
        this.subscribers.delete(s)
        s.close('replaced')
      }
      if (sameSession.length >= MAX_STREAMS_PER_SESSION) evict(sameSession[0]!)
      else if (mine.length >= MAX_STREAMS_PER_USER) evict(mine[0]!)
    }
    this.subscribers.add(sub)
    if (owner) this.scheduleSessionCheck()
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
    this.remember(event)
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
    if (this.sessionTimer) clearTimeout(this.sessionTimer)
    for (const sub of this.subscribers) sub.close('closed')
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
