/**
 * Partner units (共建单位, issue #14): `GET/POST/PUT /api/units`, and the comments a unit (or anyone who may
 * rectify) adds to a matter.
 */
import type { UnitKind } from '../../core/org.ts'
import type * as Api from './openapi-types.ts'
import { apiRequest } from './client.ts'
import type { FeatureId, HazardDetailFeature } from './types.ts'

/** A partner unit (共建单位) as `GET /api/units` answers it. */
export type PartnerUnit = Api.PartnerUnit

/** What an admin sets on a unit. */
export interface UnitBody {
  name: string
  kind: UnitKind
  contact?: string | null
  communityIds: number[]
  active?: boolean
}

/** The partner units' endpoints. */
export const unitsApi = {
  /** Units serving the caller's communities (a partner account: its own); optionally of one community, or active only. */
  list(query: { communityId?: number | null; active?: boolean } = {}): Promise<{ items: PartnerUnit[] }> {
    return apiRequest('/api/units', { query: { communityId: query.communityId ?? undefined, active: query.active } })
  },
  create(body: UnitBody): Promise<PartnerUnit> {
    return apiRequest('/api/units', { method: 'POST', body })
  },
  update(unitId: number, body: Partial<UnitBody>): Promise<PartnerUnit> {
    return apiRequest(`/api/units/${encodeURIComponent(String(unitId))}`, { method: 'PUT', body })
  },
  /** `POST /api/hazards/:id/comments`: the matter with its comments. */
  comment(hazardId: FeatureId, note: string): Promise<HazardDetailFeature> {
    return apiRequest(`/api/hazards/${encodeURIComponent(String(hazardId))}/comments`, { method: 'POST', body: { note } })
  },
}
