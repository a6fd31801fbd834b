/**
 * Reads a Direct Line conversation's activities from the message table, after a watermark (message
 * seq). Before the user has said anything nothing is stored: the welcome is rendered and handed out
 * with the watermark "w", which later means "from the user's first message on" (the stored copy of
 * that welcome is not sent again).
 */
import type { Db } from '../../core/db/client.js';
import type { OutboundMessage } from '../../core/messages/types.js';
import { toActivity, WEBCHAT, type Activity, type StoredMessage } from './activities.js';

export const WELCOME_WATERMARK = 'w';
export type Watermark = bigint | typeof WELCOME_WATERMARK | null;
/** The id of the start command stored with a conversation's first user message. */
export const startMessageId = (conversationId: string) => `start:${conversationId}`;

export async function conversationExists(db: Db, conversationId: string): Promise<boolean> {
  return (await db.conversation.count({ where: { channel: WEBCHAT, externalChatId: conversationId } })) > 0;
}

/**
 * Activities after `watermark`, oldest first, and the new watermark. Every committed message is
 * visible: for this channel the client pulling (or the socket) is the delivery.
 */
export async function activitiesAfter(
  db: Db,
  conversationId: string,
  watermark: Watermark,
  names: Record<string, string>,
  welcome: () => OutboundMessage[],
): Promise<{ activities: Activity[]; watermark: string | null }> {
  let after: bigint | null = typeof watermark === 'bigint' ? watermark : null;
  if (watermark === WELCOME_WATERMARK) {
    const first = await db.message.findFirst({
      where: { conversation: { channel: WEBCHAT, externalChatId: conversationId }, direction: 'inbound', NOT: { channelMessageId: startMessageId(conversationId) } },
      orderBy: { seq: 'asc' },
      select: { seq: true },
    });
    if (!first) return { activities: [], watermark: WELCOME_WATERMARK };
    after = first.seq - 1n;
  }
  const rows: StoredMessage[] = await db.message.findMany({
    where: { conversation: { channel: WEBCHAT, externalChatId: conversationId }, ...(after !== null ? { seq: { gt: after } } : {}) },
    orderBy: { seq: 'asc' },
    take: 500,
    select: { id: true, seq: true, direction: true, author: true, text: true, payload: true, channelMessageId: true, createdAt: true },
  });
  const labels = new Map<string, string>();
  let offered: { id: string; label: string }[] = [];
  for (const [index, row] of rows.entries()) {
    const payload = (row.payload ?? {}) as { choiceId?: string; choices?: { id: string; label: string }[] };
    if (row.direction === 'outbound' && payload.choices) offered = payload.choices;
    if (row.direction === 'inbound' && payload.choiceId) {
      // The button's label comes from the bot message that offered it (possibly before this batch).
      if (index === 0 || !offered.length) offered = await choicesBefore(db, conversationId, row.seq);
      const label = offered.find((c) => c.id === payload.choiceId)?.label;
      if (label) labels.set(row.id, label);
    }
  }
  // The user's own messages are echoed (Web Chat marks them sent); a start with nothing to show is not.
  const activities = rows
    .filter((row) => row.direction === 'outbound' || row.text || labels.has(row.id))
    .map((row) => toActivity(conversationId, row, (m) => labels.get(m.id), names));
  if (!rows.length && watermark === null && !(await conversationExists(db, conversationId))) {
    // Nothing stored yet: the welcome, rendered now, stored with the user's first message.
    const now = new Date();
    const rendered = welcome().map((m, i): StoredMessage => ({
      id: `welcome-${i}`,
      seq: 0n,
      direction: 'outbound',
      author: 'bot',
      text: m.text,
      payload: { ...(m.choices ? { choices: m.choices } : {}), ...(m.cards ? { cards: m.cards } : {}), ...(m.urgent ? { urgent: true } : {}) },
      channelMessageId: null,
      createdAt: now,
    }));
    return { activities: rendered.map((m) => toActivity(conversationId, m, () => undefined, names)), watermark: WELCOME_WATERMARK };
  }
  const last = rows.at(-1);
  return { activities, watermark: last ? last.seq.toString() : watermark === WELCOME_WATERMARK ? WELCOME_WATERMARK : after !== null ? after.toString() : null };
}

export function parseWatermark(value: unknown): Watermark {
  if (value === WELCOME_WATERMARK) return WELCOME_WATERMARK;
  if (typeof value !== 'string' || !/^\d{1,19}$/.test(value)) return null;
  return BigInt(value);
}

async function choicesBefore(db: Db, conversationId: string, seq: bigint): Promise<{ id: string; label: string }[]> {
  const previous = await db.message.findMany({
    where: { conversation: { channel: WEBCHAT, externalChatId: conversationId }, direction: 'outbound', seq: { lt: seq } },
    orderBy: { seq: 'desc' },
    take: 5,
    select: { payload: true },
  });
  for (const m of previous) {
    const choices = (m.payload as { choices?: { id: string; label: string }[] } | null)?.choices;
    if (choices?.length) return choices;
  }
  return [];
}
