/**
 * Autovacuum for the embedded database. PGlite runs PostgreSQL in a single process with no
 * autovacuum worker, so without this the outbox's tables are never analysed and their dead rows
 * never reclaimed: plans go stale and every index walk steps over dead entries. This loop applies
 * PostgreSQL's own autovacuum rule (dead rows > 50 + 20% of live rows → VACUUM; rows changed since
 * the last analyse > 50 + 10% → ANALYZE) table by table, every `intervalMs`, and sooner when the
 * outbox reports many writes. PostgreSQL servers have autovacuum: nothing runs there.
 */
import type { Logger } from 'pino';
import type { Db } from './client.js';

export interface TableStats {
  table: string;
  live: number;
  dead: number;
  modifiedSinceAnalyze: number;
}

export interface MaintenanceRun {
  vacuumed: string[];
  analysed: string[];
}

const VACUUM_THRESHOLD = 50;
const VACUUM_SCALE = 0.2;
const ANALYZE_THRESHOLD = 50;
const ANALYZE_SCALE = 0.1;

/** Our tables' row counters, flushed first (PGlite's backend flushes its statistics lazily). */
export async function tableStats(db: Db): Promise<TableStats[]> {
  await db.$queryRaw`SELECT pg_stat_force_next_flush()::text AS flushed`;
  const rows = await db.$queryRaw<{ table: string; live: bigint; dead: bigint; modified: bigint }[]>`
    SELECT relname AS "table", n_live_tup AS live, n_dead_tup AS dead, n_mod_since_analyze AS modified
    FROM pg_stat_user_tables WHERE schemaname = 'public'`;
  return rows.map((r) => ({ table: r.table, live: Number(r.live), dead: Number(r.dead), modifiedSinceAnalyze: Number(r.modified) }));
}

/** One pass of the autovacuum rule over every table. */
export async function maintainTables(db: Db): Promise<MaintenanceRun> {
  const run: MaintenanceRun = { vacuumed: [], analysed: [] };
  for (const t of await tableStats(db)) {
    // Identifiers come from the catalogue; quoting keeps mixed-case names intact.
    const name = `"${t.table.replace(/"/g, '""')}"`;
    if (t.dead > VACUUM_THRESHOLD + VACUUM_SCALE * t.live) {
      await db.$executeRawUnsafe(`VACUUM (ANALYZE) ${name}`);
      run.vacuumed.push(t.table);
    } else if (t.modifiedSinceAnalyze > ANALYZE_THRESHOLD + ANALYZE_SCALE * t.live) {
      await db.$executeRawUnsafe(`ANALYZE ${name}`);
      run.analysed.push(t.table);
    }
  }
  return run;
}

export interface MaintenanceLoop {
  /** Counts rows written; past `writesPerRun` a pass runs without waiting for the interval. */
  noteWrites(rows: number): void;
  stop(): Promise<void>;
}

export function startMaintenanceLoop(db: Db, opts: { intervalMs: number; writesPerRun?: number; logger: Logger }): MaintenanceLoop {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let writes = 0;
  const writesPerRun = opts.writesPerRun ?? 2_000;
  const schedule = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
    timer.unref();
  };
  const run = () => {
    if (stopped || running) return;
    writes = 0;
    running = maintainTables(db)
      .then((done) => {
        if (done.vacuumed.length || done.analysed.length) opts.logger.debug(done, 'database maintenance: vacuumed and analysed');
      })
      .catch((err: unknown) => opts.logger.warn({ code: (err as { code?: string }).code ?? 'MAINTENANCE_FAILED' }, 'database maintenance failed'))
      .finally(() => {
        running = undefined;
        if (!stopped) schedule(opts.intervalMs);
      });
  };
  schedule(opts.intervalMs);
  return {
    noteWrites(rows) {
      writes += rows;
      if (writes >= writesPerRun && !running && !stopped) schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
