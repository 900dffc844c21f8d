/**
 * Map labels: where a polygon's name goes (one point per feature, inside it, so a name is drawn
 * once and not once per tile) and the shared look of label text. Latin glyphs come from the app's
 * own PBFs (`/glyphs/noto-sans/{range}.pbf`, see style.ts); CJK is drawn locally with
 * `localIdeographFontFamily`, so no text layer names a font (the default stack is the one MapLibre
 * draws CJK for with that family).
 */
import { booleanPointInPolygon, centerOfMass, pointOnFeature } from '@turf/turf'
import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson'
import type { SourceLayer } from './use-geojson-layer.ts'

/** Halo colour behind label text, so it stays readable over fills and lines. */
export const LABEL_HALO = 'rgba(255,255,255,0.92)'

/**
 * One point per polygon feature with a non-empty `text`, inside the polygon (its centre of mass
 * when that lies inside, else a point on its surface), carrying `text` and the extra properties.
 */
export function labelPoints<P extends Record<string, unknown>>(
  features: readonly Feature[],
  label: (feature: Feature) => (P & { text: string | null }) | null,
): FeatureCollection<Point> {
  const out: Feature<Point>[] = []
  for (const f of features) {
    const g = f.geometry
    if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) continue
    const props = label(f)
    if (!props?.text) continue
    const poly = f as Feature<Polygon | MultiPolygon>
    let point: Feature<Point>
    try {
      point = centerOfMass(poly)
      if (!booleanPointInPolygon(point, poly)) point = pointOnFeature(poly)
    } catch {
      continue
    }
    out.push({ type: 'Feature', id: f.id, geometry: point.geometry, properties: props })
  }
  return { type: 'FeatureCollection', features: out }
}

/**
 * The label layers of zone names over a source of {@link labelPoints} with `text`, `color` and
 * `micro`: grids large in their own colour, micro-grids (微网格) smaller and dark from zoom 15.5.
 * Layer ids are `<id>` and `<id>-micro`.
 */
export function zoneLabelLayers(id: string): SourceLayer[] {
  return [
    {
      id,
      type: 'symbol',
      slot: 'labels',
      filter: ['!', ['get', 'micro']],
      layout: {
        'text-field': ['get', 'text'],
        'text-size': ['interpolate', ['linear'], ['zoom'], 13, 12, 17, 17],
        'text-max-width': 8,
        'text-padding': 4,
      },
      paint: { 'text-color': ['get', 'color'], 'text-halo-color': LABEL_HALO, 'text-halo-width': 2 },
    },
    {
      id: `${id}-micro`,
      type: 'symbol',
      slot: 'labels',
      minzoom: 15.5,
      filter: ['get', 'micro'],
      layout: {
        'text-field': ['get', 'text'],
        'text-size': ['interpolate', ['linear'], ['zoom'], 15.5, 11, 18, 14],
        'text-max-width': 7,
        'text-padding': 3,
      },
      paint: { 'text-color': '#334155', 'text-halo-color': LABEL_HALO, 'text-halo-width': 1.5 },
    },
  ]
}

/** Label points of zones coloured by their layer: `text` (the name), `color` and `micro`. */
export function zoneLabelPoints(features: readonly Feature[]): FeatureCollection<Point> {
  return labelPoints(features, (f) => ({
    text: typeof f.properties?.name === 'string' ? f.properties.name : null,
    color: typeof f.properties?.color === 'string' ? f.properties.color : '#334155',
    micro: f.properties?.micro === true,
  }))
}
