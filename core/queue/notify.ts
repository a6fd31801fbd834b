/** A system message to the user about their place with the counsellors (claimed, transferred, still waiting). */
import type { Tx } from '../db/tx.js';
import type { BusEvent } from '../events/bus.js';
import { toLocale, translate } from '../i18n/index.js';
import type { OutboundChoice } from '../messages/types.js';
import { enqueueOutbound } from '../outbox/enqueue.js';

export async function tellUser(
  tx: Tx,
  conversation: { id: string; channel: string; locale: string },
  key: string,
  now: Date,
  events: BusEvent[],
  opts: { urgent?: boolean; params?: Record<string, unknown>; extra?: string; choices?: OutboundChoice[] } = {},
): Promise<void> {
  // Stryker disable next-line StringLiteral: an unknown locale already falls back to Vietnamese in translate (FALLBACK_LOCALE)
  const locale = toLocale(conversation.locale) ?? 'vi';
  const text = [translate(locale, key, opts.params), opts.extra].filter(Boolean).join('\n\n');
  const ids = await enqueueOutbound(tx, {
    conversationId: conversation.id,
    channel: conversation.channel,
    messages: [{ text, author: 'system', ...(opts.urgent ? { urgent: true } : {}), ...(opts.choices?.length ? { choices: opts.choices } : {}) }],
    now,
  });
  for (const id of ids) events.push({ type: 'conversation.message', conversationId: conversation.id, messageId: id, direction: 'outbound' });
}
