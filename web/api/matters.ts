/**
 * Typed calls of the matters endpoint (contract v2 "Kinds of matters"): `GET /api/matters`, every page,
 * through {@link apiRequest}. The command centre draws the other kinds (disputes, leads, emergencies,
 * requests, information) beside the hazards.
 */
import { MATTER_TYPES, OPEN_STATUSES, type MatterType } from '../../core/matters.ts'
import { apiRequest } from './client.ts'
import type { FeatureId, HazardCollection } from './types.ts'

/** The kinds of matters other than hazards (hazards have their own list, `GET /api/hazards`). */
export const OTHER_MATTER_TYPES: readonly MatterType[] = MATTER_TYPES.filter((t) => t !== 'hazard')

/** Open matters of the given kinds in a community: every page, one after the other. */
export async function openMatters(types: readonly MatterType[], communityId: FeatureId | undefined, signal?: AbortSignal): Promise<HazardCollection> {
  const base = { type: types.join(','), status: OPEN_STATUSES.join(','), communityId, limit: 1000 }
  const features: HazardCollection['features'] = []
  let cursor: string | undefined
  do {
    const page = await apiRequest<HazardCollection & { next?: string | null }>('/api/matters', { query: { ...base, cursor }, signal })
    features.push(...page.features)
    cursor = page.next ?? undefined
  } while (cursor)
  return { type: 'FeatureCollection', features }
}
