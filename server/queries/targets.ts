/**
 * The targets a community is measured against (目标值, issue 19.8): its own where it set them
 * (`communities.targets`), the defaults of core/terms.ts elsewhere. Statistics and reports measure a
 * single community against its own; several communities together against the defaults.
 */
import { resolveTargets, SETTABLE_TARGETS, type OwnTargets, type Targets } from '../../core/terms.ts'
import type { Queryable, Sql } from '../db/connect.ts'
import { recordAudit } from './audit.ts'
import type { SessionUser } from './users.ts'

/** A community's targets: what it set (`own`) and what it is measured against (`targets`). */
export interface CommunityTargets {
  communityId: number
  own: OwnTargets
  targets: Targets
}

const ownOf = (raw: unknown): OwnTargets => {
  const own: OwnTargets = {}
  if (raw && typeof raw === 'object') {
    for (const key of SETTABLE_TARGETS) {
      const v = (raw as Record<string, unknown>)[key]
      if (typeof v === 'number') own[key] = v
    }
  }
  return own
}

/** The targets of one community (null when there is no such community). */
export async function communityTargets(sql: Queryable, communityId: number): Promise<CommunityTargets | null> {
  const [row] = await sql<{ targets: unknown }[]>`select targets from communities where id = ${communityId}`
  if (!row) return null
  const own = ownOf(row.targets)
  return { communityId, own, targets: resolveTargets(own) }
}

/**
 * The targets a scope is measured against: the community asked for, or the caller's only community, or the
 * defaults when the scope holds several (each community's own would not add up).
 */
export async function scopeTargets(sql: Queryable, communityIds: number[] | null, communityId?: number | null): Promise<Targets> {
  const one = communityId ?? (communityIds?.length === 1 ? communityIds[0] : undefined)
  if (one === undefined || one === null) return resolveTargets(null)
  return (await communityTargets(sql, one))?.targets ?? resolveTargets(null)
}

/** Replace a community's own targets (absent keys go back to the defaults); audited in the same transaction. */
export async function setCommunityTargets(sql: Sql, communityId: number, own: OwnTargets, actor: SessionUser): Promise<CommunityTargets | null> {
  return sql.begin(async (tx) => {
    const [before] = await tx<{ targets: unknown }[]>`select targets from communities where id = ${communityId} for update`
    if (!before) return null
    const clean = ownOf(own)
    await tx`update communities set targets = ${tx.json(clean)} where id = ${communityId}`
    await recordAudit(tx, { userId: actor.id, communityId, action: 'update', entity: 'community_targets', entityId: communityId, before: ownOf(before.targets), after: clean })
    return { communityId, own: clean, targets: resolveTargets(clean) }
  })
}
