/**
 * Alert channels and their outbox (告警推送): the admin's channels, the delivery log, and the worker's
 * short statements (server/alerts/worker.ts). Every worker statement touches a handful of rows and holds
 * no lock while a receiver is being called: the embedded database has one connection.
 */
import { readableAddress } from '../../core/address.ts'
import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'
import type { AlertEvent, AlertProvider, DeliveryEvent, DeliveryStatus } from '../../core/alerts.ts'

/** A channel as the API answers it (URL token and secret masked). */
export type AlertChannelView = z.infer<typeof Schemas.AlertChannel>
/** One row of a channel's delivery log. */
type DeliveryView = z.infer<typeof Schemas.AlertDeliveryList>['items'][number]
import { NOT_OPEN_STATUSES } from '../../core/matters.ts'
import type { Queryable, Sql } from '../db/connect.ts'
import type { AlertPayload, MatterFacts } from '../alerts/message.ts'
import { maskSecret, maskUrl } from '../alerts/mask.ts'
import { problems } from '../problem.ts'
import { recordAudit } from './audit.ts'
import { hazardProps } from './hazards.ts'
import type { SessionUser } from './users.ts'

/** A channel as stored (the secret and URL in full: server side only). */
export interface AlertChannelRow {
  id: number
  communityId: number
  zoneId: number | null
  name: string
  provider: AlertProvider
  url: string
  secret: string | null
  events: AlertEvent[]
  enabled: boolean
  createdAt: Date
  updatedAt: Date
}

const scope = (sql: Queryable, communityIds: number[] | null, column = sql`ch.community_id`) =>
  communityIds === null ? sql`true` : sql`${column} = any(${communityIds}::bigint[])`

const CHANNEL_COLUMNS = (sql: Queryable) => sql`
  ch.id, ch.community_id as "communityId", ch.zone_id as "zoneId", ch.name, ch.provider, ch.url, ch.secret,
  ch.events, ch.enabled, ch.created_at as "createdAt", ch.updated_at as "updatedAt"`

interface ViewRow extends AlertChannelRow {
  zoneName: string | null
  sent: number
  failed: number
  pending: number
  last: { id: number; event: DeliveryEvent; status: DeliveryStatus; at: string; error: string | null } | null
}

function toView(r: ViewRow): AlertChannelView {
  return {
    id: r.id,
    communityId: r.communityId,
    zoneId: r.zoneId,
    zoneName: r.zoneName,
    name: r.name,
    provider: r.provider,
    url: maskUrl(r.url),
    secret: r.secret ? maskSecret(r.secret) : null,
    hasSecret: r.secret !== null,
    events: r.events,
    enabled: r.enabled,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    deliveries: { sent: r.sent, failed: r.failed, pending: r.pending },
    lastDelivery: r.last,
  }
}

/** What the audit log keeps of a channel: never the secret or the URL's token. */
function auditView(v: AlertChannelView) {
  return { name: v.name, provider: v.provider, url: v.url, hasSecret: v.hasSecret, zoneId: v.zoneId, events: v.events, enabled: v.enabled }
}

/** The admin's channels (masked), in the communities the caller may see, oldest first. */
export async function listChannels(sql: Queryable, communityIds: number[] | null, communityId?: number, id?: number): Promise<AlertChannelView[]> {
  const rows = await sql<ViewRow[]>`
    select ${CHANNEL_COLUMNS(sql)}, z.name as "zoneName",
           coalesce(s.sent, 0)::int as sent, coalesce(s.failed, 0)::int as failed, coalesce(s.pending, 0)::int as pending,
           (select json_build_object('id', d.id, 'event', d.event, 'status', d.status,
                                     'at', coalesce(d.sent_at, d.last_attempt_at, d.created_at), 'error', d.last_error)
            from alert_deliveries d where d.channel_id = ch.id order by d.id desc limit 1) as last
    from alert_channels ch
    left join zones z on z.id = ch.zone_id
    left join lateral (
      select count(*) filter (where d.status = 'sent') as sent,
             count(*) filter (where d.status = 'failed') as failed,
             count(*) filter (where d.status in ('pending', 'sending')) as pending
      from alert_deliveries d where d.channel_id = ch.id) s on true
    where ${scope(sql, communityIds)}
      and ${communityId === undefined ? sql`true` : sql`ch.community_id = ${communityId}`}
      and ${id === undefined ? sql`true` : sql`ch.id = ${id}`}
    order by ch.id`
  return rows.map(toView)
}

/** One channel with its URL and secret in full (server side), or undefined when not visible. */
export async function channelRow(sql: Queryable, id: number, communityIds: number[] | null): Promise<AlertChannelRow | undefined> {
  const [row] = await sql<AlertChannelRow[]>`select ${CHANNEL_COLUMNS(sql)} from alert_channels ch where ch.id = ${id} and ${scope(sql, communityIds)}`
  return row
}

/** A zone of the community, or 422. */
async function checkZone(sql: Queryable, zoneId: number, communityId: number): Promise<void> {
  const [z] = await sql<{ id: number }[]>`select id from zones where id = ${zoneId} and community_id = ${communityId}`
  if (!z) throw problems.unprocessable('The zone is not in the channel’s community.', [{ path: 'zoneId', message: 'no such zone in this community' }])
}

/** A new channel, validated (the URL already checked against the address rules). */
export type NewChannel = Pick<AlertChannelRow, 'communityId' | 'zoneId' | 'name' | 'provider' | 'url' | 'secret' | 'events' | 'enabled'>

/** Create a channel (audited); 404 when the community is not visible, 422 for a zone of another community. */
export async function createChannel(sql: Sql, input: NewChannel, actor: SessionUser, communityIds: number[] | null): Promise<AlertChannelView> {
  return sql.begin(async (tx) => {
    const [c] = await tx<{ id: number }[]>`select id from communities c where c.id = ${input.communityId} and ${scope(tx, communityIds, tx`c.id`)}`
    if (!c) throw problems.notFound(`No community ${input.communityId}.`)
    if (input.zoneId !== null) await checkZone(tx, input.zoneId, input.communityId)
    const [row] = await tx<{ id: number }[]>`
      insert into alert_channels (community_id, zone_id, name, provider, url, secret, events, enabled, created_by)
      values (${input.communityId}, ${input.zoneId}, ${input.name}, ${input.provider}, ${input.url}, ${input.secret},
              ${input.events}::text[], ${input.enabled}, ${actor.id})
      returning id`
    const [view] = await listChannels(tx, null, undefined, row!.id)
    await recordAudit(tx, { userId: actor.id, communityId: input.communityId, action: 'create', entity: 'alert_channel', entityId: row!.id, after: auditView(view!) })
    return view!
  })
}

/** A change to a channel: absent fields stay; `secret: null` removes the secret, `zoneId: null` widens to the community. */
export interface ChannelPatch {
  name?: string | undefined
  zoneId?: number | null | undefined
  provider?: AlertProvider | undefined
  url?: string | undefined
  secret?: string | null | undefined
  events?: AlertEvent[] | undefined
  enabled?: boolean | undefined
}

/** Change a channel (audited), or undefined when not visible. WeCom channels keep no secret. */
export async function updateChannel(sql: Sql, id: number, patch: ChannelPatch, actor: SessionUser, communityIds: number[] | null): Promise<AlertChannelView | undefined> {
  return sql.begin(async (tx) => {
    const [current] = await tx<AlertChannelRow[]>`select ${CHANNEL_COLUMNS(tx)} from alert_channels ch where ch.id = ${id} and ${scope(tx, communityIds)} for update`
    if (!current) return undefined
    const [before] = await listChannels(tx, null, undefined, id)
    if (patch.zoneId !== undefined && patch.zoneId !== null) await checkZone(tx, patch.zoneId, current.communityId)
    const provider = patch.provider ?? current.provider
    const secret = provider === 'wecom' ? null : patch.secret !== undefined ? patch.secret : current.secret
    await tx`
      update alert_channels set
        name = ${patch.name ?? current.name},
        zone_id = ${patch.zoneId !== undefined ? patch.zoneId : current.zoneId},
        provider = ${provider},
        url = ${patch.url ?? current.url},
        secret = ${secret},
        events = ${patch.events ?? current.events}::text[],
        enabled = ${patch.enabled ?? current.enabled},
        updated_at = now()
      where id = ${id}`
    const [view] = await listChannels(tx, null, undefined, id)
    await recordAudit(tx, {
      userId: actor.id,
      communityId: current.communityId,
      action: 'update',
      entity: 'alert_channel',
      entityId: id,
      before: auditView(before!),
      after: { ...auditView(view!), secretChanged: patch.secret !== undefined },
    })
    return view
  })
}

/** Delete a channel and its delivery log (audited); false when not visible. */
export async function deleteChannel(sql: Sql, id: number, actor: SessionUser, communityIds: number[] | null): Promise<boolean> {
  return sql.begin(async (tx) => {
    const [before] = await listChannels(tx, communityIds, undefined, id)
    if (!before) return false
    await tx`delete from alert_channels where id = ${id}`
    await recordAudit(tx, { userId: actor.id, communityId: before.communityId, action: 'delete', entity: 'alert_channel', entityId: id, before: auditView(before) })
    return true
  })
}

const DELIVERY_COLUMNS = (sql: Queryable) => sql`
  d.id, d.event, d.event_key as "eventKey", d.hazard_id as "hazardId", d.payload->>'title' as title, d.status,
  d.attempts, d.max_attempts as "maxAttempts", d.last_error as "lastError", d.response_code as "responseCode",
  d.created_at as "createdAt", d.last_attempt_at as "lastAttemptAt",
  case when d.status = 'pending' then d.next_attempt_at end as "nextAttemptAt", d.sent_at as "sentAt"`

type DeliveryRow = Omit<DeliveryView, 'createdAt' | 'lastAttemptAt' | 'nextAttemptAt' | 'sentAt'> & {
  createdAt: Date
  lastAttemptAt: Date | null
  nextAttemptAt: Date | null
  sentAt: Date | null
}

const iso = (d: Date | null) => (d ? d.toISOString() : null)
const toDelivery = (r: DeliveryRow): DeliveryView => ({
  ...r,
  createdAt: r.createdAt.toISOString(),
  lastAttemptAt: iso(r.lastAttemptAt),
  nextAttemptAt: iso(r.nextAttemptAt),
  sentAt: iso(r.sentAt),
})

/** A channel's delivery log, newest first; undefined when the channel is not visible. */
export async function listDeliveries(sql: Sql, channelId: number, communityIds: number[] | null, page: { limit: number; offset: number }): Promise<DeliveryView[] | undefined> {
  if (!(await channelRow(sql, channelId, communityIds))) return undefined
  const rows = await sql<DeliveryRow[]>`
    select ${DELIVERY_COLUMNS(sql)} from alert_deliveries d
    where d.channel_id = ${channelId}
    order by d.id desc limit ${page.limit} offset ${page.offset}`
  return rows.map(toDelivery)
}

/** One delivery of the log. */
export async function deliveryById(sql: Sql, id: number): Promise<DeliveryView | undefined> {
  const [row] = await sql<DeliveryRow[]>`select ${DELIVERY_COLUMNS(sql)} from alert_deliveries d where d.id = ${id}`
  return row && toDelivery(row)
}

// ---- The worker's statements -------------------------------------------------------------------

/** What the intake needs to know of an enabled channel. */
export interface ChannelMatch {
  id: number
  communityId: number
  zoneId: number | null
  events: AlertEvent[]
  createdAt: Date
}

/** The enabled channels. */
export async function enabledChannels(sql: Sql): Promise<ChannelMatch[]> {
  return sql<ChannelMatch[]>`
    select id, community_id as "communityId", zone_id as "zoneId", events, created_at as "createdAt"
    from alert_channels where enabled order by id`
}

/** A live event an alert may come from. */
export interface AlertSourceEvent {
  id: number
  type: string
  communityId: number | null
  data: unknown
  at: Date
}

/** Live event types the intake reads: matters (new critical ones) and escalations. */
export const ALERT_SOURCE_TYPES = ['hazard', 'matter', 'escalation']

/** Only the rows that can raise an alert: escalations, and matters that are critical and new (version 1). */
const sourceFilter = (sql: Sql) => sql`
  type = any(${ALERT_SOURCE_TYPES}::text[])
  and (type = 'escalation' or (data->'properties'->>'severity' = 'critical' and data->'properties'->>'version' = '1'))`

/** The newest live event id (0 when none). */
export async function maxLiveEventId(sql: Sql): Promise<number> {
  const [row] = await sql<{ id: number }[]>`select coalesce(max(id), 0)::bigint as id from live_events`
  return row?.id ?? 0
}

/** Alert-worthy live events with `after < id <= upto`, oldest first. */
export async function sourceEventsAfter(sql: Sql, after: number, upto: number, limit: number): Promise<AlertSourceEvent[]> {
  return sql<AlertSourceEvent[]>`
    select id, type, community_id as "communityId", data, at from live_events
    where id > ${after} and id <= ${upto} and ${sourceFilter(sql)}
    order by id limit ${limit}`
}

/**
 * Alert-worthy live events recorded in the last `lookbackMs` with ids up to `upto`: a transaction that took
 * its id before a later one but committed after it is still read (the caller skips those it has seen).
 */
export async function recentSourceEvents(sql: Sql, upto: number, lookbackMs: number, limit: number): Promise<AlertSourceEvent[]> {
  return sql<AlertSourceEvent[]>`
    select id, type, community_id as "communityId", data, at from live_events
    where at > now() - make_interval(secs => ${lookbackMs / 1000}) and id <= ${upto} and ${sourceFilter(sql)}
    order by id limit ${limit}`
}

const CURSOR_KEY = 'alerts.cursor'

/** The last live event id the intake has read (shared by every process), or undefined the first time. */
export async function readCursor(sql: Sql): Promise<number | undefined> {
  const [row] = await sql<{ id: number }[]>`select (value #>> '{}')::bigint as id from settings where key = ${CURSOR_KEY}`
  return row?.id
}

/** Move the shared cursor forward (never back). */
export async function saveCursor(sql: Sql, id: number): Promise<void> {
  await sql`
    insert into settings (key, value) values (${CURSOR_KEY}, to_jsonb(${id}::bigint))
    on conflict (key) do update set value = to_jsonb(greatest((settings.value #>> '{}')::bigint, ${id}::bigint))`
}

/** The facts alerts are built from, for these matters. */
export async function matterFacts(sql: Sql, ids: number[]): Promise<Map<number, MatterFacts>> {
  if (ids.length === 0) return new Map()
  const rows = await sql<{ props: Record<string, unknown>; communityName: string | null; zoneName: string | null; microGridName: string | null; buildingId: number | null; buildingName: string | null; compoundName: string | null }[]>`
    select ${hazardProps(sql)} as props, c.name as "communityName", z.name as "zoneName", mz.name as "microGridName",
           b.id::int as "buildingId", b.name as "buildingName", bc.name as "compoundName"
    from hazards h
    join communities c on c.id = h.community_id
    left join zones z on z.id = h.zone_id
    left join zones mz on mz.id = h.micro_zone_id
    left join buildings b on b.id = h.building_id
    left join compounds bc on bc.id = b.compound_id
    where h.id = any(${ids}::bigint[])`
  const out = new Map<number, MatterFacts>()
  for (const r of rows) {
    const p = r.props
    const text = (v: unknown) => (v === null || v === undefined ? null : String(v))
    const num = (v: unknown) => (typeof v === 'number' ? v : null)
    out.set(Number(p.id), {
      id: Number(p.id),
      communityId: Number(p.communityId),
      zoneId: num(p.zoneId),
      buildingId: num(p.buildingId),
      type: text(p.type),
      category: String(p.category),
      severity: String(p.severity),
      level: text(p.level),
      status: String(p.status),
      reportedAt: String(p.reportedAt),
      dueAt: String(p.dueAt),
      description: text(p.description),
      communityName: r.communityName,
      zoneName: r.zoneName,
      microGridId: num(p.microGridId),
      microGridName: r.microGridName,
      // The building by its compound and number ("光谷花园 3栋"), not its raw map name.
      buildingName: r.buildingId === null ? null : readableAddress({ name: r.buildingName, compoundName: r.compoundName }),
    })
  }
  return out
}

/** A matter that turned overdue while an overdue channel of its community (or grid, or micro-grid) existed, not yet queued there. */
export interface OverdueCandidate {
  channelId: number
  hazardId: number
}

/**
 * Open matters whose due time passed after the channel was created (so a new channel does not receive
 * the whole backlog) and that the channel has not been told about.
 */
export async function overdueCandidates(sql: Sql, limit: number): Promise<OverdueCandidate[]> {
  return sql<OverdueCandidate[]>`
    select ch.id as "channelId", h.id as "hazardId"
    from alert_channels ch
    join hazards h on h.community_id = ch.community_id
                  and (ch.zone_id is null or h.zone_id = ch.zone_id or h.micro_zone_id = ch.zone_id)
    where ch.enabled and 'overdue' = any(ch.events)
      and h.status <> all(${NOT_OPEN_STATUSES as string[]}::text[])
      and h.due_at <= now() and h.due_at > ch.created_at
      and not exists (select 1 from alert_deliveries d
                      where d.community_id = ch.community_id and d.channel_id = ch.id and d.event_key = 'overdue:' || h.id)
    order by h.due_at, h.id, ch.id
    limit ${limit}`
}

/** A delivery to queue. */
export interface NewDelivery {
  communityId: number
  channelId: number
  event: DeliveryEvent
  eventKey: string
  hazardId: number | null
  liveEventId: number | null
  payload: AlertPayload
  maxAttempts: number
}

/** Queue a delivery; undefined when this (channel, event) was queued before (by this or another process). */
export async function queueDelivery(sql: Sql, d: NewDelivery): Promise<number | undefined> {
  const [row] = await sql<{ id: number }[]>`
    insert into alert_deliveries (community_id, channel_id, event, event_key, hazard_id, live_event_id, payload, max_attempts)
    values (${d.communityId}, ${d.channelId}, ${d.event}, ${d.eventKey}, ${d.hazardId}, ${d.liveEventId}, ${sql.json(d.payload as never)}, ${d.maxAttempts})
    on conflict (community_id, channel_id, event_key) do nothing
    returning id`
  return row?.id
}

/** The admin's test, queued already claimed (one attempt, sent at once by the request). */
export async function queueTest(sql: Sql, d: Omit<NewDelivery, 'maxAttempts' | 'hazardId' | 'liveEventId'>, leaseMs: number): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    insert into alert_deliveries (community_id, channel_id, event, event_key, payload, max_attempts, status, attempts, last_attempt_at, lease_until)
    values (${d.communityId}, ${d.channelId}, ${d.event}, ${d.eventKey}, ${sql.json(d.payload as never)}, 1, 'sending', 1, now(),
            now() + make_interval(secs => ${leaseMs / 1000}))
    returning id`
  return row!.id
}

/** A delivery claimed for sending, with its channel. */
export interface ClaimedDelivery {
  id: number
  communityId: number
  channelId: number
  event: DeliveryEvent
  payload: AlertPayload
  attempts: number
  maxAttempts: number
  provider: AlertProvider
  url: string
  secret: string | null
  enabled: boolean
}

/**
 * Claim up to `limit` due deliveries (queued ones whose time has come, and ones whose sender's lease ran
 * out) with FOR UPDATE SKIP LOCKED, so two processes never take the same row; each gets a lease of
 * `leaseMs` and one more attempt counted. A channel that made `perMinute` attempts in the last minute
 * waits (the robots' rate limit).
 */
export async function claimDue(sql: Sql, limit: number, leaseMs: number, perMinute: number): Promise<ClaimedDelivery[]> {
  return sql<ClaimedDelivery[]>`
    update alert_deliveries d set
      status = 'sending', attempts = d.attempts + 1, last_attempt_at = now(),
      lease_until = now() + make_interval(secs => ${leaseMs / 1000})
    from (
      select q.id from alert_deliveries q
      where ((q.status = 'pending' and q.next_attempt_at <= now()) or (q.status = 'sending' and q.lease_until < now()))
        and (select count(*) from alert_deliveries r
             where r.channel_id = q.channel_id and r.last_attempt_at > now() - interval '1 minute') < ${perMinute}
      order by q.next_attempt_at, q.id
      limit ${limit}
      for update of q skip locked
    ) due, alert_channels ch
    where d.id = due.id and ch.id = d.channel_id
    returning d.id, d.community_id as "communityId", d.channel_id as "channelId", d.event, d.payload, d.attempts,
              d.max_attempts as "maxAttempts", ch.provider, ch.url, ch.secret, ch.enabled`
}

/** Attempts a channel made in the last minute (its rate limit). */
export async function attemptsLastMinute(sql: Sql, channelId: number): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from alert_deliveries where channel_id = ${channelId} and last_attempt_at > now() - interval '1 minute'`
  return row?.n ?? 0
}

/** The next time a queued delivery is due (to sleep until then), or undefined when none is queued. */
export async function nextDueAt(sql: Sql): Promise<Date | undefined> {
  const [row] = await sql<{ at: Date | null }[]>`
    select min(case when status = 'pending' then next_attempt_at else lease_until end) as at
    from alert_deliveries where status in ('pending', 'sending')`
  return row?.at ?? undefined
}

/** Record a delivered alert. */
export async function recordSent(sql: Sql, id: number, responseCode: number): Promise<void> {
  await sql`
    update alert_deliveries set status = 'sent', sent_at = now(), response_code = ${responseCode}, lease_until = null
    where id = ${id}`
}

/** Record a failed attempt: queued again after `retryInMs`, or given up when that is null. */
export async function recordFailure(sql: Sql, id: number, error: string, responseCode: number | null, retryInMs: number | null): Promise<void> {
  await sql`
    update alert_deliveries set
      status = ${retryInMs === null ? 'failed' : 'pending'},
      next_attempt_at = case when ${retryInMs === null} then next_attempt_at else now() + make_interval(secs => ${(retryInMs ?? 0) / 1000}) end,
      last_error = ${error.slice(0, 500)}, response_code = ${responseCode}, lease_until = null
    where id = ${id}`
}
