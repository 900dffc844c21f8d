/**
 * Cursor paging of long lists (issue #21: `GET /api/hazards` for a city answered 73 MB at once). A
 * page answers its items and `next`, an opaque cursor naming the last item's sort key; the next page
 * starts strictly after it, so items added or changed meanwhile never shift a page (keyset paging).
 */
import { z } from 'zod'

/** Items per page when `limit` is absent. */
export const DEFAULT_PAGE_LIMIT = 1000
/** Most items a page holds. */
export const MAX_PAGE_LIMIT = 5000

/** The sort key of the last item of a page: a time as PostgreSQL wrote it (microseconds kept) and an id. */
export interface PageKey {
  t: string
  id: number
}

/** `limit` and `cursor` query parameters. */
export const pageQuery = {
  limit: z.coerce.number().int('must be an integer').min(1, 'at least 1').max(MAX_PAGE_LIMIT, `at most ${MAX_PAGE_LIMIT}`).optional(),
  cursor: z
    .string()
    .max(200)
    .transform((s, ctx) => {
      const key = decodeCursor(s)
      if (!key) ctx.addIssue({ code: 'custom', message: 'not a cursor of this list (use `next` of the previous page)' })
      return key ?? { t: '', id: 0 }
    })
    .optional(),
}

/** A cursor for a page key. */
export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.t, key.id])).toString('base64url')
}

/** The page key of a cursor, or undefined when it is not one. */
export function decodeCursor(cursor: string): PageKey | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (!Array.isArray(value) || value.length !== 2) return undefined
    const [t, id] = value as unknown[]
    if (typeof t !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(t)) return undefined
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return undefined
    return { t, id }
  } catch {
    return undefined
  }
}

/** The URL of the next page: this request's URL with `cursor` set. */
export function nextPageUrl(url: string, cursor: string): string {
  const u = new URL(url)
  u.searchParams.set('cursor', cursor)
  return `${u.pathname}${u.search}`
}

/** A cursor naming a text key (a device id: `GET /api/tracks` pages by device). */
export function encodeTextCursor(key: string): string {
  return Buffer.from(JSON.stringify([key])).toString('base64url')
}

/** The text key of a cursor made by {@link encodeTextCursor}, or undefined when it is not one. */
export function decodeTextCursor(cursor: string): string | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    return Array.isArray(value) && value.length === 1 && typeof value[0] === 'string' && value[0].length <= 100 ? value[0] : undefined
  } catch {
    return undefined
  }
}
