/**
 * Two real app processes (as `npm start`) on different ports sharing one fresh PostgreSQL database
 * and APP_SECRET, as behind a load balancer with no sticky sessions:
 *  - a web chat user on A (Direct Line HTTP + WebSocket) escalates; the console WebSocket on B sees
 *    it live; the counsellor claims and replies through B's API; the user's stream on A receives the
 *    reply (and B's typing indicator);
 *  - a Telegram user's reply is being sent by A when A is killed (SIGKILL): B sends A's pending
 *    outbox after the lease, and the conversation continues on B; no message is lost or out of order.
 * Runs on TEST_DATABASE_URL (and must, in CI).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encryptAtRest } from '../../core/privacy/encrypted-client.js';
import { deriveKeys } from '../../core/privacy/secrets.js';
import { conversationOfUser } from '../helpers/app.js';
import { openDatabase, type Database } from '../../core/db/client.js';
import { ConsoleClient } from '../console/session.js';
import { startTelegramFake, type TelegramFake } from '../fakes/telegram.js';
import { postgresSuiteMode, TEST_DATABASE_URL } from '../helpers/db.js';
import { createScratchDatabase, startInstance, type Instance } from '../helpers/instances.js';

const mode = postgresSuiteMode();
const ADMIN = { email: 'lead@hotline.test', password: 'two-instances-password-1' };
const SECRET = 'tg-two-instances_secret';

interface Activity {
  type: string;
  from: { role: string };
  text?: string;
}

describe.runIf(mode !== 'skip')('two instances on one PostgreSQL', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let telegram: TelegramFake;
  let a: Instance;
  let b: Instance;
  let db: Database;

  beforeAll(async () => {
    expect(mode, 'TEST_DATABASE_URL must be set in CI').toBe('run');
    scratch = await createScratchDatabase(TEST_DATABASE_URL!, 'hotline_two');
    telegram = await startTelegramFake();
    const env = {
      DATABASE_URL: scratch.url,
      APP_SECRET: 'two-instances-shared-app-secret-0123456789',
      CONSOLE_ADMIN_EMAIL: ADMIN.email,
      CONSOLE_ADMIN_PASSWORD: ADMIN.password,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      // A crashed sender's lease ends sooner than the default 30 s, so the test does not wait long.
      OUTBOX_LEASE_MS: '3000',
    };
    // Both start at once on the empty database: one migrates, the other waits on the migration lock.
    [a, b] = await Promise.all([startInstance('A', env), startInstance('B', env)]);
    const opened = await openDatabase({ kind: 'postgres', url: scratch.url }, { migrate: false });
    // Read what the instances stored as they do: through the sealing client with the shared secret.
    db = { ...opened, prisma: encryptAtRest(opened.prisma, deriveKeys(env.APP_SECRET).dataKeys) };
  }, 180_000);

  afterAll(async () => {
    await db?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await telegram?.close();
    await scratch?.drop();
  }, 60_000);

  it('an emergency on A reaches the console on B live; B claims and replies; the user on A gets it on their stream', async () => {
    // The counsellor on B, with the live WebSocket open.
    const counsellor = new ConsoleClient(b.url);
    expect((await counsellor.login(ADMIN.email, ADMIN.password)).status).toBe(200);
    const consoleEvents: { type: string; handoffId?: string; conversationId?: string }[] = [];
    const live = new WebSocket(`${b.url.replace('http', 'ws')}/console/ws`, { headers: { cookie: counsellor.cookie } });
    live.on('message', (data) => consoleEvents.push(JSON.parse(String(data)) as (typeof consoleEvents)[number]));
    await expect.poll(() => consoleEvents.some((e) => e.type === 'hello'), { timeout: 30_000 }).toBe(true);

    // The user on A: Direct Line token, conversation, stream.
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${a.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const generated = await fetch(`${a.url}/v3/directline/tokens/generate`, { method: 'POST' });
    const token = ((await generated.json()) as { token: string }).token;
    const started = await call('POST', '/v3/directline/conversations', token);
    expect(started.status).toBe(201);
    const directLineId = started.body.conversationId as string;
    expect(started.body.streamUrl).toContain(new URL(a.url).host);
    const activities: Activity[] = [];
    const stream = new WebSocket(started.body.streamUrl as string);
    stream.on('message', (data) => activities.push(...(JSON.parse(String(data)) as { activities: Activity[] }).activities));
    await expect.poll(() => activities.some((x) => x.from.role === 'bot' && x.type === 'message'), { timeout: 30_000 }).toBe(true);

    const posted = await call('POST', `/v3/directline/conversations/${directLineId}/activities`, token, { type: 'message', text: 'cứu em với, em đang bị nhốt', from: { id: 'user' } });
    expect(posted.status).toBe(200);

    // B's console hears of the new handoff live (it was created on A).
    await expect.poll(() => consoleEvents.find((e) => e.type === 'handoff.created'), { timeout: 30_000 }).toBeTruthy();
    const created = consoleEvents.find((e) => e.type === 'handoff.created')!;
    const queue = await counsellor.json<{ handoffId: string; level: string; conversationId: string }[]>('GET', '/console/api/queue');
    const item = queue.body.find((q) => q.handoffId === created.handoffId)!;
    expect(item.level).toBe('emergency');
    // The user on A was told help is coming (emergency numbers) on their stream.
    await expect.poll(() => activities.filter((x) => x.from.role === 'bot' && x.type === 'message').length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);

    // B claims, types and replies.
    expect((await counsellor.request('POST', `/console/api/handoffs/${item.handoffId}/claim`)).status).toBe(200);
    expect(await (await counsellor.request('POST', `/console/api/handoffs/${item.handoffId}/typing`)).json()).toEqual({ supported: true });
    await expect.poll(() => activities.some((x) => x.type === 'typing'), { timeout: 30_000 }).toBe(true);
    const reply = 'Chị đây rồi. Em có an toàn để nhắn tin không?';
    expect((await counsellor.request('POST', `/console/api/handoffs/${item.handoffId}/reply`, { text: reply })).status).toBe(200);
    await expect.poll(() => activities.some((x) => x.type === 'message' && x.text === reply), { timeout: 30_000 }).toBe(true);
    // The console on B also saw the user's message arrive on A.
    expect(consoleEvents.some((e) => e.type === 'conversation.message' && e.conversationId === item.conversationId)).toBe(true);

    stream.close();
    live.close();
  }, 120_000);

  it('killing A while it sends loses nothing: B sends A’s pending reply after the lease, in order, and the chat goes on on B', async () => {
    const chatId = 777_000_111;
    let nextId = 1;
    const update = (text: string) => ({
      update_id: 500_000 + nextId,
      message: { message_id: nextId++, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: 'N' }, text },
    });
    const webhook = (instance: Instance, body: unknown) =>
      fetch(`${instance.url}/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(body) });
    const sentToChat = () => telegram.sent().filter((m) => Number(m.chat_id) === chatId).map((m) => m.text);

    // First contact on A: the welcome arrives.
    expect((await webhook(a, update('xin chào'))).status).toBe(200);
    await expect.poll(() => sentToChat().length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);

    // The platform hangs; A commits the next reply and is sending it when it dies.
    const release = telegram.holdSends();
    expect((await webhook(a, update('1'))).status).toBe(200);
    await expect.poll(() => telegram.held(), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await a.kill();
    release();

    // B takes the reply over once A's lease has run out, then answers the next message itself.
    const conversation = (await conversationOfUser({ keys: deriveKeys('two-instances-shared-app-secret-0123456789'), database: db }, 'telegram', String(chatId)))!;
    await expect.poll(async () => db.prisma.message.count({ where: { conversationId: conversation.id, direction: 'outbound', status: { not: 'sent' } } }), { timeout: 30_000 }).toBe(0);
    expect((await webhook(b, update('2'))).status).toBe(200);
    await expect.poll(async () => db.prisma.message.count({ where: { conversationId: conversation.id, direction: 'outbound', status: { not: 'sent' } } }), { timeout: 30_000 }).toBe(0);

    const stored = await db.prisma.message.findMany({ where: { conversationId: conversation.id }, orderBy: { seq: 'asc' } });
    expect(stored.filter((m) => m.direction === 'inbound').map((m) => m.text)).toEqual(['xin chào', '1', '2']);
    const outbound = stored.filter((m) => m.direction === 'outbound').map((m) => m.text ?? '');
    expect(outbound.length).toBeGreaterThanOrEqual(3);
    // Every reply reached the platform (acknowledged), in the conversation's order; none lost.
    const delivered = sentToChat();
    const firstDelivery = outbound.map((text) => delivered.indexOf(text));
    expect(firstDelivery.every((i) => i >= 0)).toBe(true);
    expect([...firstDelivery].sort((x, y) => x - y)).toEqual(firstDelivery);
    // The reply A was sending when it died was sent again by B (at least once), after the lease.
    const taken = await db.prisma.message.findMany({ where: { conversationId: conversation.id, direction: 'outbound', attempts: { gt: 1 } } });
    expect(taken.length).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
