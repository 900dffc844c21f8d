/**
 * The durable outbox of the patrol phone (IndexedDB `safegrid-offline`, store `items`).
 *
 * Every action of a patrol member — a track point, a hazard report, its photo, a check-in, a duty start or stop — is
 * written here FIRST and only then sent, so a dead battery, a closed tab or a basement without
 * signal loses nothing. Items carry the identity the server deduplicates on (`clientId`, or
 * (deviceId, t) for track points), so sending one again never stores it twice.
 *
 * Life of an item: `pending` → (sent) `sent`, or → `failed` (the server refused it for good, with the
 * reason). Track points are deleted once sent; hazards, photos and check-ins stay as `sent` for a
 * few days as a ledger, so submitting the same draft again answers the first result instead of
 * queueing it twice. A transient failure keeps the item `pending` with a later `nextAttemptAt`.
 *
 * Raw IndexedDB API (no library): one object store, a few promise helpers.
 */
import type { NewHazardRequest } from '../api/types.ts'

const DB_NAME = 'safegrid-offline'
const DB_VERSION = 1
const STORE = 'items'

/** How long sent hazards, photos and check-ins are kept as a ledger against double sending. */
export const LEDGER_DAYS = 7

/** What an item is. */
export type QueueKind = 'point' | 'hazard' | 'photo' | 'checkin' | 'duty' | 'care_visit' | 'arrival' | 'escalation' | 'rectify' | 'comment'

/** Every kind of item, in the order the outbox panel lists them. */
export const QUEUE_KINDS: readonly QueueKind[] = ['duty', 'point', 'hazard', 'photo', 'checkin', 'care_visit', 'arrival', 'escalation', 'rectify', 'comment']
/** Where an item stands. */
export type QueueStatus = 'pending' | 'sent' | 'failed'

/** Why the last attempt failed. */
export interface QueueError {
  /** HTTP status, 0 when no answer arrived. */
  status: number
  title: string
  detail: string | null
  /** ISO time of the failure. */
  at: string
}

interface ItemBase {
  /** The item's identity: the clientId, or `pt|deviceId|t` for a track point. */
  id: string
  kind: QueueKind
  /** The user who recorded it; only their session sends it. */
  userId: string
  /** Epoch ms. */
  createdAt: number
  status: QueueStatus
  /** Failed attempts so far (for the backoff). */
  attempts: number
  /** Epoch ms before which no retry is made (0 = now). */
  nextAttemptAt: number
  lastError: QueueError | null
  /** Set while a request is under way; still set at the next start = the outcome is unknown. */
  inFlightSince: number | null
  /** Epoch ms when the server confirmed it. */
  sentAt: number | null
}

/** One track point of a device (`POST /api/tracks/points`). */
export interface PointItem extends ItemBase {
  kind: 'point'
  deviceId: string
  point: { lon: number; lat: number; t: string; accuracy?: number }
}

/** A hazard report (`POST /api/hazards`, idempotent on `payload.clientId` = `id`). */
export interface HazardItem extends ItemBase {
  kind: 'hazard'
  payload: NewHazardRequest & { clientId: string }
  /** The hazard id the server answered. */
  hazardId: number | string | null
}

/**
 * A photo of a queued hazard, uploaded once the hazard exists; or of a task (整改完成's after photo, issue 15), whose
 * hazard id is known at once and whose `hazardClientId` is then the rectify item's id.
 */
export interface PhotoItem extends ItemBase {
  kind: 'photo'
  /** The clientId of the hazard (or the rectify item) it belongs to. */
  hazardClientId: string
  /** What the photo shows: as found (`before`) or once fixed (`after`); absent for a plain report photo. */
  role?: 'before' | 'after'
  /** Filled in when the hazard has been created. */
  hazardId: number | string | null
  /** The picture; dropped (null) once uploaded. */
  blob: Blob | null
  filename: string
  /** The photo id the server answered. */
  photoId: number | string | null
}

/** A check-in at a key place (`POST /api/checkins`, idempotent on `payload.clientId` = `id`). */
export interface CheckinItem extends ItemBase {
  kind: 'checkin'
  /** `lon`, `lat`, `accuracy`: where the phone was (the server checks it against the key place). */
  payload: { code: string; t: string; clientId: string; lon?: number; lat?: number; accuracy?: number }
  /** The key place's name when known on the phone (shown in the queue). */
  placeName: string | null
  /** The server's answer. */
  checkinId: number | null
}

/** A duty start or stop (`POST /api/duty`, idempotent on `payload.clientId` = `id`); sent in the order recorded. */
export interface DutyItem extends ItemBase {
  kind: 'duty'
  payload: { action: 'start' | 'stop'; deviceId: string; t: string; clientId: string }
  /** The duty session the server answered. */
  sessionId: number | null
}

/** A care visit at a household's door (`POST /api/care/visits`, idempotent on `payload.clientId` = `id`; issue 17). */
export interface CareVisitItem extends ItemBase {
  kind: 'care_visit'
  payload: { residentId: number; t: string; clientId: string; lon?: number; lat?: number; accuracy?: number; code?: string; note?: string }
  /** The household's name (shown in the queue). */
  residentName: string
  /** The server's answer. */
  visitId: number | null
}

/**
 * An arrival on site at a task (到场, `POST /api/hazards/:id/arrive`, idempotent on `payload.clientId` = `id`; issue 15).
 * Refused as too far (422), it stays `failed` with the reason until the member adds a note and sends it again
 * (same clientId: the server recorded nothing of the refused one).
 */
export interface ArrivalItem extends ItemBase {
  kind: 'arrival'
  /** The matter arrived at. */
  hazardId: number | string
  /** What the matter is (shown in the queue). */
  label: string
  payload: { lon: number; lat: number; accuracy?: number; clientId: string; t: string; note?: string }
  /** When the server recorded the arrival and how far the phone was (m). */
  arrivedAt: string | null
  distanceM: number | null
}

/**
 * An escalation of a task by its assignee (升级, `POST /api/hazards/:id/escalate`, idempotent on `payload.clientId` = `id`;
 * issue 14): sent again after a lost answer, the server answers the matter escalated once.
 */
export interface EscalationItem extends ItemBase {
  kind: 'escalation'
  /** The matter escalated. */
  hazardId: number | string
  /** What the matter is (shown in the queue). */
  label: string
  payload: { level: 'grid' | 'street'; reason: string; clientId: string }
  /** The level the server answered. */
  escalatedTo: string | null
}

/**
 * 整改完成 of a task from the phone (`POST /api/hazards/:id/rectify`, idempotent on `payload.clientId` = `id`; issue 15);
 * its after photo is a {@link PhotoItem} whose `hazardClientId` is this item's id.
 */
export interface RectifyItem extends ItemBase {
  kind: 'rectify'
  hazardId: number | string
  /** What the matter is (shown in the queue). */
  label: string
  payload: { note?: string; clientId: string }
  /** The status the server answered. */
  resultStatus: string | null
}

/** A comment on a task (`POST /api/hazards/:id/comments`, idempotent on `payload.clientId` = `id`; issue 15). */
export interface CommentItem extends ItemBase {
  kind: 'comment'
  hazardId: number | string
  /** What the matter is (shown in the queue). */
  label: string
  payload: { note: string; clientId: string }
}

/** Anything in the queue. */
export type QueueItem = PointItem | HazardItem | PhotoItem | CheckinItem | DutyItem | CareVisitItem | ArrivalItem | EscalationItem | RectifyItem | CommentItem

/** Fields every new item starts with. */
export function freshItemFields(now = Date.now()): Pick<ItemBase, 'createdAt' | 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'inFlightSince' | 'sentAt'> {
  return { createdAt: now, status: 'pending', attempts: 0, nextAttemptAt: 0, lastError: null, inFlightSince: null, sentAt: null }
}

/** The id of a track point item: (deviceId, t) is its identity at the server too. */
export function pointItemId(deviceId: string, t: string): string {
  return `pt|${deviceId}|${t}`
}

let opening: Promise<IDBDatabase> | null = null

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'))
  })
}

function completion(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'))
    // A request error whose default was prevented (a duplicate key, ignored on purpose) does not fail the transaction.
    tx.onerror = (e) => {
      if (!e.defaultPrevented) reject(tx.error ?? new Error('IndexedDB transaction failed'))
    }
  })
}

/** Opens (once) the queue database. */
export function openQueue(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION)
    req.onupgradeneeded = () => {
      const db = req.result
      if (!db.objectStoreNames.contains(STORE)) {
        const store = db.createObjectStore(STORE, { keyPath: 'id' })
        store.createIndex('status', 'status')
        store.createIndex('kind-status', ['kind', 'status'])
      }
    }
    req.onsuccess = () => {
      const db = req.result
      // Another tab upgrading the schema: step aside.
      db.onversionchange = () => {
        db.close()
        opening = null
      }
      resolve(db)
    }
    req.onerror = () => {
      opening = null
      reject(req.error ?? new Error('IndexedDB is unavailable'))
    }
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'))
  })
  return opening
}

async function withStore<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => Promise<T> | T): Promise<T> {
  const db = await openQueue()
  const tx = db.transaction(STORE, mode)
  const done = completion(tx)
  const result = await work(tx.objectStore(STORE))
  await done
  return result
}

/**
 * Stores a new item. An item with the same id that was already `sent` is kept as it is and
 * returned (the ledger: the same report is never queued twice); any other is replaced.
 *
 * @returns the item now stored under that id.
 */
export function put(item: QueueItem): Promise<QueueItem> {
  return withStore('readwrite', async (store) => {
    const existing = (await request(store.get(item.id))) as QueueItem | undefined
    if (existing && existing.status === 'sent') return existing
    // Keep a previous attempt's "in flight" mark: its outcome is still unknown.
    const next = existing && existing.inFlightSince !== null ? { ...item, inFlightSince: existing.inFlightSince } : item
    store.put(next)
    return next
  })
}

/**
 * Stores many new items in one transaction (track points); existing ids are left alone: a duplicate (the same
 * point recorded again after a reload on duty) is ignored, it neither aborts nor fails the transaction.
 */
export function putMany(items: readonly QueueItem[]): Promise<void> {
  return withStore('readwrite', (store) => {
    for (const item of items) {
      store.add(item).onerror = (e) => {
        e.preventDefault()
        e.stopPropagation()
      }
    }
  })
}

/** The item with this id, if any. */
export function get(id: string): Promise<QueueItem | undefined> {
  return withStore('readonly', async (store) => (await request(store.get(id))) as QueueItem | undefined)
}

/** Filters of {@link list}. */
export interface ListFilter {
  kind?: QueueKind
  status?: QueueStatus
  /** Only this user's items. */
  userId?: string
  limit?: number
}

/** Items matching the filter, oldest first. */
export function list(filter: ListFilter = {}): Promise<QueueItem[]> {
  return withStore('readonly', async (store) => {
    let items: QueueItem[]
    if (filter.kind && filter.status) items = (await request(store.index('kind-status').getAll([filter.kind, filter.status]))) as QueueItem[]
    else if (filter.status) items = (await request(store.index('status').getAll(filter.status))) as QueueItem[]
    else items = (await request(store.getAll())) as QueueItem[]
    if (filter.kind) items = items.filter((i) => i.kind === filter.kind)
    if (filter.userId !== undefined) items = items.filter((i) => i.userId === filter.userId)
    items.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    return filter.limit !== undefined ? items.slice(0, filter.limit) : items
  })
}

/** How many items of each kind are pending and failed. */
export interface QueueCounts {
  pending: Record<QueueKind, number>
  failed: Record<QueueKind, number>
}

/** Zero of every kind, pending and failed. */
export function emptyCounts(): QueueCounts {
  const zero = (): Record<QueueKind, number> => Object.fromEntries(QUEUE_KINDS.map((k) => [k, 0])) as Record<QueueKind, number>
  return { pending: zero(), failed: zero() }
}

/** Counts by kind and status (indexed counts: cheap even with thousands of track points). */
export function counts(): Promise<QueueCounts> {
  return withStore('readonly', async (store) => {
    const index = store.index('kind-status')
    const result = emptyCounts()
    await Promise.all(
      QUEUE_KINDS.flatMap((kind) => [
        request(index.count([kind, 'pending'])).then((n) => (result.pending[kind] = n)),
        request(index.count([kind, 'failed'])).then((n) => (result.failed[kind] = n)),
      ]),
    )
    return result
  })
}

/** Changes fields of stored items (missing ids are skipped); returns the updated items. */
export function update(ids: readonly string[], patch: (item: QueueItem) => QueueItem): Promise<QueueItem[]> {
  return withStore('readwrite', async (store) => {
    const out: QueueItem[] = []
    for (const id of ids) {
      const item = (await request(store.get(id))) as QueueItem | undefined
      if (!item) continue
      const next = patch(item)
      store.put(next)
      out.push(next)
    }
    return out
  })
}

/** Marks items as under way (set before the request leaves). */
export function markSending(ids: readonly string[], now = Date.now()): Promise<QueueItem[]> {
  return update(ids, (i) => ({ ...i, inFlightSince: now }))
}

/**
 * Marks an item sent, with what the server answered merged in (e.g. `{ hazardId }`). Photos
 * drop their picture; the item stays as a ledger entry ({@link LEDGER_DAYS}).
 */
export async function markSent(id: string, result: Partial<QueueItem> = {}, now = Date.now()): Promise<QueueItem | undefined> {
  const [item] = await update([id], (i) => {
    const next = { ...i, ...result, status: 'sent', sentAt: now, inFlightSince: null, lastError: null, nextAttemptAt: 0 } as QueueItem
    if (next.kind === 'photo') next.blob = null
    return next
  })
  return item
}

/**
 * Records a failed attempt. `permanent`: the server refused it for good (status `failed`, kept
 * for the user to see); otherwise it stays `pending` until `retryAt`. `outcomeUnknown`: no answer
 * came, so the request may have arrived; the in-flight mark stays (see {@link markSending}).
 */
export async function markFailed(
  id: string,
  error: QueueError,
  options: { permanent: boolean; retryAt?: number; /** The request may have arrived (no answer): keep the mark. */ outcomeUnknown?: boolean },
): Promise<QueueItem | undefined> {
  const [item] = await update([id], (i) => ({
    ...i,
    status: options.permanent ? 'failed' : 'pending',
    attempts: i.attempts + 1,
    nextAttemptAt: options.permanent ? 0 : (options.retryAt ?? 0),
    lastError: error,
    inFlightSince: options.outcomeUnknown ? i.inFlightSince : null,
  }))
  return item
}

/** Puts failed items (all of the user's, or those given) back to `pending`, due now. */
export async function retry(userId: string, ids?: readonly string[]): Promise<number> {
  const targets = ids ?? (await list({ status: 'failed', userId })).map((i) => i.id)
  const changed = await update(targets, (i) => (i.status === 'sent' ? i : { ...i, status: 'pending', attempts: 0, nextAttemptAt: 0 }))
  return changed.length
}

/** Makes every pending item of the user due now (the network came back: no reason to wait). */
export async function dueNow(userId: string): Promise<void> {
  const pending = await list({ status: 'pending', userId })
  const late = pending.filter((i) => i.nextAttemptAt > 0).map((i) => i.id)
  if (late.length > 0) await update(late, (i) => ({ ...i, nextAttemptAt: 0 }))
}

/** Deletes items. */
export function remove(ids: readonly string[]): Promise<void> {
  return withStore('readwrite', (store) => {
    for (const id of ids) store.delete(id)
  })
}

/** Deletes ledger entries (sent items) older than {@link LEDGER_DAYS}. */
export async function prune(now = Date.now()): Promise<number> {
  const sent = await list({ status: 'sent' })
  const old = sent.filter((i) => (i.sentAt ?? 0) < now - LEDGER_DAYS * 86_400_000).map((i) => i.id)
  if (old.length > 0) await remove(old)
  return old.length
}
