/**
 * Coverage store: what the leader view shows about a patrol window — coverage (which buildings and
 * key places were visited), the tracks, the key places, people's last positions (from the tracks and
 * the live `position` events), the playback time, the next round and the compound × day calendar.
 *
 * Collections are replaced as a whole (never mutated), so map layers can watch them by identity.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import { api, isAbortError, toApiError, type ApiError } from '../api/client.ts'
import { patrolApi, type CoverageCalendar, type CoverageReport, type PositionEvent, type TrackCollection } from '../api/patrol.ts'
import { emptyCollection, type BaseLayerCollections, type FeatureId } from '../api/types.ts'
import {
  deviceColors,
  lastPositions,
  presetWindow,
  roundLine,
  tracksUpTo,
  walkingOrder,
  type LastPosition,
  type TimeWindow,
  type WindowPreset,
} from '../domain/patrol.ts'
import type { LoadStatus } from './load-status.ts'
import { RUN_MAX_GAP_S } from '../../core/tracking.ts'
import { useLayersStore } from './layers.ts'

/** A coverage refresh after live events waits this long, so a burst of fixes costs one request. */
const REFRESH_DELAY_MS = 15_000

/** Stops of the next round drawn on the map (as a line and numbered markers). */
export const ROUND_LINE_STOPS = 20

type KeyPlaces = BaseLayerCollections['key-places']

/** The coverage store (`useCoverageStore()`). */
export const useCoverageStore = defineStore('coverage', () => {
  const layers = useLayersStore()

  const communityId = ref<FeatureId | null>(null)
  const preset = ref<WindowPreset>('tonight')
  const timeWindow = ref<TimeWindow>(presetWindow('tonight', Date.now()))
  const radius = ref(30)
  const report = shallowRef<CoverageReport | null>(null)
  const tracks = shallowRef<TrackCollection>(emptyCollection())
  const keyPlaces = shallowRef<KeyPlaces>(emptyCollection())
  const calendar = shallowRef<CoverageCalendar | null>(null)
  const status = ref<LoadStatus>('idle')
  const error = shallowRef<ApiError | null>(null)
  const calendarStatus = ref<LoadStatus>('idle')
  /** Positions from the live stream, newer than the tracks loaded. */
  const livePositions = shallowRef<Map<string, LastPosition>>(new Map())
  /** The playback time (ms), or null for "latest". */
  const playbackTime = ref<number | null>(null)
  /** Where the next round starts: the leader's location when known, else the community centre. */
  const myLocation = shallowRef<[number, number] | null>(null)
  /** The current time, advanced by {@link tick} (the playback end while a window is under way). */
  const now = ref(Date.now())
  let controller: AbortController | null = null
  let source: EventSource | null = null
  let refreshTimer: ReturnType<typeof setTimeout> | null = null

  /** The window's end, or now while it is under way. */
  const latest = computed(() => Math.min(timeWindow.value.to, Math.max(now.value, timeWindow.value.from)))
  const windowIsLive = computed(() => timeWindow.value.from <= now.value && now.value < timeWindow.value.to)

  const unvisitedBuildings = computed(() => new Set((report.value?.unvisited.features ?? []).filter((f) => f.properties.kind === 'building').map((f) => f.properties.id)))
  const unvisitedKeyPlaces = computed(() => new Set((report.value?.unvisited.features ?? []).filter((f) => f.properties.kind === 'key_place').map((f) => f.properties.id)))

  /** The community's buildings with `visited` (true/false), for the coverage buildings layer. */
  const buildings = computed(() => {
    const unvisited = unvisitedBuildings.value
    const ready = report.value !== null
    return markRaw({
      type: 'FeatureCollection' as const,
      features: ready
        ? layers.collections.buildings.features.map((f) => ({ ...f, properties: { ...f.properties, visited: !unvisited.has(Number(f.properties.id)) } }))
        : [],
    })
  })

  /** The key places with `visited`. */
  const keyPlacesVisited = computed(() => {
    const unvisited = unvisitedKeyPlaces.value
    const ready = report.value !== null
    return markRaw({
      type: 'FeatureCollection' as const,
      features: ready ? keyPlaces.value.features.map((f) => ({ ...f, properties: { ...f.properties, visited: !unvisited.has(Number(f.properties.id)) } })) : [],
    })
  })

  /** Tracks as drawn: up to the playback time, all of them at "latest". */
  const shownTracks = computed(() => (playbackTime.value === null ? tracks.value : markRaw(tracksUpTo(tracks.value, playbackTime.value))))

  /** A colour per device (tracks and positions agree). */
  const colors = computed(() => deviceColors([...tracks.value.features.map((f) => f.properties.deviceId), ...livePositions.value.keys()]))

  /** Everyone's last position at the playback time (at "latest", live positions win when newer). */
  const positions = computed<LastPosition[]>(() => {
    const fromTracks = lastPositions(tracks.value, playbackTime.value ?? Number.POSITIVE_INFINITY)
    if (playbackTime.value !== null) return fromTracks
    const merged = new Map(fromTracks.map((p) => [p.deviceId, p]))
    for (const p of livePositions.value.values()) {
      const seen = merged.get(p.deviceId)
      if (!seen || seen.t < p.t) merged.set(p.deviceId, { ...p, personName: p.personName ?? seen?.personName ?? null })
    }
    return [...merged.values()].sort((a, b) => a.deviceId.localeCompare(b.deviceId))
  })

  /** The community centre: the middle of its bounding box. */
  const centre = computed<[number, number] | null>(() => {
    const features = layers.collections.buildings.features
    if (features.length === 0) return null
    let minX = Infinity
    let minY = Infinity
    let maxX = -Infinity
    let maxY = -Infinity
    for (const f of features) {
      const rings = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates
      for (const polygon of rings) for (const [x, y] of polygon[0] ?? []) {
        if (x === undefined || y === undefined) continue
        minX = Math.min(minX, x)
        minY = Math.min(minY, y)
        maxX = Math.max(maxX, x)
        maxY = Math.max(maxY, y)
      }
    }
    return [(minX + maxX) / 2, (minY + maxY) / 2]
  })

  const origin = computed<[number, number] | null>(() => myLocation.value ?? centre.value)

  /** The unvisited places in walking order (nearest neighbour). */
  const nextRound = computed(() => {
    const start = origin.value
    if (!report.value || !start) return []
    return walkingOrder(report.value.unvisited.features, start)
  })

  /** The first stops of the next round as a line from the start (the whole round would cover the map). */
  const nextRoundLine = computed(() => {
    const start = origin.value
    const first = nextRound.value.slice(0, ROUND_LINE_STOPS)
    return markRaw({ type: 'FeatureCollection' as const, features: start && first.length > 0 ? [roundLine(first, start)] : [] })
  })

  /** Advance the clock (called every few seconds by the view). */
  function tick(): void {
    now.value = Date.now()
  }

  /** Choose a preset window (tonight, last night, today, last 24 h). */
  function choosePreset(p: Exclude<WindowPreset, 'custom'>): Promise<void> {
    preset.value = p
    timeWindow.value = presetWindow(p, Date.now())
    return reload()
  }

  /** Choose a window by hand. */
  function chooseWindow(w: TimeWindow): Promise<void> {
    preset.value = 'custom'
    timeWindow.value = w
    return reload()
  }

  /** Load coverage, tracks and key places of the community for the current window. */
  async function load(id: FeatureId): Promise<void> {
    communityId.value = id
    controller?.abort()
    const ctrl = new AbortController()
    controller = ctrl
    status.value = 'loading'
    error.value = null
    playbackTime.value = null
    livePositions.value = new Map()
    now.value = Date.now()
    const q = { communityId: id, from: new Date(timeWindow.value.from).toISOString(), to: new Date(timeWindow.value.to).toISOString() }
    try {
      const [r, t, k] = await Promise.all([
        patrolApi.coverage({ ...q, radius: radius.value }, ctrl.signal),
        patrolApi.tracks(q, ctrl.signal),
        api.layer('key-places', { communityId: id }, ctrl.signal),
      ])
      if (controller !== ctrl) return
      report.value = markRaw(r)
      tracks.value = markRaw(t)
      keyPlaces.value = markRaw(k)
      status.value = 'ready'
    } catch (err) {
      if (isAbortError(err) || controller !== ctrl) return
      error.value = toApiError(err)
      status.value = 'error'
    } finally {
      if (controller === ctrl) controller = null
    }
  }

  function reload(): Promise<void> {
    return communityId.value === null ? Promise.resolve() : load(communityId.value)
  }

  /** Refresh the coverage numbers only (after live events), keeping what is shown meanwhile. */
  async function refreshCoverage(): Promise<void> {
    if (communityId.value === null) return
    try {
      const r = await patrolApi.coverage({
        communityId: communityId.value,
        from: new Date(timeWindow.value.from).toISOString(),
        to: new Date(timeWindow.value.to).toISOString(),
        radius: radius.value,
      })
      report.value = markRaw(r)
    } catch {
      // Keep the last answer; the next event or a reload tries again.
    }
  }

  function scheduleRefresh(): void {
    if (refreshTimer !== null || !windowIsLive.value) return
    refreshTimer = setTimeout(() => {
      refreshTimer = null
      void refreshCoverage()
    }, REFRESH_DELAY_MS)
  }

  /** Load the compound × day calendar (28 days). */
  async function loadCalendar(id: FeatureId, days = 28): Promise<void> {
    calendarStatus.value = 'loading'
    try {
      calendar.value = markRaw(await patrolApi.calendar({ communityId: id, days, radius: radius.value }))
      calendarStatus.value = 'ready'
    } catch (err) {
      if (isAbortError(err)) return
      calendarStatus.value = 'error'
    }
  }

  /** A live `position` event: the person's marker moves; inside the window the track grows. */
  function onPosition(p: PositionEvent): void {
    const t = Date.parse(p.t)
    if (!Number.isFinite(t) || !Number.isFinite(p.lon) || !Number.isFinite(p.lat)) return
    const next = new Map(livePositions.value)
    next.set(p.deviceId, { deviceId: p.deviceId, personName: p.personName ?? null, lon: p.lon, lat: p.lat, t })
    livePositions.value = next
    if (t < timeWindow.value.from || t >= timeWindow.value.to) return
    const features = [...tracks.value.features]
    let lastIndex = -1
    features.forEach((f, i) => {
      if (f.properties.deviceId === p.deviceId && (lastIndex < 0 || f.properties.to > features[lastIndex]!.properties.to)) lastIndex = i
    })
    const last = lastIndex >= 0 ? features[lastIndex] : undefined
    if (last && t > Date.parse(last.properties.to) && t - Date.parse(last.properties.to) <= RUN_MAX_GAP_S * 1000) {
      const from = Date.parse(last.properties.from)
      features[lastIndex] = {
        ...last,
        geometry: { type: 'LineString', coordinates: [...last.geometry.coordinates, [p.lon, p.lat]] },
        properties: { ...last.properties, to: p.t, points: last.properties.points + 1, times: [...last.properties.times, (t - from) / 1000] },
      }
    } else if (!last || t > Date.parse(last.properties.to)) {
      const id = `${p.deviceId}@${p.t}`
      features.push({
        type: 'Feature',
        id,
        geometry: { type: 'LineString', coordinates: [[p.lon, p.lat], [p.lon, p.lat]] },
        properties: {
          id,
          deviceId: p.deviceId,
          communityId: Number(communityId.value),
          personId: last?.properties.personId ?? null,
          personName: p.personName ?? last?.properties.personName ?? null,
          teamId: last?.properties.teamId ?? null,
          teamName: last?.properties.teamName ?? null,
          from: p.t,
          to: p.t,
          points: 1,
          times: [0, 0],
        },
      })
    } else {
      return
    }
    tracks.value = markRaw({ type: 'FeatureCollection', features })
    scheduleRefresh()
  }

  /** Listen to the live stream's `position` and `checkin` events while the leader view is open. */
  function connectLive(): void {
    if (source || typeof EventSource === 'undefined') return
    const es = new EventSource('/api/live')
    source = es
    es.addEventListener('position', (event: MessageEvent<string>) => {
      try {
        onPosition(JSON.parse(event.data) as PositionEvent)
      } catch {
        // Not a position: ignore.
      }
    })
    es.addEventListener('checkin', () => scheduleRefresh())
  }

  /** Stop listening (leaving the view). */
  function disconnectLive(): void {
    source?.close()
    source = null
    if (refreshTimer !== null) clearTimeout(refreshTimer)
    refreshTimer = null
  }

  /** Start the next round from the leader's own location (browser geolocation); false when refused. */
  function locateMe(): Promise<boolean> {
    return new Promise((resolve) => {
      if (!('geolocation' in navigator)) return resolve(false)
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          myLocation.value = [pos.coords.longitude, pos.coords.latitude]
          resolve(true)
        },
        () => resolve(false),
        { enableHighAccuracy: true, timeout: 10_000, maximumAge: 60_000 },
      )
    })
  }

  /** Drop everything (leaving the view, switching community). */
  function clear(): void {
    controller?.abort()
    controller = null
    disconnectLive()
    report.value = null
    tracks.value = emptyCollection()
    keyPlaces.value = emptyCollection()
    calendar.value = null
    livePositions.value = new Map()
    playbackTime.value = null
    status.value = 'idle'
    calendarStatus.value = 'idle'
    error.value = null
  }

  return {
    communityId,
    preset,
    timeWindow,
    radius,
    report,
    tracks,
    keyPlaces,
    calendar,
    status,
    calendarStatus,
    error,
    playbackTime,
    myLocation,
    now,
    latest,
    windowIsLive,
    buildings,
    keyPlacesVisited,
    shownTracks,
    colors,
    positions,
    centre,
    origin,
    nextRound,
    nextRoundLine,
    tick,
    choosePreset,
    chooseWindow,
    load,
    reload,
    loadCalendar,
    onPosition,
    connectLive,
    disconnectLive,
    locateMe,
    clear,
  }
})
