/**
 * Key place codes (重点部位编码, e.g. `KP-000123`) as a patrol member scans or types them: the QR
 * code holds the check-in page's URL (`…/patrol/checkin?code=KP-000123`), the sheet prints the code.
 */

/** The server's rule for a printed code (server/routes/checkins.ts `keyPlaceCode`). */
export const KEY_PLACE_CODE = /^[A-Za-z0-9_-]{1,40}$/

/**
 * The code in a scanned QR text or a typed entry: the `code` parameter of a URL, else the text
 * itself (trimmed; typed letters upper-cased, as printed). Null when it is not a code.
 */
export function codeFromScan(text: string): string | null {
  const raw = text.trim()
  if (raw === '') return null
  let candidate = raw
  if (/^https?:\/\//i.test(raw) || raw.startsWith('/')) {
    try {
      candidate = new URL(raw, 'http://x.invalid').searchParams.get('code')?.trim() ?? ''
    } catch {
      return null
    }
  }
  if (/^kp[-_]/i.test(candidate)) candidate = candidate.toUpperCase()
  return KEY_PLACE_CODE.test(candidate) ? candidate : null
}

/**
 * The first 8 hex digits of the SHA-256 of a code, as `GET /api/key-places` gives patrol members (the server's
 * `codeHash`), or null where the browser has no Web Crypto (a page not served over HTTPS or from localhost).
 */
export async function codeHash(code: string): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle
  if (!subtle) return null
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(code))
  return [...new Uint8Array(digest).slice(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
