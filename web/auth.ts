/**
 * Signing in and out, wired to the router:
 *
 * - every route but the public ones needs a session (checked once with `GET /api/auth/me`);
 *   otherwise the sign-in page opens with `?redirect=` back to where the user was going;
 * - a 401 from any request while signed in (the session expired or was revoked) opens the
 *   sign-in page with `?expired=1&redirect=<where the user was>`; drafts stay in the drafts store,
 *   so after signing in again the user finds the form as they left it;
 * - each role lands where it works (nav.ts `homePathFor`: planner → /planner, leader → /leader, patrol →
 *   /patrol, command and admin → the command centre); a view the role may not use sends it home.
 */
import type { LocationQueryValue, RouteLocationRaw, Router } from 'vue-router'
import { onUnauthorized } from './api/client.ts'
import { rosterApi } from './api/roster.ts'
import type { SessionUser } from './api/types.ts'
import { can } from './domain/permissions.ts'
import { homePathFor } from './nav.ts'
import { useDraftsStore } from './stores/drafts.ts'
import { useHazardDetailStore } from './stores/hazard-detail.ts'
import { useHazardFiltersStore } from './stores/hazard-filters.ts'
import { useHazardsStore } from './stores/hazards.ts'
import { useLayersStore } from './stores/layers.ts'
import { useLiveStore } from './stores/live.ts'
import { usePeopleStore } from './stores/people.ts'
import { useReplayStore } from './stores/replay.ts'
import { useSessionStore } from './stores/session.ts'

/** A same-app path to go back to after signing in, or null when `value` is not one. */
export function safeRedirect(value: LocationQueryValue | LocationQueryValue[] | undefined): string | null {
  const path = Array.isArray(value) ? value[0] : value
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return null
  if (path === '/login' || path.startsWith('/login?')) return null
  return path
}

/** Drops every piece of a user's data from memory (the stream included). Drafts are separate. */
export function resetUserData(): void {
  useLiveStore().disconnect()
  useReplayStore().exit()
  useHazardDetailStore().clear()
  useHazardsStore().clear()
  useHazardFiltersStore().reset()
  useLayersStore().clear()
  usePeopleStore().clear()
}

/**
 * After a successful sign-in: hand the drafts to this user (dropped if they were someone
 * else's) and return where to go — the page the user was sent away from, or their home.
 */
export function afterSignIn(router: Router, user: SessionUser, redirect: string | null): RouteLocationRaw {
  const session = useSessionStore()
  const drafts = useDraftsStore()
  if (session.expiredUserId !== null && session.expiredUserId !== String(user.id)) resetUserData()
  drafts.claim(String(user.id))
  if (user.mustChangePassword) return { name: 'password', query: redirect ? { redirect } : {} }
  if (redirect) {
    const target = router.resolve(redirect)
    const permission = target.meta.permission
    const allowed = target.name !== 'not-found' && (!permission || can(user.role, permission))
    if (allowed) return redirect
  }
  return homePathFor(user.role)
}

/** Signs out on purpose: ends the session, forgets drafts and data, opens the sign-in page. */
export async function signOut(router: Router): Promise<void> {
  const session = useSessionStore()
  await session.logout()
  useDraftsStore().release()
  resetUserData()
  await router.push({ name: 'login' })
}

let setUp = false
/** Whether the server has no admin yet (once it has one, not asked again this page load; false when it cannot be asked). */
async function needsSetup(): Promise<boolean> {
  if (setUp) return false
  const needs = await rosterApi.setupState().then(
    (s) => s.needsAdmin,
    () => false,
  )
  if (!needs) setUp = true
  return needs
}

/** Installs the route guards and the 401 handler. */
export function installAuth(router: Router): void {
  const session = useSessionStore()

  router.beforeEach(async (to) => {
    try {
      await session.ensureSession()
    } catch {
      // Server unreachable: the sign-in page says so when the user tries.
    }
    if (to.meta.public) {
      // An empty database: the first admin is created in the browser (no default password).
      if (to.name === 'login' && !session.signedIn && (await needsSetup())) return { name: 'setup' }
      if (to.name === 'login' && session.signedIn && session.user) {
        return afterSignIn(router, session.user, safeRedirect(to.query.redirect))
      }
      return true
    }
    if (!session.signedIn || !session.user) {
      return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
    }
    if (session.user.mustChangePassword && to.name !== 'password') return { name: 'password', query: { redirect: to.fullPath } }
    // A partner unit's account has its workbench only (issue #14): the server refuses it everything else.
    if (session.user.role === 'partner' && !['partner', 'password'].includes(String(to.name))) return { path: '/partner' }
    if (to.meta.permission && !can(session.user.role, to.meta.permission)) return homePathFor(session.user.role)
    return true
  })

  onUnauthorized(() => {
    if (!session.signedIn) return
    session.expire()
    useLiveStore().disconnect()
    const current = router.currentRoute.value
    if (current.name === 'login') return
    void router.push({ name: 'login', query: { expired: '1', redirect: current.fullPath } })
  })
}
