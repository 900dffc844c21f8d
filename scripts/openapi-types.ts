/**
 * `npm run openapi-types`: write web/api/openapi-types.ts, the TypeScript of the OpenAPI document
 * (server/openapi/), so the web app can type its calls from the server's own description.
 */
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { createApp } from '../server/app.ts'
import type { Sql } from '../server/db/connect.ts'
import { LiveHub } from '../server/live/hub.ts'
import { openApiDocument } from '../server/openapi/document.ts'
import { typesOf } from '../server/openapi/typescript.ts'

/** Where the types go. */
export const OPENAPI_TYPES_FILE = resolve(import.meta.dirname, '../web/api/openapi-types.ts')

// The app is built only to read its routes: no request is served, so no database is opened.
const live = new LiveHub()
const app = createApp({ sql: {} as Sql, live })
await writeFile(OPENAPI_TYPES_FILE, typesOf(openApiDocument(app.routes)))
live.close()
console.log(`wrote ${OPENAPI_TYPES_FILE}`)
