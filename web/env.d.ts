/**
 * Globals of the web app.
 */
import type { Map as MaplibreMap } from 'maplibre-gl'

declare global {
  interface Window {
    /** Test hook: set by MapView once the map is idle with its data loaded. */
    __safegrid?: { map: MaplibreMap }
  }
}

export {}
