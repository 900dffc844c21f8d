/**
 * Offline queue store: what the phone holds that the server has not confirmed yet, and the loop
 * that sends it.
 *
 * Every patrol action goes into the IndexedDB outbox first ({@link ../offline/queue.ts}) and is
 * sent by {@link ../offline/sync.ts}: at once when online, on the `online` event, when the app
 * starts or comes back to the foreground, after a sign-in, and on a timer with backoff while
 * anything waits. Track points are sent in batches (a few seconds after they pile up).
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { HazardFeature, NewHazardRequest } from '../api/types.ts'
import { deviceId } from '../offline/device.ts'
import { newClientId } from '../offline/ids.ts'
import * as queue from '../offline/queue.ts'
import type { ArrivalItem, EscalationItem, CareVisitItem, CheckinItem, CommentItem, DutyItem, HazardItem, PhotoItem, PointItem, QueueCounts, QueueItem, RectifyItem } from '../offline/queue.ts'
import { runSync, type SyncOutcome, type SyncResult } from '../offline/sync.ts'
import { useHazardsStore } from './hazards.ts'
import { useSessionStore } from './session.ts'

/** Track points wait this long to travel together (one request instead of one per fix). */
export const POINT_FLUSH_MS = 10_000
/** While anything waits, the queue is tried at least this often. */
export const RETRY_EVERY_MS = 60_000
/** Longest wait after an "offline" run before trying again (without an `online` event). */
const MAX_OFFLINE_WAIT_MS = 2 * 60_000

const KINDS = queue.QUEUE_KINDS
const emptyCounts = queue.emptyCounts

/** A photo to send with a report. */
export interface QueuedPhoto {
  /** The client photo id (made when the photo was taken: the same photo is never queued twice). */
  id: string
  blob: Blob
  filename: string
  /** What it shows (现场处置's before and after photos, 整改完成's after photo; issue 15). */
  role?: 'before' | 'after'
}

/** The offline queue store (`useOfflineQueueStore()`). */
export const useOfflineQueueStore = defineStore('offline-queue', () => {
  const session = useSessionStore()
  const hazards = useHazardsStore()

  const counts = shallowRef<QueueCounts>(emptyCounts())
  /** Hazards, photos and check-ins of the signed-in user (waiting, failed, and the recent ledger). */
  const items = shallowRef<QueueItem[]>([])
  /** Failed track points (few; each carries the server's reason). */
  const failedPoints = shallowRef<PointItem[]>([])
  const online = ref(globalThis.navigator?.onLine ?? true)
  const syncing = ref(false)
  const lastSyncAt = ref<number | null>(null)
  const lastOutcome = ref<SyncOutcome | null>(null)
  /** IndexedDB could not be opened (private mode on some browsers): nothing can be kept. */
  const unavailable = ref(false)

  const userId = computed(() => (session.user ? String(session.user.id) : null))
  const pendingCount = computed(() => KINDS.reduce((n, k) => n + counts.value.pending[k], 0))
  const failedCount = computed(() => KINDS.reduce((n, k) => n + counts.value.failed[k], 0))
  const failedItems = computed(() => [...items.value.filter((i) => i.status === 'failed'), ...failedPoints.value])
  const waitingItems = computed(() => items.value.filter((i) => i.status === 'pending'))

  let running: Promise<SyncResult | null> | null = null
  let again = false
  let timer: ReturnType<typeof setTimeout> | null = null
  let pointTimer: ReturnType<typeof setTimeout> | null = null
  let offlineRuns = 0
  let started = false

  /** Reads the counts and the user's items again. */
  async function refresh(): Promise<void> {
    try {
      const [c, lists, points] = await Promise.all([
        queue.counts(),
        Promise.all(KINDS.filter((k) => k !== 'point').map((kind) => queue.list({ kind }))),
        queue.list({ kind: 'point', status: 'failed' }),
      ])
      const me = userId.value
      counts.value = c
      items.value = lists.flat().filter((i) => i.userId === me).sort((a, b) => b.createdAt - a.createdAt)
      failedPoints.value = (points as PointItem[]).filter((i) => i.userId === me)
      unavailable.value = false
    } catch {
      unavailable.value = true
    }
  }

  /** The queued item with this id (a report's or a check-in's clientId), if known. */
  function itemById(id: string): QueueItem | undefined {
    return items.value.find((i) => i.id === id)
  }

  function schedule(delayMs: number): void {
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      void sync()
    }, Math.max(500, delayMs))
  }

  async function syncOnce(): Promise<SyncResult | null> {
    const me = userId.value
    if (!me || !session.signedIn) return null
    if (globalThis.navigator?.onLine === false) {
      lastOutcome.value = 'offline'
      return null
    }
    syncing.value = true
    try {
      const result = await runSync({
        userId: me,
        deviceId: deviceId(),
        ensureSession: (force) => session.revalidate(force),
        onHazardSent: (feature: HazardFeature) => hazards.upsert(feature),
        onChange: () => void refresh(),
      })
      lastOutcome.value = result.outcome
      lastSyncAt.value = Date.now()
      return result
    } catch {
      unavailable.value = true
      return null
    } finally {
      syncing.value = false
      await refresh()
    }
  }

  /**
   * Sends what waits now (one run at a time; a call during a run asks for another run after it).
   * Resolves with the result of the run that covered this call.
   */
  function sync(): Promise<SyncResult | null> {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      let result: SyncResult | null
      do {
        again = false
        result = await syncOnce()
      } while (again)
      return result
    })().finally(() => {
      running = null
    })
    void running.then(plan)
    return running
  }

  /** Plans the next run from how the last one ended. */
  function plan(result: SyncResult | null): void {
    if (!result) {
      if (pendingCount.value > 0 && online.value) schedule(RETRY_EVERY_MS)
      return
    }
    if (result.outcome === 'offline') {
      offlineRuns++
      schedule(Math.min(MAX_OFFLINE_WAIT_MS, 5_000 * 2 ** Math.min(offlineRuns, 5)))
      return
    }
    offlineRuns = 0
    if (result.outcome === 'unauthorized') return // resumes after the next sign-in
    if (result.outcome === 'busy') schedule(5_000)
    else if (result.nextDueAt !== null) schedule(Math.min(RETRY_EVERY_MS, result.nextDueAt - Date.now()))
  }

  /**
   * Queues a hazard report and its photos (a report's one photo, or 现场处置's before and after photos with their
   * role; idempotent: the same clientId — a resubmitted draft — answers the item already queued or sent). Sending
   * starts at once.
   *
   * @returns the report as the queue now holds it.
   */
  async function enqueueReport(payload: NewHazardRequest & { clientId: string }, photos: QueuedPhoto | readonly QueuedPhoto[] | null): Promise<HazardItem> {
    const me = userId.value
    if (!me) throw new Error('Not signed in.')
    const now = Date.now()
    const stored = (await queue.put({ ...queue.freshItemFields(now), id: payload.clientId, kind: 'hazard', userId: me, payload, hazardId: null })) as HazardItem
    const list = photos === null ? [] : 'blob' in photos ? [photos as QueuedPhoto] : (photos as readonly QueuedPhoto[])
    for (const [index, photo] of list.entries()) {
      if (stored.status === 'sent') break
      const item: PhotoItem = {
        ...queue.freshItemFields(now + 1 + index),
        id: photo.id,
        kind: 'photo',
        userId: me,
        hazardClientId: payload.clientId,
        hazardId: null,
        blob: photo.blob,
        filename: photo.filename,
        photoId: null,
        ...(photo.role ? { role: photo.role } : {}),
      }
      await queue.put(item)
    }
    await refresh()
    return stored
  }

  /**
   * Queues 整改完成 of a task (issue 15) with an optional note and its after photo, sent exactly once (their
   * clientIds); sending starts at once. The newest rectify item of the matter tells the task list where it stands.
   */
  async function enqueueRectify(hazardId: number | string, label: string, note: string, photo: QueuedPhoto | null): Promise<RectifyItem> {
    const me = userId.value
    if (!me) throw new Error('Not signed in.')
    const clientId = newClientId()
    const now = Date.now()
    const item: RectifyItem = {
      ...queue.freshItemFields(now),
      id: clientId,
      kind: 'rectify',
      userId: me,
      hazardId,
      label,
      payload: { clientId, ...(note ? { note } : {}) },
      resultStatus: null,
    }
    const stored = (await queue.put(item)) as RectifyItem
    if (photo) {
      await queue.put({
        ...queue.freshItemFields(now + 1),
        id: photo.id,
        kind: 'photo',
        userId: me,
        hazardClientId: clientId,
        hazardId,
        blob: photo.blob,
        filename: photo.filename,
        photoId: null,
        role: photo.role ?? 'after',
      } satisfies PhotoItem)
    }
    await refresh()
    void sync()
    return stored
  }

  /** The newest 整改完成 item of a matter, if any. */
  function rectifyFor(hazardId: number | string): RectifyItem | undefined {
    return items.value.find((i): i is RectifyItem => i.kind === 'rectify' && String(i.hazardId) === String(hazardId))
  }

  /** Queues a comment on a task (issue 15), sent exactly once (its clientId); sending starts at once. */
  async function enqueueComment(hazardId: number | string, label: string, note: string): Promise<CommentItem> {
    const me = userId.value
    if (!me) throw new Error('Not signed in.')
    const clientId = newClientId()
    const item: CommentItem = { ...queue.freshItemFields(), id: clientId, kind: 'comment', userId: me, hazardId, label, payload: { note, clientId } }
    const stored = (await queue.put(item)) as CommentItem
    await refresh()
    void sync()
    return stored
  }

  /** The comments queued on a matter (newest first). */
  function commentsFor(hazardId: number | string): CommentItem[] {
    return items.value.filter((i): i is CommentItem => i.kind === 'comment' && String(i.hazardId) === String(hazardId))
  }

  /** Queues a check-in at the key place with this printed code, now, with where the phone is (when known). */
  async function enqueueCheckin(code: string, placeName: string | null, position: { lon: number; lat: number; accuracy: number | null } | null = null): Promise<CheckinItem> {
    const me = userId.value
    if (!me) throw new Error('Not signed in.')
    const clientId = newClientId()
    const item: CheckinItem = {
      ...queue.freshItemFields(),
      id: clientId,
      kind: 'checkin',
      userId: me,
      payload: {
        code,
        t: new Date().toISOString(),
        clientId,
        ...(position ? { lon: position.lon, lat: position.lat, ...(position.accuracy !== null ? { accuracy: position.accuracy } : {}) } : {}),
      },
      placeName,
      checkinId: null,
    }
    const stored = (await queue.put(item)) as CheckinItem
    await refresh()
    return stored
  }

  /** Queues a care visit at a household's door, now, with where the phone is (issue 17). */
  async function enqueueCareVisit(residentId: number, residentName: string, position: { lon: number; lat: number; accuracy: number | null }): Promise<CareVisitItem> {
    const me = userId.value
    if (!me) throw new Error('Not signed in.')
    const clientId = newClientId()
    const item: CareVisitItem = {
      ...queue.freshItemFields(),
      id: clientId,
      kind: 'care_visit',
      userId: me,
      payload: { residentId, t: new Date().toISOString(), clientId, lon: position.lon, lat: position.lat, ...(position.accuracy !== null ? { accuracy: position.accuracy } : {}) },
      residentName,
      visitId: null,
    }
    const stored = (await queue.put(item)) as CareVisitItem
    await refresh()
    return stored
  }

  /**
   * Queues an arrival on site at a task (到场, issue 15) with where the phone is, now; sent exactly once (its clientId).
   * The newest arrival item of the matter tells the task list where it stands ({@link arrivalFor}).
   */
  async function enqueueArrival(
    hazardId: number | string,
    label: string,
    position: { lon: number; lat: number; accuracy: number | null },
    note?: string,
  ): Promise<ArrivalItem> {
    const me = userId.value
    if (!me) throw new Error('Not signed in.')
    const clientId = newClientId()
    const item: ArrivalItem = {
      ...queue.freshItemFields(),
      id: clientId,
      kind: 'arrival',
      userId: me,
      hazardId,
      label,
      payload: {
        lon: position.lon,
        lat: position.lat,
        ...(position.accuracy !== null ? { accuracy: Math.round(position.accuracy * 10) / 10 } : {}),
        clientId,
        t: new Date().toISOString(),
        ...(note ? { note } : {}),
      },
      arrivedAt: null,
      distanceM: null,
    }
    const stored = (await queue.put(item)) as ArrivalItem
    await refresh()
    void sync()
    return stored
  }

  /** The newest queued arrival at this matter (pending, sent or refused), if any. */
  function arrivalFor(hazardId: number | string): ArrivalItem | undefined {
    return items.value.find((i): i is ArrivalItem => i.kind === 'arrival' && String(i.hazardId) === String(hazardId))
  }

  /**
   * Queues the escalation of a task by its assignee (升级, issue 14) with the reason, sent exactly once (its clientId);
   * sending starts at once. The newest escalation item of the matter tells the task list where it stands.
   */
  async function enqueueEscalation(hazardId: number | string, label: string, level: 'grid' | 'street', reason: string): Promise<EscalationItem> {
    const me = userId.value
    if (!me) throw new Error('Not signed in.')
    const clientId = newClientId()
    const item: EscalationItem = {
      ...queue.freshItemFields(),
      id: clientId,
      kind: 'escalation',
      userId: me,
      hazardId,
      label,
      payload: { level, reason, clientId },
      escalatedTo: null,
    }
    const stored = (await queue.put(item)) as EscalationItem
    await refresh()
    void sync()
    return stored
  }

  /** The newest escalation item of a matter, if any. */
  function escalationFor(hazardId: number | string): EscalationItem | undefined {
    return items.value.find((i): i is EscalationItem => i.kind === 'escalation' && String(i.hazardId) === String(hazardId))
  }

  /** Sends a refused arrival again with a note saying why the position is far (same clientId: nothing was recorded). */
  async function resendArrival(id: string, note: string): Promise<void> {
    const me = userId.value
    if (!me) return
    await queue.update([id], (i) => (i.kind === 'arrival' ? { ...i, payload: { ...i.payload, note } } : i))
    await queue.retry(me, [id])
    await refresh()
    await sync()
  }

  /**
   * Queues a duty start or stop of this phone for `owner` at `t` (epoch ms), sent exactly once
   * (its clientId) and in the order recorded; sending starts at once.
   */
  async function enqueueDuty(action: 'start' | 'stop', owner: string, t = Date.now()): Promise<DutyItem> {
    const clientId = newClientId()
    const item: DutyItem = {
      ...queue.freshItemFields(t),
      id: clientId,
      kind: 'duty',
      userId: owner,
      payload: { action, deviceId: deviceId(), t: new Date(t).toISOString(), clientId },
      sessionId: null,
    }
    const stored = (await queue.put(item)) as DutyItem
    await refresh()
    void sync()
    return stored
  }

  /**
   * Queues one track point of this phone for `owner` (the user on duty: a fix that arrives while
   * the session is being renewed still counts); points travel in batches.
   */
  async function enqueuePoint(point: PointItem['point'], owner: string): Promise<void> {
    const me = owner
    const device = deviceId()
    await queue.putMany([{ ...queue.freshItemFields(), id: queue.pointItemId(device, point.t), kind: 'point', userId: me, deviceId: device, point }])
    counts.value = { ...counts.value, pending: { ...counts.value.pending, point: counts.value.pending.point + 1 } }
    if (!pointTimer) {
      pointTimer = setTimeout(() => {
        pointTimer = null
        void sync()
      }, POINT_FLUSH_MS)
    }
  }

  /** Sends the points waiting now (e.g. when duty ends). */
  function flushPoints(): Promise<SyncResult | null> {
    if (pointTimer) clearTimeout(pointTimer)
    pointTimer = null
    return sync()
  }

  /** Puts the failed items (all, or those given) back in line and sends. */
  async function retry(ids?: readonly string[]): Promise<void> {
    const me = userId.value
    if (!me) return
    await queue.retry(me, ids)
    // A failed hazard's photos failed with it: they come back too.
    if (ids) {
      const photos = items.value.filter((i) => i.kind === 'photo' && i.status === 'failed' && ids.includes((i as PhotoItem).hazardClientId))
      if (photos.length > 0) await queue.retry(me, photos.map((p) => p.id))
    }
    await refresh()
    await sync()
  }

  /** Drops a failed item for good (and the photos of a dropped report). */
  async function discard(id: string): Promise<void> {
    const photos = items.value.filter((i) => i.kind === 'photo' && (i as PhotoItem).hazardClientId === id && i.status !== 'sent')
    await queue.remove([id, ...photos.map((p) => p.id)])
    await refresh()
  }

  /** Starts the loop (once): listeners, first run, runs after each sign-in. */
  function start(): void {
    if (started || typeof window === 'undefined') return
    started = true
    window.addEventListener('online', () => {
      online.value = true
      offlineRuns = 0
      const me = userId.value
      void (me ? queue.dueNow(me) : Promise.resolve()).then(() => sync())
    })
    window.addEventListener('offline', () => {
      online.value = false
    })
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void sync()
      // Leaving the foreground: what was recorded goes now, while the page still runs.
      else if (counts.value.pending.point > 0) void flushPoints()
    })
    setInterval(() => {
      if (pendingCount.value > 0 && !running) void sync()
    }, RETRY_EVERY_MS)
    watch(
      () => [userId.value, session.signedIn] as const,
      ([id, signedIn]) => {
        void refresh()
        // App start or a new sign-in: a fresh start for everything waiting, backoff or not.
        if (id && signedIn) void queue.dueNow(id).then(() => sync(), () => sync())
      },
      { immediate: true },
    )
  }

  return {
    counts,
    items,
    online,
    syncing,
    lastSyncAt,
    lastOutcome,
    unavailable,
    pendingCount,
    failedCount,
    failedItems,
    waitingItems,
    refresh,
    itemById,
    sync,
    enqueueReport,
    enqueueCheckin,
    enqueueDuty,
    enqueueCareVisit,
    enqueueArrival,
    arrivalFor,
    resendArrival,
    enqueueEscalation,
    escalationFor,
    enqueueRectify,
    rectifyFor,
    enqueueComment,
    commentsFor,
    enqueuePoint,
    flushPoints,
    retry,
    discard,
    start,
  }
})
