/**
 * Clock store: a shared, coarse "now" that ticks every {@link CLOCK_TICK_MS}, so time-based
 * flags (overdue, SLA warning, "today") move on without reloading data.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'

/** How often `now` moves on. */
export const CLOCK_TICK_MS = 15_000

/** The clock store (`useClockStore()`). */
export const useClockStore = defineStore('clock', () => {
  const now = ref(new Date())
  setInterval(() => {
    now.value = new Date()
  }, CLOCK_TICK_MS)

  /** Moves `now` on at once (e.g. after the tab comes back). */
  function tick(): void {
    now.value = new Date()
  }

  return { now, tick }
})
