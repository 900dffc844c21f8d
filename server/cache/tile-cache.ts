/**
 * The server's tile cache (issue #21): rendered tiles kept in memory, keyed by the tile, the caller's
 * scope (the communities it may see) and the filters, and served while the data they were rendered
 * from is unchanged ({@link DataVersions}). Hazard tiles also age out after {@link HAZARD_TILE_TTL_MS}
 * (their `overdue` property turns with the clock, not with a write). Least recently used tiles go
 * first once the cache holds {@link TileCache.maxBytes}.
 */
import { createHash } from 'node:crypto'
import type { DataVersions, TrackedTable } from './data-version.ts'

/** How long a hazard tile is served from the cache at most. */
export const HAZARD_TILE_TTL_MS = 15_000

/** A cached tile. */
export interface CachedTile {
  body: Uint8Array
  /** Quoted ETag, or null for an empty tile (204). */
  etag: string | null
  /** The table's epoch when rendering began. */
  epoch: number
  table: TrackedTable
  at: number
}

/** Default size of the cache (TILE_CACHE_MB, 0 turns it off). */
export const DEFAULT_TILE_CACHE_MB = 64

/** A cache of rendered tiles for one app. */
export class TileCache {
  private readonly entries = new Map<string, CachedTile>()
  private bytes = 0
  private readonly scopeKeys = new WeakMap<readonly number[], string>()
  hits = 0
  misses = 0

  constructor(
    private readonly versions: DataVersions,
    readonly maxBytes = Number(process.env.TILE_CACHE_MB ?? DEFAULT_TILE_CACHE_MB) * 1024 * 1024,
  ) {}

  /** Whether anything is cached at all (a size of 0, or a database that reports no changes, turns it off). */
  get enabled(): boolean {
    return this.maxBytes > 0 && this.versions.live
  }

  /** The part of a key naming the caller's scope: `*` for all communities, else a short hash of the sorted ids (once per ids array). */
  scopeKey(communityIds: readonly number[] | null): string {
    if (communityIds === null) return '*'
    let key = this.scopeKeys.get(communityIds)
    if (key === undefined) {
      key = createHash('sha1').update([...communityIds].sort((a, b) => a - b).join(',')).digest('base64url')
      this.scopeKeys.set(communityIds, key)
    }
    return key
  }

  /** The table's epoch now: read before rendering, stored with the tile. */
  epoch(table: TrackedTable): number {
    return this.versions.epoch(table)
  }

  /** A tile still valid, or undefined. */
  get(key: string, table: TrackedTable, now = Date.now()): CachedTile | undefined {
    if (!this.enabled) return undefined
    const entry = this.entries.get(key)
    if (!entry) {
      this.misses++
      return undefined
    }
    if (entry.epoch !== this.versions.epoch(table) || (table === 'hazards' && now - entry.at > HAZARD_TILE_TTL_MS)) {
      this.drop(key, entry)
      this.misses++
      return undefined
    }
    // Most recently used last.
    this.entries.delete(key)
    this.entries.set(key, entry)
    this.hits++
    return entry
  }

  /** Keep a tile rendered at `entry.epoch` (dropped at once when the table changed meanwhile). */
  set(key: string, entry: CachedTile): void {
    if (!this.enabled || entry.epoch !== this.versions.epoch(entry.table) || entry.body.length > this.maxBytes / 8) return
    const old = this.entries.get(key)
    if (old) this.drop(key, old)
    this.entries.set(key, entry)
    this.bytes += entry.body.length + key.length + 64
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.drop(k, e)
    }
  }

  /** Tiles held. */
  get size(): number {
    return this.entries.size
  }

  private drop(key: string, entry: CachedTile): void {
    this.entries.delete(key)
    this.bytes -= entry.body.length + key.length + 64
  }
}
