/** The embedded database's autovacuum stand-in: tables with many dead rows are vacuumed, changed ones analysed. */
import { expect, it } from 'vitest';
import { maintainTables, tableStats } from '../../../core/db/maintenance.js';
import { createTestDatabase } from '../../helpers/db.js';

it('vacuums and analyses the tables PostgreSQL autovacuum would, on PGlite', async () => {
  const db = await createTestDatabase();
  try {
    await db.prisma.$executeRaw`INSERT INTO "RateLimit" ("key", "count", "windowStart") SELECT 'k' || g, 1, now() FROM generate_series(1, 2000) g`;
    await db.prisma.$executeRaw`UPDATE "RateLimit" SET "count" = 2`; // 2,000 dead rows
    const before = (await tableStats(db.prisma)).find((t) => t.table === 'RateLimit')!;
    expect(before.dead).toBeGreaterThanOrEqual(2000);

    const run = await maintainTables(db.prisma);
    expect(run.vacuumed).toContain('RateLimit');
    const after = (await tableStats(db.prisma)).find((t) => t.table === 'RateLimit')!;
    expect(after.dead).toBe(0);
    expect(after.modifiedSinceAnalyze).toBe(0);
    const analysed = await db.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_stats WHERE tablename = 'RateLimit'`;
    expect(Number(analysed[0]!.n)).toBeGreaterThan(0);

    // Nothing more to do until the next burst of writes.
    expect(await maintainTables(db.prisma)).toEqual({ vacuumed: [], analysed: [] });
  } finally {
    await db.close();
  }
});
