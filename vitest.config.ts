import { defineConfig } from 'vitest/config'

// The same suite runs against the embedded PGlite + PostGIS, and, when TEST_DATABASE_URL is set,
// against that real PostgreSQL + PostGIS too.
const backends = ['embedded', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])]

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Browser checks poll the page; a busy two-core CI machine needs more than the default second.
    expect: { poll: { timeout: 20_000, interval: 100 } },
    hookTimeout: 240_000,
    pool: 'forks',
    // Each file starts its own server and database copy; two cores.
    maxWorkers: 2,
    projects: backends.map((name) => ({
      extends: true,
      test: {
        name,
        include: ['tests/**/*.test.ts'],
        // *.pg.test.ts need a real PostgreSQL (ST_AsMVT, LISTEN/NOTIFY across processes).
        exclude: ['tests/faults/**', '**/node_modules/**', ...(name === 'postgres' ? [] : ['tests/**/*.pg.test.ts'])],
        globalSetup: ['tests/global-setup.ts'],
      },
    })),
  },
})
