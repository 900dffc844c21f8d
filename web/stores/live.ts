/**
 * Live store: the Server-Sent Events stream `GET /api/live`. `hazard` events go into the
 * hazards store (and refresh the open detail); the state drives the 实时 / 重连中 indicator.
 *
 * The browser's EventSource reconnects by itself after a dropped connection (a server restart),
 * sending `Last-Event-ID` so the server replays what was missed. When the server answers a
 * reconnect with an error instead (e.g. 401 after the session expired, 502 from a proxy), the
 * EventSource gives up; this store then checks the session (a 401 goes to the sign-in page) and
 * opens a new stream with backoff, passing the last id as `?lastEventId=`.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { apiRequest, buildUrl } from '../api/client.ts'
import type { HazardFeature } from '../api/types.ts'
import { useHazardDetailStore } from './hazard-detail.ts'
import { useHazardsStore } from './hazards.ts'
import { useMattersStore } from './matters.ts'

/** Where the stream stands: not wanted, opening, receiving, or trying to get back. */
export type LiveState = 'idle' | 'connecting' | 'live' | 'reconnecting'

const MAX_BACKOFF_MS = 30_000

/** The live store (`useLiveStore()`). */
export const useLiveStore = defineStore('live', () => {
  const hazards = useHazardsStore()
  const detail = useHazardDetailStore()
  const matters = useMattersStore()
  const state = ref<LiveState>('idle')
  /** The `id:` of the last event received, for replay after a reconnect. */
  const lastEventId = ref<string | null>(null)
  const lastEventAt = ref<Date | null>(null)
  /** Events received since {@link connect}. */
  const received = ref(0)

  let source: EventSource | null = null
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let failures = 0
  let openedBefore = false

  function remember(event: MessageEvent): void {
    if (event.lastEventId) lastEventId.value = event.lastEventId
    lastEventAt.value = new Date()
    received.value++
  }

  function onHazard(event: MessageEvent<string>): void {
    remember(event)
    let feature: HazardFeature
    try {
      feature = JSON.parse(event.data) as HazardFeature
    } catch {
      return
    }
    if (feature?.type !== 'Feature' || feature.id === undefined) return
    // Hazards go to the hazard list; the other kinds to theirs (drawn with a marker per kind).
    const type = feature.properties?.type
    if (type && type !== 'hazard') matters.upsert(feature)
    else hazards.upsert(feature)
    detail.onLiveUpdate(feature)
  }

  function open(): void {
    const url = buildUrl('/api/live', { lastEventId: lastEventId.value })
    const es = new EventSource(url)
    source = es
    es.addEventListener('open', () => {
      if (source !== es) return
      state.value = 'live'
      failures = 0
      // Without an event id the server cannot replay the gap: load the list again instead.
      if (openedBefore && lastEventId.value === null) void hazards.refresh()
      openedBefore = true
    })
    es.addEventListener('error', () => {
      if (source !== es) return
      state.value = 'reconnecting'
      if (es.readyState === EventSource.CLOSED) {
        source = null
        scheduleReconnect()
      }
    })
    es.addEventListener('hazard', onHazard)
    es.addEventListener('position', remember)
    es.addEventListener('checkin', remember)
  }

  function scheduleReconnect(): void {
    if (retryTimer !== null) return
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** failures)
    failures++
    retryTimer = setTimeout(() => {
      retryTimer = null
      void (async () => {
        try {
          // A 401 here reaches the app's unauthorized handler (the sign-in page).
          await apiRequest('/api/auth/me')
        } catch {
          if (state.value === 'idle') return
          scheduleReconnect()
          return
        }
        if (state.value !== 'idle' && source === null) open()
      })()
    }, delay)
  }

  /** Opens the stream (no-op when already open or opening). */
  function connect(): void {
    if (source || retryTimer !== null) return
    state.value = openedBefore ? 'reconnecting' : 'connecting'
    open()
  }

  /** Closes the stream (sign-out, leaving the page). */
  function disconnect(): void {
    source?.close()
    source = null
    if (retryTimer !== null) clearTimeout(retryTimer)
    retryTimer = null
    failures = 0
    openedBefore = false
    lastEventId.value = null
    state.value = 'idle'
  }

  return { state, lastEventId, lastEventAt, received, connect, disconnect }
})
