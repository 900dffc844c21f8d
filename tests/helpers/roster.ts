import ExcelJS from 'exceljs'
import { ROSTER_COLUMNS } from '../../core/org.ts'

/** A roster row for a test workbook, keyed like {@link ROSTER_COLUMNS}. */
export type RosterRow = Partial<Record<(typeof ROSTER_COLUMNS)[number]['key'], string | number | Date>>

/** An XLSX roster: a title row, the header row, then the rows (as a person fills the downloaded template). */
export async function rosterXlsx(rows: readonly RosterRow[], options: { title?: string } = {}): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('花名册')
  if (options.title) ws.addRow([options.title])
  ws.addRow(ROSTER_COLUMNS.map((c) => `${c.zh} ${c.en}`))
  for (const r of rows) ws.addRow(ROSTER_COLUMNS.map((c) => r[c.key] ?? null))
  return new Uint8Array(await wb.xlsx.writeBuffer())
}

/** `n` plausible people: distinct names and phones, spread over the given teams. */
export function peopleRows(n: number, teams: readonly string[], seed = 0): RosterRow[] {
  const family = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗'
  const given = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂'
  return Array.from({ length: n }, (_, i) => ({
    name: `${family[(i + seed) % family.length]}${given[(i * 7 + seed) % given.length]}${given[(i * 3 + 5) % given.length]}${i}`,
    phone: `139${String(10_000_000 + seed * 1000 + i).padStart(8, '0')}`,
    title: i % 10 === 0 ? '队长' : '队员',
    teams: teams.length ? teams[i % teams.length]! : '',
    posts: i % 3 === 0 ? '巡逻、信息员' : '巡逻',
    joinedOn: `2025-${String((i % 12) + 1).padStart(2, '0')}-15`,
    active: '是',
  }))
}
