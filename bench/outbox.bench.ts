/**
 * Outbox drain rate with a small and a large backlog: 100 pending messages (20 conversations × 5)
 * against 10,000 (2,000 × 5), delivered in order per conversation to an in-process port that accepts
 * at once, so the figure is the outbox's own cost (claims, outcome writes). The 10,000 figure's
 * baseline is the 100 figure from the same run: the ratio should stay near 1. On PGlite, and on
 * PostgreSQL when one is available.
 */
import type { BenchResult } from './run.js';
import { openDatabase, type Database } from '../core/db/client.js';
import { createLogger } from '../core/logging.js';
import type { ChannelPort } from '../core/messages/types.js';
import { keyringFor } from '../core/privacy/field-crypto.js';
import { OutboxDispatcher } from '../core/outbox/dispatcher.js';
import { createScratchDatabase } from '../tests/helpers/instances.js';
import { benchPostgresUrl } from './support/databases.js';

async function seedPending(db: Database, conversations: number, perConversation: number): Promise<void> {
  const tag = `bench-${Date.now()}-`;
  await db.prisma.$executeRaw`
    INSERT INTO "ChannelIdentity" ("id", "channel", "userHash") SELECT gen_random_uuid(), 'bench', ${tag} || g FROM generate_series(1, ${conversations}::int) g`;
  await db.prisma.$executeRaw`
    INSERT INTO "Conversation" ("id", "identityId", "channel", "machineId", "machineVersion")
    SELECT gen_random_uuid(), i."id", 'bench', 'main', 1 FROM "ChannelIdentity" i WHERE i."userHash" LIKE ${tag} || '%'`;
  await db.prisma.$executeRaw`
    INSERT INTO "Message" ("id", "conversationId", "channel", "direction", "author", "kind", "text", "status", "nextAttemptAt", "createdAt")
    SELECT gen_random_uuid(), c."id", 'bench', 'outbound', 'bot', 'text', 'reply ' || k, 'pending', now() - interval '1 second', now()
    FROM generate_series(1, ${perConversation}::int) k
    CROSS JOIN "Conversation" c JOIN "ChannelIdentity" i ON i."id" = c."identityId" AND i."userHash" LIKE ${tag} || '%'
    ORDER BY k, c."id"`;
}

/** Seeds `conversations` × 5 pending messages and times one full drain; checks order per conversation. */
async function drain(db: Database, conversations: number): Promise<number> {
  await seedPending(db, conversations, 5);
  const last = new Map<string, number>();
  let outOfOrder = 0;
  let sent = 0;
  const port: ChannelPort = {
    channel: 'bench',
    async send(target, message) {
      const k = Number(message.text.slice('reply '.length));
      if ((last.get(target.conversationId) ?? 0) !== k - 1) outOfOrder += 1;
      last.set(target.conversationId, k);
      sent += 1;
    },
  };
  // The seeded rows are clear text (as before encryption at rest): opening them passes them through.
  const outbox = new OutboxDispatcher({ db: db.prisma, ports: new Map([['bench', port]]), logger: createLogger('silent'), maxAttempts: 3, dataKeys: keyringFor('bench-secret-bench-secret-bench-secret') });
  const begin = performance.now();
  await outbox.sweep();
  const seconds = (performance.now() - begin) / 1000;
  if (sent !== conversations * 5 || outOfOrder) throw new Error(`outbox bench: sent ${sent} of ${conversations * 5}, ${outOfOrder} out of order`);
  return sent / seconds;
}

async function measure(label: string, open: () => Promise<Database>): Promise<BenchResult> {
  const db = await open();
  const small: number[] = [];
  let large: number;
  try {
    // Small backlog: three runs (each on new conversations; earlier ones are all sent), the median.
    await drain(db, 20); // warm-up (JIT, connections)
    for (let i = 0; i < 3; i++) small.push(await drain(db, 20));
    small.sort((a, b) => a - b);
    large = await drain(db, 2_000);
  } finally {
    await db.close();
  }
  return {
    name: `outbox drain, ${label}, 10,000 pending`,
    unit: 'msg/s',
    value: large,
    baseline: { name: '100 pending, same run (median of 3)', value: small[1]! },
    ratio: large / small[1]!,
    notes: 'in order per conversation, to a port that accepts at once (the outbox’s own cost); target ratio ≥ 1 (100 pending in 20 conversations cannot fill the 32 send slots)',
  };
}

export default async function bench(): Promise<BenchResult[]> {
  const results = [await measure('PGlite', () => openDatabase({ kind: 'pglite', dataDir: null }))];
  const pgUrl = await benchPostgresUrl();
  if (pgUrl) {
    results.push(
      await measure('PostgreSQL', async () => {
        const scratch = await createScratchDatabase(pgUrl, 'hotline_bench_outbox');
        const db = await openDatabase({ kind: 'postgres', url: scratch.url });
        return { ...db, close: async () => { await db.close(); await scratch.drop(); } };
      }),
    );
  }
  return results;
}
