/**
 * The queue's service-level timer. Timeouts live in the database (Handoff.slaDueAt), so they survive
 * restarts: a scan marks every waiting handoff past its due time (slaNotifiedAt, set once under
 * FOR UPDATE SKIP LOCKED, so instances sharing PostgreSQL never notify twice), tells the user they
 * are still in the queue with the emergency numbers, and alerts supervisors on the bus.
 */
import type { Logger } from 'pino';
import { TURN_TX_OPTIONS } from '../db/tx.js';
import type { BusEvent } from '../events/bus.js';
import { toLocale } from '../i18n/index.js';
import type { OutboundChoice } from '../messages/types.js';
import { numbersText } from '../safety/guidance.js';
import { decodeWhereabouts } from '../safety/whereabouts.js';
import { storedValue } from '../runtime/flow-step.js';
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
      const conversation = await tx.conversation.findUnique({ where: { id: row.conversationId }, select: { channel: true, locale: true, whereabouts: true, offeredChoices: true } });
      if (!conversation) continue;
      events.push({ type: 'sla.breached', handoffId: row.id, conversationId: row.conversationId });
      // Never a dead end: leave a message here, a counsellor answers in this chat; and the numbers again.
      const locale = toLocale(conversation.locale) ?? 'vi';
      await tellUser(tx, { id: row.conversationId, ...conversation }, 'queue:slaFallback', at, events, {
        urgent: true,
        extra: numbersText(locale, decodeWhereabouts(conversation.whereabouts)),
        choices: (conversation.offeredChoices as OutboundChoice[] | null) ?? [],
      });
      opts.onBreach?.(row.level);
    }
    return due.map((r) => ({ handoffId: r.id, conversationId: r.conversationId }));
  }, TURN_TX_OPTIONS);
  for (const event of events) deps.bus.publish(event);
  if (breached.length) deps.kickOutbox?.();
  return { breached };
}

/** Position updates go out at most this often per person. */
export const POSITION_UPDATE_MS = 60_000;

/**
 * Tells waiting people when they move up the queue: only when their place improved since they were
 * last told, at most once a minute, and not while they are busy with the assistant (the message would
 * cut into its questions). Rows are taken with SKIP LOCKED, so instances never tell anyone twice.
 */
export async function scanPositions(deps: QueueDeps, opts: { batchSize?: number } = {}): Promise<{ told: number }> {
  const events: BusEvent[] = [];
  const told = await deps.db.$transaction(async (tx) => {
    const at = deps.clock?.() ?? new Date();
    const moved = await tx.$queryRaw<{ id: string; conversationId: string; pos: bigint }[]>`
      WITH ranked AS (
        SELECT id, row_number() OVER (ORDER BY priority DESC, "createdAt" ASC) AS pos
        FROM "Handoff" WHERE state = 'waiting'
      )
      SELECT h.id, h."conversationId", r.pos
      FROM "Handoff" h JOIN ranked r ON r.id = h.id
      WHERE h.state = 'waiting' AND h."notifiedPosition" IS NOT NULL AND r.pos < h."notifiedPosition"
        AND (h."positionNotifiedAt" IS NULL OR h."positionNotifiedAt" <= ${new Date(at.getTime() - POSITION_UPDATE_MS)})
      ORDER BY r.pos
      LIMIT ${opts.batchSize ?? 200}
      FOR UPDATE OF h SKIP LOCKED`;
    let count = 0;
    for (const row of moved) {
      const position = Number(row.pos);
      await tx.handoff.update({ where: { id: row.id }, data: { notifiedPosition: position, positionNotifiedAt: at } });
      const conversation = await tx.conversation.findUnique({ where: { id: row.conversationId }, select: { channel: true, locale: true, waitSnapshot: true, offeredChoices: true } });
      if (!conversation || storedValue(conversation.waitSnapshot) === 'assistant') continue;
      await tellUser(tx, { id: row.conversationId, ...conversation }, 'queue:moved', at, events, {
        params: { position },
        choices: (conversation.offeredChoices as OutboundChoice[] | null) ?? [],
      });
      count++;
    }
    return count;
  }, TURN_TX_OPTIONS);
  for (const event of events) deps.bus.publish(event);
  if (told) deps.kickOutbox?.();
  return { told };
}

/** Runs scanSla every `intervalMs` until stopped; a failed scan is logged and the next one runs. */
export function startSlaLoop(deps: QueueDeps, opts: { intervalMs: number; logger: Logger; onBreach?: (level: string) => void }): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    running = scanSla(deps, { ...(opts.onBreach ? { onBreach: opts.onBreach } : {}) })
      .then(async ({ breached }) => {
        if (breached.length) opts.logger.warn({ count: breached.length }, 'queue: SLA breached, users updated and supervisors alerted');
        await scanPositions(deps);
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
