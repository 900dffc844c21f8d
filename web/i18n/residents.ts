/**
 * Words of the residents' pages (人人都是安全员, issue 15): the public report page, the tracking page and the
 * command centre's review, in both locales side by side. `useResidentsText()` follows the app's locale.
 */
import { CATEGORY_TERMS, LEVEL_TERMS, RATING_TERMS, STATUS_TERMS, TYPE_TERMS } from '../../core/terms.ts'
import type { Status } from '../../core/matters.ts'
import type { Rating } from '../../core/org.ts'
import { interpolate, useI18n } from './index.ts'

const M = {
  'report.title': ['随手拍 · 居民上报', 'Report it · residents'],
  'report.motto': ['人人都是安全员，件件有回音', 'Everyone keeps the neighbourhood safe; every report gets an answer'],
  'report.place': ['上报位置', 'Place'],
  'report.placeUnknown': ['二维码无效或已更换，请在地图上选择位置', 'This code is unknown or was replaced; pick the spot on the map'],
  'report.kind': ['类型', 'Kind'],
  'report.category': ['类别', 'Category'],
  'report.description': ['情况描述', 'What did you see?'],
  'report.descriptionHint': ['例如：3单元楼道堆满纸箱，挡住了安全出口', 'e.g. boxes piled in the stairwell of unit 3, blocking the exit'],
  'report.photo': ['照片（可选）', 'Photo (optional)'],
  'report.contact': ['手机号（可选，仅工作人员可见）', 'Phone (optional, staff only)'],
  'report.pick': ['在地图上点选位置，或使用当前位置', 'Tap the map to pick the spot, or use your position'],
  'report.locate': ['使用我的位置', 'Use my position'],
  'report.locating': ['正在定位…', 'Locating…'],
  'report.noPosition': ['无法获取位置，请在地图上点选', 'No position; tap the map instead'],
  'report.picked': ['已选位置', 'Spot picked'],
  'report.needSpot': ['请先选择位置', 'Pick the spot first'],
  'report.send': ['提交', 'Send'],
  'report.sending': ['正在提交…', 'Sending…'],
  'report.sent': ['已收到，我们会尽快核实处理', 'Received: we will check and handle it soon'],
  'report.track': ['凭此链接查看进度和答复（请保存）：', 'Follow progress and the answer at this link (keep it):'],
  'report.another': ['再报一件', 'Report another'],
  'report.tooMany': ['提交过于频繁，请稍后再试', 'Too many reports; please try again later'],
  'report.outside': ['该位置不在服务的社区范围内', 'This place is outside the communities served'],
  'track.title': ['上报进度', 'Report progress'],
  'track.code': ['查询码', 'Tracking code'],
  'track.reportedAt': ['上报时间', 'Reported'],
  'track.timeline': ['办理进度', 'Progress'],
  'track.answer': ['答复', 'Answer'],
  'track.noAnswer': ['暂无答复', 'No answer yet'],
  'track.rate': ['对办理结果满意吗？', 'Are you satisfied with the result?'],
  'track.comment': ['补充说明（可选）', 'Comment (optional)'],
  'track.rated': ['您的评价：{rating}', 'Your rating: {rating}'],
  'track.reopened': ['已收到您的意见，将重新核查处理', 'Thank you: it will be checked again'],
  'track.notFound': ['未找到此上报，请核对链接', 'No report has this link; check it'],
  'review.title': ['待核实 · 居民上报', 'Pending review · resident report'],
  'review.answer': ['答复居民（不予受理时必填）', 'Answer to the resident (required to decline)'],
  'review.accept': ['核实受理', 'Accept'],
  'review.decline': ['不予受理', 'Decline'],
  'review.needAnswer': ['不予受理须填写答复', 'Declining needs an answer'],
  'review.contact': ['联系电话', 'Contact'],
  'review.pending': ['待核实', 'Pending review'],
  'review.list': ['待核实 {n}', 'To review {n}'],
  'summary.title': ['平安网格月度公示', 'Community safety: monthly notice'],
  'summary.heading': ['{community} · {month}', '{community} · {month}'],
  'summary.total': ['受理事项', 'Matters'],
  'summary.closed': ['已办结', 'Closed'],
  'summary.closedRate': ['办结率', 'Closed'],
  'summary.avgHours': ['平均办理时长', 'Average handling time'],
  'summary.hours': ['{n} 小时', '{n} h'],
  'summary.satisfaction': ['居民满意率', 'Residents satisfied'],
  'summary.ratings': ['满意 {s} · 基本满意 {b} · 不满意 {u}（共 {n} 件评价）', 'satisfied {s} · basically {b} · unsatisfied {u} ({n} ratings)'],
  'summary.residentReports': ['居民随手拍上报 {n} 件', '{n} reports by residents'],
  'summary.byType': ['按事项类型', 'By kind'],
  'summary.byCategory': ['按类别', 'By category'],
  'summary.byLevel': ['按办理层级', 'By handling level'],
  'summary.byGrid': ['按网格', 'By grid'],
  'summary.noGrid': ['未划入网格', 'Outside every grid'],
  'summary.count': ['件数', 'Count'],
  'summary.none': ['本月暂无事项', 'Nothing this month'],
  'summary.prev': ['上个月', 'Previous month'],
  'summary.next': ['下个月', 'Next month'],
  'summary.print': ['打印', 'Print'],
  'summary.privacy': ['本页仅公布统计数字，不含任何个人信息。数据截至 {at}。', 'Counts only, no personal data. As of {at}.'],
  'summary.notFound': ['未找到该社区的公示，请核对链接', 'No notice for this link; check it'],
  'summary.motto': ['人人都是安全员，件件有回音', 'Everyone keeps the neighbourhood safe; every report gets an answer'],
} as const satisfies Record<string, readonly [string, string]>

/** A key of the residents' words. */
export type ResidentsKey = keyof typeof M

/** The residents' words in the app's locale, with the shared terms (status, kind, category, rating). */
export function useResidentsText(): ((key: ResidentsKey, params?: Record<string, string | number>) => string) & {
  status: (s: Status) => string
  type: (t: string) => string
  category: (c: string) => string
  rating: (r: Rating) => string
  level: (l: string) => string
} {
  const { locale } = useI18n()
  const lang = (): 'zh' | 'en' => (locale.value === 'en' ? 'en' : 'zh')
  const t = (key: ResidentsKey, params?: Record<string, string | number>): string => interpolate(M[key][lang() === 'en' ? 1 : 0], params)
  return Object.assign(t, {
    status: (s: Status) => STATUS_TERMS[s][lang()],
    type: (x: string) => TYPE_TERMS[x as keyof typeof TYPE_TERMS]?.[lang()] ?? x,
    category: (c: string) => CATEGORY_TERMS[c as keyof typeof CATEGORY_TERMS]?.[lang()] ?? c,
    rating: (r: Rating) => RATING_TERMS[r][lang()],
    level: (l: string) => LEVEL_TERMS[l as keyof typeof LEVEL_TERMS]?.[lang()] ?? l,
  })
}
