/**
 * What the operator commands (admin, db:backup, db:restore) share: the server's own configuration
 * (same DATABASE_URL / DATA_DIR), opening the database the way the server does, and errors that
 * end the command with a clear message and a conventional exit code.
 */
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../../core/config.js';
import { openDatabase, type Database } from '../../core/db/client.js';
import { DataDirInUseError, holdDataDir, type DataDirHold } from '../ops/data-dir.js';

/** sysexits.h: usage 64, data 65, unavailable 69, temporary failure 75, configuration 78. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function cliConfig(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`${err.message}\nThe commands read the same variables as the server (see README.md).`, 78);
    throw err;
  }
}

export function serverRunningMessage(dataDir: string, pid: number, what: string): string {
  return (
    `the server is running on this DATA_DIR (pid ${pid}, ${path.resolve(dataDir)}). The embedded database serves one ` +
    `process at a time, so ${what} cannot open it now. Stop the server (Ctrl-C, \`kill ${pid}\` or your service manager), ` +
    'run this again, then start the server.'
  );
}

export interface OpenedDatabase {
  database: Database;
  config: Config;
  close(): Promise<void>;
}

/**
 * Opens the server's database (migrating it, as the server would). On the embedded database this
 * process first takes DATA_DIR, so it never writes beside a running server.
 */
export async function openConfiguredDatabase(config: Config, what: string): Promise<OpenedDatabase> {
  let hold: DataDirHold | null = null;
  if (!config.DATABASE_URL) {
    try {
      hold = await holdDataDir(config.DATA_DIR);
    } catch (err) {
      if (err instanceof DataDirInUseError) throw new CliError(serverRunningMessage(config.DATA_DIR, err.pid, what), 75);
      throw new CliError(`cannot use DATA_DIR ${path.resolve(config.DATA_DIR)}: ${(err as Error).message}`, 73);
    }
  }
  let database: Database;
  try {
    database = await openDatabase(config.DATABASE_URL ? { kind: 'postgres', url: config.DATABASE_URL } : { kind: 'pglite', dataDir: config.DATA_DIR });
  } catch (err) {
    await hold?.release();
    const where = config.DATABASE_URL ? 'the PostgreSQL database in DATABASE_URL' : `the embedded database in ${path.resolve(config.DATA_DIR, 'pglite')}`;
    const reason = err instanceof Error ? err.message || err.name : String(err);
    const hint = config.DATABASE_URL
      ? 'Check that PostgreSQL is up and DATABASE_URL is right.'
      : 'If a server may be running on this DATA_DIR, stop it and try again; otherwise the folder may be damaged (restore a backup: npm run db:restore).';
    throw new CliError(`cannot open ${where}: ${reason}. ${hint}`, 69);
  }
  return {
    database,
    config,
    async close() {
      await database.close();
      await hold?.release();
    },
  };
}

/** Runs a command: prints a CliError's message and exits with its code; anything else is a bug. */
export function runCli(name: string, command: () => Promise<number | void>): void {
  command().then(
    (code) => process.exit(code ?? 0),
    (err: unknown) => {
      if (err instanceof CliError) {
        process.stderr.write(`${name}: ${err.message}\n`);
        process.exit(err.exitCode);
      }
      process.stderr.write(`${name}: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(70);
    },
  );
}
