/**
 * Retention limit: conversations with no activity for RETENTION_DAYS are erased with their
 * messages, risk events and handoffs (cascade), and identities left with no conversation lose
 * their raw platform id. Chats a counsellor holds or that wait in the queue are never erased.
 * Submitted reports are case files: they stay (their link to the conversation is cleared).
 * Empty conversations (the user never wrote or chose anything: only a start, a join or a command)
 * go after EMPTY_CONVERSATION_HOURS.
 */
import type { Db, Prisma } from '../db/client.js';

export const EMPTY_CONVERSATION_HOURS = 24;

/** A conversation in which the user said or chose something (a contact); commands alone (/start, a join) are not. */
export const HAS_USER_CONTENT: Prisma.ConversationWhereInput = { messages: { some: { direction: 'inbound', kind: { not: 'command' } } } };

export interface RetentionResult {
  conversations: number;
  identities: number;
}

export async function applyRetention(db: Db, retentionDays: number, now = new Date()): Promise<RetentionResult> {
  const cutoff = new Date(now.getTime() - retentionDays * 24 * 60 * 60 * 1000);
  return db.$transaction(async (tx) => {
    const { count: old } = await tx.conversation.deleteMany({
      where: { lastActivityAt: { lt: cutoff }, status: { in: ['bot', 'closed'] } },
    });
    const { count: empty } = await tx.conversation.deleteMany({
      where: { lastActivityAt: { lt: new Date(now.getTime() - EMPTY_CONVERSATION_HOURS * 3600_000) }, status: { in: ['bot', 'closed'] }, NOT: HAS_USER_CONTENT },
    });
    const conversations = old + empty;
    const { count: identities } = await tx.channelIdentity.deleteMany({
      where: { conversations: { none: {} } },
    });
    // Web chat resume codes live 24 hours.
    await tx.resumeCode.deleteMany({ where: { expiresAt: { lt: now } } });
    return { conversations, identities };
  });
}

/** Runs applyRetention now and then every interval until stopped. */
export function startRetentionLoop(run: () => Promise<unknown>, intervalMs = 60 * 60 * 1000): () => void {
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    run().catch(() => {}).finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs).unref();
    });
  };
  let timer = setTimeout(tick, 5_000).unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
