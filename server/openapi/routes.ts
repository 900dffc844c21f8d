import { Hono } from 'hono'
import type { RouterRoute } from 'hono/types'
import type { AppEnv } from '../context.ts'
import { openApiDocument } from './document.ts'
import { referencePage } from './page.ts'

/** Media type of an OpenAPI 3.0 document in JSON (OGC API – Features, `service-desc`). */
export const OPENAPI_TYPE = 'application/vnd.oai.openapi+json;version=3.0'

/**
 * The API's own description, mounted at `/api` without sign-in: `GET /openapi.json` (OpenAPI 3.0)
 * and `GET /docs` (a reference page rendered here from it; nothing is loaded from outside). Both are
 * built once, on first request, from the app's registered routes.
 */
export function openApiRoutes(routes: () => readonly RouterRoute[]): Hono<AppEnv> {
  let json: string | undefined
  let html: string | undefined
  const document = () => openApiDocument(routes())
  return new Hono<AppEnv>()
    .get('/openapi.json', (c) => {
      json ??= JSON.stringify(document())
      return c.body(json, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' })
    })
    .get('/docs', (c) => {
      html ??= referencePage(document())
      return c.html(html, 200, { 'cache-control': 'no-cache' })
    })
}
