/** A system message to the user about their place with the counsellors (claimed, transferred, still waiting). */
import type { Tx } from '../db/tx.js';
import type { BusEvent } from '../events/bus.js';
import { toLocale, translate } from '../i18n/index.js';
import { enqueueOutbound } from '../outbox/enqueue.js';

export async function tellUser(
  tx: Tx,
  conversation: { id: string; channel: string; locale: string },
  key: string,
  now: Date,
  events: BusEvent[],
  opts: { urgent?: boolean } = {},
): Promise<void> {
  const ids = await enqueueOutbound(tx, {
    conversationId: conversation.id,
    channel: conversation.channel,
    messages: [{ text: translate(toLocale(conversation.locale) ?? 'vi', key), author: 'system', ...(opts.urgent ? { urgent: true } : {}) }],
    now,
  });
  for (const id of ids) events.push({ type: 'conversation.message', conversationId: conversation.id, messageId: id, direction: 'outbound' });
}
