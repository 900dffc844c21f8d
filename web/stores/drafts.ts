/**
 * Drafts store: what the user has typed but not sent yet (a hazard report, a note), kept in
 * sessionStorage so neither an expired session (the detour through the sign-in page) nor a reload
 * loses it. Drafts belong to one user: when someone else signs in on the same tab, they are dropped.
 */
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

const STORAGE_KEY = 'safegrid.drafts'

interface Stored {
  owner: string | null
  entries: Record<string, unknown>
}

function readStored(): Stored {
  try {
    const raw = globalThis.sessionStorage?.getItem(STORAGE_KEY)
    if (raw) {
      const parsed = JSON.parse(raw) as Partial<Stored>
      if (parsed && typeof parsed.entries === 'object' && parsed.entries !== null) {
        return { owner: typeof parsed.owner === 'string' ? parsed.owner : null, entries: parsed.entries }
      }
    }
  } catch {
    // Unreadable or unavailable storage: start empty.
  }
  return { owner: null, entries: {} }
}

/** The drafts store (`useDraftsStore()`). */
export const useDraftsStore = defineStore('drafts', () => {
  const stored = readStored()
  const owner = ref<string | null>(stored.owner)
  const entries = ref<Record<string, unknown>>(stored.entries)
  /** Goes up whenever drafts are dropped wholesale, so forms holding copies can reset. */
  const generation = ref(0)

  watch(
    [owner, entries],
    () => {
      try {
        globalThis.sessionStorage?.setItem(STORAGE_KEY, JSON.stringify({ owner: owner.value, entries: entries.value }))
      } catch {
        // Full or unavailable: the drafts still live in memory for this page.
      }
    },
    { deep: true },
  )

  /** The draft under `key`, if any. */
  function get<T>(key: string): T | undefined {
    return entries.value[key] as T | undefined
  }

  /** Saves (or, with `undefined`/empty string, removes) the draft under `key`. */
  function set(key: string, value: unknown): void {
    if (value === undefined || value === '') {
      remove(key)
      return
    }
    entries.value = { ...entries.value, [key]: value }
  }

  /** Removes the draft under `key`. */
  function remove(key: string): void {
    if (!(key in entries.value)) return
    const next = { ...entries.value }
    delete next[key]
    entries.value = next
  }

  /** Drops every draft. */
  function clearAll(): void {
    entries.value = {}
    generation.value++
  }

  /**
   * Hands the drafts to the user who just signed in: kept when they are this user's (or nobody's
   * yet), dropped when they were someone else's.
   */
  function claim(userId: string): void {
    if (owner.value !== null && owner.value !== userId) clearAll()
    owner.value = userId
  }

  /** Forgets every draft and its owner (an explicit sign-out). */
  function release(): void {
    clearAll()
    owner.value = null
  }

  return { owner, entries, generation, get, set, remove, clearAll, claim, release }
})
