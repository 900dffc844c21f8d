import { createHash, randomBytes } from 'node:crypto'
import type { Sql } from '../db/connect.ts'
import type { Role } from '../../core/roles.ts'

/** A signed-in user as the server sees it. */
export interface SessionUser {
  id: number
  username: string
  name: string
  role: Role
  personId: number | null
  districtId: number | null
  /** A partner account's unit (共建单位); null for every other role. */
  unitId: number | null
  /** Communities the user may see and act in; null = every community (an admin without a district). A partner: its unit's communities. */
  communityIds: number[] | null
  /** The account must choose a new password before anything else (first sign-in, after a reset). */
  mustChangePassword: boolean
}

/** A user row with its password hash, for sign-in. */
export interface UserWithHash {
  id: number
  username: string
  name: string
  role: Role
  passwordHash: string
  disabled: boolean
  mustChangePassword: boolean
}

/** How long a session lives without use. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000

/** sha256 of a token: what the sessions table keys on (a leaked table holds no usable tokens). */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url')

/** Find a user by username for sign-in (case-insensitively: `Admin` is `admin`). */
export async function findUserForLogin(sql: Sql, username: string): Promise<UserWithHash | undefined> {
  const [row] = await sql<UserWithHash[]>`
    select id, username, name, role, password_hash as "passwordHash", disabled, must_change_password as "mustChangePassword"
    from users where lower(username) = lower(${username.trim()})`
  return row
}

/** Create a session; returns the bearer token (shown once) and the CSRF token. */
export async function createSession(sql: Sql, userId: number, ttlMs = SESSION_TTL_MS): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url')
  const csrfToken = randomBytes(24).toString('base64url')
  const expiresAt = new Date(Date.now() + ttlMs)
  await sql`insert into sessions (token_hash, user_id, csrf_token, expires_at)
            values (${hashToken(token)}, ${userId}, ${csrfToken}, ${expiresAt})`
  return { token, csrfToken, expiresAt }
}

type ScopedRow = Omit<SessionUser, 'communityIds'> & { communityIds: number[] | null; allCommunities: boolean }

/** The columns of a {@link SessionUser} over alias `u`, with the communities the user may see. */
const userColumns = (sql: Sql) => sql`
  u.id, u.username, u.name, u.role, u.person_id as "personId", u.district_id as "districtId",
  u.must_change_password as "mustChangePassword", u.unit_id::int as "unitId",
  (u.role = 'admin' and u.district_id is null) as "allCommunities",
  case
    when u.role = 'partner'
      then array(select pc.community_id from partner_unit_communities pc join partner_units pu on pu.id = pc.unit_id
                 where pc.unit_id = u.unit_id and pu.active)
    when u.role = 'admin' and u.district_id is not null
      then array(select c.id from communities c where c.district_id = u.district_id
                 union select uc.community_id from user_communities uc where uc.user_id = u.id)
    else array(select uc.community_id from user_communities uc where uc.user_id = u.id)
  end as "communityIds"`

const toSessionUser = ({ allCommunities, ...user }: ScopedRow): SessionUser => ({
  ...user,
  communityIds: allCommunities ? null : (user.communityIds ?? []).map(Number),
})

/** The user behind a live session token, with its CSRF token; undefined when unknown, expired or revoked. */
export async function sessionUser(sql: Sql, token: string): Promise<{ user: SessionUser; csrfToken: string; expiresAt: Date } | undefined> {
  const [row] = await sql<(ScopedRow & { csrfToken: string; expiresAt: Date })[]>`
    select ${userColumns(sql)}, s.csrf_token as "csrfToken", s.expires_at as "expiresAt"
    from sessions s join users u on u.id = s.user_id
    where s.token_hash = ${hashToken(token)} and s.revoked_at is null and s.expires_at > now() and not u.disabled`
  if (!row) return undefined
  const { csrfToken, expiresAt, ...user } = row
  return { user: toSessionUser(user), csrfToken, expiresAt }
}

/** An enabled user by id as a {@link SessionUser} (HTTP Basic sign-in), or undefined. */
export async function userById(sql: Sql, id: number): Promise<SessionUser | undefined> {
  const [row] = await sql<ScopedRow[]>`select ${userColumns(sql)} from users u where u.id = ${id} and not u.disabled`
  return row ? toSessionUser(row) : undefined
}

/** Whether a session expiring at `expiresAt` is due for a sliding-expiry push (at most once a minute). */
export const needsTouch = (expiresAt: Date, ttlMs = SESSION_TTL_MS): boolean => expiresAt.getTime() < Date.now() + ttlMs - 60_000

/** Push a session's expiry forward on use (sliding expiry), at most once a minute. */
export async function touchSession(sql: Sql, token: string, ttlMs = SESSION_TTL_MS): Promise<void> {
  await sql`update sessions set expires_at = ${new Date(Date.now() + ttlMs)}
            where token_hash = ${hashToken(token)} and expires_at < ${new Date(Date.now() + ttlMs - 60_000)}`
}

/** Of these session hashes, those no longer valid: revoked, expired, unknown, or of a disabled user. */
export async function deadSessions(sql: Sql, sessions: readonly string[]): Promise<string[]> {
  if (sessions.length === 0) return []
  const alive = await sql<{ tokenHash: string }[]>`
    select s.token_hash as "tokenHash" from sessions s join users u on u.id = s.user_id
    where s.token_hash = any(${[...sessions]}::text[]) and s.revoked_at is null and s.expires_at > now() and not u.disabled`
  const ok = new Set(alive.map((r) => r.tokenHash))
  return sessions.filter((s) => !ok.has(s))
}

/** Revoke one session. */
export async function revokeSession(sql: Sql, token: string): Promise<void> {
  await sql`update sessions set revoked_at = now() where token_hash = ${hashToken(token)} and revoked_at is null`
}

/** Create a user (the `npm run user` command and the demo seed). */
export async function createUser(
  sql: Sql,
  user: {
    username: string
    name: string
    role: Role
    passwordHash: string
    districtId?: number | null
    personId?: number | null
    communityIds?: number[]
    mustChangePassword?: boolean
    /** Required for role `partner` (the database refuses a partner without a unit). */
    unitId?: number | null
  },
): Promise<number> {
  return sql.begin(async (tx) => {
    const [row] = await tx<{ id: number }[]>`
      insert into users (username, name, role, password_hash, district_id, person_id, must_change_password, unit_id)
      values (${user.username}, ${user.name}, ${user.role}, ${user.passwordHash}, ${user.districtId ?? null}, ${user.personId ?? null},
              ${user.mustChangePassword ?? false}, ${user.unitId ?? null})
      returning id`
    const id = row!.id
    for (const communityId of user.communityIds ?? []) {
      await tx`insert into user_communities (user_id, community_id) values (${id}, ${communityId})`
    }
    return id
  })
}
