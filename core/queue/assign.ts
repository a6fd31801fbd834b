/**
 * Fair assignment: counsellors set themselves available (or away) with a capacity (chats at once);
 * each waiting chat, highest priority then longest wait first, is offered to the available
 * counsellor with the fewest open chats (held + offered) below their capacity (ties: the one
 * offered a chat least recently). An offer lasts `offerSeconds`: not accepted in time, it goes to
 * the next counsellor and the one who missed it is set away (as call centres do: they set
 * themselves available again). A declined chat goes to the next counsellor; when every available
 * counsellor has passed on it, a new round starts with anyone but the last one to pass (that one
 * alone gets it again only once the last offer is two offer times old).
 * Any counsellor may still claim any waiting chat by hand.
 *
 * Safe with several instances on one PostgreSQL: a pass first locks the available counsellors'
 * rows (FOR UPDATE, in id order), so passes run one at a time per team, then takes waiting chats
 * with FOR UPDATE SKIP LOCKED (a chat in a user's turn or a claim is left for the next pass).
 */
import type { Logger } from 'pino';
import { TURN_TX_OPTIONS, type Tx } from '../db/tx.js';
import { AppError } from '../errors.js';
import type { BusEvent } from '../events/bus.js';
import type { QueueDeps } from './operations.js';

export interface AssignDeps extends QueueDeps {
  offerSeconds: number;
}

export interface PassResult {
  offered: { handoffId: string; counsellorId: string; expiresAt: Date }[];
  lapsed: { handoffId: string; counsellorId: string }[];
}

const now = (deps: QueueDeps) => deps.clock?.() ?? new Date();

interface Candidate {
  id: string;
  capacity: number;
  lastOfferedAt: Date | null;
  open: number;
}

/** One assignment pass: lapsed offers go back (their counsellor is set away), then waiting chats are offered. */
export async function assignPass(deps: AssignDeps, opts: { batchSize?: number } = {}): Promise<PassResult> {
  const events: BusEvent[] = [];
  const result = await deps.db.$transaction(async (tx): Promise<PassResult> => {
    const at = now(deps);
    // 1. Serialise passes: the available counsellors' rows, always in the same order.
    const staff = await tx.$queryRaw<{ id: string; capacity: number; lastOfferedAt: Date | null }[]>`
      SELECT u.id::text AS id, u.capacity, u."lastOfferedAt" FROM "StaffUser" u
      WHERE u.availability = 'available' AND NOT u.disabled
      ORDER BY u.id FOR UPDATE`;

    // 2. Offers not taken in time go back; whoever missed one is set away.
    const lapsed = await tx.$queryRaw<{ id: string; conversationId: string; who: string }[]>`
      WITH lapsed AS (
        SELECT id, "offeredToId" AS who FROM "Handoff"
        WHERE state = 'waiting' AND "offeredToId" IS NOT NULL AND "offerExpiresAt" <= ${at}
        ORDER BY "offerExpiresAt" LIMIT 200
        FOR UPDATE SKIP LOCKED
      )
      UPDATE "Handoff" h SET "offeredToId" = NULL, "offerExpiresAt" = NULL, "passedOver" = array_append(h."passedOver", l.who::text)
      FROM lapsed l WHERE h.id = l.id
      RETURNING h.id::text AS id, h."conversationId"::text AS "conversationId", l.who::text AS who`;
    const missed = [...new Set(lapsed.map((l) => l.who))];
    if (missed.length) {
      await tx.staffUser.updateMany({ where: { id: { in: missed }, availability: 'available' }, data: { availability: 'away', availabilityAt: at } });
      for (const who of missed) events.push({ type: 'staff.availability', userId: who });
    }
    for (const l of lapsed) events.push({ type: 'handoff.offer_ended', handoffId: l.id, conversationId: l.conversationId, counsellorId: l.who, reason: 'expired' });

    // 3. Who can take a chat: available, signed in, below capacity.
    const signedIn = new Set(
      (
        await tx.staffSession.findMany({
          where: { userId: { in: staff.map((s) => s.id) }, expiresAt: { gt: at }, enrolOnly: false },
          select: { userId: true },
        })
      ).map((s) => s.userId),
    );
    const candidates: Candidate[] = staff
      .filter((s) => !missed.includes(s.id) && signedIn.has(s.id))
      .map((s) => ({ id: s.id, capacity: Number(s.capacity), lastOfferedAt: s.lastOfferedAt, open: 0 }));
    const offered: PassResult['offered'] = [];
    if (candidates.length) {
      await countOpen(tx, candidates);
      const waiting = await tx.$queryRaw<{ id: string; conversationId: string; passedOver: string[]; offeredAt: Date | null }[]>`
        SELECT id::text AS id, "conversationId"::text AS "conversationId", "passedOver", "offeredAt" FROM "Handoff"
        WHERE state = 'waiting' AND "offeredToId" IS NULL
        ORDER BY priority DESC, "createdAt" ASC
        LIMIT ${opts.batchSize ?? 100}
        FOR UPDATE SKIP LOCKED`;
      for (const chat of waiting) {
        const free = candidates.filter((c) => c.open < c.capacity);
        if (!free.length) break;
        let pool = free.filter((c) => !chat.passedOver.includes(c.id));
        let newRound = false;
        if (!pool.length) {
          // Everyone free has passed on it: a new round, first to anyone but the last to pass; back to
          // that one alone only once the last offer is two offer times old.
          const last = chat.passedOver.at(-1);
          pool = free.filter((c) => c.id !== last);
          const rested = !chat.offeredAt || chat.offeredAt.getTime() + 2 * deps.offerSeconds * 1000 <= at.getTime();
          if (!pool.length && rested) pool = free;
          if (!pool.length) continue;
          newRound = true;
        }
        const pick = pool.sort(fairest)[0]!;
        const expiresAt = new Date(at.getTime() + deps.offerSeconds * 1000);
        await tx.handoff.update({
          where: { id: chat.id },
          data: { offeredToId: pick.id, offeredAt: at, offerExpiresAt: expiresAt, ...(newRound ? { passedOver: [] } : {}) },
        });
        await tx.staffUser.update({ where: { id: pick.id }, data: { lastOfferedAt: at } });
        pick.open += 1;
        pick.lastOfferedAt = at;
        offered.push({ handoffId: chat.id, counsellorId: pick.id, expiresAt });
        events.push({ type: 'handoff.offered', handoffId: chat.id, conversationId: chat.conversationId, counsellorId: pick.id, expiresAt: expiresAt.toISOString() });
      }
    }
    return { offered, lapsed: lapsed.map((l) => ({ handoffId: l.id, counsellorId: l.who })) };
  }, TURN_TX_OPTIONS);
  for (const event of events) deps.bus.publish(event);
  return result;
}

/** Fewest open chats first; then the one offered a chat least recently (never first); then by id. */
function fairest(a: Candidate, b: Candidate): number {
  if (a.open !== b.open) return a.open - b.open;
  const at = a.lastOfferedAt?.getTime() ?? 0;
  const bt = b.lastOfferedAt?.getTime() ?? 0;
  if (at !== bt) return at - bt;
  return a.id < b.id ? -1 : 1;
}

/** Open chats per counsellor: the ones they hold plus the ones offered to them. */
async function countOpen(tx: Tx, candidates: Candidate[]): Promise<void> {
  const ids = candidates.map((c) => c.id);
  const [held, offers] = await Promise.all([
    tx.handoff.groupBy({ by: ['counsellorId'], where: { state: 'claimed', counsellorId: { in: ids } }, _count: { _all: true } }),
    tx.handoff.groupBy({ by: ['offeredToId'], where: { state: 'waiting', offeredToId: { in: ids } }, _count: { _all: true } }),
  ]);
  for (const c of candidates) {
    c.open = (held.find((h) => h.counsellorId === c.id)?._count._all ?? 0) + (offers.find((o) => o.offeredToId === c.id)?._count._all ?? 0);
  }
}

/** A counsellor passes on the chat offered to them: it goes to the next one. */
export async function declineOffer(deps: QueueDeps, input: { handoffId: string; counsellorId: string }): Promise<void> {
  const conversationId = await deps.db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ conversationId: string }[]>`
      SELECT "conversationId"::text AS "conversationId" FROM "Handoff"
      WHERE id = ${input.handoffId}::uuid AND state = 'waiting' AND "offeredToId" = ${input.counsellorId}::uuid
      FOR UPDATE`;
    if (!rows.length) throw new AppError('OFFER_NOT_YOURS', 'this chat is not offered to you (any more)', 409);
    await tx.$executeRaw`
      UPDATE "Handoff" SET "offeredToId" = NULL, "offerExpiresAt" = NULL, "passedOver" = array_append("passedOver", ${input.counsellorId}::text)
      WHERE id = ${input.handoffId}::uuid`;
    return rows[0]!.conversationId;
  }, TURN_TX_OPTIONS);
  deps.bus.publish({ type: 'handoff.offer_ended', handoffId: input.handoffId, conversationId, counsellorId: input.counsellorId, reason: 'declined' });
}

export interface Availability {
  status: 'available' | 'away';
  capacity: number;
  /** Chats held plus chats offered. */
  open: number;
  offers: { handoffId: string; conversationId: string; expiresAt: Date }[];
}

export async function availabilityOf(deps: QueueDeps, staffId: string): Promise<Availability> {
  const user = await deps.db.staffUser.findUnique({ where: { id: staffId }, select: { availability: true, capacity: true } });
  if (!user) throw new AppError('NOT_FOUND', 'no such account', 404);
  const [held, offers] = await Promise.all([
    deps.db.handoff.count({ where: { state: 'claimed', counsellorId: staffId } }),
    deps.db.handoff.findMany({ where: { state: 'waiting', offeredToId: staffId }, select: { id: true, conversationId: true, offerExpiresAt: true }, orderBy: { offeredAt: 'asc' } }),
  ]);
  return {
    status: user.availability,
    capacity: user.capacity,
    open: held + offers.length,
    offers: offers.map((o) => ({ handoffId: o.id, conversationId: o.conversationId, expiresAt: o.offerExpiresAt! })),
  };
}

/**
 * Sets a counsellor available or away (and their capacity). Going away hands back the chats offered
 * to them (to the next counsellor); the chats they hold stay theirs.
 */
export async function setAvailability(deps: QueueDeps, input: { staffId: string; status: 'available' | 'away'; capacity?: number }): Promise<Availability> {
  const events: BusEvent[] = [{ type: 'staff.availability', userId: input.staffId }];
  await deps.db.$transaction(async (tx) => {
    const at = now(deps);
    await tx.$queryRaw`SELECT id FROM "StaffUser" WHERE id = ${input.staffId}::uuid FOR UPDATE`;
    await tx.staffUser.update({
      where: { id: input.staffId },
      data: { availability: input.status, availabilityAt: at, ...(input.capacity !== undefined ? { capacity: input.capacity } : {}) },
    });
    if (input.status === 'away') {
      const released = await tx.$queryRaw<{ id: string; conversationId: string }[]>`
        UPDATE "Handoff" SET "offeredToId" = NULL, "offerExpiresAt" = NULL, "passedOver" = array_append("passedOver", ${input.staffId}::text)
        WHERE state = 'waiting' AND "offeredToId" = ${input.staffId}::uuid
        RETURNING id::text AS id, "conversationId"::text AS "conversationId"`;
      for (const r of released) events.push({ type: 'handoff.offer_ended', handoffId: r.id, conversationId: r.conversationId, counsellorId: input.staffId, reason: 'declined' });
    }
  }, TURN_TX_OPTIONS);
  for (const event of events) deps.bus.publish(event);
  return availabilityOf(deps, input.staffId);
}

export interface TeamMember {
  id: string;
  displayName: string;
  alias: string | null;
  role: string;
  status: 'available' | 'away';
  capacity: number;
  open: number;
  chats: { handoffId: string; level: string; claimedAt: Date | null }[];
  offers: { handoffId: string; expiresAt: Date }[];
}

/** Who holds what: every active account with its availability, held chats and pending offers (supervisors). */
export async function teamBoard(deps: QueueDeps): Promise<{ counsellors: TeamMember[]; waiting: number }> {
  const [users, open, waiting] = await Promise.all([
    deps.db.staffUser.findMany({ where: { disabled: false }, orderBy: { displayName: 'asc' }, select: { id: true, displayName: true, alias: true, role: true, availability: true, capacity: true } }),
    deps.db.handoff.findMany({
      where: { OR: [{ state: 'claimed' }, { state: 'waiting', offeredToId: { not: null } }] },
      select: { id: true, state: true, level: true, counsellorId: true, claimedAt: true, offeredToId: true, offerExpiresAt: true },
      orderBy: { createdAt: 'asc' },
    }),
    deps.db.handoff.count({ where: { state: 'waiting' } }),
  ]);
  const counsellors = users.map((u): TeamMember => {
    const chats = open.filter((h) => h.state === 'claimed' && h.counsellorId === u.id).map((h) => ({ handoffId: h.id, level: h.level, claimedAt: h.claimedAt }));
    const offers = open.filter((h) => h.state === 'waiting' && h.offeredToId === u.id).map((h) => ({ handoffId: h.id, expiresAt: h.offerExpiresAt! }));
    return { id: u.id, displayName: u.displayName, alias: u.alias, role: u.role, status: u.availability, capacity: u.capacity, open: chats.length + offers.length, chats, offers };
  });
  return { counsellors, waiting };
}

export interface AssignmentLoop {
  /** Runs a pass soon (coalesced): a chat arrived or freed up, a counsellor became available. */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Runs assignPass when woken, at the next offer's expiry, and every `intervalMs` as a fallback (a
 * new round after declines, an event missed from another instance). A failed pass is logged; the
 * next one runs.
 */
export function startAssignmentLoop(deps: AssignDeps, opts: { intervalMs: number; logger: Logger }): AssignmentLoop {
  let timer: NodeJS.Timeout | undefined;
  let nextAt = Number.POSITIVE_INFINITY;
  let running: Promise<void> | undefined;
  let rerun = false;
  let stopped = false;
  const schedule = (at: number) => {
    if (stopped || at >= nextAt) return;
    clearTimeout(timer);
    nextAt = at;
    timer = setTimeout(tick, Math.max(0, at - Date.now()));
    timer.unref();
  };
  const tick = () => {
    nextAt = Number.POSITIVE_INFINITY;
    if (running) {
      rerun = true;
      return;
    }
    running = assignPass(deps)
      .then(async (result) => {
        if (result.lapsed.length) opts.logger.info({ count: result.lapsed.length }, 'assignment: offers lapsed, chats offered to the next counsellor');
        const next = await deps.db.handoff.findFirst({ where: { state: 'waiting', offerExpiresAt: { not: null } }, orderBy: { offerExpiresAt: 'asc' }, select: { offerExpiresAt: true } });
        // A little after the expiry, so the pass sees it lapsed.
        if (next?.offerExpiresAt) schedule(next.offerExpiresAt.getTime() + 50);
      })
      .catch((err: unknown) => opts.logger.error({ code: (err as { code?: string }).code ?? 'ASSIGNMENT_FAILED' }, 'assignment: pass failed'))
      .finally(() => {
        running = undefined;
        if (stopped) return;
        if (rerun) {
          rerun = false;
          schedule(Date.now());
        }
        schedule(Date.now() + opts.intervalMs);
      });
  };
  tick();
  return {
    wake: () => schedule(Date.now()),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
