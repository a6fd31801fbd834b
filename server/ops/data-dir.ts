/**
 * The embedded database serves one process: PGlite opens a folder that another process has open
 * without complaint, and both then write to it. Every process that opens DATA_DIR (the server, the
 * admin CLI, backup and restore) first creates DATA_DIR/hotline.lock exclusively with its pid; a
 * second one reads the pid and stops with "DATA_DIR is in use by pid N". A lock whose pid is no
 * longer running (a crash, a power cut) is stale and taken over.
 *
 * The lock itself is the server's (core/db/data-dir-lock.ts); this module gives the operator commands
 * their error and the holder's pid.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LOCK_FILE, lockDataDir, StartupError } from '../../core/db/data-dir-lock.js';


export class DataDirInUseError extends Error {
  readonly code = 'DATA_DIR_IN_USE';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`DATA_DIR is in use by pid ${pid} (${path.resolve(dataDir)})`);
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirHold {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
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

/** The pid of another live process holding DATA_DIR (the running server), or null. */
export async function dataDirHolder(dataDir: string): Promise<number | null> {
  const pid = await holderOf(path.join(dataDir, LOCK_FILE));
  return pid !== null && alive(pid) ? pid : null;
}

/** Takes DATA_DIR for this process (the server's own lock, core/db/data-dir-lock.ts), or throws DataDirInUseError naming the live holder. */
export async function holdDataDir(dataDir: string): Promise<DataDirHold> {
  try {
    const lock = await lockDataDir(dataDir);
    return { release: () => lock.release() };
  } catch (err) {
    if (err instanceof StartupError && err.code === 'DATA_DIR_IN_USE') throw new DataDirInUseError(dataDir, (await holderOf(path.join(dataDir, LOCK_FILE)).catch(() => null)) ?? -1);
    throw err;
  }
}

/** True when the folder does not exist or holds nothing. */
export async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}
