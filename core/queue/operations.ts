/**
 * What counsellors do with the queue: list it, claim a chat (atomically: exactly one counsellor
 * wins), transfer it, and read its transcript. Closing and handing back go through the runtime
 * (Runtime.returnToBot) because they resume the bot's flow. Every function runs its own
 * transaction and locks in the same order as a user's turn (identity, then handoff).
 */
import type { Db } from '../db/client.js';
import { Prisma } from '../db/generated/client.js';
import type { Tx } from '../db/tx.js';
import { TURN_TX_OPTIONS } from '../db/tx.js';
import { AppError } from '../errors.js';
import type { BusEvent, EventBus } from '../events/bus.js';
import { toLocale } from '../i18n/index.js';
import { aliasOf, aliasShown } from './alias.js';
import { tellUser } from './notify.js';

export interface QueueDeps {
  db: Db;
  bus: EventBus;
  /** Wakes the outbox after a commit that wrote pending messages. */
  kickOutbox?: () => void;
  clock?: () => Date;
}

export interface QueueMatch {
  id: string;
  category: string;
  level: string;
  /** The words that matched, cut from the user's message (staff only). */
  term?: string;
}

export interface QueueItem {
  handoffId: string;
  conversationId: string;
  channel: string;
  locale: string;
  level: 'none' | 'elevated' | 'high' | 'emergency';
  categories: string[];
  reason: string;
  priority: number;
  state: 'waiting' | 'claimed';
  counsellorId: string | null;
  createdAt: Date;
  slaDueAt: Date;
  slaBreached: boolean;
  claimedAt: Date | null;
  matches: QueueMatch[];
  /** Fair assignment: the counsellor this waiting chat is offered to, and until when (core/queue/assign.ts). */
  offeredTo: string | null;
  offerExpiresAt: Date | null;
  /** Outbound messages of this conversation that failed for good (core/outbox/dead-letters.ts). */
  undelivered: number;
}

const now = (deps: QueueDeps) => deps.clock?.() ?? new Date();

function publishAll(deps: QueueDeps, events: BusEvent[]): void {
  for (const event of events) deps.bus.publish(event);
}

/** Open handoffs: waiting ones by priority (highest first) then waiting time, then claimed ones. */
export async function listQueue(deps: QueueDeps, opts: { states?: ('waiting' | 'claimed')[]; handoffId?: string } = {}): Promise<QueueItem[]> {
  const at = now(deps);
  const rows = await deps.db.handoff.findMany({
    where: { state: { in: opts.states ?? ['waiting', 'claimed'] }, ...(opts.handoffId ? { id: opts.handoffId } : {}) },
    orderBy: [{ priority: 'desc' }, { createdAt: 'asc' }],
    include: { conversation: { select: { channel: true, locale: true } } },
    take: 500,
  });
  const riskEvents = rows.length
    ? await deps.db.riskEvent.findMany({
        where: { conversationId: { in: rows.map((r) => r.conversationId) } },
        orderBy: { createdAt: 'asc' },
        select: { conversationId: true, messageId: true, matches: true, createdAt: true },
      })
    : [];
  const failed = rows.length
    ? await deps.db.message.groupBy({ by: ['conversationId'], where: { conversationId: { in: rows.map((r) => r.conversationId) }, direction: 'outbound', status: 'failed' }, _count: { _all: true } })
    : [];
  const messageIds = riskEvents.map((e) => e.messageId).filter((id): id is string => !!id);
  const texts = new Map(
    (messageIds.length ? await deps.db.message.findMany({ where: { id: { in: messageIds } }, select: { id: true, text: true } }) : []).map((m) => [m.id, m.text ?? '']),
  );
  const items = rows.map((row): QueueItem => {
    const matches: QueueMatch[] = [];
    for (const event of riskEvents) {
      if (event.conversationId !== row.conversationId) continue;
      const text = event.messageId ? texts.get(event.messageId) : undefined;
      for (const m of (event.matches as { id: string; category: string; level: string; start: number; end: number }[] | null) ?? []) {
        const term = text?.slice(m.start, m.end).trim();
        matches.push({ id: m.id, category: m.category, level: m.level, ...(term ? { term } : {}) });
      }
    }
    return {
      handoffId: row.id,
      conversationId: row.conversationId,
      channel: row.conversation.channel,
      locale: row.conversation.locale,
      level: row.level,
      categories: row.categories,
      reason: row.reason,
      priority: row.priority,
      state: row.state as 'waiting' | 'claimed',
      counsellorId: row.counsellorId,
      createdAt: row.createdAt,
      slaDueAt: row.slaDueAt,
      slaBreached: row.state === 'waiting' ? row.slaDueAt <= at : !!row.claimedAt && row.claimedAt > row.slaDueAt,
      claimedAt: row.claimedAt,
      matches,
      offeredTo: row.state === 'waiting' ? row.offeredToId : null,
      offerExpiresAt: row.state === 'waiting' ? row.offerExpiresAt : null,
      undelivered: failed.find((f) => f.conversationId === row.conversationId)?._count._all ?? 0,
    };
  });
  // Waiting chats first (priority, then longest wait), claimed ones after.
  return items.sort((a, b) => (a.state === b.state ? 0 : a.state === 'waiting' ? -1 : 1));
}

async function lockConversationOf(tx: Tx, handoffId: string) {
  const found = await tx.handoff.findUnique({ where: { id: handoffId }, select: { conversationId: true } });
  if (!found) throw new AppError('HANDOFF_NOT_FOUND', 'no such chat in the queue', 404);
  const conversation = await tx.conversation.findUniqueOrThrow({ where: { id: found.conversationId } });
  await tx.$queryRaw`SELECT id FROM "ChannelIdentity" WHERE id = ${conversation.identityId}::uuid FOR UPDATE`;
  return conversation;
}

/**
 * Takes a waiting chat. Exactly one of several concurrent claims wins: the row is taken with
 * FOR UPDATE SKIP LOCKED and must still be waiting; every other claimant gets HANDOFF_TAKEN (409).
 * `viaOffer`: accepting the chat offered to this counsellor (core/queue/assign.ts), which must
 * still be theirs (OFFER_NOT_YOURS otherwise). Any pending offer ends with the claim.
 */
export async function claimHandoff(deps: QueueDeps, input: { handoffId: string; counsellorId: string; viaOffer?: boolean }): Promise<QueueItem> {
  const events: BusEvent[] = [];
  await deps.db.$transaction(async (tx) => {
    const at = now(deps);
    const conversation = await lockConversationOf(tx, input.handoffId);
    const locked = await tx.$queryRaw<{ id: string; offeredToId: string | null; offerExpiresAt: Date | null }[]>`
      SELECT id, "offeredToId"::text AS "offeredToId", "offerExpiresAt" FROM "Handoff" WHERE id = ${input.handoffId}::uuid AND state = 'waiting' FOR UPDATE SKIP LOCKED`;
    if (!locked.length) throw new AppError('HANDOFF_TAKEN', 'another counsellor has already taken this chat', 409);
    const offer = locked[0]!;
    if (input.viaOffer && (offer.offeredToId !== input.counsellorId || !offer.offerExpiresAt || offer.offerExpiresAt <= at)) {
      throw new AppError('OFFER_NOT_YOURS', 'this chat is not offered to you (any more)', 409);
    }
    await tx.handoff.update({ where: { id: input.handoffId }, data: { state: 'claimed', counsellorId: input.counsellorId, claimedAt: at, offeredToId: null, offerExpiresAt: null } });
    if (offer.offeredToId) {
      events.push({ type: 'handoff.offer_ended', handoffId: input.handoffId, conversationId: conversation.id, counsellorId: offer.offeredToId, reason: offer.offeredToId === input.counsellorId ? 'accepted' : 'claimed' });
    }
    // The waiting room is over: the counsellor answers from now on.
    await tx.conversation.update({ where: { id: conversation.id }, data: { status: 'counsellor', waitSnapshot: Prisma.DbNull, version: { increment: 1 } } });
    events.push({ type: 'handoff.updated', handoffId: input.handoffId, conversationId: conversation.id });
    // Users see the counsellor's alias, never the account's name.
    const alias = aliasShown(toLocale(conversation.locale) ?? 'vi', await aliasOf(tx, input.counsellorId));
    await tellUser(tx, conversation, 'queue:claimed', at, events, { params: { alias } });
  }, TURN_TX_OPTIONS);
  publishAll(deps, events);
  deps.kickOutbox?.();
  const [item] = await listQueue(deps, { handoffId: input.handoffId });
  return item!;
}

/**
 * Passes a claimed chat to another counsellor, or back to the waiting queue (toCounsellorId null),
 * where it keeps its priority and original waiting time. Only the holder or a supervisor may.
 */
export async function transferHandoff(
  deps: QueueDeps,
  input: { handoffId: string; actorId: string; asSupervisor?: boolean; toCounsellorId: string | null },
): Promise<void> {
  const events: BusEvent[] = [];
  await deps.db.$transaction(async (tx) => {
    const at = now(deps);
    const conversation = await lockConversationOf(tx, input.handoffId);
    const handoff = await tx.handoff.findUniqueOrThrow({ where: { id: input.handoffId } });
    if (handoff.state === 'closed') throw new AppError('HANDOFF_CLOSED', 'this chat was already closed', 409);
    const holder = handoff.state === 'claimed' && handoff.counsellorId === input.actorId;
    if (!holder && !input.asSupervisor) throw new AppError('HANDOFF_NOT_OWNER', 'only the counsellor holding this chat can transfer it', 403);
    if (input.toCounsellorId) {
      const target = await tx.staffUser.findUnique({ where: { id: input.toCounsellorId } });
      if (!target || target.disabled) throw new AppError('BAD_INPUT', 'no active counsellor with that id', 400);
      await tx.handoff.update({ where: { id: handoff.id }, data: { state: 'claimed', counsellorId: target.id, claimedAt: handoff.claimedAt ?? at, offeredToId: null, offerExpiresAt: null } });
      await tx.conversation.update({ where: { id: conversation.id }, data: { status: 'counsellor', version: { increment: 1 } } });
    } else {
      // Back to the queue: fair assignment offers it to someone else first.
      await tx.handoff.update({ where: { id: handoff.id }, data: { state: 'waiting', counsellorId: null, ...(holder ? { passedOver: { push: input.actorId } } : {}) } });
      await tx.conversation.update({ where: { id: conversation.id }, data: { status: 'queued', version: { increment: 1 } } });
    }
    events.push({ type: 'handoff.updated', handoffId: handoff.id, conversationId: conversation.id });
    await tellUser(tx, conversation, 'queue:transferred', at, events);
  }, TURN_TX_OPTIONS);
  publishAll(deps, events);
  deps.kickOutbox?.();
}
