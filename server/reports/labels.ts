/** Chinese labels the printed and downloaded reports use. */
import { type Level, type MatterCategory, type MatterType, type Severity, type Status } from '../../core/matters.ts'
import { CATEGORY_TERMS, LEVEL_TERMS, labelsOf, PERIOD_TERMS, SEVERITY_TERMS, STATUS_TERMS, TYPE_TERMS } from '../../core/terms.ts'
import type { ReportPeriod } from '../../core/period.ts'

/** 类别, from the one term table (core/terms.ts). */
export const CATEGORY_LABELS: Record<MatterCategory, string> = labelsOf(CATEGORY_TERMS)

/** 危险程度 (contract v2: danger only; 小事/大事/难事 are the handling levels). */
export const SEVERITY_LABELS: Record<Severity, string> = labelsOf(SEVERITY_TERMS)

/** 办理层级 with the 7135 name of its matters and its days: 微网格（小事，1 天）. */
export const LEVEL_LABELS = Object.fromEntries(
  (Object.keys(LEVEL_TERMS) as Level[]).map((l) => [l, `${LEVEL_TERMS[l].zh}（${LEVEL_TERMS[l].matter.zh}）`]),
) as Record<Level, string>

/** 事项类型. */
export const TYPE_LABELS: Record<MatterType, string> = labelsOf(TYPE_TERMS)

/** 状态. */
export const STATUS_LABELS: Record<Status, string> = labelsOf(STATUS_TERMS)

/** The report's name per period: 日巡查报告, 周例会报告, 月通报. */
export const PERIOD_TITLES: Record<ReportPeriod, string> = labelsOf(PERIOD_TERMS)

/** File-name stem per period. */
export const PERIOD_FILE: Record<ReportPeriod, { ascii: string; zh: string }> = {
  day: { ascii: 'daily-report', zh: PERIOD_TERMS.day.zh },
  week: { ascii: 'weekly-report', zh: PERIOD_TERMS.week.zh },
  month: { ascii: 'monthly-report', zh: PERIOD_TERMS.month.zh },
}

/** Gi* confidence bins. */
export function confidenceLabel(confidence: number): string {
  if (confidence >= 3) return '热点 99%'
  if (confidence === 2) return '热点 95%'
  if (confidence === 1) return '热点 90%'
  if (confidence <= -1) return '冷点'
  return '不显著'
}
