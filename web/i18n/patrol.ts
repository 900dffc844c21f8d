/**
 * Messages of the patrol pages (leader view, check-in page, QR sheet), Chinese and English.
 * Kept beside the app's dictionaries so the patrol feature can grow without touching them; the
 * locale is the app's (`useI18n().locale`).
 */
import type { KeyPlaceKind } from '../api/types.ts'
import { interpolate, useI18n } from './index.ts'

const zh = {
  'leader.title': '巡逻覆盖',
  'leader.subtitle': '队长视图',
  'leader.loading': '正在加载巡逻轨迹与覆盖情况…',
  'leader.loadFailed': '巡逻数据加载失败',
  'leader.retry': '重试',
  'leader.commandCenter': '指挥中心',
  'leader.qrSheet': '打印二维码',

  'window.title': '时间段',
  'window.tonight': '今晚',
  'window.lastNight': '昨晚',
  'window.today': '今天',
  'window.last24h': '近24小时',
  'window.custom': '自定义',
  'window.from': '从',
  'window.to': '到',
  'window.apply': '查询',
  'window.invalid': '开始时间须早于结束时间',

  'summary.buildings': '楼栋覆盖',
  'summary.keyPlaces': '重点部位',
  'summary.visited': '已巡 {visited} / {total}',
  'summary.byCheckin': '其中扫码 {n}',
  'summary.radius': '巡到 = 轨迹距建筑 {r} 米以内或扫码打卡',

  'legend.visited': '已巡',
  'legend.unvisited': '未巡',
  'legend.keyVisited': '部位已巡',
  'legend.keyUnvisited': '部位未巡',
  'legend.position': '队员位置',

  'playback.title': '轨迹回放',
  'playback.play': '播放',
  'playback.pause': '暂停',
  'playback.live': '最新',
  'playback.at': '截至 {time}',

  'table.byZone': '按网格',
  'table.byTeam': '按队伍',
  'table.zone': '网格',
  'table.team': '队伍',
  'table.assignee': '网格员',
  'table.buildings': '楼栋',
  'table.keyPlaces': '部位',
  'table.coverage': '覆盖率',
  'table.noTeam': '未分配',

  'next.title': '下一轮巡逻路线',
  'next.hint': '未巡地点按就近顺序排列（直线距离），起点：{origin}',
  'next.fromCentre': '社区中心',
  'next.fromMe': '我的位置',
  'next.useMyLocation': '从我的位置出发',
  'next.locating': '正在定位…',
  'next.locationFailed': '无法获取位置，改从社区中心出发',
  'next.empty': '全部巡到了，没有遗漏。',
  'next.total': '共 {n} 处，约 {km} 公里',
  'next.more': '另有 {n} 处…',
  'next.building': '楼栋',
  'next.keyPlace': '部位',
  'route.hint': '沿步道和小区道路步行，经过全部未巡地点，起点：{origin}',
  'route.zone': '范围',
  'route.wholeCommunity': '全社区',
  'route.compute': '重新计算',
  'route.computing': '正在计算路线…',
  'route.failed': '路线计算失败：{detail}',
  'route.summary': '{n} 处 · {km} 公里 · 步行约 {min} 分钟',
  'route.saving': '比就近顺序少走 {pct}%',
  'route.tooMany': '未巡 {n} 处，超过单条路线上限 {max} 处，已改为未巡最多的网格',
  'route.unreachable': '{n} 处沿道路无法到达（道路不连通或附近无道路）',
  'route.sendTo': '发送到队员手机',
  'route.choosePerson': '选择队员',
  'route.send': '发送',
  'route.sending': '正在发送…',
  'route.sent': '已发送给 {name}',
  'route.sendFailed': '发送失败：{detail}',
  'round.title': '队长安排的下一轮路线',
  'round.none': '队长还没有发来路线。',
  'round.from': '{by} {time} 发送',
  'round.loading': '正在加载路线…',
  'round.failed': '路线加载失败',
  'round.refresh': '刷新',

  'people.title': '队员位置',
  'people.empty': '该时段没有队员轨迹',
  'people.ago': '{min} 分钟前',
  'people.justNow': '刚刚',

  'calendar.title': '近 {days} 天小区巡逻日历',
  'calendar.rule': '每周覆盖：每个小区每周至少巡逻一次',
  'calendar.breaking7': '近7天未巡：{names}',
  'calendar.allGood': '近7天所有小区都已巡逻',
  'calendar.breakingAny': '期间曾连续7天以上未巡：{names}',
  'calendar.gap': '最长连续 {n} 天未巡',
  'calendar.patrolled': '已巡',
  'calendar.notPatrolled': '未巡',
  'calendar.weekBreaking': '{week} 周未巡',
  'calendar.compound': '小区',

  'track.popupTime': '经过时间',
  'track.run': '{from} – {to}，{n} 个点',

  'checkin.title': '扫码打卡',
  'checkin.loading': '正在读取打卡点…',
  'checkin.noCode': '二维码里没有打卡点编号',
  'checkin.unknown': '找不到这个打卡点（{code}）',
  'checkin.submit': '确认打卡',
  'checkin.submitting': '正在打卡…',
  'checkin.done': '已打卡',
  'checkin.doneAt': '{time} 在「{name}」打卡成功',
  'checkin.failed': '打卡失败：{reason}',
  'checkin.again': '再打一次',
  'checkin.back': '返回巡逻页',

  'print.title': '重点部位打卡二维码',
  'print.hint': '用 A4 纸打印，剪下后贴在对应部位；巡逻队员用手机扫码即可打卡。',
  'print.print': '打印',
  'print.empty': '这个社区还没有重点部位',
  'print.scan': '巡逻扫码打卡',

  'kind.entrance': '出入口',
  'kind.garage': '车库',
  'kind.fire_lane': '消防通道',
  'kind.charging_shed': '充电棚',
  'kind.shop': '商铺',
  'kind.other': '其他',
} as const

/** A key of the patrol messages. */
export type PatrolMessageKey = keyof typeof zh

const en: Record<PatrolMessageKey, string> = {
  'leader.title': 'Patrol coverage',
  'leader.subtitle': 'Team leader',
  'leader.loading': 'Loading patrol tracks and coverage…',
  'leader.loadFailed': 'Patrol data could not be loaded',
  'leader.retry': 'Retry',
  'leader.commandCenter': 'Command centre',
  'leader.qrSheet': 'Print QR codes',

  'window.title': 'Window',
  'window.tonight': 'Tonight',
  'window.lastNight': 'Last night',
  'window.today': 'Today',
  'window.last24h': 'Last 24 h',
  'window.custom': 'Custom',
  'window.from': 'From',
  'window.to': 'To',
  'window.apply': 'Show',
  'window.invalid': 'The start must be before the end',

  'summary.buildings': 'Buildings',
  'summary.keyPlaces': 'Key places',
  'summary.visited': '{visited} of {total} visited',
  'summary.byCheckin': '{n} by QR check-in',
  'summary.radius': 'Visited = a track within {r} m, or a check-in',

  'legend.visited': 'Visited',
  'legend.unvisited': 'Not visited',
  'legend.keyVisited': 'Key place visited',
  'legend.keyUnvisited': 'Key place not visited',
  'legend.position': 'Patroller',

  'playback.title': 'Playback',
  'playback.play': 'Play',
  'playback.pause': 'Pause',
  'playback.live': 'Latest',
  'playback.at': 'Up to {time}',

  'table.byZone': 'By zone',
  'table.byTeam': 'By team',
  'table.zone': 'Zone',
  'table.team': 'Team',
  'table.assignee': 'Grid worker',
  'table.buildings': 'Buildings',
  'table.keyPlaces': 'Places',
  'table.coverage': 'Coverage',
  'table.noTeam': 'Unassigned',

  'next.title': 'Next round',
  'next.hint': 'Places not visited, nearest first (straight line), starting from {origin}',
  'next.fromCentre': 'the community centre',
  'next.fromMe': 'my location',
  'next.useMyLocation': 'Start from my location',
  'next.locating': 'Locating…',
  'next.locationFailed': 'No location; starting from the community centre',
  'next.empty': 'Everything was visited.',
  'next.total': '{n} places, about {km} km',
  'next.more': '{n} more…',
  'next.building': 'Building',
  'next.keyPlace': 'Key place',
  'route.hint': 'On foot along paths and estate roads through every unvisited place, starting from {origin}',
  'route.zone': 'Area',
  'route.wholeCommunity': 'Whole community',
  'route.compute': 'Recompute',
  'route.computing': 'Computing the route…',
  'route.failed': 'No route: {detail}',
  'route.summary': '{n} places · {km} km · about {min} min on foot',
  'route.saving': '{pct}% shorter than nearest-first',
  'route.tooMany': '{n} places unvisited, more than {max} per route: showing the zone with the most',
  'route.unreachable': '{n} places cannot be reached along the roads (not connected, or no road near)',
  'route.sendTo': 'Send to a member\'s phone',
  'route.choosePerson': 'Choose a member',
  'route.send': 'Send',
  'route.sending': 'Sending…',
  'route.sent': 'Sent to {name}',
  'route.sendFailed': 'Not sent: {detail}',
  'round.title': 'Next round from your leader',
  'round.none': 'No round has been sent to you yet.',
  'round.from': 'Sent by {by} at {time}',
  'round.loading': 'Loading the round…',
  'round.failed': 'The round did not load',
  'round.refresh': 'Refresh',

  'people.title': 'Patrollers',
  'people.empty': 'No tracks in this window',
  'people.ago': '{min} min ago',
  'people.justNow': 'just now',

  'calendar.title': 'Compound patrols, last {days} days',
  'calendar.rule': 'Weekly rule: every compound patrolled at least once a week',
  'calendar.breaking7': 'Not patrolled in the last 7 days: {names}',
  'calendar.allGood': 'Every compound was patrolled in the last 7 days',
  'calendar.breakingAny': 'Went 7 or more days without a patrol: {names}',
  'calendar.gap': 'longest gap {n} days',
  'calendar.patrolled': 'Patrolled',
  'calendar.notPatrolled': 'Not patrolled',
  'calendar.weekBreaking': 'missed in {week}',
  'calendar.compound': 'Compound',

  'track.popupTime': 'Passed at',
  'track.run': '{from} – {to}, {n} points',

  'checkin.title': 'Check in',
  'checkin.loading': 'Reading the check-in point…',
  'checkin.noCode': 'The QR code carries no check-in point',
  'checkin.unknown': 'No check-in point {code}',
  'checkin.submit': 'Check in',
  'checkin.submitting': 'Checking in…',
  'checkin.done': 'Checked in',
  'checkin.doneAt': 'Checked in at “{name}” at {time}',
  'checkin.failed': 'Check-in failed: {reason}',
  'checkin.again': 'Check in again',
  'checkin.back': 'Back to the patrol page',

  'print.title': 'Key place check-in QR codes',
  'print.hint': 'Print on A4, cut out and fix each at its place; patrollers scan it with their phone to check in.',
  'print.print': 'Print',
  'print.empty': 'This community has no key places yet',
  'print.scan': 'Scan to check in',

  'kind.entrance': 'Entrance',
  'kind.garage': 'Garage',
  'kind.fire_lane': 'Fire lane',
  'kind.charging_shed': 'Charging shed',
  'kind.shop': 'Shop',
  'kind.other': 'Other',
}

/** What {@link usePatrolI18n} returns. */
export interface PatrolI18n {
  /** Translates a patrol message in the app's current locale. */
  tp: (key: PatrolMessageKey, params?: Record<string, string | number>) => string
  /** Label of a key place kind. */
  kindLabel: (kind: KeyPlaceKind) => string
  /** A share 0..1 as a whole percentage, e.g. `34%`. */
  percent: (share: number) => string
  /** An instant as `MM-DD HH:mm` in Asia/Shanghai. */
  dateTime: (value: string | number | Date) => string
  /** An instant as `HH:mm` in Asia/Shanghai. */
  clock: (value: string | number | Date) => string
}

/** The patrol pages' translation and formatting helpers (reactive through the app's locale). */
export function usePatrolI18n(): PatrolI18n {
  const { locale, languageTag } = useI18n()
  const tp = (key: PatrolMessageKey, params?: Record<string, string | number>): string =>
    interpolate((locale.value === 'en' ? en : zh)[key] ?? zh[key], params)
  const format = (value: string | number | Date, options: Intl.DateTimeFormatOptions): string => {
    const date = value instanceof Date ? value : new Date(value)
    if (Number.isNaN(date.getTime())) return ''
    return new Intl.DateTimeFormat(languageTag.value, { timeZone: 'Asia/Shanghai', hour12: false, ...options }).format(date)
  }
  return {
    tp,
    kindLabel: (kind) => tp(`kind.${kind}` as PatrolMessageKey),
    percent: (share) => `${Math.round(share * 100)}%`,
    dateTime: (value) => format(value, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }),
    clock: (value) => format(value, { hour: '2-digit', minute: '2-digit' }),
  }
}
