import { Hono } from 'hono'
import { z } from 'zod'
import { ALERT_EVENTS, ALERT_PROVIDERS, type AlertProvider } from '../../core/alerts.ts'
import { urlProblem } from '../alerts/address.ts'
import { sendTestAlert } from '../alerts/worker.ts'
import { requirePermission } from '../auth/middleware.ts'
import type { AppEnv } from '../context.ts'
import { Problem, problems } from '../problem.ts'
import { recordAudit } from '../queries/audit.ts'
import { listCommunities } from '../queries/communities.ts'
import { attemptsLastMinute, channelRow, createChannel, deleteChannel, deliveryById, listChannels, listDeliveries, updateChannel } from '../queries/alerts.ts'
import { idParam, validate } from '../validate.ts'

const jsonId = z.number().int('must be an integer').positive('must be positive').max(Number.MAX_SAFE_INTEGER)
const name = z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters')
const url = z.string().trim().min(1, 'must not be empty').max(2000, 'at most 2000 characters')
const secret = z.string().trim().min(1, 'must not be empty').max(500, 'at most 500 characters')
const events = z
  .array(z.enum(ALERT_EVENTS))
  .min(1, 'choose at least one event')
  .max(ALERT_EVENTS.length)
  .transform((list) => [...new Set(list)])

const createBody = z.object({
  communityId: jsonId.optional(),
  zoneId: jsonId.nullish(),
  name,
  provider: z.enum(ALERT_PROVIDERS),
  url,
  secret: secret.nullish(),
  events: events.default([...ALERT_EVENTS]),
  enabled: z.boolean().default(true),
})
const updateBody = z.object({
  zoneId: jsonId.nullable().optional(),
  name: name.optional(),
  provider: z.enum(ALERT_PROVIDERS).optional(),
  url: url.optional(),
  secret: secret.nullable().optional(),
  events: events.optional(),
  enabled: z.boolean().optional(),
})
const listQuery = z.object({ communityId: idParam.optional() })
const idParams = z.object({ id: idParam })
const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
})

/** 422 when the URL may not be used (scheme, credentials, a private address). */
function checkUrl(text: string, allowPrivate: boolean): void {
  const problem = urlProblem(text, allowPrivate)
  if (problem) throw problems.unprocessable(`The URL ${problem}.`, [{ path: 'url', message: problem }])
}

/** A secret is used by DingTalk, Feishu and the webhook; WeCom's robot has none (its key is in the URL). */
const keepsSecret = (provider: AlertProvider) => provider !== 'wecom'

/**
 * Alert channels (告警推送, admin): group robots (企业微信 / 钉钉 / 飞书) and generic webhooks told about new
 * critical matters, escalations and matters turning overdue. URLs and secrets are stored and never
 * answered in full (masked). `POST /:id/test` sends a test message at once and answers how it went;
 * `GET /:id/deliveries` is the delivery log.
 */
export const alertChannels = new Hono<AppEnv>()
  .use('*', requirePermission('manageAlerts'))
  .get('/', validate('query', listQuery), async (c) => {
    const { communityId } = c.req.valid('query')
    return c.json({ items: await listChannels(c.get('sql'), c.get('communityIds'), communityId) })
  })
  .post('/', validate('json', createBody), async (c) => {
    const body = c.req.valid('json')
    const sql = c.get('sql')
    checkUrl(body.url, c.get('alerts').allowPrivateAddresses)
    let communityId = body.communityId
    if (communityId === undefined) {
      const visible = await listCommunities(sql, c.get('communityIds'))
      if (visible.length !== 1) throw problems.badRequest('communityId is required.', [{ path: 'communityId', message: 'required when you may see more than one community' }])
      communityId = visible[0]!.id
    }
    const view = await createChannel(
      sql,
      {
        communityId,
        zoneId: body.zoneId ?? null,
        name: body.name,
        provider: body.provider,
        url: body.url,
        secret: keepsSecret(body.provider) ? (body.secret ?? null) : null,
        events: body.events,
        enabled: body.enabled,
      },
      c.get('user'),
      c.get('communityIds'),
    )
    c.header('location', `/api/alert-channels/${view.id}`)
    return c.json(view, 201)
  })
  .get('/:id', validate('param', idParams), async (c) => {
    const { id } = c.req.valid('param')
    const [view] = await listChannels(c.get('sql'), c.get('communityIds'), undefined, id)
    if (!view) throw problems.notFound(`No alert channel ${id}.`)
    return c.json(view)
  })
  .put('/:id', validate('param', idParams), validate('json', updateBody), async (c) => {
    const { id } = c.req.valid('param')
    const body = c.req.valid('json')
    if (body.url !== undefined) checkUrl(body.url, c.get('alerts').allowPrivateAddresses)
    const view = await updateChannel(c.get('sql'), id, body, c.get('user'), c.get('communityIds'))
    if (!view) throw problems.notFound(`No alert channel ${id}.`)
    return c.json(view)
  })
  .delete('/:id', validate('param', idParams), async (c) => {
    const { id } = c.req.valid('param')
    if (!(await deleteChannel(c.get('sql'), id, c.get('user'), c.get('communityIds')))) throw problems.notFound(`No alert channel ${id}.`)
    return c.body(null, 204)
  })
  .post('/:id/test', validate('param', idParams), async (c) => {
    const { id } = c.req.valid('param')
    const sql = c.get('sql')
    const channel = await channelRow(sql, id, c.get('communityIds'))
    if (!channel) throw problems.notFound(`No alert channel ${id}.`)
    // Tests count against the robot's limit too: a busy button must not flood the group.
    if ((await attemptsLastMinute(sql, id)) >= c.get('alerts').perChannelPerMinute) {
      c.header('retry-after', '60')
      throw new Problem(429, 'This channel has sent as many messages as its robot allows in a minute; try again shortly.')
    }
    const [community] = await listCommunities(sql, [channel.communityId])
    const outcome = await sendTestAlert(sql, channel, community?.name ?? null, c.get('alerts'))
    await recordAudit(sql, {
      userId: c.get('user').id,
      communityId: channel.communityId,
      action: 'test',
      entity: 'alert_channel',
      entityId: id,
      after: { deliveryId: outcome.deliveryId, ok: outcome.ok, responseCode: outcome.responseCode },
    })
    return c.json({ ok: outcome.ok, responseCode: outcome.responseCode, error: outcome.error, delivery: await deliveryById(sql, outcome.deliveryId) })
  })
  .get('/:id/deliveries', validate('param', idParams), validate('query', pageQuery), async (c) => {
    const { id } = c.req.valid('param')
    const items = await listDeliveries(c.get('sql'), id, c.get('communityIds'), c.req.valid('query'))
    if (!items) throw problems.notFound(`No alert channel ${id}.`)
    return c.json({ items })
  })
