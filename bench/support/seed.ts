/**
 * Fills a database with `count` conversations before an instance starts on it, for the memory
 * figures: one real conversation is played through the runtime (3 turns, its real snapshot and
 * messages), then cloned in SQL: identities, conversations (same snapshot) and their messages.
 * Thousands of real turns would take minutes; the rows and their sizes are the same.
 */
import { randomUUID } from 'node:crypto';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../core/config.js';
import { openDatabase } from '../../core/db/client.js';
import type { DatabaseConfig } from '../../core/config.js';
import { createLogger } from '../../core/logging.js';

export async function seedConversations(config: DatabaseConfig, count: number, appSecret: string): Promise<void> {
  const database = await openDatabase(config);
  const app = await createApp(loadConfig({ LOG_LEVEL: 'silent', PORT: '0', APP_SECRET: appSecret }), { database, logger: createLogger('silent'), channelModules: [] });
  try {
    let conversationId = '';
    for (const text of ['xin chào', '1', '3']) {
      const turn = await app.runtime.handleTurn({ channel: 'telegram', externalUserId: 'seed-template', externalChatId: 'seed-template', externalMessageId: randomUUID(), kind: 'text', payload: { text } });
      conversationId = turn.conversationId;
    }
    const db = database.prisma;
    await db.$executeRaw`
      INSERT INTO "ChannelIdentity" ("id", "channel", "userHash", "externalUserId")
      SELECT gen_random_uuid(), 'telegram', 'seed-' || g, (9000000000 + g)::text FROM generate_series(1, ${count}::int) g`;
    await db.$executeRaw`
      INSERT INTO "Conversation" ("id", "identityId", "channel", "externalChatId", "locale", "status", "machineId", "machineVersion", "snapshot", "version", "offeredChoices", "lastActivityAt", "createdAt")
      SELECT gen_random_uuid(), i."id", t."channel", i."externalUserId", t."locale", t."status", t."machineId", t."machineVersion", t."snapshot", t."version", t."offeredChoices", now(), now()
      FROM "ChannelIdentity" i, (SELECT * FROM "Conversation" WHERE "id" = ${conversationId}::uuid) t
      WHERE i."userHash" LIKE 'seed-%'`;
    await db.$executeRaw`
      INSERT INTO "Message" ("id", "conversationId", "channel", "direction", "author", "kind", "text", "payload", "status", "createdAt", "sentAt")
      SELECT gen_random_uuid(), c."id", m."channel", m."direction", m."author", m."kind", m."text", m."payload",
        (CASE WHEN m."direction" = 'outbound' THEN 'sent' ELSE 'received' END)::"MessageStatus", now(), now()
      FROM "Conversation" c
      JOIN "ChannelIdentity" i ON i."id" = c."identityId" AND i."userHash" LIKE 'seed-%'
      CROSS JOIN (SELECT * FROM "Message" WHERE "conversationId" = ${conversationId}::uuid ORDER BY "seq") m`;
    await db.$executeRawUnsafe('VACUUM (ANALYZE)');
  } finally {
    await app.close();
  }
}
