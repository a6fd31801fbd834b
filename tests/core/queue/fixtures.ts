/**
 * Rows for the focused queue tests: conversations, handoffs and staff written straight to a real
 * (PGlite) database, and the events the queue publishes, so each test calls core/queue directly.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../../core/db/client.js';
import { createCachedTestDatabase } from '../../helpers/cached-db.js';
import { InMemoryEventBus, type BusEvent } from '../../../core/events/bus.js';
import type { QueueDeps } from '../../../core/queue/operations.js';

export interface QueueFixture {
  database: Database;
  deps: QueueDeps;
  events: BusEvent[];
  kicks: { count: number };
  clock: { ms: number };
  at(offsetMs?: number): Date;
  conversation(opts?: { locale?: string; whereabouts?: string; offeredChoices?: unknown; waitSnapshot?: unknown; channel?: string }): Promise<string>;
  handoff(conversationId: string, data?: Partial<HandoffRow>): Promise<string>;
  staff(opts?: { id?: string; alias?: string; availability?: 'available' | 'away'; capacity?: number; disabled?: boolean; lastOfferedAt?: Date; signedIn?: boolean; name?: string }): Promise<string>;
  reset(): Promise<void>;
}

interface HandoffRow {
  priority: number;
  level: 'none' | 'elevated' | 'high' | 'emergency';
  categories: string[];
  reason: string;
  state: 'waiting' | 'claimed' | 'closed';
  counsellorId: string | null;
  createdAt: Date;
  slaDueAt: Date;
  slaNotifiedAt: Date | null;
  claimedAt: Date | null;
  closedAt: Date | null;
  notifiedPosition: number | null;
  positionNotifiedAt: Date | null;
  offeredToId: string | null;
  offeredAt: Date | null;
  offerExpiresAt: Date | null;
  passedOver: string[];
  surveyAskedAt: Date | null;
  surveyAnswer: string | null;
}

/**
 * A fresh, migrated, in-memory PGlite, like tests/helpers/db.ts createTestDatabase, but the migrated
 * template is kept on disk (keyed by the migrations' content), so the mutation runs, which load this
 * file once per mutant, do not run the migrations each time.
 */
/** One migrated PGlite per test file, from the on-disk template (see tests/helpers/cached-db.ts). */
export function queueDatabase(): Promise<Database> {
  return createCachedTestDatabase();
}

export const T0 = Date.parse('2026-11-23T08:00:00Z');

export function queueFixture(database: Database): QueueFixture {
  const events: BusEvent[] = [];
  const bus = new InMemoryEventBus();
  bus.subscribe((e) => events.push(e));
  const kicks = { count: 0 };
  const clock = { ms: T0 };
  const db = database.prisma;
  const fixture: QueueFixture = {
    database,
    deps: { db, bus, kickOutbox: () => void kicks.count++, clock: () => new Date(clock.ms) },
    events,
    kicks,
    clock,
    at: (offsetMs = 0) => new Date(clock.ms + offsetMs),
    async conversation(opts = {}) {
      const channel = opts.channel ?? 'test';
      const identity = await db.channelIdentity.create({ data: { channel, userHash: randomUUID() } });
      const row = await db.conversation.create({
        data: {
          identityId: identity.id,
          channel,
          machineId: 'main',
          machineVersion: 1,
          locale: opts.locale ?? 'en',
          status: 'queued',
          ...(opts.whereabouts ? { whereabouts: opts.whereabouts } : {}),
          ...(opts.offeredChoices !== undefined ? { offeredChoices: opts.offeredChoices as object } : {}),
          ...(opts.waitSnapshot !== undefined ? { waitSnapshot: opts.waitSnapshot as object } : {}),
        },
      });
      return row.id;
    },
    async handoff(conversationId, data = {}) {
      const createdAt = data.createdAt ?? new Date(clock.ms);
      const row = await db.handoff.create({
        data: {
          conversationId,
          priority: 1,
          level: 'elevated',
          categories: [],
          reason: 'risk',
          slaDueAt: new Date(createdAt.getTime() + 60_000),
          ...data,
          createdAt,
        },
      });
      return row.id;
    },
    async staff(opts = {}) {
      const user = await db.staffUser.create({
        data: {
          ...(opts.id ? { id: opts.id } : {}),
          email: `${randomUUID()}@111.vn`,
          displayName: opts.name ?? 'Real Name',
          role: 'counsellor',
          passwordHash: 'x',
          availability: opts.availability ?? 'away',
          capacity: opts.capacity ?? 2,
          disabled: opts.disabled ?? false,
          ...(opts.alias ? { alias: opts.alias } : {}),
          ...(opts.lastOfferedAt ? { lastOfferedAt: opts.lastOfferedAt } : {}),
        },
      });
      if (opts.signedIn ?? opts.availability === 'available') {
        await db.staffSession.create({ data: { id: randomUUID(), userId: user.id, csrfToken: 'x', expiresAt: new Date(clock.ms + 3600_000) } });
      }
      return user.id;
    },
    async reset() {
      events.length = 0;
      kicks.count = 0;
      clock.ms = T0;
      await db.handoff.deleteMany();
      await db.staffSession.deleteMany();
      await db.staffUser.deleteMany();
      await db.channelIdentity.deleteMany();
    },
  };
  return fixture;
}

/** The outbound texts of a conversation, oldest first. */
export async function outbound(database: Database, conversationId: string) {
  return database.prisma.message.findMany({ where: { conversationId, direction: 'outbound' }, orderBy: { seq: 'asc' } });
}
