/**
 * Dead letters made visible, with a channel that refuses for good: a `delivery.failed` event on the
 * console socket, "not delivered" on transcript entries and the queue item, a handoff raised (or
 * opened) when emergency guidance or a counsellor's reply did not arrive, and a supervisor's
 * audited retry that delivers it once the channel works again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hashPassword } from '../../console/auth/passwords.js';
import { DeliveryError } from '../../core/errors.js';
import { enqueueOutbound } from '../../core/outbox/enqueue.js';
import { createTestApp, textFrom, type TestApp } from '../helpers/app.js';
import { recordingPort } from '../helpers/ports.js';
import { ConsoleClient } from './session.js';

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const refuse = () => new DeliveryError('DELIVERY_REJECTED', 'the platform refused');

describe('dead letters', () => {
  let app: TestApp;
  let base: string;
  const port = recordingPort();
  beforeAll(async () => {
    app = await createTestApp({ ports: [port] });
    base = await app.listen();
  }, 120_000);
  afterAll(async () => {
    await app.close();
  });

  const account = async (email: string, role: 'counsellor' | 'supervisor') => {
    const user = await app.database.prisma.staffUser.create({ data: { email, displayName: email, role, passwordHash: await hashPassword('a-long-enough-password') } });
    const client = new ConsoleClient(base);
    await client.login(email, 'a-long-enough-password');
    return Object.assign(client, { id: user.id });
  };
  const failedOf = (conversationId: string) => app.database.prisma.message.findMany({ where: { conversationId, direction: 'outbound', status: 'failed' }, orderBy: { seq: 'asc' } });
  const settled = (conversationId: string) => until(() => app.database.prisma.message.count({ where: { conversationId, direction: 'outbound', status: 'pending' } }), (n) => n === 0, 'the outbox to settle');

  it('emergency guidance that does not arrive: event, badges, the handoff raised, and a supervisor retry that delivers it', async () => {
    const supervisor = await account('sup@111.vn', 'supervisor');
    const counsellor = await account('c@111.vn', 'counsellor');
    const live: { type: string; conversationId?: string; messageId?: string; code?: string }[] = [];
    const ws = new WebSocket(`${base.replace('http', 'ws')}/console/ws`, { headers: { cookie: counsellor.cookie, origin: base } });
    ws.on('message', (data) => live.push(JSON.parse(String(data)) as (typeof live)[number]));
    await new Promise((resolve) => ws.once('open', resolve));

    await app.runtime.handleTurn(textFrom('sos', 'hi'));
    await settled((await app.database.prisma.conversation.findFirstOrThrow({ orderBy: { createdAt: 'desc' } })).id);
    // From now on the platform refuses everything for good.
    port.failNext.push(...Array.from({ length: 40 }, refuse));
    const turn = await app.runtime.handleTurn(textFrom('sos', 'they locked me in a room and took my passport, help me now'));
    expect(turn.handoffId).toBeDefined();
    await settled(turn.conversationId);
    const failed = await failedOf(turn.conversationId);
    const urgent = failed.find((m) => (m.payload as { urgent?: boolean } | null)?.urgent);
    expect(urgent).toBeDefined();
    expect(urgent!.lastErrorCode).toBe('DELIVERY_REJECTED');
    port.failNext.length = 0;

    // The console hears of it (ids and the code only).
    await until(async () => live, (l) => l.some((e) => e.type === 'delivery.failed' && e.messageId === urgent!.id), 'delivery.failed');
    const event = live.find((e) => e.type === 'delivery.failed' && e.messageId === urgent!.id)!;
    expect(event).toEqual({ type: 'delivery.failed', conversationId: turn.conversationId, messageId: urgent!.id, code: 'DELIVERY_REJECTED' });

    // The handoff is raised: marked undelivered, emergency priority.
    const handoff = await until(() => app.database.prisma.handoff.findUniqueOrThrow({ where: { id: turn.handoffId! } }), (h) => h.categories.includes('undelivered'), 'the handoff raised');
    expect(handoff.priority).toBe(3);
    const queue = await counsellor.json<{ handoffId: string; undelivered: number; categories: string[] }[]>('GET', '/console/api/queue');
    expect(queue.body.find((q) => q.handoffId === turn.handoffId)).toMatchObject({ undelivered: failed.length });

    // The transcript marks each undelivered message.
    const read = await supervisor.json<{ transcript: { id: string; undelivered?: boolean; errorCode?: string; status: string }[] }>('GET', `/console/api/handoffs/${turn.handoffId}`);
    const entry = read.body.transcript.find((t) => t.id === urgent!.id)!;
    expect(entry).toMatchObject({ undelivered: true, errorCode: 'DELIVERY_REJECTED', status: 'failed' });
    expect(read.body.transcript.filter((t) => t.undelivered).length).toBe(failed.length);
    expect(read.body.transcript.filter((t) => t.status === 'sent').every((t) => !t.undelivered)).toBe(true);

    // Only supervisors retry; a message that is not a failed outbound one cannot be.
    expect((await counsellor.json<{ error: { code: string } }>('POST', `/console/api/messages/${urgent!.id}/retry`, {})).status).toBe(403);
    const inbound = await app.database.prisma.message.findFirstOrThrow({ where: { conversationId: turn.conversationId, direction: 'inbound' } });
    expect((await supervisor.json<{ error: { code: string } }>('POST', `/console/api/messages/${inbound.id}/retry`, {})).body.error.code).toBe('MESSAGE_NOT_FAILED');
    expect((await supervisor.json<{ error: { code: string } }>('POST', '/console/api/messages/00000000-0000-4000-8000-000000000000/retry', {})).status).toBe(404);
    expect((await supervisor.json<{ error: { code: string } }>('POST', '/console/api/messages/nope/retry', {})).body.error.code).toBe('BAD_INPUT');

    // The channel works again: the retry delivers it.
    const sentBefore = port.sent.length;
    expect(await supervisor.json('POST', `/console/api/messages/${urgent!.id}/retry`, {})).toEqual({ status: 200, body: { id: urgent!.id, status: 'pending' } });
    const delivered = await until(() => app.database.prisma.message.findUniqueOrThrow({ where: { id: urgent!.id } }), (m) => m.status === 'sent', 'the retried message sent');
    expect(delivered.lastErrorCode).toBeNull();
    expect(port.sent.length).toBeGreaterThan(sentBefore);
    expect(port.sent.at(-1)!.message.urgent).toBe(true);
    expect(await app.database.prisma.auditLog.count({ where: { action: 'message.retry', subjectId: turn.conversationId } })).toBe(1);
    expect((await supervisor.json<{ error: { code: string } }>('POST', `/console/api/messages/${urgent!.id}/retry`, {})).body.error.code).toBe('MESSAGE_NOT_FAILED');
    ws.close();
  });

  it('a counsellor\'s reply that does not arrive raises the open handoff', async () => {
    const counsellor = await account('c2@111.vn', 'counsellor');
    await app.runtime.handleTurn(textFrom('asker', 'hi'));
    const turn = await app.runtime.handleTurn(textFrom('asker', 'help me'));
    expect((await counsellor.request('POST', `/console/api/handoffs/${turn.handoffId}/claim`, {})).status).toBe(200);
    await settled(turn.conversationId);
    port.failNext.push(refuse());
    expect((await counsellor.request('POST', `/console/api/handoffs/${turn.handoffId}/reply`, { text: 'Chào bạn, mình ở đây.' })).status).toBe(200);
    await settled(turn.conversationId);
    const [reply] = await failedOf(turn.conversationId);
    expect(reply).toMatchObject({ author: 'counsellor' });
    const handoff = await until(() => app.database.prisma.handoff.findUniqueOrThrow({ where: { id: turn.handoffId! } }), (h) => h.categories.includes('undelivered'), 'the handoff raised');
    expect(handoff.state).toBe('claimed');
    expect(handoff.counsellorId).toBe(counsellor.id);
  });

  it('urgent guidance that does not arrive in a chat with no open handoff opens one, as an emergency', async () => {
    await app.runtime.handleTurn(textFrom('quiet', 'hi'));
    const conversation = (await app.database.prisma.conversation.findFirstOrThrow({ orderBy: { createdAt: 'desc' } }))!;
    await settled(conversation.id);
    expect(await app.database.prisma.handoff.count({ where: { conversationId: conversation.id } })).toBe(0);
    port.failNext.push(refuse());
    await app.database.prisma.$transaction((tx) => enqueueOutbound(tx, { conversationId: conversation.id, channel: 'test', messages: [{ author: 'system', urgent: true, text: 'Gọi 113 ngay.' }], now: new Date() }));
    app.outbox.kick();
    const handoff = await until(() => app.database.prisma.handoff.findFirst({ where: { conversationId: conversation.id } }), (h) => h !== null, 'a handoff');
    expect(handoff).toMatchObject({ reason: 'undelivered', level: 'emergency', priority: 3, state: 'waiting', categories: ['undelivered'] });
    expect((await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).status).toBe('queued');
  });

  it('an ordinary bot message that does not arrive is shown, but opens no handoff', async () => {
    await app.runtime.handleTurn(textFrom('plain', 'hi'));
    const conversation = (await app.database.prisma.conversation.findFirstOrThrow({ orderBy: { createdAt: 'desc' } }))!;
    await settled(conversation.id);
    const published: string[] = [];
    const stop = app.bus.subscribe((event) => {
      if (event.type === 'delivery.failed') published.push(event.messageId);
    });
    port.failNext.push(refuse());
    const [id] = await app.database.prisma.$transaction((tx) => enqueueOutbound(tx, { conversationId: conversation.id, channel: 'test', messages: [{ author: 'bot', text: 'Menu' }], now: new Date() }));
    app.outbox.kick();
    // The event is published once the dead letter was handled (after any handoff was written).
    await until(async () => published, (p) => p.includes(id!), 'delivery.failed');
    stop();
    expect(await failedOf(conversation.id)).toHaveLength(1);
    expect(await app.database.prisma.handoff.count({ where: { conversationId: conversation.id } })).toBe(0);
  });
});
