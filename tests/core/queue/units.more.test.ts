/**
 * More of the queue's rules on one real PGlite, where order or a boundary decides who is served:
 * ties between counsellors by who was offered a chat least recently, new rounds after everyone
 * passed, the usual wait when claims came in another order than their waits, the week it looks
 * back, the cap on the queue list, and the order of a counsellor's chats on the team board.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../core/db/client.js';
import type { Tx } from '../../../core/db/tx.js';
import { assignPass, teamBoard } from '../../../core/queue/assign.js';
import { enqueueAndPlace, typicalWaitMinutes } from '../../../core/queue/handoffs.js';
import { listQueue } from '../../../core/queue/operations.js';
import { queueDatabase, queueFixture, T0, type QueueFixture } from './fixtures.js';

let database: Database;
let f: QueueFixture;
beforeAll(async () => {
  database = await queueDatabase();
  f = queueFixture(database);
});
afterAll(async () => {
  await database.close();
});
beforeEach(async () => {
  await f.reset();
});

const MIN = 60_000;
const DAY = 24 * 3600_000;
const db = () => database.prisma;
const tx = <T>(fn: (t: Tx) => Promise<T>): Promise<T> => db().$transaction(fn);
/** Staff ids in a known order (ties between equals go to the lower id). */
const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const OFFER = 30;
const pass = () => assignPass({ ...f.deps, offerSeconds: OFFER });
const waiting = async (minutesAgo: number, data: Parameters<QueueFixture['handoff']>[1] = {}) =>
  f.handoff(await f.conversation(), { createdAt: new Date(T0 - minutesAgo * MIN), ...data });

describe('who gets the offer', () => {
  it('between equals, the one offered a chat least recently, even with a higher id', async () => {
    await f.staff({ id: ID(1), availability: 'available', lastOfferedAt: new Date(T0 - MIN) });
    await f.staff({ id: ID(2), availability: 'available', lastOfferedAt: new Date(T0 - 10 * MIN) });
    await waiting(1);
    expect((await pass()).offered.map((o) => o.counsellorId)).toEqual([ID(2)]);
  });

  it('someone never offered a chat comes before anyone offered one', async () => {
    await f.staff({ id: ID(1), availability: 'available', lastOfferedAt: new Date(T0 - 30 * DAY) });
    await f.staff({ id: ID(2), availability: 'available' });
    await waiting(1);
    expect((await pass()).offered.map((o) => o.counsellorId)).toEqual([ID(2)]);
  });

  it('fewer open chats wins over having waited longer for an offer', async () => {
    await f.staff({ id: ID(1), availability: 'available', capacity: 3, lastOfferedAt: new Date(T0 - 30 * DAY) });
    await f.staff({ id: ID(2), availability: 'available', capacity: 3, lastOfferedAt: new Date(T0 - MIN) });
    await waiting(60, { state: 'claimed', counsellorId: ID(1) });
    await waiting(1);
    expect((await pass()).offered.map((o) => o.counsellorId)).toEqual([ID(2)]);
  });

  it('a new round goes to anyone but the last to pass, not to whoever passed second', async () => {
    await f.staff({ id: ID(1), availability: 'available', lastOfferedAt: new Date(T0 - MIN) });
    await f.staff({ id: ID(2), availability: 'available', lastOfferedAt: new Date(T0 - 10 * MIN) });
    await f.staff({ id: ID(3), availability: 'available', lastOfferedAt: new Date(T0 - 20 * MIN) });
    const chat = await waiting(1, { passedOver: [ID(1), ID(2), ID(3)], offeredAt: new Date(T0 - 5000) });
    expect((await pass()).offered.map((o) => o.counsellorId)).toEqual([ID(2)]);
    expect((await db().handoff.findUniqueOrThrow({ where: { id: chat } })).passedOver).toEqual([]);
  });

  it('long after the last offer, the new round still starts with someone else than the last to pass', async () => {
    await f.staff({ id: ID(1), availability: 'available', lastOfferedAt: new Date(T0 - MIN) });
    await f.staff({ id: ID(2), availability: 'available', lastOfferedAt: new Date(T0 - 10 * MIN) });
    await waiting(1, { passedOver: [ID(1), ID(2)], offeredAt: new Date(T0 - DAY) });
    expect((await pass()).offered.map((o) => o.counsellorId)).toEqual([ID(1)]);
  });
});

describe('usual wait', () => {
  const claimed = async (waitMin: number, claimedAgoMs: number) => {
    const claimedAt = new Date(T0 - claimedAgoMs);
    await f.handoff(await f.conversation(), { state: 'closed', createdAt: new Date(claimedAt.getTime() - waitMin * MIN), claimedAt });
  };

  it('is the median of the waits, whatever order the claims came in', async () => {
    await claimed(30, 1 * MIN); // the most recent claim waited longest
    await claimed(1, 2 * MIN);
    await claimed(10, 3 * MIN);
    expect(await tx((t) => typicalWaitMinutes(t, f.at()))).toBe(10);
    const c = await f.conversation();
    expect(await tx((t) => enqueueAndPlace(t, { conversationId: c, level: 'none', categories: [], reason: 'user_request', slaSeconds: 60, now: f.at() }))).toMatchObject({ typicalWaitMinutes: 10 });
  });

  it('looks back one week when a chat is placed', async () => {
    await claimed(4, 2 * DAY);
    await claimed(4, 3 * DAY);
    await claimed(4, 8 * DAY);
    const c = await f.conversation();
    const place = () => tx((t) => enqueueAndPlace(t, { conversationId: c, level: 'none', categories: [], reason: 'user_request', slaSeconds: 60, now: f.at() }));
    expect(await place()).not.toHaveProperty('typicalWaitMinutes');
    await claimed(4, 7 * DAY - MIN);
    expect(await place()).toMatchObject({ typicalWaitMinutes: 4 });
  });
});

describe('lists', () => {
  it('the queue list stops at 500 chats, the most urgent first', async () => {
    const c = await f.conversation();
    await db().handoff.createMany({
      data: Array.from({ length: 501 }, (_, i) => ({ conversationId: c, priority: i === 500 ? 3 : 1, level: 'elevated' as const, categories: [], reason: 'risk', createdAt: new Date(T0 - i * 1000), slaDueAt: new Date(T0 + MIN) })),
    });
    const queue = await listQueue(f.deps);
    expect(queue).toHaveLength(500);
    expect(queue[0]!.priority).toBe(3);
  });

  it('the words that raised the risk, oldest first', async () => {
    const c = await f.conversation();
    const id = await f.handoff(c);
    const event = (tag: string, at: number) =>
      db().riskEvent.create({ data: { conversationId: c, level: 'high', categories: [], source: 'rules', matches: [{ id: tag, category: 'x', level: 'high', start: 0, end: 1 }], createdAt: f.at(at) } });
    await event('later', -1000);
    await event('earlier', -5000);
    const [item] = await listQueue(f.deps, { handoffId: id });
    expect(item!.matches.map((m) => m.id)).toEqual(['earlier', 'later']);
  });

  it('a counsellor’s chats on the team board in the order they came', async () => {
    const lan = await f.staff({ name: 'Lan' });
    const newer = await waiting(1, { state: 'claimed', counsellorId: lan });
    const older = await waiting(10, { state: 'claimed', counsellorId: lan });
    const board = await teamBoard(f.deps);
    expect(board.counsellors[0]!.chats.map((c) => c.handoffId)).toEqual([older, newer]);
    expect(board.waiting).toBe(0);
  });
});
