/** Real databases for tests: a fresh in-memory PGlite per call, or a fresh database on TEST_DATABASE_URL. */
import { openDatabase, type Database } from '../../core/db/client.js';
import { createCachedTestDatabase } from './cached-db.js';
import { onServer, postgresSuiteSkipped, TEST_DATABASE_URL, uniqueDatabaseName, withDatabase } from './postgres-server.js';

export { TEST_DATABASE_URL } from './postgres-server.js';

/**
 * A fresh, migrated, in-memory PGlite. It is loaded from a migrated template kept on disk, keyed
 * by the migrations' content (tests/helpers/cached-db.ts): the real migrations run once per machine,
 * not once per test worker (mutation testing starts a fresh worker for every mutant).
 */
export function createTestDatabase(): Promise<Database> {
  return createCachedTestDatabase();
}

/** Creates a uniquely named database on the TEST_DATABASE_URL server, migrates it, and drops it on close. */
export async function createPostgresTestDatabase(): Promise<Database> {
  const url = TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const name = uniqueDatabaseName('hotline_test');
  await onServer(url, (c) => c.query(`CREATE DATABASE ${name}`));
  const database = await openDatabase({ kind: 'postgres', url: withDatabase(url, name) });
  return {
    ...database,
    async close() {
      await database.close();
      await onServer(url, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** In CI the PostgreSQL suite must run: a missing TEST_DATABASE_URL is a failure there, not a skip (TEST_DATABASE_URL=off skips it anywhere). */
export function postgresSuiteMode(): 'run' | 'skip' | 'fail' {
  if (TEST_DATABASE_URL) return 'run';
  if (postgresSuiteSkipped) return 'skip';
  return process.env.CI ? 'fail' : 'skip';
}
