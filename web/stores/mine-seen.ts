/**
 * What the patrol member last saw of their own reports (issue 15, 我的): the status of each report as the phone last
 * showed it, kept in localStorage per user. A report whose status has changed since — while the app was closed, or
 * live while it is open — is new until the member has seen the 我的 tab ({@link useMineSeenStore} `markSeen`).
 * The first time on a phone nothing is new: the current states become what was seen.
 */
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { apiRequest } from '../api/client.ts'
import type { HazardDetailFeature, HazardFeature } from '../api/types.ts'
import { useSessionStore } from './session.ts'

const KEY_PREFIX = 'safegrid.mineSeen.'
/** Reports remembered at most (the newest); older ones are not marked. */
const MAX_REMEMBERED = 500

/** Statuses a report starts in: a report never seen in one of these is not news. */
const FIRST_STATUSES = new Set(['reported', 'pending_review'])

/** The seen-states store (`useMineSeenStore()`). */
export const useMineSeenStore = defineStore('mine-seen', () => {
  const session = useSessionStore()
  const userId = computed(() => (session.user ? String(session.user.id) : null))
  /** Report id → status last seen; null before the first look on this phone. */
  const seen = ref<Record<string, string> | null>(null)

  function read(): void {
    seen.value = null
    if (!userId.value) return
    try {
      const text = localStorage.getItem(KEY_PREFIX + userId.value)
      seen.value = text ? (JSON.parse(text) as Record<string, string>) : null
    } catch {
      seen.value = null
    }
  }
  watch(userId, read, { immediate: true })

  /** Whether a report of mine changed state since I last saw it. */
  function isNew(f: HazardFeature): boolean {
    const before = seen.value
    if (before === null) return false
    const last = before[String(f.id)]
    if (last !== undefined) return last !== f.properties.status
    // Never seen: news only when it has moved on from where it started (fixed on the spot closes at once: not news).
    return !FIRST_STATUSES.has(f.properties.status) && !f.properties.fixedOnSpot
  }

  /** Remembers the current states of these reports as seen (the first look records them without marking). */
  function markSeen(reports: readonly HazardFeature[]): void {
    if (!userId.value) return
    const next: Record<string, string> = {}
    for (const f of [...reports].sort((a, b) => Date.parse(b.properties.reportedAt) - Date.parse(a.properties.reportedAt)).slice(0, MAX_REMEMBERED)) {
      next[String(f.id)] = f.properties.status
    }
    seen.value = next
    try {
      localStorage.setItem(KEY_PREFIX + userId.value, JSON.stringify(next))
    } catch {
      // Full: the marks come back next time.
    }
  }

  /** Whether the phone has a record of what was seen (false the first time). */
  const started = computed(() => seen.value !== null)

  /** The word that closed a report (the note of its move into verified or rejected), by `id:version`; null when none. */
  const outcomes = ref<Record<string, string | null>>({})
  const asked = new Set<string>()

  /** Reads once (per version) the note that closed a report of mine, from its timeline (`GET /api/hazards/:id`). */
  async function loadOutcome(f: HazardFeature): Promise<void> {
    const key = `${f.id}:${f.properties.version}`
    if (asked.has(key)) return
    asked.add(key)
    try {
      const detail = await apiRequest<HazardDetailFeature>(`/api/hazards/${encodeURIComponent(String(f.id))}`)
      const closing = [...detail.properties.events].reverse().find((e) => e.to === 'verified' || e.to === 'rejected')
      outcomes.value = { ...outcomes.value, [key]: closing?.note ?? null }
    } catch {
      asked.delete(key) // offline: asked again next time the tab shows it
    }
  }

  /** The closing word of a report, when read ({@link loadOutcome}). */
  function outcomeOf(f: HazardFeature): string | null {
    return outcomes.value[`${f.id}:${f.properties.version}`] ?? null
  }

  return { seen, started, isNew, markSeen, loadOutcome, outcomeOf }
})
