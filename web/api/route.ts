/**
 * Typed calls and shapes of the suggested route (下一轮巡查路线): `GET /api/coverage/route`,
 * `POST /api/coverage/route/assignments` (send to a member's phone) and `GET /api/coverage/route/assigned`.
 */
import type { LineString } from 'geojson'
import type * as Api from './openapi-types.ts'
import { apiRequest } from './client.ts'
import type { FeatureId } from './types.ts'

/** `GET /api/coverage/route`: the walking route as a GeoJSON Feature (geometry null when there is no stop). */
export type RouteFeature = Omit<Api.RouteFeature, 'geometry'> & { geometry: LineString | null }
/** A stop of the route, in walking order. */
export type RouteStop = RouteFeature['properties']['stops'][number]
/** A place left out of the route. */
export type RouteUnreachable = RouteFeature['properties']['unreachable'][number]
/** `GET /api/route/walk`: walking directions from a position to a matter (geometry null when no road leads there). */
export type WalkRoute = Omit<Api.WalkRoute, 'geometry'> & { geometry: LineString | null }

/** A route sent to a member (`GET /api/coverage/route/assigned`). */
export type RouteAssignment = Omit<Api.RouteAssignment, 'route'> & { route: RouteFeature }

/** What a route is asked for. */
export interface RouteRequest {
  communityId?: FeatureId
  zoneId?: FeatureId | null
  from: string
  to: string
  radius?: number
  /** lon, lat */
  start?: [number, number] | null
}

/** Most unvisited places one route takes (the server answers 422 beyond). */
export const MAX_ROUTE_TARGETS = 200

/** Typed wrappers of the route endpoints. */
export const routeApi = {
  /** `GET /api/coverage/route`. */
  route(q: RouteRequest, signal?: AbortSignal): Promise<RouteFeature> {
    return apiRequest<RouteFeature>('/api/coverage/route', {
      query: { communityId: q.communityId, zoneId: q.zoneId ?? undefined, from: q.from, to: q.to, radius: q.radius, start: q.start ? q.start.join(',') : undefined },
      signal,
      timeoutMs: 60_000,
    })
  },

  /** `POST /api/coverage/route/assignments`: compute the route and send it to a member's phone. */
  assign(personId: number, q: RouteRequest): Promise<RouteAssignment> {
    return apiRequest<RouteAssignment>('/api/coverage/route/assignments', {
      method: 'POST',
      body: { personId, communityId: q.communityId, zoneId: q.zoneId ?? undefined, from: q.from, to: q.to, radius: q.radius, start: q.start ?? undefined },
      timeoutMs: 60_000,
    })
  },

  /** `GET /api/route/walk?from=lon,lat&hazardId=`: walking directions along the roads to a matter (issue 15). */
  walk(from: [number, number], hazardId: FeatureId, signal?: AbortSignal): Promise<WalkRoute> {
    return apiRequest<WalkRoute>('/api/route/walk', { query: { from: from.join(','), hazardId: String(hazardId) }, signal, timeoutMs: 30_000 })
  },

  /** `GET /api/coverage/route/assigned`: the signed-in member's next round (404 when none was sent). */
  assigned(signal?: AbortSignal): Promise<RouteAssignment> {
    return apiRequest<RouteAssignment>('/api/coverage/route/assigned', { signal })
  },
}
