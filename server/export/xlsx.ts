/**
 * XLSX workbooks with exceljs: one sheet per {@link Table}, the header row bold and frozen, an auto
 * filter, column widths from the data, numbers as numbers, times as real spreadsheet times
 * (Asia/Shanghai wall clock, since spreadsheet times carry no zone) and shares with a % format.
 */
import ExcelJS from 'exceljs'
import { cellType, type Column, type ColumnType, type Table } from './table.ts'

const SHANGHAI_OFFSET_MS = 8 * 3_600_000
/** Longest text a spreadsheet cell holds. */
export const XLSX_CELL_MAX = 32_767

const NUM_FMT: Partial<Record<ColumnType, string>> = {
  integer: '0',
  number: '0.####',
  percent: '0.0%',
  datetime: 'yyyy-mm-dd hh:mm:ss',
  date: 'yyyy-mm-dd',
}

/** A value as the cell should hold it. */
function cellValue(value: unknown, type: ColumnType): ExcelJS.CellValue {
  if (value === null || value === undefined || value === '') return null
  switch (type) {
    case 'integer':
    case 'number':
    case 'percent':
      return typeof value === 'number' ? value : Number.isFinite(Number(value)) ? Number(value) : String(value)
    case 'datetime': {
      const t = value instanceof Date ? value.getTime() : Date.parse(String(value))
      // The wall-clock time in Shanghai, written as if UTC: what the reader expects to see.
      return Number.isNaN(t) ? String(value) : new Date(t + SHANGHAI_OFFSET_MS)
    }
    case 'date': {
      const t = value instanceof Date ? value.getTime() : Date.parse(`${String(value).slice(0, 10)}T00:00:00Z`)
      return Number.isNaN(t) ? String(value) : new Date(t)
    }
    case 'boolean':
      return Boolean(value)
    default: {
      const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
      // Longer text does not fit a cell; the GeoJSON download keeps it whole.
      return text.length > XLSX_CELL_MAX ? `${text.slice(0, XLSX_CELL_MAX - 1)}…` : text
    }
  }
}

/** Width of a column in characters: the widest of header and (the first 500) values, CJK counted double. */
function widthOf(column: Column, rows: readonly Record<string, unknown>[]): number {
  if (column.width) return column.width
  const len = (s: string) => [...s].reduce((n, ch) => n + (/[\u2e80-\uffff]/.test(ch) ? 2 : 1), 0)
  let widest = len(column.header)
  if (column.type === 'datetime') widest = Math.max(widest, 19)
  else if (column.type === 'date') widest = Math.max(widest, 10)
  else {
    for (const row of rows.slice(0, 500)) {
      const v = row[column.key]
      if (v !== null && v !== undefined) widest = Math.max(widest, len(typeof v === 'number' && column.type === 'percent' ? '100.0%' : String(v)))
    }
  }
  return Math.min(60, Math.max(6, widest + 2))
}

/** A sheet name Excel accepts: at most 31 characters, none of []:*?/\, unique in the workbook. */
function sheetName(name: string, taken: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, '-').slice(0, 31) || 'Sheet'
  let candidate = base
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = `${base.slice(0, 28)}-${i}`
  taken.add(candidate.toLowerCase())
  return candidate
}

/** Add one table as a sheet. */
export function addSheet(workbook: ExcelJS.Workbook, table: Table, taken = new Set<string>()): ExcelJS.Worksheet {
  const ws = workbook.addWorksheet(sheetName(table.name, taken), { views: [{ state: 'frozen', ySplit: 1 }] })
  ws.columns = table.columns.map((c) => ({ header: c.header, key: c.key, width: widthOf(c, table.rows), style: NUM_FMT[c.type] ? { numFmt: NUM_FMT[c.type]! } : {} }))
  for (const row of table.rows) {
    const added = ws.addRow(table.columns.map((c) => cellValue(row[c.key], cellType(row, c))))
    table.columns.forEach((c, i) => {
      const own = cellType(row, c)
      if (own !== c.type) added.getCell(i + 1).numFmt = NUM_FMT[own] ?? 'General'
    })
    if (row.__total) added.font = { bold: true }
  }
  const header = ws.getRow(1)
  header.font = { bold: true }
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF5' } }
  if (table.columns.length > 0) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } }
  return ws
}

/** A workbook of these tables (one sheet each) as XLSX bytes. */
export async function toXlsx(tables: readonly Table[], meta: { title?: string; creator?: string } = {}): Promise<Uint8Array<ArrayBuffer>> {
  const workbook = new ExcelJS.Workbook()
  workbook.creator = meta.creator ?? 'SafeGrid 平安网格'
  if (meta.title) workbook.title = meta.title
  workbook.created = new Date()
  const taken = new Set<string>()
  for (const table of tables) addSheet(workbook, table, taken)
  return new Uint8Array((await workbook.xlsx.writeBuffer()) as ArrayBuffer)
}
