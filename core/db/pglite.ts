/**
 * The embedded database's driver: PGlite and its Prisma adapter. Loaded only when PGlite is used
 * (core/db/client.ts imports it on demand): the WebAssembly PostgreSQL costs ~50 MB of memory that
 * an instance on a PostgreSQL server should not carry.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { AdapterHandle } from './client.js';

/** Wraps an open PGlite (tests load one from a migrated template). */
export function pgliteAdapter(pglite: PGlite): AdapterHandle {
  return { kind: 'pglite', factory: new PrismaPGlite(pglite), pglite, close: () => pglite.close() };
}

/** Opens the file database under `dataDir` (or an in-memory one). */
export async function openPglite(dataDir: string | null): Promise<AdapterHandle> {
  const dir = dataDir ? path.join(dataDir, 'pglite') : null;
  if (dir) await mkdir(dir, { recursive: true });
  const pglite = dir ? new PGlite(dir) : new PGlite();
  await pglite.waitReady;
  return pgliteAdapter(pglite);
}
