/**
 * Care visits (每日两访) and points (积分): the words and small rules both ends share. Pure: no I/O.
 * Groups of households are in core/org.ts (CARE_GROUPS) with their names in core/terms.ts (CARE_GROUP_TERMS).
 */
import type { Term } from './terms.ts'

/** How a household's day stands in the calendar. */
export const CARE_DAY_STATES = ['done', 'partial', 'missed', 'open', 'none'] as const
export type CareDayState = (typeof CARE_DAY_STATES)[number]

/** Names of the calendar states: `missed` is a past day (or week) short of the rule; `open` is today, not yet complete. */
export const CARE_DAY_TERMS: Record<CareDayState, Term> = {
  done: { zh: '已完成', en: 'Done' },
  partial: { zh: '未访足', en: 'Short' },
  missed: { zh: '漏访', en: 'Missed' },
  open: { zh: '待走访', en: 'To visit' },
  none: { zh: '—', en: '—' },
}

/** Where points come from (积分来源); `redemption` is an exchange (积分兑换) and counts against the balance. */
export const POINTS_KINDS = ['duty', 'report', 'checkin', 'care_visit', 'redemption'] as const
export type PointsKind = (typeof POINTS_KINDS)[number]

/** Names of the points kinds. */
export const POINTS_KIND_TERMS: Record<PointsKind, Term> = {
  duty: { zh: '在岗时长', en: 'Hours on duty' },
  report: { zh: '上报事项', en: 'Reports' },
  checkin: { zh: '扫码打卡', en: 'Check-ins' },
  care_visit: { zh: '关爱走访', en: 'Care visits' },
  redemption: { zh: '积分兑换', en: 'Redeemed' },
}

/** The points rules of a community (积分规则). */
export interface PointsRules {
  perDutyHour: number
  perReport: number
  perCheckin: number
  perCareVisit: number
}

/** The rules a community has until an admin sets its own. */
export const DEFAULT_POINTS_RULES: PointsRules = { perDutyHour: 10, perReport: 5, perCheckin: 1, perCareVisit: 3 }

/** The visit rule of a household: so many visits a day, or so many a week. */
export type CareRule = { visitsPerDay: number; visitsPerWeek: null } | { visitsPerDay: null; visitsPerWeek: number }

/** A rule in words, e.g. 每日2访 / 2 visits a day. */
export function careRuleLabel(rule: { visitsPerDay: number | null; visitsPerWeek: number | null }, locale: 'zh' | 'en' = 'zh'): string {
  if (rule.visitsPerDay !== null) return locale === 'zh' ? `每日${rule.visitsPerDay}访` : `${rule.visitsPerDay} a day`
  return locale === 'zh' ? `每周${rule.visitsPerWeek ?? 0}访` : `${rule.visitsPerWeek ?? 0} a week`
}

/**
 * Mask a household's address for those who may not see it: the first third of it, then ****
 * (光谷广场社区3栋2单元501 → 光谷广场社区****).
 */
export function maskAddress(address: string | null): string | null {
  if (!address) return address
  const chars = [...address]
  if (chars.length <= 4) return '****'
  return `${chars.slice(0, Math.ceil(chars.length / 3)).join('')}****`
}
