/**
 * The login counter is atomic on PostgreSQL too (several connections at once): of 40 concurrent
 * attempts each gets its own number, so exactly `max` of them are allowed to go on to verification.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/client.js';
import { clearAttempts, countAttempt } from '../../core/reports/rate-limit.js';
import { createPostgresTestDatabase, postgresSuiteMode } from '../helpers/db.js';

const mode = postgresSuiteMode();

describe.skipIf(mode === 'skip')('login attempts on PostgreSQL', () => {
  it.runIf(mode === 'fail')('needs TEST_DATABASE_URL in CI', () => {
    throw new Error('TEST_DATABASE_URL is not set');
  });
  if (mode !== 'run') return;
  let database: Database;
  beforeAll(async () => {
    database = await createPostgresTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('numbers 40 concurrent attempts 1..40, starts a new window when the old one is over, and forgets on success', async () => {
    const now = new Date();
    const window = { max: 5, seconds: 900 };
    const counts = await Promise.all(Array.from({ length: 40 }, () => countAttempt(database.prisma, 'login:test', window, now)));
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(counts.filter((c) => c <= window.max)).toHaveLength(window.max);
    expect(await countAttempt(database.prisma, 'login:test', window, new Date(now.getTime() + 901_000))).toBe(1);
    await clearAttempts(database.prisma, 'login:test');
    expect(await countAttempt(database.prisma, 'login:test', window, now)).toBe(1);
  });
});
