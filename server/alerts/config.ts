/** Settings of alert delivery (告警推送), from the environment or given by the caller (tests). */
import { configuredPublicUrl } from '../config.ts'

/**
 * Waits after a failed attempt before the next: 10 s, 30 s, 2 min, 10 min, 30 min, 2 h (±10 % jitter),
 * so a delivery is tried 7 times over about 2 h 43 min before it is given up.
 */
export const DEFAULT_RETRY_DELAYS_MS = [10_000, 30_000, 120_000, 600_000, 1_800_000, 7_200_000]

/** How alerts are delivered. */
export interface AlertSettings {
  /** Send to private, loopback and link-local addresses too (`ALERT_ALLOW_PRIVATE_URLS=1`; a receiver on this host or LAN, tests). */
  allowPrivateAddresses: boolean
  /** Origin of the links in messages (`PUBLIC_URL`); no link without it. */
  publicUrl: string | null
  /** How often the worker looks for new events and due deliveries when nothing wakes it, ms. */
  pollMs: number
  /** How often it looks for matters turning overdue, ms. */
  overdueScanMs: number
  /** Waits between attempts; a delivery has `retryDelaysMs.length + 1` attempts. */
  retryDelaysMs: number[]
  /** Longest wait for a receiver's answer, ms. */
  timeoutMs: number
  /** Most attempts per channel per minute (the robots allow 20). */
  perChannelPerMinute: number
  /** Deliveries sent at once by one process. */
  concurrency: number
}

const flag = (v: string | undefined) => v === '1' || v === 'true'

/** The settings from the environment (`ALERT_ALLOW_PRIVATE_URLS`, `PUBLIC_URL`), overridden by `given`. */
export function alertSettings(given: Partial<AlertSettings> = {}, env: NodeJS.ProcessEnv = process.env): AlertSettings {
  return {
    allowPrivateAddresses: flag(env.ALERT_ALLOW_PRIVATE_URLS),
    publicUrl: configuredPublicUrl(env) ?? null,
    pollMs: 2_000,
    overdueScanMs: 60_000,
    retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
    timeoutMs: 10_000,
    perChannelPerMinute: 20,
    concurrency: 8,
    ...given,
  }
}
