/**
 * Base map store: the operator's optional base map (`GET /api/config`, env `BASEMAP_URL` …) and the
 * datum our layers are drawn in. With a GCJ-02 base map every layer's GeoJSON is shifted to GCJ-02
 * before `setData` (web/map/use-geojson-layer.ts) and clicks are shifted back to WGS84. Without a
 * configured base map nothing changes and nothing is fetched from outside.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { apiRequest } from '../api/client.ts'
import { collectionToGcj02, fromDisplay as fromDisplayIn, toDisplay as toDisplayIn, type BasemapConfig, type BasemapCrs } from '../domain/basemap.ts'

/** The base map store (`useBasemapStore()`). */
export const useBasemapStore = defineStore('basemap', () => {
  const config = shallowRef<BasemapConfig | null>(null)
  const loaded = ref(false)
  /** Set by a view that captures geometry with tools that cannot be shifted (the planner's drawing). */
  const suppressed = ref(false)
  let loading: Promise<void> | null = null

  /** The datum our layers are drawn in right now. */
  const crs = computed<BasemapCrs>(() => (config.value?.crs === 'gcj02' && !suppressed.value ? 'gcj02' : 'wgs84'))
  /** The base map to draw, or null. */
  const active = computed(() => (config.value && !(suppressed.value && config.value.crs === 'gcj02') ? config.value : null))

  /** Load `/api/config` once (a failure means: no base map). */
  function load(): Promise<void> {
    loading ??= apiRequest<{ basemap: BasemapConfig | null }>('/api/config')
      .then((r) => {
        config.value = r.basemap
      })
      .catch(() => {
        config.value = null
      })
      .finally(() => {
        loaded.value = true
      })
    return loading
  }

  /** A FeatureCollection as the map must draw it (shifted to GCJ-02 when the base map is). */
  function toDisplayCollection<T extends Parameters<typeof collectionToGcj02>[0]>(fc: T): T {
    return crs.value === 'gcj02' ? collectionToGcj02(fc) : fc
  }

  /** A WGS84 point as the map shows it. */
  function toDisplay(lon: number, lat: number): [number, number] {
    return toDisplayIn(lon, lat, crs.value)
  }

  /** A point of the map (a click) in WGS84. */
  function fromDisplay(lon: number, lat: number): [number, number] {
    return fromDisplayIn(lon, lat, crs.value)
  }

  return { config, loaded, suppressed, crs, active, load, toDisplayCollection, toDisplay, fromDisplay }
})
