/**
 * Layers store: the base map data of the selected community (compounds, buildings, roads,
 * water, zones), fetched from `GET /api/layers/:layer`.
 *
 * Each collection is replaced as a whole (never mutated), so map layers can watch them by
 * identity and call `setData` once per change.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import { api, isAbortError, toApiError, type ApiError } from '../api/client.ts'
import { emptyCollection, type BaseLayerCollections, type LayerQuery } from '../api/types.ts'
import type { LoadStatus } from './load-status.ts'

/** The base layers the command centre draws, in load order. */
export const BASE_LAYERS = ['compounds', 'buildings', 'roads', 'water', 'zones'] as const
/** One of {@link BASE_LAYERS}. */
export type LoadedBaseLayer = (typeof BASE_LAYERS)[number]

function emptyCollections(): Pick<BaseLayerCollections, LoadedBaseLayer> {
  return {
    compounds: emptyCollection(),
    buildings: emptyCollection(),
    roads: emptyCollection(),
    water: emptyCollection(),
    zones: emptyCollection(),
  }
}

/** The base layers store (`useLayersStore()`). */
export const useLayersStore = defineStore('layers', () => {
  const collections = shallowRef(emptyCollections())
  const status = ref<LoadStatus>('idle')
  /** The first error of the last load, if any layer failed. */
  const error = shallowRef<ApiError | null>(null)
  /** Layers that failed in the last load (the others are shown). */
  const failed = ref<LoadedBaseLayer[]>([])
  const lastQuery = shallowRef<LayerQuery>({})
  let lastSkip: readonly LoadedBaseLayer[] = []
  let controller: AbortController | null = null

  /** Whether any base layer has features (false while loading or for an empty community). */
  const hasData = computed(() => BASE_LAYERS.some((name) => collections.value[name].features.length > 0))

  /**
   * Loads every base layer matching `query` (a community, a bbox) but those in `skip` (drawn from
   * vector tiles instead; they stay empty). Layers appear as they arrive; a failing layer leaves
   * the others in place and is listed in {@link failed}.
   */
  async function load(query: LayerQuery, skip: readonly LoadedBaseLayer[] = []): Promise<void> {
    controller?.abort()
    const ctrl = new AbortController()
    controller = ctrl
    status.value = 'loading'
    error.value = null
    failed.value = []
    lastQuery.value = query
    lastSkip = skip
    const wanted = BASE_LAYERS.filter((name) => !skip.includes(name))
    collections.value = { ...collections.value, ...Object.fromEntries(skip.map((name) => [name, emptyCollection()])) }

    const results = await Promise.allSettled(
      wanted.map(async (name) => {
        const fc = await api.layer(name, query, ctrl.signal)
        if (ctrl.signal.aborted) return
        collections.value = { ...collections.value, [name]: markRaw(fc) }
      }),
    )
    if (controller !== ctrl) return
    controller = null

    const errors: ApiError[] = []
    results.forEach((result, i) => {
      const name = wanted[i]
      if (result.status === 'rejected' && name && !isAbortError(result.reason)) {
        failed.value.push(name)
        errors.push(toApiError(result.reason))
      }
    })
    error.value = errors[0] ?? null
    status.value = errors.length > 0 && errors.length === wanted.length ? 'error' : 'ready'
  }

  /** Loads again the layers of the last {@link load} call. */
  function reload(): Promise<void> {
    return load(lastQuery.value, lastSkip)
  }

  /** Drops all data (e.g. when switching community). */
  function clear(): void {
    controller?.abort()
    controller = null
    collections.value = emptyCollections()
    status.value = 'idle'
    error.value = null
    failed.value = []
  }

  return { collections, status, error, failed, hasData, load, reload, clear }
})
