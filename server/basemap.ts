/**
 * The optional third-party base map an operator may configure (env `BASEMAP_URL`, `BASEMAP_TYPE`,
 * `BASEMAP_ATTRIBUTION`, `BASEMAP_CRS`), served to the web app by `GET /api/config`. Without
 * `BASEMAP_URL` there is none, and the web app loads nothing from outside.
 */

/** A configured base map. Nothing secret: the browser sees all of it. */
export interface BasemapConfig {
  /** `raster`: a tile URL template (`{z}/{x}/{y}`); `vector`: the URL of a MapLibre style JSON. */
  type: 'raster' | 'vector'
  url: string
  attribution: string
  /** The datum of the source: `gcj02` for most Chinese web maps (our WGS84 layers are shifted to match). */
  crs: 'wgs84' | 'gcj02'
}

/** Read the base map from the environment; null when `BASEMAP_URL` is unset. Throws on a bad value. */
export function loadBasemap(env: NodeJS.ProcessEnv = process.env): BasemapConfig | null {
  const url = env.BASEMAP_URL?.trim()
  if (!url) return null
  let parsed: URL
  try {
    parsed = new URL(url.replace(/[{}]/g, '_'))
  } catch {
    throw new Error(`BASEMAP_URL is not a URL: ${url}`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('BASEMAP_URL must be http(s)')
  const type = (env.BASEMAP_TYPE ?? 'raster').trim()
  if (type !== 'raster' && type !== 'vector') throw new Error(`BASEMAP_TYPE must be raster or vector, got ${type}`)
  const crs = (env.BASEMAP_CRS ?? 'wgs84').trim().toLowerCase()
  if (crs !== 'wgs84' && crs !== 'gcj02') throw new Error(`BASEMAP_CRS must be wgs84 or gcj02, got ${crs}`)
  return { type, url, attribution: (env.BASEMAP_ATTRIBUTION ?? '').trim(), crs }
}

/** The origin the browser fetches the base map from (for the Content-Security-Policy), or undefined. */
export function basemapOrigin(config: BasemapConfig | null): string | undefined {
  if (!config) return undefined
  return new URL(config.url.replace(/[{}]/g, '_')).origin
}
