/**
 * The vocabulary of the organisation shared by the server and the web app: teams, partner units,
 * patrol plans and care visits. Pure: no I/O.
 */

/** The six standard kinds of team (一队多能); a team may also carry a custom name. */
export const TEAM_KINDS = ['patrol', 'mediation', 'publicity', 'school_traffic', 'emergency', 'information'] as const
export type TeamKind = (typeof TEAM_KINDS)[number]

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
