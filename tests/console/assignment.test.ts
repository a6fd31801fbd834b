/**
 * Fair assignment over real HTTP: availability and capacity, an offer to the available counsellor
 * with the fewest open chats (priority, then wait), accept, decline, an offer that lapses and goes
 * to the next counsellor, who holds what for supervisors, and the offers live on the WebSocket.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hashPassword } from '../../console/auth/passwords.js';
import { assignPass } from '../../core/queue/assign.js';
import { choiceFrom, createTestApp, textFrom, type TestApp } from '../helpers/app.js';
import { recordingPort } from '../helpers/ports.js';
import { ConsoleClient } from './session.js';

const OFFER_SECONDS = 30;

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('fair assignment', () => {
  let app: TestApp;
  let base: string;
  let offset = 0;
  const port = recordingPort();

  const start = async () => {
    offset = 0;
    port.sent.length = 0;
    app = await createTestApp({ ports: [port], clock: () => new Date(Date.now() + offset), env: { HANDOFF_OFFER_SECONDS: String(OFFER_SECONDS), SLA_SCAN_INTERVAL_MS: '200' } });
    base = await app.listen();
  };
  afterEach(async () => {
    await app?.close();
  });

  const account = async (email: string, role: 'counsellor' | 'supervisor' | 'admin' = 'counsellor', alias?: string) => {
    const user = await app.database.prisma.staffUser.create({ data: { email, displayName: `Real Name ${email}`, role, passwordHash: await hashPassword('a-long-enough-password'), ...(alias ? { alias } : {}) } });
    const client = new ConsoleClient(base);
    await client.login(email, 'a-long-enough-password');
    return Object.assign(client, { id: user.id });
  };
  const handoffOf = (id: string) => app.database.prisma.handoff.findUniqueOrThrow({ where: { id } });
  const offeredTo = (id: string) => until(() => handoffOf(id), (h) => h.offeredToId !== null, `an offer of ${id}`).then((h) => h.offeredToId!);
  const askForHelp = async (user: string) => {
    await app.runtime.handleTurn(textFrom(user, 'hi'));
    const turn = await app.runtime.handleTurn(textFrom(user, 'help me'));
    expect(turn.handoffId).toBeDefined();
    return turn.handoffId!;
  };

  it('offers nothing to counsellors who are away; offers each chat to the available counsellor with the fewest open chats, within capacity', async () => {
    await start();
    const a = await account('a@111.vn');
    const b = await account('b@111.vn');
    // Everyone starts away: a chat waits, offered to nobody.
    const first = await askForHelp('u1');
    expect(await a.json('GET', '/console/api/me/availability')).toMatchObject({ status: 200, body: { status: 'away', capacity: 2, open: 0, offers: [] } });
    await assignPass({ ...app.queue, offerSeconds: OFFER_SECONDS });
    expect((await handoffOf(first)).offeredToId).toBeNull();

    // Bad input is refused with a stable code.
    expect((await a.json<{ error: { code: string } }>('PUT', '/console/api/me/availability', { status: 'available', capacity: 0 })).body.error.code).toBe('BAD_INPUT');
    expect((await a.json<{ error: { code: string } }>('PUT', '/console/api/me/availability', { status: 'busy' })).body.error.code).toBe('BAD_INPUT');

    expect((await a.json('PUT', '/console/api/me/availability', { status: 'available', capacity: 2 })).body).toMatchObject({ status: 'available', capacity: 2 });
    expect(await offeredTo(first)).toBe(a.id);
    expect((await a.json<{ offers: { handoffId: string }[]; open: number }>('GET', '/console/api/me/availability')).body).toMatchObject({ open: 1, offers: [{ handoffId: first }] });

    // b has fewer open chats (0 against 1): the next chat is b's.
    await b.json('PUT', '/console/api/me/availability', { status: 'available', capacity: 1 });
    const second = await askForHelp('u2');
    expect(await offeredTo(second)).toBe(b.id);
    // b is full (1 of 1): the third goes to a (2 of 2), the fourth waits for room.
    const third = await askForHelp('u3');
    expect(await offeredTo(third)).toBe(a.id);
    const fourth = await askForHelp('u4');
    await assignPass({ ...app.queue, offerSeconds: OFFER_SECONDS });
    expect((await handoffOf(fourth)).offeredToId).toBeNull();

    // The queue shows the offers; a supervisor sees who holds what; counsellors may not.
    const queue = await a.json<{ handoffId: string; offeredTo: string | null; offerExpiresAt: string | null }[]>('GET', '/console/api/queue');
    expect(queue.body.find((q) => q.handoffId === first)).toMatchObject({ offeredTo: a.id });
    expect(queue.body.find((q) => q.handoffId === fourth)).toMatchObject({ offeredTo: null, offerExpiresAt: null });
    expect((await a.request('GET', '/console/api/assignments')).status).toBe(403);
    const sup = await account('s@111.vn', 'supervisor');
    const board = await sup.json<{ counsellors: { id: string; status: string; open: number; offers: { handoffId: string }[]; chats: unknown[] }[]; waiting: number; offerSeconds: number }>('GET', '/console/api/assignments');
    expect(board.body.waiting).toBe(4);
    expect(board.body.offerSeconds).toBe(OFFER_SECONDS);
    expect(board.body.counsellors.find((c) => c.id === a.id)).toMatchObject({ status: 'available', open: 2, chats: [] });
    expect(board.body.counsellors.find((c) => c.id === a.id)!.offers.map((o) => o.handoffId).sort()).toEqual([first, third].sort());
    expect(board.body.counsellors.find((c) => c.id === sup.id)).toMatchObject({ status: 'away', open: 0 });

    // a accepts one: it is claimed, and a's other offer stays; accepting someone else's offer is refused.
    expect((await b.json<{ error: { code: string } }>('POST', `/console/api/handoffs/${first}/accept`, {})).body.error.code).toBe('OFFER_NOT_YOURS');
    expect(await a.json('POST', `/console/api/handoffs/${first}/accept`, {})).toMatchObject({ status: 200, body: { handoffId: first, state: 'claimed', counsellorId: a.id, offeredTo: null } });
    expect(await app.database.prisma.auditLog.count({ where: { action: 'handoff.accept', subjectId: first } })).toBe(1);
    // b frees a place by going away: b's offer goes back and on to a? No: a is full (1 held + 1 offered of 2).
    await b.json('PUT', '/console/api/me/availability', { status: 'away' });
    await until(() => handoffOf(second), (h) => h.offeredToId === null && h.passedOver.includes(b.id), 'b released the offer');
  });

  it('gives the chat with the highest priority first, then the one waiting longest', async () => {
    await start();
    const a = await account('a@111.vn');
    const ask = async (user: string) => {
      await app.runtime.handleTurn(textFrom(user, 'hi'));
      await app.runtime.handleTurn(choiceFrom(user, 'lang.vi'));
      const turn = await app.runtime.handleTurn(choiceFrom(user, 'counsellor'));
      return turn.handoffId!;
    };
    const older = await ask('older');
    const newer = await ask('newer');
    const sos = { handoffId: await askForHelp('sos') };
    const levels = await app.database.prisma.handoff.findMany({ select: { id: true, priority: true } });
    const priority = (id: string) => levels.find((l) => l.id === id)!.priority;
    expect(priority(sos.handoffId)).toBeGreaterThan(priority(older));
    expect(priority(older)).toBe(priority(newer));
    await a.json('PUT', '/console/api/me/availability', { status: 'available', capacity: 1 });
    expect(await offeredTo(sos.handoffId!)).toBe(a.id);
    await a.json('POST', `/console/api/handoffs/${sos.handoffId}/accept`, {});
    await a.json('PUT', '/console/api/me/availability', { status: 'available', capacity: 2 });
    expect(await offeredTo(older)).toBe(a.id);
    expect((await handoffOf(newer)).offeredToId).toBeNull();
  });

  it('an offer not taken in time goes to the next counsellor, and the one who missed it is set away; a declined one too, without setting away', async () => {
    await start();
    const a = await account('a@111.vn');
    const b = await account('b@111.vn');
    const live: { type: string; counsellorId?: string; handoffId?: string; reason?: string }[] = [];
    const ws = new WebSocket(`${base.replace('http', 'ws')}/console/ws`, { headers: { cookie: b.cookie, origin: base } });
    ws.on('message', (data) => live.push(JSON.parse(String(data)) as (typeof live)[number]));
    await new Promise((resolve) => ws.once('open', resolve));

    await a.json('PUT', '/console/api/me/availability', { status: 'available', capacity: 1 });
    const chat = await askForHelp('u1');
    expect(await offeredTo(chat)).toBe(a.id);
    await b.json('PUT', '/console/api/me/availability', { status: 'available', capacity: 1 });
    // b is free but the chat is a's for now.
    await assignPass({ ...app.queue, offerSeconds: OFFER_SECONDS });
    expect((await handoffOf(chat)).offeredToId).toBe(a.id);

    // Time passes beyond the offer: it goes to b; a is away now.
    offset += (OFFER_SECONDS + 1) * 1000;
    await assignPass({ ...app.queue, offerSeconds: OFFER_SECONDS });
    expect(await offeredTo(chat)).toBe(b.id);
    expect((await a.json('GET', '/console/api/me/availability')).body).toMatchObject({ status: 'away', open: 0 });
    expect((await a.json<{ error: { code: string } }>('POST', `/console/api/handoffs/${chat}/accept`, {})).body.error.code).toBe('OFFER_NOT_YOURS');
    // b's console heard it: offered to b (never a's offer: that one is a's business).
    await until(async () => live, (l) => l.some((e) => e.type === 'handoff.offered' && e.counsellorId === b.id && e.handoffId === chat), 'the offer on b\'s socket');
    expect(live.filter((e) => e.type === 'handoff.offered').every((e) => e.counsellorId === b.id)).toBe(true);

    // b declines: a is away, nobody else: it waits, and is not offered straight back to b.
    expect(await b.json('POST', `/console/api/handoffs/${chat}/decline`, {})).toEqual({ status: 200, body: { ok: true } });
    expect((await b.json<{ error: { code: string } }>('POST', `/console/api/handoffs/${chat}/decline`, {})).body.error.code).toBe('OFFER_NOT_YOURS');
    await until(async () => live, (l) => l.some((e) => e.type === 'handoff.offer_ended' && e.reason === 'declined'), 'the end of the offer');
    await assignPass({ ...app.queue, offerSeconds: OFFER_SECONDS });
    expect((await handoffOf(chat)).offeredToId).toBeNull();
    expect((await b.json('GET', '/console/api/me/availability')).body).toMatchObject({ status: 'available' });
    // a comes back: everyone has passed on it, so a new round starts with anyone but the last to pass (b): a.
    await a.json('PUT', '/console/api/me/availability', { status: 'available', capacity: 1 });
    expect(await offeredTo(chat)).toBe(a.id);
    // a declines: straight on to b.
    await a.json('POST', `/console/api/handoffs/${chat}/decline`, {});
    expect(await offeredTo(chat)).toBe(b.id);
    // b alone is free and declines: not straight back to b, only once the last offer is two offer times old.
    await a.json('PUT', '/console/api/me/availability', { status: 'away' });
    await b.json('POST', `/console/api/handoffs/${chat}/decline`, {});
    await assignPass({ ...app.queue, offerSeconds: OFFER_SECONDS });
    expect((await handoffOf(chat)).offeredToId).toBeNull();
    offset += 2 * OFFER_SECONDS * 1000;
    await assignPass({ ...app.queue, offerSeconds: OFFER_SECONDS });
    expect(await offeredTo(chat)).toBe(b.id);
    ws.close();
  });

  it('a counsellor may still claim any waiting chat by hand, which ends its offer; a signed-out counsellor is offered nothing', async () => {
    await start();
    const a = await account('a@111.vn');
    const b = await account('b@111.vn');
    await a.json('PUT', '/console/api/me/availability', { status: 'available', capacity: 3 });
    const chat = await askForHelp('u1');
    expect(await offeredTo(chat)).toBe(a.id);
    expect((await b.json('POST', `/console/api/handoffs/${chat}/claim`, {})).body).toMatchObject({ state: 'claimed', counsellorId: b.id, offeredTo: null });
    expect((await handoffOf(chat)).offeredToId).toBeNull();
    // a signs out (still "available"): nothing is offered to a.
    await a.request('POST', '/console/api/logout', {});
    const next = await askForHelp('u2');
    await assignPass({ ...app.queue, offerSeconds: OFFER_SECONDS });
    expect((await handoffOf(next)).offeredToId).toBeNull();
  });

  it('a chat its holder puts back in the queue goes to another counsellor first', async () => {
    await start();
    const a = await account('a@111.vn');
    const b = await account('b@111.vn');
    await a.json('PUT', '/console/api/me/availability', { status: 'available', capacity: 2 });
    const chat = await askForHelp('u1');
    expect(await offeredTo(chat)).toBe(a.id);
    await a.json('POST', `/console/api/handoffs/${chat}/accept`, {});
    await b.json('PUT', '/console/api/me/availability', { status: 'available', capacity: 2 });
    const other = await askForHelp('u2');
    expect(await offeredTo(other)).toBe(b.id);
    await b.json('POST', `/console/api/handoffs/${other}/accept`, {});
    // a puts theirs back: a now has fewer open chats (0 against 1), yet b gets it first.
    expect((await a.request('POST', `/console/api/handoffs/${chat}/transfer`, { toCounsellorId: null })).status).toBe(200);
    expect(await offeredTo(chat)).toBe(b.id);
  });

  it('users see the counsellor\'s alias when a counsellor joins, never the account name; admins set aliases', async () => {
    await start();
    const admin = await account('admin@111.vn', 'admin');
    const a = await account('lan@111.vn');
    const b = await account('nobody@111.vn');
    expect((await a.request('PUT', `/console/api/staff/${a.id}/alias`, { alias: 'Lan' })).status).toBe(403);
    for (const bad of ['', 'Lan <b>', 'x'.repeat(31), '111', 'lan@111.vn']) {
      expect((await admin.json<{ error: { code: string } }>('PUT', `/console/api/staff/${a.id}/alias`, { alias: bad })).body.error.code).toBe('BAD_INPUT');
    }
    expect((await admin.json<{ error: { code: string } }>('PUT', `/console/api/staff/00000000-0000-4000-8000-000000000000/alias`, { alias: 'Lan' })).status).toBe(404);
    expect(await admin.json('PUT', `/console/api/staff/${a.id}/alias`, { alias: 'Lan' })).toEqual({ status: 200, body: { id: a.id, alias: 'Lan', shown: { vi: 'Tư vấn viên Lan', en: 'Counsellor Lan' } } });
    expect(await app.database.prisma.auditLog.count({ where: { action: 'staff.alias', subjectId: a.id } })).toBe(1);
    expect((await a.json<{ alias: string }>('GET', '/console/api/me')).body.alias).toBe('Lan');
    expect((await a.json<{ id: string; alias: string | null }[]>('GET', '/console/api/staff')).body.find((s) => s.id === a.id)!.alias).toBe('Lan');

    const one = await askForHelp('u1');
    await a.json('POST', `/console/api/handoffs/${one}/claim`, {});
    const two = await askForHelp('u2');
    await b.json('POST', `/console/api/handoffs/${two}/claim`, {});
    const said = async (handoffId: string) => {
      const { conversationId } = await handoffOf(handoffId);
      return (await app.database.prisma.message.findMany({ where: { conversationId, direction: 'outbound' }, orderBy: { seq: 'asc' } })).map((m) => m.text ?? '').join('\n');
    };
    expect(await said(one)).toContain('Tư vấn viên Lan đã vào cuộc trò chuyện');
    expect(await said(two)).toContain('Tư vấn viên 111 đã vào cuộc trò chuyện');
    for (const text of [await said(one), await said(two)]) {
      expect(text).not.toContain('Real Name');
      expect(text).not.toContain('@111.vn');
    }
  });
});
