/**
 * A tiny i18n layer: Chinese by default, English switchable, the choice kept in localStorage.
 *
 * Usage: `const { t, locale, setLocale } = useI18n()`; `t('header.total')`,
 * `t('list.count', { n: 3 })`. Locale state is module-global, so every component sees the same.
 */
import { computed, ref, watchEffect, type ComputedRef, type Ref } from 'vue'
import type { HazardSeverity, HazardStatus, Role } from '../api/types.ts'
import { formatArea, formatAreaChange } from '../../core/area.ts'
import { CATEGORY_TERMS } from '../../core/terms.ts'
import { en } from './en.ts'
import { zh, type MessageKey } from './zh.ts'

export type { MessageKey } from './zh.ts'

/** Supported UI locales. */
export type Locale = 'zh' | 'en'

/** Locales in the order the switch offers them. */
export const LOCALES: readonly Locale[] = ['zh', 'en']

const STORAGE_KEY = 'safegrid.locale'
const dictionaries: Record<Locale, Record<MessageKey, string>> = { zh, en }

/** BCP 47 tags for `<html lang>` and `Intl` formatting. */
const LANGUAGE_TAGS: Record<Locale, string> = { zh: 'zh-CN', en: 'en' }

function isLocale(value: unknown): value is Locale {
  return value === 'zh' || value === 'en'
}

function readStoredLocale(): Locale {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY)
    if (isLocale(stored)) return stored
  } catch {
    // Storage can be unavailable (privacy mode); fall back to the default.
  }
  return 'zh'
}

const currentLocale = ref<Locale>(readStoredLocale())

if (typeof document !== 'undefined') {
  watchEffect(() => {
    document.documentElement.lang = LANGUAGE_TAGS[currentLocale.value]
  })
}

/** Replaces `{name}` placeholders in `template` with `params[name]`. */
export function interpolate(template: string, params?: Record<string, string | number>): string {
  if (!params) return template
  return template.replace(/\{(\w+)\}/g, (match, name: string) => {
    const value = params[name]
    return value === undefined ? match : String(value)
  })
}

/** Translates `key` in `locale` (falling back to Chinese, then to the key itself). */
export function translate(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  const message = dictionaries[locale][key] ?? zh[key] ?? key
  return interpolate(message, params)
}

/** What {@link useI18n} returns. */
export interface I18n {
  /** The current locale (reactive, writable through {@link I18n.setLocale}). */
  locale: Readonly<Ref<Locale>>
  /** The BCP 47 tag of the current locale, for `Intl` APIs. */
  languageTag: ComputedRef<string>
  /** Translates a message key in the current locale. */
  t: (key: MessageKey, params?: Record<string, string | number>) => string
  /** Switches the locale and remembers the choice. */
  setLocale: (locale: Locale) => void
  /** Label of a hazard category. */
  /** A category of any kind of matter. */
  categoryLabel: (category: string) => string
  /** Label of a hazard severity. */
  severityLabel: (severity: HazardSeverity) => string
  /** Label of a hazard status. */
  statusLabel: (status: HazardStatus) => string
  /** Formats an ISO time as a short local date-time (Asia/Shanghai). */
  formatDateTime: (iso: string) => string
  /** Formats an ISO time or Date as a local clock time (Asia/Shanghai). */
  formatTime: (value: string | Date) => string
  /** Label of a user role. */
  roleLabel: (role: Role) => string
  /** Formats a share (0..1) as a whole percentage, e.g. `0.86` → `86%`. */
  formatPercent: (share: number) => string
  /** Formats a date as month and day with the weekday (Asia/Shanghai), e.g. `11/27 周四`. */
  formatDay: (value: string | Date) => string
  /** Formats a time as hours and minutes (Asia/Shanghai), e.g. `22:10`. */
  formatClock: (value: string | Date) => string
  /** Formats an area the one way of core/area.ts: `8,520 m²` below a hectare, `1.35 公顷` / `1.35 ha` from one up. */
  formatArea: (m2: number) => string
  /** A change of area with its sign (`+320 m²`, `−1.2 公顷`). */
  formatAreaChange: (m2: number) => string
}

function setLocale(locale: Locale): void {
  currentLocale.value = locale
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, locale)
  } catch {
    // Not remembered, but the switch still works for this page.
  }
}

const languageTag = computed(() => LANGUAGE_TAGS[currentLocale.value])

function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(currentLocale.value, key, params)
}

function format(value: string | Date, options: Intl.DateTimeFormatOptions): string {
  const date = typeof value === 'string' ? new Date(value) : value
  if (Number.isNaN(date.getTime())) return typeof value === 'string' ? value : ''
  return new Intl.DateTimeFormat(languageTag.value, { timeZone: 'Asia/Shanghai', hour12: false, ...options }).format(date)
}

const i18n: I18n = {
  locale: currentLocale,
  languageTag,
  t,
  setLocale,
  // Hazard categories have messages; the other kinds' categories come from the one table of terms (core/terms.ts).
  categoryLabel: (category) => {
    const key = `category.${category}` as MessageKey
    if (key in zh) return t(key)
    const term = CATEGORY_TERMS[category as keyof typeof CATEGORY_TERMS]
    return term ? term[currentLocale.value === 'en' ? 'en' : 'zh'] : category
  },
  severityLabel: (severity) => t(`severity.${severity}`),
  statusLabel: (status) => t(`hazardStatus.${status}`),
  formatDateTime: (iso) => format(iso, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }),
  formatTime: (value) => format(value, { hour: '2-digit', minute: '2-digit', second: '2-digit' }),
  roleLabel: (role) => t(`role.${role}`),
  formatPercent: (share) =>
    new Intl.NumberFormat(languageTag.value, { style: 'percent', maximumFractionDigits: 0 }).format(share),
  formatDay: (value) => format(value, { month: 'numeric', day: 'numeric', weekday: 'short' }),
  formatClock: (value) => format(value, { hour: '2-digit', minute: '2-digit' }),
  formatArea: (m2) => formatArea(m2, currentLocale.value),
  formatAreaChange: (m2) => formatAreaChange(m2, currentLocale.value),
}

/** Returns the app's translation helpers; reactive in templates and computed values. */
export function useI18n(): I18n {
  return i18n
}
