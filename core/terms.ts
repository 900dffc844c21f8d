/**
 * One table of terms (术语) and targets (目标) for the web app, the reports and the exports: one word
 * for one thing, in Chinese (the default) and English. Pure: no I/O.
 *
 * The words follow the seeds (长江瑞城, 金槐义警): 已办结 for a closed matter, 超期 for a matter
 * past its deadline, 按期办结率, 月通报. Targets are the defaults; a community may set its own
 * (issue #19: configurable per community).
 */
import { CATEGORIES_BY_TYPE, LEVEL_DAYS, RESPONSE_TARGET_MINUTES, type Level, type MatterType, type Severity, type Source, type Status } from './matters.ts'
import type { CareGroup, PlanType, Rating, TeamKind, UnitKind } from './org.ts'

/** A term in both languages. */
export interface Term {
  zh: string
  en: string
}

/** Languages of the terms. */
export type TermLocale = keyof Term

/** Kinds of matters (事项类型). */
export const TYPE_TERMS: Record<MatterType, Term> = {
  hazard: { zh: '隐患', en: 'Hazard' },
  dispute: { zh: '矛盾纠纷', en: 'Dispute' },
  lead: { zh: '治安线索', en: 'Security lead' },
  emergency: { zh: '突发事件', en: 'Emergency' },
  request: { zh: '居民诉求', en: 'Resident request' },
  information: { zh: '社情民意', en: 'Public opinion' },
}

/** Categories of every kind; `other` is shared. */
export const CATEGORY_TERMS: Record<(typeof CATEGORIES_BY_TYPE)[MatterType][number], Term> = {
  flying_wire_charging: { zh: '飞线充电', en: 'Flying-wire charging' },
  ebike_indoor: { zh: '电动车入户', en: 'E-bike indoors' },
  fire_lane_blocked: { zh: '消防通道堵塞', en: 'Fire lane blocked' },
  corridor_clutter: { zh: '楼道堆物', en: 'Corridor clutter' },
  facility_aging: { zh: '设施老化', en: 'Ageing facilities' },
  poor_lighting: { zh: '照明不足', en: 'Poor lighting' },
  falling_object_risk: { zh: '高空坠物/外墙脱落', en: 'Falling-object risk' },
  neighbours: { zh: '邻里纠纷', en: 'Neighbours' },
  family: { zh: '家庭纠纷', en: 'Family' },
  noise: { zh: '噪音扰民', en: 'Noise' },
  property: { zh: '物业纠纷', en: 'Property management' },
  suspicious_person: { zh: '可疑人员', en: 'Suspicious person' },
  suspicious_vehicle: { zh: '可疑车辆', en: 'Suspicious vehicle' },
  fraud: { zh: '电信诈骗', en: 'Fraud' },
  fire: { zh: '火情', en: 'Fire' },
  medical: { zh: '急病救助', en: 'Medical' },
  flood: { zh: '积水内涝', en: 'Flooding' },
  gas_leak: { zh: '燃气泄漏', en: 'Gas leak' },
  traffic: { zh: '交通事故', en: 'Traffic accident' },
  repair: { zh: '维修求助', en: 'Repair' },
  environment: { zh: '环境卫生', en: 'Environment' },
  elderly_help: { zh: '助老帮扶', en: 'Help for the elderly' },
  micro_wish: { zh: '微心愿', en: 'Micro-wish' },
  opinion: { zh: '意见反映', en: 'Opinion' },
  suggestion: { zh: '建议', en: 'Suggestion' },
  complaint: { zh: '投诉', en: 'Complaint' },
  other: { zh: '其他', en: 'Other' },
}

/** Severity is danger (危险程度). */
export const SEVERITY_TERMS: Record<Severity, Term> = {
  minor: { zh: '一般', en: 'Minor' },
  major: { zh: '较大', en: 'Major' },
  critical: { zh: '重大', en: 'Critical' },
}

/** Handling levels (办理层级) with the 7135 names of their matters. */
export const LEVEL_TERMS: Record<Level, Term & { matter: Term }> = {
  micro_grid: { zh: '微网格', en: 'Micro-grid', matter: { zh: '小事', en: 'small matter' } },
  grid: { zh: '网格', en: 'Grid', matter: { zh: '大事', en: 'big matter' } },
  street: { zh: '街道', en: 'Street', matter: { zh: '难事', en: 'hard matter' } },
}

/** Statuses of the closed loop. */
export const STATUS_TERMS: Record<Status, Term> = {
  pending_review: { zh: '待核实', en: 'Pending review' },
  reported: { zh: '已上报', en: 'Reported' },
  dispatched: { zh: '已派单', en: 'Dispatched' },
  rectifying: { zh: '整改中', en: 'Rectifying' },
  rectified: { zh: '待回访', en: 'Awaiting recheck' },
  verified: { zh: '已办结', en: 'Closed' },
  reopened: { zh: '反弹重办', en: 'Reopened' },
  rejected: { zh: '已驳回', en: 'Rejected' },
}

/** Sources of matters (来源). */
export const SOURCE_TERMS: Record<Source, Term> = {
  patrol: { zh: '巡查发现', en: 'Patrol' },
  resident: { zh: '居民上报', en: 'Resident' },
  hotline_12345: { zh: '12345热线', en: '12345 hotline' },
  command: { zh: '指挥中心', en: 'Command centre' },
  partner: { zh: '共建单位', en: 'Partner unit' },
  import: { zh: '批量导入', en: 'Import' },
}

/** Kinds of team. */
export const TEAM_KIND_TERMS: Record<TeamKind, Term> = {
  patrol: { zh: '巡逻队', en: 'Patrol' },
  mediation: { zh: '调解队', en: 'Mediation' },
  publicity: { zh: '宣传队', en: 'Publicity' },
  school_traffic: { zh: '护学队', en: 'School traffic' },
  emergency: { zh: '应急队', en: 'Emergency' },
  information: { zh: '信息员队', en: 'Information' },
}

/** Kinds of partner unit (共建单位). */
export const UNIT_KIND_TERMS: Record<UnitKind, Term> = {
  property: { zh: '物业服务企业', en: 'Property management' },
  owners_committee: { zh: '业主委员会', en: "Owners' committee" },
  police: { zh: '派出所', en: 'Police station' },
  fire: { zh: '消防救援', en: 'Fire and rescue' },
  enforcement: { zh: '综合执法', en: 'Law enforcement' },
  utility: { zh: '水电气公司', en: 'Utility' },
  other: { zh: '其他单位', en: 'Other unit' },
}

/** Kinds of patrol plan. */
export const PLAN_TYPE_TERMS: Record<PlanType, Term> = {
  routine: { zh: '日常巡查', en: 'Routine patrol' },
  night_special: { zh: '专项夜查', en: 'Night special' },
  joint: { zh: '联合巡查', en: 'Joint patrol' },
  school_gate: { zh: '护学岗', en: 'School gate' },
  event: { zh: '节庆活动巡逻', en: 'Event patrol' },
}

/** Groups of households under care. */
export const CARE_GROUP_TERMS: Record<CareGroup, Term> = {
  elderly_alone: { zh: '独居老人', en: 'Elderly living alone' },
  empty_nest: { zh: '空巢老人', en: 'Empty-nest elderly' },
  disabled: { zh: '残疾人', en: 'Disabled' },
  hardship: { zh: '困难家庭', en: 'Hardship' },
  other: { zh: '其他', en: 'Other' },
}

/** Residents' ratings. */
export const RATING_TERMS: Record<Rating, Term> = {
  satisfied: { zh: '满意', en: 'Satisfied' },
  basically: { zh: '基本满意', en: 'Basically satisfied' },
  unsatisfied: { zh: '不满意', en: 'Unsatisfied' },
}

/** The figures every view, report and export names the same way. */
export const METRIC_TERMS = {
  responseRate: { zh: `${RESPONSE_TARGET_MINUTES}分钟到场率`, en: `On site within ${RESPONSE_TARGET_MINUTES} min` },
  closureRate: { zh: '办结率', en: 'Closure rate' },
  onTimeClosureRate: { zh: '按期办结率', en: 'Closed on time' },
  overdue: { zh: '超期', en: 'Overdue' },
  escalated: { zh: '已升级', en: 'Escalated' },
  fixedOnSpot: { zh: '现场处置', en: 'Fixed on the spot' },
  foundOnPatrol: { zh: '巡查发现', en: 'Found on patrol' },
  satisfactionRate: { zh: '满意率', en: 'Satisfaction' },
  coverage: { zh: '巡查覆盖率', en: 'Patrol coverage' },
  weeklyCoverage: { zh: '每周巡查覆盖率', en: 'Weekly patrol coverage' },
} as const satisfies Record<string, Term>

/** Titles of the periodic reports (日巡查 / 周例会 / 月通报). */
export const PERIOD_TERMS = {
  day: { zh: '日巡查报告', en: 'Daily patrol report' },
  week: { zh: '周例会报告', en: 'Weekly meeting report' },
  month: { zh: '月通报', en: 'Monthly bulletin' },
} as const satisfies Record<string, Term>

/** Targets a community is measured against (shares are 0..1). */
export interface Targets {
  /** Minutes from the report to someone on site (the 7 of 7135: the rule itself, not settable). */
  responseMinutes: number
  /** Share of matters with someone on site within {@link Targets.responseMinutes}. */
  responseRate: number
  /** Share of matters closed by their deadline. */
  onTimeClosureRate: number
  /** Share of compounds patrolled at least once in each ISO week (每周覆盖). */
  weeklyCoverage: number
  /** Days to close at each level (the 1/3/5 of 7135: the rule itself, not settable). */
  levelDays: Record<Level, number>
}

/** The targets a community may set for itself (目标值, issue 19.8); the rest is the 7135 rule. */
export const SETTABLE_TARGETS = ['responseRate', 'onTimeClosureRate', 'weeklyCoverage'] as const

/** A settable target. */
export type SettableTarget = (typeof SETTABLE_TARGETS)[number]

/** What a community set for itself; an absent key takes the default. */
export type OwnTargets = Partial<Record<SettableTarget, number>>

/** The names of the settable targets, as every view, report and export says them. */
export const TARGET_TERMS: Record<SettableTarget, Term> = {
  responseRate: METRIC_TERMS.responseRate,
  onTimeClosureRate: METRIC_TERMS.onTimeClosureRate,
  weeklyCoverage: METRIC_TERMS.weeklyCoverage,
}

/** The default targets (到场率 100 %, 按期办结率 98 %, every compound every week, as the seeds publish them). */
export const DEFAULT_TARGETS: Targets = {
  responseMinutes: RESPONSE_TARGET_MINUTES,
  responseRate: 1,
  onTimeClosureRate: 0.98,
  weeklyCoverage: 1,
  levelDays: LEVEL_DAYS,
}

/** A community's targets: its own where it set them, the defaults elsewhere (unknown keys and values outside 0..1 ignored). */
export function resolveTargets(own: OwnTargets | null | undefined): Targets {
  const targets: Targets = { ...DEFAULT_TARGETS }
  for (const key of SETTABLE_TARGETS) {
    const v = own?.[key]
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1) targets[key] = v
  }
  return targets
}

/** Every term of a table in one language: `labelsOf(STATUS_TERMS)` → `{ reported: '已上报', … }`. */
export function labelsOf<K extends string>(table: Record<K, Term>, locale: TermLocale = 'zh'): Record<K, string> {
  return Object.fromEntries((Object.keys(table) as K[]).map((k) => [k, table[k][locale]])) as Record<K, string>
}

/** The label of a term in `locale`. */
export function term(t: Term, locale: TermLocale = 'zh'): string {
  return t[locale]
}
