/**
 * Messages of the patrol plans card (leader view), in both locales side by side.
 * `usePlanText()` follows the app's locale; plan type names come from core/terms.ts.
 */
import { PLAN_TYPE_TERMS, type PlanType } from '../../core/plans.ts'
import { interpolate, useI18n } from './index.ts'

const M = {
  'plans.title': ['巡查计划', 'Patrol plans'],
  'plans.empty': ['本周还没有计划。', 'No plans this week.'],
  'plans.new': ['新建计划', 'New plan'],
  'plans.cancel': ['取消', 'Cancel'],
  'plans.save': ['保存计划', 'Save plan'],
  'plans.saving': ['保存中…', 'Saving…'],
  'plans.name': ['名称', 'Name'],
  'plans.type': ['类型', 'Type'],
  'plans.from': ['开始', 'From'],
  'plans.to': ['结束', 'To'],
  'plans.repeat': ['每周重复', 'Repeat weekly'],
  'plans.dailyStart': ['每日开始', 'Daily start'],
  'plans.dailyEnd': ['每日结束', 'Daily end'],
  'plans.zones': ['网格', 'Zones'],
  'plans.people': ['人员', 'People'],
  'plans.leader': ['带队', 'Leader'],
  'plans.noLeader': ['（未定）', '(none)'],
  'plans.weekdays': ['一,二,三,四,五,六,日', 'Mon,Tue,Wed,Thu,Fri,Sat,Sun'],
  'plans.weekdayPrefix': ['周', ''],
  'plans.summary': ['{zones} 个网格 · {people} 人', '{zones} zones · {people} people'],
  'plans.select': ['计划与实际', 'Plan vs reality'],
  'plans.reality': ['计划与实际：{name}', 'Plan vs reality: {name}'],
  'plans.window': ['时段 {from} – {to}', 'Window {from} – {to}'],
  'plans.came': ['到岗', 'Came'],
  'plans.absent': ['未到', 'Absent'],
  'plans.extra': ['计划外', 'Unplanned'],
  'plans.minutes': ['{n} 分钟', '{n} min'],
  'plans.distance': ['{n} 米', '{n} m'],
  'plans.coverage': ['楼栋覆盖 {visited}/{total}（{pct}%）', 'Buildings covered {visited}/{total} ({pct}%)'],
  'plans.keyPlaces': ['重点部位 {visited}/{total}', 'Key places {visited}/{total}'],
  'plans.zoneRow': ['{name}：{visited}/{total}', '{name}: {visited}/{total}'],
  'plans.nobodyNow': ['此刻无人在岗的网格：{zones}', 'Zones with nobody on duty now: {zones}'],
  'plans.allManned': ['此刻各网格都有人在岗', 'Someone is on duty in every zone now'],
  'plans.notRunning': ['计划当前不在执行时段', 'The plan is not running now'],
  'plans.loadFailed': ['加载失败：{error}', 'Could not load: {error}'],
  'plans.refresh': ['刷新', 'Refresh'],
} as const satisfies Record<string, readonly [string, string]>

/** A message key of the plans card. */
export type PlanKey = keyof typeof M

/** The translator of the plans card in the app's locale, and the plan type names. */
export function usePlanText(): { tx: (key: PlanKey, params?: Record<string, string | number>) => string; typeName: (type: PlanType) => string } {
  const { locale } = useI18n()
  return {
    tx: (key, params) => interpolate(M[key][locale.value === 'en' ? 1 : 0], params),
    typeName: (type) => PLAN_TYPE_TERMS[type][locale.value === 'en' ? 'en' : 'zh'],
  }
}
