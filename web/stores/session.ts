/**
 * Session store: who is signed in (user, role, the session's CSRF token) and which community
 * they are looking at.
 *
 * The session itself is the HttpOnly `sg_session` cookie the server sets at sign-in; this store
 * keeps what the page may know: the user from `GET /api/auth/me` and the CSRF token, which it
 * hands to the API client for every write. When a request answers 401 while the user works,
 * {@link expire} marks the session expired (the router then shows the sign-in page and brings
 * the user back afterwards; drafts survive in the drafts store).
 */
import { bbox as turfBbox } from '@turf/turf'
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { api, ApiError, apiRequest, isAbortError, setCsrfToken, toApiError } from '../api/client.ts'
import {
  emptyCollection,
  type BBox,
  type CommunityCollection,
  type CommunityFeature,
  type FeatureId,
  type MeResponse,
  type SessionUser,
} from '../api/types.ts'
import { can, type Permission } from '../domain/permissions.ts'
import type { LoadStatus } from './load-status.ts'

const COMMUNITY_STORAGE_KEY = 'safegrid.communityId'
/**
 * The last signed-in user (no token: the session is the HttpOnly cookie), so a phone that opens
 * the app without a network (the installed patrol app in a basement) still knows who it is and can
 * queue work; the session is checked with the server as soon as it answers again.
 */
const LAST_USER_STORAGE_KEY = 'safegrid.lastUser'
/** Cache Storage of the service worker's harmless API answers (see scripts/pwa-config.ts); dropped at sign-out. */
const API_CACHE_NAME = 'sg-api'

function readLastUser(): SessionUser | null {
  try {
    const raw = globalThis.localStorage?.getItem(LAST_USER_STORAGE_KEY)
    const parsed = raw ? (JSON.parse(raw) as SessionUser) : null
    return parsed && parsed.id !== undefined && typeof parsed.role === 'string' ? parsed : null
  } catch {
    return null
  }
}

function writeLastUser(user: SessionUser | null): void {
  try {
    if (user) globalThis.localStorage?.setItem(LAST_USER_STORAGE_KEY, JSON.stringify(user))
    else globalThis.localStorage?.removeItem(LAST_USER_STORAGE_KEY)
  } catch {
    // Not remembered: offline start then needs the network to sign in.
  }
}

function readStoredCommunityId(): string | null {
  try {
    return globalThis.localStorage?.getItem(COMMUNITY_STORAGE_KEY) ?? null
  } catch {
    return null
  }
}

/** Where the sign-in stands: `unknown` until the first `GET /api/auth/me` answered. */
export type AuthState = 'unknown' | 'signed-in' | 'signed-out'

/** The session store (`useSessionStore()`). */
export const useSessionStore = defineStore('session', () => {
  const user = shallowRef<SessionUser | null>(null)
  /** Kinds of the signed-in user's teams (`GET /api/auth/me`), for the kind of matter the phone offers first. */
  const teamKinds = ref<string[]>([])
  const authState = ref<AuthState>('unknown')
  /** The last sign-out was an expired session (not the user's choice): the sign-in page says so. */
  const expired = ref(false)
  /** The id of the user whose session expired, so a different user does not inherit their drafts. */
  const expiredUserId = ref<string | null>(null)
  /** Their username, to fill in on the sign-in page. */
  const expiredUsername = ref<string | null>(null)

  const communities = shallowRef<CommunityCollection>(emptyCollection())
  const communityId = ref<FeatureId | null>(null)
  const status = ref<LoadStatus>('idle')
  const error = shallowRef<ApiError | null>(null)
  let controller: AbortController | null = null
  let checking: Promise<void> | null = null

  const role = computed(() => user.value?.role ?? null)
  const signedIn = computed(() => authState.value === 'signed-in' && user.value !== null)
  /**
   * False while the user was restored from this phone's memory without the server (offline start):
   * no CSRF token yet, so writes wait for {@link revalidate}.
   */
  const verified = ref(false)

  /** Whether the signed-in user holds `permission` (mirrors the server's roles). */
  function allows(permission: Permission): boolean {
    return can(role.value, permission)
  }

  function setSignedIn(me: SessionUser, csrf: string, kinds?: readonly string[]): void {
    user.value = me
    if (kinds) teamKinds.value = [...kinds]
    setCsrfToken(csrf)
    authState.value = 'signed-in'
    expired.value = false
    verified.value = true
    writeLastUser(me)
  }

  function setSignedOut(): void {
    user.value = null
    setCsrfToken(null)
    authState.value = 'signed-out'
    verified.value = false
    communities.value = emptyCollection()
    status.value = 'idle'
    error.value = null
  }

  /**
   * Asks the server who is signed in (once; later calls wait for the same answer). A network
   * failure leaves the state `unknown` and rethrows, so the caller can show "server unreachable".
   */
  function ensureSession(): Promise<void> {
    if (authState.value !== 'unknown') return Promise.resolve()
    checking ??= (async () => {
      try {
        const me = await api.me()
        setSignedIn(me.user, me.csrfToken, me.teamKinds)
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          writeLastUser(null)
          setSignedOut()
        } else {
          const e = toApiError(err)
          const last = e.unreachable ? readLastUser() : null
          if (!last) throw e
          // No network: carry on as the last user; writes are queued and wait for the server.
          user.value = last
          authState.value = 'signed-in'
          verified.value = false
        }
      } finally {
        checking = null
      }
    })()
    return checking
  }

  /**
   * Signs in: the server sets the session cookie; the full user (communities, person) and the
   * CSRF token come from `GET /api/auth/me` right after.
   *
   * @throws {@link ApiError} 401 for a wrong username or password, 429 when throttled.
   */
  async function login(username: string, password: string): Promise<SessionUser> {
    const answer = await api.login(username, password)
    setCsrfToken(answer.csrfToken)
    let me: SessionUser = { personId: null, ...answer.user }
    let csrf = answer.csrfToken
    let kinds: string[] | undefined
    try {
      const full = await api.me()
      me = full.user
      csrf = full.csrfToken
      kinds = full.teamKinds
    } catch {
      // The sign-in worked; the details can wait for the next `me`.
    }
    setSignedIn(me, csrf, kinds)
    return me
  }

  /**
   * Makes sure the server knows the session and the CSRF token is current (after an offline
   * start, or with `force` after a CSRF refusal). A 401 goes through the app's unauthorized
   * handler (sign in again; queued work stays queued).
   *
   * @throws {@link ApiError} when the server cannot be reached or the session is over.
   */
  async function revalidate(force = false): Promise<void> {
    if (verified.value && !force) return
    const me = await apiRequest<MeResponse>('/api/auth/me')
    setSignedIn(me.user, me.csrfToken, me.teamKinds)
  }

  /** Signs out at the server (best effort) and forgets the user. */
  async function logout(): Promise<void> {
    try {
      await api.logout()
    } catch {
      // Signed out here either way; the cookie expires on its own.
    }
    expired.value = false
    expiredUserId.value = null
    expiredUsername.value = null
    writeLastUser(null)
    try {
      await globalThis.caches?.delete(API_CACHE_NAME)
    } catch {
      // No Cache Storage here.
    }
    setSignedOut()
  }

  /** Marks the session expired after a 401 from a request made while signed in. */
  function expire(): void {
    if (authState.value !== 'signed-in') return
    expiredUserId.value = user.value ? String(user.value.id) : null
    expiredUsername.value = user.value?.username ?? null
    expired.value = true
    writeLastUser(null)
    setSignedOut()
  }

  /** The selected community, or `null` when none exists. */
  const community = computed<CommunityFeature | null>(
    () => communities.value.features.find((f) => String(f.id) === String(communityId.value)) ?? null,
  )

  /** The selected community's bounding box, for fitting the map and filtering requests. */
  const communityBounds = computed<BBox | null>(() => {
    const feature = community.value
    if (!feature?.geometry) return null
    const [minX, minY, maxX, maxY] = turfBbox(feature.geometry)
    return [minX, minY, maxX, maxY]
  })

  /** Selects a community by id and remembers the choice. */
  function selectCommunity(id: FeatureId): void {
    communityId.value = id
    try {
      globalThis.localStorage?.setItem(COMMUNITY_STORAGE_KEY, String(id))
    } catch {
      // Not remembered; still selected for this page.
    }
  }

  /** Loads the community list; picks the remembered community or the first one. */
  async function load(): Promise<void> {
    controller?.abort()
    const ctrl = new AbortController()
    controller = ctrl
    status.value = 'loading'
    error.value = null
    try {
      const list = await api.communities(ctrl.signal)
      communities.value = list
      const remembered = readStoredCommunityId()
      const pick =
        list.features.find((f) => String(f.id) === remembered) ??
        list.features.find((f) => String(f.id) === String(communityId.value)) ??
        list.features[0]
      communityId.value = pick?.id ?? null
      status.value = 'ready'
    } catch (err) {
      if (isAbortError(err) || controller !== ctrl) return
      error.value = toApiError(err)
      status.value = 'error'
    } finally {
      if (controller === ctrl) controller = null
    }
  }

  return {
    user,
    teamKinds,
    role,
    authState,
    signedIn,
    verified,
    revalidate,
    expired,
    expiredUserId,
    expiredUsername,
    allows,
    ensureSession,
    login,
    logout,
    expire,
    communities,
    communityId,
    community,
    communityBounds,
    status,
    error,
    load,
    selectCommunity,
  }
})
