/**
 * The tabs of the administration page (`/admin`). Each domain adds its panel here as one entry:
 * the roster, accounts, partner units, alert channels, a new community… The page shows the tabs the
 * signed-in role may use, in this order.
 */
import type { Component } from 'vue'
import type { Permission } from '../../domain/permissions.ts'

/** One tab of the administration page. */
export interface AdminTab {
  /** The tab's id, also its `?tab=` value. */
  id: string
  /** Its title in both languages. */
  title: { zh: string; en: string }
  /** The permission needed to see it. */
  permission: Permission
  /** The panel, loaded when the tab is first opened. */
  component: () => Promise<Component | { default: Component }>
}

/** Every tab, in display order. */
export const ADMIN_TABS: AdminTab[] = [
  // Alerts to the work groups' robots (告警推送, issue #14).
  { id: 'alerts', title: { zh: '告警推送', en: 'Alerts' }, permission: 'manageAlerts', component: () => import('../alerts/AlertChannelsPanel.vue') },
]

// The roster, accounts and a new community from its own data (issue 16).
ADMIN_TABS.push(
  { id: 'roster', title: { zh: '花名册', en: 'Roster' }, permission: 'manageRoster', component: () => import('../roster/RosterPanel.vue') },
  { id: 'accounts', title: { zh: '账号', en: 'Accounts' }, permission: 'manageUsers', component: () => import('./AccountsPanel.vue') },
  // Partner units (共建单位, issue #14).
  { id: 'units', title: { zh: '共建单位', en: 'Partner units' }, permission: 'manageUnits', component: () => import('./UnitsPanel.vue') },
  { id: 'new-community', title: { zh: '新建社区', en: 'New community' }, permission: 'manageCommunities', component: () => import('./NewCommunityPanel.vue') },
)

// Points rules and redemptions (积分, issue 17).
ADMIN_TABS.push({ id: 'points', title: { zh: '积分', en: 'Points' }, permission: 'redeemPoints', component: () => import('./PointsPanel.vue') })

// Targets a community is measured against (目标值, issue 19.8).
ADMIN_TABS.push({ id: 'targets', title: { zh: '目标值', en: 'Targets' }, permission: 'manageCommunities', component: () => import('./TargetsPanel.vue') })
