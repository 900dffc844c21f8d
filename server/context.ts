import type { AlertSettings } from './alerts/config.ts'
import type { SessionCache } from './auth/session-cache.ts'
import type { BasemapConfig } from './basemap.ts'
import type { TileCache } from './cache/tile-cache.ts'
import type { Sql, DatabaseKind } from './db/connect.ts'
import type { LiveHub } from './live/hub.ts'
import type { NetworkConfig } from './http.ts'
import type { SignInThrottle } from './auth/throttle.ts'
import type { SessionUser } from './queries/users.ts'
import type { JobRunner } from './jobs/community-import.ts'

/** What the app needs from the outside: the database, and optionally where the built web app is. */
export interface AppDeps {
  sql: Sql
  /** Which database this is; reported by `/api/health`. Defaults to 'postgres'. */
  databaseKind?: DatabaseKind
  /** Folder of the built web app (`dist/`); when set, the app serves it with an SPA fallback. */
  webRoot?: string | undefined
  /** The live-event hub (`GET /api/live`); createApp makes one per app when absent. */
  live?: LiveHub
  /** The operator's base map; read from the environment (BASEMAP_URL …) when absent. */
  basemap?: BasemapConfig | null
  /** Background jobs (a new community from its files); createApp makes one per app when absent. */
  jobs?: JobRunner
  /**
   * The first-admin setup token printed on the console while no admin exists: with it, `POST /api/setup`
   * works from any address; without it, only from loopback.
   */
  setupToken?: string | undefined
  /** How alerts are delivered (address rules, public URL, timeouts); read from the environment when absent. */
  alerts?: AlertSettings
  /** Proxy trust, public URL and allowed hosts; read from the environment (TRUST_PROXY …) when absent. */
  network?: NetworkConfig
  /** The sign-in throttle; createApp makes one per app when absent. */
  signIn?: SignInThrottle
  /** Sessions remembered for a few seconds; createApp makes one per app when absent. */
  sessions?: SessionCache
  /** Rendered tiles; createApp makes one per app when absent. */
  tileCache?: TileCache
}

/** Hono environment of every route: dependencies in `c.var`. */
export interface AppEnv {
  Variables: {
    sql: Sql
    databaseKind: DatabaseKind
    /** The app's live-event hub: publish after a committed write. */
    live: LiveHub
    /** The app's background jobs. */
    jobs: JobRunner
    /** How alerts are delivered (the alert channels' test and URL checks). */
    alerts: AlertSettings
    /** How the server sits on the network (proxy trust, public URL). */
    network: NetworkConfig
    /** The one sign-in throttle (login form and HTTP Basic). */
    signIn: SignInThrottle
    /** Communities the caller may see; null = all. */
    communityIds: number[] | null
    /** The signed-in user (set by `authenticate`). */
    user: SessionUser
    /** The session token of this request. */
    token: string
    /** The session's CSRF token, for the web client after a reload. */
    csrfToken: string
    /** The app's session cache (logout forgets the session there). */
    sessions: SessionCache
    /** The app's tile cache. */
    tileCache: TileCache
    /** This request is a download (`?format=`, server/export/middleware.ts): lists answer every row, unpaged. */
    exporting: boolean
  }
}
