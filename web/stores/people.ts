/**
 * People store: the people (网格员, 队员) of the user's communities, for the assignee picker.
 * Loaded once per session; phone numbers arrive masked by the server.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { api, toApiError, type ApiError } from '../api/client.ts'
import type { Person } from '../api/types.ts'
import type { LoadStatus } from './load-status.ts'

/** The people store (`usePeopleStore()`). */
export const usePeopleStore = defineStore('people', () => {
  const items = shallowRef<Person[]>([])
  const status = ref<LoadStatus>('idle')
  const error = shallowRef<ApiError | null>(null)
  let pending: Promise<void> | null = null

  /** Loads the list unless it is loaded or loading (`force` loads again). */
  function ensure(force = false): Promise<void> {
    if (pending) return pending
    if (status.value === 'ready' && !force) return Promise.resolve()
    status.value = 'loading'
    pending = (async () => {
      try {
        items.value = (await api.people()).items
        error.value = null
        status.value = 'ready'
      } catch (err) {
        error.value = toApiError(err)
        status.value = 'error'
      } finally {
        pending = null
      }
    })()
    return pending
  }

  /** Forgets the list (sign-out). */
  function clear(): void {
    items.value = []
    status.value = 'idle'
    error.value = null
  }

  return { items, status, error, ensure, clear }
})
