/**
 * Typed calls of the matters endpoint (contract v2 "Kinds of matters"): `GET /api/matters`, every page
 * ({@link allMatterPages}). The command centre draws the other kinds (disputes, leads, emergencies,
 * requests, information) beside the hazards.
 */
import { MATTER_TYPES, OPEN_STATUSES, type MatterType } from '../../core/matters.ts'
import { allMatterPages } from './client.ts'
import type { FeatureId, HazardCollection } from './types.ts'

/** The kinds of matters other than hazards (hazards have their own list, `GET /api/hazards`). */
export const OTHER_MATTER_TYPES: readonly MatterType[] = MATTER_TYPES.filter((t) => t !== 'hazard')

/** Open matters of the given kinds in a community: every page, one after the other. */
export function openMatters(types: readonly MatterType[], communityId: FeatureId | undefined, signal?: AbortSignal): Promise<HazardCollection> {
  return allMatterPages('/api/matters', { type: types.join(','), status: OPEN_STATUSES.join(','), communityId, limit: 1000 }, signal)
}
