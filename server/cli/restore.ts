/**
 * `npm run db:restore -- FILE --app-secret SECRET_FILE`: restores a `npm run db:backup` snapshot
 * into an empty DATA_DIR (it refuses a folder that holds anything), and puts the app secret back
 * beside it after checking that it opens the backup's reports. With DATABASE_URL, use pg_restore.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { deriveKeys } from '../../core/privacy/secrets.js';
import { decryptJson } from '../../core/reports/crypto.js';
import { readSnapshot, writeAtomically } from '../ops/backup.js';
import { DataDirInUseError, holdDataDir, isEmptyDir } from '../ops/data-dir.js';
import { cliConfig, CliError, runCli, serverRunningMessage } from './common.js';

const USAGE = `usage: npm run db:restore -- FILE (--app-secret SECRET_FILE | --without-app-secret)
Restores a db:backup snapshot into DATA_DIR, which must be empty or not exist yet.
--app-secret SECRET_FILE   the app-secret file of the server that made the backup (copied to DATA_DIR/app-secret)
--without-app-secret       restore anyway (APP_SECRET is set, or the secret is lost: reports stay unreadable)`;

interface Counts {
  conversations: number;
  reports: number;
  staff: number;
}

async function inspect(pglite: PGlite): Promise<{ counts: Counts; sample: { referenceCode: string; encryptedPayload: string } | null }> {
  const count = async (table: string) => Number((await pglite.query<{ n: number | bigint }>(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0]?.n ?? 0);
  const counts = { conversations: await count('Conversation'), reports: await count('Report'), staff: await count('StaffUser') };
  const sample = (await pglite.query<{ referenceCode: string; encryptedPayload: string }>('SELECT "referenceCode", "encryptedPayload" FROM "Report" ORDER BY "createdAt" LIMIT 1')).rows[0] ?? null;
  return { counts, sample };
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { 'app-secret': { type: 'string' }, 'without-app-secret': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new CliError(USAGE, 64);
  const file = path.resolve(positionals[0]!);
  const config = cliConfig();
  if (config.DATABASE_URL) {
    throw new CliError(
      'DATABASE_URL is set: restore PostgreSQL with pg_restore into an empty database, e.g.\n' +
        `  pg_restore --no-owner --dbname="$DATABASE_URL" ${JSON.stringify(file)}\n` +
        'and start the server with the same APP_SECRET as the one that made the dump (README "Backups").',
      64,
    );
  }
  const dataDir = path.resolve(config.DATA_DIR);
  if (!(await isEmptyDir(dataDir))) throw new CliError(`DATA_DIR ${dataDir} is not empty: restore into a new, empty folder (set DATA_DIR to it), then start the server there`, 73);

  // The secret that opens the backup's reports: a file, APP_SECRET, or knowingly none.
  let secret: string | null = null;
  let secretFrom = '';
  if (values['app-secret']) {
    secret = (await readFile(values['app-secret'], 'utf8').catch(() => {
      throw new CliError(`cannot read the app secret file ${values['app-secret']}`, 66);
    })).trim();
    if (!secret) throw new CliError(`the app secret file ${values['app-secret']} is empty`, 65);
    secretFrom = values['app-secret'];
  } else if (config.APP_SECRET) {
    secret = config.APP_SECRET;
    secretFrom = 'APP_SECRET';
  } else if (!values['without-app-secret']) {
    throw new CliError(
      'which app secret goes with this backup? Give the saved copy of the old DATA_DIR/app-secret with --app-secret FILE ' +
        '(or set APP_SECRET). Without it the server would make a new secret: report bodies could not be read any more and ' +
        'returning users would not be linked to their past conversations. If the secret is truly lost, add --without-app-secret.\n' +
        USAGE,
      64,
    );
  }

  const snapshot = await readSnapshot(file).catch((err: unknown) => {
    throw new CliError((err as Error).message, 65);
  });
  let hold;
  try {
    hold = await holdDataDir(dataDir);
  } catch (err) {
    if (err instanceof DataDirInUseError) throw new CliError(serverRunningMessage(dataDir, err.pid, 'the restore'), 75);
    throw err;
  }
  const pgliteDir = path.join(dataDir, 'pglite');
  let ok = false;
  try {
    const pglite = new PGlite(pgliteDir, { loadDataDir: snapshot });
    let found: Awaited<ReturnType<typeof inspect>>;
    try {
      await pglite.waitReady;
      found = await inspect(pglite);
    } catch (err) {
      throw new CliError(`the backup could not be opened as a database: ${(err as Error).message}`, 65);
    } finally {
      await pglite.close().catch(() => undefined);
    }
    if (secret && found.sample) {
      try {
        decryptJson(deriveKeys(secret).encryptionKey, found.sample.encryptedPayload, found.sample.referenceCode);
      } catch {
        throw new CliError(`the app secret from ${secretFrom} does not open this backup's reports: it belongs to another server. Nothing was restored.`, 65);
      }
    }
    if (secret && secretFrom !== 'APP_SECRET') await writeAtomically(path.join(dataDir, 'app-secret'), `${secret}\n`);
    ok = true;
    const { counts } = found;
    process.stdout.write(
      `restored ${file} into ${dataDir}: ${counts.conversations} conversations, ${counts.reports} reports, ${counts.staff} console accounts\n` +
        (secret
          ? found.sample
            ? `the app secret (${secretFrom}) opens the backup's reports\n`
            : `app secret: ${secretFrom} (no report in the backup to check it against)\n`
          : 'WARNING: restored without the app secret: the server will make a new one; reports in this backup cannot be read.\n') +
        `start the server with DATA_DIR=${dataDir} (newer migrations are applied at start)\n`,
    );
    return 0;
  } finally {
    if (!ok) {
      await rm(pgliteDir, { recursive: true, force: true });
      await rm(path.join(dataDir, 'app-secret'), { force: true });
    }
    await hold.release();
  }
}

runCli('hotline-111 db:restore', main);
