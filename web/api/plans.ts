/**
 * Typed calls and shapes of patrol plans and duty (docs/api.md "Patrol plans, duty, hours"):
 * plans with their occurrences, a plan against reality, duty sessions, a person's activity.
 */
import type { Geometry, Polygon } from 'geojson'
import type { PlanRepeat, PlanType } from '../../core/plans.ts'
import { apiRequest } from './client.ts'
import type { CoverageCount, UnvisitedProperties } from './patrol.ts'
import type { SgFeatureCollection } from './types.ts'

/** A patrol plan. */
export interface PatrolPlan {
  id: number
  communityId: number
  type: PlanType
  name: string
  from: string
  to: string
  repeat: PlanRepeat | null
  zoneIds: number[]
  personIds: number[]
  unitIds: number[]
  leaderId: number | null
  leaderName: string | null
  area: Polygon | null
  note: string | null
  occurrences?: { from: string; to: string }[]
}

/** What creating a plan sends. */
export interface PlanBody {
  communityId?: number
  type: PlanType
  name: string
  from: string
  to: string
  repeat?: PlanRepeat | null
  zoneIds?: number[]
  personIds?: number[]
  unitIds?: number[]
  leaderId?: number | null
  area?: Polygon | null
  note?: string | null
}

/** A person of a plan against reality. */
export interface PlanPerson {
  personId: number
  name: string
  planned: boolean
  onDutyMinutes: number
  distanceM: number
}

/** `GET /api/patrol-plans/:id/coverage`. */
export interface PlanCoverage {
  planId: number
  window: { from: string; to: string }
  occurrences: { from: string; to: string }[]
  radiusM: number
  buildings: CoverageCount & { byTrack: number; byCheckin: number }
  keyPlaces: CoverageCount & { byTrack: number; byCheckin: number }
  byZone: { zoneId: number; name: string; buildings: CoverageCount; keyPlaces: CoverageCount }[]
  unvisited: SgFeatureCollection<Geometry, UnvisitedProperties>
  people: PlanPerson[]
  runningNow: boolean
  zonesWithoutDutyNow: { zoneId: number; name: string }[]
  onDutyNow: { personId: number | null; name: string | null; deviceId: string; zoneId: number | null; since: string }[]
}

/** A duty session. */
export interface DutySession {
  id: number
  personId: number | null
  personName: string | null
  deviceId: string
  startedAt: string
  stoppedAt: string | null
  open: boolean
  minutes: number
  distanceM: number
}

/** What the phone sends to start or stop duty (through its outbox). */
export interface DutyAction {
  action: 'start' | 'stop'
  deviceId: string
  t: string
  clientId: string
}

const id = (n: number) => encodeURIComponent(String(n))

/** Typed calls. */
export const plansApi = {
  list(query: { communityId?: number; from?: string; to?: string } = {}): Promise<{ items: PatrolPlan[] }> {
    return apiRequest('/api/patrol-plans', { query })
  },
  create(body: PlanBody): Promise<PatrolPlan> {
    return apiRequest('/api/patrol-plans', { method: 'POST', body })
  },
  update(planId: number, body: Partial<PlanBody>): Promise<PatrolPlan> {
    return apiRequest(`/api/patrol-plans/${id(planId)}`, { method: 'PUT', body })
  },
  coverage(planId: number, window?: { from: string; to: string }): Promise<PlanCoverage> {
    return apiRequest(`/api/patrol-plans/${id(planId)}/coverage`, { query: window ? { from: window.from, to: window.to } : {} })
  },
  duty(query: { from: string; to: string; personId?: number }): Promise<{ items: DutySession[] }> {
    return apiRequest('/api/duty', { query })
  },
  sendDuty(body: DutyAction): Promise<DutySession> {
    return apiRequest('/api/duty', { method: 'POST', body })
  },
}
