/** Chinese labels the printed and downloaded reports use. */
import { ALL_CATEGORIES, type Level, type MatterCategory, type MatterType, type Severity, type Status } from '../../core/matters.ts'
import { CATEGORY_TERMS, LEVEL_TERMS, TYPE_TERMS } from '../../core/terms.ts'
import type { ReportPeriod } from '../../core/period.ts'

/** 类别: the hazards' as the reports always named them, the other kinds' from core/terms.ts. */
export const CATEGORY_LABELS: Record<MatterCategory, string> = {
  ...(Object.fromEntries(ALL_CATEGORIES.map((c) => [c, CATEGORY_TERMS[c].zh])) as Record<MatterCategory, string>),
  flying_wire_charging: '飞线充电',
  ebike_indoor: '电动车入户',
  fire_lane_blocked: '消防通道堵塞',
  corridor_clutter: '楼道堆物',
  facility_aging: '设施老化',
  poor_lighting: '照明不足',
  falling_object_risk: '高空坠物/外墙脱落',
  other: '其他',
}

/** 危险程度 (contract v2: danger only; 小事/大事/难事 are the handling levels). */
export const SEVERITY_LABELS: Record<Severity, string> = { minor: '一般', major: '较大', critical: '重大' }

/** 办理层级 with the 7135 name of its matters and its days: 微网格（小事，1 天）. */
export const LEVEL_LABELS = Object.fromEntries(
  (Object.keys(LEVEL_TERMS) as Level[]).map((l) => [l, `${LEVEL_TERMS[l].zh}（${LEVEL_TERMS[l].matter.zh}）`]),
) as Record<Level, string>

/** 事项类型. */
export const TYPE_LABELS = Object.fromEntries((Object.keys(TYPE_TERMS) as MatterType[]).map((t) => [t, TYPE_TERMS[t].zh])) as Record<MatterType, string>

/** 状态. */
export const STATUS_LABELS: Record<Status, string> = {
  pending_review: '待核实',
  reported: '已上报',
  dispatched: '已派单',
  rectifying: '整改中',
  rectified: '待回访',
  verified: '已办结',
  reopened: '反弹重办',
  rejected: '已驳回',
}

/** The report's name per period: 日巡查报告, 周例会报告, 月通报. */
export const PERIOD_TITLES: Record<ReportPeriod, string> = {
  day: '日巡查报告',
  week: '周例会报告',
  month: '月度通报',
}

/** File-name stem per period. */
export const PERIOD_FILE: Record<ReportPeriod, { ascii: string; zh: string }> = {
  day: { ascii: 'daily-report', zh: '日巡查报告' },
  week: { ascii: 'weekly-report', zh: '周例会报告' },
  month: { ascii: 'monthly-report', zh: '月度通报' },
}

/** Gi* confidence bins. */
export function confidenceLabel(confidence: number): string {
  if (confidence >= 3) return '热点 99%'
  if (confidence === 2) return '热点 95%'
  if (confidence === 1) return '热点 90%'
  if (confidence <= -1) return '冷点'
  return '不显著'
}
