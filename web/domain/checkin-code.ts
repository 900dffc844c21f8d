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
