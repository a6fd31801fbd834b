/**
 * Abuse limits without storing addresses (issue 14, item 7): per-client limits kept in memory for
 * new web chats, resume codes and webhooks; a web chat is stored only with its first user message;
 * one live resume code per conversation; wrong resume codes limited per client, not service-wide;
 * empty conversations are not contacts and expire within a day.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directLineModule } from '../../bots/directline/index.js';
import { telegramModule } from '../../bots/telegram/index.js';
import { applyRetention } from '../../core/privacy/retention.js';
import { dashboardFigures } from '../../core/stats/dashboard.js';
import { startTelegramFake, type TelegramFake } from '../fakes/telegram.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const WEBCHAT_PER_MINUTE = 6; // resume: 3 a minute
const WEBHOOK_PER_MINUTE = 5;
const SECRET = 'tg-webhook-secret_1';

describe('abuse limits', () => {
  let app: TestApp;
  let base: string;
  let telegram: TelegramFake;
  // A second client: same machine, another loopback address.
  const otherClient = '127.0.0.2';
  beforeAll(async () => {
    telegram = await startTelegramFake();
    app = await createTestApp({
      channelModules: [directLineModule, telegramModule],
      env: {
        WEBCHAT_RATE_LIMIT_PER_MINUTE: String(WEBCHAT_PER_MINUTE),
        WEBHOOK_RATE_LIMIT_PER_MINUTE: String(WEBHOOK_PER_MINUTE),
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.url,
        TELEGRAM_MODE: 'webhook',
        TELEGRAM_WEBHOOK_SECRET: SECRET,
      },
    });
    base = await app.listen();
  });
  afterAll(async () => {
    await app?.close();
    await telegram?.close();
  });

  /** One HTTP call from a client address (127.0.0.1 unless given). */
  const call = (method: string, path: string, token?: string, body?: unknown, localAddress = '127.0.0.1') =>
    new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const payload = body ? JSON.stringify(body) : undefined;
      const req = httpRequest(`${base}${path}`, { method, localAddress, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload ? { 'content-type': 'application/json' } : {}) } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(payload);
    });

  it('stores nothing for a token or an opened, empty web chat; limits new chats per client', async () => {
    const statuses: number[] = [];
    let last: { conversationId: string; token: string } | undefined;
    for (let i = 0; i < WEBCHAT_PER_MINUTE + 2; i++) {
      const generated = await call('POST', '/v3/directline/tokens/generate');
      statuses.push(generated.status);
      if (generated.status === 200) last = generated.body as { conversationId: string; token: string };
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(WEBCHAT_PER_MINUTE);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    // The limited client gets a stable code; another client is not affected.
    const limited = await call('POST', '/v3/directline/tokens/generate');
    expect(limited).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    expect((await call('POST', '/v3/directline/tokens/generate', undefined, undefined, otherClient)).status).toBe(200);

    // Opening the conversation and reading its welcome stores nothing.
    expect((await call('POST', '/v3/directline/conversations', last!.token, { locale: 'en' })).status).toBe(201);
    const welcome = await call('GET', `/v3/directline/conversations/${last!.conversationId}/activities`, last!.token);
    expect((welcome.body.activities as unknown[]).length).toBeGreaterThan(0);
    expect(await app.database.prisma.conversation.count({ where: { channel: 'webchat' } })).toBe(0);
    expect(await app.database.prisma.message.count({ where: { channel: 'webchat' } })).toBe(0);

    // The first message stores it.
    await call('POST', `/v3/directline/conversations/${last!.conversationId}/activities`, last!.token, { type: 'message', text: 'xin chào', channelData: { clientActivityID: 'first' } });
    expect(await app.database.prisma.conversation.count({ where: { channel: 'webchat' } })).toBe(1);
  });

  it('keeps one live resume code per conversation, and limits codes and wrong guesses per client', async () => {
    const generated = await call('POST', '/v3/directline/tokens/generate', undefined, undefined, otherClient);
    const { conversationId, token } = generated.body as { conversationId: string; token: string };
    await call('POST', `/v3/directline/conversations/${conversationId}/activities`, token, { type: 'message', text: 'hello', channelData: { clientActivityID: 'r1' } }, otherClient);
    const first = await call('POST', '/chat/resume-code', token, undefined, otherClient);
    const second = await call('POST', '/chat/resume-code', token, undefined, otherClient);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(await app.database.prisma.resumeCode.count({ where: { conversationId } })).toBe(1);
    // The older code no longer opens anything; the newer one does (both tries from another client).
    expect((await call('POST', '/chat/resume', undefined, { code: first.body.code })).status).toBe(404);
    expect((await call('POST', '/chat/resume', undefined, { code: second.body.code })).status).toBe(200);
    // A third code in the minute is one too many for this client.
    expect((await call('POST', '/chat/resume-code', token, undefined, otherClient)).status).toBe(200);
    expect((await call('POST', '/chat/resume-code', token, undefined, otherClient)).status).toBe(429);

    // Wrong guesses from one client use up that client's tries only.
    const guesses: number[] = [];
    for (let i = 0; i < 4; i++) guesses.push((await call('POST', '/chat/resume', undefined, { code: `WRONG-${i}AAAA` })).status);
    expect(guesses).toContain(429);
    const fresh = await call('POST', '/chat/resume', undefined, { code: 'AAAAA-AAAAA' }, otherClient);
    expect(fresh.status).toBe(404); // refused as unknown, not as rate-limited
  });

  it('limits webhook calls per client (generously by default), answering 429 so the platform retries', async () => {
    const post = (id: number) =>
      fetch(`${base}/webhooks/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify({ update_id: id, message: { message_id: id, date: 0, chat: { id: 42, type: 'private' }, from: { id: 42, is_bot: false, first_name: 'A' }, text: 'hi' } }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < WEBHOOK_PER_MINUTE + 1; i++) statuses.push((await post(9000 + i)).status);
    expect(statuses.slice(0, WEBHOOK_PER_MINUTE).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('does not count empty conversations as contacts, and erases them after a day', async () => {
    // Someone pressed /start (a command) and never wrote; someone else wrote.
    const empty = await app.runtime.handleTurn({ channel: 'test', externalUserId: 'silent', externalMessageId: 'start-silent', kind: 'command', payload: { command: 'start' } });
    const real = await app.runtime.handleTurn({ channel: 'test', externalUserId: 'speaks', externalMessageId: 'hi-speaks', kind: 'text', payload: { text: 'hello' } });
    const day = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
    const figures = await dashboardFigures(app.database.prisma, day, new Date(day.getTime() + 86_400_000));
    expect(figures.days.filter((d) => d.channel === 'test').reduce((n, d) => n + d.contacts, 0)).toBe(1);
    // 25 hours later the empty one is gone; the real one stays (90-day retention).
    await applyRetention(app.database.prisma, 90, new Date(Date.now() + 25 * 3600_000));
    expect(await app.database.prisma.conversation.count({ where: { id: empty.conversationId } })).toBe(0);
    expect(await app.database.prisma.conversation.count({ where: { id: real.conversationId } })).toBe(1);
  });
});
