/**
 * The demo accounts (`admin`, `planner`, `command`, `leader`, `patrol`, and the partner units' `wuye` and
 * `police`, password `demo`) are for
 * trying SafeGrid on one machine, not a deployment: the server listens on loopback while they exist
 * (unless HOST is set) and refuses any other address while one of them still has the demo password
 * (server/start.ts). `npm run user -- drop-demo` disables those still on the demo password.
 */
import type { Sql } from '../db/connect.ts'
import { verifyPassword } from '../domain/password.ts'

/** Usernames of the demo accounts the demo seed creates. */
export const DEMO_USERNAMES = ['admin', 'planner', 'command', 'leader', 'patrol', 'wuye', 'police'] as const
/** Their password. */
export const DEMO_PASSWORD = 'demo'

/** The enabled demo accounts, and which of them still have the demo password. */
export async function demoAccounts(sql: Sql): Promise<{ present: string[]; unchanged: string[] }> {
  const rows = await sql<{ username: string; passwordHash: string }[]>`
    select username, password_hash as "passwordHash" from users
    where username = any(${[...DEMO_USERNAMES]}::text[]) and not disabled`
  rows.sort((a, b) => DEMO_USERNAMES.indexOf(a.username as never) - DEMO_USERNAMES.indexOf(b.username as never))
  const unchanged: string[] = []
  for (const row of rows) if (await verifyPassword(DEMO_PASSWORD, row.passwordHash)) unchanged.push(row.username)
  return { present: rows.map((r) => r.username), unchanged }
}

/**
 * Disable the demo accounts that still have the demo password (their sessions end; what they did
 * stays attributed to them). Returns their usernames.
 */
export async function dropDemoAccounts(sql: Sql): Promise<string[]> {
  const { unchanged } = await demoAccounts(sql)
  if (unchanged.length === 0) return []
  await sql.begin(async (tx) => {
    await tx`update users set disabled = true, password_hash = '!disabled-demo-account' where username = any(${unchanged}::text[])`
    await tx`update sessions set revoked_at = now()
             where revoked_at is null and user_id in (select id from users where username = any(${unchanged}::text[]))`
    await tx`insert into audit_log (action, entity, after) values ('disable', 'user', ${sql.json({ usernames: unchanged, reason: 'demo accounts dropped' })})`
  })
  return unchanged
}

/** Whether a listen address is loopback only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '')
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1'
}

/** The refusal to listen on a non-loopback address while demo passwords are unchanged, with how to fix it. */
export function demoPasswordRefusal(host: string, unchanged: readonly string[]): string {
  return [
    `Refusing to listen on ${host}: the demo account${unchanged.length > 1 ? 's' : ''} ${unchanged.join(', ')} still ha${unchanged.length > 1 ? 've' : 's'} the password "demo", which anyone on the network could use.`,
    'Either',
    `  - give each a real password: npm run user -- passwd <username>   (${unchanged.join(', ')}), or`,
    '  - drop the demo accounts:   npm run user -- drop-demo   (after creating your own admin: npm run user -- add --role admin --name <name>), or',
    '  - listen on this machine only: unset HOST (or HOST=127.0.0.1).',
    'Stop the server first when it uses the embedded database (DATA_DIR).',
  ].join('\n')
}
