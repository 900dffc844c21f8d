/**
 * The 12345 hotline tickets (市民热线工单, issue 15) as SafeGrid reads them from the platforms' Excel exports: the
 * fields a column may be mapped to, the header names that suggest each, how a ticket's words pick the kind and
 * category of the matter, and how an address names a building (compound name + building number, as
 * core/address.ts writes addresses). No I/O: the server and the web page share it.
 */
import { buildingNumber, cleanPlaceName, readableAddress } from './address.ts'
import type { MatterCategory, MatterType } from './matters.ts'

/** The fields of a ticket a column can be mapped to; the first four are required. */
export const HOTLINE_FIELDS = ['ticket', 'time', 'address', 'content', 'category', 'phone'] as const
export type HotlineField = (typeof HOTLINE_FIELDS)[number]
/** The fields every mapping must give. */
export const REQUIRED_HOTLINE_FIELDS: readonly HotlineField[] = ['ticket', 'time', 'address', 'content']

/** The fields' names, both languages. */
export const HOTLINE_FIELD_TERMS: Record<HotlineField, { zh: string; en: string }> = {
  ticket: { zh: '工单编号', en: 'Ticket no.' },
  time: { zh: '受理时间', en: 'Time' },
  address: { zh: '地址', en: 'Address' },
  content: { zh: '诉求内容', en: 'Content' },
  category: { zh: '诉求类别', en: 'Category' },
  phone: { zh: '来电号码', en: 'Caller phone' },
}

/** Header words that suggest each field, most specific first (12345 platforms name them differently). */
const HEADER_WORDS: Record<HotlineField, readonly string[]> = {
  ticket: ['工单编号', '工单号', '编号', '单号', 'ticket'],
  time: ['受理时间', '来电时间', '登记时间', '创建时间', '派单时间', '时间', 'time'],
  address: ['事发地址', '诉求地址', '详细地址', '地址', 'address'],
  content: ['诉求内容', '来电内容', '工单内容', '问题描述', '内容', 'content'],
  category: ['诉求类别', '问题分类', '业务类别', '分类', '类别', 'category'],
  phone: ['来电号码', '联系电话', '联系方式', '电话', 'phone'],
}

/** A column per field guessed from the header row (indices into `headers`); each column used once. */
export function suggestHotlineMapping(headers: readonly string[]): Partial<Record<HotlineField, number>> {
  const taken = new Set<number>()
  const out: Partial<Record<HotlineField, number>> = {}
  const norm = headers.map((h) => h.replace(/\s+/g, '').toLowerCase())
  for (const field of HOTLINE_FIELDS) {
    for (const word of HEADER_WORDS[field]) {
      const i = norm.findIndex((h, k) => !taken.has(k) && h.includes(word.toLowerCase()))
      if (i >= 0) {
        out[field] = i
        taken.add(i)
        break
      }
    }
  }
  return out
}

/** Words of a ticket (category and content) that make it a hazard of a category; anything else is a request. */
const HAZARD_WORDS: readonly [MatterCategory, readonly string[]][] = [
  ['flying_wire_charging', ['飞线', '私拉电线', '拉线充电']],
  ['ebike_indoor', ['电动车进楼', '电动车入户', '电瓶车进楼', '电动车上楼', '楼道充电']],
  ['fire_lane_blocked', ['消防通道', '生命通道', '占用通道']],
  ['corridor_clutter', ['楼道堆', '堆放杂物', '堆物']],
  ['falling_object_risk', ['高空坠物', '外墙脱落', '坠落']],
  ['poor_lighting', ['路灯', '照明', '灯不亮']],
  ['facility_aging', ['消防栓', '灭火器', '设施老化', '电梯']],
]
const REQUEST_WORDS: readonly [MatterCategory, readonly string[]][] = [
  ['repair', ['维修', '损坏', '坏了', '漏水']],
  ['environment', ['垃圾', '卫生', '噪音', '异味', '绿化']],
  ['elderly_help', ['老人', '独居', '助老']],
]

/** The kind and category of a ticket from its words: a hazard when they name one, else a request. */
export function classifyTicket(text: string): { type: Extract<MatterType, 'hazard' | 'request'>; category: MatterCategory } {
  for (const [category, words] of HAZARD_WORDS) if (words.some((w) => text.includes(w))) return { type: 'hazard', category }
  for (const [category, words] of REQUEST_WORDS) if (words.some((w) => text.includes(w))) return { type: 'request', category }
  return { type: 'request', category: 'other' }
}

/** A building as the address matcher knows it. */
export interface AddressBuilding {
  id: number
  name: string | null
  compoundName: string | null
}

/** Where an address landed: a building, or the reason it did not. */
export type AddressMatch = { buildingId: number; place: string } | { reason: string }

/** "3栋", "3幢", "3号楼", "3座", "3号" all name building 3: the digits (or letter) alone. */
const numberKey = (label: string): string => label.replace(/(栋|幢|号楼|座|号|单元楼)$/u, '')
/** A building number in free text after the compound's name: "3栋", "3 号楼", "12幢", "A座". */
const NUMBER_IN_TEXT = /([0-9０-９]+|[A-Za-zＡ-Ｚａ-ｚ])\s*(栋|幢|号楼|座)/u

/**
 * The building an address names: the longest compound name found in it, then the building number after it
 * ("光谷花园3栋2单元501" → 光谷花园 3栋). Refused with the reason when no compound name is in the text, no building
 * number follows it, or the compound has no such building.
 */
export function matchAddress(address: string, buildings: readonly AddressBuilding[]): AddressMatch {
  const text = address.replace(/\s+/g, '')
  if (!text) return { reason: '地址为空' }
  const compounds = [...new Set(buildings.map((b) => cleanPlaceName(b.compoundName)).filter((c): c is string => c !== null))].sort((a, b) => b.length - a.length)
  const compound = compounds.find((c) => text.includes(c.replace(/\s+/g, '')))
  if (!compound) return { reason: '地址中没有找到本社区的小区名' }
  const after = text.slice(text.indexOf(compound.replace(/\s+/g, '')) + compound.replace(/\s+/g, '').length)
  const m = NUMBER_IN_TEXT.exec(after)
  if (!m) return { reason: `地址中“${compound}”后没有楼栋号` }
  const wanted = numberKey(buildingNumber(`${m[1]}${m[2]}`) ?? '')
  const hit = buildings.find((b) => cleanPlaceName(b.compoundName) === compound && numberKey(buildingNumber(b.name) ?? '') === wanted)
  if (!hit) return { reason: `${compound}没有${m[1]}${m[2]}` }
  return { buildingId: hit.id, place: readableAddress(hit) }
}

/**
 * A ticket's time as an instant: an Excel date (its wall-clock time written as UTC, read as Beijing time) or text
 * such as `2026-11-03 08:30`, `2026/11/3 8:30:00`, `2026年11月3日 8时30分` (Beijing time); null when it is none.
 */
export function parseTicketTime(value: string | Date): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : new Date(value.getTime() - 8 * 3_600_000)
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]+(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?\s*秒?)?$/u.exec(value.trim())
  if (!m) return null
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [number, number, number, number, number, number]
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - 8 * 3_600_000)
  const local = new Date(t.getTime() + 8 * 3_600_000)
  if (local.getUTCFullYear() !== y || local.getUTCMonth() !== mo - 1 || local.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null
  return t
}
