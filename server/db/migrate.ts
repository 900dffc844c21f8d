import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Sql } from './connect.ts'

/** The folder holding `migrations/` and `functions/`. */
export const DB_DIR = resolve(import.meta.dirname, '../../db')

/** Names of migrations applied by one {@link migrate} call. */
export interface MigrateResult {
  applied: string[]
}

/**
 * Apply `db/migrations/NNN_name.sql` in order, each once and each in its own transaction,
 * recorded in `schema_migrations`; then (re)load `db/functions/*.sql` (all `CREATE OR REPLACE`, in name
 * order, function bodies checked when first run).
 * An advisory lock keeps two server processes from migrating at once.
 */
export async function migrate(sql: Sql, dir: string = DB_DIR): Promise<MigrateResult> {
  await sql`create table if not exists schema_migrations (
    name text primary key,
    applied_at timestamptz not null default now()
  )`
  const files = (await readdir(join(dir, 'migrations'))).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort()
  const applied: string[] = []
  for (const file of files) {
    const text = await readFile(join(dir, 'migrations', file), 'utf8')
    await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(735120)`
      const [done] = await tx<{ n: number }[]>`select count(*)::int as n from schema_migrations where name = ${file}`
      if (done && done.n > 0) return
      await tx.unsafe(text)
      await tx`insert into schema_migrations (name) values (${file})`
      applied.push(file)
    })
  }
  const functions = (await readdir(join(dir, 'functions')).catch(() => [] as string[])).filter((f) => f.endsWith('.sql')).sort()
  if (functions.length > 0) {
    await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(735120)`
      // Files may call each other's functions whatever their order: bodies are checked when first run.
      await tx`set local check_function_bodies = off`
      for (const file of functions) await tx.unsafe(await readFile(join(dir, 'functions', file), 'utf8'))
    })
  }
  return { applied }
}
