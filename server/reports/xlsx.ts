/**
 * The report as an XLSX workbook: one sheet per table of the printable page (核心指标 first), typed
 * columns (counts as integers, shares with a % format, days and times as dates), widths, frozen
 * header rows, and a last sheet 报告信息 saying what the workbook covers.
 */
import { toXlsx } from '../export/xlsx.ts'
import type { Table } from '../export/table.ts'
import type { ReportData } from '../queries/reports.ts'
import { PERIOD_TITLES } from './labels.ts'
import { reportTables } from './tables.ts'

/** Name of the workbook's information sheet. */
export const INFO_SHEET = '报告信息'

/** A report as XLSX bytes. */
export async function reportXlsx(d: ReportData): Promise<Uint8Array<ArrayBuffer>> {
  const w = d.window
  const info: Table = {
    name: INFO_SHEET,
    columns: [
      { key: 'item', header: '项目', type: 'text', width: 14 },
      { key: 'value', header: '内容', type: 'text', width: 60 },
    ],
    rows: [
      { item: '报告', value: `${PERIOD_TITLES[w.period]}：${w.label}` },
      { item: '街道', value: d.scope.districtName ?? '' },
      { item: '社区', value: d.scope.communities.map((c) => c.name).join('、') },
      { item: '统计时段', value: `${w.firstDay} 至 ${w.lastDay}（北京时间）` },
      { item: '起（含）', value: w.from, __types: { value: 'datetime' } },
      { item: '止（不含）', value: w.to, __types: { value: 'datetime' } },
      { item: '生成时间', value: d.generatedAt, __types: { value: 'datetime' } },
      { item: '时间', value: '表中时间均为北京时间（UTC+8）' },
    ],
  }
  return toXlsx([...reportTables(d), info], { title: `${PERIOD_TITLES[w.period]} ${w.label}` })
}
