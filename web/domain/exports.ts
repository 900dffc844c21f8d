/**
 * What the command centre's list shows, as the query of `GET /api/hazards?format=…`: the same
 * filters on the server, so a download holds exactly the hazards the list shows.
 */
import { buildUrl, type QueryValue } from '../api/client.ts'
import { CLOSED_STATUSES, HAZARD_STATUSES, type FeatureId } from '../api/types.ts'
import { timeRangeBounds, type HazardFilters } from '../stores/hazard-filters.ts'
import { startOfShanghaiDay, toShanghaiIso } from './time.ts'

/** The download formats of a list. */
export const LIST_EXPORT_FORMATS = ['csv', 'xlsx', 'geojson'] as const
export type ListExportFormat = (typeof LIST_EXPORT_FORMATS)[number]

/** The `/api/hazards` query of the list's filters (with `at` while a past moment is replayed). */
export function hazardExportQuery(
  filters: HazardFilters,
  options: { communityId?: FeatureId | null; at?: string | null; now?: Date } = {},
): Record<string, QueryValue> {
  const open = HAZARD_STATUSES.filter((s) => !CLOSED_STATUSES.includes(s))
  const now = options.now ?? new Date()
  // A pressed header counter replaces the status filter (text search stays in the browser).
  const counter = filters.counter
  let from: number | undefined
  let to: number | undefined
  if (filters.since) [from, to] = timeRangeBounds(filters.since, now)
  if (counter === 'reportedToday') from = Math.max(from ?? -Infinity, startOfShanghaiDay(now).getTime())
  const status = counter
    ? counter === 'reportedToday'
      ? undefined
      : counter === 'closedToday'
        ? [...CLOSED_STATUSES]
        : open
    : filters.status === 'open'
      ? open
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
    severity: (counter === 'critical' ? 'critical' : filters.severity) || undefined,
    level: filters.level || undefined,
    zoneId: filters.zoneId || undefined,
    overdue: filters.sla === 'overdue' || counter === 'overdue' ? 'true' : undefined,
    warning: filters.sla === 'warning' || counter === 'warning' ? 'true' : undefined,
    from: from !== undefined && Number.isFinite(from) ? toShanghaiIso(new Date(from)) : undefined,
    to: to !== undefined && Number.isFinite(to) ? toShanghaiIso(new Date(to)) : undefined,
  }
}

/** The download URL of the list in one format. */
export function hazardExportUrl(
  format: ListExportFormat,
  filters: HazardFilters,
  options: { communityId?: FeatureId | null; at?: string | null; now?: Date } = {},
): string {
  return buildUrl('/api/hazards', { format, ...hazardExportQuery(filters, options) })
}
