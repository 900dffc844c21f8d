/**
 * On-duty store (在岗巡逻, issue 19): how many patrol members were on duty at a moment — now, or the
 * replayed moment — for the command centre's header, from `GET /api/duty` (the sessions overlapping
 * the last 24 hours before the moment).
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { FeatureId } from '../api/types.ts'
import { plansApi, type DutySession } from '../api/plans.ts'
import { DAY_MS } from '../domain/time.ts'

/** The people (or devices, for sessions without a person) on duty at `at`. */
export function onDutyAt(sessions: readonly DutySession[], at: Date, communityId?: FeatureId | null): number {
  const t = at.getTime()
  const who = new Set<string>()
  for (const s of sessions) {
    if (communityId !== undefined && communityId !== null && String(s.communityId) !== String(communityId)) continue
    if (Date.parse(s.startedAt) > t) continue
    if (s.stoppedAt !== null && Date.parse(s.stoppedAt) <= t) continue
    who.add(s.personId !== null ? `p${s.personId}` : `d${s.deviceId}`)
  }
  return who.size
}

/** The on-duty store (`useOnDutyStore()`). */
export const useOnDutyStore = defineStore('on-duty', () => {
  /** On duty at {@link at}; null until loaded or when the call failed. */
  const count = ref<number | null>(null)
  const at = ref<Date | null>(null)
  let seq = 0

  /** Counts who was on duty at `moment` in `communityId`. */
  async function load(moment: Date, communityId: FeatureId | null | undefined): Promise<void> {
    const mine = ++seq
    try {
      const { items } = await plansApi.duty({
        from: new Date(moment.getTime() - DAY_MS).toISOString(),
        to: new Date(moment.getTime() + 1000).toISOString(),
      })
      if (mine !== seq) return
      count.value = onDutyAt(items, moment, communityId)
      at.value = moment
    } catch {
      if (mine === seq) count.value = null
    }
  }

  return { count, at, load }
})
