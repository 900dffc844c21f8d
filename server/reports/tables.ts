/**
 * The report's tables, once, for every form: the printable page renders them, the workbook has one
 * sheet each, and the CSV is the first (the headline table).
 */
import type { ReportData } from '../queries/reports.ts'
import type { Column, ColumnType, Table } from '../export/table.ts'
import { formatArea } from '../../core/area.ts'
import { LEVEL_DAYS } from '../../core/matters.ts'
import { CATEGORY_LABELS, confidenceLabel, LEVEL_LABELS, SEVERITY_LABELS, TYPE_LABELS } from './labels.ts'
import { METRIC_TERMS, UNIT_KIND_TERMS } from '../../core/terms.ts'
import type { UnitKind } from '../../core/org.ts'

/** A report table: a {@link Table} with an optional per-cell type (`row.__types[key]`). */
export type ReportTable = Table & { title: string; note?: string }

const col = (key: string, header: string, type: ColumnType, width?: number): Column => ({ key, header, type, ...(width ? { width } : {}) })

const pct = (n: number | null): number | null => (n === null ? null : Math.round(n * 10_000) / 10_000)
const met = (value: number | null, target: number): string => (value === null ? '—' : value >= target - 1e-9 ? '达标' : '未达标')

/** The headline table (核心指标): also the CSV download. */
export function headlineTable(d: ReportData): ReportTable {
  const h = d.headline
  const t = d.targets
  const rows: Record<string, unknown>[] = [
    { key: 'found', metric: '发现隐患', value: h.found, unit: '处' },
    { key: 'closed', metric: '办结隐患（本期回访办结）', value: h.closed, unit: '处' },
    { key: 'overdue', metric: '超期隐患（时限在本期内而未按期办结）', value: h.overdue, unit: '处' },
    { key: 'overdueOpenNow', metric: '本期发现、至今超期未办结', value: h.overdueOpenNow, unit: '处' },
    { key: 'respondedInTime', metric: `${t.responseMinutes} 分钟内到场响应`, value: h.respondedInTime, unit: '处' },
    { key: 'responseRate', metric: `${t.responseMinutes} 分钟响应率`, value: pct(h.responseRate), unit: '', target: t.responseRate, met: met(h.responseRate, t.responseRate), __types: { value: 'percent' } },
    { key: 'medianResponseMinutes', metric: '响应时间中位数', value: h.medianResponseMinutes === null ? null : Math.round(h.medianResponseMinutes * 10) / 10, unit: '分钟', __types: { value: 'number' } },
    { key: 'verifiedOnTime', metric: '按期办结', value: h.verifiedOnTime, unit: '处' },
    { key: 'onTimeClosureRate', metric: METRIC_TERMS.onTimeClosureRate.zh, value: pct(h.onTimeClosureRate), unit: '', target: t.onTimeClosureRate, met: met(h.onTimeClosureRate, t.onTimeClosureRate), __types: { value: 'percent' } },
    { key: 'closureRate', metric: '办结率（本期发现已办结）', value: pct(h.closureRate), unit: '', __types: { value: 'percent' } },
    { key: 'medianHoursToClose', metric: '办结时长中位数', value: h.medianHoursToClose === null ? null : Math.round(h.medianHoursToClose * 10) / 10, unit: '小时', __types: { value: 'number' } },
    { key: 'recurrences', metric: '反弹隐患（同类 30 米内 30 天内复发）', value: h.recurrences, unit: '处' },
    { key: 'notClosed', metric: '未闭环（本期发现、至今未办结，含待核实）', value: h.notClosed, unit: '件' },
    { key: 'pendingReview', metric: '其中待核实（居民上报、尚未受理）', value: h.pendingReview, unit: '件' },
    { key: 'escalated', metric: '升级办理（本期发现、升级到网格或街道）', value: h.escalated, unit: '件' },
    { key: 'escalatedRate', metric: '升级率', value: pct(h.escalatedRate), unit: '', __types: { value: 'percent' } },
    { key: 'buildingsCoverage', metric: `楼栋巡查覆盖率（${h.buildings.visited}/${h.buildings.total}）`, value: pct(h.buildings.coverage), unit: '', __types: { value: 'percent' } },
    { key: 'keyPlacesCoverage', metric: `重点部位巡查覆盖率（${h.keyPlaces.visited}/${h.keyPlaces.total}）`, value: pct(h.keyPlaces.coverage), unit: '', __types: { value: 'percent' } },
    {
      key: 'weeklyCoverage',
      metric: `每周覆盖（小区·周 ${h.weeklyRule.compoundWeeksMet}/${h.weeklyRule.compoundWeeks}）`,
      value: pct(h.weeklyRule.coverage),
      unit: '',
      target: t.weeklyCoverage,
      met: met(h.weeklyRule.coverage, t.weeklyCoverage),
      __types: { value: 'percent' },
    },
    { key: 'rejected', metric: '驳回（经核实非隐患）', value: h.rejected, unit: '处' },
  ]
  return {
    name: '核心指标',
    title: '核心指标',
    columns: [col('key', 'key', 'text', 22), col('metric', '指标', 'text', 44), col('value', '数值', 'integer', 10), col('unit', '单位', 'text', 8), col('target', '目标', 'percent', 9), col('met', '是否达标', 'text', 10)],
    rows,
  }
}

function withCommunity(d: ReportData, columns: Column[]): Column[] {
  return d.scope.communities.length > 1 ? [col('communityName', '社区', 'text'), ...columns] : columns
}

const flowColumns = (): Column[] => [col('found', '发现', 'integer', 8), col('closed', '办结', 'integer', 8), col('overdue', METRIC_TERMS.overdue.zh, 'integer', 8)]

/** The partner units' table (共建单位, week and month reports): matters handed, answered, closed, and the rates. */
export function unitTable(d: ReportData): ReportTable {
  const total = d.byUnit.reduce(
    (s, r) => ({ handed: s.handed + r.handed, responded: s.responded + r.responded, responseBase: s.responseBase + r.responseBase, closed: s.closed + r.closed, onTime: s.onTime + r.onTime }),
    { handed: 0, responded: 0, responseBase: 0, closed: 0, onTime: 0 },
  )
  const rate = (n: number, of: number): number | null => (of === 0 ? null : pct(n / of))
  return {
    name: '共建单位',
    title: '共建单位办理情况（本期发现、交办共建单位的隐患）',
    note: `响应 = 上报后 ${d.targets.responseMinutes} 分钟内到场（到场记录为准，巡查现场发现的不计入）；响应率 = 响应 / 应响应。`,
    columns: [
      col('name', '单位', 'text', 22),
      col('kind', '类别', 'text', 14),
      col('handed', '交办', 'integer', 8),
      col('responded', `${d.targets.responseMinutes}分钟到场`, 'integer', 10),
      col('responseBase', '应响应', 'integer', 8),
      col('closed', '已办结', 'integer', 8),
      col('onTime', '按期办结', 'integer', 9),
      col('responseRate', '响应率', 'percent', 9),
      col('closureRate', '办结率', 'percent', 9),
    ],
    rows: [
      ...d.byUnit.map((r) => ({ name: r.name, kind: UNIT_KIND_TERMS[r.kind as UnitKind]?.zh ?? r.kind, handed: r.handed, responded: r.responded, responseBase: r.responseBase, closed: r.closed, onTime: r.onTime, responseRate: pct(r.responseRate), closureRate: pct(r.closureRate) })),
      { name: '合计', kind: '', ...total, responseRate: rate(total.responded, total.responseBase), closureRate: rate(total.closed, total.handed), __total: true },
    ],
  }
}

const minutes = (n: number | null): number | null => (n === null ? null : Math.round(n * 10) / 10)

/** The residents' table (居民上报与满意度): reports of the period, their answer times, and the ratings given. */
export function residentTable(d: ReportData): ReportTable {
  const r = d.residents
  const row = (key: string, metric: string, value: number | null, unit: string, type?: ColumnType): Record<string, unknown> => ({ key, metric, value, unit, ...(type ? { __types: { value: type } } : {}) })
  return {
    name: '居民上报',
    title: '居民上报与满意度（人人都是安全员，件件有回音）',
    note: '答复时间 = 居民上报到指挥中心核实答复（受理或不予受理）；以期末（当前期为此刻）的情况为准。满意率 = （满意 + 基本满意）/ 评价数，评价按评价时间计入本期。',
    columns: [col('key', 'key', 'text', 22), col('metric', '指标', 'text', 36), col('value', '数值', 'integer', 10), col('unit', '单位', 'text', 8)],
    rows: [
      row('reports', '居民上报', r.reports, '件'),
      row('hazards', '其中隐患', r.hazards, '件'),
      row('requests', '其中诉求', r.requests, '件'),
      row('answered', '已核实答复', r.answered, '件'),
      row('accepted', '其中受理', r.accepted, '件'),
      row('declined', '其中不予受理', r.declined, '件'),
      row('waiting', '期末待核实', r.waiting, '件'),
      row('withoutReview', '未经核实环节（核实功能启用前录入）', r.withoutReview, '件'),
      row('medianAnswerMinutes', '答复时间中位数', minutes(r.medianAnswerMinutes), '分钟', 'number'),
      row('p90AnswerMinutes', '答复时间 90 分位', minutes(r.p90AnswerMinutes), '分钟', 'number'),
      row('rated', '居民评价', r.rated, '件'),
      row('satisfied', '满意', r.satisfied, '件'),
      row('basically', '基本满意', r.basically, '件'),
      row('unsatisfied', '不满意（已重新处理）', r.unsatisfied, '件'),
      row('satisfactionRate', '满意率', pct(r.satisfactionRate), '', 'percent'),
    ],
  }
}

/** Every table of the report, headline first. */
export function reportTables(d: ReportData): ReportTable[] {
  const sum = (rows: { found: number; closed: number; overdue: number }[]) => ({
    found: rows.reduce((s, r) => s + r.found, 0),
    closed: rows.reduce((s, r) => s + r.closed, 0),
    overdue: rows.reduce((s, r) => s + r.overdue, 0),
  })
  const categoryRows = d.byCategory.map((r) => ({ category: CATEGORY_LABELS[r.category], found: r.found, closed: r.closed, overdue: r.overdue }))
  const zoneRows: Record<string, unknown>[] = d.byZone.map((r) => ({ ...r, assigneeName: r.assigneeName ?? '（未指定）', area: formatArea(r.areaM2, 'zh') }))
  if (d.unzoned.found + d.unzoned.closed + d.unzoned.overdue > 0) zoneRows.push({ name: '（未划入网格）', ...d.unzoned })
  const coverageCols = (): Column[] => [
    col('buildingsTotal', '楼栋数', 'integer', 8),
    col('buildingsVisited', '已巡楼栋', 'integer', 9),
    col('buildingsCoverage', '楼栋覆盖率', 'percent', 11),
    col('keyPlacesTotal', '重点部位', 'integer', 9),
    col('keyPlacesVisited', '已巡部位', 'integer', 9),
    col('keyPlacesCoverage', '部位覆盖率', 'percent', 11),
  ]
  const coverageCells = (r: { buildings: { total: number; visited: number; coverage: number }; keyPlaces: { total: number; visited: number; coverage: number } }) => ({
    buildingsTotal: r.buildings.total,
    buildingsVisited: r.buildings.visited,
    buildingsCoverage: r.buildings.coverage,
    keyPlacesTotal: r.keyPlaces.total,
    keyPlacesVisited: r.keyPlaces.visited,
    keyPlacesCoverage: r.keyPlaces.coverage,
  })
  const tables: ReportTable[] = [
    headlineTable(d),
    {
      name: '按类别',
      title: '隐患按类别',
      columns: [col('category', '类别', 'text', 20), ...flowColumns()],
      rows: [...categoryRows, { category: '合计', ...sum(d.byCategory), __total: true }],
    },
    {
      name: '按等级',
      title: '事项按危险程度',
      columns: [col('severity', '危险程度', 'text', 16), ...flowColumns()],
      rows: [...d.bySeverity.map((r) => ({ severity: SEVERITY_LABELS[r.severity], found: r.found, closed: r.closed, overdue: r.overdue })), { severity: '合计', ...sum(d.bySeverity), __total: true }],
    },
    {
      name: '按办理层级',
      title: '事项按办理层级（7135：微网格 1 天、网格 3 天、街道 5 天办结）',
      columns: [col('level', '办理层级', 'text', 16), col('days', '办结时限（天）', 'integer', 12), ...flowColumns(), col('escalated', '其中升级', 'integer', 10)],
      rows: [
        ...d.byLevel.map((r) => ({ level: LEVEL_LABELS[r.level], days: LEVEL_DAYS[r.level], found: r.found, closed: r.closed, overdue: r.overdue, escalated: r.escalated })),
        { level: '合计', days: null, ...sum(d.byLevel), escalated: d.byLevel.reduce((n, r) => n + r.escalated, 0), __total: true },
      ],
    },
    {
      name: '按事项类型',
      title: '事项按类型',
      columns: [col('type', '事项类型', 'text', 16), ...flowColumns()],
      rows: [...d.byType.map((r) => ({ type: TYPE_LABELS[r.type], found: r.found, closed: r.closed, overdue: r.overdue })), { type: '合计', ...sum(d.byType), __total: true }],
    },
    {
      name: '按网格',
      title: '隐患按责任网格（以上报时的网格划分为准）',
      columns: withCommunity(d, [col('name', '网格', 'text', 14), col('assigneeName', '网格员', 'text', 12), col('area', '面积', 'text', 12), ...flowColumns()]),
      rows: [...zoneRows, { name: '合计', ...sum([...d.byZone, d.unzoned]), __total: true }],
    },
  ]
  if (d.window.period !== 'day') {
    tables.push(unitTable(d))
    tables.push(residentTable(d))
    tables.push({
      name: '每日',
      title: '每日发现与办结',
      columns: [col('day', '日期', 'date', 12), col('found', '发现', 'integer', 8), col('closed', '办结', 'integer', 8)],
      rows: d.byDay.map((r) => ({ ...r })),
    })
  }
  tables.push(
    {
      name: '巡查覆盖-网格',
      title: `巡查覆盖（按网格，轨迹 ${d.targets.radiusM} 米内或扫码打卡即为已巡）`,
      columns: withCommunity(d, [col('name', '网格', 'text', 12), col('teamName', '负责队伍', 'text', 10), col('assigneeName', '网格员', 'text', 10), ...coverageCols()]),
      rows: d.coverageByZone.map((r) => ({ communityName: r.communityName, name: r.name, teamName: r.teamName ?? '—', assigneeName: r.assigneeName ?? '（未指定）', ...coverageCells(r) })),
    },
    {
      name: '巡查覆盖-队伍',
      title: '巡查覆盖（按队伍）',
      columns: withCommunity(d, [col('teamName', '队伍', 'text', 14), col('zones', '负责网格', 'text', 24), ...coverageCols()]),
      rows: d.coverageByTeam.map((r) => ({ communityName: r.communityName, teamName: r.teamName, zones: r.zones.join('、'), ...coverageCells(r) })),
    },
    {
      name: '每周覆盖',
      title: '每周覆盖（每个小区每周至少巡查一次）',
      columns: withCommunity(d, [
        col('week', '周', 'text', 10),
        col('from', '起', 'date', 11),
        col('to', '止', 'date', 11),
        col('compounds', '小区数', 'integer', 8),
        col('patrolled', '已巡小区', 'integer', 9),
        col('met', '是否达标', 'text', 9),
        col('breaking', '未巡小区', 'text', 40),
      ]),
      rows: d.weeklyRule.map((r) => ({ ...r, met: r.met ? '达标' : r.days < 7 ? '未达标（不足一周）' : '未达标', breaking: r.breaking.join('、') || '—' })),
    },
    {
      name: '热点',
      title: `隐患热点（Getis-Ord Gi*，边长 ${d.targets.hotspotCellM} 米六边形）`,
      columns: withCommunity(d, [
        col('place', '位置', 'text', 24),
        col('count', '隐患数', 'integer', 8),
        col('giZ', 'Gi* z', 'number', 8),
        col('confidence', '显著性', 'text', 10),
        col('lon', '经度', 'number', 12),
        col('lat', '纬度', 'number', 12),
      ]),
      rows: d.hotspots.map((r) => ({
        ...r,
        place: r.place ?? '—',
        giZ: r.giZ === null ? null : Math.round(r.giZ * 100) / 100,
        confidence: confidenceLabel(r.confidence),
        lon: Math.round(r.lon * 1e6) / 1e6,
        lat: Math.round(r.lat * 1e6) / 1e6,
      })),
    },
    {
      name: '隐患最多楼栋',
      title: '隐患最多的楼栋',
      columns: withCommunity(d, [col('place', '楼栋', 'text', 28), col('count', '隐患数', 'integer', 8), col('open', '未办结', 'integer', 8), col('categories', '主要类别', 'text', 36)]),
      rows: d.topPlaces.map((r) => ({
        ...r,
        categories: Object.entries(r.categories)
          .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
          .map(([k, n]) => `${CATEGORY_LABELS[k as keyof typeof CATEGORY_LABELS] ?? k} ${n}`)
          .join('、'),
      })),
    },
    {
      name: '反弹',
      title: '反弹隐患（办结后 30 天内 30 米内同类复发）',
      columns: withCommunity(d, [
        col('hazardId', '隐患编号', 'integer', 9),
        col('category', '类别', 'text', 16),
        col('reportedAt', '上报时间', 'datetime', 19),
        col('earlierId', '前次编号', 'integer', 9),
        col('distanceM', '相距（米）', 'number', 10),
        col('count', '同处同类', 'integer', 9),
        col('place', '位置', 'text', 24),
      ]),
      rows: d.recurrences.map((r) => ({ ...r, category: CATEGORY_LABELS[r.category], place: r.place ?? '—' })),
    },
    {
      name: '关爱走访',
      title: '关爱走访（每日两访：应访、已访、漏访）',
      columns: [
        col('communityName', '社区', 'text', 16),
        col('households', '关爱对象', 'integer', 9),
        col('due', '应访', 'integer', 8),
        col('visits', '已访', 'integer', 8),
        col('missed', '漏访', 'integer', 8),
        col('householdsMissed', '有漏访户', 'integer', 9),
      ],
      rows: d.care.map((r) => ({ ...r })),
    },
  )
  if (d.window.period === 'month') {
    tables.push({
      name: '积分排行',
      title: '本月积分排行（最美巡逻队员候选）',
      columns: [
        col('rank', '名次', 'integer', 6),
        col('name', '姓名', 'text', 10),
        col('teamName', '队伍', 'text', 12),
        col('points', '积分', 'number', 9),
        col('duty', '在岗', 'number', 8),
        col('report', '上报', 'number', 8),
        col('checkin', '打卡', 'number', 8),
        col('careVisit', '走访', 'number', 8),
      ],
      rows: d.pointsRanking.map((r) => ({ rank: r.rank, name: r.name, teamName: r.teamName ?? '—', points: r.points, duty: r.byKind.duty, report: r.byKind.report, checkin: r.byKind.checkin, careVisit: r.byKind.care_visit })),
    })
  }
  return tables
}
