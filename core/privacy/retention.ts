/**
 * Retention limit: conversations with no activity for RETENTION_DAYS are erased with their
 * messages, risk events and handoffs (cascade), and identities left with no conversation lose
 * their raw platform id. Chats a counsellor holds or that wait in the queue are never erased.
 * Submitted reports are case files: they stay (their link to the conversation is cleared).
 */
import type { Db } from '../db/client.js';

export interface RetentionResult {
  conversations: number;
  identities: number;
}

export async function applyRetention(db: Db, retentionDays: number, now = new Date()): Promise<RetentionResult> {
  const cutoff = new Date(now.getTime() - retentionDays * 24 * 60 * 60 * 1000);
  return db.$transaction(async (tx) => {
    const { count: conversations } = await tx.conversation.deleteMany({
      where: { lastActivityAt: { lt: cutoff }, status: { in: ['bot', 'closed'] } },
    });
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
