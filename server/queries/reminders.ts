import type { z } from 'zod'
import type * as Schemas from '../openapi/schemas.ts'
import type { Sql } from '../db/connect.ts'
import { ALERT_TAG, matterAlert, type AlertPayload } from '../alerts/message.ts'
import type { AlertSettings } from '../alerts/config.ts'
import { channelTakes } from '../alerts/worker.ts'
import { recordLiveEvent, type LiveEvent } from '../live/hub.ts'
import { Problem, problems } from '../problem.ts'
import { enabledChannels, matterFacts, queueDelivery } from './alerts.ts'
import { recordAudit } from './audit.ts'
import type { SessionUser } from './users.ts'
import type { Status } from '../../core/matters.ts'

/** The statuses in which a matter has someone to chase: dispatched (派单) and rectifying (整改中). */
export const REMINDABLE: readonly Status[] = ['dispatched', 'rectifying']

/** At most one reminder per matter in this time. */
export const REMINDER_INTERVAL_MS = 3_600_000

/** What `POST /api/hazards/:id/remind` answers. */
export type ReminderResult = z.infer<typeof Schemas.ReminderResult>

/**
 * 催办: remind the assignee of a dispatched or rectifying matter. Writes a `reminder` timeline entry (the status does
 * not change), a `reminder` live event and one alert delivery per enabled channel of the matter that takes overdue
 * alerts, with the assignee named; and the audit row. 409 when the matter has nobody to chase, 429 (with
 * `retryAfter` seconds) when it was reminded less than an hour ago; 404 outside `communityIds`.
 */
export async function remindHazard(
  sql: Sql,
  input: { id: number; note?: string | undefined },
  actor: SessionUser,
  communityIds: number[] | null,
  settings: Pick<AlertSettings, 'publicUrl' | 'retryDelaysMs'>,
): Promise<{ result: ReminderResult; live: LiveEvent }> {
  return sql.begin(async (tx) => {
    const [h] = await tx<{ id: number; communityId: number; zoneId: number | null; status: Status; assigneeId: number | null; assigneeName: string | null; last: Date | null }[]>`
      select h.id::int, h.community_id::int as "communityId", h.zone_id::int as "zoneId", h.status, h.assignee_id::int as "assigneeId", p.name as "assigneeName",
             (select max(e.at) from hazard_events e where e.hazard_id = h.id and e.kind = 'reminder') as last
      from hazards h left join people p on p.id = h.assignee_id
      where h.id = ${input.id} and ${communityIds === null ? tx`true` : tx`h.community_id = any(${communityIds}::bigint[])`}
      for update of h`
    if (!h) throw problems.notFound(`No hazard ${input.id}.`)
    if (!REMINDABLE.includes(h.status) || h.assigneeId === null) {
      throw problems.conflict(`Only a dispatched or rectifying matter with an assignee can be chased; this one is '${h.status}'.`, { currentStatus: h.status })
    }
    const [clock] = await tx<{ now: Date }[]>`select now() as now`
    const now = clock!.now
    if (h.last && now.getTime() - h.last.getTime() < REMINDER_INTERVAL_MS) {
      const retryAfter = Math.ceil((h.last.getTime() + REMINDER_INTERVAL_MS - now.getTime()) / 1000)
      throw new Problem(429, `This matter was chased at ${h.last.toISOString()}; one reminder an hour.`, { extensions: { retryAfter, lastReminderAt: h.last.toISOString() } })
    }
    const note = input.note?.trim() || null
    await tx`insert into hazard_events (community_id, hazard_id, at, from_status, to_status, user_id, by_name, assignee_id, note, kind)
             values (${h.communityId}, ${h.id}, now(), ${h.status}, ${h.status}, ${actor.id}, ${actor.name}, ${h.assigneeId}, ${note}, 'reminder')`
    await recordAudit(tx, { userId: actor.id, communityId: h.communityId, action: 'remind', entity: 'hazard', entityId: h.id, before: null, after: { assigneeId: h.assigneeId, note } })
    const result: ReminderResult = { hazardId: h.id, at: now.toISOString(), assigneeId: h.assigneeId, assigneeName: h.assigneeName, note, alerts: 0 }
    const live = await recordLiveEvent(tx, { type: 'reminder', communityId: h.communityId, data: { ...result, by: actor.name } })
    const facts = (await matterFacts(tx as unknown as Sql, [h.id])).get(h.id)
    if (facts) {
      const at = now
      for (const ch of await enabledChannels(tx as unknown as Sql)) {
        if (!channelTakes(ch, { event: 'overdue', communityId: h.communityId, zoneId: h.zoneId, at })) continue
        const base = matterAlert('overdue', facts, settings.publicUrl)
        const payload: AlertPayload = {
          ...base,
          event: 'reminder',
          title: `${ALERT_TAG}催办：请${h.assigneeName ?? '承办人'}尽快办理`,
          lines: [...base.lines, { label: '催办人', value: actor.name }, ...(note ? [{ label: '催办说明', value: note.slice(0, 200) }] : [])],
        }
        const queued = await queueDelivery(tx as unknown as Sql, {
          communityId: h.communityId,
          channelId: ch.id,
          event: 'reminder',
          eventKey: `reminder:${live.id}`,
          hazardId: h.id,
          liveEventId: live.id,
          payload,
          maxAttempts: settings.retryDelaysMs.length + 1,
        })
        if (queued !== undefined) result.alerts++
      }
    }
    return { result, live }
  })
}
