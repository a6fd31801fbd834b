/**
 * The queue's service-level timer. Timeouts live in the database (Handoff.slaDueAt), so they survive
 * restarts: a scan marks every waiting handoff past its due time (slaNotifiedAt, set once under
 * FOR UPDATE SKIP LOCKED, so instances sharing PostgreSQL never notify twice), tells the user they
 * are still in the queue with the emergency numbers, and alerts supervisors on the bus.
 */
import type { Logger } from 'pino';
import { TURN_TX_OPTIONS } from '../db/tx.js';
import type { BusEvent } from '../events/bus.js';
import { tellUser } from './notify.js';
import type { QueueDeps } from './operations.js';

export interface SlaScanResult {
  breached: { handoffId: string; conversationId: string }[];
}

export async function scanSla(deps: QueueDeps, opts: { batchSize?: number; onBreach?: (level: string) => void } = {}): Promise<SlaScanResult> {
  const events: BusEvent[] = [];
  const breached = await deps.db.$transaction(async (tx) => {
    const at = deps.clock?.() ?? new Date();
    const due = await tx.$queryRaw<{ id: string; conversationId: string; level: string }[]>`
      UPDATE "Handoff" SET "slaNotifiedAt" = ${at}
      WHERE id IN (
        SELECT id FROM "Handoff"
        WHERE state = 'waiting' AND "slaNotifiedAt" IS NULL AND "slaDueAt" <= ${at}
        ORDER BY priority DESC, "createdAt" ASC
        LIMIT ${opts.batchSize ?? 100}
        FOR UPDATE SKIP LOCKED
      )
      RETURNING id, "conversationId", level::text AS level`;
    for (const row of due) {
      const conversation = await tx.conversation.findUnique({ where: { id: row.conversationId }, select: { channel: true, locale: true } });
      if (!conversation) continue;
      events.push({ type: 'sla.breached', handoffId: row.id, conversationId: row.conversationId });
      await tellUser(tx, { id: row.conversationId, ...conversation }, 'handoff.slaUpdate', at, events, { urgent: true });
      opts.onBreach?.(row.level);
    }
    return due.map((r) => ({ handoffId: r.id, conversationId: r.conversationId }));
  }, TURN_TX_OPTIONS);
  for (const event of events) deps.bus.publish(event);
  if (breached.length) deps.kickOutbox?.();
  return { breached };
}

/** Runs scanSla every `intervalMs` until stopped; a failed scan is logged and the next one runs. */
export function startSlaLoop(deps: QueueDeps, opts: { intervalMs: number; logger: Logger; onBreach?: (level: string) => void }): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    running = scanSla(deps, { ...(opts.onBreach ? { onBreach: opts.onBreach } : {}) })
      .then(({ breached }) => {
        if (breached.length) opts.logger.warn({ count: breached.length }, 'queue: SLA breached, users updated and supervisors alerted');
      })
      .catch((err: unknown) => opts.logger.error({ code: (err as { code?: string }).code ?? 'SLA_SCAN_FAILED' }, 'queue: SLA scan failed'))
      .finally(() => {
        running = undefined;
        if (!stopped) {
          timer = setTimeout(tick, opts.intervalMs);
          timer.unref();
        }
      });
  };
  tick();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
