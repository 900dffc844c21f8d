/**
 * The printable report: one self-contained HTML page for A4 paper (print CSS: `@page` A4 with page
 * numbers, headings kept with what follows, table rows never split, table headers repeated on every
 * page, figures kept whole), the map and charts as inline SVG. No script, no external resource.
 */
import { csvText } from '../export/csv.ts'
import { METRIC_TERMS } from '../../core/terms.ts'
import { xmlEscape as esc } from '../export/gpx.ts'
import { cellType, type Column } from '../export/table.ts'
import type { ReportData } from '../queries/reports.ts'
import { CATEGORY_LABELS, PERIOD_TITLES } from './labels.ts'
import { barChartSvg, dayChartSvg, REPORT_COLORS, reportMapSvg } from './svg.ts'
import { reportTables, type ReportTable } from './tables.ts'

const NUMERIC = new Set<Column['type']>(['integer', 'number', 'percent'])

/** `2026-11-25 19:08` in Asia/Shanghai. */
function shanghaiMinute(iso: string): string {
  const t = Date.parse(iso)
  return Number.isNaN(t) ? iso : new Date(t + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')
}

/** One cell as page text. */
function cellHtml(value: unknown, type: Column['type']): string {
  if (value === null || value === undefined || value === '') return '—'
  if (type === 'datetime' && typeof value === 'string') return esc(shanghaiMinute(value))
  if (type === 'number' && typeof value === 'number') return esc(String(Math.round(value * 100) / 100))
  return esc(csvText(value, type))
}

/** A report table as an HTML table (kept on one page when short). */
export function tableHtml(table: ReportTable, options: { hideKey?: boolean } = {}): string {
  const columns = table.columns.filter((c) => !(options.hideKey && c.key === 'key'))
  const head = columns.map((c) => `<th${NUMERIC.has(c.type) ? ' class="num"' : ''}>${esc(c.header)}</th>`).join('')
  const body =
    table.rows.length === 0
      ? `<tr><td colspan="${columns.length}" class="empty">本期无数据</td></tr>`
      : table.rows
          .map((row) => {
            const cells = columns.map((c) => {
              const type = cellType(row, c)
              return `<td${NUMERIC.has(type) ? ' class="num"' : ''}>${cellHtml(row[c.key], type)}</td>`
            })
            return `<tr${row.__total ? ' class="total"' : ''}>${cells.join('')}</tr>`
          })
          .join('')
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`
}

function section(title: string, content: string, keep: boolean, id: string): string {
  return `<section id="${id}" class="${keep ? 'keep' : 'flow'}"><h2>${esc(title)}</h2>${content}</section>`
}

const pctText = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`)

/** The headline tiles of the first page. */
function tiles(d: ReportData): string {
  const h = d.headline
  const t = d.targets
  const tile = (label: string, value: string, sub: string, state: 'ok' | 'bad' | 'plain' = 'plain') =>
    `<div class="tile tile--${state}"><div class="tile__label">${esc(label)}</div><div class="tile__value">${esc(value)}</div><div class="tile__sub">${esc(sub)}</div></div>`
  const vs = (v: number | null, target: number): 'ok' | 'bad' | 'plain' => (v === null ? 'plain' : v >= target - 1e-9 ? 'ok' : 'bad')
  return `<div class="tiles">${[
    tile('发现隐患', String(h.found), `驳回 ${h.rejected} 处不计`),
    tile('办结隐患', String(h.closed), '本期回访办结'),
    tile('超期隐患', String(h.overdue), `至今仍超期 ${h.overdueOpenNow} 处`, h.overdue > 0 ? 'bad' : 'ok'),
    tile(`${t.responseMinutes} 分钟响应率`, pctText(h.responseRate), `目标 ≥ ${pctText(t.responseRate)}`, vs(h.responseRate, t.responseRate)),
    tile(METRIC_TERMS.onTimeClosureRate.zh, pctText(h.onTimeClosureRate), `目标 ≥ ${pctText(t.onTimeClosureRate)}`, vs(h.onTimeClosureRate, t.onTimeClosureRate)),
    tile('楼栋巡查覆盖', pctText(h.buildings.coverage), `${h.buildings.visited} / ${h.buildings.total} 栋`),
    tile('每周覆盖', pctText(h.weeklyRule.coverage), `${h.weeklyRule.met} / ${h.weeklyRule.weeks} 周全部小区达标`, vs(h.weeklyRule.coverage, t.weeklyCoverage)),
    tile('反弹隐患', String(h.recurrences), '30 米内 30 天内同类复发', h.recurrences > 0 ? 'bad' : 'ok'),
  ].join('')}</div>`
}

function legend(): string {
  const C = REPORT_COLORS
  const item = (swatch: string, label: string) => `<span class="legend__item">${swatch}${esc(label)}</span>`
  const dot = (fill: string, stroke = '#1f2937') => `<svg viewBox="0 0 12 12" class="sw"><circle cx="6" cy="6" r="4.5" fill="${fill}" stroke="${stroke}"/></svg>`
  const box = (fill: string, stroke: string, dash = '') => `<svg viewBox="0 0 14 12" class="sw"><rect x="1" y="1" width="12" height="10" fill="${fill}" stroke="${stroke}" stroke-width="1.4" ${dash}/></svg>`
  const line = (stroke: string, dash = '') => `<svg viewBox="0 0 18 12" class="sw"><path d="M1 6H17" stroke="${stroke}" stroke-width="2" ${dash}/></svg>`
  return `<div class="legend">${[
    item(dot(C.minor), '一般'),
    item(dot(C.major), '较大'),
    item(dot(C.critical), '重大'),
    item(dot(C.closed, '#ffffff'), '已办结'),
    item(line(C.track), '巡逻轨迹'),
    item(box('rgba(220,38,38,.28)', C.unvisited), '未巡楼栋/部位'),
    item(box(C.hotspot[1], 'none'), '隐患热点'),
    item(line(C.zone, 'stroke-dasharray="4 2"'), '责任网格'),
  ].join('')}</div>`
}

const CSS = `
@page { size: A4; margin: 14mm 12mm 15mm 12mm;
  @bottom-center { content: "第 " counter(page) " 页，共 " counter(pages) " 页"; font-size: 8pt; color: #6b7280; } }
* { box-sizing: border-box; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif;
  font-size: 10pt; color: #111827; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; }
.sheet { width: 186mm; margin: 0 auto; }
@media screen { body { background: #e5e7eb; padding: 10mm 0; } .sheet { background: #fff; padding: 12mm; width: 210mm; box-shadow: 0 2px 12px rgb(0 0 0 / .15); } }
header.report { border-bottom: 2.5pt solid #1e3a8a; padding-bottom: 2.5mm; margin-bottom: 4mm; }
header.report .org { color: #374151; font-size: 10.5pt; }
h1 { font-size: 18pt; margin: 1mm 0 1mm; letter-spacing: .02em; }
header.report .meta { color: #4b5563; font-size: 9pt; }
h2 { font-size: 12.5pt; margin: 5mm 0 2mm; padding-bottom: 1mm; border-bottom: 1pt solid #93a3c0; color: #1e3a8a;
  break-after: avoid; page-break-after: avoid; }
section.keep, figure, .tiles, .legend { break-inside: avoid; page-break-inside: avoid; }
table { width: 100%; border-collapse: collapse; font-size: 8.8pt; margin: 1mm 0 2mm; }
thead { display: table-header-group; }
tr, th, td { break-inside: avoid; page-break-inside: avoid; }
th, td { border: .5pt solid #9ca3af; padding: 1mm 1.6mm; text-align: left; vertical-align: top; }
th { background: #e8eef5; font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 700; background: #f3f4f6; }
td.empty { color: #6b7280; text-align: center; }
figure { margin: 1mm 0 3mm; }
figcaption { font-size: 8.5pt; color: #4b5563; margin-top: 1mm; }
svg { display: block; width: 100%; height: auto; font-family: inherit; }
.map svg { border: .5pt solid #9ca3af; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2mm; margin: 2mm 0 3mm; }
.tile { border: .5pt solid #cbd5e1; border-left: 2.2mm solid #94a3b8; padding: 1.6mm 2mm; border-radius: 1mm; }
.tile--ok { border-left-color: #16a34a; } .tile--bad { border-left-color: #dc2626; }
.tile__label { font-size: 8.5pt; color: #4b5563; } .tile__value { font-size: 16pt; font-weight: 700; line-height: 1.2; }
.tile__sub { font-size: 7.5pt; color: #6b7280; }
.legend { display: flex; flex-wrap: wrap; gap: 1.5mm 4mm; font-size: 8.5pt; margin-top: 1.5mm; }
.legend__item { display: inline-flex; align-items: center; gap: 1mm; } .sw { width: 4.2mm; height: 3.4mm; display: inline-block; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; align-items: start; }
.two table { margin-top: 0; } figure.narrow { width: 60%; }
.notes { font-size: 8.5pt; color: #374151; } .notes li { margin: .6mm 0; }
.page-break { break-before: page; page-break-before: always; }
footer.report { margin-top: 5mm; font-size: 8pt; color: #6b7280; border-top: .5pt solid #d1d5db; padding-top: 1.5mm; }
`

/** The report as a printable A4 HTML page. */
export function reportHtml(d: ReportData): string {
  const w = d.window
  const names = d.scope.communities.map((c) => c.name).join('、')
  const title = `${names} ${PERIOD_TITLES[w.period]}`
  const tables = reportTables(d)
  const byName = new Map(tables.map((t) => [t.name, t]))
  const table = (name: string, opts?: { hideKey?: boolean }) => {
    const t = byName.get(name)
    return t ? tableHtml(t, opts) : ''
  }
  const titleOf = (name: string) => byName.get(name)?.title ?? name
  const short = (name: string) => (byName.get(name)?.rows.length ?? 0) <= 18

  const flowSeries = [
    { name: '发现', color: REPORT_COLORS.found },
    { name: '办结', color: REPORT_COLORS.done },
    { name: METRIC_TERMS.overdue.zh, color: REPORT_COLORS.overdue },
  ]
  // Half-page charts beside their tables: a narrower box, so the text prints at about 7 pt.
  const half = { width: 560, labelWidth: 150, barHeight: 9, fontSize: 15 }
  const categoryChart = barChartSvg(
    d.byCategory.map((r) => ({ label: CATEGORY_LABELS[r.category], values: [r.found, r.closed, r.overdue] })),
    flowSeries,
    half,
  )
  const zoneChart = barChartSvg(
    d.byZone.map((r) => ({ label: d.scope.communities.length > 1 ? `${r.communityName} ${r.name}` : r.name, values: [r.found, r.closed, r.overdue] })),
    flowSeries,
    half,
  )
  const coverageChart = barChartSvg(
    d.coverageByZone.map((r) => ({ label: d.scope.communities.length > 1 ? `${r.communityName} ${r.name}` : r.name, values: [r.buildings.coverage, r.keyPlaces.coverage] })),
    [
      { name: '楼栋覆盖率', color: '#0f766e' },
      { name: '重点部位覆盖率', color: '#7c3aed' },
    ],
    { percent: true, target: 1, width: 1000, labelWidth: 180, barHeight: 8, fontSize: 15 },
  )
  const beside = (chart: string, tableName: string) =>
    short(tableName) ? `<div class="two"><figure>${chart}</figure>${table(tableName)}</div>` : `<figure class="narrow">${chart}</figure>${table(tableName)}`

  const body = [
    `<header class="report"><div class="org">平安网格 · ${esc(d.scope.districtName ?? '')} ${esc(names)}</div>`,
    `<h1>${esc(PERIOD_TITLES[w.period])}：${esc(w.label)}</h1>`,
    `<div class="meta">统计时段 ${esc(w.firstDay)} 至 ${esc(w.lastDay)}（北京时间），生成于 ${esc(shanghaiMinute(d.generatedAt))}</div></header>`,
    tiles(d),
    // A report over several communities carries no geometry (see buildReport): no map.
    d.scope.communities.length > 1
      ? ''
      : `<figure class="map">${reportMapSvg(d.map)}${legend()}<figcaption>本期发现的隐患、巡逻轨迹、未巡查的楼栋与重点部位、隐患热点（Gi* 显著）及责任网格。底图 © OpenStreetMap contributors (ODbL)。</figcaption></figure>`,
    section(titleOf('核心指标'), table('核心指标', { hideKey: true }), true, 'headline'),
    section(titleOf('按类别'), beside(categoryChart, '按类别'), true, 'by-category'),
    section(titleOf('按等级'), table('按等级'), true, 'by-severity'),
    section(titleOf('按办理层级'), table('按办理层级'), true, 'by-level'),
    section(titleOf('按事项类型'), table('按事项类型'), true, 'by-type'),
    section(titleOf('按网格'), beside(zoneChart, '按网格'), short('按网格'), 'by-zone'),
    byName.has('共建单位') ? section(titleOf('共建单位'), table('共建单位'), short('共建单位'), 'by-unit') : '',
    byName.has('居民上报') ? section(titleOf('居民上报'), table('居民上报', { hideKey: true }), true, 'residents') : '',
    byName.has('每日') ? section(titleOf('每日'), `<figure>${dayChartSvg(d.byDay)}</figure>`, true, 'by-day') : '',
    section(titleOf('巡查覆盖-网格'), `<figure>${coverageChart}</figure>${table('巡查覆盖-网格')}`, short('巡查覆盖-网格'), 'coverage-zones'),
    section(titleOf('巡查覆盖-队伍'), table('巡查覆盖-队伍'), short('巡查覆盖-队伍'), 'coverage-teams'),
    section(titleOf('每周覆盖'), table('每周覆盖'), short('每周覆盖'), 'weekly-rule'),
    section(titleOf('热点'), table('热点'), true, 'hotspots'),
    section(titleOf('隐患最多楼栋'), table('隐患最多楼栋'), true, 'top-places'),
    section(titleOf('反弹'), table('反弹'), short('反弹'), 'recurrences'),
    byName.has('关爱走访') && d.care.length > 0 ? section(titleOf('关爱走访'), table('关爱走访'), true, 'care') : '',
    byName.has('积分排行') && d.pointsRanking.length > 0 ? section(titleOf('积分排行'), table('积分排行'), true, 'points-ranking') : '',
    section(
      '口径说明',
      `<ul class="notes">
        <li>发现：本期内上报的隐患（经核实不是隐患而驳回的不计）。办结：本期内回访通过（已办结）的隐患，不论何时发现。</li>
        <li>超期：办结时限（按办理层级：微网格 1 天、网格 3 天、街道 5 天，自上报起算；升级后按新层级重算）落在本期内且已过，而到时限仍未办结的事项。</li>
        <li>${d.targets.responseMinutes} 分钟响应率：本期发现的隐患中，上报后 ${d.targets.responseMinutes} 分钟内有人到场（到场记录为准；巡查时现场发现的另计，不在其内）的比例；按期办结率：在时限内办结的比例。</li>
        <li>未闭环：本期发现、至今既未办结也未驳回的事项，含居民上报后尚待核实（待核实）的；待核实的不计超期，也不计入“发现”。</li>
        <li>共建单位（周报、月报）：本期发现、现交办该单位的隐患；响应率 = ${d.targets.responseMinutes} 分钟内到场 ÷ 应响应（巡查现场发现的与刚上报尚在时限内的不计），办结率 = 已办结（回访通过）÷ 交办。</li>
        <li>居民上报（周报、月报）：本期居民扫码或网页上报的事项；答复时间为上报到指挥中心核实答复（受理或不予受理），以期末情况为准；满意率 = （满意 + 基本满意）÷ 本期评价数。</li>
        <li>按网格：以隐患上报时有效的网格划分为准（网格调整不改变历史统计）；网格员为本期内最后有效的责任人。</li>
        <li>巡查覆盖：巡逻轨迹经过楼栋或重点部位 ${d.targets.radiusM} 米以内，或在该处扫码打卡，即为已巡。每周覆盖：每个小区每个自然周（周一至周日）至少巡查一次。</li>
        <li>热点：以边长 ${d.targets.hotspotCellM} 米的六边形网格做 Getis-Ord Gi* 分析，列出显著性最高（或隐患最多）的网格。</li>
        ${d.notes.map((n) => `<li>${esc(n)}</li>`).join('')}
      </ul>`,
      true,
      'notes',
    ),
    `<footer class="report">SafeGrid 平安网格 · ${esc(title)} · ${esc(w.key)} · 时间均为北京时间</footer>`,
  ].join('\n')
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} ${esc(w.label)}</title>
<style>${CSS}</style>
</head>
<body><main class="sheet">
${body}
</main></body>
</html>
`
}
