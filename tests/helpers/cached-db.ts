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
import { openDatabase, type Database } from '../../core/db/client.js';
import { pgliteAdapter } from '../../core/db/pglite.js';

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
