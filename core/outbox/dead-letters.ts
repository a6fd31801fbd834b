/**
 * Dead letters: outbound messages that failed for good (after OUTBOX_MAX_ATTEMPTS, or refused for
 * good by the platform). They are made visible: a `delivery.failed` bus event (ids and the error
 * code only), "not delivered" on transcript entries and queue items, a supervisor's retry
 * (`retryMessage`), and, when what did not arrive was emergency guidance (an urgent message) or a
 * counsellor's reply, a handoff so a counsellor looks at once: the open one is raised (category
 * `undelivered`), or a new one opens (reason `undelivered`).
 */
import type { Db } from '../db/client.js';
import { TURN_TX_OPTIONS } from '../db/tx.js';
import { AppError } from '../errors.js';
import type { BusEvent, EventBus } from '../events/bus.js';
import { riskRank } from '../risk/types.js';

export interface DeadLetter {
  id: string;
  conversationId: string;
  code: string;
}

/** Added to a handoff's categories when a message of its conversation was not delivered. */
export const UNDELIVERED = 'undelivered';
/** Priority of a handoff opened because emergency guidance did not arrive (as an emergency), or a counsellor's reply (high). */
const PRIORITY = { urgent: 3, counsellor: 2 } as const;

export interface DeadLetterDeps {
  db: Db;
  bus: EventBus;
  slaSeconds: number;
  clock?: () => Date;
}

/** Publishes the failures and opens or raises handoffs where a person needs a counsellor to look. */
export async function handleDeadLetters(deps: DeadLetterDeps, failed: DeadLetter[]): Promise<{ handoffs: string[] }> {
  const events: BusEvent[] = failed.map((f) => ({ type: 'delivery.failed', conversationId: f.conversationId, messageId: f.id, code: f.code.slice(0, 64) }));
  const rows = failed.length
    ? await deps.db.message.findMany({ where: { id: { in: failed.map((f) => f.id) } }, select: { id: true, conversationId: true, author: true, payload: true } })
    : [];
  const needsCounsellor = new Map<string, 'urgent' | 'counsellor'>();
  for (const row of rows) {
    const urgent = Boolean((row.payload as { urgent?: boolean } | null)?.urgent);
    if (urgent) needsCounsellor.set(row.conversationId, 'urgent');
    else if (row.author === 'counsellor' && !needsCounsellor.has(row.conversationId)) needsCounsellor.set(row.conversationId, 'counsellor');
  }
  const handoffs: string[] = [];
  for (const [conversationId, why] of needsCounsellor) {
    const handoffId = await deps.db.$transaction(async (tx) => {
      const at = deps.clock?.() ?? new Date();
      const conversation = await tx.conversation.findUnique({ where: { id: conversationId }, select: { id: true, identityId: true, riskLevel: true, status: true } });
      if (!conversation) return null;
      // Same lock order as a turn and a claim (identity, then handoff).
      await tx.$queryRaw`SELECT id FROM "ChannelIdentity" WHERE id = ${conversation.identityId}::uuid FOR UPDATE`;
      const open = await tx.handoff.findFirst({ where: { conversationId, state: { in: ['waiting', 'claimed'] } }, orderBy: { createdAt: 'desc' } });
      const priority = PRIORITY[why];
      if (open) {
        await tx.handoff.update({
          where: { id: open.id },
          data: { categories: [...new Set([...open.categories, UNDELIVERED])], priority: Math.max(open.priority, priority), ...(why === 'urgent' ? { level: 'emergency' } : {}) },
        });
        events.push({ type: 'handoff.updated', handoffId: open.id, conversationId });
        return open.id;
      }
      const level = why === 'urgent' ? 'emergency' : riskRank(conversation.riskLevel) >= riskRank('high') ? conversation.riskLevel : 'high';
      const created = await tx.handoff.create({
        data: { conversationId, priority, level, categories: [UNDELIVERED], reason: UNDELIVERED, slaDueAt: new Date(at.getTime() + deps.slaSeconds * 1000), createdAt: at },
      });
      // Queued like every chat waiting for a counsellor (the waiting room greets the person when they next write).
      await tx.conversation.update({ where: { id: conversationId }, data: { status: 'queued', version: { increment: 1 } } });
      events.push({ type: 'handoff.created', handoffId: created.id, conversationId, priority });
      return created.id;
    }, TURN_TX_OPTIONS);
    if (handoffId) handoffs.push(handoffId);
  }
  for (const event of events) deps.bus.publish(event);
  return { handoffs };
}

/**
 * A supervisor sends an undelivered message again: it goes back to the outbox as pending, due now
 * (MESSAGE_NOT_FAILED when it is not a failed outbound message).
 */
export async function retryMessage(deps: { db: Db; bus: EventBus; clock?: () => Date }, messageId: string): Promise<{ id: string; conversationId: string; status: 'pending' }> {
  const at = deps.clock?.() ?? new Date();
  const message = await deps.db.message.findUnique({ where: { id: messageId }, select: { id: true, conversationId: true, direction: true, status: true } });
  if (!message) throw new AppError('MESSAGE_NOT_FOUND', 'no such message', 404);
  const { count } = await deps.db.message.updateMany({
    where: { id: messageId, direction: 'outbound', status: 'failed' },
    data: { status: 'pending', attempts: 0, nextAttemptAt: at, lastErrorCode: null },
  });
  if (!count) throw new AppError('MESSAGE_NOT_FAILED', 'only an outbound message that was not delivered can be sent again', 409);
  deps.bus.publish({ type: 'conversation.message', conversationId: message.conversationId, messageId, direction: 'outbound' });
  deps.bus.publish({ type: 'outbox.pending', conversationId: message.conversationId });
  return { id: messageId, conversationId: message.conversationId, status: 'pending' };
}
