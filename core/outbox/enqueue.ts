/** Writes rendered outbound messages as `pending` rows for the outbox, inside the caller's transaction. */
import type { Tx } from '../db/tx.js';
import type { InboundMessage, OutboundMessage } from '../messages/types.js';

export interface EnqueueOutboundInput {
  conversationId: string;
  channel: string;
  messages: OutboundMessage[];
  now: Date;
  /** A channel reply handle that came with the inbound message (LINE reply token). */
  replyHandle?: InboundMessage['replyHandle'];
}

/** Returns the new message ids in send order. */
export async function enqueueOutbound(tx: Tx, input: EnqueueOutboundInput): Promise<string[]> {
  if (!input.messages.length) return [];
  const rows = await tx.message.createManyAndReturn({
    data: input.messages.map((m) => ({
      conversationId: input.conversationId,
      channel: input.channel,
      direction: 'outbound' as const,
      author: m.author,
      kind: 'text',
      text: m.text,
      payload: JSON.parse(
        JSON.stringify({
          ...(m.choices ? { choices: m.choices } : {}),
          ...(m.cards ? { cards: m.cards } : {}),
          ...(m.urgent ? { urgent: true } : {}),
          ...(input.replyHandle ? { replyHandle: input.replyHandle } : {}),
        }),
      ) as object,
      status: 'pending' as const,
      nextAttemptAt: input.now,
      createdAt: input.now,
    })),
    select: { id: true, seq: true },
  });
  return rows.sort((a, b) => (a.seq < b.seq ? -1 : 1)).map((r) => r.id);
}
