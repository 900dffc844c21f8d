/**
 * Messages of the partner units (共建单位, issue #14): the admin tab, the accounts' unit picker, the dispatch
 * unit picker and the partner's workbench, in both locales side by side. `useUnitsText()` follows the app's locale.
 */
import { UNIT_KIND_TERMS } from '../../core/terms.ts'
import type { UnitKind } from '../../core/org.ts'
import { interpolate, useI18n } from './index.ts'

const M = {
  'units.title': ['共建单位', 'Partner units'],
  'units.add': ['新增单位', 'Add unit'],
  'units.edit': ['编辑', 'Edit'],
  'units.name': ['单位名称', 'Name'],
  'units.kind': ['类别', 'Kind'],
  'units.contact': ['联系方式', 'Contact'],
  'units.communities': ['服务社区', 'Communities served'],
  'units.accounts': ['账号数', 'Accounts'],
  'units.state': ['状态', 'State'],
  'units.active': ['启用', 'Active'],
  'units.inactive': ['停用', 'Inactive'],
  'units.deactivate': ['停用', 'Deactivate'],
  'units.activate': ['启用', 'Activate'],
  'units.empty': ['还没有共建单位。', 'No partner units yet.'],
  'units.save': ['保存', 'Save'],
  'units.cancel': ['取消', 'Cancel'],
  'units.unit': ['所属单位', 'Unit'],
  'units.chooseUnit': ['请选择单位', 'Choose a unit'],
  'units.handTo': ['交办共建单位', 'Hand to a partner unit'],
  'units.noUnit': ['（不交办单位）', '(no unit)'],
  'units.handedTo': ['已交办：{name}', 'Handed to {name}'],
  'bench.title': ['共建单位工作台', 'Partner workbench'],
  'bench.mine': ['交办本单位的事项', 'Matters handed to my unit'],
  'bench.open': ['待办', 'Open'],
  'bench.closed': ['已办结', 'Closed'],
  'bench.none': ['暂无交办事项。', 'Nothing handed to your unit.'],
  'bench.accept': ['接单处置', 'Accept'],
  'bench.rectified': ['整改完成', 'Mark rectified'],
  'bench.photo': ['上传整改照片', 'Upload a photo'],
  'bench.comment': ['留言', 'Comment'],
  'bench.commentPlaceholder': ['处置情况、需要协调的事项…', 'What was done, what needs help…'],
  'bench.send': ['发送', 'Send'],
  'bench.due': ['时限 {time}', 'Due {time}'],
  'bench.overdue': ['超期', 'Overdue'],
  'bench.comments': ['留言', 'Comments'],
  'bench.history': ['办理经过', 'History'],
  'bench.signOut': ['退出登录', 'Sign out'],
  'bench.uploaded': ['照片已上传', 'Photo uploaded'],
} as const satisfies Record<string, readonly [string, string]>

/** A message key of the partner units' pages. */
export type UnitsKey = keyof typeof M

/** The partner units' messages in the app's locale, and the name of a unit kind. */
export function useUnitsText(): ((key: UnitsKey, params?: Record<string, string | number>) => string) & { kind: (kind: UnitKind) => string } {
  const { locale } = useI18n()
  const t = (key: UnitsKey, params?: Record<string, string | number>): string => interpolate(M[key][locale.value === 'en' ? 1 : 0], params)
  return Object.assign(t, { kind: (kind: UnitKind) => UNIT_KIND_TERMS[kind][locale.value === 'en' ? 'en' : 'zh'] })
}
