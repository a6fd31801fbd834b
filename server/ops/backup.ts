/**
 * Backups of the embedded database (PGlite). A snapshot is the gzip'd tar of the PGlite data folder
 * (PGlite's own dumpDataDir format, which `new PGlite(dir, { loadDataDir })` restores), taken after
 * a CHECKPOINT while PGlite's transaction lock is held: no transaction is open and no statement
 * runs while the files are read (the read is synchronous), so the copy is consistent.
 *
 * A running server owns its DATA_DIR, so `npm run db:backup` cannot open it. Instead it drops a
 * request file into DATA_DIR/backups and sends the server SIGUSR2; the server writes the snapshot
 * next to the request (never anywhere else: a request names no path) and a result file; the CLI
 * then moves the snapshot where the operator asked. No network endpoint is involved.
 *
 * The app secret (DATA_DIR/app-secret) is NOT in the snapshot: a stolen backup keeps reports
 * encrypted and pseudonyms unlinkable. Back the secret up on its own (README "Backups").
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';
import type { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'pino';
import type { Database } from '../../core/db/client.js';

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

export const BACKUPS_DIR = 'backups';
/** Written by a server that answers backup requests, with its pid (removed when it stops). */
const ANSWERING = 'answering.pid';
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A consistent gzip'd tar of the open PGlite's data folder. */
export async function snapshotPglite(pglite: PGlite): Promise<Buffer> {
  await pglite.exec('CHECKPOINT'); // data files up to date: the restored copy starts without replaying WAL
  // Inside the transaction lock: every Prisma transaction and statement takes it, so none is open.
  const tar = await pglite._runExclusiveTransaction(() => pglite.dumpDataDir('none'));
  return gzip(new Uint8Array(await tar.arrayBuffer()));
}

/** Checks a backup file looks like a PGlite data folder snapshot; returns it as PGlite loads it. */
export async function readSnapshot(file: string): Promise<Blob> {
  const bytes = await readFile(file);
  let tar: Buffer;
  try {
    tar = bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzip(bytes) : bytes;
  } catch {
    throw new BackupError('BACKUP_UNREADABLE', `${file} is not a hotline-111 backup (not a readable .tar.gz)`);
  }
  // A tar header names its first entry in the first 100 bytes; a PostgreSQL data folder has PG_VERSION.
  if (tar.length < 512 || !tar.includes('PG_VERSION')) throw new BackupError('BACKUP_UNREADABLE', `${file} is not a hotline-111 backup (no PostgreSQL data folder inside)`);
  return new Blob([new Uint8Array(tar)], { type: 'application/x-tar' });
}

export class BackupError extends Error {
  constructor(
    readonly code: 'BACKUP_UNREADABLE' | 'BACKUP_FAILED' | 'BACKUP_TIMEOUT' | 'DATA_DIR_NOT_EMPTY' | 'APP_SECRET_MISMATCH',
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

/** Writes a file so that it either appears whole or not at all. */
export async function writeAtomically(file: string, data: Buffer | string, mode = 0o600): Promise<void> {
  const partial = `${file}.partial-${process.pid}`;
  await writeFile(partial, data, { mode });
  await rename(partial, file);
}

interface BackupResult {
  ok: boolean;
  bytes?: number;
  error?: string;
}

const paths = (dataDir: string, id: string) => {
  const dir = path.join(dataDir, BACKUPS_DIR);
  return { dir, request: path.join(dir, `request-${id}`), snapshot: path.join(dir, `${id}.tar.gz`), result: path.join(dir, `${id}.result.json`) };
};

/**
 * In the running server: on SIGUSR2, answers every pending request in DATA_DIR/backups with a
 * snapshot and a result file. Requests arriving during a snapshot are answered right after.
 */
export function answerBackupRequests(deps: { dataDir: string; database: Database; logger: Logger; signal?: NodeJS.Signals }): () => void {
  let running: Promise<void> | null = null;
  let again = false;
  const serve = async () => {
    const dir = path.join(deps.dataDir, BACKUPS_DIR);
    const ids = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.startsWith('request-')).map((f) => f.slice('request-'.length)).filter((id) => ID.test(id));
    if (!ids.length) {
      deps.logger.warn('SIGUSR2 without a backup request: use `npm run db:backup -- FILE`');
      return;
    }
    let result: BackupResult;
    let snapshot: Buffer | null = null;
    try {
      if (!deps.database.pglite) throw new Error('not an embedded database');
      snapshot = await snapshotPglite(deps.database.pglite);
      result = { ok: true, bytes: snapshot.length };
    } catch (err) {
      result = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    for (const id of ids) {
      const p = paths(deps.dataDir, id);
      try {
        if (snapshot) await writeAtomically(p.snapshot, snapshot);
        await writeAtomically(p.result, JSON.stringify(result));
      } catch (err) {
        deps.logger.error({ code: (err as NodeJS.ErrnoException).code }, 'backup: could not write the snapshot');
      }
      await rm(p.request, { force: true });
    }
    if (result.ok) deps.logger.info({ bytes: result.bytes, requests: ids.length }, 'backup: snapshot written');
    else deps.logger.error({ error: result.error }, 'backup: snapshot failed');
  };
  const onSignal = () => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await serve().catch((err: unknown) => deps.logger.error({ error: err instanceof Error ? err.message : String(err) }, 'backup: failed'));
      } while (again);
      running = null;
    })();
  };
  const signal = deps.signal ?? 'SIGUSR2';
  process.on(signal, onSignal);
  // Tells the CLI that this pid answers SIGUSR2 (for another process, SIGUSR2's default is to end it).
  const marker = path.join(deps.dataDir, BACKUPS_DIR, ANSWERING);
  void mkdir(path.dirname(marker), { recursive: true, mode: 0o700 })
    .then(() => writeAtomically(marker, `${process.pid}\n`, 0o644))
    .catch((err: unknown) => deps.logger.warn({ code: (err as NodeJS.ErrnoException).code }, 'backup: cannot write to DATA_DIR/backups; db:backup will ask to stop the server'));
  return () => {
    process.off(signal, onSignal);
    void readFile(marker, 'utf8').then((pid) => (pid.trim() === String(process.pid) ? rm(marker, { force: true }) : undefined), () => undefined);
  };
}

/** True when `pid` is a hotline-111 server that said it answers backup requests on this DATA_DIR. */
export async function answersBackupRequests(dataDir: string, pid: number): Promise<boolean> {
  const marked = await readFile(path.join(dataDir, BACKUPS_DIR, ANSWERING), 'utf8').then((s) => s.trim() === String(pid), () => false);
  if (!marked) return false;
  // Where the process table is readable, make sure the pid was not reused by another program.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  return cmdline === null || cmdline.includes('server/main');
}

/** From the CLI: asks the server (pid) for a snapshot and waits for it; returns the snapshot bytes. */
export async function requestSnapshotFromServer(dataDir: string, pid: number, options: { timeoutMs?: number; signal?: NodeJS.Signals } = {}): Promise<Buffer> {
  const id = randomUUID();
  const p = paths(dataDir, id);
  await mkdir(p.dir, { recursive: true, mode: 0o700 });
  await writeFile(p.request, '', { mode: 0o600 });
  try {
    process.kill(pid, options.signal ?? 'SIGUSR2');
    const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
    for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
      const done = await stat(p.result).then(
        () => true,
        () => false,
      );
      if (done) break;
      if (Date.now() > deadline) throw new BackupError('BACKUP_TIMEOUT', `the server (pid ${pid}) did not answer the backup request; is it a hotline-111 server of this version?`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const result = JSON.parse(await readFile(p.result, 'utf8')) as BackupResult;
    if (!result.ok) throw new BackupError('BACKUP_FAILED', `the server could not take the snapshot: ${result.error ?? 'unknown error'}`);
    return await readFile(p.snapshot);
  } finally {
    await Promise.all([p.request, p.snapshot, p.result].map((f) => rm(f, { force: true })));
  }
}
