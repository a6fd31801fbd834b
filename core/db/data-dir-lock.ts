/**
 * One process per embedded data folder. PGlite is a single-process database: two servers on one
 * DATA_DIR would both start and one's acknowledged messages would be lost. The first process
 * creates DATA_DIR/hotline.lock exclusively (O_CREAT|O_EXCL, atomic on local file systems) with its
 * pid; a second one finds it and refuses to start. A lock left by a process that died (SIGKILL, a
 * crash, a power cut) names a pid that is no longer running, or our own pid after a container
 * restart: it is stale and taken over.
 */
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

export const LOCK_FILE = 'hotline.lock';

/** A start-up problem with a clear message and the exit code `npm start` ends with (78: configuration). */
export class StartupError extends Error {
  readonly exitCode = 78;
  constructor(
    readonly code: 'DATA_DIR_IN_USE' | 'DATA_DIR_UNWRITABLE',
    message: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

export interface DataDirLock {
  file: string;
  release(): Promise<void>;
}

/** Names the folder and the system's reason (read-only file system, permission denied...). */
export function unwritable(dir: string, err: unknown): StartupError {
  const e = err as NodeJS.ErrnoException;
  const cause = e.code === 'EROFS' ? 'the file system is read-only' : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'ENOTDIR' ? 'a part of the path is a file' : (e.message ?? String(err));
  return new StartupError('DATA_DIR_UNWRITABLE', `DATA_DIR ${path.resolve(dir)} cannot be written: ${cause}${e.code ? ` (${e.code})` : ''}. Point DATA_DIR at a writable folder.`);
}

function running(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false; // our own pid from before a restart (containers reuse low pids)
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, but another user's
  }
}

async function holderOf(file: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
    return Number.isSafeInteger(pid) ? pid : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Takes DATA_DIR's lock or throws StartupError (in use by a live pid, or not writable). */
export async function lockDataDir(dir: string): Promise<DataDirLock> {
  const file = path.join(dir, LOCK_FILE);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw unwritable(dir, err);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      return { file, release: () => release(file) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(dir, err);
    }
    const pid = await holderOf(file);
    if (pid !== null && running(pid)) throw new StartupError('DATA_DIR_IN_USE', `DATA_DIR is in use by pid ${pid} (${path.resolve(dir)}). Stop that process, or give this one its own DATA_DIR.`);
    // Stale: move it aside (atomic), then try to create ours again. If another starting process
    // moved it first, the rename fails and the exclusive create decides which of us wins.
    await rename(file, `${file}.stale-${process.pid}`).then(
      () => unlink(`${file}.stale-${process.pid}`).catch(() => undefined),
      () => undefined,
    );
  }
  throw new StartupError('DATA_DIR_IN_USE', `DATA_DIR ${path.resolve(dir)} is being taken by another process; try again.`);
}

/** Removes the lock if it is still ours. */
async function release(file: string): Promise<void> {
  if ((await holderOf(file).catch(() => null)) === process.pid) await unlink(file).catch(() => undefined);
}
