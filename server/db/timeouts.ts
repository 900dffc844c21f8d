/**
 * Statement timeouts per request class, so no request monopolises the database.
 *
 * - `read`: every statement of a connection by default (reads and small writes): {@link STATEMENT_TIMEOUT_MS}.read.
 * - `heavy`: analysis a user starts (zone check, zone suggestions): bounded per statement, and
 *   written as many short statements so others' queries run in between (the embedded database
 *   has one connection and serves statements in turn; PGlite has no timer to cancel a statement).
 * - `import`: imports, longer.
 *
 * A statement cut by its timeout answers 503 "took too long" (server/problem.ts, SQLSTATE 57014).
 */
import type { Queryable, Sql } from './connect.ts'

/** The statement timeout of each request class, in ms. */
export const STATEMENT_TIMEOUT_MS = {
  read: 15_000,
  heavy: 5_000,
  import: 120_000,
} as const

/** A request class. */
export type RequestClass = keyof typeof STATEMENT_TIMEOUT_MS

/** Run `fn` in a transaction whose statements are bounded by the class's timeout (`SET LOCAL statement_timeout`). */
export async function withStatementTimeout<T>(sql: Sql, kind: RequestClass, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    await tx.unsafe(`set local statement_timeout = ${STATEMENT_TIMEOUT_MS[kind]}`)
    return fn(tx)
  }) as Promise<T>
}

/** Bound the statements of an open transaction by the class's timeout. */
export async function setStatementTimeout(tx: Queryable, kind: RequestClass): Promise<void> {
  await tx.unsafe(`set local statement_timeout = ${STATEMENT_TIMEOUT_MS[kind]}`)
}
