import { defineConfig } from 'vitest/config'

// Fault tests (`npm run test:faults`): each file starts its own PostgreSQL or server process and
// breaks it on purpose. They run one at a time and never touch the machine's PostgreSQL.
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
})
