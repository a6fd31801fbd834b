/** Real databases for tests: a fresh in-memory PGlite per call, or a fresh database on TEST_DATABASE_URL. */
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../core/db/client.js';
import { pgliteAdapter } from '../../core/db/pglite.js';

let template: Promise<Blob> | undefined;

/**
 * A fresh, migrated, in-memory PGlite. The first call in a worker runs the real migrations and
 * dumps the result; later calls load that dump (same schema, a fraction of the time).
 */
export async function createTestDatabase(): Promise<Database> {
  template ??= (async () => {
    const pglite = new PGlite();
    // Migrate a PGlite we hold, so it can be dumped.
    const migrated = await openDatabase({ kind: 'pglite', dataDir: null }, { handle: pgliteAdapter(pglite) });
    const dump = await pglite.dumpDataDir('none');
    await migrated.close();
    return dump;
  })();
  const pglite = new PGlite({ loadDataDir: await template });
  await pglite.waitReady;
  return openDatabase({ kind: 'pglite', dataDir: null }, { handle: pgliteAdapter(pglite), migrate: false });
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
