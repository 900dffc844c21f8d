import { Hono } from 'hono'
import type { BasemapConfig } from '../basemap.ts'
import type { AppEnv } from '../context.ts'

/** `GET /api/config`: what the web app needs to know about this installation (no secrets). */
export function configRoutes(basemap: BasemapConfig | null) {
  return new Hono<AppEnv>().get('/', (c) => c.json({ basemap }))
}
