/**
 * Each robot's documented request and signature, and how to read its answer (pure but for the clock and
 * HMAC). Sources, checked when this was written (2026-12):
 *
 * - 企业微信群机器人 — "群机器人配置说明", https://developer.work.weixin.qq.com/document/path/91770 :
 *   POST JSON to `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY` (the key in the URL is the only
 *   credential: no signature); `{"msgtype":"text","text":{"content":…}}` (≤ 2048 bytes) or
 *   `{"msgtype":"markdown","markdown":{"content":…}}` (≤ 4096 bytes, UTF-8); answer `{"errcode":0,"errmsg":"ok"}`;
 *   at most 20 messages a minute per robot (errcode 45009 when over).
 * - 钉钉自定义机器人 — "自定义机器人安全设置 · 加签", https://open.dingtalk.com/document/robots/customize-robot-security-settings
 *   and "自定义机器人发送群消息", https://open.dingtalk.com/document/robots/custom-robot-access :
 *   string_to_sign = timestamp + "\n" + secret (timestamp in ms, within 1 hour of the call), HmacSHA256 keyed
 *   with the secret (the `SEC…` string), Base64, then URL-encoded; sent as the `timestamp` and `sign` query
 *   parameters of the webhook URL. `{"msgtype":"markdown","markdown":{"title":…,"text":…}}`; answer
 *   `{"errcode":0,"errmsg":"ok"}`; 20 messages a minute (130101 "send too fast"; 310000 keyword/sign/IP refused).
 * - 飞书自定义机器人 — "自定义机器人使用指南 · 签名校验", https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot :
 *   string_to_sign = timestamp + "\n" + secret (timestamp in seconds, within 1 hour) is the HmacSHA256 KEY over
 *   an empty message, Base64; `timestamp` and `sign` go in the JSON body next to
 *   `{"msg_type":"text","content":{"text":…}}` (body ≤ 20 KB); answer `{"code":0,"msg":"success"}` (older
 *   answers carry `StatusCode: 0`); 19021 sign mismatch, 9499 bad request, 11232 rate limited (100/min, 5/s).
 *   Lark (open.larksuite.com) is the same API.
 * - Generic webhook (ours): the body is our JSON (docs/api-additions.md, "Alert channels"); with a secret,
 *   `X-SafeGrid-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>` — the timestamp
 *   is signed with the body, so a receiver refuses a replay older than 5 minutes and dedupes by
 *   `X-SafeGrid-Delivery`.
 * The signature algorithms were confirmed against the vendors' published sample code (Java/Python) as
 * quoted in public copies of those pages; tests/alerts.test.ts verifies each on a local receiver.
 */
import { createHmac } from 'node:crypto'
import type { AlertProvider } from '../../core/alerts.ts'
import { alertText, type AlertPayload } from './message.ts'

/** A request ready to send. */
export interface OutgoingRequest {
  url: string
  headers: Record<string, string>
  body: string
}

/** WeCom's markdown limit, in UTF-8 bytes. */
export const WECOM_MARKDOWN_MAX_BYTES = 4096

/** Cut text to at most `max` UTF-8 bytes (on a character boundary), marking the cut with `…`. */
export function fitBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text
  let out = ''
  let size = 0
  for (const ch of text) {
    const n = Buffer.byteLength(ch)
    if (size + n > max - 3) break
    out += ch
    size += n
  }
  return `${out}…`
}

/** DingTalk's 加签: Base64(HmacSHA256(key = secret, message = timestamp + "\n" + secret)), timestamp in ms. */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64')
}

/** Feishu's 签名校验: Base64(HmacSHA256(key = timestamp + "\n" + secret, message = "")), timestamp in seconds. */
export function feishuSign(secret: string, timestampSec: number): string {
  return createHmac('sha256', `${timestampSec}\n${secret}`).update(Buffer.alloc(0)).digest('base64')
}

/** Our webhook's signature: hex HMAC-SHA256(key = secret, message = timestamp + "." + body), timestamp in seconds. */
export function webhookSignature(secret: string, timestampSec: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSec}.${body}`, 'utf8').digest('hex')
}

function wecomMarkdown(p: AlertPayload): string {
  const lines = [`**${p.title}**`, ...p.lines.map((l) => `> ${l.label}：<font color="comment">${l.value}</font>`)]
  if (p.url) lines.push(`[查看详情](${p.url})`)
  return fitBytes(lines.join('\n'), WECOM_MARKDOWN_MAX_BYTES)
}

function dingtalkMarkdown(p: AlertPayload): string {
  const lines = [`#### ${p.title}`, ...p.lines.map((l) => `- ${l.label}：${l.value}`)]
  if (p.url) lines.push(`[查看详情](${p.url})`)
  return lines.join('\n\n')
}

/** The request that delivers `payload` through a channel, signed at `now`. */
export function buildRequest(
  channel: { provider: AlertProvider; url: string; secret: string | null },
  payload: AlertPayload,
  delivery: { id: number; communityId: number },
  now: Date = new Date(),
): OutgoingRequest {
  const secret = channel.secret || null
  switch (channel.provider) {
    case 'wecom':
      return { url: channel.url, headers: {}, body: JSON.stringify({ msgtype: 'markdown', markdown: { content: wecomMarkdown(payload) } }) }
    case 'dingtalk': {
      const url = new URL(channel.url)
      if (secret) {
        const timestamp = now.getTime()
        url.searchParams.set('timestamp', String(timestamp))
        // URLSearchParams percent-encodes the Base64 (+, /, =), which is the urlEncode the document asks for.
        url.searchParams.set('sign', dingtalkSign(secret, timestamp))
      }
      return { url: url.toString(), headers: {}, body: JSON.stringify({ msgtype: 'markdown', markdown: { title: payload.title, text: dingtalkMarkdown(payload) } }) }
    }
    case 'feishu': {
      const timestamp = Math.floor(now.getTime() / 1000)
      const signed = secret ? { timestamp: String(timestamp), sign: feishuSign(secret, timestamp) } : {}
      return { url: channel.url, headers: {}, body: JSON.stringify({ ...signed, msg_type: 'text', content: { text: alertText(payload) } }) }
    }
    case 'webhook': {
      const timestamp = Math.floor(now.getTime() / 1000)
      const body = JSON.stringify({
        event: payload.event,
        deliveryId: delivery.id,
        communityId: delivery.communityId,
        sentAt: now.toISOString(),
        title: payload.title,
        text: alertText(payload),
        lines: payload.lines,
        url: payload.url,
        matter: payload.matter,
        ...(payload.escalation ? { escalation: payload.escalation } : {}),
      })
      const headers: Record<string, string> = {
        'x-safegrid-event': payload.event,
        'x-safegrid-delivery': String(delivery.id),
        'x-safegrid-timestamp': String(timestamp),
      }
      if (secret) headers['x-safegrid-signature'] = `t=${timestamp},v1=${webhookSignature(secret, timestamp, body)}`
      return { url: channel.url, headers, body }
    }
  }
}

/** How a send went. */
export type Verdict = { ok: true } | { ok: false; retryable: boolean; error: string }

/** Robot error codes that mean "too many, try later" (WeCom 45009, DingTalk 130101, Feishu 11232). */
const RATE_LIMIT_CODES = new Set([45009, 130101, 11232])

function parsed(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * Judge a receiver's answer. HTTP 5xx, 408 and 429 are retried; other non-2xx are not. The robots answer
 * HTTP 200 with an error code in the body: 0 is success, their rate-limit codes are retried, any other
 * code (bad signature, keyword missing, wrong key) is final.
 */
export function judgeAnswer(provider: AlertProvider, status: number, body: string): Verdict {
  const excerpt = body.replace(/\s+/g, ' ').slice(0, 200)
  if (status < 200 || status >= 300) {
    const retryable = status >= 500 || status === 408 || status === 429
    return { ok: false, retryable, error: `HTTP ${status}${excerpt ? `: ${excerpt}` : ''}` }
  }
  if (provider === 'webhook') return { ok: true }
  const json = parsed(body)
  if (!json) return { ok: false, retryable: true, error: `HTTP ${status} but the answer is not JSON: ${excerpt}` }
  const code = provider === 'feishu' ? (json.code ?? json.StatusCode) : json.errcode
  if (code === 0) return { ok: true }
  const n = typeof code === 'number' ? code : Number(code)
  const message = String((provider === 'feishu' ? (json.msg ?? json.StatusMessage) : json.errmsg) ?? '')
  return { ok: false, retryable: RATE_LIMIT_CODES.has(n), error: `robot error ${String(code)}${message ? `: ${message.slice(0, 200)}` : ''}` }
}
