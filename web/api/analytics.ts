/**
 * Typed calls and shapes of the analysis endpoints (`/api/analysis/clusters`, `/hotspots`,
 * `/recurrences`, `/api/stats`, `/api/stats/trend`), through the app's one HTTP client.
 */
import type { MultiPolygon, Point, Polygon, LineString } from 'geojson'
import type { HotspotConfidence } from '../../core/answers.ts'
import type * as Api from './openapi-types.ts'
import { apiRequest } from './client.ts'
import type { FeatureId, HazardCategory, HazardStatus, SgFeatureCollection } from './types.ts'

export type { HotspotConfidence }

/** One hexagon cell of `GET /api/analysis/hotspots`. */
export type HotspotProperties = Api.HotspotProperties

/** Why a hot-spot answer carries no z-scores (too few hazards or non-empty cells). */
export type SmallNumbersNote = NonNullable<Api.HotspotCollection['note']>

/** `GET /api/analysis/hotspots`. */
export interface HotspotCollection extends Omit<Api.HotspotCollection, 'features'>, SgFeatureCollection<Polygon, HotspotProperties> {}

/** One DBSCAN cluster of `GET /api/analysis/clusters`. */
export type ClusterProperties = Api.ClusterCollection['features'][number]['properties']

/** `GET /api/analysis/clusters`: hulls are Polygons, or Points / LineStrings when degenerate. */
export interface ClusterCollection extends Omit<Api.ClusterCollection, 'features'>, SgFeatureCollection<Polygon | MultiPolygon | LineString | Point, ClusterProperties> {}

/** One repeat location of `GET /api/analysis/recurrences`. */
export type RecurrenceProperties = Api.RecurrenceCollection['features'][number]['properties']

/** `GET /api/analysis/recurrences`. */
export type RecurrenceCollection = SgFeatureCollection<Point, RecurrenceProperties>

/** `GET /api/stats`. Rates are shares 0..1, null when there is no hazard. */
export type HazardStats = Api.Stats

/** `GET /api/stats/trend`. */
export type HazardTrend = Api.Trend

/** The filters every analysis call shares. */
export interface AnalysisQuery {
  communityId?: FeatureId
  from?: string
  to?: string
  category?: HazardCategory[]
  status?: HazardStatus[]
}

const common = (q: AnalysisQuery) => ({ communityId: q.communityId, from: q.from, to: q.to, category: q.category, status: q.status })

/** Calls of the analysis endpoints. */
export const analysisApi = {
  /** `GET /api/analysis/hotspots`: Gi* on flat-topped hexagons of edge `cell` metres. */
  hotspots(q: AnalysisQuery & { cell: number }, signal?: AbortSignal): Promise<HotspotCollection> {
    return apiRequest<HotspotCollection>('/api/analysis/hotspots', { query: { ...common(q), cell: q.cell }, signal, timeoutMs: 60_000 })
  },

  /** `GET /api/analysis/clusters`: DBSCAN (eps metres, minPoints including the point itself). */
  clusters(q: AnalysisQuery & { eps: number; minPoints: number }, signal?: AbortSignal): Promise<ClusterCollection> {
    return apiRequest<ClusterCollection>('/api/analysis/clusters', {
      query: { ...common(q), eps: q.eps, minPoints: q.minPoints },
      signal,
      timeoutMs: 60_000,
    })
  },

  /** `GET /api/analysis/recurrences`: repeats of a recently verified hazard (防反弹). */
  recurrences(q: AnalysisQuery, signal?: AbortSignal): Promise<RecurrenceCollection> {
    return apiRequest<RecurrenceCollection>('/api/analysis/recurrences', {
      query: { communityId: q.communityId, from: q.from, to: q.to, category: q.category },
      signal,
    })
  },

  /** `GET /api/stats` over the hazards of the categories reported in the window (rejected left out). */
  stats(q: AnalysisQuery, signal?: AbortSignal): Promise<HazardStats> {
    return apiRequest<HazardStats>('/api/stats', {
      query: { communityId: q.communityId, from: q.from, to: q.to, category: q.category },
      signal,
    })
  },

  /** `GET /api/stats/trend`: hazards per Asia/Shanghai day and category. */
  trend(q: { communityId?: FeatureId; days: number; category?: HazardCategory[] }, signal?: AbortSignal): Promise<HazardTrend> {
    return apiRequest<HazardTrend>('/api/stats/trend', { query: { communityId: q.communityId, days: q.days, category: q.category }, signal })
  },
}
