/**
 * `npm run db:backup -- FILE`: a consistent snapshot of the embedded database (DATA_DIR/pglite) as
 * a .tar.gz. While the server runs it takes the snapshot itself (asked by SIGUSR2, see
 * server/ops/backup.ts), so nothing has to stop; otherwise this command opens the folder itself.
 * The app secret is not included (README "Backups"). With DATABASE_URL, use pg_dump.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { answersBackupRequests, readSnapshot, requestSnapshotFromServer, snapshotPglite, writeAtomically } from '../ops/backup.js';
import { dataDirHolder, DataDirInUseError, holdDataDir } from '../ops/data-dir.js';
import { cliConfig, CliError, runCli, serverRunningMessage } from './common.js';

const USAGE = `usage: npm run db:backup -- FILE [--force]
Writes a snapshot of the embedded database (DATA_DIR/pglite) to FILE (.tar.gz), also while the server runs.
--force replaces an existing FILE. The app secret (DATA_DIR/app-secret or APP_SECRET) is not in the backup: keep it apart.`;

async function snapshotOffline(dataDir: string): Promise<Buffer> {
  const dir = path.join(dataDir, 'pglite');
  if (!existsSync(path.join(dir, 'PG_VERSION'))) throw new CliError(`no embedded database in ${path.resolve(dir)}: nothing to back up (is DATA_DIR right?)`, 66);
  let hold;
  try {
    hold = await holdDataDir(dataDir);
  } catch (err) {
    if (err instanceof DataDirInUseError) throw new CliError(serverRunningMessage(dataDir, err.pid, 'the backup'), 75);
    throw err;
  }
  try {
    const pglite = new PGlite(dir);
    try {
      await pglite.waitReady;
      return await snapshotPglite(pglite);
    } finally {
      await pglite.close();
    }
  } finally {
    await hold.release();
  }
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new CliError(USAGE, 64);
  const file = path.resolve(positionals[0]!);
  const config = cliConfig();
  if (config.DATABASE_URL) {
    throw new CliError(
      'DATABASE_URL is set: this server keeps its data in PostgreSQL. Back it up with pg_dump, e.g.\n' +
        `  pg_dump --format=custom --file=${JSON.stringify(file)} "$DATABASE_URL"\n` +
        'and keep APP_SECRET apart from the dumps (README "Backups").',
      64,
    );
  }
  if (existsSync(file) && !values.force) throw new CliError(`${file} exists; choose another name or add --force to replace it`, 73);
  if (!existsSync(path.dirname(file))) throw new CliError(`the folder ${path.dirname(file)} does not exist`, 73);

  const dataDir = config.DATA_DIR;
  const pid = await dataDirHolder(dataDir);
  let snapshot: Buffer;
  if (pid !== null) {
    if (!(await answersBackupRequests(dataDir, pid))) throw new CliError(serverRunningMessage(dataDir, pid, 'the backup'), 75);
    process.stderr.write(`the server is running (pid ${pid}): asking it for a snapshot…\n`);
    snapshot = await requestSnapshotFromServer(dataDir, pid).catch((err: unknown) => {
      throw new CliError((err as Error).message, 69);
    });
  } else {
    snapshot = await snapshotOffline(dataDir);
  }
  await writeAtomically(file, snapshot);
  await readSnapshot(file); // reads back what was written: a backup is only as good as its restore
  const { size } = await stat(file);
  const secretFile = path.resolve(dataDir, 'app-secret');
  const secret = config.APP_SECRET
    ? 'Keep APP_SECRET apart from the backups'
    : existsSync(secretFile)
      ? `Keep a copy of ${secretFile} apart from the backups (once is enough: it never changes)`
      : `The server creates ${secretFile} at its first start; keep a copy of it apart from the backups`;
  process.stdout.write(`backup written: ${file} (${(size / 1024 / 1024).toFixed(1)} MB)\nThe app secret is not in it. ${secret}: without it, restored reports cannot be read.\n`);
  return 0;
}

runCli('hotline-111 db:backup', main);
