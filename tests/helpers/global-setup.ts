/**
 * Vitest global set-up: `npm test` runs the PostgreSQL suite whenever PostgreSQL answers, not only
 * in CI. When TEST_DATABASE_URL is unset, the local server at LOCAL_POSTGRES_URL is probed (short
 * connect timeout); if it answers, TEST_DATABASE_URL is set for the workers (set here, in the main
 * process, before any worker is forked, so every worker inherits it) and also provided to them.
 * `TEST_DATABASE_URL=off` skips the suite; in CI a missing database stays a failure (postgresSuiteMode).
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';

export const LOCAL_POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string;
  }
}

/** True when a PostgreSQL server at `url` accepts a connection and answers a query within `timeoutMs`. */
export async function postgresAnswers(url: string, timeoutMs = 2_000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export default async function setup(project: TestProject): Promise<void> {
  if (!process.env.TEST_DATABASE_URL && (await postgresAnswers(LOCAL_POSTGRES_URL))) process.env.TEST_DATABASE_URL = LOCAL_POSTGRES_URL;
  project.provide('testDatabaseUrl', process.env.TEST_DATABASE_URL ?? '');
}
