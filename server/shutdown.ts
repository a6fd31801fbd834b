/**
 * SIGTERM and SIGINT stop the server within a bounded time, whatever holds its output or its
 * connections: the first signal drains turns in flight (`close`) under a deadline; a second signal,
 * or the deadline, exits at once. Logs never hold the exit: what the reader has not taken after a
 * short wait is dropped (server/log-output.ts).
 */
import type { Logger } from 'pino';
import { errorSummary } from '../core/outbox/dispatcher.js';
import type { LogOutput } from './log-output.js';

export interface ShutdownOptions {
  close: () => Promise<void>;
  logger: Logger;
  output: Pick<LogOutput, 'close' | 'abandon'>;
  /** How long draining may take before the process exits anyway. */
  graceMs: number;
  /** How long the last log lines may wait for a slow reader. */
  logFlushMs?: number;
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
}

export function exitOnSignals(options: ShutdownOptions): { stop(signal: string): void } {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const { logger, output } = options;
  let stopping = false;
  let exited = false;
  const finish = async (code: number, flushMs: number) => {
    if (exited) return;
    await output.close(flushMs);
    if (exited) return;
    exited = true;
    exit(code);
  };
  const now = (code: number) => {
    if (exited) return;
    output.abandon();
    exited = true;
    exit(code);
  };

  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      now(signal === 'SIGINT' ? 130 : 143);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: draining turns in flight');
    const deadline = setTimeout(() => {
      logger.error({ graceMs: options.graceMs }, 'shutdown took too long; exiting');
      now(1);
    }, options.graceMs);
    deadline.unref();
    options.close().then(
      () => {
        logger.info('shut down cleanly');
        void finish(0, options.logFlushMs ?? 2_000);
      },
      (err: unknown) => {
        logger.error({ err: errorSummary(err) }, 'error during shutdown');
        void finish(1, options.logFlushMs ?? 2_000);
      },
    );
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) process.on(signal, () => stop(signal));
  return { stop };
}
