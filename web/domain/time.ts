/**
 * Times as the community sees them. Communities are in China: every wall-clock time is
 * Asia/Shanghai, UTC+8 all year (no daylight saving), whatever time zone the browser is in.
 */

/** Milliseconds in an hour, a day. */
export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000

/** Asia/Shanghai's fixed offset from UTC. */
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS

/** The instant the Asia/Shanghai calendar day containing `at` began. */
export function startOfShanghaiDay(at: Date | number): Date {
  const t = typeof at === 'number' ? at : at.getTime()
  return new Date(Math.floor((t + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS)
}

/** `YYYY-MM-DDTHH:mm`, the Asia/Shanghai wall-clock time of `at` (for `<input type="datetime-local">`). */
export function toShanghaiInput(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16)
}

/** The instant of an Asia/Shanghai wall-clock `YYYY-MM-DDTHH:mm[:ss]`, or null when malformed. */
export function fromShanghaiInput(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null
  const t = Date.parse(`${value.length === 16 ? `${value}:00` : value}+08:00`)
  return Number.isNaN(t) ? null : new Date(t)
}

/** ISO 8601 with the +08:00 offset, e.g. `2026-11-25T22:10:00+08:00` (what the API reads best). */
export function toShanghaiIso(at: Date): string {
  return `${new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19)}+08:00`
}

/**
 * How long ago `then` was, from `now`, in the largest unit that reads naturally: 刚刚, 12 分钟前, 15 小时前, 3 天前
 * (English: just now, 12 min ago, 15 h ago, 3 days ago). The one relative-time formatter of the web app.
 */
export function formatAgo(then: number, now: number, locale: 'zh' | 'en'): string {
  const min = Math.floor((now - then) / 60_000)
  const zh = locale === 'zh'
  if (min < 1) return zh ? '刚刚' : 'just now'
  if (min < 60) return zh ? `${min} 分钟前` : `${min} min ago`
  const hours = Math.floor(min / 60)
  if (hours < 48) return zh ? `${hours} 小时前` : `${hours} h ago`
  const days = Math.floor(hours / 24)
  return zh ? `${days} 天前` : `${days} days ago`
}
