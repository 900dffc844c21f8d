/**
 * Plans store (巡查计划) of the leader view: the plans running this week, a plan being created, and
 * the selected plan against reality (who came, minutes, metres, coverage of its zones, zones with
 * nobody on duty now).
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { toApiError, type ApiError } from '../api/client.ts'
import { plansApi, type PatrolPlan, type PlanBody, type PlanCoverage } from '../api/plans.ts'
import type { LoadStatus } from './load-status.ts'

const DAY_MS = 86_400_000

/** The plans store (`usePlansStore()`). */
export const usePlansStore = defineStore('plans', () => {
  const items = shallowRef<PatrolPlan[]>([])
  const status = ref<LoadStatus>('idle')
  const error = shallowRef<ApiError | null>(null)
  const selectedId = ref<number | null>(null)
  const reality = shallowRef<PlanCoverage | null>(null)
  const realityStatus = ref<LoadStatus>('idle')
  const realityError = shallowRef<ApiError | null>(null)
  let communityId: number | null = null

  /** Loads the plans of the community running from a week ago to a week ahead. */
  async function load(community: number): Promise<void> {
    communityId = community
    status.value = 'loading'
    try {
      const now = Date.now()
      items.value = (await plansApi.list({ communityId: community, from: new Date(now - 7 * DAY_MS).toISOString(), to: new Date(now + 7 * DAY_MS).toISOString() })).items
      error.value = null
      status.value = 'ready'
    } catch (err) {
      error.value = toApiError(err)
      status.value = 'error'
    }
  }

  /** Creates a plan, reloads the list and selects it. Throws the API error (the form shows it). */
  async function create(body: PlanBody): Promise<PatrolPlan> {
    const plan = await plansApi.create({ ...body, ...(communityId !== null ? { communityId } : {}) })
    if (communityId !== null) await load(communityId)
    await select(plan.id)
    return plan
  }

  /** Selects a plan and loads it against reality (its current or last window). */
  async function select(planId: number | null): Promise<void> {
    selectedId.value = planId
    reality.value = null
    if (planId === null) {
      realityStatus.value = 'idle'
      return
    }
    await refreshReality()
  }

  /** Loads the selected plan against reality again. */
  async function refreshReality(): Promise<void> {
    const planId = selectedId.value
    if (planId === null) return
    realityStatus.value = 'loading'
    try {
      const answer = await plansApi.coverage(planId)
      if (selectedId.value !== planId) return
      reality.value = answer
      realityError.value = null
      realityStatus.value = 'ready'
    } catch (err) {
      realityError.value = toApiError(err)
      realityStatus.value = 'error'
    }
  }

  return { items, status, error, selectedId, reality, realityStatus, realityError, load, create, select, refreshReality }
})
