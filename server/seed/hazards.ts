/**
 * 90 days of matters (事项) moving through the closed loop
 * reported → dispatched → rectifying → rectified → verified, with realistic timings: most answered
 * within 7 minutes and closed by the deadline of their level, some late, some reopened at recheck, a few
 * rejected, and the recent ones still open (a few of them overdue). A handful of buildings are hot spots.
 * Most are hazards (隐患); disputes, requests, leads, and a few pieces of information and emergencies
 * come among them. Most are handled in the micro-grid (1 day), some are escalated (升级) to the grid
 * (3 days) or the street (5 days) with the escalation in their timeline (issue #14, contract v2).
 */
import { allocateIds, json, type BuildingInfo, type KeyPlaceInfo, type Organisation, type SeedContext, type ZoneInfo } from './context.ts'
import { distance, distanceToPolygons, lerp, lineLength, pointAlong, pointInPolygons, ringArea, type XY } from './geo.ts'
import { LEVEL_DAYS, type Level, type MatterType } from '../../core/matters.ts'
import { describeMatter, ESCALATION_NOTES, EVENT_NOTES } from './names.ts'
import type { Random } from './random.ts'
import { DAY, HOUR, MINUTE, shanghaiTime } from './time.ts'

/** What a patrol member did on the spot (现场处置) for a minor hazard. */
const FIXED_ON_SPOT_NOTES: Record<string, string[]> = {
  flying_wire_charging: ['当场劝阻，住户已拔除充电线', '已劝说住户收回飞线'],
  ebike_indoor: ['已劝离，电动车推出楼道', '已劝说车主将电动车停到集中充电棚'],
  corridor_clutter: ['楼道杂物已当场清理', '已联系住户当场搬走杂物'],
  fire_lane_blocked: ['已联系车主挪车，消防通道畅通', '已挪开占道物品，消防通道畅通'],
  other: ['已联系住户当场整改'],
}

/** Why an arrival's position was farther than allowed. */
const FAR_ARRIVAL_NOTES = ['楼内定位漂移，已在现场', '地下车库无信号，已在现场', '高楼遮挡定位不准，已到楼下']

/** Days of history. */
export const HAZARD_HISTORY_DAYS = 90

type Category =
  | 'flying_wire_charging'
  | 'ebike_indoor'
  | 'fire_lane_blocked'
  | 'corridor_clutter'
  | 'facility_aging'
  | 'poor_lighting'
  | 'falling_object_risk'
  | 'other'
type Severity = 'minor' | 'major' | 'critical'

/** Kinds of matters in the demo, weighted: mostly hazards. */
const TYPE_WEIGHTS: Record<MatterType, number> = { hazard: 80, dispute: 7, request: 7, lead: 3, information: 2, emergency: 1 }

/** Categories of the other kinds, weighted. */
const OTHER_CATEGORY_WEIGHTS: Record<Exclude<MatterType, 'hazard'>, Record<string, number>> = {
  dispute: { neighbours: 35, noise: 30, property: 20, family: 10, other: 5 },
  lead: { suspicious_person: 40, suspicious_vehicle: 30, fraud: 25, other: 5 },
  emergency: { fire: 20, medical: 35, flood: 10, gas_leak: 15, traffic: 10, other: 10 },
  request: { repair: 40, environment: 25, elderly_help: 20, micro_wish: 10, other: 5 },
  information: { opinion: 35, suggestion: 35, complaint: 25, other: 5 },
}

/** Danger of the other kinds, weighted. */
const OTHER_SEVERITY_WEIGHTS: Record<Exclude<MatterType, 'hazard'>, Record<Severity, number>> = {
  dispute: { minor: 78, major: 20, critical: 2 },
  lead: { minor: 45, major: 45, critical: 10 },
  emergency: { minor: 10, major: 50, critical: 40 },
  request: { minor: 90, major: 10, critical: 0 },
  information: { minor: 100, major: 0, critical: 0 },
}

/** Where each kind comes from, weighted. */
const SOURCE_WEIGHTS: Record<MatterType, Record<string, number>> = {
  hazard: { patrol: 90, resident: 6, hotline_12345: 4 },
  dispute: { resident: 50, patrol: 30, hotline_12345: 20 },
  lead: { patrol: 60, resident: 40 },
  emergency: { resident: 50, hotline_12345: 40, patrol: 10 },
  request: { resident: 55, hotline_12345: 35, patrol: 10 },
  information: { resident: 70, hotline_12345: 30 },
}

/** Chance a matter of this danger is escalated, before the kind's extra (disputes and emergencies more often). */
const ESCALATION_CHANCE: Record<Severity, number> = { minor: 0.05, major: 0.16, critical: 0.4 }
const ESCALATION_EXTRA: Record<MatterType, number> = { hazard: 0, dispute: 0.12, lead: 0.05, emergency: 0.2, request: 0.04, information: 0 }
type Status = 'reported' | 'dispatched' | 'rectifying' | 'rectified' | 'verified' | 'reopened' | 'rejected'

const CATEGORY_WEIGHTS: Record<Category, number> = {
  flying_wire_charging: 22,
  ebike_indoor: 20,
  corridor_clutter: 19,
  fire_lane_blocked: 10,
  facility_aging: 10,
  poor_lighting: 8,
  falling_object_risk: 7,
  other: 4,
}

const SEVERITY_WEIGHTS: Record<Category, Record<Severity, number>> = {
  flying_wire_charging: { minor: 60, major: 32, critical: 8 },
  ebike_indoor: { minor: 70, major: 25, critical: 5 },
  corridor_clutter: { minor: 85, major: 13, critical: 2 },
  fire_lane_blocked: { minor: 70, major: 25, critical: 5 },
  facility_aging: { minor: 45, major: 40, critical: 15 },
  poor_lighting: { minor: 85, major: 15, critical: 0 },
  falling_object_risk: { minor: 35, major: 45, critical: 20 },
  other: { minor: 80, major: 18, critical: 2 },
}

/** Hours of the day (Shanghai) hazards are reported in, weighted: office hours and evening patrols. */
const HOUR_WEIGHTS = [1, 0.5, 0.3, 0.2, 0.2, 0.3, 1, 3, 6, 8, 8, 6, 4, 5, 7, 8, 7, 6, 5, 6, 7, 6, 4, 2]

interface PlannedEvent {
  at: number
  /** The status after the event (for an escalation: the status it stays in). */
  to: Status
  actor: 'patrol' | 'command' | 'leader'
  note: string | null
  /** An escalation (升级): the level before and after. */
  escalate?: { from: Level; to: Level }
}

interface PlannedHazard {
  type: MatterType
  category: string
  severity: Severity
  source: string
  /** The level it was reported at. */
  level: Level
  building: BuildingInfo
  point: XY
  reportedAt: number
  dueAt: number
  description: string
  events: PlannedEvent[]
}

/** Insert the hazards and their events. */
export async function makeHazards(
  ctx: SeedContext,
  buildings: BuildingInfo[],
  keyPlaces: KeyPlaceInfo[],
  zones: ZoneInfo[],
  org: Organisation,
): Promise<void> {
  const { tx, utm, communityId } = ctx
  const rng = ctx.rng.fork('hazards')
  const now = ctx.now.getTime()
  const homes = buildings.filter((b) => b.residential && b.compoundId !== null)
  const others = buildings.filter((b) => !b.residential)
  const hot = pickHotSpots(homes, rng)
  const fireLanes = keyPlaces.filter((k) => k.kind === 'fire_lane')

  const planned: PlannedHazard[] = []
  for (let day = -(HAZARD_HISTORY_DAYS - 1); day <= 0; day++) {
    const dayStart = shanghaiTime(ctx.now, day, 0).getTime()
    const weekday = new Date(dayStart + 8 * HOUR).getUTCDay()
    // Slightly more in recent weeks (more patrols), fewer on Sundays.
    const mean = (4.2 + 1.6 * ((day + HAZARD_HISTORY_DAYS) / HAZARD_HISTORY_DAYS)) * (weekday === 0 ? 0.7 : 1)
    const n = rng.poisson(mean)
    for (let i = 0; i < n; i++) {
      const hour = rng.weighted([...HOUR_WEIGHTS.keys()], (h) => HOUR_WEIGHTS[h] ?? 0)
      const reportedAt = dayStart + hour * HOUR + rng.int(0, 3599) * 1000
      if (reportedAt > now - 2 * HOUR) continue
      planned.push(planHazard(rng, reportedAt, homes, others, hot, fireLanes))
    }
  }
  // Make sure the board has something in every open state right now, and a few overdue cases.
  const openStates: Status[] = ['reported', 'reported', 'dispatched', 'dispatched', 'rectifying', 'rectifying', 'rectifying', 'rectified', 'rectified']
  openStates.forEach((state, i) => {
    const ago = state === 'reported' ? rng.int(3, 25) * MINUTE : rng.float(0.6, 1.8 + i * 0.6) * HOUR
    planned.push(stopAt(planHazard(rng, now - ago, homes, others, hot, fireLanes, 'minor'), state, now))
  })
  for (const state of ['dispatched', 'rectifying', 'rectifying', 'rectified', 'dispatched'] as Status[]) {
    const severity: Severity = rng.chance(0.6) ? 'minor' : 'major'
    const level: Level = rng.chance(0.6) ? 'micro_grid' : 'grid'
    const ago = (LEVEL_DAYS[level] + rng.float(0.3, 5)) * DAY
    planned.push(stopAt(planHazard(rng, now - ago, homes, others, hot, fireLanes, severity, level), state, now))
  }
  planned.sort((a, b) => a.reportedAt - b.reportedAt)
  // The field's side (issue 15), from a stream of its own so that everything above stays as it was: some minor
  // hazards a patrol member found were fixed on the spot (现场处置) and closed at once.
  const field = ctx.rng.fork('field')
  const fixedOnSpot = new Set<PlannedHazard>()
  for (const h of planned) {
    const closedNormally = h.events.at(-1)?.to === 'verified' && !h.events.some((e) => e.escalate || e.to === 'reopened')
    if (h.type === 'hazard' && h.severity === 'minor' && h.source === 'patrol' && closedNormally && field.chance(0.15)) {
      h.events = [h.events[0]!, { at: h.reportedAt + 1000, to: 'verified', actor: 'patrol', note: `现场处置：${field.pick(FIXED_ON_SPOT_NOTES[h.category] ?? FIXED_ON_SPOT_NOTES.other!)}` }]
      fixedOnSpot.add(h)
    }
  }

  // Zone and assignee of every location.
  const points = planned.map((h, i) => ({ i, x: h.point[0], y: h.point[1] }))
  const located = await tx<{ i: number; zone_id: number | null }[]>`
    select r.i, z.id as zone_id
    from jsonb_to_recordset(${json(points)}::text::jsonb) as r(i int, x float8, y float8)
    left join lateral (
      select id from zones
      where community_id = ${communityId} and parent_id is null
        and ST_Intersects(geom, ST_Transform(ST_SetSRID(ST_MakePoint(r.x, r.y), ${utm}::int), 4326))
      order by id limit 1
    ) as z on true
    order by r.i`
  const zoneById = new Map(zones.map((z) => [z.id, z]))
  const teamLeader = new Map(org.teams.map((t) => [t.id, t.leaderId]))
  const personName = new Map(org.people.map((p) => [p.id, p.name]))

  const ids = await allocateIds(tx, 'hazards', planned.length)
  const patrolUser = org.users.get('patrol')
  const leaderUser = org.users.get('leader')
  const commandUser = org.users.get('command')
  const patrolName = patrolUser?.name ?? org.devices[0]?.personName ?? '巡逻队员'
  const leaderName = leaderUser?.name ?? org.people.find((p) => p.teamKind === 'patrol')?.name ?? '巡逻队长'
  const actors = {
    patrol: { id: patrolUser?.id ?? null, name: patrolName },
    leader: { id: leaderUser?.id ?? null, name: leaderName },
    command: { id: commandUser?.id ?? null, name: commandUser?.name ?? '指挥中心值班员' },
  }

  const hazardRows: Record<string, unknown>[] = []
  const eventRows: Record<string, unknown>[] = []
  const lastClosed = new Map<string, { id: number; closedAt: number }>()
  planned.forEach((h, index) => {
    const id = ids[index] as number
    const zone = zoneById.get(located[index]?.zone_id ?? -1) ?? null
    const events = h.events.filter((e) => e.at <= now)
    const escalations = events.filter((e) => e.escalate)
    const lastEscalation = escalations[escalations.length - 1]
    const level: Level = lastEscalation?.escalate?.to ?? h.level
    // The level's handler: the zone's person, the grid's team leader, or the command centre (no person).
    const handler = (l: Level): number | null => (l === 'street' ? null : l === 'grid' ? (teamLeader.get(zone?.teamId ?? -1) ?? zone?.assigneeId ?? null) : (zone?.assigneeId ?? null))
    const assigneeId = handler(level)
    const last = [...events].reverse().find((e) => !e.escalate) as PlannedEvent
    const firstRectifying = events.find((e) => e.to === 'rectifying')
    const closing = events.find((e) => e.to === 'verified' || e.to === 'rejected')
    const rectified = [...events].reverse().find((e) => e.to === 'rectified')
    // Arrival on site (到场): a patrol member's own report arrived at once; otherwise the assignee's phone said
    // "I am here" just before starting (a few meters off, now and then farther with a note why).
    const onPatrol = h.source === 'patrol'
    const arrival = onPatrol ? h.reportedAt : firstRectifying ? firstRectifying.at - 1000 : null
    const far = !onPatrol && arrival !== null && field.chance(0.05)
    const arrivalDistance = onPatrol ? 0 : Math.round((far ? field.float(110, 190) : field.float(2, 45)) * 10) / 10
    const key = `${h.building.id}:${h.type}:${h.category}`
    const previous = lastClosed.get(key)
    const recurrenceOf = previous && h.reportedAt - previous.closedAt < 30 * DAY && h.reportedAt > previous.closedAt ? previous.id : null
    if (closing?.to === 'verified') lastClosed.set(key, { id, closedAt: closing.at })
    hazardRows.push({
      id,
      zone_id: zone?.id ?? null,
      building_id: h.building.id,
      type: h.type,
      category: h.category,
      severity: h.severity,
      level,
      source: h.source,
      escalations: escalations.length,
      escalated_at: lastEscalation ? new Date(lastEscalation.at).toISOString() : null,
      status: last.to,
      description: h.description,
      x: h.point[0],
      y: h.point[1],
      reported_at: new Date(h.reportedAt).toISOString(),
      due_at: new Date(h.reportedAt + LEVEL_DAYS[level] * DAY).toISOString(),
      reporter_id: actors.patrol.id,
      assignee_id: assigneeId,
      responded_at: firstRectifying ? new Date(firstRectifying.at).toISOString() : null,
      rectified_by: rectified || fixedOnSpot.has(h) ? actors.patrol.id : null,
      closed_at: closing ? new Date(closing.at).toISOString() : null,
      recurrence_of: recurrenceOf,
      arrived_at: arrival !== null ? new Date(arrival).toISOString() : null,
      arrived_by: arrival !== null ? actors.patrol.id : null,
      arrival_distance_m: arrival !== null ? arrivalDistance : null,
      found_on_patrol: onPatrol,
      fixed_on_spot: fixedOnSpot.has(h),
      version: events.length + (arrival !== null && !onPatrol ? 1 : 0),
      updated_at: new Date(events[events.length - 1]!.at).toISOString(),
    })
    let from: Status | null = null
    let current: Level = h.level
    for (const e of events) {
      const actor = actors[e.actor]
      if (e.escalate) {
        current = e.escalate.to
        eventRows.push({
          hazard_id: id,
          at: new Date(e.at).toISOString(),
          kind: 'escalation',
          from_status: e.to,
          to_status: e.to,
          from_level: e.escalate.from,
          to_level: e.escalate.to,
          user_id: actor.id,
          by_name: actor.name,
          assignee_id: handler(current),
          note: e.note,
        })
        continue
      }
      if (e === firstRectifying && !onPatrol && arrival !== null) {
        eventRows.push({
          hazard_id: id,
          at: new Date(arrival).toISOString(),
          kind: 'arrival',
          from_status: from,
          to_status: from,
          from_level: null,
          to_level: null,
          user_id: actors.patrol.id,
          by_name: actors.patrol.name,
          assignee_id: null,
          note: far ? field.pick(FAR_ARRIVAL_NOTES) : null,
        })
      }
      const dispatchedTo = handler(current)
      const note =
        e.to === 'dispatched' && dispatchedTo !== null ? `${e.note ?? '已派单'}：${personName.get(dispatchedTo) ?? ''}` : e.note
      eventRows.push({
        hazard_id: id,
        at: new Date(e.at).toISOString(),
        kind: 'transition',
        from_status: from,
        to_status: e.to,
        from_level: null,
        to_level: null,
        user_id: actor.id,
        by_name: actor.name,
        assignee_id: e.to === 'dispatched' ? dispatchedTo : null,
        note,
      })
      from = e.to
    }
  })

  await tx`
    insert into hazards (id, community_id, zone_id, building_id, type, category, severity, level, source, escalations, escalated_at,
                         status, description, geom,
                         reported_at, due_at, reporter_id, assignee_id, responded_at, rectified_by, closed_at,
                         recurrence_of, arrived_at, arrived_by, arrival_distance_m, found_on_patrol, fixed_on_spot,
                         version, created_at, updated_at)
    select id, ${communityId}, zone_id, building_id, type, category, severity, level, source, escalations, escalated_at,
           status, description,
           ST_Transform(ST_SetSRID(ST_MakePoint(x, y), ${utm}::int), 4326),
           reported_at, due_at, reporter_id, assignee_id, responded_at, rectified_by, closed_at,
           recurrence_of, arrived_at, arrived_by, arrival_distance_m, found_on_patrol, fixed_on_spot,
           version, reported_at, updated_at
    from jsonb_to_recordset(${json(hazardRows)}::text::jsonb) as r(
      id bigint, zone_id bigint, building_id bigint, type text, category text, severity text, level text, source text,
      escalations int, escalated_at timestamptz, status text, description text,
      x float8, y float8, reported_at timestamptz, due_at timestamptz, reporter_id bigint, assignee_id bigint,
      responded_at timestamptz, rectified_by bigint, closed_at timestamptz, recurrence_of bigint,
      arrived_at timestamptz, arrived_by bigint, arrival_distance_m float8, found_on_patrol boolean, fixed_on_spot boolean, version int,
      updated_at timestamptz)
    order by id`
  // Each matter remembers the micro-grid it was reported in (hazards.micro_zone_id, issue #14): the version valid then.
  await tx`
    update hazards h set micro_zone_id = (
      select zh.zone_id from zone_history zh
      where zh.community_id = h.community_id and zh.parent_id is not null and (h.zone_id is null or zh.parent_id = h.zone_id)
        and zh.valid_from <= h.reported_at and (zh.valid_to is null or zh.valid_to > h.reported_at) and ST_Covers(zh.geom, h.geom)
      order by zh.zone_id limit 1)
    where h.community_id = ${communityId}`
  await tx`
    insert into hazard_events (community_id, hazard_id, at, kind, from_status, to_status, from_level, to_level, user_id, by_name, assignee_id, note)
    select ${communityId}, hazard_id, at, kind, from_status, to_status, from_level, to_level, user_id, by_name, assignee_id, note
    from jsonb_to_recordset(${json(eventRows)}::text::jsonb) as r(
      hazard_id bigint, at timestamptz, kind text, from_status text, to_status text, from_level text, to_level text,
      user_id bigint, by_name text, assignee_id bigint, note text)
    order by hazard_id, at`
  ctx.summary.hazards = hazardRows.length
  ctx.summary.hazardEvents = eventRows.length
}

/** Five residential blocks where hazards keep coming back, each with its own usual problem. */
function pickHotSpots(homes: BuildingInfo[], rng: Random): Map<number, Category> {
  const byCompound = new Map<number, BuildingInfo[]>()
  for (const b of homes) {
    const list = byCompound.get(b.compoundId as number) ?? []
    list.push(b)
    byCompound.set(b.compoundId as number, list)
  }
  const compounds = rng.sample([...byCompound.keys()].sort((a, b) => a - b), 5)
  const habits: Category[] = ['flying_wire_charging', 'ebike_indoor', 'corridor_clutter', 'flying_wire_charging', 'fire_lane_blocked']
  const hot = new Map<number, Category>()
  compounds.forEach((c, i) => {
    const candidates = (byCompound.get(c) ?? []).slice().sort((a, b) => b.households - a.households)
    const b = candidates[Math.min(candidates.length - 1, rng.int(0, 2))]
    if (b) hot.set(b.id, habits[i] as Category)
  })
  return hot
}

function planHazard(
  rng: Random,
  reportedAt: number,
  homes: BuildingInfo[],
  others: BuildingInfo[],
  hot: Map<number, Category>,
  fireLanes: KeyPlaceInfo[],
  forceSeverity?: Severity,
  forceLevel?: Level,
): PlannedHazard {
  // The forced ones (the board's open states, the overdue cases) are hazards that stay where they are.
  const type: MatterType = forceSeverity ? 'hazard' : rng.weightedKey(TYPE_WEIGHTS)
  if (type !== 'hazard') {
    const building = rng.weighted(homes, (b) => 1 + Math.sqrt(b.households))
    const category = rng.weightedKey(OTHER_CATEGORY_WEIGHTS[type])
    const severity = rng.weightedKey(OTHER_SEVERITY_WEIGHTS[type])
    return finishPlan(rng, { type, category, severity, building, point: locate(rng, 'other', building, fireLanes), reportedAt, forceLevel })
  }
  let category = rng.weightedKey(CATEGORY_WEIGHTS)
  let building: BuildingInfo
  const hotIds = [...hot.keys()]
  if (hotIds.length > 0 && rng.chance(0.24)) {
    const hotId = rng.pick(hotIds)
    building = homes.find((b) => b.id === hotId) as BuildingInfo
    if (rng.chance(0.7)) category = hot.get(building.id) as Category
  } else if (others.length > 0 && ['facility_aging', 'poor_lighting', 'other', 'fire_lane_blocked'].includes(category) && rng.chance(0.3)) {
    building = rng.pick(others)
  } else {
    building = rng.weighted(homes, (b) => 1 + Math.sqrt(b.households))
  }
  const severity = forceSeverity ?? rng.weightedKey(SEVERITY_WEIGHTS[category])
  return finishPlan(rng, { type, category, severity, building, point: locate(rng, category, building, fireLanes), reportedAt, forceLevel })
}

/**
 * Source, level, escalation and timeline of a planned matter. It starts at the micro-grid (an emergency
 * at the grid); some are escalated once — to the grid mostly, to the street now and then — after someone
 * went on site, and are then due by their new level. With `forceLevel` it stays at that level.
 */
function finishPlan(
  rng: Random,
  m: { type: MatterType; category: string; severity: Severity; building: BuildingInfo; point: XY; reportedAt: number; forceLevel?: Level | undefined },
): PlannedHazard {
  const source = rng.weightedKey(SOURCE_WEIGHTS[m.type])
  const level: Level = m.forceLevel ?? (m.type === 'emergency' ? 'grid' : 'micro_grid')
  let escalateTo: Level | null = null
  if (!m.forceLevel && rng.chance(ESCALATION_CHANCE[m.severity] + ESCALATION_EXTRA[m.type])) {
    escalateTo = level === 'grid' || rng.chance(m.severity === 'critical' ? 0.35 : 0.18) ? 'street' : 'grid'
  }
  const finalLevel = escalateTo ?? level
  return {
    type: m.type,
    category: m.category,
    severity: m.severity,
    source,
    level,
    building: m.building,
    point: m.point,
    reportedAt: m.reportedAt,
    dueAt: m.reportedAt + LEVEL_DAYS[finalLevel] * DAY,
    description: describeMatter(rng, m.type, m.category, m.building.label),
    events: planLifecycle(rng, m.reportedAt, m.reportedAt + LEVEL_DAYS[finalLevel] * DAY, escalateTo && { from: level, to: escalateTo }),
  }
}

/** Where the hazard is: indoors near a wall, outside under a window, on a fire lane, on a path. */
function locate(rng: Random, category: Category, b: BuildingInfo, fireLanes: KeyPlaceInfo[]): XY {
  if (category === 'fire_lane_blocked') {
    const lanes = fireLanes.filter((f) => (b.compoundId !== null && f.compoundId === b.compoundId) || distance(f.points[0] as XY, b.centroid) < 150)
    if (lanes.length > 0) {
      const lane = rng.pick(lanes).points
      const p = pointAlong(lane, rng.float(0, lineLength(lane)))
      return [p[0] + rng.gaussian(1.5), p[1] + rng.gaussian(1.5)]
    }
  }
  const ring = largestRing(b)
  const i = rng.int(0, ring.length - 2)
  const a = ring[i] as XY
  const c = ring[i + 1] as XY
  const len = Math.max(0.01, distance(a, c))
  const base = lerp(a, c, rng.float(0.15, 0.85))
  const sign = ringArea(ring) > 0 ? 1 : -1
  const out: XY = [(sign * (c[1] - a[1])) / len, (-sign * (c[0] - a[0])) / len]
  const indoor = category === 'ebike_indoor' || category === 'corridor_clutter'
  const offset = indoor ? -rng.float(1.5, 3.5) : category === 'poor_lighting' ? rng.float(6, 14) : rng.float(1, 5)
  const p: XY = [base[0] + out[0] * offset, base[1] + out[1] * offset]
  if (indoor && !pointInPolygons(p, b.footprint)) return base
  if (!indoor && distanceToPolygons(p, b.footprint) === 0) return base
  return p
}

function largestRing(b: BuildingInfo): XY[] {
  let best: XY[] = []
  for (const polygon of b.footprint) {
    const ring = polygon[0] ?? []
    if (Math.abs(ringArea(ring)) > Math.abs(ringArea(best))) best = ring
  }
  return best
}

/** The timeline of one hazard (times may run past now; the caller cuts them off). */
function planLifecycle(rng: Random, reportedAt: number, dueAt: number, escalate: { from: Level; to: Level } | null): PlannedEvent[] {
  const note = (to: Status): string | null => rng.pick(EVENT_NOTES[to] ?? [''])
  const events: PlannedEvent[] = [{ at: reportedAt, to: 'reported', actor: 'patrol', note: null }]
  let t = reportedAt + rng.float(0.5, 4) * MINUTE
  const push = (at: number, to: Status, actor: PlannedEvent['actor']): void => {
    t = Math.max(at, t + 30_000)
    events.push({ at: Math.round(t / 1000) * 1000, to, actor, note: note(to) })
  }
  // A few reports turn out not to be hazards.
  if (rng.chance(0.04)) {
    if (rng.chance(0.3)) push(reportedAt + rng.float(5, 90) * MINUTE, 'rejected', 'command')
    else {
      push(t, 'dispatched', 'command')
      push(t + rng.float(10, 240) * MINUTE, 'rejected', 'leader')
    }
    return events
  }
  push(t, 'dispatched', 'command')
  // Response: most within the 7-minute target, some late.
  const respondAt = rng.chance(0.84) ? reportedAt + rng.float(2, 6.8) * MINUTE : reportedAt + rng.float(8, 180) * MINUTE
  push(respondAt, 'rectifying', 'patrol')
  if (escalate) {
    // On site, the micro-grid finds it cannot settle the matter alone: escalated within hours.
    push(t + rng.float(0.3, 6) * HOUR, 'rectifying', rng.chance(0.5) ? 'leader' : 'command')
    const e = events[events.length - 1]!
    e.escalate = escalate
    e.note = rng.pick(ESCALATION_NOTES)
  }
  const sla = dueAt - reportedAt
  const onTime = rng.chance(0.89)
  const closeAt = onTime ? reportedAt + sla * rng.float(0.12, 0.92) : dueAt + Math.max(2 * HOUR, sla * rng.float(0.05, 0.9))
  const window = closeAt - t
  if (rng.chance(0.08) && window > 3 * HOUR) {
    // Reopened at recheck, handled again.
    const first = t + window * rng.float(0.2, 0.35)
    push(first, 'rectified', 'patrol')
    push(first + rng.float(0.5, 0.25 * window / HOUR) * HOUR, 'reopened', 'leader')
    push(t + rng.float(2, 20) * MINUTE, 'dispatched', 'command')
    push(t + rng.float(5, 60) * MINUTE, 'rectifying', 'patrol')
  }
  push(Math.max(t + 10 * MINUTE, closeAt - rng.float(0.3, Math.min(8, Math.max(0.4, (closeAt - t) / HOUR * 0.5))) * HOUR), 'rectified', 'patrol')
  push(Math.max(t + 5 * MINUTE, closeAt), 'verified', 'leader')
  return events
}

/**
 * Cut a planned hazard's timeline right after it reaches `state` (it stays open there). When that
 * would lie after `now`, the kept events are squeezed proportionally into [reportedAt, now - 1 min].
 */
function stopAt(h: PlannedHazard, state: Status, now: number): PlannedHazard {
  const index = h.events.findIndex((e) => e.to === state)
  h.events = h.events.slice(0, index >= 0 ? index + 1 : 1)
  const last = h.events[h.events.length - 1] as PlannedEvent
  const limit = now - MINUTE
  if (last.at > limit && last.at > h.reportedAt) {
    const scale = (limit - h.reportedAt) / (last.at - h.reportedAt)
    for (const e of h.events) e.at = Math.round((h.reportedAt + (e.at - h.reportedAt) * scale) / 1000) * 1000
  }
  return h
}
