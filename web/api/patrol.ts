/**
 * Typed calls and shapes of the patrol endpoints (docs/API.md "Patrols" and "Analysis → coverage"):
 * tracks, check-ins, key places and their QR codes, coverage and the coverage calendar.
 */
import type { Geometry, LineString, Point } from 'geojson'
import { apiRequest } from './client.ts'
import type { FeatureId, KeyPlaceKind, SgFeatureCollection } from './types.ts'

/** Visited / total; `coverage` = visited / total (0..1). */
export interface CoverageCount {
  total: number
  visited: number
  coverage: number
}

/** An unvisited building or key place of a coverage answer. */
export interface UnvisitedProperties {
  id: number
  kind: 'building' | 'key_place'
  name: string | null
  zoneId: number | null
  compoundId: number | null
  compoundName: string | null
}

/** `GET /api/analysis/coverage`. */
export interface CoverageReport {
  window: { from: string; to: string }
  radiusM: number
  communityId: number
  zoneId: number | null
  buildings: CoverageCount & { byTrack: number; byCheckin: number }
  keyPlaces: CoverageCount & { byTrack: number; byCheckin: number }
  byZone: { zoneId: number; name: string; teamId: number | null; teamName: string | null; assigneeName: string | null; buildings: CoverageCount; keyPlaces: CoverageCount }[]
  byTeam: { teamId: number | null; name: string | null; zoneIds: number[]; buildings: CoverageCount; keyPlaces: CoverageCount }[]
  unvisited: SgFeatureCollection<Geometry, UnvisitedProperties>
  /** Physically impossible stretches of the window's tracks, left out of the coverage (newest first). */
  flagged?: FlaggedStretches
}

/** `GET /api/tracks/flags` (also `flagged` of the coverage): stretches of consecutive flagged points. */
export interface FlaggedStretches {
  type: 'FeatureCollection'
  total: number
  flaggedPoints: number
  features: {
    type: 'Feature'
    id: string
    geometry: { type: 'Point'; coordinates: [number, number] }
    properties: { id: string; deviceId: string; personName: string | null; teamName: string | null; from: string; to: string; points: number; reason: string }
  }[]
}

/** `GET /api/analysis/coverage/calendar`. */
export interface CoverageCalendar {
  communityId: number
  timeZone: string
  radiusM: number
  days: string[]
  compounds: {
    id: number
    name: string
    patrolled: boolean[]
    byTrack: boolean[]
    byCheckin: boolean[]
    daysPatrolled: number
    lastPatrolled: string | null
    longestGapDays: number
  }[]
  weeks: { week: string; from: string; to: string; daysInWindow: number; complete: boolean; breaking: number[] }[]
  last7Days: { from: string; to: string; breaking: number[] }
  /** Compounds that went 7+ days in a row without a patrol somewhere in the calendar. */
  breakingAnyWeek: number[]
}

/** A device run of `GET /api/tracks`. */
export interface TrackProperties {
  id: string
  deviceId: string
  communityId: number
  personId: number | null
  personName: string | null
  teamId: number | null
  teamName: string | null
  from: string
  to: string
  points: number
  /** Seconds after `from` of each vertex. */
  times: number[]
}

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
export interface Checkin {
  id: number
  communityId: number
  keyPlaceId: number
  keyPlaceName: string
  code: string
  buildingId: number | null
  deviceId: string | null
  personName: string | null
  t: string
  lon: number
  lat: number
}

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

  /** `GET /api/tracks`. */
  tracks(q: { communityId?: FeatureId; from: string; to: string; deviceId?: string }, signal?: AbortSignal): Promise<TrackCollection> {
    return apiRequest<TrackCollection>('/api/tracks', { query: { ...q }, signal, timeoutMs: 60_000 })
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
