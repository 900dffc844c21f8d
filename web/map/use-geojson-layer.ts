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

function addLayers(map: MaplibreMap, sourceId: string, layers: SourceLayer[], sourceLayer?: string): void {
  for (const { slot, ...layer } of layers) {
    const spec = {
      ...layer,
      source: sourceId,
      ...(sourceLayer === undefined ? {} : { 'source-layer': sourceLayer }),
      metadata: { ...(layer.metadata as object | undefined), [SLOT_METADATA_KEY]: slot },
    } as LayerSpecification
    map.addLayer(spec, beforeIdForSlot(map, slot))
  }
}

function removeOnUnmount(map: MaplibreMap, sourceId: string, layers: SourceLayer[], stop?: () => void): void {
  onUnmounted(() => {
    stop?.()
    try {
      for (const layer of layers) {
        if (map.getLayer(layer.id)) map.removeLayer(layer.id)
      }
      if (map.getSource(sourceId)) map.removeSource(sourceId)
    } catch {
      // The map is already removed (MapView tore down first): nothing left to clean.
    }
  })
}

/** Zooms the vector tile layers are fetched at; MapLibre overzooms the z16 tiles beyond. */
export const VECTOR_TILE_ZOOMS = { minzoom: 12, maxzoom: 16 } as const

/** Options of {@link useVectorTileLayer}. */
export interface VectorTileLayerOptions {
  /** Source id, e.g. `buildings`; layer ids are `<source>-<kind>`. */
  sourceId: string
  /** The server's tile layer (`GET /api/tiles/<layer>/{z}/{x}/{y}.mvt`), also the `source-layer`. */
  tileLayer: 'buildings' | 'roads' | 'compounds' | 'compound-labels'
  /** Style layers drawing the source, bottom to top within their slots. */
  layers: SourceLayer[]
}

/**
 * Adds a `vector` source of the server's tiles (same origin, so the session cookie rides along; the
 * server clips to the communities the user may see) and its style layers to the injected map.
 * MapLibre fetches only the tiles in view, so this scales to a city; the tiles are WGS84, so use it
 * only when the map is not drawn in GCJ-02.
 */
export function useVectorTileLayer(options: VectorTileLayerOptions): MaplibreMap {
  const map = useMap()
  const { sourceId, tileLayer } = options
  map.addSource(sourceId, {
    type: 'vector',
    tiles: [`${location.origin}/api/tiles/${tileLayer}/{z}/{x}/{y}.mvt`],
    ...VECTOR_TILE_ZOOMS,
  })
  addLayers(map, sourceId, options.layers, tileLayer)
  removeOnUnmount(map, sourceId, options.layers)
  return map
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
  addLayers(map, sourceId, options.layers)

  const stop = watch(display, (data) => {
    const source = map.getSource<GeoJSONSource>(sourceId)
    void source?.setData(data)
  })

  removeOnUnmount(map, sourceId, options.layers, stop)

  return map
}
