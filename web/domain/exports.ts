/**
 * What the command centre's list shows, as the query of `GET /api/hazards?format=…`: the same
 * filters on the server, so a download holds exactly the hazards the list shows.
 */
import { buildUrl, type QueryValue } from '../api/client.ts'
import { CLOSED_STATUSES, HAZARD_STATUSES, type FeatureId } from '../api/types.ts'
import type { HazardFilters } from '../stores/hazard-filters.ts'

/** The download formats of a list. */
export const LIST_EXPORT_FORMATS = ['csv', 'xlsx', 'geojson'] as const
export type ListExportFormat = (typeof LIST_EXPORT_FORMATS)[number]

/** The `/api/hazards` query of the list's filters (with `at` while a past moment is replayed). */
export function hazardExportQuery(filters: HazardFilters, options: { communityId?: FeatureId | null; at?: string | null } = {}): Record<string, QueryValue> {
  const status =
    filters.status === 'open'
      ? HAZARD_STATUSES.filter((s) => !CLOSED_STATUSES.includes(s))
      : filters.status === 'closed'
        ? [...CLOSED_STATUSES]
        : filters.status === 'all'
          ? undefined
          : [filters.status]
  return {
    communityId: options.communityId ?? undefined,
    at: options.at ?? undefined,
    status,
    category: filters.category || undefined,
    severity: filters.severity || undefined,
    level: filters.level || undefined,
    zoneId: filters.zoneId || undefined,
    overdue: filters.sla === 'overdue' ? 'true' : undefined,
    warning: filters.sla === 'warning' ? 'true' : undefined,
  }
}

/** The download URL of the list in one format. */
export function hazardExportUrl(format: ListExportFormat, filters: HazardFilters, options: { communityId?: FeatureId | null; at?: string | null } = {}): string {
  return buildUrl('/api/hazards', { format, ...hazardExportQuery(filters, options) })
}
