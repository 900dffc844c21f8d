import { Hono } from 'hono'
import type { AppEnv } from '../context.ts'

/** `GET /api/health`: liveness, database kind and PostGIS version. No auth. */
export const health = new Hono<AppEnv>().get('/', async (c) => {
  const sql = c.get('sql')
  const [row] = await sql<{ postgis: string; pg: string }[]>`
    select postgis_lib_version() as postgis, current_setting('server_version') as pg`
  return c.json({ status: 'ok', database: c.get('databaseKind'), postgis: row?.postgis ?? null, postgres: row?.pg ?? null })
})
