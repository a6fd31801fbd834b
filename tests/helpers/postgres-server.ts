/**
 * The PostgreSQL server of the test suite and the small admin steps both ways of making a test
 * database on it use (tests/helpers/db.ts: freshly migrated; tests/helpers/cached-db.ts: copied
 * from a migrated template).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * TEST_DATABASE_URL as given, or the local server the global set-up (tests/helpers/global-setup.ts)
 * found answering; `off` means none (the suite is skipped).
 */
const configured = process.env.TEST_DATABASE_URL || inject('testDatabaseUrl') || undefined;
export const postgresSuiteSkipped = configured === 'off';
export const TEST_DATABASE_URL = postgresSuiteSkipped ? undefined : configured;

/** Runs `fn` on a short-lived admin connection to the suite's server. */
export async function onServer<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** `url` pointing at database `name` on the same server. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export const uniqueDatabaseName = (prefix: string): string => `${prefix}_${randomBytes(6).toString('hex')}`;
