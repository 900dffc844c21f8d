/**
 * The shared body of every `*Layer.vue`: add a GeoJSON source and its style layers to the
 * (already loaded) map, push new data with `setData` whenever the store changes, and remove
 * everything again on unmount.
 */
import { onUnmounted, watch } from 'vue'
import type { FeatureCollection } from 'geojson'
import type {
  CircleLayerSpecification,
  FillExtrusionLayerSpecification,
  FillLayerSpecification,
  GeoJSONSource,
  GeoJSONSourceSpecification,
  HeatmapLayerSpecification,
  LayerSpecification,
  LineLayerSpecification,
  Map as MaplibreMap,
  SymbolLayerSpecification,
} from 'maplibre-gl'
import { useBasemapStore } from '../stores/basemap.ts'
import { useMap } from './map-key.ts'
import { LAYER_SLOTS, SLOT_METADATA_KEY, type LayerSlot } from './style.ts'

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** Style layer types that draw a GeoJSON source. */
type DataLayerSpecification =
  | FillLayerSpecification
  | LineLayerSpecification
  | CircleLayerSpecification
  | FillExtrusionLayerSpecification
  | SymbolLayerSpecification
  | HeatmapLayerSpecification

/** A style layer of the source, without `source` (filled in) and with its z-order group. */
export type SourceLayer = DistributiveOmit<DataLayerSpecification, 'source'> & { slot: LayerSlot }

/** Options of {@link useGeoJsonLayer}. */
export interface GeoJsonLayerOptions {
  /** Source id, e.g. `buildings`; layer ids are `<source>-<kind>`. */
  sourceId: string
  /** Reactive getter of the data; `setData` runs whenever it returns a new object. */
  data: () => FeatureCollection
  /** Style layers drawing the source, bottom to top within their slots. */
  layers: SourceLayer[]
  /** Extra source options, e.g. clustering. */
  source?: Omit<GeoJSONSourceSpecification, 'type' | 'data'>
}

function slotIndex(layer: { metadata?: unknown }): number {
  const meta = layer.metadata as Record<string, unknown> | undefined
  const slot = meta?.[SLOT_METADATA_KEY]
  const index = LAYER_SLOTS.indexOf(slot as LayerSlot)
  return index < 0 ? -1 : index
}

/** The id of the first layer drawn above `slot`, to insert a layer of `slot` before it. */
function beforeIdForSlot(map: MaplibreMap, slot: LayerSlot): string | undefined {
  const target = LAYER_SLOTS.indexOf(slot)
  return map.getStyle().layers.find((layer) => slotIndex(layer) > target)?.id
}

/**
 * Adds the source and layers to the injected map and keeps them in sync with `options.data`.
 * Call from the `setup` of a component rendered inside `MapView`'s default slot.
 *
 * @returns the map, for registering extra event handlers.
 */
export function useGeoJsonLayer(options: GeoJsonLayerOptions): MaplibreMap {
  const map = useMap()
  const { sourceId } = options
  // Over a GCJ-02 base map our WGS84 data is drawn shifted to match it (stores/basemap.ts).
  const basemap = useBasemapStore()
  const display = (): FeatureCollection => basemap.toDisplayCollection(options.data())

  map.addSource(sourceId, { promoteId: 'id', ...options.source, type: 'geojson', data: display() })
  for (const { slot, ...layer } of options.layers) {
    const spec = {
      ...layer,
      source: sourceId,
      metadata: { ...(layer.metadata as object | undefined), [SLOT_METADATA_KEY]: slot },
    } as LayerSpecification
    map.addLayer(spec, beforeIdForSlot(map, slot))
  }

  const stop = watch(display, (data) => {
    const source = map.getSource<GeoJSONSource>(sourceId)
    void source?.setData(data)
  })

  onUnmounted(() => {
    stop()
    try {
      for (const layer of options.layers) {
        if (map.getLayer(layer.id)) map.removeLayer(layer.id)
      }
      if (map.getSource(sourceId)) map.removeSource(sourceId)
    } catch {
      // The map is already removed (MapView tore down first): nothing left to clean.
    }
  })

  return map
}
