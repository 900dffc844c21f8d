/**
 * Why an outbox record failed, in words for the patrol member: a short explanation in the UI language only
 * (the server's own text is English and stays out of the phone; the record keeps it for support).
 */
import type { MessageKey } from '../i18n/index.ts'
import type { QueueItem } from './queue.ts'

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string

const BY_STATUS: Partial<Record<number, MessageKey>> = {
  400: 'outbox.reason400',
  403: 'outbox.reason403',
  409: 'outbox.reason409',
  410: 'outbox.reason410',
  413: 'outbox.reason413',
  422: 'outbox.reason422',
}

/** The reason an item failed or waits, or '' when it has none. */
export function failureText(item: QueueItem, t: Translate): string {
  const e = item.lastError
  if (!e) return ''
  if (item.status !== 'failed') return e.status === 0 ? t('outbox.reasonNetwork') : t('outbox.reasonServer', { status: e.status })
  if (e.status === 0) return item.kind === 'photo' ? t('outbox.reasonNoHazard') : e.title
  const key = e.status === 404 ? (item.kind === 'checkin' ? 'outbox.reason404Code' : 'outbox.reason404') : BY_STATUS[e.status]
  return key ? t(key) : t('outbox.reasonRefused', { status: e.status })
}
