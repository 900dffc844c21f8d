/**
 * Typed calls and shapes of patrol plans and duty (docs/api.md "Patrol plans, duty, hours"):
 * plans with their occurrences, a plan against reality, duty sessions, a person's activity.
 */
import type { Geometry, Polygon } from 'geojson'
import type { PlanRepeat, PlanType } from '../../core/plans.ts'
import { apiRequest } from './client.ts'
import type * as Api from './openapi-types.ts'
import type { UnvisitedProperties } from './patrol.ts'
import type { SgFeatureCollection } from './types.ts'

/** A duty session (`/api/duty`). */
export type DutySession = Api.DutySession

/** A person of a plan's answer. */
export type PlanPerson = Api.PlanCoverage['people'][number]

/** A patrol plan (`/api/patrol-plans`), its area a GeoJSON Polygon. */
export type PatrolPlan = Omit<Api.PatrolPlan, 'area'> & { area: Polygon | null }

/** `GET /api/patrol-plans/:id/coverage`: a plan against reality, its unvisited places typed. */
export type PlanCoverage = Omit<Api.PlanCoverage, 'unvisited'> & { unvisited: SgFeatureCollection<Geometry, UnvisitedProperties> }

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
