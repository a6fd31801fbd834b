/**
 * The queue as the console page shows it (read-only): every open chat with why it was escalated
 * (and whether the model alone raised it), the waiting-room flags, what the person asked for from
 * the directory's "connect me" button (with the service's name), who holds it or is offered it.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../core/db/client.js';
import { listQueue, type QueueDeps } from '../../core/queue/operations.js';
import type { makeGuard } from '../auth/guard.js';
import { escalationOf, messageRisks } from '../read/risk.js';

/** Handoff categories that are waiting-room flags from the person's safety check, not risk categories. */
export const SAFETY_FLAGS = ['phone_watched', 'must_be_quick'] as const;

export interface HandoffDetails {
  ask?: string;
  need?: string;
  group?: string;
  province?: string;
  service?: string;
  /** The service's names, when `service` names a directory entry. */
  serviceName?: { vi: string; en: string };
}

/** Handoff.details as stored by the "connect me" button, with the service's names. Unknown keys are dropped. */
export async function readDetails(db: Db, raw: unknown): Promise<HandoffDetails | null> {
  if (!raw || typeof raw !== 'object') return null;
  const d = raw as Record<string, unknown>;
  const pick = (k: string) => (typeof d[k] === 'string' && d[k] ? (d[k] as string) : undefined);
  const details: HandoffDetails = {};
  for (const k of ['ask', 'need', 'group', 'province', 'service'] as const) {
    const v = pick(k);
    if (v) details[k] = v;
  }
  if (details.service) {
    const entry = await db.serviceEntry.findFirst({ where: { slug: details.service }, select: { nameVi: true, nameEn: true } });
    if (entry) details.serviceName = { vi: entry.nameVi, en: entry.nameEn };
  }
  return Object.keys(details).length ? details : null;
}

export function boardRoutes(server: FastifyInstance, deps: { db: Db; queue: QueueDeps; guard: ReturnType<typeof makeGuard> }): void {
  const { db, guard } = deps;
  server.get('/console/api/queue/board', { preHandler: guard() }, async () => {
    const items = await listQueue(deps.queue);
    if (!items.length) return [];
    const ids = items.map((i) => i.handoffId);
    const [rows, risks] = await Promise.all([
      db.handoff.findMany({ where: { id: { in: ids } }, select: { id: true, details: true, createdAt: true, closedAt: true, counsellor: { select: { displayName: true } } } }),
      messageRisks(db, [...new Set(items.map((i) => i.conversationId))]),
    ]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const offered = [...new Set(items.map((i) => (i as { offeredTo?: string | null }).offeredTo).filter((id): id is string => !!id))];
    const names = new Map((offered.length ? await db.staffUser.findMany({ where: { id: { in: offered } }, select: { id: true, displayName: true } }) : []).map((s) => [s.id, s.displayName]));
    return Promise.all(
      items.map(async (item) => {
        const row = byId.get(item.handoffId);
        const escalation = row ? escalationOf(risks.get(item.conversationId) ?? [], { level: item.level, createdAt: row.createdAt, closedAt: row.closedAt }) : undefined;
        return {
          ...item,
          flags: item.categories.filter((c) => (SAFETY_FLAGS as readonly string[]).includes(c)),
          categories: item.categories.filter((c) => !(SAFETY_FLAGS as readonly string[]).includes(c)),
          details: row ? await readDetails(db, row.details) : null,
          escalation: escalation ?? null,
          holderName: row?.counsellor?.displayName ?? null,
          offeredToName: names.get((item as { offeredTo?: string | null }).offeredTo ?? '') ?? null,
        };
      }),
    );
  });
}
