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

  'category.flying_wire_charging': 'Flying-wire charging',
  'category.ebike_indoor': 'E-bike indoors',
  'category.fire_lane_blocked': 'Fire lane blocked',
  'category.corridor_clutter': 'Corridor clutter',
  'category.facility_aging': 'Ageing facilities',
  'category.poor_lighting': 'Poor lighting',
  'category.falling_object_risk': 'Falling-object risk',
  'category.other': 'Other',

  'severity.minor': 'Minor',
  'severity.major': 'Major',
  'severity.critical': 'Critical',

  'hazardStatus.pending_review': 'Pending review',
  'hazardStatus.reported': 'Reported',
  'hazardStatus.dispatched': 'Dispatched',
  'hazardStatus.rectifying': 'Rectifying',
  'hazardStatus.rectified': 'Rectified',
  'hazardStatus.verified': 'Verified & closed',
  'hazardStatus.reopened': 'Reopened',
  'hazardStatus.rejected': 'Not a hazard',
  ...plannerEn,
  ...commandCenterEn,
  ...patrolOfflineEn,
  ...careEn,
  ...fieldEn,
}
