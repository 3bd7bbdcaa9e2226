import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file starts its own servers on port 0; two cores, so keep parallelism modest.
    maxWorkers: 2,
    pool: 'forks'
  }
})
