/**
 * Residents' reports without signing in (人人都是安全员, issue 15): `/api/public/reports`, and the command
 * centre's review of them (`POST /api/hazards/:id/review`).
 */
import type { PublicReportType } from '../../core/matters.ts'
import type { Rating } from '../../core/org.ts'
import type * as Api from './openapi-types.ts'
import { apiRequest } from './client.ts'
import type { FeatureId, HazardDetailFeature } from './types.ts'

/** A report as the public page sends it (a place code, or a point). */
export interface PublicReportInput {
  type: PublicReportType
  category?: string
  placeCode?: string
  lon?: number
  lat?: number
  description: string
  contact?: string
  deviceId?: string
  photo?: Blob | null
}

/** What anyone holding the tracking code reads (`GET /api/public/reports/:trackingCode`). */
export type PublicReportView = Api.PublicReportView

/** A community's public monthly summary (`GET /api/public/summary`): counts only. */
export type PublicSummary = Api.PublicSummary

/** A poster's place. */
export type PublicPlace = Api.PublicPlace

const DEVICE_KEY = 'safegrid.resident-device'

/** This browser's random device id (kept in localStorage), sent with reports for the per-device limit. */
export function residentDeviceId(): string {
  try {
    const known = globalThis.localStorage?.getItem(DEVICE_KEY)
    if (known) return known
    const id = `web-${crypto.randomUUID()}`
    globalThis.localStorage?.setItem(DEVICE_KEY, id)
    return id
  } catch {
    return `web-${crypto.randomUUID()}`
  }
}

export const publicReportsApi = {
  /** Send a report: multipart when it carries a photo, JSON otherwise. */
  report(input: PublicReportInput): Promise<{ trackingCode: string; url: string }> {
    const { photo, ...fields } = input
    if (photo) {
      const form = new FormData()
      for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== '') form.set(key, String(value))
      form.set('photo', photo, 'photo.jpg')
      return apiRequest('/api/public/reports', { method: 'POST', body: form, timeoutMs: 60_000, expectUnauthorized: true })
    }
    const body = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== ''))
    return apiRequest('/api/public/reports', { method: 'POST', body, expectUnauthorized: true })
  },
  /** The public view of a report. */
  get: (code: string): Promise<PublicReportView> => apiRequest(`/api/public/reports/${encodeURIComponent(code)}`, { expectUnauthorized: true }),
  /** Rate a closed report once. */
  rate: (code: string, rating: Rating, comment?: string): Promise<PublicReportView> =>
    apiRequest(`/api/public/reports/${encodeURIComponent(code)}/rating`, { method: 'POST', body: comment ? { rating, comment } : { rating }, expectUnauthorized: true }),
  /** The box around the communities served, for the map. */
  area: (): Promise<{ bbox: [number, number, number, number] | null }> => apiRequest('/api/public/reports/area', { expectUnauthorized: true }),
  /** A community's public monthly summary (公示) by its public code; `month` YYYY-MM. */
  summary: (community: string, month: string): Promise<PublicSummary> => apiRequest('/api/public/summary', { query: { community, month }, expectUnauthorized: true }),
  /** The name of a poster's place. */
  place: (code: string): Promise<PublicPlace> => apiRequest(`/api/public/reports/places/${encodeURIComponent(code)}`, { expectUnauthorized: true }),
  /** 待核实: accept a resident's report, or decline it with an answer (admin, command). */
  review: (id: FeatureId, decision: 'accept' | 'decline', answer?: string): Promise<HazardDetailFeature> =>
    apiRequest(`/api/hazards/${encodeURIComponent(String(id))}/review`, { method: 'POST', body: answer ? { decision, answer } : { decision } }),
}
