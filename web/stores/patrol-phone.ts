/**
 * Patrol phone store: what the patrol member reads on duty — my tasks (hazards assigned to my
 * person, with due times), tonight's unvisited places near me, and the key places' codes (to
 * name a scanned code offline).
 *
 * Each list keeps its last good answer in localStorage (per user; harmless, small: ids, names,
 * points, due times), so the phone still shows the last known lists in a basement, with the time
 * they were fetched.
 */
import { distance, pointOnFeature } from '@turf/turf'
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { apiRequest, toApiError, type ApiError } from '../api/client.ts'
import { patrolApi } from '../api/patrol.ts'
import { routeApi, type WalkRoute } from '../api/route.ts'
import type { MatterCategory } from '../../core/matters.ts'
import type { HazardCollection, HazardSeverity, HazardStatus } from '../api/types.ts'
import type { Level } from '../../core/matters.ts'
import { codeHash } from '../domain/checkin-code.ts'
import { tonight } from '../domain/patrol.ts'
import { useDutyStore } from './duty.ts'
import { useOfflineQueueStore } from './offline-queue.ts'
import { useSessionStore } from './session.ts'

const CACHE_PREFIX = 'safegrid.patrolPhone.'

/** Open states a task can be in. */
const OPEN_STATUSES: HazardStatus[] = ['reported', 'dispatched', 'rectifying', 'reopened']

/** A hazard assigned to me. */
export interface TaskRow {
  id: number | string
  category: MatterCategory
  severity: HazardSeverity
  status: HazardStatus
  dueAt: string
  overdue: boolean
  /** Where it is handled (办理层级); absent in a list cached before issue 14 (then the micro-grid). */
  level?: Level
  /**
   * Escalated from this phone and handed to someone else: the server no longer lists it as mine, but the
   * phone keeps it (with its confirmation) until the member dismisses it.
   */
  handedOver?: boolean
  description: string | null
  lon: number
  lat: number
}

/** An unvisited building or key place of tonight. */
export interface PlaceRow {
  id: number
  kind: 'building' | 'key_place'
  name: string | null
  compoundName: string | null
  lon: number
  lat: number
}

/** A place with its distance from me (metres; null without a position). */
export interface NearbyPlace extends PlaceRow {
  distanceM: number | null
}

/** Where loading a list stands. */
export type ListStatus = 'idle' | 'loading' | 'ready' | 'error'

interface Cached {
  tasks?: { rows: TaskRow[]; at: number }
  nearby?: { rows: PlaceRow[]; at: number; from: number; to: number }
  keyPlaces?: { codes: Record<string, string>; hashes?: Record<string, string>; at: number }
  /** The last walking directions per task (issue 15), shown again without the network. */
  walks?: Record<string, { route: WalkRoute; at: number }>
}

/** Tasks whose last walking directions stay on the phone. */
const WALKS_KEPT = 10

/** The patrol phone store (`usePatrolPhoneStore()`). */
export const usePatrolPhoneStore = defineStore('patrol-phone', () => {
  const session = useSessionStore()
  const duty = useDutyStore()
  const outbox = useOfflineQueueStore()

  const tasks = shallowRef<TaskRow[]>([])
  const tasksAt = ref<number | null>(null)
  const tasksStatus = ref<ListStatus>('idle')
  const tasksError = shallowRef<ApiError | null>(null)

  const places = shallowRef<PlaceRow[]>([])
  const placesAt = ref<number | null>(null)
  const placesWindow = ref<{ from: number; to: number } | null>(null)
  const placesStatus = ref<ListStatus>('idle')
  const placesError = shallowRef<ApiError | null>(null)

  /** The task whose walking directions are shown, and the directions (issue 15). */
  const walkTaskId = ref<number | string | null>(null)
  const walk = shallowRef<WalkRoute | null>(null)
  const walkStatus = ref<ListStatus>('idle')
  const walkError = shallowRef<ApiError | null>(null)
  /** When the shown directions were planned, if they come from the phone's cache (no network now). */
  const walkCachedAt = ref<number | null>(null)

  /** Key place names by printed code (roles that print the sheet). */
  const keyPlaceNames = shallowRef<Record<string, string>>({})
  /** Key place names by {@link codeHash} of their code (patrol members, who are not given the codes). */
  const keyPlaceHashes = shallowRef<Record<string, string>>({})

  const userId = computed(() => (session.user ? String(session.user.id) : null))
  const personId = computed(() => session.user?.personId ?? null)

  function readCache(): Cached {
    if (!userId.value) return {}
    try {
      return (JSON.parse(localStorage.getItem(CACHE_PREFIX + userId.value) ?? '{}') as Cached) ?? {}
    } catch {
      return {}
    }
  }

  function writeCache(patch: Cached): void {
    if (!userId.value) return
    try {
      localStorage.setItem(CACHE_PREFIX + userId.value, JSON.stringify({ ...readCache(), ...patch }))
    } catch {
      // Full: the lists still work while online.
    }
  }

  /** Shows the last known lists of the signed-in user. */
  function restore(): void {
    const c = readCache()
    tasks.value = c.tasks?.rows ?? []
    tasksAt.value = c.tasks?.at ?? null
    places.value = c.nearby?.rows ?? []
    placesAt.value = c.nearby?.at ?? null
    placesWindow.value = c.nearby ? { from: c.nearby.from, to: c.nearby.to } : null
    keyPlaceNames.value = c.keyPlaces?.codes ?? {}
    keyPlaceHashes.value = c.keyPlaces?.hashes ?? {}
    tasksStatus.value = 'idle'
    placesStatus.value = 'idle'
  }

  watch(userId, restore, { immediate: true })

  /** `GET /api/hazards?assigneeId=<my person>&status=<open>`: my tasks, soonest due first. */
  async function loadTasks(): Promise<void> {
    if (personId.value === null || personId.value === undefined) {
      tasksStatus.value = 'ready'
      return
    }
    tasksStatus.value = 'loading'
    tasksError.value = null
    try {
      const fc = await apiRequest<HazardCollection>('/api/hazards', { query: { assigneeId: personId.value, status: OPEN_STATUSES } })
      const rows: TaskRow[] = fc.features.map((f) => ({
        id: f.id,
        category: f.properties.category,
        severity: f.properties.severity,
        status: f.properties.status,
        dueAt: f.properties.dueAt,
        overdue: f.properties.overdue,
        level: f.properties.level ?? 'micro_grid',
        description: f.properties.description,
        lon: f.geometry.coordinates[0]!,
        lat: f.geometry.coordinates[1]!,
      }))
      rows.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))
      // A task this phone escalated leaves "mine" on the server the moment the escalation commits, which can
      // be just before this answer: keep it, marked handed over, so its confirmation stays readable.
      const listed = new Set(rows.map((r) => String(r.id)))
      const handedOver = tasks.value
        .filter((t) => !listed.has(String(t.id)) && ['pending', 'sent'].includes(outbox.escalationFor(t.id)?.status ?? ''))
        .map((t) => ({ ...t, handedOver: true }))
      rows.push(...handedOver)
      tasks.value = rows
      tasksAt.value = Date.now()
      tasksStatus.value = 'ready'
      writeCache({ tasks: { rows, at: tasksAt.value } })
    } catch (err) {
      tasksError.value = toApiError(err)
      tasksStatus.value = 'error'
    }
  }

  /** Removes a handed-over task from the list once its member has read the confirmation. */
  function dismissTask(id: number | string): void {
    tasks.value = tasks.value.filter((t) => String(t.id) !== String(id))
    if (tasksAt.value !== null) writeCache({ tasks: { rows: tasks.value, at: tasksAt.value } })
  }

  /** `GET /api/analysis/coverage` for tonight (18:00–06:00): the places nobody visited yet. */
  async function loadPlaces(): Promise<void> {
    placesStatus.value = 'loading'
    placesError.value = null
    const window = tonight(Date.now())
    try {
      const report = await patrolApi.coverage({
        communityId: session.communityId ?? undefined,
        from: new Date(window.from).toISOString(),
        to: new Date(window.to).toISOString(),
      })
      const rows: PlaceRow[] = report.unvisited.features.map((f) => {
        const p = f.geometry.type === 'Point' ? f.geometry.coordinates : pointOnFeature(f).geometry.coordinates
        return {
          id: f.properties.id,
          kind: f.properties.kind,
          name: f.properties.name,
          compoundName: f.properties.compoundName,
          lon: Math.round(p[0]! * 1e6) / 1e6,
          lat: Math.round(p[1]! * 1e6) / 1e6,
        }
      })
      places.value = rows
      placesAt.value = Date.now()
      placesWindow.value = window
      placesStatus.value = 'ready'
      writeCache({ nearby: { rows, at: placesAt.value, ...window } })
    } catch (err) {
      placesError.value = toApiError(err)
      placesStatus.value = 'error'
    }
  }

  /** `GET /api/key-places`: code → name, for naming a scanned code without the network. */
  async function loadKeyPlaces(): Promise<void> {
    try {
      const { items } = await patrolApi.keyPlaces(session.communityId ?? undefined)
      keyPlaceNames.value = Object.fromEntries(items.flatMap((k) => (k.code ? [[k.code, k.name]] : [])))
      keyPlaceHashes.value = Object.fromEntries(items.flatMap((k) => (k.codeHash ? [[k.codeHash, k.name]] : [])))
      writeCache({ keyPlaces: { codes: keyPlaceNames.value, hashes: keyPlaceHashes.value, at: Date.now() } })
    } catch {
      // The codes are still checked by the server when the check-in is sent.
    }
  }

  /**
   * Whether a typed or scanned code is a key place's, before anything is queued: asked of the server when online
   * (`known` with the place's name, `unknown` on 404, `retired` on 410 — an old sticker), else checked against the
   * cached list ({@link keyPlaceNames}, or {@link keyPlaceHashes} for patrol members); `unchecked` when neither can say.
   */
  async function checkCode(code: string): Promise<{ verdict: 'known' | 'unknown' | 'retired' | 'unchecked'; name: string | null }> {
    if (navigator.onLine) {
      try {
        const place = await patrolApi.keyPlaceByCode(code)
        return { verdict: 'known', name: place.name }
      } catch (err) {
        const e = toApiError(err)
        if (e.status === 404) return { verdict: 'unknown', name: null }
        if (e.status === 410) return { verdict: 'retired', name: null }
        // No answer: fall back to the cached list.
      }
    }
    const byCode = keyPlaceNames.value[code]
    if (byCode) return { verdict: 'known', name: byCode }
    const hashes = keyPlaceHashes.value
    const hash = Object.keys(hashes).length > 0 ? await codeHash(code) : null
    if (hash !== null) return hashes[hash] ? { verdict: 'known', name: hashes[hash] } : { verdict: 'unknown', name: null }
    if (Object.keys(keyPlaceNames.value).length > 0) return { verdict: 'unknown', name: null }
    return { verdict: 'unchecked', name: null }
  }

  /** Tonight's unvisited places, nearest first from my latest position (turf, metres). */
  const nearby = computed<NearbyPlace[]>(() => {
    const me = duty.position
    const rows = places.value.map((p) => ({
      ...p,
      distanceM: me ? distance([me.lon, me.lat], [p.lon, p.lat], { units: 'meters' }) : null,
    }))
    if (me) rows.sort((a, b) => a.distanceM! - b.distanceM!)
    return rows
  })

  /** Distance from me to a task (metres), when my position is known. */
  function distanceTo(row: { lon: number; lat: number }): number | null {
    const me = duty.position
    return me ? distance([me.lon, me.lat], [row.lon, row.lat], { units: 'meters' }) : null
  }

  /** My tasks nearest first when my position is known (straight-line distance), else soonest due (issue 15). */
  const orderedTasks = computed<TaskRow[]>(() => {
    const me = duty.position
    if (!me) return tasks.value
    const far = (t: TaskRow): number => distance([me.lon, me.lat], [t.lon, t.lat], { units: 'meters' })
    return [...tasks.value].sort((a, b) => far(a) - far(b) || Date.parse(a.dueAt) - Date.parse(b.dueAt))
  })

  /**
   * `GET /api/route/walk`: walking directions from my position to a task along the community's roads (issue 15).
   * Asking again for the shown task hides them. Needs a position and the network.
   */
  async function loadWalk(task: TaskRow): Promise<void> {
    if (walkTaskId.value === task.id && walkStatus.value !== 'error') {
      walkTaskId.value = null
      walk.value = null
      walkStatus.value = 'idle'
      return
    }
    walkTaskId.value = task.id
    walk.value = null
    walkError.value = null
    walkCachedAt.value = null
    walkStatus.value = 'loading'
    const me = duty.position ?? (await duty.locateOnce())
    if (walkTaskId.value !== task.id) return
    if (!me) {
      walkStatus.value = 'error'
      return
    }
    try {
      const answer = await routeApi.walk([me.lon, me.lat], task.id)
      if (walkTaskId.value !== task.id) return
      walk.value = answer
      walkStatus.value = 'ready'
      const kept = Object.entries(readCache().walks ?? {})
        .filter(([id]) => id !== String(task.id))
        .sort((a, b) => b[1].at - a[1].at)
        .slice(0, WALKS_KEPT - 1)
      writeCache({ walks: Object.fromEntries([[String(task.id), { route: answer, at: Date.now() }], ...kept]) })
    } catch (err) {
      if (walkTaskId.value !== task.id) return
      const e = toApiError(err)
      const cached = e.unreachable ? readCache().walks?.[String(task.id)] : undefined
      if (cached) {
        // No network: the last directions planned to this task, marked with their time.
        walk.value = cached.route
        walkCachedAt.value = cached.at
        walkStatus.value = 'ready'
        return
      }
      walkError.value = e
      walkStatus.value = 'error'
    }
  }

  return {
    tasks,
    tasksAt,
    tasksStatus,
    tasksError,
    places,
    placesAt,
    placesWindow,
    placesStatus,
    placesError,
    nearby,
    orderedTasks,
    walkTaskId,
    walk,
    walkStatus,
    walkError,
    walkCachedAt,
    loadWalk,
    keyPlaceNames,
    keyPlaceHashes,
    checkCode,
    personId,
    restore,
    loadTasks,
    dismissTask,
    loadPlaces,
    loadKeyPlaces,
    distanceTo,
  }
})
