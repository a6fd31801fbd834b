import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Runs the PostgreSQL suite whenever PostgreSQL answers locally (TEST_DATABASE_URL=off skips it).
    globalSetup: ['tests/helpers/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: two test files at a time keeps CI predictable.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
