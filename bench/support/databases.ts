/** Which PostgreSQL the benchmarks use: BENCH_DATABASE_URL, else a local server on the default port if it answers. */
import pg from 'pg';

export const DEFAULT_BENCH_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

let resolved: Promise<string | null> | undefined;

export function benchPostgresUrl(): Promise<string | null> {
  resolved ??= (async () => {
    if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
    const client = new pg.Client({ connectionString: DEFAULT_BENCH_DATABASE_URL, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return DEFAULT_BENCH_DATABASE_URL;
    } catch {
      return null;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return resolved;
}
