import { METRIC_TERMS } from '../../core/terms.ts'
/**
 * Messages of the exports menu and the reports page, in both locales, kept apart from the main
 * dictionaries. `useReportsText()` follows the app's locale.
 */
import { interpolate, useI18n } from './index.ts'

const zh = {
  'exports.button': '导出',
  'exports.title': '导出列表中的隐患',
  'exports.csv': 'CSV（Excel 可直接打开）',
  'exports.xlsx': 'Excel 工作簿（XLSX）',
  'exports.geojson': 'GeoJSON（QGIS 等 GIS 软件）',
  'exports.hint': '导出当前筛选条件下的 {n} 条隐患',
  'reports.title': '报表',
  'reports.heading': '巡查与隐患报表',
  'reports.intro': '日巡查、周例会、月通报：选择周期和日期，打开可打印的 A4 报告，或下载 Excel / CSV。',
  'reports.period': '周期',
  'reports.day': '日报（日巡查）',
  'reports.week': '周报（周例会）',
  'reports.month': '月报（月通报）',
  'reports.date': '日期',
  'reports.community': '社区',
  'reports.allCommunities': '全部（我可查看的社区）',
  'reports.open': '打开打印版',
  'reports.print': '打开并打印',
  'reports.xlsx': '下载 Excel',
  'reports.csv': '下载 CSV（核心指标）',
  'reports.back': '返回指挥中心',
  'reports.window': '统计时段：{from} 至 {to}（北京时间）',
  'reports.preview': '报告预览',
  'reports.found': '发现隐患',
  'reports.closed': '办结隐患',
  'reports.overdue': '超期隐患',
  'reports.responseRate': METRIC_TERMS.responseRate.zh,
  'reports.onTime': METRIC_TERMS.onTimeClosureRate.zh,
  'reports.recurrences': '反弹隐患',
  'reports.notClosed': '未闭环（含待核实）',
  'reports.publicSummary': '月度公示页（可公开）',
  'reports.residentReports': '居民上报',
  'reports.answerMinutes': '居民上报答复用时中位数',
  'reports.minutes': '{n} 分钟',
  'reports.satisfaction': '满意率（{n} 件评价）',
} as const

/** A message key of the exports menu and reports page. */
export type ReportsKey = keyof typeof zh

const en: Record<ReportsKey, string> = {
  'exports.button': 'Export',
  'exports.title': 'Export the hazards in the list',
  'exports.csv': 'CSV (opens in Excel)',
  'exports.xlsx': 'Excel workbook (XLSX)',
  'exports.geojson': 'GeoJSON (QGIS and other GIS)',
  'exports.hint': 'Exports the {n} hazards the filters select',
  'reports.title': 'Reports',
  'reports.heading': 'Patrol and hazard reports',
  'reports.intro': 'Daily log, weekly meeting, monthly briefing: pick a period and a date, open the printable A4 report, or download Excel / CSV.',
  'reports.period': 'Period',
  'reports.day': 'Day',
  'reports.week': 'Week',
  'reports.month': 'Month',
  'reports.date': 'Date',
  'reports.community': 'Community',
  'reports.allCommunities': 'All (every community I may see)',
  'reports.open': 'Open printable page',
  'reports.print': 'Open and print',
  'reports.xlsx': 'Download Excel',
  'reports.csv': 'Download CSV (headline)',
  'reports.back': 'Back to the command centre',
  'reports.window': 'Window: {from} to {to} (Beijing time)',
  'reports.preview': 'Report preview',
  'reports.found': 'Found',
  'reports.closed': 'Closed',
  'reports.overdue': 'Overdue',
  'reports.responseRate': 'Responded within 7 min',
  'reports.onTime': 'Closed on time',
  'reports.recurrences': 'Recurrences',
  'reports.notClosed': 'Not closed (pending review included)',
  'reports.publicSummary': 'Public monthly notice',
  'reports.residentReports': 'Resident reports',
  'reports.answerMinutes': 'Median time to answer a resident',
  'reports.minutes': '{n} min',
  'reports.satisfaction': 'Satisfied ({n} ratings)',
}

/** The translator of the exports menu and reports page in the app's current locale. */
export function useReportsText(): (key: ReportsKey, params?: Record<string, string | number>) => string {
  const { locale } = useI18n()
  return (key, params) => interpolate(locale.value === 'en' ? en[key] : zh[key], params)
}
