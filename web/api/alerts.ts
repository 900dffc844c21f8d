/**
 * Typed calls of the alert-channel endpoints (docs/api-additions.md "Alert channels"), through
 * {@link apiRequest} (cookie, CSRF, problem+json errors). The server never answers a URL's token or a
 * secret in full: `url` and `secret` here are masked.
 */
import type { AlertEvent, AlertProvider } from '../../core/alerts.ts'
import type * as Api from './openapi-types.ts'
import { apiRequest } from './client.ts'
import type { FeatureId } from './types.ts'

/** A channel as `GET /api/alert-channels` shows it (URL and secret masked). */
export type AlertChannel = Api.AlertChannel

/** One row of a channel's delivery log. */
export type AlertDelivery = Api.AlertDeliveryList['items'][number]

/** Body of a new channel. */
export interface NewAlertChannel {
  communityId: number
  zoneId: number | null
  name: string
  provider: AlertProvider
  url: string
  secret?: string | null
  events: AlertEvent[]
  enabled: boolean
}

/** A change: only the fields given change; `secret: null` removes the secret. */
export type AlertChannelPatch = Partial<Omit<NewAlertChannel, 'communityId'>>

/** What `POST /api/alert-channels/:id/test` answers. */
export type AlertTestResult = Api.AlertTestResult

/** The alert-channel endpoints (admin). */
export const alertsApi = {
  list(communityId: FeatureId | null, signal?: AbortSignal): Promise<{ items: AlertChannel[] }> {
    return apiRequest('/api/alert-channels', { query: { communityId }, signal })
  },
  create(body: NewAlertChannel): Promise<AlertChannel> {
    return apiRequest('/api/alert-channels', { method: 'POST', body })
  },
  update(id: number, body: AlertChannelPatch): Promise<AlertChannel> {
    return apiRequest(`/api/alert-channels/${id}`, { method: 'PUT', body })
  },
  remove(id: number): Promise<void> {
    return apiRequest(`/api/alert-channels/${id}`, { method: 'DELETE' })
  },
  /** Sends a test message now; waits for the robot's answer (up to the server's timeout). */
  test(id: number): Promise<AlertTestResult> {
    return apiRequest(`/api/alert-channels/${id}/test`, { method: 'POST', timeoutMs: 40_000 })
  },
  deliveries(id: number, signal?: AbortSignal): Promise<{ items: AlertDelivery[] }> {
    return apiRequest(`/api/alert-channels/${id}/deliveries`, { query: { limit: 50 }, signal })
  },
}
