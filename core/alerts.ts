/**
 * The vocabulary of alerts to the work groups (告警推送, issue #14) shared by the server and the web app:
 * the robots a channel posts to, the events it may carry, the states of a delivery. Pure: no I/O.
 */
import type { Term } from './terms.ts'

/**
 * Where a channel posts: 企业微信群机器人, 钉钉自定义机器人, 飞书自定义机器人, or a generic JSON webhook
 * (signed with HMAC-SHA256 when it has a secret).
 */
export const ALERT_PROVIDERS = ['wecom', 'dingtalk', 'feishu', 'webhook'] as const
export type AlertProvider = (typeof ALERT_PROVIDERS)[number]

/** What a channel may be told: a new critical matter, an escalation, a matter turning overdue. */
export const ALERT_EVENTS = ['critical', 'escalation', 'overdue'] as const
export type AlertEvent = (typeof ALERT_EVENTS)[number]

/**
 * Every kind of delivery: the events, a reminder (催办) to the assignee of a matter (sent on the channels that
 * take `overdue`), and the admin's "send a test".
 */
export type DeliveryEvent = AlertEvent | 'reminder' | 'test'

/** States of one delivery: queued (and between retries), being sent, sent, given up. */
export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number]

/**
 * Kinds of matters never posted to a group robot: a lead (治安线索: suspicious people or vehicles) is for
 * admins, the command centre and police units only, and a work group is none of those.
 */
export const ALERT_SILENT_TYPES: readonly string[] = ['lead']

/** Which providers sign with the channel's secret (WeCom's robot has no signature: its key is in the URL). */
export const PROVIDER_SIGNS: Record<AlertProvider, boolean> = { wecom: false, dingtalk: true, feishu: true, webhook: true }

/** Names of the providers. */
export const PROVIDER_TERMS: Record<AlertProvider, Term> = {
  wecom: { zh: '企业微信群机器人', en: 'WeCom group robot' },
  dingtalk: { zh: '钉钉自定义机器人', en: 'DingTalk custom robot' },
  feishu: { zh: '飞书自定义机器人', en: 'Feishu / Lark custom bot' },
  webhook: { zh: '通用 Webhook（JSON）', en: 'Generic webhook (JSON)' },
}

/** Names of the events. */
export const ALERT_EVENT_TERMS: Record<DeliveryEvent, Term> = {
  critical: { zh: '重大事项', en: 'New critical matter' },
  escalation: { zh: '事项升级', en: 'Escalation' },
  overdue: { zh: '超期提醒', en: 'Overdue' },
  reminder: { zh: '催办', en: 'Reminder' },
  test: { zh: '测试消息', en: 'Test message' },
}

/** Names of the delivery states. */
export const DELIVERY_STATUS_TERMS: Record<DeliveryStatus, Term> = {
  pending: { zh: '待发送', en: 'Queued' },
  sending: { zh: '发送中', en: 'Sending' },
  sent: { zh: '已送达', en: 'Delivered' },
  failed: { zh: '发送失败', en: 'Failed' },
}

