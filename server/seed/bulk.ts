/**
 * Bulk inserts for generated data: COPY … FROM STDIN on a real PostgreSQL, multi-row
 * `INSERT … SELECT FROM jsonb_to_recordset(…)` (one parameter per statement) on the embedded PGlite.
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type postgres from 'postgres'
import type { Queryable } from '../db/connect.ts'

/** Column types a bulk table may use. */
export type BulkType = 'bigint' | 'int' | 'real' | 'float8' | 'text' | 'bool' | 'timestamptz' | 'geometry'

/** A table and its columns, in the order row values are given. */
export interface BulkTable {
  table: string
  columns: readonly (readonly [name: string, type: BulkType])[]
}

/** A value of a row: geometry as hex EWKB, times as ISO strings. */
export type Cell = string | number | boolean | null

/** How rows get into the database. */
export type BulkMethod = 'copy' | 'json'

/** Rows per statement on the JSON path. */
const JSON_BATCH = 5000
/** Bytes per chunk written to a COPY stream. */
const COPY_CHUNK = 1 << 20

function copyText(v: Cell): string {
  if (v === null) return '\\N'
  if (typeof v === 'boolean') return v ? 't' : 'f'
  if (typeof v === 'number') return String(v)
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : v
}

function typeFragment(sql: Queryable, type: BulkType): postgres.Fragment {
  switch (type) {
    case 'bigint':
      return sql`bigint`
    case 'int':
      return sql`integer`
    case 'real':
      return sql`real`
    case 'float8':
      return sql`float8`
    case 'text':
      return sql`text`
    case 'bool':
      return sql`boolean`
    case 'timestamptz':
      return sql`timestamptz`
    case 'geometry':
      return sql`geometry`
  }
}

/** Insert rows (values in column order) into a table. */
export async function bulkInsert(sql: Queryable, method: BulkMethod, spec: BulkTable, rows: readonly Cell[][]): Promise<void> {
  if (rows.length === 0) return
  const names = spec.columns.map(([name]) => name)
  if (method === 'copy') {
    const target = await sql`copy ${sql(spec.table)} (${sql(names)}) from stdin`.writable()
    function* chunks(): Generator<string> {
      let chunk = ''
      for (const row of rows) {
        chunk += row.map(copyText).join('\t') + '\n'
        if (chunk.length >= COPY_CHUNK) {
          yield chunk
          chunk = ''
        }
      }
      if (chunk) yield chunk
    }
    await pipeline(Readable.from(chunks()), target)
    return
  }
  const defs = spec.columns.map(([name, type]) => sql`${sql(name)} ${typeFragment(sql, type)}`).reduce((a, b) => sql`${a}, ${b}`)
  for (let i = 0; i < rows.length; i += JSON_BATCH) {
    const batch = rows.slice(i, i + JSON_BATCH).map((row) => Object.fromEntries(names.map((n, j) => [n, row[j] ?? null])))
    await sql`
      insert into ${sql(spec.table)} (${sql(names)})
      select ${sql(names)} from jsonb_to_recordset(${JSON.stringify(batch)}::text::jsonb) as r(${defs})`
  }
}
