import { resolve } from 'node:path'

/** Server configuration from the environment. */
export interface Config {
  port: number
  /** `HOST`; unset = decided at start (127.0.0.1 while demo accounts exist, else 0.0.0.0). */
  host: string | undefined
  dataDir: string
  databaseUrl: string | undefined
  /**
   * `DEMO=1` loads the demo community and accounts into an empty database (also a real one); `DEMO=0` never
   * does (an empty start asks for the first admin in the browser); unset = the demo on the embedded database only.
   */
  demo: boolean | undefined
  webRoot: string
}

/** Read `PORT`, `HOST`, `DATA_DIR`, `DATABASE_URL`, `DEMO`. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8080)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0..65535, got ${env.PORT}`)
  return {
    port,
    host: env.HOST?.trim() || undefined,
    dataDir: resolve(env.DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    demo: env.DEMO === undefined || env.DEMO === '' ? undefined : env.DEMO === '1' || env.DEMO === 'true',
    webRoot: resolve(import.meta.dirname, '../dist'),
  }
}

/**
 * The origin people reach the web app at (`PUBLIC_URL`, without a trailing slash), or undefined when it
 * is not set: printed in the key places' QR codes and linked from alert messages.
 */
export function configuredPublicUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.PUBLIC_URL?.trim()
  return configured ? configured.replace(/\/+$/, '') : undefined
}
