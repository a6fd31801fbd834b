/**
 * Migration command, the offline twin of `prisma migrate deploy` / `prisma migrate dev --create-only`.
 *   npm run db:migrate                 apply committed migrations to DATABASE_URL or the PGlite under DATA_DIR
 *   npm run db:migration -- NAME       write prisma/migrations/<timestamp>_NAME/migration.sql from the schema diff
 */
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { createMigration, deployMigrations } from '../core/db/migrations.js';
import { createAdapterFactory } from '../core/db/client.js';
import { loadDatabaseConfig } from '../core/config.js';

const [verb, name] = process.argv.slice(2);

async function main(): Promise<number> {
  if (verb === 'deploy') {
    const { factory, close } = await createAdapterFactory(loadDatabaseConfig(process.env));
    try {
      const applied = await deployMigrations(factory);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    } finally {
      await close();
    }
    return 0;
  }
  if (verb === 'new' && name) {
    // The diff needs a scratch database only for its shadow; an in-memory PGlite is enough.
    const pglite = new PGlite();
    try {
      const dir = await createMigration(new PrismaPGlite(pglite), name);
      console.log(dir ? `created ${dir}` : 'schema unchanged: no migration written');
    } finally {
      await pglite.close();
    }
    return 0;
  }
  console.error('usage: tsx prisma/migrate.ts deploy | new NAME');
  return 2;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
