/**
 * The roster workbook (`GET /api/people?format=xlsx|csv`): the people in the columns that
 * `POST /api/people/import` reads back ({@link ROSTER_COLUMNS}), so the download is also the template,
 * with a second sheet that says how to fill it.
 */
import { ROSTER_COLUMNS } from '../../core/org.ts'
import type { Table } from './table.ts'

/** The roster sheet of people items (as `GET /api/people` lists them). */
export function rosterTables(items: readonly Record<string, unknown>[]): Table[] {
  const list = (v: unknown) => (Array.isArray(v) ? v.join('、') : '')
  const rows = items.map((p) => ({
    id: p.id,
    name: p.name,
    phone: p.phone,
    title: p.title,
    teams: list(p.teamNames),
    posts: list(p.posts),
    joinedOn: p.joinedOn,
    leftOn: p.leftOn,
    active: p.active === false ? '否' : '是',
  }))
  const roster: Table = {
    name: '花名册',
    columns: ROSTER_COLUMNS.map((c) => ({
      key: c.key,
      header: `${c.zh} ${c.en}`,
      type: c.key === 'id' ? 'integer' : c.key === 'joinedOn' || c.key === 'leftOn' ? 'date' : 'text',
      ...(c.key === 'teams' || c.key === 'posts' ? { width: 24 } : c.key === 'phone' ? { width: 14 } : {}),
    })),
    rows,
  }
  const help: Table = {
    name: '填写说明',
    columns: [
      { key: 'column', header: '列 Column', type: 'text', width: 16 },
      { key: 'rule', header: '说明 How to fill', type: 'text', width: 80 },
    ],
    rows: [
      { column: '编号 ID', rule: '留空 = 新增人员；填写已有编号 = 修改该人员。Empty adds a person; an existing ID updates them.' },
      { column: '姓名 Name', rule: '必填。Required.' },
      { column: '手机 Phone', rule: '11 位手机号或座机；已有手机号的行修改该人员；带 * 的掩码号保持不变。A known phone updates that person; a masked one is kept.' },
      { column: '队伍 Teams', rule: '已有队伍名称，多个用 、 分隔。Existing team names, several separated by 、' },
      { column: '岗位 Posts', rule: '多个用 、 分隔（一岗多责）。Several separated by 、' },
      { column: '入队/离队日期', rule: 'YYYY-MM-DD。填写离队日期即为离队（不删除）。A left date deactivates (never deletes).' },
      { column: '在岗 Active', rule: '是 / 否' },
      { column: '空白单元格', rule: '修改时保持原值不变。An empty cell keeps what is stored.' },
    ],
  }
  return [roster, help]
}
