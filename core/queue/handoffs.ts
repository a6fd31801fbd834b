/**
 * Handoffs to a human: enqueue (or raise the priority of the chat already waiting) and the
 * user's position in the queue (priority first, then waiting time).
 */
import type { Tx } from '../db/tx.js';
import { riskRank, type RiskLevelName } from '../risk/types.js';

export type HandoffReason = 'risk' | 'user_request' | 'in_danger' | 'transfer';

/** Higher is served first. A user who says they are in danger now is treated as an emergency. */
export function priorityFor(level: RiskLevelName, reason: HandoffReason): number {
  if (reason === 'in_danger') return 3;
  return Math.max(1, riskRank(level));
}

export interface EnqueueInput {
  conversationId: string;
  level: RiskLevelName;
  categories: string[];
  reason: HandoffReason;
  slaSeconds: number;
  now?: Date;
  /** What the person asked for help with (need, province), when a flow asked for the counsellor. */
  details?: Record<string, unknown>;
}

export interface EnqueueResult {
  handoffId: string;
  created: boolean;
  priority: number;
  raised: boolean;
}

export async function enqueueHandoff(tx: Tx, input: EnqueueInput): Promise<EnqueueResult> {
  const now = input.now ?? new Date();
  const priority = priorityFor(input.level, input.reason);
  const open = await tx.handoff.findFirst({
    where: { conversationId: input.conversationId, state: { in: ['waiting', 'claimed'] } },
    orderBy: { createdAt: 'desc' },
  });
  if (open) {
    const raised = priority > open.priority;
    if (raised || riskRank(input.level) > riskRank(open.level)) {
      await tx.handoff.update({
        where: { id: open.id },
        data: {
          priority: Math.max(priority, open.priority),
          level: riskRank(input.level) > riskRank(open.level) ? input.level : open.level,
          categories: [...new Set([...open.categories, ...input.categories])],
        },
      });
    }
    return { handoffId: open.id, created: false, priority: Math.max(priority, open.priority), raised };
  }
  const handoff = await tx.handoff.create({
    data: {
      conversationId: input.conversationId,
      priority,
      level: input.level,
      categories: input.categories,
      reason: input.reason,
      ...(input.details ? { details: input.details as object } : {}),
      slaDueAt: new Date(now.getTime() + input.slaSeconds * 1000),
      createdAt: now,
    },
  });
  await tx.conversation.update({ where: { id: input.conversationId }, data: { status: 'queued' } });
  return { handoffId: handoff.id, created: true, priority, raised: false };
}

/** 1-based position among waiting handoffs: those with higher priority, or equal priority and waiting longer, go first. */
export async function queuePosition(tx: Tx, handoffId: string): Promise<number> {
  const self = await tx.handoff.findUniqueOrThrow({ where: { id: handoffId } });
  const ahead = await tx.handoff.count({
    where: {
      state: 'waiting',
      id: { not: self.id },
      OR: [{ priority: { gt: self.priority } }, { priority: self.priority, createdAt: { lte: self.createdAt } }],
    },
  });
  return ahead + 1;
}

/**
 * The usual wait before a counsellor answers, in whole minutes: the median of the last 20 claims of
 * the past week. Undefined when there are too few to say (fewer than 3).
 */
export async function typicalWaitMinutes(tx: Tx, now: Date): Promise<number | undefined> {
  const recent = await tx.handoff.findMany({
    where: { claimedAt: { not: null, gte: new Date(now.getTime() - 7 * 24 * 3600 * 1000) } },
    orderBy: { claimedAt: 'desc' },
    take: 20,
    select: { createdAt: true, claimedAt: true },
  });
  if (recent.length < 3) return undefined;
  const waits = recent.map((h) => h.claimedAt!.getTime() - h.createdAt.getTime()).sort((a, b) => a - b);
  const median = waits[Math.floor(waits.length / 2)]!;
  return Math.max(1, Math.ceil(median / 60_000));
}
