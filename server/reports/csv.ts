/** The report's CSV: the headline table (核心指标), UTF-8 with a BOM so Excel reads the Chinese. */
import { toCsv } from '../export/csv.ts'
import type { ReportData } from '../queries/reports.ts'
import { headlineTable } from './tables.ts'

/** The headline table of a report as CSV text. */
export function reportCsv(d: ReportData): string {
  return toCsv(headlineTable(d))
}
