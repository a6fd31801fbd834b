/**
 * One place that opens the database: PostgreSQL through @prisma/adapter-pg when DATABASE_URL is
 * set, otherwise the embedded PGlite (file database under DATA_DIR, or in memory for tests).
 * Migrations are applied on open unless told otherwise.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from './generated/client.js';
import type { DatabaseConfig } from '../config.js';
import { deployMigrations } from './migrations.js';

export type Db = PrismaClient;
export { Prisma } from './generated/client.js';

export interface AdapterHandle {
  kind: DatabaseConfig['kind'];
  factory: SqlMigrationAwareDriverAdapterFactory;
  /** The embedded database itself (backups: server/ops/backup.ts). */
  pglite?: PGlite;
  close(): Promise<void>;
}

export interface Database {
  kind: DatabaseConfig['kind'];
  prisma: Db;
  /** The embedded database itself, when it is PGlite (backups: server/ops/backup.ts). */
  pglite?: PGlite;
  /** Round trip to the database; throws when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A lock number shared by every instance, so two starting instances never migrate at once. */
const MIGRATION_LOCK = 111_2024;

/** Wraps an open PGlite (tests load one from a migrated template). */
export function pgliteAdapter(pglite: PGlite): AdapterHandle {
  return { kind: 'pglite', factory: new PrismaPGlite(pglite), pglite, close: () => pglite.close() };
}

export async function createAdapterFactory(config: DatabaseConfig): Promise<AdapterHandle> {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.url, max: 10 });
    pool.on('error', () => {}); // idle-client errors surface on the next query instead of crashing
    return { kind: 'postgres', factory: new PrismaPg(pool), close: () => pool.end() };
  }
  const dir = config.dataDir ? path.join(config.dataDir, 'pglite') : null;
  if (dir) await mkdir(dir, { recursive: true });
  const pglite = dir ? new PGlite(dir) : new PGlite();
  await pglite.waitReady;
  return pgliteAdapter(pglite);
}

async function migrateWithLock(config: DatabaseConfig, handle: AdapterHandle): Promise<void> {
  if (config.kind !== 'postgres') {
    await deployMigrations(handle.factory);
    return;
  }
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await deployMigrations(handle.factory);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
}

export async function openDatabase(config: DatabaseConfig, options: { migrate?: boolean; handle?: AdapterHandle } = {}): Promise<Database> {
  const handle = options.handle ?? (await createAdapterFactory(config));
  try {
    if (options.migrate ?? true) await migrateWithLock(config, handle);
  } catch (err) {
    await handle.close();
    throw err;
  }
  const prisma = new PrismaClient({ adapter: handle.factory });
  return {
    kind: handle.kind,
    prisma,
    ...(handle.pglite ? { pglite: handle.pglite } : {}),
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
    async close() {
      await prisma.$disconnect();
      await handle.close();
    },
  };
}
