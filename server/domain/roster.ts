/**
 * The roster workbook (花名册): reading an uploaded XLSX or CSV into rows keyed by {@link ROSTER_COLUMNS},
 * and the checks of one row that need no database (name, phone, dates, active). Pure but for exceljs.
 */
import ExcelJS from 'exceljs'
import { LIST_SEPARATOR, ROSTER_COLUMNS, ROSTER_MAX_ROWS, type RosterColumn } from '../../core/org.ts'
import { Problem, problems } from '../problem.ts'

/** One data row of an upload: its row number as the spreadsheet shows it, and its cells as text. */
export interface RawRosterRow {
  row: number
  cells: Partial<Record<RosterColumn, string>>
}

/** A row whose own cells are fine: what remains is checking it against the database. */
export interface CheckedRosterRow {
  row: number
  id: number | null
  name: string
  /** Normalised digits, `masked` when the cell holds a masked phone (kept as it is), null when empty. */
  phone: string | null | 'masked'
  title: string | null
  teams: string[] | null
  posts: string[] | null
  joinedOn: string | null
  leftOn: string | null
  active: boolean | null
}

/** Largest roster upload, in bytes. */
export const ROSTER_MAX_BYTES = 5 * 1024 * 1024

const normalise = (text: string): string => text.toLowerCase().replace(/[\s()（）:：*]/g, '')

/** Which roster column a header cell names (`姓名`, `Name`, `name`, `姓名 (Name)` …), if any. */
export function headerColumn(text: string): RosterColumn | undefined {
  const h = normalise(text)
  if (!h) return undefined
  for (const col of ROSTER_COLUMNS) {
    const names = [col.zh, normalise(col.en), col.key.toLowerCase()]
    if (names.some((n) => h === n)) return col.key
  }
  for (const col of ROSTER_COLUMNS) if (h.startsWith(col.zh)) return col.key
  return undefined
}

/** Text of a spreadsheet cell value: dates as YYYY-MM-DD, rich text joined, formulas by their result. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) {
    // exceljs reads a date cell as UTC midnight of the day written.
    return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10)
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('')
    if ('result' in value) return cellText((value as { result?: ExcelJS.CellValue }).result ?? null)
    if ('text' in value) return String((value as { text: unknown }).text)
    if ('error' in value) return ''
    return ''
  }
  return String(value)
}

/** Split CSV text into records (RFC 4180: quotes, doubled quotes, CRLF); a BOM is dropped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  const s = text.replace(/^\uFEFF/, '')
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else field += ch
    } else if (ch === '"' && field === '') quoted = true
    else if (ch === ',') {
      row.push(field)
      field = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      if (rows.length > ROSTER_MAX_ROWS + 20) break
    } else field += ch
  }
  if (field !== '' || row.length > 0) {
    row.push(field)
    rows.push(row)
  }
  return rows
}

/** Find the header row among the first 10 and map the rows below it; throws 422 when no `name` column is found. */
function rowsFromGrid(grid: { row: number; cells: string[] }[]): RawRosterRow[] {
  let header: { index: number; columns: (RosterColumn | undefined)[] } | undefined
  for (let i = 0; i < Math.min(grid.length, 10); i++) {
    const columns = grid[i]!.cells.map(headerColumn)
    if (columns.includes('name')) {
      header = { index: i, columns }
      break
    }
  }
  if (!header) throw problems.unprocessable('No header row with a 姓名 / Name column in the first 10 rows.')
  const out: RawRosterRow[] = []
  for (const line of grid.slice(header.index + 1)) {
    const cells: Partial<Record<RosterColumn, string>> = {}
    line.cells.forEach((text, i) => {
      const key = header.columns[i]
      if (key && text.trim() !== '') cells[key] = text.trim().slice(0, 500)
    })
    if (Object.keys(cells).length === 0) continue
    out.push({ row: line.row, cells })
  }
  if (out.length > ROSTER_MAX_ROWS) throw problems.unprocessable(`At most ${ROSTER_MAX_ROWS} rows.`)
  return out
}

/** Whether bytes start like a ZIP (an XLSX workbook). */
const isZip = (bytes: Uint8Array): boolean => bytes.length > 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04

/** Read an uploaded roster (XLSX by its content, else CSV in UTF-8) into rows. 422 for an unreadable file. */
export async function readRoster(bytes: Uint8Array): Promise<RawRosterRow[]> {
  if (bytes.length > ROSTER_MAX_BYTES) throw new Problem(413, `The roster is larger than ${ROSTER_MAX_BYTES} bytes.`)
  if (isZip(bytes)) {
    const workbook = new ExcelJS.Workbook()
    try {
      await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer)
    } catch {
      throw problems.unprocessable('The file is not a readable XLSX workbook.')
    }
    const sheet = workbook.worksheets.find((ws) => ws.rowCount > 0)
    if (!sheet) throw problems.unprocessable('The workbook has no rows.')
    if (sheet.rowCount > ROSTER_MAX_ROWS + 20) throw problems.unprocessable(`At most ${ROSTER_MAX_ROWS} rows.`)
    const grid: { row: number; cells: string[] }[] = []
    sheet.eachRow({ includeEmpty: false }, (r, rowNumber) => {
      const cells: string[] = []
      r.eachCell({ includeEmpty: true }, (cell, col) => {
        cells[col - 1] = cellText(cell.value)
      })
      grid.push({ row: rowNumber, cells: Array.from(cells, (c) => c ?? '') })
    })
    return rowsFromGrid(grid)
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
  if (text.includes('\u0000')) throw problems.unprocessable('The file is neither an XLSX workbook nor CSV text.')
  return rowsFromGrid(parseCsv(text).map((cells, i) => ({ row: i + 1, cells })))
}

/** A day as YYYY-MM-DD from 2024-03-01, 2024/3/1, 2024.3.1 or 2024年3月1日; null when it is not a real day. */
export function parseDay(text: string): string | null {
  const m = text.trim().match(/^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null
  if (y < 1900 || y > 2200) return null
  return date.toISOString().slice(0, 10)
}

/** A phone number as stored: digits only (a leading +86 dropped); null when it is not a plausible number. */
export function normalisePhone(text: string): string | null {
  const digits = text.replace(/[\s\-()（）]/g, '').replace(/^(\+86|0086)/, '')
  if (/^1[3-9]\d{9}$/.test(digits)) return digits
  if (/^0\d{9,11}$/.test(digits)) return digits
  return null
}

const YES = new Set(['是', '在岗', 'yes', 'y', 'true', '1', '√', 'active'])
const NO = new Set(['否', '离队', '离岗', 'no', 'n', 'false', '0', '×', 'inactive'])

/** Split a list cell into its items (teams, posts). */
export const splitList = (text: string | undefined): string[] | null =>
  text === undefined ? null : [...new Set(text.split(LIST_SEPARATOR).map((s) => s.trim()).filter(Boolean))]

/** Check one row's own cells. Returns the reason it is refused, or the checked row. */
export function checkRosterRow(raw: RawRosterRow): CheckedRosterRow | { row: number; reason: string } {
  const c = raw.cells
  const fail = (reason: string) => ({ row: raw.row, reason })
  let id: number | null = null
  if (c.id !== undefined) {
    id = Number(c.id)
    if (!Number.isInteger(id) || id <= 0) return fail(`bad ID "${c.id}"`)
  }
  const name = c.name?.trim() ?? ''
  if (!name) return fail('name is missing')
  if (name.length > 50) return fail('name is longer than 50 characters')
  let phone: CheckedRosterRow['phone'] = null
  if (c.phone !== undefined) {
    if (c.phone.includes('*')) phone = 'masked'
    else {
      phone = normalisePhone(c.phone)
      if (phone === null) return fail(`bad phone "${c.phone}"`)
    }
  }
  const joinedOn = c.joinedOn === undefined ? null : parseDay(c.joinedOn)
  if (c.joinedOn !== undefined && joinedOn === null) return fail(`bad date "${c.joinedOn}" (joined on; use YYYY-MM-DD)`)
  const leftOn = c.leftOn === undefined ? null : parseDay(c.leftOn)
  if (c.leftOn !== undefined && leftOn === null) return fail(`bad date "${c.leftOn}" (left on; use YYYY-MM-DD)`)
  if (joinedOn && leftOn && leftOn < joinedOn) return fail('left before joining')
  let active: boolean | null = null
  if (c.active !== undefined) {
    const v = c.active.trim().toLowerCase()
    if (YES.has(v)) active = true
    else if (NO.has(v)) active = false
    else return fail(`bad active value "${c.active}" (是 or 否)`)
  }
  if (leftOn && active === true) return fail('has a left date but is marked active (在岗=是)')
  if (leftOn && active === null) active = false
  const posts = splitList(c.posts)
  if (posts && posts.some((p) => p.length > 30)) return fail('a post is longer than 30 characters')
  return { row: raw.row, id, name, phone, title: c.title?.slice(0, 30) ?? null, teams: splitList(c.teams), posts, joinedOn, leftOn, active }
}
