import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Each file starts its own server + database; two cores, so two at a time.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
    globalSetup: ['tests/global-setup.ts'],
  },
})
