/**
 * Reading a 12345 platform's Excel export (issue 15): the first sheet with rows, its header row and the cells of
 * every row as text (a date cell kept as a Date), within bounds. No database.
 */
import ExcelJS from 'exceljs'
import { Problem, problems } from '../problem.ts'

/** Largest workbook accepted. */
export const HOTLINE_MAX_BYTES = 5 * 1024 * 1024
/** Most ticket rows in one workbook. */
export const HOTLINE_MAX_ROWS = 5000
/** Most columns looked at. */
export const HOTLINE_MAX_COLUMNS = 60

/** One cell: text, or a date cell's Date (its wall-clock time written as UTC). */
export type HotlineCell = string | Date

/** The sheet as read: its header cells, and each later row with its sheet row number. */
export interface HotlineSheet {
  sheet: string
  headers: string[]
  rows: { row: number; cells: HotlineCell[] }[]
}

function cellValue(value: ExcelJS.CellValue): HotlineCell {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('')
    if ('result' in value) return cellValue((value as { result?: ExcelJS.CellValue }).result ?? null)
    if ('text' in value) return String((value as { text: unknown }).text)
    return ''
  }
  return String(value).trim()
}

/** The first sheet with rows of an XLSX workbook; 422 when it is no workbook, has no rows or too many. */
export async function readHotlineWorkbook(bytes: Uint8Array): Promise<HotlineSheet> {
  if (bytes.length > HOTLINE_MAX_BYTES) throw new Problem(413, `The workbook is larger than ${HOTLINE_MAX_BYTES / 1024 / 1024} MB.`)
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw problems.unprocessable('The file is not an XLSX workbook (.xlsx).')
  const workbook = new ExcelJS.Workbook()
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer)
  } catch {
    throw problems.unprocessable('The file is not a readable XLSX workbook.')
  }
  const sheet = workbook.worksheets.find((ws) => ws.actualRowCount > 0)
  if (!sheet) throw problems.unprocessable('The workbook has no rows.')
  if (sheet.actualRowCount > HOTLINE_MAX_ROWS + 1) throw problems.unprocessable(`At most ${HOTLINE_MAX_ROWS} tickets in one workbook.`)
  const grid: { row: number; cells: HotlineCell[] }[] = []
  sheet.eachRow({ includeEmpty: false }, (r, rowNumber) => {
    const cells: HotlineCell[] = []
    r.eachCell({ includeEmpty: true }, (cell, col) => {
      if (col <= HOTLINE_MAX_COLUMNS) cells[col - 1] = cellValue(cell.value)
    })
    grid.push({ row: rowNumber, cells: Array.from(cells, (c) => c ?? '') })
  })
  const [head, ...rows] = grid
  if (!head) throw problems.unprocessable('The workbook has no rows.')
  const headers = head.cells.map((c, i) => (c instanceof Date ? c.toISOString() : c) || `列${i + 1}`)
  return { sheet: sheet.name, headers, rows: rows.filter((r) => r.cells.some((c) => c instanceof Date || c !== '')) }
}

/** A cell as text (a date cell as its Beijing wall-clock time). */
export function cellText(cell: HotlineCell | undefined): string {
  if (cell === undefined) return ''
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString().slice(0, 19).replace('T', ' ')
  return cell
}
