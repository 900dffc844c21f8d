/**
 * The vocabulary of the organisation shared by the server and the web app: teams, partner units,
 * patrol plans and care visits. Pure: no I/O.
 */
import type { MatterType } from './matters.ts'

/** The six standard kinds of team (一队多能); a team may also carry a custom name. */
export const TEAM_KINDS = ['patrol', 'mediation', 'publicity', 'school_traffic', 'emergency', 'information'] as const
export type TeamKind = (typeof TEAM_KINDS)[number]

/** A team of another kind carries this kind and its own kind name (`kindLabel`). */
export const TEAM_KIND_CUSTOM = 'custom'
/** Every kind a team may have: the six standard ones and `custom`. */
export const TEAM_KINDS_ANY = [...TEAM_KINDS, TEAM_KIND_CUSTOM] as const
export type AnyTeamKind = (typeof TEAM_KINDS_ANY)[number]

/**
 * The kind of matter each standard team works on (金槐义警: 一队多能): what its members report first.
 * Patrol and school-traffic teams find hazards, mediation disputes, publicity hears opinions, the
 * emergency team meets emergencies, information collects security leads.
 */
export const TEAM_KIND_MATTER_TYPE: Record<TeamKind, MatterType> = {
  patrol: 'hazard',
  mediation: 'dispute',
  publicity: 'information',
  school_traffic: 'hazard',
  emergency: 'emergency',
  information: 'lead',
}

/** The kind of matter a member of these teams reports first: the first standard team's (in {@link TEAM_KINDS} order), else hazard. */
export function firstMatterType(teamKinds: readonly string[]): MatterType {
  const kind = TEAM_KINDS.find((k) => teamKinds.includes(k))
  return kind ? TEAM_KIND_MATTER_TYPE[kind] : 'hazard'
}

/** Chinese names of the standard team kinds (the roster template and the web app). */
export const TEAM_KIND_NAMES: Record<TeamKind, { zh: string; en: string }> = {
  patrol: { zh: '巡逻队', en: 'Patrol' },
  mediation: { zh: '调解队', en: 'Mediation' },
  publicity: { zh: '宣传队', en: 'Publicity' },
  school_traffic: { zh: '护学队', en: 'School traffic' },
  emergency: { zh: '应急队', en: 'Emergency' },
  information: { zh: '信息员队', en: 'Information' },
}

/**
 * The columns of the roster workbook (`GET /api/people?format=xlsx`, `POST /api/people/import`), in order:
 * the key the server reads and the header shown (Chinese / English). Only `name` is required.
 */
export const ROSTER_COLUMNS = [
  { key: 'id', zh: '编号', en: 'ID' },
  { key: 'name', zh: '姓名', en: 'Name' },
  { key: 'phone', zh: '手机', en: 'Phone' },
  { key: 'title', zh: '职务', en: 'Title' },
  { key: 'teams', zh: '队伍', en: 'Teams' },
  { key: 'posts', zh: '岗位', en: 'Posts' },
  { key: 'joinedOn', zh: '入队日期', en: 'Joined on' },
  { key: 'leftOn', zh: '离队日期', en: 'Left on' },
  { key: 'active', zh: '在岗', en: 'Active' },
] as const
export type RosterColumn = (typeof ROSTER_COLUMNS)[number]['key']

/** Separators accepted between several teams or posts in one roster cell: 、 , ， ; ； / and line breaks. */
export const LIST_SEPARATOR = /[、,，;；/\n]+/

/** Most rows one roster upload may hold. */
export const ROSTER_MAX_ROWS = 5000

/** Kinds of partner units (共建单位). */
export const UNIT_KINDS = ['property', 'owners_committee', 'police', 'fire', 'enforcement', 'utility', 'other'] as const
export type UnitKind = (typeof UNIT_KINDS)[number]

/** Kinds of patrol plans (巡查计划). */
export const PLAN_TYPES = ['routine', 'night_special', 'joint', 'school_gate', 'event'] as const
export type PlanType = (typeof PLAN_TYPES)[number]

/** Groups of households under care (关爱对象). */
export const CARE_GROUPS = ['elderly_alone', 'empty_nest', 'disabled', 'hardship', 'other'] as const
export type CareGroup = (typeof CARE_GROUPS)[number]

/** Ratings a resident gives a closed matter (满意度). */
export const RATINGS = ['satisfied', 'basically', 'unsatisfied'] as const
export type Rating = (typeof RATINGS)[number]

/** Kinds of key places (重点部位); the database refuses any other. */
export const KEY_PLACE_KINDS = ['entrance', 'garage', 'fire_lane', 'charging_shed', 'shop', 'other'] as const
export type KeyPlaceKind = (typeof KEY_PLACE_KINDS)[number]
