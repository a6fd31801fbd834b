import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: two test files at a time keeps CI predictable.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
