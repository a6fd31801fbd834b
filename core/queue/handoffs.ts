/**
 * Handoffs to a human: enqueue (or raise the priority of the chat already waiting) and the
 * user's position in the queue (priority first, then waiting time).
 */
import { Prisma } from '../db/generated/client.js';
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

export interface PlacedHandoff {
  handoffId: string;
  created: boolean;
  priority: number;
  /** The open handoff's priority and level before this one raised them (undefined when created). */
  previous?: { priority: number; level: RiskLevelName };
  /** 1-based place among waiting chats. */
  position: number;
  /** The usual wait in minutes (median of the last 20 claims this week), when there are enough. */
  typicalWaitMinutes?: number;
}

const RANK_SQL = (column: Prisma.Sql) => Prisma.sql`CASE ${column} WHEN 'none' THEN 0 WHEN 'elevated' THEN 1 WHEN 'high' THEN 2 ELSE 3 END`;

/**
 * enqueueHandoff, queuePosition and typicalWaitMinutes in one statement (an escalation's budget is a
 * few round trips): raises the chat's open handoff, or creates one (remembering the place the person
 * is told), unless `onlyIfOpen`; returns the place and the usual wait. The conversation's status is
 * the caller's to write.
 */
export async function enqueueAndPlace(tx: Tx, input: EnqueueInput & { onlyIfOpen?: boolean }): Promise<PlacedHandoff | undefined> {
  const now = input.now ?? new Date();
  const priority = priorityFor(input.level, input.reason);
  const rank = riskRank(input.level);
  const [row] = await tx.$queryRaw<{ id: string; created: boolean; priority: number; previousPriority: number | null; previousLevel: string | null; position: number; samples: number; medianSeconds: number | null }[]>`
    WITH existing AS (
      SELECT "id", "priority", "level"::text AS "level", "categories", "createdAt" FROM "Handoff"
      WHERE "conversationId" = ${input.conversationId}::uuid AND "state" IN ('waiting', 'claimed')
      ORDER BY "createdAt" DESC LIMIT 1
    ), ahead AS (
      SELECT count(*)::int AS n FROM "Handoff" o
      WHERE o."state" = 'waiting' AND (o."priority" > ${priority} OR (o."priority" = ${priority} AND o."createdAt" <= ${now}))
    ), created AS (
      INSERT INTO "Handoff" ("id", "conversationId", "priority", "level", "categories", "reason", "state", "details", "slaDueAt", "createdAt", "notifiedPosition", "positionNotifiedAt")
      SELECT gen_random_uuid(), ${input.conversationId}::uuid, ${priority}, ${input.level}::"RiskLevel", ${input.categories}::text[], ${input.reason}, 'waiting',
        ${input.details ? JSON.stringify(input.details) : null}::jsonb, ${new Date(now.getTime() + input.slaSeconds * 1000)}, ${now}, (SELECT n FROM ahead) + 1, ${now}
      WHERE NOT EXISTS (SELECT 1 FROM existing) AND NOT ${input.onlyIfOpen ?? false}::boolean
      RETURNING "id", "priority", "createdAt"
    ), raised AS (
      UPDATE "Handoff" h SET
        "priority" = GREATEST(h."priority", ${priority}),
        "level" = CASE WHEN ${rank} > ${RANK_SQL(Prisma.sql`h."level"::text`)} THEN ${input.level}::"RiskLevel" ELSE h."level" END,
        "categories" = ARRAY(SELECT DISTINCT c FROM unnest(h."categories" || ${input.categories}::text[]) AS c)
      FROM existing e WHERE h."id" = e."id"
      RETURNING h."id", h."priority", h."createdAt"
    ), mine AS (
      SELECT * FROM created UNION ALL SELECT * FROM raised
    ), waits AS (
      SELECT EXTRACT(EPOCH FROM (w."claimedAt" - w."createdAt"))::float8 AS s FROM "Handoff" w
      WHERE w."claimedAt" IS NOT NULL AND w."claimedAt" >= ${new Date(now.getTime() - 7 * 24 * 3600 * 1000)}
      ORDER BY w."claimedAt" DESC LIMIT 20
    )
    SELECT m."id"::text AS "id", EXISTS (SELECT 1 FROM created) AS "created", m."priority",
      (SELECT "priority" FROM existing) AS "previousPriority", (SELECT "level" FROM existing) AS "previousLevel",
      ((SELECT count(*) FROM "Handoff" o
        WHERE o."state" = 'waiting' AND o."id" <> m."id"
          AND (o."priority" > m."priority" OR (o."priority" = m."priority" AND o."createdAt" <= m."createdAt"))) + 1)::int AS "position",
      (SELECT count(*) FROM waits)::int AS "samples",
      (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY s) FROM waits) AS "medianSeconds"
    FROM mine m`;
  if (!row) return undefined;
  return {
    handoffId: row.id,
    created: row.created,
    priority: Number(row.priority),
    ...(row.previousPriority !== null ? { previous: { priority: Number(row.previousPriority), level: row.previousLevel as RiskLevelName } } : {}),
    position: Number(row.position),
    ...(Number(row.samples) >= 3 && row.medianSeconds !== null ? { typicalWaitMinutes: Math.max(1, Math.ceil(Number(row.medianSeconds) / 60)) } : {}),
  };
}
