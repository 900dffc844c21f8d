/**
 * Words of the 12345 hotline import page (issue 15), both locales side by side; `useHotlineText()` follows the
 * app's locale.
 */
import { HOTLINE_FIELD_TERMS, type HotlineField } from '../../core/hotline.ts'
import { interpolate, useI18n } from './index.ts'

const M = {
  'hotline.title': ['12345 热线工单导入', '12345 hotline import'],
  'hotline.intro': [
    '上传 12345 平台导出的 Excel 工单表，对应各列后先预览：能按地址（小区名 + 楼栋号）找到楼栋的工单导入为事项（来源：12345 热线），找不到的逐行列出原因。已导入过的工单编号不会重复导入。',
    'Upload the Excel export of the 12345 platform, map its columns, then preview: tickets whose address (compound name + building number) finds a building become matters (source: 12345 hotline); the others are listed with the reason. Tickets already imported are skipped.',
  ],
  'hotline.file': ['工单表（.xlsx）', 'Ticket workbook (.xlsx)'],
  'hotline.community': ['导入到社区', 'Into community'],
  'hotline.columns': ['列对应（{sheet}，{n} 行）', 'Columns ({sheet}, {n} rows)'],
  'hotline.none': ['（不导入）', '(none)'],
  'hotline.required': ['必填', 'required'],
  'hotline.sample': ['示例：{text}', 'e.g. {text}'],
  'hotline.preview': ['预览', 'Preview'],
  'hotline.import': ['导入 {n} 条工单', 'Import {n} tickets'],
  'hotline.summary': ['共 {total} 行：可导入 {accepted} 条（其中已导入过 {skipped} 条），无法导入 {rejected} 条', '{total} rows: {accepted} accepted ({skipped} already in), {rejected} refused'],
  'hotline.done': ['已导入 {n} 条工单，跳过已存在的 {skipped} 条', 'Imported {n} tickets; {skipped} already in were skipped'],
  'hotline.accepted': ['可导入', 'Accepted'],
  'hotline.rejected': ['无法导入', 'Refused'],
  'hotline.row': ['行', 'Row'],
  'hotline.ticket': ['工单编号', 'Ticket'],
  'hotline.time': ['受理时间', 'Time'],
  'hotline.place': ['楼栋', 'Building'],
  'hotline.kind': ['类型', 'Kind'],
  'hotline.reason': ['原因', 'Reason'],
  'hotline.exists': ['已导入过', 'already in'],
  'hotline.missing': ['请为必填项选择列', 'Choose a column for every required field'],
} as const satisfies Record<string, readonly [string, string]>

/** A key of the hotline page's words. */
export type HotlineKey = keyof typeof M

/** The translator of the hotline page, with the fields' names. */
export function useHotlineText(): ((key: HotlineKey, params?: Record<string, string | number>) => string) & { field: (f: HotlineField) => string } {
  const { locale } = useI18n()
  const lang = (): 'zh' | 'en' => (locale.value === 'en' ? 'en' : 'zh')
  const t = (key: HotlineKey, params?: Record<string, string | number>): string => interpolate(M[key][lang() === 'en' ? 1 : 0], params)
  return Object.assign(t, { field: (f: HotlineField) => HOTLINE_FIELD_TERMS[f][lang()] })
}
