/**
 * Reads every row of every table as the database stores it (raw SQL: no sealing client opening
 * values on the way), so a test can prove a secret is nowhere at rest in any form.
 */
import type { Db } from '../../core/db/client.js';

/** The tables (and the first few characters around each hit) where any of `needles` appears, case-insensitively. */
export async function findAtRest(prisma: Db, needles: string[]): Promise<string[]> {
  const tables = await prisma.$queryRawUnsafe<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  expectSome(tables.length);
  const hits: string[] = [];
  for (const { table_name } of tables) {
    const rows = await prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT t::text AS row FROM "${table_name}" t`);
    for (const { row } of rows) {
      const upper = row.toUpperCase();
      for (const needle of needles) {
        const at = upper.indexOf(needle.toUpperCase());
        if (at >= 0) hits.push(`${table_name}: …${row.slice(Math.max(0, at - 40), at + needle.length + 40)}…`);
      }
    }
  }
  return hits;
}

function expectSome(n: number): void {
  if (n === 0) throw new Error('no tables found: the scan would prove nothing');
}
