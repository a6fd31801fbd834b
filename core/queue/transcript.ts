/** A conversation's whole transcript for the counsellor (the caller writes the audit entry). */
import type { Db } from '../db/client.js';

export interface TranscriptEntry {
  id: string;
  direction: 'inbound' | 'outbound';
  author: 'user' | 'bot' | 'counsellor' | 'system';
  kind: string;
  text: string | null;
  choiceId?: string;
  choices?: { id: string; label: string }[];
  status: string;
  createdAt: Date;
}

export async function getTranscript(db: Db, conversationId: string, opts: { afterSeq?: bigint } = {}): Promise<TranscriptEntry[]> {
  const rows = await db.message.findMany({
    where: { conversationId, ...(opts.afterSeq !== undefined ? { seq: { gt: opts.afterSeq } } : {}) },
    orderBy: { seq: 'asc' },
    take: 2000,
  });
  return rows.map((m) => {
    const payload = (m.payload ?? {}) as { choiceId?: string; choices?: { id: string; label: string }[] };
    return {
      id: m.id,
      direction: m.direction,
      author: m.author,
      kind: m.kind,
      text: m.text,
      ...(payload.choiceId ? { choiceId: payload.choiceId } : {}),
      ...(payload.choices ? { choices: payload.choices } : {}),
      status: m.status,
      createdAt: m.createdAt,
    };
  });
}
