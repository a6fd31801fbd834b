/** Real databases for tests: a fresh in-memory PGlite per call, or a fresh database on TEST_DATABASE_URL. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../core/db/client.js';
import { createCachedTestDatabase } from './cached-db.js';

/**
 * A fresh, migrated, in-memory PGlite. It is loaded from a migrated template kept on disk, keyed
 * by the migrations' content (tests/helpers/cached-db.ts): the real migrations run once per machine,
 * not once per test worker (mutation testing starts a fresh worker for every mutant).
 */
export function createTestDatabase(): Promise<Database> {
  return createCachedTestDatabase();
}

/**
 * The PostgreSQL server of the suite: TEST_DATABASE_URL as given, or the local server the global
 * set-up (tests/helpers/global-setup.ts) found answering; `off` means none (the suite is skipped).
 */
const configured = process.env.TEST_DATABASE_URL || inject('testDatabaseUrl') || undefined;
const skipped = configured === 'off';
export const TEST_DATABASE_URL = skipped ? undefined : configured;

/** Creates a uniquely named database on the TEST_DATABASE_URL server, migrates it, and drops it on close. */
export async function createPostgresTestDatabase(): Promise<Database> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `hotline_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString() });
  return {
    ...database,
    async close() {
      await database.close();
      const dropper = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/** In CI the PostgreSQL suite must run: a missing TEST_DATABASE_URL is a failure there, not a skip (TEST_DATABASE_URL=off skips it anywhere). */
export function postgresSuiteMode(): 'run' | 'skip' | 'fail' {
  if (TEST_DATABASE_URL) return 'run';
  if (skipped) return 'skip';
  return process.env.CI ? 'fail' : 'skip';
}
