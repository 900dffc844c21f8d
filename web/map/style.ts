/**
 * The map's look: the base style (drawn only from our own data and the app's own glyphs, no sprites),
 * the colour palette shared by layers and legend, and the z-order of layer groups.
 */
import type { MatterType } from '../../core/matters.ts'
import type { StyleSpecification } from 'maplibre-gl'
import type { HazardSeverity } from '../api/types.ts'

/** Fonts MapLibre uses to draw CJK text locally (no glyph server). */
export const CJK_FONT_FAMILY =
  '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'

/** The ODbL attribution the OpenStreetMap-derived base map requires. */
export const OSM_ATTRIBUTION =
  '© <a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noopener noreferrer">OpenStreetMap</a> contributors (ODbL)'

/** Palette of the map and legend. */
export const COLORS = {
  background: '#e9e7e1',
  communityFill: '#f7f6f2',
  communityLine: '#4a5568',
  water: '#a8cbe6',
  waterLine: '#86b2d6',
  compoundFill: '#e1ebd7',
  compoundLine: '#a9bf95',
  buildingFill: '#d6d0c4',
  residentialFill: '#d9cdb8',
  buildingLine: '#b3aa9a',
  roadCasing: '#cbc4b6',
  majorRoad: '#fdf3cf',
  minorRoad: '#ffffff',
  path: '#958d80',
  rail: '#a19a8f',
  hazardStroke: '#ffffff',
  overdueStroke: '#7a0010',
  slaWarning: '#f59e0b',
  closed: '#9aa3ad',
  selected: '#1d4ed8',
} as const

/** Hazard fill colours by severity: minor amber, major orange, critical red. */
export const SEVERITY_COLORS: Record<HazardSeverity, string> = {
  minor: '#f2b600',
  major: '#f07100',
  critical: '#d7263d',
}

/** Distinct outline colours for responsibility zones, assigned in order. */
export const ZONE_COLORS = [
  '#2563eb',
  '#9333ea',
  '#0d9488',
  '#db2777',
  '#65a30d',
  '#0891b2',
  '#c2410c',
  '#4f46e5',
] as const

/**
 * Layer groups from bottom to top. A layer added later is still drawn in its group's place,
 * whatever order the layer components mount in.
 */
export const LAYER_SLOTS = [
  'underlay',
  'water',
  'landuse',
  'roads',
  'buildings',
  'outlines',
  'zones',
  'labels',
  'points',
  'hazards',
  'overlay',
] as const
/** One of {@link LAYER_SLOTS}. */
export type LayerSlot = (typeof LAYER_SLOTS)[number]

/** The metadata key under which a layer records its {@link LayerSlot}. */
export const SLOT_METADATA_KEY = 'safegrid:slot'

/** The one set of glyph PBFs the app ships (web/public/glyphs, made by scripts/build-glyphs.mjs). */
export const GLYPH_SET = 'noto-sans'

/**
 * Where the map's Latin glyphs come from: signed-distance-field PBFs built from Noto Sans and
 * shipped with the app. The style's URL names the font stack, as MapLibre requires; {@link glyphRequestUrl}
 * sends every stack to the one set. CJK is never fetched but drawn locally with {@link CJK_FONT_FAMILY}.
 */
export function glyphsUrl(origin: string = typeof location === 'undefined' ? '' : location.origin): string {
  return `${origin}/glyphs/{fontstack}/{range}.pbf`
}

/** The URL a glyph range of any font stack is fetched from: the app's own set (MapView's `transformRequest`). */
export function glyphRequestUrl(url: string): string {
  return url.replace(/\/glyphs\/[^/]+\/(\d+-\d+\.pbf)$/u, `/glyphs/${GLYPH_SET}/$1`)
}

/**
 * The base style: a background and the app's own glyphs. Data layers are added by the layer
 * components; there are no sprite URLs, so nothing is ever fetched from another host.
 */
export function createBaseStyle(): StyleSpecification {
  return {
    version: 8,
    name: 'SafeGrid base',
    glyphs: glyphsUrl(),
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': COLORS.background } }],
  }
}

/** The marker of each kind of matter other than hazards (MattersLayer, the legend): its colour and the character it carries. */
export const MATTER_MARKERS: Record<Exclude<MatterType, 'hazard'>, { color: string; glyph: string }> = {
  dispute: { color: '#7c3aed', glyph: '纠' },
  lead: { color: '#1f2937', glyph: '线' },
  emergency: { color: '#dc2626', glyph: '急' },
  request: { color: '#0d9488', glyph: '诉' },
  information: { color: '#2563eb', glyph: '民' },
}
