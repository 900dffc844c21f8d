/**
 * Downloads: `Content-Disposition: attachment` with an ASCII `filename` for old clients and the real
 * (Chinese) name as `filename*=UTF-8''…` (RFC 6266 / RFC 8187), and the content type of each format.
 */

/** The formats a list endpoint can be downloaded in. */
export const EXPORT_FORMATS = ['csv', 'xlsx', 'geojson', 'gpx'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** Content type of each download format. */
export const CONTENT_TYPES: Record<ExportFormat | 'html', string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  geojson: 'application/geo+json; charset=utf-8',
  gpx: 'application/gpx+xml; charset=utf-8',
  html: 'text/html; charset=utf-8',
}

/** RFC 8187 percent-encoding (attr-char kept, everything else as UTF-8 %XX). */
function encodeRfc8187(text: string): string {
  return encodeURIComponent(text).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
}

/**
 * `attachment; filename="<ascii>"; filename*=UTF-8''<utf8>`: `ascii` is the fallback (non-ASCII and
 * quotes replaced), `name` the real file name, Chinese welcome.
 */
export function contentDisposition(ascii: string, name: string = ascii, disposition: 'attachment' | 'inline' = 'attachment'): string {
  const fallback = ascii.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encodeRfc8187(name)}`
}

/** Today in Asia/Shanghai, `YYYY-MM-DD`, for file names. */
export function shanghaiToday(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
}
