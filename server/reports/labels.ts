/** Chinese labels the printed and downloaded reports use. */
import type { Category, Severity, Status } from '../../core/matters.ts'
import type { ReportPeriod } from '../../core/period.ts'

/** 隐患类别. */
export const CATEGORY_LABELS: Record<Category, string> = {
  flying_wire_charging: '飞线充电',
  ebike_indoor: '电动车入户',
  fire_lane_blocked: '消防通道堵塞',
  corridor_clutter: '楼道堆物',
  facility_aging: '设施老化',
  poor_lighting: '照明不足',
  falling_object_risk: '高空坠物/外墙脱落',
  other: '其他',
}

/** 严重程度 (小事、大事、难事). */
export const SEVERITY_LABELS: Record<Severity, string> = { minor: '一般（小事）', major: '较大（大事）', critical: '重大（难事）' }

/** 状态. */
export const STATUS_LABELS: Record<Status, string> = {
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
