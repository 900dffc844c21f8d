import { CATEGORY_TERMS, SEVERITY_TERMS, STATUS_TERMS } from '../../core/terms.ts'
import { fieldEn } from './field.ts'
import { careEn } from './care.ts'
import { commandCenterEn } from './command-center.ts'
import { plannerEn } from './planner.ts'
import { patrolOfflineEn } from './patrol-offline.ts'
import type { MessageKey } from './zh.ts'

/** English UI messages. Must have every key of the Chinese dictionary. */
export const en: Record<MessageKey, string> = {
  'app.name': 'SafeGrid',
  'app.commandCenter': 'Command centre',

  'header.openHazards': 'Open hazards',
  'header.overdue': 'Overdue',
  'header.total': 'Total',
  'header.updatedAt': 'Updated {time}',
  'header.noCommunity': 'No community',
  'header.switchLanguage': '切换到中文',
  'header.languageButton': '中文',
  'header.showList': 'Hazard list',
  'header.hideList': 'Hide list',
  'header.refresh': 'Refresh',
  'header.refreshing': 'Refreshing…',

  'status.loading': 'Loading map data…',
  'status.loadingHint': 'Community boundary, buildings, roads and hazards',
  'status.apiDown': 'Cannot reach the SafeGrid server',
  'status.apiDownHint': 'Check the network or whether the server is running, then retry.',
  'status.loadFailed': 'Loading data failed',
  'status.retry': 'Retry',
  'status.signInRequired': 'Sign-in required',
  'status.signInRequiredHint': 'The server only shows community data to signed-in users. Sign in, then retry.',
  'status.noCommunity': 'No community data yet',
  'status.noCommunityHint': 'An administrator needs to create the community boundary and import the base map.',
  'status.partialFailed': 'Some layers failed to load: {layers}',
  'status.staleHazards': 'Refreshing hazards failed; showing data from {time}',

  'list.title': 'Hazards',
  'list.empty': 'No open hazards',
  'list.emptyHint': 'Newly reported hazards appear here.',
  'list.count': '{n} open',
  'list.overdue': 'Overdue',
  'list.due': 'Due {time}',
  'list.close': 'Close list',
  'list.loading': 'Loading hazards…',
  'list.unavailable': 'Hazard data unavailable',

  'layer.compounds': 'compounds',
  'layer.buildings': 'buildings',
  'layer.roads': 'roads',
  'layer.water': 'water',
  'layer.zones': 'zones',

  'legend.title': 'Legend',
  'legend.severity': 'Severity',
  'legend.overdue': 'Overdue',
  'legend.closed': 'Closed',
  'legend.zone': 'Responsibility zone',
  'legend.compound': 'Compound',
  'legend.community': 'Community boundary',
  'legend.toggle': 'Show/hide legend',

  'popup.reportedAt': 'Reported',
  'popup.dueAt': 'Due',
  'popup.status': 'Status',
  'popup.severity': 'Severity',
  'popup.overdue': 'Overdue',
  'popup.description': 'Description',
  'popup.id': 'No.',

  'map.label': 'Community map',

  'notFound.title': 'Page not found',
  'notFound.back': 'Back to the command centre',

  'category.flying_wire_charging': CATEGORY_TERMS.flying_wire_charging.en,
  'category.ebike_indoor': CATEGORY_TERMS.ebike_indoor.en,
  'category.fire_lane_blocked': CATEGORY_TERMS.fire_lane_blocked.en,
  'category.corridor_clutter': CATEGORY_TERMS.corridor_clutter.en,
  'category.facility_aging': CATEGORY_TERMS.facility_aging.en,
  'category.poor_lighting': CATEGORY_TERMS.poor_lighting.en,
  'category.falling_object_risk': CATEGORY_TERMS.falling_object_risk.en,
  'category.other': CATEGORY_TERMS.other.en,

  'severity.minor': SEVERITY_TERMS.minor.en,
  'severity.major': SEVERITY_TERMS.major.en,
  'severity.critical': SEVERITY_TERMS.critical.en,

  'hazardStatus.pending_review': STATUS_TERMS.pending_review.en,
  'hazardStatus.reported': STATUS_TERMS.reported.en,
  'hazardStatus.dispatched': STATUS_TERMS.dispatched.en,
  'hazardStatus.rectifying': STATUS_TERMS.rectifying.en,
  'hazardStatus.rectified': STATUS_TERMS.rectified.en,
  'hazardStatus.verified': STATUS_TERMS.verified.en,
  'hazardStatus.reopened': STATUS_TERMS.reopened.en,
  'hazardStatus.rejected': STATUS_TERMS.rejected.en,
  ...plannerEn,
  ...commandCenterEn,
  ...patrolOfflineEn,
  ...careEn,
  ...fieldEn,
}
