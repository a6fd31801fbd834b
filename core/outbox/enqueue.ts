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
          ...(m.sender ? { sender: m.sender } : {}),
          // What the stored copy becomes once delivered: the secret masked (sealed at rest meanwhile).
          ...(m.secrets?.length ? { maskedText: maskSecrets(m.text, m.secrets), ...(m.cards ? { maskedCards: m.cards.map((c) => ({ ...c, body: maskSecrets(c.body, m.secrets!) })) } : {}) } : {}),
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

/** The text with each secret replaced by dots of the same shape ("7K4M-Q9PX" → "••••-••••"). */
export function maskSecrets(text: string, secrets: string[]): string {
  let masked = text;
  for (const secret of secrets) masked = masked.split(secret).join(secret.replace(/[^-\s]/g, '•'));
  return masked;
}
