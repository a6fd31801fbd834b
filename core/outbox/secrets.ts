/**
 * A message that carried a secret (a report's follow-up code) keeps only a masked copy once the
 * person has it. For most channels that is when the platform accepted it (the outbox masks it then);
 * for channels whose client reads the messages itself (the web chat over Direct Line), it is when
 * the client has read past it: the channel reports how far its client has read.
 */
import type { Db } from '../db/client.js';

/** The stored copy once delivered: the masked text, and the payload without the unmasked parts. */
export function afterSend(payload: { maskedText?: string; maskedCards?: unknown } & Record<string, unknown>): { text?: string; payload?: object } {
  if (typeof payload.maskedText !== 'string') return {};
  const { maskedText, maskedCards, secret: _secret, ...rest } = payload;
  return { text: maskedText, payload: { ...rest, ...(maskedCards ? { cards: maskedCards } : {}) } };
}

/** Masks the secrets of a conversation's messages its client has read (up to and including `seq`). */
export async function maskReadSecrets(db: Db, where: { conversationId: string } | { channel: string; externalChatId: string }, seq: bigint): Promise<number> {
  const rows = await db.message.findMany({
    where: {
      ...('conversationId' in where ? { conversationId: where.conversationId } : { conversation: { channel: where.channel, externalChatId: where.externalChatId } }),
      direction: 'outbound',
      seq: { lte: seq },
      payload: { path: ['secret'], equals: true },
    },
    select: { id: true, payload: true },
  });
  for (const row of rows) await db.message.update({ where: { id: row.id }, data: afterSend((row.payload ?? {}) as Record<string, unknown>) });
  return rows.length;
}
