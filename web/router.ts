/**
 * The app's routes: `/login`, `/` (command centre), `/planner`, `/leader`, `/report` (the desktop report
 * form), `/reports`, `/admin`, `/patrol` (the phone view). Every route but `/login` needs a signed-in user
 * and the permission in its meta (the same as nav.ts); the guards live in `auth.ts`.
 */
import { createRouter, createWebHistory, type Router } from 'vue-router'
import type { MessageKey } from './i18n/index.ts'
import type { Permission } from './domain/permissions.ts'

declare module 'vue-router' {
  interface RouteMeta {
    /** Open without signing in. */
    public?: boolean
    /** Permission the route needs (mirrors the server's roles). */
    permission?: Permission
    /** Tab title after the app name. */
    title?: MessageKey
  }
}

/** Creates the app's router (HTML5 history; the server answers every path with index.html). */
export function createAppRouter(): Router {
  return createRouter({
    history: createWebHistory(),
    routes: [
      {
        path: '/login',
        name: 'login',
        component: () => import('./views/LoginView.vue'),
        meta: { public: true, title: 'login.title' },
      },
      {
        path: '/',
        name: 'command',
        component: () => import('./views/CommandCenterView.vue'),
        meta: { permission: 'commandCentre', title: 'app.commandCenter' },
      },
      {
        path: '/patrol',
        name: 'patrol',
        component: () => import('./views/PatrolView.vue'),
        meta: { permission: 'report', title: 'patrol.title' },
      },
      {
        path: '/planner',
        name: 'planner',
        component: () => import('./views/PlannerView.vue'),
        meta: { permission: 'editZones', title: 'planner.title' },
      },
      // `/report` is public (issue 15): residents report from a poster's QR code (`?place=`) without signing in;
      // a signed-in member without a place gets the desktop report form (views/ReportEntryView.vue).
      { path: '/report', name: 'report', component: () => import('./views/ReportEntryView.vue'), meta: { public: true, title: 'header.report' } },
      // A resident's report by its tracking code: progress, answer, rating (no sign-in).
      { path: '/public/summary', name: 'public-summary', component: () => import('./views/PublicSummaryView.vue'), meta: { public: true } },
      { path: '/r/:code', name: 'track-report', component: () => import('./views/TrackReportView.vue'), meta: { public: true } },
      // Patrol coverage (issue 6): the leader view, the phone check-in page a QR code opens, the printable QR sheet.
      { path: '/leader', name: 'leader', component: () => import('./views/LeaderView.vue'), meta: { permission: 'readTracks' } },
      { path: '/patrol/checkin', name: 'checkin', component: () => import('./views/CheckinView.vue'), meta: { permission: 'report' } },
      // Residents' posters (扫码上报, issue 15): one A4 page per compound and building with its report QR code.
      { path: '/print/posters', name: 'print-posters', component: () => import('./views/PrintPostersView.vue'), meta: { permission: 'printCodes' } },
      { path: '/print/qr', name: 'print-qr', component: () => import('./views/PrintQrView.vue'), meta: { permission: 'printCodes' } },
      // A partner unit's workbench (共建单位, issue #14): the matters handed to its unit.
      { path: '/partner', name: 'partner', component: () => import('./views/PartnerView.vue'), meta: { permission: 'rectify' } },
      // Reports and exports (issue 9): the printable day / week / month reports and their downloads.
      { path: '/hotline', name: 'hotline', component: () => import('./views/HotlineImportView.vue'), meta: { permission: 'importHotline' } },
      { path: '/reports', name: 'reports', component: () => import('./views/ReportsView.vue') },
      // Administration: roster, accounts, partner units, alert channels, a new community (tabs in components/admin/admin-tabs.ts).
      { path: '/admin', name: 'admin', component: () => import('./views/AdminView.vue'), meta: { permission: 'manageRoster' } },
      // The first start without the demo, and a user's own password (issue 16).
      { path: '/setup', name: 'setup', component: () => import('./views/SetupView.vue'), meta: { public: true } },
      { path: '/account/password', name: 'password', component: () => import('./views/ChangePasswordView.vue') },
      { path: '/index.html', redirect: '/' },
      {
        path: '/:pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./components/layout/NotFound.vue'),
        meta: { public: true, title: 'notFound.title' },
      },
    ],
  })
}
