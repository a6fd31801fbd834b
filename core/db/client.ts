/**
 * One place that opens the database: PostgreSQL through @prisma/adapter-pg when DATABASE_URL is
 * set, otherwise the embedded PGlite (file database under DATA_DIR, or in memory for tests).
 * Migrations are applied on open unless told otherwise.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from './generated/client.js';
import type { DatabaseConfig } from '../config.js';
import { deployMigrations } from './migrations.js';
import pRetry from 'p-retry';
import { isDatabaseUnavailable } from './unavailable.js';

export type Db = PrismaClient;
export { Prisma } from './generated/client.js';

export interface AdapterHandle {
  kind: DatabaseConfig['kind'];
  /** PostgreSQL's connection string (the event bus opens its own connections with it). */
  url?: string;
  factory: SqlMigrationAwareDriverAdapterFactory;
  /** The embedded database itself (backups: server/ops/backup.ts). */
  pglite?: import('@electric-sql/pglite').PGlite;
  close(): Promise<void>;
}

export interface Database {
  kind: DatabaseConfig['kind'];
  /** PostgreSQL's connection string; absent for the embedded database. */
  url?: string;
  prisma: Db;
  /** The embedded database itself, when it is PGlite (backups: server/ops/backup.ts). */
  pglite?: import('@electric-sql/pglite').PGlite;
  /** Round trip to the database; throws when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Connections each instance's Prisma pool may open (DATABASE_POOL_SIZE). */
export const DEFAULT_POOL_SIZE = 10;

/** A lock number shared by every instance, so two starting instances never migrate at once. */
const MIGRATION_LOCK = 111_2024;


export async function createAdapterFactory(config: DatabaseConfig): Promise<AdapterHandle> {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize ?? DEFAULT_POOL_SIZE });
    pool.on('error', () => {}); // idle-client errors surface on the next query instead of crashing
    return { kind: 'postgres', url: config.url, factory: new PrismaPg(pool), close: () => pool.end() };
  }
  // PGlite is loaded only when used (./pglite.ts).
  const { openPglite } = await import('./pglite.js');
  return openPglite(config.dataDir);
}

async function migrateWithLock(config: DatabaseConfig, handle: AdapterHandle): Promise<void> {
  if (config.kind !== 'postgres') {
    await deployMigrations(handle.factory);
    return;
  }
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  // The schema engine takes its own session advisory lock; through a pool it can be left held by a
  // pooled connection, and the next instance to start would time out waiting for it. So migrations
  // run on a one-connection pool of their own, closed (releasing every session lock) when done.
  const migrator = await createAdapterFactory({ ...config, poolSize: 1 });
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await deployMigrations(migrator.factory);
  } finally {
    await migrator.close().catch(() => {});
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
}

export interface OpenOptions {
  migrate?: boolean;
  handle?: AdapterHandle;
  /** PostgreSQL not reachable at start-up: keep trying with backoff for this long (0: fail at once). */
  connectTimeoutSeconds?: number;
  /** Told before each wait (for a log line). */
  onRetry?: (info: { attempt: number; nextDelayMs: number; code: string }) => void;
}

export async function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Promise<Database> {
  const handle = options.handle ?? (await createAdapterFactory(config));
  try {
    if (options.migrate ?? true) {
      const seconds = config.kind === 'postgres' ? (options.connectTimeoutSeconds ?? 0) : 0;
      await pRetry(() => migrateWithLock(config, handle), {
        retries: seconds > 0 ? 1_000 : 0,
        minTimeout: 500,
        maxTimeout: 5_000,
        maxRetryTime: seconds * 1000,
        randomize: true,
        shouldRetry: ({ error }) => isDatabaseUnavailable(error),
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0 && isDatabaseUnavailable(error)) options.onRetry?.({ attempt: attemptNumber, nextDelayMs: Math.min(5_000, 500 * 2 ** (attemptNumber - 1)), code: (error as { code?: string }).code ?? 'DATABASE_UNAVAILABLE' });
        },
      }).catch((err: unknown) => {
        if (isDatabaseUnavailable(err) && config.kind === 'postgres') {
          const where = new URL(config.url);
          throw new Error(`the database at ${where.hostname}:${where.port || 5432} is not reachable${seconds ? ` (gave up after ${seconds} s)` : ''}: ${(err as Error).message}`, { cause: err });
        }
        throw err;
      });
    }
  } catch (err) {
    await handle.close();
    throw err;
  }
  const prisma = new PrismaClient({ adapter: handle.factory });
  return {
    kind: handle.kind,
    ...(handle.url ? { url: handle.url } : {}),
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
