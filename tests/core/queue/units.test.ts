/**
 * The queue's rules, called directly on one real PGlite: priority and place in the queue, the usual
 * wait, the queue list (order, SLA flags, matched words, undelivered messages), claiming, transfer,
 * the alias users see, transcripts and their previews, and the system messages users get.
 */
import type { Logger } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../core/db/client.js';
import type { Tx } from '../../../core/db/tx.js';
import { aliasOf, aliasShown } from '../../../core/queue/alias.js';
import { enqueueAndPlace, enqueueHandoff, queuePosition, typicalWaitMinutes } from '../../../core/queue/handoffs.js';
import { assignPass, availabilityOf, declineOffer, setAvailability, startAssignmentLoop, teamBoard } from '../../../core/queue/assign.js';
import { tellUser } from '../../../core/queue/notify.js';
import { claimHandoff, listQueue, transferHandoff } from '../../../core/queue/operations.js';
import { scanPositions, scanSla, startSlaLoop } from '../../../core/queue/sla.js';
import { getTranscript } from '../../../core/queue/transcript.js';
import { answerSurvey, closeWithWrapUp, SURVEY_OPEN_MS } from '../../../core/queue/wrap-up.js';
import type { TurnContext } from '../../../core/runtime/turn-context.js';
import type { FlowEvent } from '../../../flows/types.js';
import type { BusEvent } from '../../../core/events/bus.js';
import { outbound, queueDatabase, queueFixture, T0, type QueueFixture } from './fixtures.js';

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
const db = () => database.prisma;
const tx = <T>(fn: (t: Tx) => Promise<T>): Promise<T> => db().$transaction(fn);

describe('enqueueHandoff', () => {
  it('creates a waiting handoff with its due time and marks the conversation queued', async () => {
    const c = await f.conversation();
    await db().conversation.update({ where: { id: c }, data: { status: 'bot' } });
    const result = await tx((t) => enqueueHandoff(t, { conversationId: c, level: 'high', categories: ['recruitment'], reason: 'risk', slaSeconds: 90, now: f.at(), details: { need: 'shelter' } }));
    expect(result).toMatchObject({ created: true, priority: 2, raised: false });
    const row = await db().handoff.findUniqueOrThrow({ where: { id: result.handoffId } });
    expect(row).toMatchObject({ state: 'waiting', priority: 2, level: 'high', categories: ['recruitment'], reason: 'risk', details: { need: 'shelter' } });
    expect(row.createdAt.getTime()).toBe(T0);
    expect(row.slaDueAt.getTime()).toBe(T0 + 90_000);
    expect((await db().conversation.findUniqueOrThrow({ where: { id: c } })).status).toBe('queued');
    const c2 = await f.conversation();
    const plain = await tx((t) => enqueueHandoff(t, { conversationId: c2, level: 'none', categories: [], reason: 'user_request', slaSeconds: 60 }));
    expect((await db().handoff.findUniqueOrThrow({ where: { id: plain.handoffId } })).details).toBeNull();
  });

  it('a later, graver message raises the open handoff instead of queueing the person twice', async () => {
    const c = await f.conversation();
    const first = await tx((t) => enqueueHandoff(t, { conversationId: c, level: 'elevated', categories: ['recruitment'], reason: 'risk', slaSeconds: 60, now: f.at() }));
    const raised = await tx((t) => enqueueHandoff(t, { conversationId: c, level: 'emergency', categories: ['confinement', 'recruitment'], reason: 'risk', slaSeconds: 60, now: f.at(MIN) }));
    expect(raised).toEqual({ handoffId: first.handoffId, created: false, priority: 3, raised: true });
    const row = await db().handoff.findUniqueOrThrow({ where: { id: first.handoffId } });
    expect(row).toMatchObject({ priority: 3, level: 'emergency' });
    expect([...row.categories].sort()).toEqual(['confinement', 'recruitment']);
    expect(await db().handoff.count({ where: { conversationId: c } })).toBe(1);

    // A milder message later changes nothing.
    const milder = await tx((t) => enqueueHandoff(t, { conversationId: c, level: 'elevated', categories: ['other'], reason: 'risk', slaSeconds: 60 }));
    expect(milder).toEqual({ handoffId: first.handoffId, created: false, priority: 3, raised: false });
    const after = await db().handoff.findUniqueOrThrow({ where: { id: first.handoffId } });
    expect(after).toMatchObject({ priority: 3, level: 'emergency' });
    expect(after.categories).not.toContain('other');
  });

  it('a graver level with the same priority updates the level but keeps the priority', async () => {
    const c = await f.conversation();
    const first = await tx((t) => enqueueHandoff(t, { conversationId: c, level: 'none', categories: [], reason: 'in_danger', slaSeconds: 60 }));
    const again = await tx((t) => enqueueHandoff(t, { conversationId: c, level: 'high', categories: ['violence'], reason: 'risk', slaSeconds: 60 }));
    expect(again).toMatchObject({ created: false, priority: 3, raised: false });
    expect(await db().handoff.findUniqueOrThrow({ where: { id: first.handoffId } })).toMatchObject({ priority: 3, level: 'high', categories: ['violence'] });
  });

  it('a chat held by a counsellor is raised too; once closed, a new request is a new handoff', async () => {
    const c = await f.conversation();
    const held = await f.handoff(c, { state: 'claimed', priority: 1, level: 'elevated' });
    expect((await tx((t) => enqueueHandoff(t, { conversationId: c, level: 'high', categories: [], reason: 'risk', slaSeconds: 60 }))).handoffId).toBe(held);
    await db().handoff.update({ where: { id: held }, data: { state: 'closed' } });
    const next = await tx((t) => enqueueHandoff(t, { conversationId: c, level: 'high', categories: [], reason: 'risk', slaSeconds: 60 }));
    expect(next.created).toBe(true);
    expect(next.handoffId).not.toBe(held);
  });
});

describe('place in the queue', () => {
  it('counts the waiting chats with a higher priority, or the same priority and a longer wait', async () => {
    const at = (m: number) => new Date(T0 + m * MIN);
    const older = await f.handoff(await f.conversation(), { priority: 1, createdAt: at(0) });
    const urgent = await f.handoff(await f.conversation(), { priority: 3, createdAt: at(5) });
    const me = await f.handoff(await f.conversation(), { priority: 1, createdAt: at(2) });
    const younger = await f.handoff(await f.conversation(), { priority: 1, createdAt: at(3) });
    await f.handoff(await f.conversation(), { priority: 3, createdAt: at(0), state: 'claimed' });
    const lower = await f.handoff(await f.conversation(), { priority: 0, createdAt: at(-10) });
    const place = (id: string) => tx((t) => queuePosition(t, id));
    expect(await place(urgent)).toBe(1);
    expect(await place(older)).toBe(2);
    expect(await place(me)).toBe(3);
    expect(await place(younger)).toBe(4);
    expect(await place(lower)).toBe(5);
  });

  it('two chats that arrived at the same moment each count the other ahead', async () => {
    const a = await f.handoff(await f.conversation(), { priority: 2 });
    const b = await f.handoff(await f.conversation(), { priority: 2 });
    expect(await tx((t) => queuePosition(t, a))).toBe(2);
    expect(await tx((t) => queuePosition(t, b))).toBe(2);
  });
});

describe('typical wait', () => {
  const claimed = async (waitMs: number, claimedAgoMs: number) => {
    const claimedAt = new Date(T0 - claimedAgoMs);
    await f.handoff(await f.conversation(), { state: 'closed', createdAt: new Date(claimedAt.getTime() - waitMs), claimedAt });
  };
  const typical = () => tx((t) => typicalWaitMinutes(t, f.at()));

  it('says nothing with fewer than three claims this week', async () => {
    await claimed(5 * MIN, MIN);
    await claimed(5 * MIN, MIN);
    await claimed(5 * MIN, 8 * 24 * 3600_000); // older than a week
    await f.handoff(await f.conversation(), { state: 'waiting', createdAt: new Date(T0 - 60 * MIN) }); // never claimed
    expect(await typical()).toBeUndefined();
    await claimed(5 * MIN, 7 * 24 * 3600_000 - 1000);
    expect(await typical()).toBe(5);
  });

  it('is the median of the recent claims, rounded up to whole minutes, at least one', async () => {
    await claimed(1 * MIN, MIN);
    await claimed(10 * MIN + 1000, 2 * MIN);
    await claimed(30 * MIN, 3 * MIN);
    expect(await typical()).toBe(11);
    await claimed(40 * MIN, 4 * MIN); // four: the upper middle one
    expect(await typical()).toBe(30);
  });

  it('a very short wait is still one minute', async () => {
    for (let i = 0; i < 3; i++) await claimed(5000, MIN);
    expect(await typical()).toBe(1);
  });

  it('only the last twenty claims count', async () => {
    for (let i = 0; i < 20; i++) await claimed(2 * MIN, MIN + i * 1000);
    for (let i = 0; i < 21; i++) await claimed(50 * MIN, 3600_000 + i * 1000);
    expect(await typical()).toBe(2);
  });
});

describe('enqueueAndPlace', () => {
  it('creates the handoff, remembers the place told, and gives the usual wait when known', async () => {
    await f.handoff(await f.conversation(), { priority: 3, createdAt: new Date(T0 - MIN) });
    await f.handoff(await f.conversation(), { priority: 1, createdAt: new Date(T0 + MIN) });
    const c = await f.conversation();
    await db().conversation.update({ where: { id: c }, data: { status: 'bot' } });
    const placed = await tx((t) => enqueueAndPlace(t, { conversationId: c, level: 'high', categories: ['violence'], reason: 'risk', slaSeconds: 120, now: f.at(), details: { need: 'x' } }));
    expect(placed).toEqual({ handoffId: expect.any(String), created: true, priority: 2, position: 2 });
    const row = await db().handoff.findUniqueOrThrow({ where: { id: placed!.handoffId } });
    expect(row).toMatchObject({ state: 'waiting', level: 'high', reason: 'risk', categories: ['violence'], notifiedPosition: 2, details: { need: 'x' } });
    expect(row.slaDueAt.getTime()).toBe(T0 + 120_000);
    expect(row.positionNotifiedAt?.getTime()).toBe(T0);
    // The caller writes the conversation's status.
    expect((await db().conversation.findUniqueOrThrow({ where: { id: c } })).status).toBe('bot');

    for (const wait of [3, 7, 9]) {
      const claimedAt = new Date(T0 - MIN);
      await f.handoff(await f.conversation(), { state: 'closed', createdAt: new Date(claimedAt.getTime() - wait * MIN + 1000), claimedAt });
    }
    const c2 = await f.conversation();
    const next = await tx((t) => enqueueAndPlace(t, { conversationId: c2, level: 'none', categories: [], reason: 'user_request', slaSeconds: 60, now: f.at() }));
    expect(next).toMatchObject({ created: true, priority: 1, position: 3, typicalWaitMinutes: 7 });
    expect((await db().handoff.findUniqueOrThrow({ where: { id: next!.handoffId } })).details).toBeNull();
  });

  it('the usual wait it gives is at least a minute', async () => {
    for (let i = 0; i < 3; i++) {
      const claimedAt = new Date(T0 - MIN);
      await f.handoff(await f.conversation(), { state: 'closed', createdAt: new Date(claimedAt.getTime() - 5000), claimedAt });
    }
    const c = await f.conversation();
    expect(await tx((t) => enqueueAndPlace(t, { conversationId: c, level: 'none', categories: [], reason: 'user_request', slaSeconds: 60, now: f.at() }))).toMatchObject({ typicalWaitMinutes: 1 });
  });

  it('raises the open handoff and reports what it was; onlyIfOpen creates nothing', async () => {
    const c = await f.conversation();
    expect(await tx((t) => enqueueAndPlace(t, { conversationId: c, level: 'high', categories: [], reason: 'risk', slaSeconds: 60, onlyIfOpen: true }))).toBeUndefined();
    expect(await db().handoff.count()).toBe(0);
    const id = await f.handoff(c, { priority: 1, level: 'elevated', categories: ['recruitment'] });
    const raised = await tx((t) => enqueueAndPlace(t, { conversationId: c, level: 'emergency', categories: ['confinement', 'recruitment'], reason: 'risk', slaSeconds: 60, onlyIfOpen: true }));
    expect(raised).toEqual({ handoffId: id, created: false, priority: 3, previous: { priority: 1, level: 'elevated' }, position: 1 });
    const row = await db().handoff.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ priority: 3, level: 'emergency' });
    expect([...row.categories].sort()).toEqual(['confinement', 'recruitment']);
    const milder = await tx((t) => enqueueAndPlace(t, { conversationId: c, level: 'elevated', categories: [], reason: 'risk', slaSeconds: 60 }));
    expect(milder).toMatchObject({ created: false, priority: 3, previous: { priority: 3, level: 'emergency' } });
    expect(await db().handoff.findUniqueOrThrow({ where: { id } })).toMatchObject({ priority: 3, level: 'emergency' });
  });
});

describe('listQueue', () => {
  it('waiting chats by priority then wait, then the chats held; flags SLA breaches and offers', async () => {
    const staff = await f.staff();
    const at = (m: number) => new Date(T0 + m * MIN);
    const heldLate = await f.handoff(await f.conversation(), { priority: 3, createdAt: at(-10), slaDueAt: at(-9), state: 'claimed', counsellorId: staff, claimedAt: at(-8), offeredToId: staff, offerExpiresAt: at(1) });
    const heldInTime = await f.handoff(await f.conversation(), { priority: 3, createdAt: at(-9), slaDueAt: at(-5), state: 'claimed', counsellorId: staff, claimedAt: at(-6) });
    const overdue = await f.handoff(await f.conversation(), { priority: 1, createdAt: at(-5), slaDueAt: at(0) });
    const urgent = await f.handoff(await f.conversation(), { priority: 3, createdAt: at(-1), slaDueAt: at(1), offeredToId: staff, offerExpiresAt: at(1) });
    const later = await f.handoff(await f.conversation(), { priority: 1, createdAt: at(-4), slaDueAt: at(1) });
    await f.handoff(await f.conversation(), { state: 'closed' });
    const queue = await listQueue(f.deps);
    expect(queue.map((q) => q.handoffId)).toEqual([urgent, overdue, later, heldLate, heldInTime]);
    const by = (id: string) => queue.find((q) => q.handoffId === id)!;
    expect(by(overdue).slaBreached).toBe(true);
    expect(by(later).slaBreached).toBe(false);
    expect(by(heldLate).slaBreached).toBe(true);
    expect(by(heldInTime).slaBreached).toBe(false);
    expect(by(urgent)).toMatchObject({ state: 'waiting', offeredTo: staff, channel: 'test', locale: 'en', priority: 3, counsellorId: null, undelivered: 0, matches: [] });
    expect(by(urgent).offerExpiresAt?.getTime()).toBe(at(1).getTime());
    expect(by(heldLate)).toMatchObject({ offeredTo: null, offerExpiresAt: null, counsellorId: staff });
    expect((await listQueue(f.deps, { states: ['claimed'] })).map((q) => q.handoffId)).toEqual([heldLate, heldInTime]);
    expect((await listQueue(f.deps, { handoffId: later })).map((q) => q.handoffId)).toEqual([later]);
  });

  it('a claimed chat without a claim time is not a breach', async () => {
    await f.handoff(await f.conversation(), { state: 'claimed', slaDueAt: new Date(T0 - MIN) });
    expect((await listQueue(f.deps))[0]!.slaBreached).toBe(false);
  });

  it('shows the words that raised the risk (trimmed, staff only) and counts undelivered messages', async () => {
    const c = await f.conversation();
    const other = await f.conversation();
    const id = await f.handoff(c);
    await f.handoff(other);
    const msg = await db().message.create({ data: { conversationId: c, channel: 'test', direction: 'inbound', author: 'user', kind: 'text', text: 'please help they lock us in', status: 'received' } });
    await db().riskEvent.create({
      data: { conversationId: c, messageId: msg.id, level: 'emergency', categories: ['confinement'], source: 'rules', matches: [{ id: 'lock', category: 'confinement', level: 'emergency', start: 11, end: 27 }], createdAt: f.at(-2000) },
    });
    await db().riskEvent.create({ data: { conversationId: c, messageId: null, level: 'high', categories: ['x'], source: 'memory', matches: [{ id: 'mem', category: 'x', level: 'high', start: 0, end: 3 }], createdAt: f.at(-1000) } });
    await db().riskEvent.create({ data: { conversationId: c, messageId: msg.id, level: 'high', categories: [], source: 'model', createdAt: f.at() } });
    await db().riskEvent.create({ data: { conversationId: other, messageId: null, level: 'high', categories: [], source: 'rules', matches: [{ id: 'other', category: 'y', level: 'high', start: 0, end: 1 }] } });
    const base = { conversationId: c, channel: 'test', direction: 'outbound' as const, author: 'bot' as const, kind: 'text', text: 'x' };
    await db().message.createMany({ data: [{ ...base, status: 'failed' }, { ...base, status: 'failed' }, { ...base, status: 'sent' }, { ...base, direction: 'inbound', author: 'user', status: 'failed' }] });
    const [item] = await listQueue(f.deps, { handoffId: id });
    expect(item!.matches).toEqual([
      { id: 'lock', category: 'confinement', level: 'emergency', term: 'they lock us in' },
      { id: 'mem', category: 'x', level: 'high' },
    ]);
    expect(item!.undelivered).toBe(2);
  });

  it('an empty queue is an empty list', async () => {
    expect(await listQueue(f.deps)).toEqual([]);
  });
});

describe('claimHandoff', () => {
  it('gives the chat to the counsellor, tells the user by alias, and ends the waiting room', async () => {
    const lan = await f.staff({ alias: 'Lan', name: 'Nguyễn Thị Secret' });
    const c = await f.conversation({ locale: 'en' });
    await db().conversation.update({ where: { id: c }, data: { waitSnapshot: { value: 'waiting' }, version: 4 } });
    const id = await f.handoff(c, { slaDueAt: f.at(MIN) });
    f.clock.ms += 1000;
    const item = await claimHandoff(f.deps, { handoffId: id, counsellorId: lan });
    expect(item).toMatchObject({ handoffId: id, state: 'claimed', counsellorId: lan, slaBreached: false });
    expect(item.claimedAt?.getTime()).toBe(T0 + 1000);
    const conv = await db().conversation.findUniqueOrThrow({ where: { id: c } });
    expect(conv).toMatchObject({ status: 'counsellor', waitSnapshot: null, version: 5 });
    const [told] = await outbound(database, c);
    expect(told).toMatchObject({ author: 'system', text: 'Counsellor Lan has joined the chat. You can write to them directly here.' });
    expect(f.events).toEqual([
      { type: 'handoff.updated', handoffId: id, conversationId: c },
      { type: 'conversation.message', conversationId: c, messageId: told!.id, direction: 'outbound' },
    ]);
    expect(f.kicks.count).toBe(1);
    await expect(claimHandoff(f.deps, { handoffId: id, counsellorId: lan })).rejects.toMatchObject({ code: 'HANDOFF_TAKEN', httpStatus: 409 });
  });

  it('without an alias the user sees the neutral name, in their language (Vietnamese by default)', async () => {
    const staff = await f.staff({ name: 'Real Name' });
    const c = await f.conversation({ locale: 'zz' });
    const id = await f.handoff(c);
    await claimHandoff(f.deps, { handoffId: id, counsellorId: staff });
    const [told] = await outbound(database, c);
    expect(told!.text).toContain(aliasShown('vi', null));
    expect(told!.text).not.toContain('Real Name');
  });

  it('refuses an unknown chat', async () => {
    const staff = await f.staff();
    await expect(claimHandoff(f.deps, { handoffId: '00000000-0000-4000-8000-000000000000', counsellorId: staff })).rejects.toMatchObject({ code: 'HANDOFF_NOT_FOUND', httpStatus: 404 });
  });

  it('accepting an offer needs it to be yours and still open; a claim by hand ends someone else’s offer', async () => {
    const [a, b] = [await f.staff(), await f.staff()];
    const c = await f.conversation();
    const id = await f.handoff(c, { offeredToId: a, offeredAt: f.at(), offerExpiresAt: f.at(30_000) });
    await expect(claimHandoff(f.deps, { handoffId: id, counsellorId: b, viaOffer: true })).rejects.toMatchObject({ code: 'OFFER_NOT_YOURS' });
    f.clock.ms += 30_000; // the offer's last moment has passed
    await expect(claimHandoff(f.deps, { handoffId: id, counsellorId: a, viaOffer: true })).rejects.toMatchObject({ code: 'OFFER_NOT_YOURS' });
    f.clock.ms -= 1;
    f.events.length = 0;
    await claimHandoff(f.deps, { handoffId: id, counsellorId: a, viaOffer: true });
    expect(f.events[0]).toEqual({ type: 'handoff.offer_ended', handoffId: id, conversationId: c, counsellorId: a, reason: 'accepted' });
    const row = await db().handoff.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: 'claimed', counsellorId: a, offeredToId: null, offerExpiresAt: null });

    const c2 = await f.conversation();
    const id2 = await f.handoff(c2, { offeredToId: a, offeredAt: f.at(), offerExpiresAt: f.at(30_000) });
    f.events.length = 0;
    await claimHandoff(f.deps, { handoffId: id2, counsellorId: b });
    expect(f.events[0]).toEqual({ type: 'handoff.offer_ended', handoffId: id2, conversationId: c2, counsellorId: a, reason: 'claimed' });

    const c3 = await f.conversation();
    const id3 = await f.handoff(c3, { offeredToId: a, offeredAt: null, offerExpiresAt: null });
    await expect(claimHandoff(f.deps, { handoffId: id3, counsellorId: a, viaOffer: true })).rejects.toMatchObject({ code: 'OFFER_NOT_YOURS' });
  });
});

describe('transferHandoff', () => {
  it('to a named counsellor: they hold it from now, the first claim time kept; the user is told', async () => {
    const [a, b] = [await f.staff(), await f.staff()];
    const c = await f.conversation({ locale: 'en' });
    const id = await f.handoff(c, { state: 'claimed', counsellorId: a, claimedAt: f.at(-MIN) });
    await expect(transferHandoff(f.deps, { handoffId: id, actorId: b, toCounsellorId: b })).rejects.toMatchObject({ code: 'HANDOFF_NOT_OWNER', httpStatus: 403 });
    await expect(transferHandoff(f.deps, { handoffId: id, actorId: a, toCounsellorId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const gone = await f.staff({ disabled: true });
    await expect(transferHandoff(f.deps, { handoffId: id, actorId: a, toCounsellorId: gone })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const before = (await db().conversation.findUniqueOrThrow({ where: { id: c } })).version;
    await transferHandoff(f.deps, { handoffId: id, actorId: a, toCounsellorId: b });
    const row = await db().handoff.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: 'claimed', counsellorId: b, passedOver: [] });
    expect(row.claimedAt?.getTime()).toBe(T0 - MIN);
    const conv = await db().conversation.findUniqueOrThrow({ where: { id: c } });
    expect(conv).toMatchObject({ status: 'counsellor', version: before + 1 });
    const [told] = await outbound(database, c);
    expect(told!.text).toBe("I'm passing you to another counsellor. You keep your place; keep writing here.");
    expect(f.events.map((e) => e.type)).toEqual(['handoff.updated', 'conversation.message']);
    expect(f.kicks.count).toBe(1);
  });

  it('a supervisor may give a waiting chat to a counsellor (claimed now)', async () => {
    const [sup, b] = [await f.staff(), await f.staff()];
    const id = await f.handoff(await f.conversation(), { offeredToId: sup, offerExpiresAt: f.at(MIN) });
    await transferHandoff(f.deps, { handoffId: id, actorId: sup, asSupervisor: true, toCounsellorId: b });
    const row = await db().handoff.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: 'claimed', counsellorId: b, offeredToId: null, offerExpiresAt: null });
    expect(row.claimedAt?.getTime()).toBe(T0);
  });

  it('back to the queue: waiting with its place, offered to others first; a supervisor does not count as passing', async () => {
    const [a, sup] = [await f.staff(), await f.staff()];
    const c = await f.conversation();
    const id = await f.handoff(c, { state: 'claimed', counsellorId: a, claimedAt: f.at(), priority: 3, createdAt: f.at(-MIN) });
    await transferHandoff(f.deps, { handoffId: id, actorId: a, toCounsellorId: null });
    const row = await db().handoff.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: 'waiting', counsellorId: null, passedOver: [a], priority: 3 });
    expect(row.createdAt.getTime()).toBe(T0 - MIN);
    expect(await db().conversation.findUniqueOrThrow({ where: { id: c } })).toMatchObject({ status: 'queued', version: 1 });
    expect(f.events.map((e) => e.type)).toEqual(['handoff.updated', 'conversation.message']);

    await db().handoff.update({ where: { id }, data: { state: 'claimed', counsellorId: a } });
    await transferHandoff(f.deps, { handoffId: id, actorId: sup, asSupervisor: true, toCounsellorId: null });
    expect((await db().handoff.findUniqueOrThrow({ where: { id } })).passedOver).toEqual([a]);
  });

  it('a closed chat cannot be transferred, even by a supervisor; a waiting one only by a supervisor', async () => {
    const a = await f.staff();
    const closed = await f.handoff(await f.conversation(), { state: 'closed', counsellorId: a });
    await expect(transferHandoff(f.deps, { handoffId: closed, actorId: a, asSupervisor: true, toCounsellorId: null })).rejects.toMatchObject({ code: 'HANDOFF_CLOSED', httpStatus: 409 });
    const waiting = await f.handoff(await f.conversation(), { counsellorId: a });
    await expect(transferHandoff(f.deps, { handoffId: waiting, actorId: a, toCounsellorId: null })).rejects.toMatchObject({ code: 'HANDOFF_NOT_OWNER' });
  });
});

describe('alias', () => {
  it('the alias of an account: none when not set or no such account', async () => {
    const lan = await f.staff({ alias: 'Lan' });
    const none = await f.staff();
    expect(await aliasOf(db(), lan)).toBe('Lan');
    expect(await aliasOf(db(), none)).toBeNull();
    expect(await aliasOf(db(), null)).toBeNull();
    expect(await aliasOf(db(), '')).toBeNull();
    expect(await aliasOf(db(), '00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});

describe('transcript', () => {
  it('the whole conversation in order, with choices, and undelivered messages marked with why', async () => {
    const c = await f.conversation();
    const m = (data: Record<string, unknown>) =>
      db().message.create({ data: { conversationId: c, channel: 'test', kind: 'text', status: 'sent', direction: 'outbound', author: 'bot', text: 't', ...data } as never });
    const a = await m({ direction: 'inbound', author: 'user', text: 'hi', status: 'received' });
    const b = await m({ text: 'pick', payload: { choices: [{ id: 'x', label: 'X' }] } });
    const cc = await m({ direction: 'inbound', author: 'user', kind: 'choice', text: 'X', payload: { choiceId: 'x' }, status: 'received' });
    const d = await m({ status: 'failed', lastErrorCode: 'BLOCKED' });
    const e = await m({ status: 'failed' });
    await m({ direction: 'inbound', author: 'user', status: 'failed', lastErrorCode: 'NOPE' });
    const other = await f.conversation();
    await db().message.create({ data: { conversationId: other, channel: 'test', kind: 'text', status: 'sent', direction: 'outbound', author: 'bot', text: 'not mine' } });
    const all = await getTranscript(db(), c);
    expect(all).toHaveLength(6);
    expect(all[0]).toEqual({ id: a.id, direction: 'inbound', author: 'user', kind: 'text', text: 'hi', status: 'received', createdAt: a.createdAt });
    expect(all[1]).toEqual({ id: b.id, direction: 'outbound', author: 'bot', kind: 'text', text: 'pick', choices: [{ id: 'x', label: 'X' }], status: 'sent', createdAt: b.createdAt });
    expect(all[2]).toMatchObject({ id: cc.id, choiceId: 'x', kind: 'choice' });
    expect(all[2]).not.toHaveProperty('choices');
    expect(all[3]).toMatchObject({ id: d.id, undelivered: true, errorCode: 'BLOCKED' });
    expect(all[4]).toMatchObject({ id: e.id, undelivered: true });
    expect(all[4]).not.toHaveProperty('errorCode');
    expect(all[5]).not.toHaveProperty('undelivered');
    expect(all[5]).not.toHaveProperty('errorCode');
    const after = await getTranscript(db(), c, { afterSeq: b.seq });
    expect(after.map((x) => x.id)).toEqual(all.slice(2).map((x) => x.id));
  });

});

describe('tellUser', () => {
  it('writes a pending system message in the user’s language, with the extra text, urgency and choices', async () => {
    const c = await f.conversation({ locale: 'en-GB', channel: 'line' });
    const events: BusEvent[] = [];
    await tx((t) => tellUser(t, { id: c, channel: 'line', locale: 'en-GB' }, 'queue:moved', f.at(), events, { params: { position: 2 }, extra: 'Call 113.', urgent: true, choices: [{ id: 'wait.cancel', label: 'Cancel' }] }));
    await tx((t) => tellUser(t, { id: c, channel: 'line', locale: 'xx' }, 'queue:transferred', f.at(), events, { choices: [] }));
    const [first, second] = await outbound(database, c);
    expect(first).toMatchObject({ author: 'system', channel: 'line', status: 'pending', text: "You've moved up to number 2 in the queue.\n\nCall 113." });
    expect(first!.payload).toEqual({ urgent: true, choices: [{ id: 'wait.cancel', label: 'Cancel' }] });
    expect(first!.nextAttemptAt?.getTime()).toBe(T0);
    expect(second!.text).toMatch(/^Mình|^Tôi|chuyển/);
    expect(second!.text).not.toContain('\n\n');
    expect(second!.payload).toEqual({});
    expect(events).toEqual([
      { type: 'conversation.message', conversationId: c, messageId: first!.id, direction: 'outbound' },
      { type: 'conversation.message', conversationId: c, messageId: second!.id, direction: 'outbound' },
    ]);
  });
});

describe('fair assignment', () => {
  const OFFER = 30;
  const pass = (batchSize?: number) => assignPass({ ...f.deps, offerSeconds: OFFER }, batchSize ? { batchSize } : {});
  const row = (id: string) => db().handoff.findUniqueOrThrow({ where: { id } });
  const waiting = async (minutesAgo: number, priority = 1, data: Parameters<QueueFixture['handoff']>[1] = {}) =>
    f.handoff(await f.conversation(), { priority, createdAt: new Date(T0 - minutesAgo * MIN), ...data });

  it('offers nothing when nobody is available and signed in', async () => {
    await f.staff({ availability: 'away', signedIn: true });
    await f.staff({ availability: 'available', signedIn: false });
    await f.staff({ availability: 'available', disabled: true });
    const enrolling = await f.staff({ availability: 'available', signedIn: false });
    await db().staffSession.create({ data: { id: 'enrol', userId: enrolling, csrfToken: 'x', enrolOnly: true, expiresAt: f.at(3600_000) } });
    const expired = await f.staff({ availability: 'available', signedIn: false });
    await db().staffSession.create({ data: { id: 'old', userId: expired, csrfToken: 'x', expiresAt: f.at() } });
    const chat = await waiting(1);
    expect(await pass()).toEqual({ offered: [], lapsed: [] });
    expect((await row(chat)).offeredToId).toBeNull();
    expect(f.events).toEqual([]);
  });

  it('offers the longest-waiting, most urgent chats first, each to the counsellor with the fewest open chats', async () => {
    const a = await f.staff({ availability: 'available', capacity: 2 });
    const b = await f.staff({ availability: 'available', capacity: 1 });
    // a already holds one chat: b (none) gets the first offer.
    await waiting(20, 1, { state: 'claimed', counsellorId: a });
    const old = await waiting(10, 1);
    const urgent = await waiting(1, 3);
    const newer = await waiting(5, 1);
    const newest = await waiting(0, 1);
    const result = await pass();
    expect(result.offered.map((o) => [o.handoffId, o.counsellorId])).toEqual([
      [urgent, b],
      [old, a],
    ]);
    expect(result.offered[0]!.expiresAt.getTime()).toBe(T0 + OFFER * 1000);
    const offered = await row(urgent);
    expect(offered).toMatchObject({ offeredToId: b, passedOver: [] });
    expect(offered.offeredAt?.getTime()).toBe(T0);
    expect(offered.offerExpiresAt?.getTime()).toBe(T0 + OFFER * 1000);
    expect((await db().staffUser.findUniqueOrThrow({ where: { id: b } })).lastOfferedAt?.getTime()).toBe(T0);
    // Both are full now (a: one held and one offered; b: one offered).
    expect((await row(newer)).offeredToId).toBeNull();
    expect((await row(newest)).offeredToId).toBeNull();
    expect(f.events).toContainEqual({ type: 'handoff.offered', handoffId: urgent, conversationId: offered.conversationId, counsellorId: b, expiresAt: new Date(T0 + OFFER * 1000).toISOString() });
    expect(f.events.filter((e) => e.type === 'handoff.offered')).toHaveLength(2);
    // A chat already offered is not offered again.
    expect((await pass()).offered).toEqual([]);
  });

  it('ties go to the counsellor offered a chat least recently (never first), then by id', async () => {
    const recent = await f.staff({ availability: 'available', lastOfferedAt: new Date(T0 - MIN) });
    const earlier = await f.staff({ availability: 'available', lastOfferedAt: new Date(T0 - 10 * MIN) });
    const chat = await waiting(1);
    expect((await pass()).offered[0]!.counsellorId).toBe(earlier);
    await db().handoff.deleteMany();
    const never = await f.staff({ availability: 'available' });
    await waiting(1);
    expect((await pass()).offered[0]!.counsellorId).toBe(never);
    expect(recent).toBeTruthy();
    expect(chat).toBeTruthy();
  });

  it('with equal load and history the lower id is first, whatever the order they come in', async () => {
    const ids = [await f.staff({ availability: 'available', capacity: 1 }), await f.staff({ availability: 'available', capacity: 1 }), await f.staff({ availability: 'available', capacity: 1 })];
    await waiting(3);
    await waiting(2);
    await waiting(1);
    const result = await pass();
    expect(result.offered.map((o) => o.counsellorId)).toEqual([...ids].sort());
  });

  it('takes at most a batch of waiting chats per pass', async () => {
    await f.staff({ availability: 'available', capacity: 5 });
    const first = await waiting(3);
    await waiting(2);
    expect((await pass(1)).offered.map((o) => o.handoffId)).toEqual([first]);
    expect((await pass()).offered).toHaveLength(1);
  });

  it('an offer not taken in time goes to the next counsellor; whoever missed it is set away', async () => {
    const a = await f.staff({ availability: 'available', lastOfferedAt: new Date(T0 - 2 * MIN) });
    const b = await f.staff({ availability: 'available', lastOfferedAt: new Date(T0 - MIN) });
    const chat = await waiting(1);
    expect((await pass()).offered[0]!.counsellorId).toBe(a);
    f.clock.ms += OFFER * 1000 - 1;
    expect(await pass()).toEqual({ offered: [], lapsed: [] });
    f.clock.ms += 1; // the offer's time is up
    f.events.length = 0;
    const result = await pass();
    expect(result.lapsed).toEqual([{ handoffId: chat, counsellorId: a }]);
    expect(result.offered.map((o) => [o.handoffId, o.counsellorId])).toEqual([[chat, b]]);
    expect((await row(chat)).passedOver).toEqual([a]);
    const missed = await db().staffUser.findUniqueOrThrow({ where: { id: a } });
    expect(missed.availability).toBe('away');
    expect(missed.availabilityAt?.getTime()).toBe(f.clock.ms);
    const conversationId = (await row(chat)).conversationId;
    expect(f.events.slice(0, 2)).toEqual([
      { type: 'staff.availability', userId: a },
      { type: 'handoff.offer_ended', handoffId: chat, conversationId, counsellorId: a, reason: 'expired' },
    ]);
  });

  it('when everyone free has passed, a new round starts with anyone but the last to pass', async () => {
    const a = await f.staff({ availability: 'available' });
    const b = await f.staff({ availability: 'available' });
    const chat = await waiting(1, 1, { passedOver: [a, b], offeredAt: new Date(T0 - 5000) });
    const result = await pass();
    expect(result.offered.map((o) => o.counsellorId)).toEqual([a]);
    expect((await row(chat)).passedOver).toEqual([]); // a new round
  });

  it('the only counsellor, who passed last, gets it again only once the last offer is two offer times old', async () => {
    const a = await f.staff({ availability: 'available' });
    const chat = await waiting(1, 1, { passedOver: [a], offeredAt: new Date(T0 - 2 * OFFER * 1000 + 1) });
    expect((await pass()).offered).toEqual([]);
    f.clock.ms += 1;
    expect((await pass()).offered.map((o) => o.counsellorId)).toEqual([a]);
    expect((await row(chat)).passedOver).toEqual([]);
    // Never offered before (passed by hand back): at once.
    await db().handoff.deleteMany();
    const back = await waiting(1, 1, { passedOver: [a] });
    await db().staffUser.update({ where: { id: a }, data: { capacity: 5 } });
    expect((await pass()).offered.map((o) => o.handoffId)).toEqual([back]);
  });

  it('a counsellor who passed is skipped for someone else even when busier', async () => {
    const a = await f.staff({ availability: 'available', capacity: 3 });
    const b = await f.staff({ availability: 'available', capacity: 3 });
    await waiting(30, 1, { state: 'claimed', counsellorId: b });
    const chat = await waiting(1, 1, { passedOver: [a] });
    expect((await pass()).offered.map((o) => [o.handoffId, o.counsellorId])).toEqual([[chat, b]]);
    expect((await row(chat)).passedOver).toEqual([a]);
  });

  it('whoever let an offer lapse gets no other chat in that pass', async () => {
    const a = await f.staff({ availability: 'available', capacity: 1 });
    const first = await waiting(2);
    const second = await waiting(1);
    expect((await pass()).offered.map((o) => o.handoffId)).toEqual([first]);
    f.clock.ms += OFFER * 1000;
    const result = await pass();
    expect(result.lapsed).toEqual([{ handoffId: first, counsellorId: a }]);
    expect(result.offered).toEqual([]);
    expect((await row(second)).offeredToId).toBeNull();
  });

  it('a chat nobody free may take yet does not hold up the chats behind it', async () => {
    const a = await f.staff({ availability: 'available', capacity: 2 });
    const passed = await waiting(5, 3, { passedOver: [a], offeredAt: f.at(-1000) });
    const next = await waiting(1, 1);
    expect((await pass()).offered.map((o) => [o.handoffId, o.counsellorId])).toEqual([[next, a]]);
    expect((await row(passed)).offeredToId).toBeNull();
  });

  it('within one pass, a counsellor just offered a chat counts as offered most recently', async () => {
    const a = await f.staff({ availability: 'available', capacity: 3 });
    const b = await f.staff({ availability: 'available', capacity: 3, lastOfferedAt: new Date(T0 - 10 * MIN) });
    await waiting(30, 1, { state: 'claimed', counsellorId: b });
    const first = await waiting(2);
    const second = await waiting(1);
    // a (no open chats) gets the first; then both have one open and a was offered one just now.
    expect((await pass()).offered.map((o) => [o.handoffId, o.counsellorId])).toEqual([
      [first, a],
      [second, b],
    ]);
  });

  it('declining sends the chat on; only the one it is offered to may decline', async () => {
    const [a, b] = [await f.staff(), await f.staff()];
    const c = await f.conversation();
    const chat = await f.handoff(c, { offeredToId: a, offeredAt: f.at(), offerExpiresAt: f.at(OFFER * 1000) });
    await expect(declineOffer(f.deps, { handoffId: chat, counsellorId: b })).rejects.toMatchObject({ code: 'OFFER_NOT_YOURS', httpStatus: 409 });
    await declineOffer(f.deps, { handoffId: chat, counsellorId: a });
    expect(await row(chat)).toMatchObject({ offeredToId: null, offerExpiresAt: null, passedOver: [a], state: 'waiting' });
    expect(f.events).toEqual([{ type: 'handoff.offer_ended', handoffId: chat, conversationId: c, counsellorId: a, reason: 'declined' }]);
    await expect(declineOffer(f.deps, { handoffId: chat, counsellorId: a })).rejects.toMatchObject({ code: 'OFFER_NOT_YOURS' });
  });

  it('availability: held plus offered chats; going away hands back the offers, not the chats held', async () => {
    const a = await f.staff({ availability: 'available', capacity: 3 });
    await expect(availabilityOf(f.deps, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
    const held = await waiting(10, 1, { state: 'claimed', counsellorId: a });
    const c1 = await f.conversation();
    const c2 = await f.conversation();
    const later = await f.handoff(c1, { offeredToId: a, offeredAt: f.at(1000), offerExpiresAt: f.at(OFFER * 1000 + 1000) });
    const first = await f.handoff(c2, { offeredToId: a, offeredAt: f.at(), offerExpiresAt: f.at(OFFER * 1000) });
    await waiting(5, 1, { state: 'closed', counsellorId: a });
    const now = await availabilityOf(f.deps, a);
    expect(now).toEqual({
      status: 'available',
      capacity: 3,
      open: 3,
      offers: [
        { handoffId: first, conversationId: c2, expiresAt: f.at(OFFER * 1000) },
        { handoffId: later, conversationId: c1, expiresAt: f.at(OFFER * 1000 + 1000) },
      ],
    });
    f.clock.ms += 5000;
    const away = await setAvailability(f.deps, { staffId: a, status: 'away' });
    expect(away).toEqual({ status: 'away', capacity: 3, open: 1, offers: [] });
    expect(await row(held)).toMatchObject({ state: 'claimed', counsellorId: a });
    expect(await row(first)).toMatchObject({ offeredToId: null, offerExpiresAt: null, passedOver: [a] });
    expect((await db().staffUser.findUniqueOrThrow({ where: { id: a } })).availabilityAt?.getTime()).toBe(T0 + 5000);
    expect(f.events[0]).toEqual({ type: 'staff.availability', userId: a });
    expect(f.events.slice(1).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toEqual(
      [
        { type: 'handoff.offer_ended', handoffId: first, conversationId: c2, counsellorId: a, reason: 'declined' },
        { type: 'handoff.offer_ended', handoffId: later, conversationId: c1, counsellorId: a, reason: 'declined' },
      ].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    );
    const back = await setAvailability(f.deps, { staffId: a, status: 'available', capacity: 4 });
    expect(back).toMatchObject({ status: 'available', capacity: 4, open: 1 });
    expect((await setAvailability(f.deps, { staffId: a, status: 'available' })).capacity).toBe(4);
  });

  it('becoming available keeps the chats offered', async () => {
    const a = await f.staff({ availability: 'available' });
    const chat = await waiting(1, 1, { offeredToId: a, offerExpiresAt: f.at(MIN) });
    await setAvailability(f.deps, { staffId: a, status: 'available' });
    expect((await row(chat)).offeredToId).toBe(a);
    expect(f.events).toEqual([{ type: 'staff.availability', userId: a }]);
  });

  it('the team board: who holds what and who has offers, and how many wait', async () => {
    const bao = await f.staff({ name: 'Bao', alias: 'Bảo', availability: 'available', capacity: 3 });
    const an = await f.staff({ name: 'An' });
    await f.staff({ name: 'Gone', disabled: true });
    const h1 = await waiting(10, 3, { state: 'claimed', counsellorId: bao, claimedAt: new Date(T0 - MIN), level: 'emergency' });
    const o1 = await waiting(5, 1, { offeredToId: bao, offerExpiresAt: f.at(MIN) });
    await waiting(4, 1);
    await waiting(3, 1, { state: 'closed', counsellorId: an });
    const board = await teamBoard(f.deps);
    expect(board.waiting).toBe(2);
    expect(board.counsellors.map((c) => c.displayName)).toEqual(['An', 'Bao']);
    expect(board.counsellors[0]).toMatchObject({ id: an, open: 0, chats: [], offers: [], status: 'away', alias: null, role: 'counsellor' });
    expect(board.counsellors[1]).toEqual({
      id: bao,
      displayName: 'Bao',
      alias: 'Bảo',
      role: 'counsellor',
      status: 'available',
      capacity: 3,
      open: 2,
      chats: [{ handoffId: h1, level: 'emergency', claimedAt: new Date(T0 - MIN) }],
      offers: [{ handoffId: o1, expiresAt: f.at(MIN) }],
    });
  });
});

describe('SLA', () => {
  const choices = [{ id: 'wait.cancel', label: 'Cancel' }];
  it('tells each person past the due time, once, with the numbers for where they are; alerts supervisors', async () => {
    const breaches: string[] = [];
    const abroad = await f.conversation({ locale: 'en', whereabouts: 'abroad:KH', offeredChoices: choices });
    const home = await f.conversation({ locale: 'en', whereabouts: 'vn' });
    const due = await f.handoff(abroad, { level: 'emergency', priority: 3, slaDueAt: f.at() });
    const dueToo = await f.handoff(home, { level: 'high', priority: 2, slaDueAt: f.at(-MIN) });
    await f.handoff(await f.conversation(), { slaDueAt: f.at(1) }); // not yet
    await f.handoff(await f.conversation(), { slaDueAt: f.at(-MIN), state: 'claimed' });
    await f.handoff(await f.conversation(), { slaDueAt: f.at(-MIN), slaNotifiedAt: f.at(-1000) }); // told before
    const result = await scanSla(f.deps, { onBreach: (level) => breaches.push(level) });
    expect(result.breached).toHaveLength(2);
    expect(result.breached).toEqual(expect.arrayContaining([
      { handoffId: due, conversationId: abroad },
      { handoffId: dueToo, conversationId: home },
    ]));
    expect(breaches.sort()).toEqual(['emergency', 'high']);
    expect((await db().handoff.findUniqueOrThrow({ where: { id: due } })).slaNotifiedAt?.getTime()).toBe(T0);
    const [toAbroad] = await outbound(database, abroad);
    expect(toAbroad).toMatchObject({ author: 'system', status: 'pending' });
    expect(toAbroad!.text).toMatch(/^All counsellors are busy right now\. Leave a message here/);
    expect(toAbroad!.text).toContain('+84 981 84 84 84');
    expect(toAbroad!.text).not.toMatch(/call 113/);
    expect(toAbroad!.payload).toEqual({ urgent: true, choices });
    const [toHome] = await outbound(database, home);
    expect(toHome!.text).toMatch(/113/);
    expect(toHome!.text).not.toContain('+84 981 84 84 84');
    expect(toHome!.payload).toEqual({ urgent: true });
    expect(f.events.filter((e) => e.type === 'sla.breached')).toEqual(expect.arrayContaining([
      { type: 'sla.breached', handoffId: due, conversationId: abroad },
      { type: 'sla.breached', handoffId: dueToo, conversationId: home },
    ]));
    expect(f.events.filter((e) => e.type === 'conversation.message')).toHaveLength(2);
    expect(f.kicks.count).toBe(1);
    // Nothing twice; no kick when nothing was sent.
    expect((await scanSla(f.deps)).breached).toEqual([]);
    expect(f.kicks.count).toBe(1);
  });

  it('the most urgent first when more are due than a batch', async () => {
    await f.handoff(await f.conversation(), { priority: 1, createdAt: f.at(-3 * MIN), slaDueAt: f.at(-2 * MIN) });
    const older = await f.handoff(await f.conversation(), { priority: 2, createdAt: f.at(-2 * MIN), slaDueAt: f.at(-MIN) });
    const urgent = await f.handoff(await f.conversation(), { priority: 3, createdAt: f.at(-MIN), slaDueAt: f.at() });
    await f.handoff(await f.conversation(), { priority: 2, createdAt: f.at(-MIN), slaDueAt: f.at() });
    expect((await scanSla(f.deps, { batchSize: 2 })).breached.map((b) => b.handoffId).sort()).toEqual([urgent, older].sort());
    expect((await scanSla(f.deps)).breached).toHaveLength(2);
  });

  it('someone without a known place gets both sets of numbers', async () => {
    const c = await f.conversation({ locale: 'vi' });
    await f.handoff(c, { slaDueAt: f.at() });
    await scanSla(f.deps);
    const [told] = await outbound(database, c);
    expect(told!.text).toMatch(/113/);
    expect(told!.text).toContain('+84 981 84 84 84');
    expect(told!.text).toMatch(/để lại lời nhắn ở đây/);
  });
});

describe('position updates', () => {
  const told = async (c: string) => (await outbound(database, c)).map((m) => m.text);
  it('tells people who moved up, at most once a minute, never while they are busy with the assistant', async () => {
    const at = (m: number) => new Date(T0 + m * MIN);
    const choices = [{ id: 'wait.details', label: 'Details' }];
    const cFirst = await f.conversation();
    const cMoved = await f.conversation({ offeredChoices: choices });
    const cBusy = await f.conversation({ waitSnapshot: { value: 'assistant' } });
    const cSame = await f.conversation();
    const cRecent = await f.conversation();
    const cNever = await f.conversation();
    const first = await f.handoff(cFirst, { createdAt: at(-10), priority: 3, state: 'claimed', notifiedPosition: 1, positionNotifiedAt: at(-10) });
    const moved = await f.handoff(cMoved, { createdAt: at(-9), notifiedPosition: 3, positionNotifiedAt: at(-1) });
    const busy = await f.handoff(cBusy, { createdAt: at(-8), notifiedPosition: 4, positionNotifiedAt: null });
    await f.handoff(cSame, { createdAt: at(-7), notifiedPosition: 3, positionNotifiedAt: at(-5) });
    const recent = await f.handoff(cRecent, { createdAt: at(-6), notifiedPosition: 6, positionNotifiedAt: new Date(T0 - MIN + 1) });
    await f.handoff(cNever, { createdAt: at(-5), notifiedPosition: null });
    expect(first).toBeTruthy();
    const result = await scanPositions(f.deps);
    expect(result).toEqual({ told: 1 });
    expect(await told(cMoved)).toEqual(["You've moved up to number 1 in the queue."]);
    expect((await outbound(database, cMoved))[0]!.payload).toEqual({ choices });
    expect(await told(cBusy)).toEqual([]);
    expect(await db().handoff.findUniqueOrThrow({ where: { id: busy } })).toMatchObject({ notifiedPosition: 2 });
    expect(await told(cSame)).toEqual([]);
    expect(await told(cRecent)).toEqual([]);
    expect(await told(cNever)).toEqual([]);
    const row = await db().handoff.findUniqueOrThrow({ where: { id: moved } });
    expect(row.notifiedPosition).toBe(1);
    expect(row.positionNotifiedAt?.getTime()).toBe(T0);
    expect(f.kicks.count).toBe(1);
    expect(f.events.map((e) => e.type)).toEqual(['conversation.message']);
    // A minute since it was last told, exactly: now it is.
    f.clock.ms += 1;
    expect(await scanPositions(f.deps)).toEqual({ told: 1 });
    expect(await told(cRecent)).toEqual(["You've moved up to number 4 in the queue."]);
    expect(await scanPositions(f.deps)).toEqual({ told: 0 });
    expect(f.kicks.count).toBe(2);
  });

  it('a batch at a time, the front of the queue first', async () => {
    const cs = [await f.conversation(), await f.conversation(), await f.conversation()];
    for (const [i, c] of cs.entries()) await f.handoff(c, { createdAt: new Date(T0 - (10 - i) * MIN), notifiedPosition: 9 });
    expect(await scanPositions(f.deps, { batchSize: 2 })).toEqual({ told: 2 });
    expect(await told(cs[2]!)).toEqual([]);
    expect(await told(cs[0]!)).toEqual(["You've moved up to number 1 in the queue."]);
  });
});

describe('wrap-up', () => {
  const close = (input: Partial<Parameters<typeof closeWithWrapUp>[1]> & { handoffId: string }) =>
    tx((t) => closeWithWrapUp(t, { counsellorId: null, categories: [], locale: 'en', where: { where: 'vn' }, now: f.at(), ...input }));

  it('stores the wrap-up, says goodbye by alias with the numbers, and asks the survey', async () => {
    const lan = await f.staff({ alias: 'Lan' });
    const id = await f.handoff(await f.conversation(), { state: 'claimed', counsellorId: lan });
    const result = await close({ handoffId: id, counsellorId: lan, wrapUp: { contactType: 'report', referrals: ['police', 'shelter'], followUpNeeded: true } });
    expect(result.surveyAsked).toBe(true);
    expect(result.messages).toHaveLength(2);
    expect(result.messages[0]!.author).toBe('system');
    expect(result.messages[0]!.text).toMatch(/^Counsellor Lan has ended the chat\. .*\n\nIf you're in danger right now, call 113/s);
    expect(result.messages[1]).toEqual({
      author: 'bot',
      text: 'Did this chat help you?',
      choices: [
        { id: 'survey.yes', label: 'Yes, it helped' },
        { id: 'survey.partly', label: 'A little' },
        { id: 'survey.no', label: 'Not yet' },
      ],
    });
    const row = await db().handoff.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ contactType: 'report', referrals: ['police', 'shelter'], followUpNeeded: true });
    expect(row.surveyAskedAt?.getTime()).toBe(T0);
  });

  it('no survey when the counsellor says not, or the person’s phone is watched; abroad gets the abroad numbers', async () => {
    const id = await f.handoff(await f.conversation(), { state: 'claimed' });
    const quiet = await close({ handoffId: id, survey: false, where: { where: 'abroad', country: 'KH' } });
    expect(quiet.surveyAsked).toBe(false);
    expect(quiet.messages).toHaveLength(1);
    expect(quiet.messages[0]!.text).toMatch(/^Counsellor 111 has ended/);
    expect(quiet.messages[0]!.text).toContain('+84 981 84 84 84');
    const row = await db().handoff.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ surveyAskedAt: null, contactType: null, referrals: [], followUpNeeded: null });
    const watched = await f.handoff(await f.conversation(), { state: 'claimed' });
    expect((await close({ handoffId: watched, categories: ['confinement', 'phone_watched'] })).surveyAsked).toBe(false);
    expect((await close({ handoffId: watched, categories: ['confinement'], survey: true })).surveyAsked).toBe(true);
  });

  describe('survey answers', () => {
    const context = (conversationId: string, now = f.at()) => {
      const said: unknown[] = [];
      return { said, make: (t: Tx): TurnContext => ({ tx: t, conversationId, channel: 'test', now, locale: 'en', send: () => {}, say: (r) => said.push(r), maskInbound: () => {} }) };
    };
    const answer = (conversationId: string, event: FlowEvent, main: unknown = 'menu', now = f.at()) => {
      const ctx = context(conversationId, now);
      return tx((t) => answerSurvey(ctx.make(t), event, main)).then((events) => ({ events, said: ctx.said }));
    };

    it('records the answer once, thanks the person, and carries the assistant on', async () => {
      const c = await f.conversation();
      const id = await f.handoff(c, { state: 'closed', closedAt: f.at(-MIN), surveyAskedAt: f.at(-MIN) });
      const first = await answer(c, { type: 'CHOICE', id: 'survey.partly' }, 'menu');
      expect(first).toEqual({ events: [{ type: 'MENU' }], said: [{ key: 'wrapup:survey.thanks' }] });
      const row = await db().handoff.findUniqueOrThrow({ where: { id } });
      expect(row.surveyAnswer).toBe('partly');
      expect(row.surveyAnsweredAt?.getTime()).toBe(T0);
      // A second answer is thanked but not recorded; in the middle of a report the person goes back to it.
      const second = await answer(c, { type: 'CHOICE', id: 'survey.no' }, 'report.where');
      expect(second).toEqual({ events: [{ type: 'RESUME' }], said: [{ key: 'wrapup:survey.thanksNo' }] });
      expect((await db().handoff.findUniqueOrThrow({ where: { id } })).surveyAnswer).toBe('partly');
      expect((await answer(c, { type: 'CHOICE', id: 'survey.yes' }, undefined)).events).toEqual([{ type: 'MENU' }]);
    });

    it('the survey of the last closed chat, asked within a day', async () => {
      const c = await f.conversation();
      const old = await f.handoff(c, { state: 'closed', closedAt: f.at(-3 * MIN), surveyAskedAt: f.at(-3 * MIN) });
      const last = await f.handoff(c, { state: 'closed', closedAt: f.at(-MIN), surveyAskedAt: f.at(-MIN) });
      await answer(c, { type: 'CHOICE', id: 'survey.yes' });
      expect((await db().handoff.findUniqueOrThrow({ where: { id: last } })).surveyAnswer).toBe('yes');
      expect((await db().handoff.findUniqueOrThrow({ where: { id: old } })).surveyAnswer).toBeNull();

      const c2 = await f.conversation();
      const stale = await f.handoff(c2, { state: 'closed', closedAt: f.at(-SURVEY_OPEN_MS - 1), surveyAskedAt: f.at(-SURVEY_OPEN_MS - 1) });
      await answer(c2, { type: 'CHOICE', id: 'survey.yes' });
      expect((await db().handoff.findUniqueOrThrow({ where: { id: stale } })).surveyAnswer).toBeNull();
      const edge = await f.handoff(c2, { state: 'closed', closedAt: f.at(-SURVEY_OPEN_MS), surveyAskedAt: f.at(-SURVEY_OPEN_MS) });
      await answer(c2, { type: 'CHOICE', id: 'survey.no' });
      expect((await db().handoff.findUniqueOrThrow({ where: { id: edge } })).surveyAnswer).toBe('no');
      expect(SURVEY_OPEN_MS).toBe(24 * 3600_000);

      const c3 = await f.conversation();
      const open = await f.handoff(c3, { state: 'claimed', surveyAskedAt: f.at(-MIN) });
      await answer(c3, { type: 'CHOICE', id: 'survey.yes' });
      expect((await db().handoff.findUniqueOrThrow({ where: { id: open } })).surveyAnswer).toBeNull();
    });

    it('anything else is left to the flow', async () => {
      const c = await f.conversation();
      const id = await f.handoff(c, { state: 'closed', closedAt: f.at(-MIN), surveyAskedAt: f.at(-MIN) });
      for (const event of [{ type: 'TEXT', text: 'survey.yes' }, { type: 'CHOICE', id: 'report' }, { type: 'CHOICE', id: 'survey.maybe' }, { type: 'CHOICE', id: 'xsurvey.yes' }] as FlowEvent[]) {
        expect(await answer(c, event)).toEqual({ events: undefined, said: [] });
      }
      expect((await db().handoff.findUniqueOrThrow({ where: { id } })).surveyAnswer).toBeNull();
    });
  });
});

describe('loops', () => {
  const recordingLogger = () => {
    const lines: { level: string; obj: unknown; msg: string }[] = [];
    const log = (level: string) => (obj: unknown, msg: string) => void lines.push({ level, obj, msg });
    return { lines, logger: { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') } as unknown as Logger };
  };
  const failing = async (table: string) => {
    await db().$executeRawUnsafe(`CREATE OR REPLACE FUNCTION queue_test_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$ LANGUAGE plpgsql`);
    await db().$executeRawUnsafe(`CREATE TRIGGER queue_test_fail BEFORE UPDATE ON "${table}" FOR EACH ROW EXECUTE FUNCTION queue_test_fail()`);
    return () => db().$executeRawUnsafe(`DROP TRIGGER queue_test_fail ON "${table}"`);
  };
  const poll = { timeout: 30_000, interval: 50 };

  it('assignment: offers at once, again when an offer lapses, when woken, and carries on after a failed pass', async () => {
    f.clock.ms = Date.now();
    const deps = { ...f.deps, clock: () => new Date(), offerSeconds: 1 };
    const { lines, logger } = recordingLogger();
    const a = await f.staff({ availability: 'available' });
    const chat = await f.handoff(await f.conversation());
    const loop = startAssignmentLoop(deps, { intervalMs: 600_000, logger });
    try {
      await expect.poll(async () => (await db().handoff.findUniqueOrThrow({ where: { id: chat } })).offeredToId, poll).toBe(a);
      // Nobody takes it: at its expiry the loop passes again, and a is set away.
      await expect.poll(async () => (await db().staffUser.findUniqueOrThrow({ where: { id: a } })).availability, poll).toBe('away');
      await expect.poll(() => lines.find((l) => l.level === 'info'), poll).toMatchObject({ obj: { count: 1 } });
      // A pass that fails is logged; the next one (woken) runs.
      const restore = await failing('StaffUser');
      const b = await f.staff({ availability: 'available' });
      loop.wake();
      await expect.poll(() => lines.find((l) => l.level === 'error'), poll).toMatchObject({ msg: 'assignment: pass failed' });
      expect((await db().handoff.findUniqueOrThrow({ where: { id: chat } })).offeredToId).toBeNull();
      await restore();
      loop.wake();
      await expect.poll(async () => (await db().handoff.findUniqueOrThrow({ where: { id: chat } })).offeredToId, poll).toBe(b);
    } finally {
      await loop.stop();
    }
    // Stopped: waking does nothing.
    const c = await f.staff({ availability: 'available' });
    const later = await f.handoff(await f.conversation());
    loop.wake();
    await new Promise((r) => setImmediate(r));
    expect(c).toBeTruthy();
    expect((await db().handoff.findUniqueOrThrow({ where: { id: later } })).offeredToId).toBeNull();
  });

  it('assignment: without being woken, the fallback interval offers a chat that arrived', async () => {
    f.clock.ms = Date.now();
    const deps = { ...f.deps, clock: () => new Date(), offerSeconds: 600 };
    const { logger } = recordingLogger();
    const a = await f.staff({ availability: 'available' });
    const loop = startAssignmentLoop(deps, { intervalMs: 200, logger });
    try {
      const chat = await f.handoff(await f.conversation());
      await expect.poll(async () => (await db().handoff.findUniqueOrThrow({ where: { id: chat } })).offeredToId, poll).toBe(a);
    } finally {
      await loop.stop();
    }
  });

  it('SLA: scans at once, tells moved people, scans at a due time it is woken for, and carries on after a failed scan', async () => {
    f.clock.ms = Date.now();
    const deps = { ...f.deps, clock: () => new Date() };
    const { lines, logger } = recordingLogger();
    const levels: string[] = [];
    const overdue = await f.handoff(await f.conversation(), { level: 'high', slaDueAt: new Date(Date.now() - 1000), createdAt: new Date(Date.now() - 70_000) });
    const cMoved = await f.conversation();
    await f.handoff(cMoved, { slaDueAt: new Date(Date.now() + 3600_000), notifiedPosition: 5, positionNotifiedAt: null });
    const loop = startSlaLoop(deps, { intervalMs: 600_000, logger, onBreach: (level) => levels.push(level) });
    try {
      await expect.poll(async () => (await db().handoff.findUniqueOrThrow({ where: { id: overdue } })).slaNotifiedAt, poll).not.toBeNull();
      expect(levels).toEqual(['high']);
      await expect.poll(() => lines.find((l) => l.level === 'warn'), poll).toMatchObject({ obj: { count: 1 } });
      await expect.poll(async () => (await outbound(database, cMoved)).length, poll).toBe(1);
      // A handoff falling due soon: the loop scans at that time, not at the next interval.
      const soon = await f.handoff(await f.conversation(), { level: 'emergency', slaDueAt: new Date(Date.now() + 300) });
      loop.wakeAt(new Date(Date.now() + 300));
      await expect.poll(async () => (await db().handoff.findUniqueOrThrow({ where: { id: soon } })).slaNotifiedAt, poll).not.toBeNull();
      expect(levels).toEqual(['high', 'emergency']);
      // A failed scan is logged; the next one runs.
      const restore = await failing('Handoff');
      const due = await f.handoff(await f.conversation(), { slaDueAt: new Date(Date.now() - 1) });
      loop.wakeAt();
      await expect.poll(() => lines.find((l) => l.level === 'error'), poll).toMatchObject({ msg: 'queue: SLA scan failed' });
      await restore();
      loop.wakeAt();
      await expect.poll(async () => (await db().handoff.findUniqueOrThrow({ where: { id: due } })).slaNotifiedAt, poll).not.toBeNull();
    } finally {
      await loop.stop();
    }
  });
});
