/**
 * Sends what the outbox ({@link ./queue.ts}) holds, in dependency order: track points (they also
 * register the device), hazards, their photos (once the hazard exists), check-ins.
 *
 * Exactly once, even when an answer is lost:
 * - points are identified by (deviceId, t) and hazards and check-ins by `clientId` at the server,
 *   so sending them again only answers the first copy;
 * - photos carry a client photo id (`Idempotency-Key` header and form field `clientId`): the server
 *   answers a repeated upload with the first photo, so a lost answer is simply sent again.
 *
 * Failures: no answer (offline, timeout) ends the run and retries later; 408, 429 and 5xx retry
 * with backoff; 401 ends the run and leaves everything queued (the app asks to sign in again);
 * a 403 for a stale CSRF token refreshes the session once; any other 4xx is a permanent failure,
 * kept with its reason for the user to see, retry or discard.
 */
import { ApiError, apiRequest, toApiError } from '../api/client.ts'
import type { Checkin } from '../api/patrol.ts'
import type { HazardFeature, PhotoUploadResponse } from '../api/types.ts'
import { deviceRegistered, setDeviceRegistered } from './device.ts'
import * as queue from './queue.ts'
import type { ArrivalItem, EscalationItem, CareVisitItem, CheckinItem, CommentItem, DutyItem, HazardItem, PhotoItem, PointItem, QueueError, QueueItem, RectifyItem } from './queue.ts'

/** Most track points per request (the server takes up to 5,000). */
export const POINTS_PER_BATCH = 500
/** First retry delay after a transient failure; doubles per attempt up to {@link MAX_BACKOFF_MS}. */
export const BASE_BACKOFF_MS = 5_000
/** Longest wait between retries of one item. */
export const MAX_BACKOFF_MS = 5 * 60_000

/** How a failed request is handled. */
export type FailureClass = 'offline' | 'unauthorized' | 'csrf' | 'transient' | 'permanent'

/** Classifies a failed request (see the module comment). */
export function classify(err: ApiError): FailureClass {
  if (err.kind === 'network' || err.kind === 'timeout' || err.status === 0) return 'offline'
  if (err.status === 401) return 'unauthorized'
  if (err.status === 403 && /csrf/i.test(`${err.title} ${err.detail ?? ''}`)) return 'csrf'
  if (err.kind === 'parse' || err.status === 408 || err.status === 429 || err.status >= 500) return 'transient'
  if (err.status >= 400) return 'permanent'
  return 'transient'
}

/** The delay before retry number `attempts + 1`, with ±20 % jitter. */
export function backoffMs(attempts: number, random = Math.random()): number {
  const base = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempts))
  return Math.round(base * (0.8 + 0.4 * random))
}

function queueError(err: ApiError, now: number): QueueError {
  const detail = err.errors.length > 0 ? err.errors.map((e) => `${e.path}: ${e.message}`).join('; ') : err.detail
  return { status: err.status, title: err.title, detail: detail ?? null, at: new Date(now).toISOString() }
}

/** What a sync run needs from the app. */
export interface SyncContext {
  /** The signed-in user: only their items are sent. */
  userId: string
  /** This phone's device id. */
  deviceId: string
  /**
   * Makes sure the session's CSRF token is known (a session restored offline has none);
   * `force` asks the server again. Throws an {@link ApiError} (401 when the session is over).
   */
  ensureSession: (force: boolean) => Promise<void>
  /** A hazard was created (or found again by its clientId), or an arrival at one was recorded. */
  onHazardSent?: (feature: HazardFeature, item: HazardItem | ArrivalItem | EscalationItem | RectifyItem | CommentItem) => void
  /** A check-in was recorded (or found again). */
  onCheckinSent?: (checkin: Checkin, item: CheckinItem) => void
  /** A care visit was recorded (issue 17). */
  onCareVisitSent?: (visitId: number) => void
  /** Something in the queue changed (to refresh counts). */
  onChange?: () => void
  now?: () => number
}

/** How a run ended. */
export type SyncOutcome = 'done' | 'offline' | 'unauthorized' | 'busy'

/** The result of {@link runSync}. */
export interface SyncResult {
  outcome: SyncOutcome
  sent: number
  failed: number
  /** The earliest `nextAttemptAt` of what is still pending and not yet due, if any. */
  nextDueAt: number | null
}

/** Thrown inside a run to end it. */
class Stop extends Error {
  constructor(readonly outcome: Exclude<SyncOutcome, 'done' | 'busy'>) {
    super(outcome)
  }
}

/** Sends the queued items of `ctx.userId` once (one run), counting into `tally`. */
async function run(ctx: SyncContext, tally: { sent: number; failed: number }): Promise<SyncResult> {
  const now = ctx.now ?? Date.now
  let sessionChecked = false
  const changed = (): void => ctx.onChange?.()

  const session = async (force = false): Promise<void> => {
    if (sessionChecked && !force) return
    try {
      await ctx.ensureSession(force)
      sessionChecked = true
    } catch (err) {
      const e = toApiError(err)
      throw new Stop(classify(e) === 'unauthorized' ? 'unauthorized' : 'offline')
    }
  }

  /**
   * One request with the failure rules applied: returns the answer, or null after recording a
   * permanent or transient failure on `ids` (a transient one ends the run when nothing answered).
   */
  async function attempt<T>(ids: readonly string[], send: () => Promise<T>, item: { attempts: number }): Promise<T | null> {
    await session()
    for (let round = 0; ; round++) {
      try {
        return await send()
      } catch (err) {
        const e = toApiError(err)
        const kind = classify(e)
        if (kind === 'csrf' && round === 0) {
          await session(true)
          continue
        }
        if (kind === 'unauthorized') throw new Stop('unauthorized')
        const t = now()
        const permanent = kind === 'permanent' || kind === 'csrf'
        const outcomeUnknown = kind === 'offline' || e.kind === 'parse'
        for (const id of ids) await queue.markFailed(id, queueError(e, t), { permanent, retryAt: t + backoffMs(item.attempts), outcomeUnknown })
        changed()
        if (permanent) tally.failed += ids.length
        if (kind === 'offline') throw new Stop('offline')
        return null
      }
    }
  }

  const due = (i: QueueItem): boolean => i.nextAttemptAt <= now()

  // 1. Track points, per device, oldest first.
  const points = (await queue.list({ kind: 'point', status: 'pending', userId: ctx.userId })).filter(due) as PointItem[]
  const byDevice = new Map<string, PointItem[]>()
  for (const p of points) byDevice.set(p.deviceId, [...(byDevice.get(p.deviceId) ?? []), p])
  for (const [deviceId, items] of byDevice) {
    for (let i = 0; i < items.length; i += POINTS_PER_BATCH) {
      const batch = items.slice(i, i + POINTS_PER_BATCH)
      const answer = await attempt(
        batch.map((b) => b.id),
        () =>
          apiRequest<{ accepted: number; duplicates: number; rejected: { index: number; reason: string }[] }>('/api/tracks/points', {
            method: 'POST',
            body: { deviceId, points: batch.map((b) => b.point) },
            timeoutMs: 30_000,
          }),
        batch[0]!,
      )
      if (!answer) continue
      if (deviceId === ctx.deviceId) setDeviceRegistered()
      const refused = new Map(answer.rejected.map((r) => [r.index, r.reason]))
      const t = now()
      for (const [index, reason] of refused) {
        const item = batch[index]
        if (item) await queue.markFailed(item.id, { status: 422, title: reason, detail: null, at: new Date(t).toISOString() }, { permanent: true })
      }
      await queue.remove(batch.filter((_, index) => !refused.has(index)).map((b) => b.id))
      tally.sent += batch.length - refused.size
      tally.failed += refused.size
      changed()
    }
  }

  // 1b. Duty starts and stops, in the order recorded (a stop waits for its start).
  const duties = ((await queue.list({ kind: 'duty', status: 'pending', userId: ctx.userId })) as DutyItem[]).sort((a, b) => a.createdAt - b.createdAt)
  for (const item of duties) {
    if (!due(item)) break
    const answer = await attempt([item.id], () => apiRequest<{ id: number }>('/api/duty', { method: 'POST', body: item.payload }), item)
    if (!answer) {
      // A later stop must not overtake a start still waiting.
      if ((await queue.get(item.id))?.status === 'pending') break
      continue
    }
    if (item.payload.deviceId === ctx.deviceId) setDeviceRegistered()
    await queue.markSent(item.id, { sessionId: answer.id } as Partial<DutyItem>)
    tally.sent++
    changed()
  }

  // 2. Hazards.
  const hazards = (await queue.list({ kind: 'hazard', status: 'pending', userId: ctx.userId })).filter(due) as HazardItem[]
  for (const item of hazards) {
    // A hazard goes to /api/hazards; a matter of another kind (it carries `type`) to /api/matters — both idempotent per clientId.
    const path = item.payload.type ? '/api/matters' : '/api/hazards'
    const feature = await attempt([item.id], () => apiRequest<HazardFeature>(path, { method: 'POST', body: item.payload }), item)
    if (!feature) continue
    const done = (await queue.markSent(item.id, { hazardId: feature.id })) as HazardItem | undefined
    const photos = (await queue.list({ kind: 'photo', userId: ctx.userId })).filter((p) => (p as PhotoItem).hazardClientId === item.id)
    await queue.update(
      photos.map((p) => p.id),
      (p) => ({ ...p, hazardId: feature.id }) as QueueItem,
    )
    tally.sent++
    changed()
    ctx.onHazardSent?.(feature, done ?? item)
  }

  // 2b. Arrivals on site at tasks (issue 15), in the order recorded.
  const arrivals = ((await queue.list({ kind: 'arrival', status: 'pending', userId: ctx.userId })).filter(due) as ArrivalItem[]).sort((a, b) => a.createdAt - b.createdAt)
  for (const item of arrivals) {
    const path = `/api/hazards/${encodeURIComponent(String(item.hazardId))}/arrive`
    const feature = await attempt([item.id], () => apiRequest<HazardFeature>(path, { method: 'POST', body: item.payload }), item)
    if (!feature) continue
    const p = feature.properties
    await queue.markSent(item.id, { arrivedAt: p.arrivedAt ?? null, distanceM: p.arrivalDistanceM ?? null } as Partial<ArrivalItem>)
    tally.sent++
    changed()
    ctx.onHazardSent?.(feature, item)
  }

  // 2c. Escalations of tasks by their assignee (issue 14), in the order recorded.
  const escalations = ((await queue.list({ kind: 'escalation', status: 'pending', userId: ctx.userId })).filter(due) as EscalationItem[]).sort((a, b) => a.createdAt - b.createdAt)
  for (const item of escalations) {
    const path = `/api/hazards/${encodeURIComponent(String(item.hazardId))}/escalate`
    const feature = await attempt([item.id], () => apiRequest<HazardFeature>(path, { method: 'POST', body: item.payload }), item)
    if (!feature) continue
    await queue.markSent(item.id, { escalatedTo: feature.properties.level ?? null } as Partial<EscalationItem>)
    tally.sent++
    changed()
    ctx.onHazardSent?.(feature, item)
  }

  // 2d. 整改完成 of tasks (issue 15), in the order recorded; their after photos follow in 3.
  const rectifies = ((await queue.list({ kind: 'rectify', status: 'pending', userId: ctx.userId })).filter(due) as RectifyItem[]).sort((a, b) => a.createdAt - b.createdAt)
  for (const item of rectifies) {
    const path = `/api/hazards/${encodeURIComponent(String(item.hazardId))}/rectify`
    const feature = await attempt([item.id], () => apiRequest<HazardFeature>(path, { method: 'POST', body: item.payload }), item)
    if (!feature) continue
    await queue.markSent(item.id, { resultStatus: feature.properties.status } as Partial<RectifyItem>)
    tally.sent++
    changed()
    ctx.onHazardSent?.(feature, item)
  }

  // 2e. Comments on tasks (issue 15), in the order written.
  const comments = ((await queue.list({ kind: 'comment', status: 'pending', userId: ctx.userId })).filter(due) as CommentItem[]).sort((a, b) => a.createdAt - b.createdAt)
  for (const item of comments) {
    const path = `/api/hazards/${encodeURIComponent(String(item.hazardId))}/comments`
    const feature = await attempt([item.id], () => apiRequest<HazardFeature>(path, { method: 'POST', body: item.payload }), item)
    if (!feature) continue
    await queue.markSent(item.id)
    tally.sent++
    changed()
    ctx.onHazardSent?.(feature, item)
  }

  // 3. Photos of hazards that exist.
  const photos = (await queue.list({ kind: 'photo', status: 'pending', userId: ctx.userId })).filter(due) as PhotoItem[]
  for (const photo of photos) {
    // 整改完成's after photo goes once the completion is recorded; refused, the photo waits with it (retried together).
    const owner = photo.hazardId !== null ? await queue.get(photo.hazardClientId) : undefined
    if (owner?.kind === 'rectify' && owner.status === 'pending') continue
    if (owner?.kind === 'rectify' && owner.status === 'failed') {
      const t = new Date(now()).toISOString()
      await queue.markFailed(photo.id, { status: owner.lastError?.status ?? 0, title: 'The completion of this photo was refused.', detail: null, at: t }, { permanent: true })
      tally.failed++
      changed()
      continue
    }
    let hazardId = photo.hazardId
    if (hazardId === null) {
      const parent = (await queue.get(photo.hazardClientId)) as HazardItem | undefined
      if (parent?.status === 'sent' && parent.hazardId !== null) hazardId = parent.hazardId
      else if (parent) continue // the hazard is not there yet
      else {
        const t = new Date(now()).toISOString()
        await queue.markFailed(photo.id, { status: 0, title: 'The hazard of this photo is no longer queued.', detail: null, at: t }, { permanent: true })
        tally.failed++
        changed()
        continue
      }
    }
    if (!photo.blob) {
      await queue.markSent(photo.id)
      continue
    }
    const path = `/api/hazards/${encodeURIComponent(String(hazardId))}`
    await queue.markSending([photo.id], now())
    const blob = photo.blob
    const answer = await attempt(
      [photo.id],
      () => {
        const form = new FormData()
        form.append('clientId', photo.id)
        if (photo.role) form.append('role', photo.role)
        form.append('photo', blob, photo.filename)
        return apiRequest<PhotoUploadResponse>(`${path}/photos`, {
          method: 'POST',
          body: form,
          headers: { 'Idempotency-Key': photo.id },
          timeoutMs: 120_000,
        })
      },
      photo,
    )
    if (!answer) continue
    await queue.markSent(photo.id, { hazardId, photoId: answer.id } as Partial<PhotoItem>)
    tally.sent++
    changed()
  }

  // 4. Check-ins (with the device once the server knows it: it refuses unknown devices).
  const checkins = (await queue.list({ kind: 'checkin', status: 'pending', userId: ctx.userId })).filter(due) as CheckinItem[]
  for (const item of checkins) {
    const post = (withDevice: boolean): Promise<Checkin> =>
      apiRequest<Checkin>('/api/checkins', {
        method: 'POST',
        body: { ...item.payload, ...(withDevice ? { deviceId: ctx.deviceId } : {}) },
      })
    const withDevice = deviceRegistered()
    const answer = await attempt(
      [item.id],
      async () => {
        try {
          return await post(withDevice)
        } catch (err) {
          // The device is unknown to the server after all: the check-in counts without it.
          if (withDevice && err instanceof ApiError && err.status === 422 && err.errors.some((e) => e.path === 'deviceId')) return post(false)
          throw err
        }
      },
      item,
    )
    if (!answer) continue
    const done = (await queue.markSent(item.id, { checkinId: answer.id, placeName: answer.keyPlaceName } as Partial<CheckinItem>)) as CheckinItem | undefined
    tally.sent++
    changed()
    ctx.onCheckinSent?.(answer, done ?? item)
  }

  // 5. Care visits at a household's door (issue 17).
  const visits = (await queue.list({ kind: 'care_visit', status: 'pending', userId: ctx.userId })).filter(due) as CareVisitItem[]
  for (const item of visits) {
    const answer = await attempt([item.id], () => apiRequest<{ id: number }>('/api/care/visits', { method: 'POST', body: item.payload }), item)
    if (!answer) continue
    await queue.markSent(item.id, { visitId: answer.id } as Partial<CareVisitItem>)
    tally.sent++
    changed()
    ctx.onCareVisitSent?.(answer.id)
  }

  const left = await queue.list({ status: 'pending', userId: ctx.userId })
  const later = left.map((i) => i.nextAttemptAt).filter((t) => t > now())
  return { outcome: 'done', ...tally, nextDueAt: later.length > 0 ? Math.min(...later) : left.length > 0 ? now() : null }
}

/**
 * One sync run of the user's queue, at most one at a time across the phone's tabs (Web Locks;
 * another tab syncing answers `busy`).
 */
export async function runSync(ctx: SyncContext): Promise<SyncResult> {
  const guarded = async (): Promise<SyncResult> => {
    const tally = { sent: 0, failed: 0 }
    try {
      await queue.prune()
      return await run(ctx, tally)
    } catch (err) {
      if (err instanceof Stop) {
        const left = await queue.list({ status: 'pending', userId: ctx.userId })
        const later = left.map((i) => i.nextAttemptAt)
        return { outcome: err.outcome, ...tally, nextDueAt: later.length > 0 ? Math.min(...later) : null }
      }
      throw err
    }
  }
  const locks = globalThis.navigator?.locks
  if (!locks) return guarded()
  return locks.request('safegrid-sync', { ifAvailable: true }, async (lock) => {
    if (!lock) return { outcome: 'busy', sent: 0, failed: 0, nextDueAt: null } satisfies SyncResult
    return guarded()
  })
}
