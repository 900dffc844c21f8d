import { VectorTile } from '@mapbox/vector-tile'
import { PbfReader } from 'pbf'

/** A decoded tile feature: what a map client sees. */
export interface DecodedFeature {
  id: number | undefined
  /** 1 point, 2 line, 3 polygon. */
  type: number
  properties: Record<string, number | string | boolean>
  /** Rings or parts as [x, y] pairs in tile coordinates. */
  geometry: [number, number][][]
}

/** A decoded tile: its layer names and the features of each (in tile order). */
export interface DecodedTile {
  layers: Record<string, { extent: number; version: number; features: DecodedFeature[] }>
}

/** Decode an MVT with @mapbox/vector-tile (what MapLibre uses). */
export function decodeTile(buf: Uint8Array): DecodedTile {
  const tile = new VectorTile(new PbfReader(buf))
  const layers: DecodedTile['layers'] = {}
  for (const [name, layer] of Object.entries(tile.layers)) {
    const features: DecodedFeature[] = []
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i)
      features.push({
        id: f.id,
        type: f.type,
        properties: { ...f.properties },
        geometry: f.loadGeometry().map((ring) => ring.map((p): [number, number] => [p.x, p.y])),
      })
    }
    layers[name] = { extent: layer.extent, version: layer.version, features }
  }
  return { layers }
}
