/**
 * CSV (RFC 4180) for spreadsheets: UTF-8 with a byte-order mark so Excel reads Chinese, CRLF line
 * ends, every cell quoted, and text that a spreadsheet would run as a formula neutralised.
 */
import { cellType, type ColumnType, type Table } from './table.ts'

/** The UTF-8 byte-order mark Excel needs to read a CSV file as UTF-8. */
export const BOM = '\uFEFF'

const SHANGHAI_OFFSET_MS = 8 * 3_600_000

/** An instant as Asia/Shanghai wall-clock time with its offset: `2026-11-25T19:08:28+08:00`. */
export function shanghaiIso(value: string | Date): string {
  const t = typeof value === 'string' ? Date.parse(value) : value.getTime()
  if (Number.isNaN(t)) return String(value)
  return `${new Date(t + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19)}+08:00`
}

/** One cell as CSV text (unquoted). */
export function csvText(value: unknown, type: ColumnType): string {
  if (value === null || value === undefined) return ''
  switch (type) {
    case 'percent':
      return typeof value === 'number' ? `${Math.round(value * 1000) / 10}%` : String(value)
    case 'datetime':
      return typeof value === 'string' || value instanceof Date ? shanghaiIso(value) : String(value)
    case 'date':
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value)
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value)
  }
}

function quote(text: string): string {
  // A leading = + - @ (or tab / CR) would run as a formula in Excel: prefix an apostrophe, except for numbers.
  const safe = /^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?(e[+-]?\d+)?%?$/i.test(text) ? `'${text}` : text
  return `"${safe.replace(/"/g, '""')}"`
}

/** A table as CSV text, BOM first. */
export function toCsv(table: Table): string {
  const lines = [table.columns.map((c) => quote(c.header)).join(',')]
  for (const row of table.rows) lines.push(table.columns.map((c) => quote(csvText(row[c.key], cellType(row, c)))).join(','))
  return BOM + lines.join('\r\n') + '\r\n'
}
