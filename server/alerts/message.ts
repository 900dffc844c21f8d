/**
 * What an alert says (pure): a short Chinese message — kind and category, danger, handling level,
 * place, due time, a link — built from the matter as it stood when the alert was queued. Stored with the
 * delivery, so every retry sends the same words. No phone numbers: text typed by people (descriptions,
 * reasons, names) has digit runs masked and the characters robots read as markup or @-mentions
 * replaced, so a description can neither call everyone in the group nor plant a link.
 */
import { ALERT_SILENT_TYPES, type AlertEvent, type DeliveryEvent } from '../../core/alerts.ts'
import { LEVEL_DAYS, LEVELS, MATTER_TYPES, type Level, type MatterType } from '../../core/matters.ts'
import { CATEGORY_TERMS, LEVEL_TERMS, SEVERITY_TERMS, STATUS_TERMS, TYPE_TERMS } from '../../core/terms.ts'

/** The product's tag at the start of every message (usable as a DingTalk / Feishu robot keyword). */
export const ALERT_TAG = '【平安网格】'

/** Longest excerpt of a description or reason in a message, in characters. */
export const EXCERPT_MAX = 80

/** The facts of a matter an alert is built from (the hazard's properties plus place names). */
export interface MatterFacts {
  id: number
  communityId: number
  zoneId: number | null
  buildingId: number | null
  type?: string | null
  category: string
  severity: string
  level?: string | null
  status: string
  reportedAt: string
  dueAt: string
  description: string | null
  communityName: string | null
  zoneName: string | null
  /** The micro-grid it was reported in (issue #14), if any. */
  microGridId?: number | null
  microGridName?: string | null
  buildingName: string | null
}

/** Whether alerts may tell a work group about this matter (not a lead: {@link ALERT_SILENT_TYPES}). */
export function isAnnounced(f: Pick<MatterFacts, 'type'>): boolean {
  return !ALERT_SILENT_TYPES.includes(f.type ?? 'hazard')
}

/** An escalation as its live event tells it. */
export interface EscalationFacts {
  from: string | null
  to: string | null
  reason: string | null
  unitId: number | null
  unitName?: string | null
}

/** One line of a message. */
export interface AlertLine {
  label: string
  value: string
}

/** An alert as stored in `alert_deliveries.payload`; each provider renders it (server/alerts/providers.ts). */
export interface AlertPayload {
  event: DeliveryEvent
  /** The headline, starting with {@link ALERT_TAG}. */
  title: string
  lines: AlertLine[]
  /** The matter in the web app (`PUBLIC_URL/?hazard=<id>`), or null when PUBLIC_URL is not set. */
  url: string | null
  /** Machine-readable facts for the generic webhook. */
  matter: {
    id: number
    type: string
    category: string
    severity: string
    level: string | null
    status: string
    communityId: number
    zoneId: number | null
    /** The micro-grid it was reported in (issue #14), if any. */
    microGridId: number | null
    buildingId: number | null
    reportedAt: string
    dueAt: string
  } | null
  escalation?: { from: string | null; to: string | null; reason: string | null; unitId: number | null }
}

/** Mask digit runs that may be phone or ID numbers (7+ digits, spaces and dashes allowed): 138****1234. */
export function maskDigits(text: string): string {
  return text.replace(/\d[\d -]{5,}\d/g, (run) => {
    const digits = run.replace(/[ -]/g, '')
    if (digits.length < 7) return run
    return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`
  })
}

/**
 * Text typed by people, made safe for a group robot: one line, at most `max` characters, digit runs
 * masked, and markup (`<font>`, `<@userid>`, `[link](…)`, `**`, `#`, `@all`) turned into harmless
 * full-width look-alikes.
 */
export function plain(text: string | null | undefined, max = EXCERPT_MAX): string {
  if (!text) return ''
  const one = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/</g, '＜')
    .replace(/>/g, '＞')
    .replace(/\[/g, '［')
    .replace(/\]/g, '］')
    .replace(/\(/g, '（')
    .replace(/\)/g, '）')
    .replace(/[*_`~|]/g, '·')
    .replace(/#/g, '＃')
    .replace(/@/g, '＠')
  const chars = [...maskDigits(one)]
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('')
}

/** `12月05日 14:30` in Asia/Shanghai (UTC+8 all year). */
export function shanghaiTime(iso: string): string {
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return iso
  const d = new Date(t + 8 * 3_600_000)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${two(d.getUTCMonth() + 1)}月${two(d.getUTCDate())}日 ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`
}

const isLevel = (v: unknown): v is Level => typeof v === 'string' && (LEVELS as readonly string[]).includes(v)
const typeOf = (v: unknown): MatterType => (typeof v === 'string' && (MATTER_TYPES as readonly string[]).includes(v) ? (v as MatterType) : 'hazard')
const zhOf = (table: Record<string, { zh: string }>, key: string | null | undefined): string => (key ? (table[key]?.zh ?? plain(key, 40)) : '—')

/** `微网格（小事，1 天内办结）`. */
function levelText(level: Level): string {
  const t = LEVEL_TERMS[level]
  return `${t.zh}（${t.matter.zh}，${LEVEL_DAYS[level]} 天内办结）`
}

/** The matter's page in the web app, or null without a public origin. */
export function matterUrl(publicUrl: string | null, id: number): string | null {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/?hazard=${id}` : null
}

/** The place of a matter: community · building · grid · micro-grid. */
function placeText(f: MatterFacts): string {
  const parts = [f.communityName, f.buildingName, f.zoneName, f.microGridName].map((p) => plain(p, 40)).filter(Boolean)
  return parts.length ? parts.join(' · ') : '—'
}

const HEADLINES: Record<AlertEvent, string> = {
  critical: '重大事项，请立即处置',
  escalation: '事项升级',
  overdue: '事项超期未办结',
}

/** The alert of an event about a matter. */
export function matterAlert(event: AlertEvent, f: MatterFacts, publicUrl: string | null, escalation?: EscalationFacts): AlertPayload {
  const type = typeOf(f.type)
  const level = isLevel(f.level) ? f.level : null
  const what = `${TYPE_TERMS[type].zh} · ${zhOf(CATEGORY_TERMS, f.category)}`
  let headline = HEADLINES[event]
  if (event === 'escalation' && escalation) {
    const from = isLevel(escalation.from) ? LEVEL_TERMS[escalation.from].zh : plain(escalation.from, 20)
    const to = isLevel(escalation.to) ? LEVEL_TERMS[escalation.to].zh : plain(escalation.to, 20)
    headline = `事项升级：${from || '—'} → ${to || '—'}`
  }
  const lines: AlertLine[] = [
    { label: '事项', value: `${what}（编号 ${f.id}）` },
    { label: '危险程度', value: zhOf(SEVERITY_TERMS, f.severity) },
  ]
  if (level) lines.push({ label: '办理层级', value: levelText(level) })
  lines.push({ label: '地点', value: placeText(f) })
  lines.push({ label: '状态', value: zhOf(STATUS_TERMS, f.status) })
  lines.push({ label: event === 'overdue' ? '办结期限（已超期）' : '办结期限', value: shanghaiTime(f.dueAt) })
  if (event === 'escalation' && escalation) {
    if (escalation.reason) lines.push({ label: '升级原因', value: plain(escalation.reason) })
    if (escalation.unitName) lines.push({ label: '承办单位', value: plain(escalation.unitName, 40) })
  }
  const description = plain(f.description)
  if (description) lines.push({ label: '描述', value: description })
  return {
    event,
    title: `${ALERT_TAG}${headline}`,
    lines,
    url: matterUrl(publicUrl, f.id),
    matter: {
      id: f.id,
      type,
      category: f.category,
      severity: f.severity,
      level,
      status: f.status,
      communityId: f.communityId,
      zoneId: f.zoneId,
      microGridId: f.microGridId ?? null,
      buildingId: f.buildingId,
      reportedAt: f.reportedAt,
      dueAt: f.dueAt,
    },
    ...(escalation ? { escalation: { from: escalation.from, to: escalation.to, reason: escalation.reason ? plain(escalation.reason, 200) : null, unitId: escalation.unitId } } : {}),
  }
}

/** The admin's "send a test" message. */
export function testAlert(channelName: string, communityName: string | null, at: Date, publicUrl: string | null): AlertPayload {
  return {
    event: 'test',
    title: `${ALERT_TAG}测试消息`,
    lines: [
      { label: '通道', value: plain(channelName, 60) },
      { label: '社区', value: plain(communityName, 60) || '—' },
      { label: '时间', value: shanghaiTime(at.toISOString()) },
      { label: '说明', value: '收到此消息，说明重大事项、升级和超期提醒会推送到本群。' },
    ],
    url: publicUrl ? publicUrl.replace(/\/+$/, '') + '/' : null,
    matter: null,
  }
}

/** The message as plain text (WeCom text, Feishu text, the webhook's `text`). */
export function alertText(p: AlertPayload): string {
  const lines = [p.title, ...p.lines.map((l) => `${l.label}：${l.value}`)]
  if (p.url) lines.push(`查看：${p.url}`)
  return lines.join('\n')
}
