/**
 * The alert worker (告警推送): started with the server (server/start.ts), stopped on close. Nothing here
 * runs inside a request: the request that reports a critical matter commits its `live_events` row and
 * answers; the worker reads what was committed.
 *
 * Each round:
 * 1. intake — the alert-worthy live events after the shared cursor (new critical matters: a `hazard`
 *    event of a critical matter at version 1; `escalation` events), plus those of the last two minutes
 *    not yet seen (an id taken early but committed late), become deliveries of the matching enabled
 *    channels (community, zone, events; only events after the channel was created). The unique key
 *    (channel, event) makes this idempotent across rounds and processes.
 * 2. overdue — every `overdueScanMs`, open matters past their due time become one delivery per channel.
 *    Leads (治安线索) are never posted to a group (core/alerts.ts, ALERT_SILENT_TYPES).
 * 3. send — due deliveries are claimed (FOR UPDATE SKIP LOCKED, a lease), posted outside any transaction,
 *    and recorded: sent, retried after the backoff (server/alerts/config.ts), or given up.
 * It wakes on the live hub (a `hazard` or `escalation` published in this process or, on PostgreSQL,
 * announced by another through LISTEN/NOTIFY), on its poll timer, and when a retry falls due.
 */
import { randomUUID } from 'node:crypto'
import type { AlertEvent } from '../../core/alerts.ts'
import type { Sql } from '../db/connect.ts'
import type { LiveHub } from '../live/hub.ts'
import {
  claimDue,
  enabledChannels,
  matterFacts,
  maxLiveEventId,
  nextDueAt,
  overdueCandidates,
  queueDelivery,
  queueTest,
  readCursor,
  recentSourceEvents,
  recordFailure,
  recordSent,
  saveCursor,
  sourceEventsAfter,
  type AlertChannelRow,
  type AlertSourceEvent,
  type ClaimedDelivery,
  type ChannelMatch,
} from '../queries/alerts.ts'
import type { AlertSettings } from './config.ts'
import { postJson, SendFailure } from './http.ts'
import { isAnnounced, matterAlert, testAlert, type EscalationFacts } from './message.ts'
import { buildRequest, judgeAnswer } from './providers.ts'

/** How far back the intake re-reads live events for late commits. */
export const LOOKBACK_MS = 120_000

/** Most live events read per round. */
const INTAKE_BATCH = 200

/** An alert a live event raises, before it is matched to channels. */
export interface AlertTrigger {
  event: Extract<AlertEvent, 'critical' | 'escalation'>
  /** The per-channel dedup key: `critical:<hazardId>` or `escalation:<liveEventId>`. */
  key: string
  hazardId: number
  communityId: number
  zoneId: number | null
  /** The micro-grid the matter was reported in (issue #14), if any: its channels take the alert too. */
  microGridId: number | null
  liveEventId: number
  at: Date
  escalation?: EscalationFacts
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null)
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {})

/**
 * The alert a live event raises, or null. A `hazard` (or `matter`) event raises `critical` when its
 * Feature is critical and at version 1 (just created); an `escalation` event (data `{ hazardId,
 * communityId, from, to, reason, by, unitId, feature }`, issue #14) raises `escalation`.
 */
export function triggerOf(e: AlertSourceEvent): AlertTrigger | null {
  const data = obj(e.data)
  if (e.type === 'hazard' || e.type === 'matter') {
    const p = obj(data.properties)
    if (p.severity !== 'critical' || num(p.version) !== 1) return null
    const hazardId = num(p.id) ?? num(data.id)
    const communityId = num(p.communityId) ?? e.communityId
    if (hazardId === null || communityId === null) return null
    return { event: 'critical', key: `critical:${hazardId}`, hazardId, communityId, zoneId: num(p.zoneId), microGridId: num(p.microGridId), liveEventId: e.id, at: e.at }
  }
  if (e.type === 'escalation') {
    const feature = obj(data.feature)
    const p = obj(feature.properties)
    const hazardId = num(data.hazardId) ?? num(p.id) ?? num(feature.id)
    const communityId = num(data.communityId) ?? num(p.communityId) ?? e.communityId
    if (hazardId === null || communityId === null) return null
    return {
      event: 'escalation',
      key: `escalation:${e.id}`,
      hazardId,
      communityId,
      zoneId: num(p.zoneId),
      microGridId: num(p.microGridId),
      liveEventId: e.id,
      at: e.at,
      escalation: { from: str(data.from), to: str(data.to), reason: str(data.reason), unitId: num(data.unitId), unitName: str(p.unitName) },
    }
  }
  return null
}

/**
 * Whether a channel takes this alert: same community, its zone — the matter's grid or micro-grid — (or the whole
 * community), the event wanted, created before it.
 */
export function channelTakes(ch: ChannelMatch, t: { event: AlertEvent; communityId: number; zoneId: number | null; microGridId?: number | null | undefined; at: Date }): boolean {
  const inZone = ch.zoneId === null || ch.zoneId === t.zoneId || (t.microGridId != null && ch.zoneId === t.microGridId)
  return ch.communityId === t.communityId && inZone && ch.events.includes(t.event) && ch.createdAt.getTime() <= t.at.getTime()
}

/** The wait before attempt `attempts + 1`, or null when the delivery has had its attempts. */
export function retryDelay(settings: Pick<AlertSettings, 'retryDelaysMs'>, attempts: number, maxAttempts: number, retryAfterMs?: number, random = Math.random): number | null {
  if (attempts >= maxAttempts) return null
  const base = settings.retryDelaysMs[Math.min(attempts - 1, settings.retryDelaysMs.length - 1)] ?? 0
  const jittered = Math.round(base * (0.9 + 0.2 * random()))
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, 3_600_000))
}

/** The outcome of one attempt. */
export interface AttemptOutcome {
  ok: boolean
  responseCode: number | null
  error: string | null
}

/**
 * Send one claimed delivery and record the outcome (sent, queued again after the backoff, or failed).
 * Used by the worker and by the admin's "send a test".
 */
export async function attemptDelivery(sql: Sql, d: ClaimedDelivery, settings: AlertSettings, signal?: AbortSignal): Promise<AttemptOutcome> {
  if (!d.enabled && d.event !== 'test') {
    await recordFailure(sql, d.id, 'the channel is disabled', null, null)
    return { ok: false, responseCode: null, error: 'the channel is disabled' }
  }
  let responseCode: number | null = null
  let error: string
  let retryable: boolean
  let retryAfterMs: number | undefined
  try {
    const req = buildRequest(d, d.payload, { id: d.id, communityId: d.communityId })
    const answer = await postJson(req.url, req.body, req.headers, { timeoutMs: settings.timeoutMs, allowPrivate: settings.allowPrivateAddresses, signal })
    responseCode = answer.status
    retryAfterMs = answer.retryAfterMs
    const verdict = judgeAnswer(d.provider, answer.status, answer.body)
    if (verdict.ok) {
      await recordSent(sql, d.id, answer.status)
      return { ok: true, responseCode, error: null }
    }
    error = verdict.error
    retryable = verdict.retryable
  } catch (caught) {
    error = caught instanceof SendFailure ? caught.message : `could not send: ${caught instanceof Error ? caught.message : String(caught)}`
    retryable = !/^URL refused/.test(error)
  }
  const wait = retryable ? retryDelay(settings, d.attempts, d.maxAttempts, retryAfterMs) : null
  await recordFailure(sql, d.id, error, responseCode, wait)
  return { ok: false, responseCode, error }
}

/** The background worker of one server process. */
export class AlertWorker {
  private readonly sql: Sql
  private readonly settings: AlertSettings
  private readonly hub: LiveHub | undefined
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private again = false
  private stopped = true
  private cursor: number | undefined
  private savedCursor: number | undefined
  private lastCursorSave = 0
  private lastOverdueScan = 0
  private readonly seen = new Set<number>()
  private readonly seenOrder: number[] = []
  private readonly inFlight = new Set<Promise<void>>()
  private readonly abort = new AbortController()
  private unsubscribe: (() => void) | undefined
  private roundWaiters: { at: number; resolve: () => void }[] = []
  /** Rounds completed so far. */
  rounds = 0

  constructor(options: { sql: Sql; settings: AlertSettings; hub?: LiveHub }) {
    this.sql = options.sql
    this.settings = options.settings
    this.hub = options.hub
  }

  /** Start the rounds (and listen to the hub). */
  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.unsubscribe = this.hub?.subscribe(
      null,
      (event) => {
        if (event.type === 'hazard' || (event.type as string) === 'escalation' || (event.type as string) === 'matter') this.kick()
      },
      () => {},
    )
    this.kick()
  }

  /** Run a round soon (a new event, or a test that does not want to wait for the poll). */
  kick(): void {
    if (this.stopped) return
    this.schedule(0)
  }

  private schedule(ms: number): void {
    if (this.stopped) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.round()
    }, ms)
    this.timer.unref()
  }

  private round(): void {
    if (this.running) {
      this.again = true
      return
    }
    this.running = this.work()
      .catch((error: unknown) => {
        if (!this.stopped) console.error('[alerts] a round failed', error)
      })
      .then(async () => {
        this.running = undefined
        this.rounds++
        for (const w of this.roundWaiters.filter((x) => x.at <= this.rounds)) w.resolve()
        this.roundWaiters = this.roundWaiters.filter((x) => x.at > this.rounds)
        if (this.stopped) return
        if (this.again) {
          this.again = false
          this.schedule(0)
          return
        }
        let wait = this.settings.pollMs
        const due = await nextDueAt(this.sql).catch(() => undefined)
        if (due) wait = Math.min(wait, Math.max(0, due.getTime() - Date.now()) + 5)
        this.schedule(wait)
      })
  }

  private async work(): Promise<void> {
    await this.intake()
    if (Date.now() - this.lastOverdueScan >= this.settings.overdueScanMs) {
      this.lastOverdueScan = Date.now()
      await this.overdue()
    }
    await this.send()
  }

  private remember(id: number): void {
    if (this.seen.has(id)) return
    this.seen.add(id)
    this.seenOrder.push(id)
    if (this.seenOrder.length > 5000) this.seen.delete(this.seenOrder.shift()!)
  }

  private async intake(): Promise<void> {
    const upto = await maxLiveEventId(this.sql)
    if (this.cursor === undefined) {
      this.cursor = (await readCursor(this.sql)) ?? upto
      this.savedCursor = this.cursor
    }
    const channels = await enabledChannels(this.sql)
    let events: AlertSourceEvent[] = []
    if (channels.length > 0) {
      const fresh = await sourceEventsAfter(this.sql, this.cursor, upto, INTAKE_BATCH)
      const late = (await recentSourceEvents(this.sql, this.cursor, LOOKBACK_MS, INTAKE_BATCH)).filter((e) => !this.seen.has(e.id))
      events = [...late, ...fresh]
      this.cursor = fresh.length === INTAKE_BATCH ? fresh[fresh.length - 1]!.id : upto
    } else {
      this.cursor = upto
    }
    const work: { trigger: AlertTrigger; channels: ChannelMatch[] }[] = []
    for (const e of events) {
      this.remember(e.id)
      const trigger = triggerOf(e)
      if (!trigger) continue
      const takers = channels.filter((ch) => channelTakes(ch, trigger))
      if (takers.length) work.push({ trigger, channels: takers })
    }
    if (work.length) {
      const facts = await matterFacts(this.sql, [...new Set(work.map((w) => w.trigger.hazardId))])
      for (const { trigger, channels: takers } of work) {
        const f = facts.get(trigger.hazardId)
        if (!f || !isAnnounced(f)) continue
        const payload = matterAlert(trigger.event, f, this.settings.publicUrl, trigger.escalation)
        for (const ch of takers) {
          await queueDelivery(this.sql, {
            communityId: ch.communityId,
            channelId: ch.id,
            event: trigger.event,
            eventKey: trigger.key,
            hazardId: trigger.hazardId,
            liveEventId: trigger.liveEventId,
            payload,
            maxAttempts: this.settings.retryDelaysMs.length + 1,
          })
        }
      }
    }
    // The shared cursor is written now and then, not every round (and on stop).
    if (this.cursor !== this.savedCursor && (work.length > 0 || Date.now() - this.lastCursorSave > 10_000)) await this.saveCursor()
  }

  private async saveCursor(): Promise<void> {
    if (this.cursor === undefined || this.cursor === this.savedCursor) return
    await saveCursor(this.sql, this.cursor)
    this.savedCursor = this.cursor
    this.lastCursorSave = Date.now()
  }

  private async overdue(): Promise<void> {
    const candidates = await overdueCandidates(this.sql, INTAKE_BATCH)
    if (candidates.length === 0) return
    const facts = await matterFacts(this.sql, [...new Set(candidates.map((c) => c.hazardId))])
    const channels = new Map((await enabledChannels(this.sql)).map((ch) => [ch.id, ch]))
    for (const c of candidates) {
      const f = facts.get(c.hazardId)
      const ch = channels.get(c.channelId)
      if (!f || !ch || !isAnnounced(f)) continue
      await queueDelivery(this.sql, {
        communityId: ch.communityId,
        channelId: ch.id,
        event: 'overdue',
        eventKey: `overdue:${c.hazardId}`,
        hazardId: c.hazardId,
        liveEventId: null,
        payload: matterAlert('overdue', f, this.settings.publicUrl),
        maxAttempts: this.settings.retryDelaysMs.length + 1,
      })
    }
  }

  /** Claim what is due (up to the free sending slots) and send it without waiting for slow receivers. */
  private async send(): Promise<void> {
    const free = this.settings.concurrency - this.inFlight.size
    if (free <= 0) return
    const claimed = await claimDue(this.sql, free, this.settings.timeoutMs + 30_000, this.settings.perChannelPerMinute)
    for (const d of claimed) {
      const p: Promise<void> = attemptDelivery(this.sql, d, this.settings, this.abort.signal)
        .then(() => undefined)
        .catch((error: unknown) => {
          if (!this.stopped) console.error('[alerts] recording a delivery failed', error)
        })
        .finally(() => {
          this.inFlight.delete(p)
          // A slot is free again: more may be due.
          if (claimed.length === free) this.kick()
        })
      this.inFlight.add(p)
    }
  }

  /** Resolves when `n` more rounds have completed (started now, so they saw everything committed before the call). */
  afterRounds(n = 1): Promise<void> {
    // The round running now may have read the database before the caller's last write: it does not count.
    const at = this.rounds + n + (this.running ? 1 : 0)
    const done = new Promise<void>((resolve) => this.roundWaiters.push({ at, resolve }))
    this.kick()
    return done
  }

  /** Stop: no more rounds; sends in flight are cut short and recorded (to be retried); the cursor is saved. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.unsubscribe?.()
    if (this.timer) clearTimeout(this.timer)
    this.abort.abort()
    await this.running
    await Promise.allSettled([...this.inFlight])
    await this.saveCursor().catch(() => {})
  }
}

/**
 * The admin's "send a test": a test message queued as a delivery of the channel (so it shows in the log)
 * and sent at once, one attempt, no retry. Returns the delivery's id and how the attempt went.
 */
export async function sendTestAlert(
  sql: Sql,
  channel: AlertChannelRow,
  communityName: string | null,
  settings: AlertSettings,
): Promise<{ deliveryId: number } & AttemptOutcome> {
  const payload = testAlert(channel.name, communityName, new Date(), settings.publicUrl)
  const id = await queueTest(sql, { communityId: channel.communityId, channelId: channel.id, event: 'test', eventKey: `test:${randomUUID()}`, payload }, settings.timeoutMs + 30_000)
  const outcome = await attemptDelivery(
    sql,
    { id, communityId: channel.communityId, channelId: channel.id, event: 'test', payload, attempts: 1, maxAttempts: 1, provider: channel.provider, url: channel.url, secret: channel.secret, enabled: channel.enabled },
    settings,
  )
  return { deliveryId: id, ...outcome }
}
