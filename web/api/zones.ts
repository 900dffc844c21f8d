/**
 * Typed calls of the zone endpoints (docs/API.md "Zones"), through {@link apiRequest} (cookie, CSRF,
 * problem+json errors).
 */
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson'
import type * as Api from './openapi-types.ts'
import { apiRequest, buildUrl } from './client.ts'
import type { FeatureId } from './types.ts'

/** Polygonal zone geometry. */
export type ZoneGeometry = Polygon | MultiPolygon

/** Properties of a zone in `GET /api/zones`. */
export type ZoneProps = Api.Zone['properties']

/** A zone feature. */
export type ZoneFeature = Omit<Api.Zone, 'id' | 'geometry'> & { id: FeatureId; geometry: ZoneGeometry }

/** `GET /api/zones`. */
export interface ZoneCollection {
  type: 'FeatureCollection'
  features: ZoneFeature[]
}

type Overlap = Omit<Api.ZoneCheck['overlaps'][number], 'geometry'> & { geometry: ZoneGeometry }
type Gaps = Omit<Api.ZoneCheck['gaps'], 'geometry'> & { geometry: MultiPolygon }

/** `GET /api/zones/check`, its overlaps and gaps typed as the polygons they are. */
export type ZoneCheck = Omit<Api.ZoneCheck, 'overlaps' | 'gaps' | 'microGrids'> & {
  overlaps: Overlap[]
  gaps: Gaps
  microGrids: (Omit<Api.ZoneCheck['microGrids'][number], 'overlaps' | 'gaps'> & { overlaps: Overlap[]; gaps: Gaps })[]
}

/** Body of a zone write. */
export interface ZoneWriteBody {
  type: 'Feature'
  geometry?: ZoneGeometry
  properties: { name?: string; assigneeId?: FeatureId | null; teamId?: FeatureId | null; teamIds?: number[]; communityId?: FeatureId; parentId?: FeatureId | null }
}

/** A write's answer: the zone and the zones it overlaps. */
export type ZoneWriteAnswer = ZoneFeature & Pick<Api.ZoneWrite, 'overlaps'>

/** The overlaps that made a strict write refuse (the 409's `overlaps`). */
export type ZoneOverlap = Api.ZoneWrite['overlaps'][number]

/** A past or current version of a zone (`GET /api/zones/:id/versions`), its geometry typed as the polygon it is. */
export type ZoneVersion = Omit<Api.ZoneVersionList['items'][number], 'geometry'> & { geometry: ZoneGeometry }

/** `GET /api/zones/:id/versions`. */
export interface ZoneVersionList {
  items: ZoneVersion[]
}

/** How balanced a suggestion is. */
export type SuggestBalance = Api.ZoneSuggestion['balance']

/** `POST /api/zones/suggest`. */
export interface ZoneSuggestion extends FeatureCollection<ZoneGeometry, Api.ZoneSuggestion['features'][number]['properties']> {
  balance: SuggestBalance
}

const toNumberId = (id: FeatureId | null | undefined): number | null | undefined => (id === null || id === undefined ? id : Number(id))

function body(write: ZoneWriteBody): ZoneWriteBody {
  const p = write.properties
  return {
    ...write,
    properties: {
      ...p,
      ...(p.assigneeId !== undefined ? { assigneeId: toNumberId(p.assigneeId) } : {}),
      ...(p.teamId !== undefined ? { teamId: toNumberId(p.teamId) } : {}),
      ...(p.communityId !== undefined ? { communityId: Number(p.communityId) } : {}),
    } as ZoneWriteBody['properties'],
  }
}

/** The zone endpoints. */
export const zonesApi = {
  list(communityId: FeatureId, signal?: AbortSignal): Promise<ZoneCollection> {
    return apiRequest<ZoneCollection>('/api/zones', { query: { communityId }, signal })
  },
  check(communityId: FeatureId, signal?: AbortSignal): Promise<ZoneCheck> {
    return apiRequest<ZoneCheck>('/api/zones/check', { query: { communityId }, signal })
  },
  /** With `strict`, a zone overlapping another of its tier is refused (409, the overlaps in the problem's `overlaps`). */
  create(write: ZoneWriteBody, strict = false): Promise<ZoneWriteAnswer> {
    return apiRequest<ZoneWriteAnswer>('/api/zones', { method: 'POST', body: body(write), query: strict ? { strict: 'true' } : {} })
  },
  update(id: FeatureId, write: ZoneWriteBody, strict = false): Promise<ZoneWriteAnswer> {
    return apiRequest<ZoneWriteAnswer>(`/api/zones/${id}`, { method: 'PUT', body: body(write), query: strict ? { strict: 'true' } : {} })
  },
  /** `GET /api/zones/:id/versions`: the zone's versions, newest first. */
  versions(id: FeatureId, signal?: AbortSignal): Promise<ZoneVersionList> {
    return apiRequest<ZoneVersionList>(`/api/zones/${id}/versions`, { signal })
  },
  /** `POST /api/zones/:id/split`: the part inside `cut` becomes a new zone; PostGIS cuts exactly. */
  split(id: FeatureId, cut: ZoneGeometry, properties: { name?: string; assigneeId?: FeatureId | null }): Promise<{ zone: ZoneFeature; created: ZoneFeature }> {
    const assigneeId = toNumberId(properties.assigneeId)
    return apiRequest(`/api/zones/${id}/split`, {
      method: 'POST',
      body: { type: 'Feature', geometry: cut, properties: { name: properties.name, ...(assigneeId !== undefined ? { assigneeId } : {}) } },
    })
  },
  remove(id: FeatureId): Promise<void> {
    return apiRequest<void>(`/api/zones/${id}`, { method: 'DELETE' })
  },
  /** Balanced zones of the community, or with `parentId` the micro-grids (微网格) of that grid. */
  suggest(communityId: FeatureId, n: number, parentId: FeatureId | null = null): Promise<ZoneSuggestion> {
    const body = { communityId: Number(communityId), n, ...(parentId !== null ? { parentId: Number(parentId) } : {}) }
    return apiRequest<ZoneSuggestion>('/api/zones/suggest', { method: 'POST', body, timeoutMs: 60_000 })
  },
  /** The URL of the GeoJSON download of a community's zones. */
  exportUrl(communityId: FeatureId): string {
    return buildUrl('/api/zones', { communityId, format: 'geojson' })
  },
}
