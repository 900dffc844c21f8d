/**
 * HTML markers that follow features of a GeoJSON source in view: cluster counts and the pulse
 * of overdue hazards.
 *
 * Why HTML: the map style loads no glyphs (nothing may be fetched from another host), so a symbol
 * layer cannot write numbers; and a pulse drawn with `setPaintProperty` on every animation frame
 * keeps the map from ever becoming idle. A CSS-animated element costs the map nothing.
 */
import { Marker, type FilterSpecification, type GeoJSONFeature, type Map as MaplibreMap, type MapSourceDataEvent } from 'maplibre-gl'
import { onUnmounted } from 'vue'

/** Options of {@link useFeatureMarkers}. */
export interface FeatureMarkerOptions {
  /** The GeoJSON source whose features get markers. */
  sourceId: string
  /** Which of its features (as `querySourceFeatures` sees them, clusters included). */
  filter: FilterSpecification
  /** A stable key of a feature (e.g. its id, or `cluster_id`). */
  key: (feature: GeoJSONFeature) => string | null
  /** Creates the element of a new marker ({@link FeatureMarkerOptions.update} then fills it in). */
  create: (feature: GeoJSONFeature) => HTMLElement
  /** Brings an existing marker's element up to date with its feature. */
  update?: (element: HTMLElement, feature: GeoJSONFeature) => void
}

/** Minimum milliseconds between marker updates while the map moves. */
const UPDATE_EVERY_MS = 120

/** Keeps one marker on every matching feature in view until unmount. */
export function useFeatureMarkers(map: MaplibreMap, options: FeatureMarkerOptions): void {
  const markers = new Map<string, Marker>()
  let last = 0
  let trailing: ReturnType<typeof setTimeout> | null = null

  function update(): void {
    last = Date.now()
    if (!map.getSource(options.sourceId)) return
    const seen = new Set<string>()
    for (const feature of map.querySourceFeatures(options.sourceId, { filter: options.filter })) {
      const key = options.key(feature)
      if (key === null || seen.has(key) || feature.geometry.type !== 'Point') continue
      seen.add(key)
      const [lon = 0, lat = 0] = feature.geometry.coordinates
      let marker = markers.get(key)
      if (!marker) {
        marker = new Marker({ element: options.create(feature) }).setLngLat([lon, lat]).addTo(map)
        markers.set(key, marker)
      } else {
        marker.setLngLat([lon, lat])
      }
      options.update?.(marker.getElement(), feature)
    }
    for (const [key, marker] of markers) {
      if (seen.has(key)) continue
      marker.remove()
      markers.delete(key)
    }
  }

  /** Throttled update while the map moves or the data changes, with a last update after. */
  function onChange(): void {
    if (trailing) clearTimeout(trailing)
    trailing = setTimeout(update, UPDATE_EVERY_MS)
    if (Date.now() - last >= UPDATE_EVERY_MS) update()
  }

  function onSourceData(event: MapSourceDataEvent): void {
    if (event.sourceId === options.sourceId) onChange()
  }

  map.on('move', onChange)
  map.on('moveend', onChange)
  map.on('sourcedata', onSourceData)
  update()

  onUnmounted(() => {
    map.off('move', onChange)
    map.off('moveend', onChange)
    map.off('sourcedata', onSourceData)
    if (trailing) clearTimeout(trailing)
    for (const marker of markers.values()) marker.remove()
    markers.clear()
  })
}
