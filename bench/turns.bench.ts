/**
 * handleTurn throughput on the embedded database (in-memory PGlite), sequential turns through the
 * menu, against a baseline of single-row Prisma inserts into the same database in the same run.
 * The ratio (turn cost in single-insert units) is what to compare between runs.
 */
import { randomUUID } from 'node:crypto';
import type { BenchResult } from './run.js';
import { createApp } from '../server/app.js';
import { loadConfig } from '../core/config.js';
import { openDatabase } from '../core/db/client.js';
import { createLogger } from '../core/logging.js';

const TURNS = Number(process.env.BENCH_TURNS ?? 300);

/** Sequential turns of a realistic mix (first contacts, language, menu choices, typed text) on a fresh in-memory PGlite. */
async function turnsPerSecond(encryptAtRest: boolean): Promise<number> {
  const database = await openDatabase({ kind: 'pglite', dataDir: null });
  const app = await createApp(loadConfig({ LOG_LEVEL: 'silent', PORT: '0' }), { database, logger: createLogger('silent'), channelModules: [], encryptAtRest });
  try {
    const texts = ['hello', '1', 'tôi muốn hỏi về quyền lợi của nạn nhân', '3', 'menu', 'em bị giữ hộ chiếu thì làm sao'];
    for (let i = 0; i < 20; i++) await app.runtime.handleTurn({ channel: 'bench', externalUserId: `w${i}`, externalMessageId: randomUUID(), kind: 'text', payload: { text: 'hi' } });
    const start = performance.now();
    for (let i = 0; i < TURNS; i++) {
      await app.runtime.handleTurn({ channel: 'bench', externalUserId: `u${i % 50}`, externalMessageId: randomUUID(), kind: 'text', payload: { text: texts[i % texts.length]! } });
    }
    return TURNS / ((performance.now() - start) / 1000);
  } finally {
    await app.close();
  }
}

/** The cost of sealing what people say at rest: the same turns with and without it, in the same run. */
export async function encryptionCost(): Promise<BenchResult> {
  const plain = await turnsPerSecond(false);
  const sealed = await turnsPerSecond(true);
  return {
    name: 'handleTurn with encryption at rest (PGlite in memory, sequential)',
    unit: 'turns/s',
    value: sealed,
    baseline: { name: 'the same turns without sealing', value: plain },
    ratio: sealed / plain,
    notes: `${TURNS} turns each; AES-256-GCM on message text, payloads, snapshots and platform ids`,
  };
}

export default async function bench(): Promise<BenchResult[]> {
  return [await throughput(), await encryptionCost()];
}

async function throughput(): Promise<BenchResult> {
  const database = await openDatabase({ kind: 'pglite', dataDir: null });
  const app = await createApp(loadConfig({ LOG_LEVEL: 'silent', PORT: '0' }), { database, logger: createLogger('silent'), channelModules: [] });
  try {
    const first = await app.runtime.handleTurn({ channel: 'bench', externalUserId: 'warm', externalMessageId: randomUUID(), kind: 'text', payload: { text: 'hi' } });

    // Baseline: one-row inserts through the same Prisma client and database.
    const baseStart = performance.now();
    for (let i = 0; i < TURNS; i++) {
      await database.prisma.message.create({ data: { conversationId: first.conversationId, channel: 'bench-base', direction: 'inbound', author: 'user', kind: 'text', status: 'received' } });
    }
    const insertsPerSecond = TURNS / ((performance.now() - baseStart) / 1000);

    // Turns: users alternating between language choice and menu, as real first contacts do.
    const start = performance.now();
    for (let i = 0; i < TURNS; i++) {
      const user = `u${i % 50}`;
      const text = i % 3 === 0 ? 'hello' : i % 3 === 1 ? '1' : '3';
      await app.runtime.handleTurn({ channel: 'bench', externalUserId: user, externalMessageId: randomUUID(), kind: 'text', payload: { text } });
    }
    const turnsPerSecond = TURNS / ((performance.now() - start) / 1000);
    return {
      name: 'handleTurn (PGlite in memory, sequential)',
      unit: 'turns/s',
      value: turnsPerSecond,
      baseline: { name: 'Prisma single-row insert', value: insertsPerSecond },
      ratio: turnsPerSecond / insertsPerSecond,
      notes: `${TURNS} turns; an ordinary turn is four round trips (BEGIN, open, save, COMMIT)`,
    };
  } finally {
    await app.close();
  }
}
