import { CATEGORY_TERMS, SEVERITY_TERMS, STATUS_TERMS } from '../../core/terms.ts'
import { fieldZh } from './field.ts'
import { careZh } from './care.ts'
import { commandCenterZh } from './command-center.ts'
import { plannerZh } from './planner.ts'
import { patrolOfflineZh } from './patrol-offline.ts'

/** Chinese (简体中文) UI messages: the default locale and the source of truth for message keys. */
export const zh = {
  'app.name': '平安网格',
  'app.commandCenter': '指挥中心',

  'header.openHazards': '未闭环隐患',
  'header.overdue': '超期',
  'header.total': '隐患总数',
  'header.updatedAt': '更新于 {time}',
  'header.noCommunity': '暂无社区',
  'header.switchLanguage': 'Switch to English',
  'header.languageButton': 'EN',
  'header.showList': '隐患列表',
  'header.hideList': '收起列表',
  'header.refresh': '刷新',
  'header.refreshing': '正在刷新…',

  'status.loading': '正在加载地图数据…',
  'status.loadingHint': '社区边界、建筑、道路和隐患',
  'status.apiDown': '无法连接平安网格服务器',
  'status.apiDownHint': '请检查网络或服务器是否已启动，然后重试。',
  'status.loadFailed': '数据加载失败',
  'status.retry': '重试',
  'status.signInRequired': '需要登录',
  'status.signInRequiredHint': '服务器要求登录后才能查看社区数据，请登录后重试。',
  'status.noCommunity': '暂无社区数据',
  'status.noCommunityHint': '请管理员先创建社区边界并导入底图数据。',
  'status.partialFailed': '部分图层加载失败：{layers}',
  'status.staleHazards': '隐患数据刷新失败，显示的是 {time} 的数据',

  'list.title': '隐患列表',
  'list.empty': '当前没有未闭环的隐患',
  'list.emptyHint': '新上报的隐患会显示在这里。',
  'list.count': '{n} 条未闭环',
  'list.overdue': '已超期',
  'list.due': '期限 {time}',
  'list.close': '关闭列表',
  'list.loading': '正在加载隐患…',
  'list.unavailable': '隐患数据暂不可用',

  'layer.compounds': '小区',
  'layer.buildings': '建筑',
  'layer.roads': '道路',
  'layer.water': '水体',
  'layer.zones': '责任网格',

  'legend.title': '图例',
  'legend.severity': '隐患等级',
  'legend.overdue': '超期未整改',
  'legend.closed': '已闭环',
  'legend.zone': '责任网格',
  'legend.compound': '小区',
  'legend.community': '社区边界',
  'legend.toggle': '显示/隐藏图例',

  'popup.reportedAt': '上报时间',
  'popup.dueAt': '整改期限',
  'popup.status': '状态',
  'popup.severity': '等级',
  'popup.overdue': '已超期',
  'popup.description': '描述',
  'popup.id': '编号',

  'map.label': '社区地图',

  'notFound.title': '页面不存在',
  'notFound.back': '返回指挥中心',

  'category.flying_wire_charging': CATEGORY_TERMS.flying_wire_charging.zh,
  'category.ebike_indoor': CATEGORY_TERMS.ebike_indoor.zh,
  'category.fire_lane_blocked': CATEGORY_TERMS.fire_lane_blocked.zh,
  'category.corridor_clutter': CATEGORY_TERMS.corridor_clutter.zh,
  'category.facility_aging': CATEGORY_TERMS.facility_aging.zh,
  'category.poor_lighting': CATEGORY_TERMS.poor_lighting.zh,
  'category.falling_object_risk': CATEGORY_TERMS.falling_object_risk.zh,
  'category.other': CATEGORY_TERMS.other.zh,

  'severity.minor': SEVERITY_TERMS.minor.zh,
  'severity.major': SEVERITY_TERMS.major.zh,
  'severity.critical': SEVERITY_TERMS.critical.zh,

  'hazardStatus.pending_review': STATUS_TERMS.pending_review.zh,
  'hazardStatus.reported': STATUS_TERMS.reported.zh,
  'hazardStatus.dispatched': STATUS_TERMS.dispatched.zh,
  'hazardStatus.rectifying': STATUS_TERMS.rectifying.zh,
  'hazardStatus.rectified': STATUS_TERMS.rectified.zh,
  'hazardStatus.verified': STATUS_TERMS.verified.zh,
  'hazardStatus.reopened': STATUS_TERMS.reopened.zh,
  'hazardStatus.rejected': STATUS_TERMS.rejected.zh,
  ...plannerZh,
  ...commandCenterZh,
  ...patrolOfflineZh,
  ...careZh,
  ...fieldZh,
} as const

/** A key of the UI message dictionaries. */
export type MessageKey = keyof typeof zh
