/**
 * A fresh in-memory PGlite like createTestDatabase, but the migrated template is kept on disk
 * (keyed by the migrations' content), so a test file that runs again and again in fresh workers
 * (mutation testing re-runs it for every mutant) does not re-run the migrations each time.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pRetry from 'p-retry';
import { openDatabase, type Database } from '../../core/db/client.js';
import { pgliteAdapter } from '../../core/db/pglite.js';
import { onServer, TEST_DATABASE_URL, uniqueDatabaseName, withDatabase } from './postgres-server.js';

const MIGRATIONS = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
}

function templateFile(): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(MIGRATIONS)) hash.update(path.relative(MIGRATIONS, file)).update('\0').update(readFileSync(file)).update('\0');
  return path.join(tmpdir(), `hotline-pglite-template-${hash.digest('hex').slice(0, 16)}.tar`);
}

async function template(): Promise<Blob> {
  const file = templateFile();
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const pglite = new PGlite();
  const migrated = await openDatabase({ kind: 'pglite', dataDir: null }, { handle: pgliteAdapter(pglite) });
  const dump = await pglite.dumpDataDir('none');
  await migrated.close();
  const bytes = Buffer.from(await dump.arrayBuffer());
  const partial = `${file}.${process.pid}.${Date.now()}`;
  writeFileSync(partial, bytes);
  renameSync(partial, file);
  return new Blob([bytes]);
}

export async function createCachedTestDatabase(): Promise<Database> {
  const pglite = new PGlite({ loadDataDir: await template() });
  await pglite.waitReady;
  return openDatabase({ kind: 'pglite', dataDir: null }, { handle: pgliteAdapter(pglite), migrate: false });
}

/**
 * With TEST_DATABASE_URL: a fresh database on that server copied from a migrated template
 * (CREATE DATABASE ... TEMPLATE: a fraction of a second), dropped on close. Without it: the cached
 * PGlite above. For test files that mutation testing re-runs for every mutant.
 */
export async function createFastTestDatabase(): Promise<Database> {
  const url = TEST_DATABASE_URL;
  if (!url) return createCachedTestDatabase();
  const template = `hotline_tpl_${path.basename(templateFile(), '.tar').slice(-16)}`;
  const exists = await onServer(url, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount === 1);
  if (!exists) {
    const building = uniqueDatabaseName('hotline_tplb');
    await onServer(url, (c) => c.query(`CREATE DATABASE ${building}`));
    const migrated = await openDatabase({ kind: 'postgres', url: withDatabase(url, building) });
    await migrated.close();
    await onServer(url, (c) => c.query(`ALTER DATABASE ${building} RENAME TO ${template}`)).catch(() => onServer(url, (c) => c.query(`DROP DATABASE IF EXISTS ${building}`)));
  }
  const name = uniqueDatabaseName('hotline_test');
  // Another process copying the template at the same moment makes CREATE ... TEMPLATE fail: retry.
  await pRetry(() => onServer(url, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`)), { retries: 20, minTimeout: 100, maxTimeout: 500, randomize: true });
  const database = await openDatabase({ kind: 'postgres', url: withDatabase(url, name) }, { migrate: false });
  return {
    ...database,
    async close() {
      await database.close();
      await onServer(url, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
