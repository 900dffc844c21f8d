import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'
import type { Queryable, Sql } from '../db/connect.ts'

/** One audited write. */
export interface AuditEntry {
  userId: number | null
  communityId?: number | null
  action: string
  entity: string
  entityId?: string | number | null
  before?: unknown
  after?: unknown
}

/** Record a write in the audit log (inside the caller's transaction when given one). */
export async function recordAudit(sql: Queryable, entry: AuditEntry): Promise<void> {
  await sql`insert into audit_log (user_id, community_id, action, entity, entity_id, before, after)
            values (${entry.userId}, ${entry.communityId ?? null}, ${entry.action}, ${entry.entity},
                    ${entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId)},
                    ${entry.before === undefined ? null : sql.json(entry.before as never)},
                    ${entry.after === undefined ? null : sql.json(entry.after as never)})`
}

/** An audit log row as listed to admins. */
export type AuditRow = z.infer<typeof Schemas.AuditEntry>

/** The audit log, newest first. */
export async function listAudit(sql: Sql, opts: { communityIds: number[] | null; limit: number; offset: number }): Promise<AuditRow[]> {
  return sql<AuditRow[]>`
    select a.id, a.at, a.user_id as "userId", u.username, a.community_id as "communityId", a.action, a.entity,
           a.entity_id as "entityId", a.before, a.after
    from audit_log a left join users u on u.id = a.user_id
    where ${opts.communityIds === null ? sql`true` : sql`(a.community_id is null or a.community_id = any(${opts.communityIds}::bigint[]))`}
    order by a.id desc
    limit ${opts.limit} offset ${opts.offset}`
}
