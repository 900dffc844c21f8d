/**
 * Route store: the suggested next round of the leader view (the walking route through the places not
 * visited in the coverage window, from `GET /api/coverage/route`), its zone and start, and sending it
 * to a member's phone. A whole community with more than {@link MAX_ROUTE_TARGETS} unvisited places is
 * routed zone by zone: the zone with the most of them is chosen.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import { isAbortError, toApiError, type ApiError } from '../api/client.ts'
import { MAX_ROUTE_TARGETS, routeApi, type RouteAssignment, type RouteFeature } from '../api/route.ts'
import type { FeatureId } from '../api/types.ts'
import type { LoadStatus } from './load-status.ts'
import { useCoverageStore } from './coverage.ts'

/** The route store (`useRouteStore()`). */
export const useRouteStore = defineStore('route', () => {
  const coverage = useCoverageStore()

  const route = shallowRef<RouteFeature | null>(null)
  const status = ref<LoadStatus>('idle')
  const error = shallowRef<ApiError | null>(null)
  /** The zone routed (null: the whole community). */
  const zoneId = ref<number | null>(null)
  /** Set when the whole community had too many unvisited places and a zone was chosen instead. */
  const zoneChosenFor = ref<number | null>(null)
  const sendStatus = ref<LoadStatus>('idle')
  const sendError = shallowRef<ApiError | null>(null)
  const sent = shallowRef<RouteAssignment | null>(null)
  let controller: AbortController | null = null

  /** Unvisited places per zone in the current coverage answer. */
  const unvisitedByZone = computed(() => {
    const counts = new Map<number, number>()
    for (const f of coverage.report?.unvisited.features ?? []) {
      const z = f.properties.zoneId
      if (z !== null) counts.set(z, (counts.get(z) ?? 0) + 1)
    }
    return counts
  })

  /** The route as a FeatureCollection for the map (empty while there is none). */
  const line = computed(() =>
    markRaw({ type: 'FeatureCollection' as const, features: route.value?.geometry ? [{ type: 'Feature' as const, geometry: route.value.geometry, properties: {} }] : [] }),
  )

  function request(): { communityId: FeatureId; zoneId: number | null; from: string; to: string; radius: number; start: [number, number] | null } | null {
    const id = coverage.communityId
    if (id === null) return null
    return {
      communityId: id,
      zoneId: zoneId.value,
      from: new Date(coverage.timeWindow.from).toISOString(),
      to: new Date(coverage.timeWindow.to).toISOString(),
      radius: coverage.radius,
      start: coverage.origin,
    }
  }

  /** Compute the route for the coverage window, the chosen zone and the start (the leader's location or the centre). */
  async function load(): Promise<void> {
    const q = request()
    if (!q) return
    controller?.abort()
    const ctrl = new AbortController()
    controller = ctrl
    status.value = 'loading'
    error.value = null
    sent.value = null
    zoneChosenFor.value = null
    const total = coverage.report?.unvisited.features.length ?? 0
    if (q.zoneId === null && total > MAX_ROUTE_TARGETS) {
      // Too many for one round: route the zone with the most unvisited places.
      const busiest = [...unvisitedByZone.value.entries()].filter(([, n]) => n <= MAX_ROUTE_TARGETS).sort((a, b) => b[1] - a[1])[0]
      if (busiest) {
        zoneChosenFor.value = total
        zoneId.value = busiest[0]
        q.zoneId = busiest[0]
      }
    }
    try {
      const r = await routeApi.route(q, ctrl.signal)
      if (controller !== ctrl) return
      route.value = markRaw(r)
      status.value = 'ready'
    } catch (err) {
      if (isAbortError(err) || controller !== ctrl) return
      route.value = null
      error.value = toApiError(err)
      status.value = 'error'
    } finally {
      if (controller === ctrl) controller = null
    }
  }

  /** Route another zone (null: the whole community). */
  function chooseZone(id: number | null): Promise<void> {
    zoneId.value = id
    return load()
  }

  /** Send the current route's request to a member's phone (computed again on the server, stored as their next round). */
  async function sendTo(personId: number): Promise<boolean> {
    const q = request()
    if (!q) return false
    sendStatus.value = 'loading'
    sendError.value = null
    try {
      sent.value = markRaw(await routeApi.assign(personId, q))
      sendStatus.value = 'ready'
      return true
    } catch (err) {
      sendError.value = toApiError(err)
      sendStatus.value = 'error'
      return false
    }
  }

  /** Drop everything (leaving the view). */
  function clear(): void {
    controller?.abort()
    controller = null
    route.value = null
    status.value = 'idle'
    error.value = null
    zoneId.value = null
    zoneChosenFor.value = null
    sent.value = null
    sendStatus.value = 'idle'
    sendError.value = null
  }

  return { route, status, error, zoneId, zoneChosenFor, sendStatus, sendError, sent, unvisitedByZone, line, load, chooseZone, sendTo, clear }
})
