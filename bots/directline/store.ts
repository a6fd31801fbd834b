/** Reads a Direct Line conversation's activities from the message table, after a watermark (message seq). */
import type { Db } from '../../core/db/client.js';
import { toActivity, WEBCHAT, type Activity, type StoredMessage } from './activities.js';

export async function conversationExists(db: Db, conversationId: string): Promise<boolean> {
  return (await db.conversation.count({ where: { channel: WEBCHAT, externalChatId: conversationId } })) > 0;
}

/**
 * Activities after `watermark`, oldest first, and the new watermark. Every committed message is
 * visible: for this channel the client pulling (or the socket) is the delivery.
 */
export async function activitiesAfter(db: Db, conversationId: string, watermark: bigint | null, names: Record<string, string>): Promise<{ activities: Activity[]; watermark: string | null }> {
  const rows: StoredMessage[] = await db.message.findMany({
    where: { conversation: { channel: WEBCHAT, externalChatId: conversationId }, ...(watermark !== null ? { seq: { gt: watermark } } : {}) },
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
  const last = rows.at(-1);
  return { activities, watermark: last ? last.seq.toString() : watermark !== null ? watermark.toString() : null };
}

export function parseWatermark(value: unknown): bigint | null {
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
