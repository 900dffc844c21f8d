/**
 * The injection key through which {@link MapView} hands its MapLibre map to layer components.
 */
import { computed, inject, type ComputedRef, type InjectionKey, type ShallowRef } from 'vue'
import type { Map as MaplibreMap } from 'maplibre-gl'

/** Provided by `MapView.vue`: the map, `null` until created. */
export const mapKey: InjectionKey<ShallowRef<MaplibreMap | null>> = Symbol('safegrid.map')

/** Pixels along each map edge covered by panels drawn over the map (e.g. the hazard list). */
export interface MapInsets {
  top: number
  right: number
  bottom: number
  left: number
}

/** No panel covers the map. */
export const NO_INSETS: MapInsets = { top: 0, right: 0, bottom: 0, left: 0 }

/** Provided by `MapView.vue`: the current {@link MapInsets}. */
export const mapInsetsKey: InjectionKey<ComputedRef<MapInsets>> = Symbol('safegrid.mapInsets')

/** Returns the {@link MapInsets} of the enclosing `MapView` (none outside one). */
export function useMapInsets(): ComputedRef<MapInsets> {
  return inject(mapInsetsKey, null) ?? computed(() => NO_INSETS)
}

/**
 * Returns the map of the enclosing `MapView`. Only for components rendered in MapView's
 * default slot, which exist only once the map has loaded.
 *
 * @throws Error when used outside a loaded `MapView`.
 */
export function useMap(): MaplibreMap {
  const map = inject(mapKey, null)?.value
  if (!map) throw new Error('useMap() needs a loaded MapView ancestor')
  return map
}
