/**
 * `npm start`: validates configuration, opens (and migrates) the database, serves HTTP and the
 * configured channels. SIGTERM/SIGINT drain turns in flight and close the database.
 */
import { createApp } from './app.js';
import { ConfigError, loadConfig } from '../core/config.js';
import { StartupError } from '../core/db/data-dir-lock.js';
import { createLogger } from '../core/logging.js';
import { errorSummary } from '../core/outbox/dispatcher.js';

const SHUTDOWN_GRACE_MS = 25_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`hotline-111: ${err.message}\nSee the configuration table in README.md.`);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const app = await createApp(config, { logger });
  const url = await app.listen();
  logger.info({ url, database: app.database.kind, channels: app.channels }, 'hotline-111 is listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining turns in flight');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    app.close().then(
      () => {
        logger.info('shut down cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err: errorSummary(err) }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof StartupError) {
    console.error(`hotline-111: ${err.message}`);
    process.exit(err.exitCode);
  }
  console.error('hotline-111 failed to start:', errorSummary(err));
  process.exit(1);
});
