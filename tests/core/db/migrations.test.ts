/** Committed migrations apply on a fresh PGlite and on PostgreSQL, are idempotent, and match the schema. */
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../core/db/client.js';
import { pgliteAdapter } from '../../../core/db/pglite.js';
import { deployMigrations, loadMigrationList } from '../../../core/db/migrations.js';
import { createPostgresTestDatabase, postgresSuiteMode } from '../../helpers/db.js';

const TABLES = ['AuditLog', 'ChannelIdentity', 'Conversation', 'Handoff', 'Message', 'RateLimit', 'Report', 'ReportAddition', 'RiskEvent', 'ServiceEntry', 'StaffSession', 'StaffUser'];

async function tablesOf(query: (sql: string) => Promise<{ rows: unknown[] }>): Promise<string[]> {
  const { rows } = await query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
  return (rows as { table_name: string }[]).map((r) => r.table_name);
}

describe('migrations', () => {
  it('apply on a fresh PGlite, are recorded, and a second deploy applies nothing', async () => {
    const pglite = new PGlite();
    const applied = await deployMigrations(new PrismaPGlite(pglite));
    const committed = (await loadMigrationList()).migrationDirectories.map((d) => d.path);
    expect(committed.length).toBeGreaterThan(0);
    expect(applied).toEqual(committed);
    expect(await tablesOf((sql) => pglite.query(sql))).toEqual(expect.arrayContaining([...TABLES, '_prisma_migrations']));
    const recorded = await pglite.query<{ migration_name: string; finished_at: Date | null }>('SELECT migration_name, finished_at FROM _prisma_migrations');
    expect(recorded.rows.map((r) => r.migration_name)).toEqual(committed);
    expect(recorded.rows.every((r) => r.finished_at)).toBe(true);
    expect(await deployMigrations(new PrismaPGlite(pglite))).toEqual([]);
    await pglite.close();
  });

  it('leave nothing between the schema and the committed migrations (no migration is missing)', async () => {
    const { createMigration } = await import('../../../core/db/migrations.js');
    const pglite = new PGlite();
    // Would write a new migration directory if schema.prisma had drifted from prisma/migrations.
    const drift = await createMigration(new PrismaPGlite(pglite), 'drift_check');
    await pglite.close();
    expect(drift).toBeNull();
  });

  it('open a usable Prisma client on the migrated PGlite', async () => {
    const pglite = new PGlite();
    const db = await openDatabase({ kind: 'pglite', dataDir: null }, { handle: pgliteAdapter(pglite) });
    await db.ping();
    expect(await db.prisma.conversation.count()).toBe(0);
    await db.close();
  });

  const mode = postgresSuiteMode();
  it.runIf(mode !== 'skip')('apply on PostgreSQL (TEST_DATABASE_URL)', async () => {
    expect(mode, 'TEST_DATABASE_URL must be set in CI').toBe('run');
    const db = await createPostgresTestDatabase();
    try {
      const rows = await db.prisma.$queryRaw<{ table_name: string }[]>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`;
      expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining([...TABLES, '_prisma_migrations']));
      expect(await db.prisma.message.count()).toBe(0);
    } finally {
      await db.close();
    }
  });
});
