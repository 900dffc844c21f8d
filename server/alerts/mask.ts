/**
 * What the API shows of a channel's credentials: never the secret or the URL's token in full. WeCom's
 * key and DingTalk's access_token are query parameters, Feishu's hook id is the last path segment: each
 * is cut to its first and last four characters, enough to tell two robots apart.
 */

const DOTS = '••••'

/** `SEC1••••9f0a` for a long secret, `••••` for a short one. */
export function maskSecret(secret: string): string {
  return secret.length >= 12 ? `${secret.slice(0, 4)}${DOTS}${secret.slice(-4)}` : DOTS
}

/** A token-like string (8+ characters) cut to its ends. */
function maskToken(value: string): string {
  if (value.length < 8) return value.length === 0 ? value : DOTS
  return value.length >= 12 ? `${value.slice(0, 4)}${DOTS}${value.slice(-4)}` : DOTS
}

/**
 * The URL with every query value and every long path segment masked:
 * `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a••••5aaa`.
 */
export function maskUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return DOTS
  }
  const path = url.pathname
    .split('/')
    .map((segment) => (segment.length >= 16 ? maskToken(segment) : segment))
    .join('/')
  const query = [...url.searchParams.entries()].map(([k, v]) => `${encodeURIComponent(k)}=${maskToken(v)}`).join('&')
  return `${url.protocol}//${url.host}${path}${query ? `?${query}` : ''}`
}
