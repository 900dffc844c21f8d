/**
 * Typed calls and shapes of the patrol endpoints (docs/API.md "Patrols" and "Analysis → coverage"):
 * tracks, check-ins, key places and their QR codes, coverage and the coverage calendar.
 */
import type { Geometry, LineString, Point } from 'geojson'
import type { UnvisitedProperties } from '../../core/answers.ts'
import type * as Api from './openapi-types.ts'
import { apiRequest } from './client.ts'
import type { FeatureId, KeyPlaceKind, SgFeatureCollection } from './types.ts'

export type { UnvisitedProperties }

/** Visited / total of some kind of place. */
export type CoverageCount = Api.Coverage['byZone'][number]['buildings']

/** `GET /api/analysis/coverage` (`flagged` absent from older servers). */
export type CoverageReport = Omit<Api.Coverage, 'unvisited' | 'flagged'> & { unvisited: SgFeatureCollection<Geometry, UnvisitedProperties>; flagged?: FlaggedStretches }

/** `GET /api/tracks/flags` (also `flagged` of the coverage): stretches of consecutive flagged points. */
export type FlaggedStretches = Omit<Api.TrackFlags, 'features'> & {
  features: (Omit<Api.TrackFlags['features'][number], 'geometry'> & { id: string; geometry: { type: 'Point'; coordinates: [number, number] } })[]
}

/** `GET /api/analysis/coverage/calendar`. */
export type CoverageCalendar = Api.CoverageCalendar

/** A device run of `GET /api/tracks`. */
export type TrackProperties = Api.Track['properties']

/** `GET /api/tracks`. */
export type TrackCollection = SgFeatureCollection<LineString, TrackProperties & { id: FeatureId }>

/** A key place as the check-in page and the QR sheet see it. */
export interface KeyPlaceInfo {
  id: number
  communityId: number
  communityName: string
  buildingId: number | null
  kind: KeyPlaceKind
  name: string
  /** Only for roles that print the QR sheet; patrol members get {@link KeyPlaceInfo.codeHash} instead. */
  code?: string
  /** The first 8 hex digits of the code's SHA-256 (patrol members: to refuse a mistyped code offline). */
  codeHash?: string
  lon: number
  lat: number
  checkinUrl?: string
  qrUrl?: string
}

/** A recorded check-in. */
export type Checkin = Api.Checkin

/** The live `position` event. */
export interface PositionEvent {
  deviceId: string
  lon: number
  lat: number
  t: string
  personName?: string | null
}

/** Unvisited places as a FeatureCollection. */
export type UnvisitedCollection = CoverageReport['unvisited']
/** A point feature of the map. */
export type PointCollection<P extends { id: FeatureId }> = SgFeatureCollection<Point, P>

/** Typed wrappers of the patrol endpoints. */
export const patrolApi = {
  /** `GET /api/analysis/coverage`. */
  coverage(q: { communityId?: FeatureId; from: string; to: string; radius?: number; zoneId?: FeatureId }, signal?: AbortSignal): Promise<CoverageReport> {
    return apiRequest<CoverageReport>('/api/analysis/coverage', { query: { ...q }, signal, timeoutMs: 60_000 })
  },

  /** `GET /api/analysis/coverage/calendar`. */
  calendar(q: { communityId?: FeatureId; days?: number; radius?: number }, signal?: AbortSignal): Promise<CoverageCalendar> {
    return apiRequest<CoverageCalendar>('/api/analysis/coverage/calendar', { query: { ...q }, signal, timeoutMs: 60_000 })
  },

  /** `GET /api/tracks`, every page of devices (the server answers them a page at a time). */
  async tracks(q: { communityId?: FeatureId; from: string; to: string; deviceId?: string }, signal?: AbortSignal): Promise<TrackCollection> {
    const all: TrackCollection = { type: 'FeatureCollection', features: [] }
    let cursor: string | undefined
    do {
      const page = await apiRequest<TrackCollection & { next?: string | null }>('/api/tracks', { query: { ...q, cursor }, signal, timeoutMs: 60_000 })
      all.features.push(...page.features)
      cursor = page.next ?? undefined
    } while (cursor)
    return all
  },

  /** `GET /api/key-places/by-code/:code`. */
  keyPlaceByCode(code: string, signal?: AbortSignal): Promise<KeyPlaceInfo> {
    return apiRequest<KeyPlaceInfo>(`/api/key-places/by-code/${encodeURIComponent(code)}`, { signal })
  },

  /** `GET /api/key-places?communityId=`. */
  keyPlaces(communityId: FeatureId | undefined, signal?: AbortSignal): Promise<{ items: KeyPlaceInfo[] }> {
    return apiRequest<{ items: KeyPlaceInfo[] }>('/api/key-places', { query: { communityId }, signal })
  },

  /** `POST /api/checkins`. */
  checkin(
    body: { keyPlaceId?: number; code?: string; deviceId?: string; t?: string; clientId?: string; lon?: number; lat?: number; accuracy?: number },
    signal?: AbortSignal,
  ): Promise<Checkin> {
    return apiRequest<Checkin>('/api/checkins', { method: 'POST', body, signal })
  },
}
