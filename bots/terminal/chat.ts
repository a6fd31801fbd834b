/**
 * `npm run chat`: talk to the bot in a terminal, through the same runtime and outbox as every
 * other channel. Uses DATABASE_URL when set, otherwise a throwaway in-memory database (so it can
 * run beside `npm start`, which holds the embedded database under DATA_DIR).
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../core/config.js';
import { openDatabase } from '../../core/db/client.js';
import { createLogger } from '../../core/logging.js';
import { terminalPort } from './port.js';

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const database = await openDatabase(config.DATABASE_URL ? { kind: 'postgres', url: config.DATABASE_URL } : { kind: 'pglite', dataDir: null });
  const app = await createApp(config, { database, logger: createLogger(config.LOG_LEVEL), channelModules: [], ports: [terminalPort((t) => process.stdout.write(t))] });
  const userId = `terminal-${randomUUID()}`;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  const lines = rl[Symbol.asyncIterator](); // created before the first await so piped input is not lost
  process.stdout.write(config.DATABASE_URL ? '(connected to DATABASE_URL)\n' : '(in-memory database: nothing is kept after you quit)\n');
  process.stdout.write('Type a message, a number to choose, /menu, /lang, /counsellor, /delete; Ctrl+D to quit.\n\n');

  const turn = async (text: string) => {
    await app.runtime.handleTurn({ channel: 'terminal', externalUserId: userId, externalMessageId: randomUUID(), kind: 'text', payload: { text } });
    await app.outbox.sweep();
  };
  await turn('/start');
  process.stdout.write('> ');
  for await (const line of lines) {
    if (!line.trim()) continue;
    await turn(line);
    process.stdout.write('> ');
  }
  await app.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
