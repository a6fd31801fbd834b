/**
 * The vitest configuration Stryker runs against each mutant: only the test files of the group being
 * mutated (MUTATION_TESTS, comma-separated globs, set by tests/mutation/run.mjs).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const include = (process.env.MUTATION_TESTS ?? '').split(',').filter(Boolean);

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: include.length > 0 ? include : ['tests/**/*.test.ts'],
    exclude: ['**/*.browser.test.ts', '**/*.process.test.ts', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
