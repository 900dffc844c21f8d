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
  if (item.kind === 'arrival') {
    // Issue 15: the server says how far it allows ("note: required beyond 120 m"); the phone says it in its words.
    const limit = /beyond (\d+) m/.exec(e.detail ?? '')?.[1]
    if (e.status === 422 && limit) return t('arrive.tooFar', { limit })
    if (e.status === 409) return t('arrive.already')
    if (e.status === 403) return t('arrive.notYours')
  }
  const key = e.status === 404 ? (item.kind === 'checkin' ? 'outbox.reason404Code' : 'outbox.reason404') : BY_STATUS[e.status]
  return key ? t(key) : t('outbox.reasonRefused', { status: e.status })
}
