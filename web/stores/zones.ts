/**
 * Zones store (`useZonesStore()`): the planner's editor state. The zones of the selected community
 * (`GET /api/zones`, with households and buildings), the server's check (overlaps, gaps, coverage),
 * the selected zone, and the draft being drawn, reshaped or split — with an undo/redo stack of
 * geometry snapshots and the live overlaps and gaps of the draft computed with turf.
 *
 * The command centre's zones come from the layers store (`web/stores/layers.ts`); this store is the
 * planner's own and never touches that one.
 */
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson'
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef, watch } from 'vue'
import { isAbortError, toApiError, type ApiError } from '../api/client.ts'
import type { FeatureId } from '../api/types.ts'
import { zonesApi, type ZoneCheck, type ZoneCollection, type ZoneFeature, type ZoneGeometry, type ZoneOverlap, type ZoneSuggestion, type ZoneVersion } from '../api/zones.ts'
import { areaM2, gapsOf, overlapsWith, segmentsOf, splitZone, type Segment } from '../map/zone-geometry.ts'
import { usePeopleStore } from './people.ts'
import { formatArea } from '../../core/area.ts'
import { useI18n } from '../i18n/index.ts'
import type { LoadStatus } from './load-status.ts'

/** What the editor is doing. */
export type EditorMode = 'idle' | 'draw' | 'edit' | 'split'

/** The zone being drawn or changed. */
export interface Draft {
  /** The zone being changed, or null for a new one. */
  zoneId: FeatureId | null
  /** The drawn geometry (in split mode: the part to split off); null until something is drawn. */
  geometry: ZoneGeometry | null
  name: string
  assigneeId: FeatureId | null
  /** The grid a new or reshaped zone is a micro-grid (微网格) of; null for a grid. */
  parentId: FeatureId | null
}

/** A save the server refused because the zone overlaps others: what to ask the planner before saving anyway. */
export interface OverlapQuestion {
  /** The other zones of its tier and the area shared with each (m², PostGIS in the community's UTM zone). */
  overlaps: ZoneOverlap[]
  /** The zone's own area (m²), for the share each overlap takes of it. */
  zoneAreaM2: number
}

/** Most undo steps kept. */
const HISTORY_LIMIT = 100

const emptyZones = (): ZoneCollection => ({ type: 'FeatureCollection', features: [] })
const sameId = (a: FeatureId | null | undefined, b: FeatureId | null | undefined): boolean => a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b)

/** A deep copy of a geometry (snapshots must not share arrays with terra-draw). */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

/** The zones store. */
export const useZonesStore = defineStore('zones', () => {
  const communityId = ref<FeatureId | null>(null)
  const boundary = shallowRef<ZoneGeometry | null>(null)
  const collection = shallowRef<ZoneCollection>(emptyZones())
  const check = shallowRef<ZoneCheck | null>(null)
  const status = ref<LoadStatus>('idle')
  const error = shallowRef<ApiError | null>(null)
  const selectedId = ref<FeatureId | null>(null)
  const mode = ref<EditorMode>('idle')
  const draft = ref<Draft | null>(null)
  /** Bumped when the draft geometry is replaced from outside the drawing tool (undo, redo, start). */
  const draftVersion = ref(0)
  const past = shallowRef<(ZoneGeometry | null)[]>([])
  const future = shallowRef<(ZoneGeometry | null)[]>([])
  const saving = ref(false)
  /** The last save's problem (422 reason, 409 overlap, network), shown by the editor. */
  const saveError = shallowRef<ApiError | null>(null)
  /** A short note after a save (e.g. the zones the new one overlaps). */
  const notice = ref<string | null>(null)
  /** The overlaps of a refused save, while the planner decides whether to save anyway. */
  const overlapQuestion = shallowRef<OverlapQuestion | null>(null)
  /** The selected zone's versions (`GET /api/zones/:id/versions`), newest first, once asked for. */
  const versions = shallowRef<ZoneVersion[] | null>(null)
  const versionsError = shallowRef<ApiError | null>(null)
  /** The past version drawn on the map (dashed), or null. */
  const shownVersionId = ref<number | null>(null)
  const suggestion = shallowRef<ZoneSuggestion | null>(null)
  const suggesting = ref(false)
  /** The grid whose micro-grids (微网格) are being suggested, or null for zones of the community. */
  const suggestParentId = ref<FeatureId | null>(null)
  let controller: AbortController | null = null
  /** The geometry of the last recorded step (what undo goes back from). */
  let committed: ZoneGeometry | null = null

  const zones = computed(() => collection.value.features)
  const selected = computed<ZoneFeature | null>(() => zones.value.find((z) => sameId(z.id, selectedId.value)) ?? null)
  const canUndo = computed(() => past.value.length > 0)
  const canRedo = computed(() => future.value.length > 0)
  const editing = computed(() => mode.value !== 'idle')

  /** The grids (zones without a parent), which micro-grids nest in. */
  const grids = computed(() => zones.value.filter((z) => (z.properties.parentId ?? null) === null))
  /** The grid the draft nests in, when it is a micro-grid. */
  const draftParent = computed(() => zones.value.find((z) => sameId(z.id, draft.value?.parentId)) ?? null)

  /**
   * The other zones of the draft's tier while editing: the other grids, or the sibling micro-grids of its
   * grid (all zones while idle).
   */
  const others = computed(() =>
    zones.value.filter(
      (z) =>
        !(mode.value === 'edit' && sameId(z.id, draft.value?.zoneId)) &&
        (mode.value === 'idle' || !draft.value || String(z.properties.parentId ?? '') === String(draft.value.parentId ?? '')),
    ),
  )

  /** Edges of the other zones and of the boundary, for snapping. */
  const snapSegments = computed<Segment[]>(() => {
    const geometries: ZoneGeometry[] = others.value.map((z) => z.geometry)
    if (boundary.value) geometries.push(boundary.value)
    return markRaw(segmentsOf(geometries))
  })

  /** In split mode: the two parts the cut makes, or null. */
  const splitPreview = computed(() => {
    if (mode.value !== 'split' || !draft.value?.geometry) return null
    const zone = zones.value.find((z) => sameId(z.id, draft.value?.zoneId))
    return zone ? splitZone(zone.geometry, draft.value.geometry) : null
  })

  /**
   * While drawing or reshaping: the draft's overlaps with the other zones and the gaps the zones
   * would leave, computed in the browser (the server's check confirms on save). Null when idle.
   */
  const liveCheck = computed<{ overlaps: Feature<Polygon | MultiPolygon, { zoneId: FeatureId; areaM2: number }>[]; gaps: Feature<Polygon | MultiPolygon, { areaM2: number }> | null } | null>(() => {
    if (mode.value === 'idle' || mode.value === 'split' || !draft.value?.geometry) return null
    const edited = draft.value.geometry
    const overlaps = overlapsWith(
      edited,
      others.value.map((z) => ({ id: z.id, geometry: z.geometry })),
    )
    // Gaps within the tier: the community for a grid, the parent grid for a micro-grid.
    const within = draft.value.parentId !== null ? (draftParent.value?.geometry ?? null) : boundary.value
    const gaps = within ? gapsOf(within, [...others.value.map((z) => z.geometry), edited]) : null
    return { overlaps, gaps }
  })

  /** What the check layer draws: the live preview while editing, else the server's check. */
  const checkFeatures = computed<FeatureCollection>(() => {
    const features: Feature[] = []
    const live = liveCheck.value
    if (live) {
      for (const o of live.overlaps) features.push({ ...o, properties: { kind: 'overlap', areaM2: o.properties.areaM2 } })
      if (live.gaps) features.push({ ...live.gaps, properties: { kind: 'gap', areaM2: live.gaps.properties.areaM2 } })
    } else if (check.value && mode.value === 'idle') {
      check.value.overlaps.forEach((o, i) => features.push({ type: 'Feature', id: `o${i}`, geometry: o.geometry, properties: { kind: 'overlap', areaM2: o.areaM2 } }))
      if (check.value.gaps.geometry.coordinates.length > 0) {
        features.push({ type: 'Feature', id: 'gaps', geometry: check.value.gaps.geometry, properties: { kind: 'gap', areaM2: check.value.gaps.areaM2 } })
      }
      // The micro-grid tier: sibling overlaps and gaps within each grid.
      for (const tier of check.value.microGrids ?? []) {
        tier.overlaps.forEach((o, i) => features.push({ type: 'Feature', id: `m${tier.parentId}o${i}`, geometry: o.geometry, properties: { kind: 'overlap', areaM2: o.areaM2 } }))
        if (tier.gaps.geometry.coordinates.length > 0) {
          features.push({ type: 'Feature', id: `m${tier.parentId}gaps`, geometry: tier.gaps.geometry, properties: { kind: 'gap', areaM2: tier.gaps.areaM2 } })
        }
      }
    }
    return { type: 'FeatureCollection', features }
  })

  /** Loads the zones and the check of a community (its boundary for gaps and snapping). */
  async function load(id: FeatureId, communityBoundary: ZoneGeometry | null): Promise<void> {
    controller?.abort()
    const ctrl = new AbortController()
    controller = ctrl
    communityId.value = id
    boundary.value = communityBoundary ? markRaw(communityBoundary) : null
    status.value = 'loading'
    error.value = null
    try {
      const [list, result] = await Promise.all([zonesApi.list(id, ctrl.signal), zonesApi.check(id, ctrl.signal)])
      if (ctrl.signal.aborted) return
      collection.value = markRaw(list)
      check.value = markRaw(result)
      status.value = 'ready'
    } catch (err) {
      if (isAbortError(err)) return
      error.value = toApiError(err)
      status.value = 'error'
    } finally {
      if (controller === ctrl) controller = null
    }
  }

  /** Loads the zones and the check again (after a write). */
  async function reload(): Promise<void> {
    if (communityId.value !== null) await load(communityId.value, boundary.value)
  }

  function select(id: FeatureId | null): void {
    selectedId.value = id
  }

  function resetHistory(): void {
    past.value = []
    future.value = []
  }

  function begin(next: EditorMode, d: Draft): void {
    mode.value = next
    draft.value = d
    committed = d.geometry ? copy(d.geometry) : null
    saveError.value = null
    notice.value = null
    overlapQuestion.value = null
    resetHistory()
    draftVersion.value++
  }

  /** Starts drawing a new zone. */
  function startDraw(): void {
    selectedId.value = null
    begin('draw', { zoneId: null, geometry: null, name: nextName(), assigneeId: null, parentId: null })
  }

  /** Starts reshaping a zone (its vertices and edges become draggable). */
  function startEdit(id: FeatureId): void {
    const zone = zones.value.find((z) => sameId(z.id, id))
    if (!zone) return
    selectedId.value = zone.id
    begin('edit', { zoneId: zone.id, geometry: copy(zone.geometry), name: zone.properties.name, assigneeId: zone.properties.assigneeId, parentId: zone.properties.parentId ?? null })
  }

  /** Starts splitting a zone: the planner draws the part to split off. */
  function startSplit(id: FeatureId): void {
    const zone = zones.value.find((z) => sameId(z.id, id))
    if (!zone) return
    selectedId.value = zone.id
    begin('split', { zoneId: zone.id, geometry: null, name: `${zone.properties.name}-2`, assigneeId: zone.properties.assigneeId, parentId: zone.properties.parentId ?? null })
  }

  /** Leaves the editing mode without saving. */
  function cancel(): void {
    mode.value = 'idle'
    draft.value = null
    resetHistory()
    saveError.value = null
    overlapQuestion.value = null
    draftVersion.value++
  }

  /**
   * The drawing tool reports a new draft geometry. `record` pushes the previous one on the undo stack
   * (a finished step: a closed polygon, a dropped vertex); live updates during a drag do not.
   */
  function setDraftGeometry(geometry: ZoneGeometry | null, record: boolean): void {
    if (!draft.value) return
    if (record) {
      past.value = [...past.value, committed].slice(-HISTORY_LIMIT)
      future.value = []
      committed = geometry ? copy(geometry) : null
    }
    draft.value = { ...draft.value, geometry: geometry ? markRaw(geometry) : null }
    overlapQuestion.value = null
  }
  function restore(geometry: ZoneGeometry | null): void {
    if (!draft.value) return
    committed = geometry ? copy(geometry) : null
    draft.value = { ...draft.value, geometry: geometry ? markRaw(copy(geometry)) : null }
    draftVersion.value++
  }

  function undo(): void {
    if (!draft.value || past.value.length === 0) return
    const previous = past.value[past.value.length - 1] ?? null
    past.value = past.value.slice(0, -1)
    future.value = [committed, ...future.value]
    restore(previous)
  }

  function redo(): void {
    if (!draft.value || future.value.length === 0) return
    const [next, ...rest] = future.value
    future.value = rest
    past.value = [...past.value, committed]
    restore(next ?? null)
  }

  function setDraftName(name: string): void {
    if (draft.value) draft.value = { ...draft.value, name }
  }

  /** Makes the draft a micro-grid of a grid (or, with null, a grid). */
  function setDraftParent(id: FeatureId | null): void {
    if (draft.value) draft.value = { ...draft.value, parentId: id }
  }
  function setDraftAssignee(id: FeatureId | null): void {
    if (draft.value) draft.value = { ...draft.value, assigneeId: id }
  }

  function nextName(): string {
    const used = new Set(zones.value.map((z) => z.properties.name))
    for (let i = zones.value.length + 1; ; i++) if (!used.has(`第${i}网格`)) return `第${i}网格`
  }

  async function write(task: () => Promise<string | null>): Promise<boolean> {
    saving.value = true
    saveError.value = null
    notice.value = null
    try {
      notice.value = await task()
      // People are found by their zones' names (PersonPicker): those may have changed.
      void usePeopleStore().ensure(true)
      return true
    } catch (err) {
      saveError.value = toApiError(err)
      return false
    } finally {
      saving.value = false
    }
  }

  const overlapNote = (answer: { overlaps: { name: string; areaM2: number }[] }): string | null =>
    answer.overlaps.length > 0 ? answer.overlaps.map((o) => `${o.name} ${formatArea(o.areaM2, useI18n().locale.value)}`).join(', ') : null

  /**
   * Saves the draft: a new zone, a reshaped one, or the two parts of a split. A new or reshaped zone is
   * written strictly first: when the server's check finds it overlapping other zones of its tier, nothing is
   * saved and {@link overlapQuestion} says by how much; `anyway` (after the planner confirmed) saves it
   * overlapping.
   */
  async function save(anyway = false): Promise<boolean> {
    const d = draft.value
    if (!d || !d.geometry || communityId.value === null) return false
    overlapQuestion.value = null
    const ok = await write(async () => {
      if (mode.value === 'draw') {
        const answer = await zonesApi.create({ type: 'Feature', geometry: d.geometry!, properties: { name: d.name, assigneeId: d.assigneeId, communityId: communityId.value!, parentId: d.parentId } }, !anyway)
        selectedId.value = answer.id
        return overlapNote(answer)
      }
      if (mode.value === 'edit' && d.zoneId !== null) {
        const answer = await zonesApi.update(d.zoneId, { type: 'Feature', geometry: d.geometry!, properties: { name: d.name, assigneeId: d.assigneeId, parentId: d.parentId } }, !anyway)
        return overlapNote(answer)
      }
      if (mode.value === 'split' && d.zoneId !== null) {
        const answer = await zonesApi.split(d.zoneId, d.geometry!, { name: d.name, assigneeId: d.assigneeId })
        selectedId.value = answer.created.id
        return null
      }
      return null
    })
    const refused = saveError.value
    if (!ok && refused?.status === 409 && Array.isArray(refused.extensions.overlaps)) {
      // The server's check found overlaps: ask before saving anyway.
      overlapQuestion.value = { overlaps: refused.extensions.overlaps as ZoneOverlap[], zoneAreaM2: areaM2(d.geometry) }
      saveError.value = null
    }
    if (ok) {
      mode.value = 'idle'
      draft.value = null
      resetHistory()
      draftVersion.value++
      await reload()
    }
    return ok
  }

  /** The planner saw the overlaps and saves the zone overlapping them. */
  async function saveAnyway(): Promise<boolean> {
    return overlapQuestion.value ? save(true) : false
  }

  /** The planner goes back to the drawing instead. */
  function dismissOverlaps(): void {
    overlapQuestion.value = null
  }

  /** Loads the versions of the selected zone (its history: when, who, area). */
  async function loadVersions(): Promise<void> {
    const id = selectedId.value
    versions.value = null
    versionsError.value = null
    shownVersionId.value = null
    if (id === null) return
    try {
      const answer = await zonesApi.versions(id)
      if (sameId(selectedId.value, id)) versions.value = markRaw(answer.items)
    } catch (err) {
      if (!isAbortError(err)) versionsError.value = toApiError(err)
    }
  }

  /** Draws a past version on the map (null: none). */
  function showVersion(id: number | null): void {
    shownVersionId.value = id
  }

  // Another zone (or none) selected: the versions read were the other one's.
  watch(selectedId, (id, before) => {
    if (sameId(id, before)) return
    versions.value = null
    versionsError.value = null
    shownVersionId.value = null
  })

  /** The version drawn on the map, if any. */
  const shownVersion = computed(() => versions.value?.find((v) => v.id === shownVersionId.value) ?? null)

  /** Renames or reassigns a zone (no geometry change). */
  async function saveProperties(id: FeatureId, properties: { name?: string; assigneeId?: FeatureId | null; teamIds?: number[] }): Promise<boolean> {
    const ok = await write(async () => {
      await zonesApi.update(id, { type: 'Feature', properties })
      return null
    })
    if (ok) await reload()
    return ok
  }

  /** Deletes a zone. */
  async function remove(id: FeatureId): Promise<boolean> {
    const ok = await write(async () => {
      await zonesApi.remove(id)
      return null
    })
    if (ok) {
      if (sameId(selectedId.value, id)) selectedId.value = null
      await reload()
    }
    return ok
  }

  /** Asks the server for `n` balanced zones (with `parentId`: micro-grids of that grid) and shows them as a preview. */
  async function suggest(n: number, parentId: FeatureId | null = null): Promise<void> {
    if (communityId.value === null) return
    suggesting.value = true
    saveError.value = null
    suggestParentId.value = parentId
    try {
      suggestion.value = markRaw(await zonesApi.suggest(communityId.value, n, parentId))
    } catch (err) {
      saveError.value = toApiError(err)
    } finally {
      suggesting.value = false
    }
  }

  function discardSuggestion(): void {
    suggestion.value = null
    suggestParentId.value = null
  }

  /**
   * Saves the suggested zones: replacing the current ones, or added to them. Suggested micro-grids are saved
   * as micro-grids of their grid (added: the grid's micro-grids already drawn stay).
   */
  async function acceptSuggestion(how: 'replace' | 'add'): Promise<boolean> {
    const s = suggestion.value
    if (!s || communityId.value === null) return false
    const parentId = suggestParentId.value
    const ok = await write(async () => {
      if (how === 'replace' && parentId === null) for (const z of zones.value) await zonesApi.remove(z.id)
      for (const f of s.features) {
        const properties = { name: f.properties.name, communityId: communityId.value!, ...(parentId !== null ? { parentId } : {}) }
        await zonesApi.create({ type: 'Feature', geometry: f.geometry, properties })
      }
      return null
    })
    if (ok) {
      suggestion.value = null
      suggestParentId.value = null
    }
    await reload()
    return ok
  }

  /** Drops everything (community switch, sign-out). */
  function clear(): void {
    controller?.abort()
    collection.value = emptyZones()
    check.value = null
    status.value = 'idle'
    selectedId.value = null
    suggestion.value = null
    suggestParentId.value = null
    cancel()
  }

  return {
    communityId,
    boundary,
    collection,
    zones,
    check,
    status,
    error,
    selectedId,
    selected,
    mode,
    editing,
    draft,
    draftVersion,
    canUndo,
    canRedo,
    saving,
    saveError,
    notice,
    overlapQuestion,
    versions,
    versionsError,
    shownVersionId,
    shownVersion,
    suggestion,
    suggesting,
    suggestParentId,
    others,
    snapSegments,
    splitPreview,
    liveCheck,
    checkFeatures,
    load,
    reload,
    select,
    startDraw,
    startEdit,
    startSplit,
    cancel,
    setDraftGeometry,
    undo,
    redo,
    setDraftName,
    setDraftAssignee,
    setDraftParent,
    grids,
    save,
    saveAnyway,
    dismissOverlaps,
    loadVersions,
    showVersion,
    saveProperties,
    remove,
    suggest,
    discardSuggestion,
    acceptSuggestion,
    clear,
  }
})
