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
  /** An outbound message that failed for good (core/outbox/dead-letters.ts); a supervisor may send it again. */
  undelivered?: true;
  /** Why it was not delivered (a stable delivery error code). */
  errorCode?: string;
  createdAt: Date;
}

export async function getTranscript(db: Db, conversationId: string, opts: { afterSeq?: bigint } = {}): Promise<TranscriptEntry[]> {
  const rows = await db.message.findMany({
    // Stryker disable next-line ConditionalExpression: `seq: { gt: undefined }` is no filter to Prisma, the same as none
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
      ...(m.direction === 'outbound' && m.status === 'failed' ? { undelivered: true as const, ...(m.lastErrorCode ? { errorCode: m.lastErrorCode } : {}) } : {}),
      createdAt: m.createdAt,
    };
  });
}

/** How many of the user's last messages a waiting chat shows, and how much of each. */
export const PREVIEW = { messages: 3, characters: 160 };

/**
 * What a counsellor who does not hold the chat sees of a waiting one, to decide whether to take
 * it: the user's last few messages, cut short. The whole transcript comes with the claim.
 */
export function previewOf(transcript: TranscriptEntry[]): TranscriptEntry[] {
  return transcript
    .filter((m) => m.author === 'user' && m.text)
    .slice(-PREVIEW.messages)
    .map((m) => ({ ...m, text: cut(m.text!, PREVIEW.characters) }));
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
