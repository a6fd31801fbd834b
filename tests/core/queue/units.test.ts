/**
 * The queue's rules, called directly on one real PGlite: priority and place in the queue, the usual
 * wait, the queue list (order, SLA flags, matched words, undelivered messages), claiming, transfer,
 * the alias users see, transcripts and their previews, and the system messages users get.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../core/db/client.js';
import type { Tx } from '../../../core/db/tx.js';
import { ALIAS_PATTERN, aliasOf, aliasShown } from '../../../core/queue/alias.js';
import { enqueueAndPlace, enqueueHandoff, priorityFor, queuePosition, typicalWaitMinutes } from '../../../core/queue/handoffs.js';
import { tellUser } from '../../../core/queue/notify.js';
import { claimHandoff, listQueue, transferHandoff } from '../../../core/queue/operations.js';
import { CLOSE_OUTCOMES, HANDED_BACK, isCloseOutcome } from '../../../core/queue/outcomes.js';
import { getTranscript, PREVIEW, previewOf, type TranscriptEntry } from '../../../core/queue/transcript.js';
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

describe('priority', () => {
  it('an emergency or a person in danger now comes first; a request without risk is still served', () => {
    expect(priorityFor('none', 'user_request')).toBe(1);
    expect(priorityFor('elevated', 'risk')).toBe(1);
    expect(priorityFor('high', 'risk')).toBe(2);
    expect(priorityFor('emergency', 'risk')).toBe(3);
    expect(priorityFor('none', 'in_danger')).toBe(3);
    expect(priorityFor('high', 'transfer')).toBe(2);
  });
});

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
    expect((await db().conversation.findUniqueOrThrow({ where: { id: c } })).status).toBe('queued');

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
  it('users see a first name, or the neutral name; never an empty one', async () => {
    expect(aliasShown('en', 'Lan')).toBe('Counsellor Lan');
    expect(aliasShown('en', '  Lan  ')).toBe('Counsellor Lan');
    expect(aliasShown('en', '   ')).toBe('Counsellor 111');
    expect(aliasShown('en', null)).toBe('Counsellor 111');
    expect(aliasShown('en', undefined)).toBe('Counsellor 111');
    expect(aliasShown('vi', 'Lan')).toMatch(/Lan$/);
    const lan = await f.staff({ alias: 'Lan' });
    const none = await f.staff();
    expect(await aliasOf(db(), lan)).toBe('Lan');
    expect(await aliasOf(db(), none)).toBeNull();
    expect(await aliasOf(db(), null)).toBeNull();
    expect(await aliasOf(db(), '')).toBeNull();
    expect(await aliasOf(db(), '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it.each([
    ['Lan', true],
    ['Thị Ngọc Ánh', true],
    ["O'Brien", true],
    ['Anne-Marie', true],
    ['L', true],
    ['A'.repeat(30), true],
    ['A'.repeat(31), false],
    ['', false],
    [' Lan', false],
    ['-Lan', false],
    ['Lan2', false],
    ['lan@111.vn', false],
    ['Lan\nX', false],
  ])('alias %j allowed: %s', (alias, ok) => {
    expect(ALIAS_PATTERN.test(alias)).toBe(ok);
  });
});

describe('close outcomes', () => {
  it('knows the outcomes the hotline counts; handing back is not one of them', () => {
    for (const o of CLOSE_OUTCOMES) expect(isCloseOutcome(o)).toBe(true);
    expect(CLOSE_OUTCOMES).toEqual(['advice_given', 'referred_police', 'referred_border_guard', 'referred_social_services', 'referred_shelter', 'referred_legal_aid', 'report_filed', 'no_action']);
    expect(isCloseOutcome(HANDED_BACK)).toBe(false);
    expect(HANDED_BACK).toBe('handed_back');
    expect(isCloseOutcome('nonsense')).toBe(false);
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

  it('a preview shows only the user’s last three messages, cut short', () => {
    const entry = (author: TranscriptEntry['author'], text: string | null, i: number): TranscriptEntry => ({ id: String(i), direction: 'inbound', author, kind: 'text', text, status: 'received', createdAt: new Date(T0 + i) });
    const long = 'ă'.repeat(PREVIEW.characters + 5);
    const exact = 'b'.repeat(PREVIEW.characters);
    const preview = previewOf([entry('user', 'first', 1), entry('user', long, 2), entry('bot', 'bot says', 3), entry('user', null, 4), entry('user', '', 5), entry('user', exact, 6), entry('counsellor', 'c', 7), entry('user', 'last', 8)]);
    expect(preview.map((p) => p.id)).toEqual(['2', '6', '8']);
    expect(preview[0]!.text).toBe(`${'ă'.repeat(PREVIEW.characters - 1)}…`);
    expect(Array.from(preview[0]!.text!)).toHaveLength(PREVIEW.characters);
    expect(preview[1]!.text).toBe(exact);
    expect(preview[2]!.text).toBe('last');
    expect(PREVIEW).toEqual({ messages: 3, characters: 160 });
    // Emoji are not cut in half.
    const emoji = previewOf([entry('user', '😀'.repeat(200), 1)])[0]!.text!;
    expect(emoji).toBe(`${'😀'.repeat(159)}…`);
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
