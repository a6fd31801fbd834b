/**
 * The embedded database serves one process: PGlite opens a folder that another process has open
 * without complaint, and both then write to it. Every process that opens DATA_DIR (the server, the
 * admin CLI, backup and restore) first creates DATA_DIR/hotline.lock exclusively with its pid; a
 * second one reads the pid and stops with "DATA_DIR is in use by pid N". A lock whose pid is no
 * longer running (a crash, a power cut) is stale and taken over.
 *
 * Same file and format as core/db/data-dir-lock.ts on the security branch (the server's own lock);
 * once both are merged, this module can delegate to it.
 */
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

export const LOCK_FILE = 'hotline.lock';

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

/** Takes DATA_DIR for this process, or throws DataDirInUseError naming the live holder. */
export async function holdDataDir(dataDir: string): Promise<DataDirHold> {
  const file = path.join(dataDir, LOCK_FILE);
  await mkdir(dataDir, { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      return { release: () => release(file) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = await holderOf(file);
    if (pid === process.pid) return { release: () => release(file) }; // already ours
    if (pid !== null && alive(pid)) throw new DataDirInUseError(dataDir, pid);
    // Stale: move it aside atomically, then race for a fresh exclusive create.
    await rename(file, `${file}.stale-${process.pid}`).then(
      () => unlink(`${file}.stale-${process.pid}`).catch(() => undefined),
      () => undefined,
    );
  }
  const pid = await holderOf(file);
  throw new DataDirInUseError(dataDir, pid ?? -1);
}

async function release(file: string): Promise<void> {
  if ((await holderOf(file).catch(() => null)) === process.pid) await unlink(file).catch(() => undefined);
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
