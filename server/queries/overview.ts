/**
 * The street office's overview (街道总览, issue 19.3): one row per community the caller may see, with what
 * the wall watches — open matters, overdue ones, critical ones, residents' reports waiting for review, and
 * patrols on duty now — in one set-based statement, so 500 communities cost one query, not 500.
 */
import { NOT_OPEN_STATUSES, REVIEW_STATUS, type Status } from '../../core/matters.ts'
import type { Queryable } from '../db/connect.ts'

/** One community's row of the overview. */
export interface CommunityOverviewRow {
  communityId: number
  name: string
  /** Open matters (reported … reopened; not closed, not waiting for review). */
  open: number
  /** Open matters past their deadline. */
  overdue: number
  /** Open matters of severity critical (重大). */
  critical: number
  /** Residents' reports waiting for review (待核实). */
  pendingReview: number
  /** Duty sessions running now (started within the last 12 hours and not stopped). */
  onDuty: number
}

/** A duty session older than this without a stop is a forgotten one, not a patrol on duty. */
const ON_DUTY_HOURS = 12

/** The overview of the communities in `communityIds` (null = every community), most overdue first. */
export async function communityOverview(sql: Queryable, communityIds: number[] | null, opts: { hideLeads: boolean }): Promise<CommunityOverviewRow[]> {
  const scope = communityIds === null ? sql`true` : sql`c.id = any(${communityIds}::bigint[])`
  const notOpen = NOT_OPEN_STATUSES as Status[]
  return sql<CommunityOverviewRow[]>`
    with h as (
      select h.community_id,
             count(*) filter (where not (h.status = any(${notOpen}::text[])))::int as open,
             count(*) filter (where not (h.status = any(${notOpen}::text[])) and h.due_at < now())::int as overdue,
             count(*) filter (where not (h.status = any(${notOpen}::text[])) and h.severity = 'critical')::int as critical,
             count(*) filter (where h.status = ${REVIEW_STATUS})::int as "pendingReview"
      from hazards h
      where (h.status = ${REVIEW_STATUS} or not (h.status = any(${notOpen}::text[])))
        and ${opts.hideLeads ? sql`h.type <> 'lead'` : sql`true`}
        and ${communityIds === null ? sql`true` : sql`h.community_id = any(${communityIds}::bigint[])`}
      group by h.community_id
    ),
    d as (
      select ds.community_id, count(*)::int as n from duty_sessions ds
      where ds.stopped_at is null and ds.started_at > now() - make_interval(hours => ${ON_DUTY_HOURS})
        and ${communityIds === null ? sql`true` : sql`ds.community_id = any(${communityIds}::bigint[])`}
      group by ds.community_id
    )
    select c.id::int as "communityId", c.name,
           coalesce(h.open, 0) as open, coalesce(h.overdue, 0) as overdue, coalesce(h.critical, 0) as critical,
           coalesce(h."pendingReview", 0) as "pendingReview", coalesce(d.n, 0) as "onDuty"
    from communities c
    left join h on h.community_id = c.id
    left join d on d.community_id = c.id
    where ${scope}
    order by coalesce(h.overdue, 0) desc, coalesce(h.critical, 0) desc, coalesce(h.open, 0) desc, c.id`
}
