/**
 * Colours of the analysis layers: the ArcGIS Hot Spot Analysis convention for Gi* bins, and one
 * colour per hazard category for the trend lines.
 */
import { HOTSPOT_CONFIDENCES } from '../../core/answers.ts'
import type { HotspotConfidence } from '../api/analytics.ts'
import type { HazardCategory } from '../api/types.ts'

/** Fill of a hot-spot cell by confidence bin (ArcGIS Hot Spot Analysis palette). */
export const HOTSPOT_COLORS: Record<HotspotConfidence, string> = {
  3: '#d62f27',
  2: '#ed7551',
  1: '#fab984',
  0: '#f7f7f2',
  [-1]: '#c0ccbe',
  [-2]: '#849eba',
  [-3]: '#4575b5',
}

/** The bins from hottest to coldest, the legend's order. */
export const HOTSPOT_BINS: readonly HotspotConfidence[] = HOTSPOT_CONFIDENCES

/** Outline and fill of DBSCAN cluster hulls. */
export const CLUSTER_COLOR = '#7c3aed'

/** One line colour per category (colour-blind-safe Okabe–Ito order, then greys). */
export const CATEGORY_COLORS: Record<HazardCategory, string> = {
  flying_wire_charging: '#d55e00',
  ebike_indoor: '#0072b2',
  fire_lane_blocked: '#cc79a7',
  corridor_clutter: '#e69f00',
  facility_aging: '#009e73',
  poor_lighting: '#56b4e9',
  falling_object_risk: '#8c564b',
  other: '#7f7f7f',
}
