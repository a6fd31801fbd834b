/**
 * `npm start`: validates configuration, opens (and migrates) the database, serves HTTP and the
 * configured channels, then says where everything is (server/startup-summary.ts). SIGTERM/SIGINT
 * drain turns in flight and close the database within a bounded time (server/shutdown.ts); on the
 * embedded database SIGUSR2 answers `npm run db:backup` (server/ops/backup.ts).
 */
import { createApp } from './app.js';
import { ConfigError, loadConfig } from '../core/config.js';
import { createLogger } from '../core/logging.js';
import { errorSummary } from '../core/outbox/dispatcher.js';
import { createLogOutput } from './log-output.js';
import { exitOnSignals } from './shutdown.js';
import { collectStartupSummary, formatSummaryText } from './startup-summary.js';
import { answerBackupRequests } from './ops/backup.js';
import { DataDirInUseError, holdDataDir, type DataDirHold } from './ops/data-dir.js';
import type { Config } from '../core/config.js';

const SHUTDOWN_GRACE_MS = 25_000;

function configOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`hotline-111: ${err.message}\nSee the configuration table in README.md.`);
      process.exit(78);
    }
    throw err;
  }
}

/** The embedded database serves one process: a second server, or the admin CLI, must not open it too. */
async function holdDataDirOrExit(config: Config): Promise<DataDirHold | null> {
  if (config.DATABASE_URL) return null;
  try {
    return await holdDataDir(config.DATA_DIR);
  } catch (err) {
    if (err instanceof DataDirInUseError) {
      console.error(`hotline-111: ${err.message}. Stop that process, or give this one its own DATA_DIR.`);
      process.exit(78);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const hold = await holdDataDirOrExit(config);
  const output = createLogOutput();
  const logger = createLogger(config.LOG_LEVEL, output.stream);
  const app = await createApp(config, { logger });
  const url = await app.listen();
  logger.info({ url, database: app.database.kind, channels: app.channels }, 'hotline-111 is listening');

  const stopAnswering = hold ? answerBackupRequests({ dataDir: config.DATA_DIR, database: app.database, logger: logger.child({ component: 'backup' }) }) : () => {};
  exitOnSignals({
    close: async () => {
      stopAnswering();
      await app.close();
      await hold?.release();
    },
    logger,
    output,
    graceMs: SHUTDOWN_GRACE_MS,
  });

  const summary = await collectStartupSummary({ config, url, channels: app.channels, db: app.database.prisma });
  if (process.stdout.isTTY) output.stream.write(formatSummaryText(summary));
  else logger.info({ summary }, 'start-up summary');
}

main().catch((err: unknown) => {
  console.error('hotline-111 failed to start:', errorSummary(err));
  process.exit(1);
});
