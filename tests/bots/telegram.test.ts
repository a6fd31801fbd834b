/**
 * Telegram adapter against a fake Bot API server, through the real app (webhook mode): the flow by
 * buttons, emergency handoff, counsellor reply, dedupe of retried updates, the secret token check,
 * and delivery through 429/500/403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramModule } from '../../bots/telegram/index.js';
import { conversationOfUser, createTestApp, type TestApp } from '../helpers/app.js';
import { startTelegramFake, type TelegramFake } from '../fakes/telegram.js';
import { settle, walkByButtons } from './walk.js';

const SECRET = 'tg-webhook-secret_1';
let fake: TelegramFake;
let app: TestApp;
let base: string;
let nextUpdate = 1;
let nextUser = 5000;

beforeAll(async () => {
  fake = await startTelegramFake();
  app = await createTestApp({
    channelModules: [telegramModule],
    env: { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: SECRET, PUBLIC_URL: 'https://hotline.example.org' },
  });
  base = await app.listen();
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
});

const user = (id: number) => ({ id, is_bot: false, first_name: 'A', language_code: 'vi' });
const chat = (id: number) => ({ id, type: 'private' as const, first_name: 'A' });

function textUpdate(userId: number, text: string, updateId = nextUpdate++) {
  return { update_id: updateId, message: { message_id: updateId, date: Math.floor(Date.now() / 1000), chat: chat(userId), from: user(userId), text } };
}
function callbackUpdate(userId: number, data: string, updateId = nextUpdate++) {
  return {
    update_id: updateId,
    callback_query: { id: `cb-${updateId}`, from: user(userId), chat_instance: 'ci', data, message: { message_id: 1, date: 0, chat: chat(userId), text: 'x' } },
  };
}

async function post(body: unknown, secret: string | null = SECRET): Promise<Response> {
  return fetch(`${base}/webhooks/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const sentTo = (chatId: number) => fake.sent().filter((m) => Number(m.chat_id) === chatId);
const conversationOf = (chatId: number) => conversationOfUser(app, 'telegram', String(chatId));

describe('telegram', () => {
  it('registers its webhook, shows on /healthz, and files a full report by inline buttons (every question, the codes shown and the report stored), then reaches a counsellor', async () => {
    expect(fake.server.callsTo(/\/setWebhook$/)[0]?.body).toMatchObject({ url: 'https://hotline.example.org/webhooks/telegram', secret_token: SECRET });
    const health = (await (await fetch(`${base}/healthz`)).json()) as { channels: Record<string, boolean> };
    expect(health.channels).toMatchObject({ telegram: true });

    const id = nextUser++;
    expect((await post(textUpdate(id, '/start'))).status).toBe(200);
    await settle(app);
    const last = () => {
      const message = sentTo(id).at(-1)!;
      const buttons = message.reply_markup?.inline_keyboard.flat() ?? [];
      for (const b of buttons) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
      // Buttons replace the numbered fallback when every choice fits in one.
      if (buttons.length) expect(message.text).not.toMatch(/\n1\. /);
      return { text: message.text, choiceIds: buttons.map((b) => b.callback_data) };
    };
    const walked = await walkByButtons({
      app,
      press: async (choiceId) => {
        const update = callbackUpdate(id, choiceId);
        expect((await post(update)).status).toBe(200);
        expect(fake.answeredCallbacks()).toContain(update.callback_query.id);
      },
      type: async (text) => void (await post(textUpdate(id, text))),
      last,
      transcript: () => JSON.stringify(sentTo(id)),
      conversationStatus: async () => (await conversationOf(id))?.status,
    });
    expect(walked.pressed[0]).toBe('lang.vi');
    expect(walked.reference).toMatch(/^HT-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    expect(walked.followUpCode).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    const conversation = await conversationOf(id);
    expect(conversation?.status).toBe('queued');
    expect(conversation?.locale).toBe('vi');
    expect(await app.database.prisma.handoff.count({ where: { conversationId: conversation!.id } })).toBe(1);
    expect(sentTo(id).map((m) => m.text).join('\n')).toMatch(/hàng chờ/);
    // Every outbound message of the conversation was delivered through Telegram, once.
    const outbound = await app.database.prisma.message.findMany({ where: { conversationId: conversation!.id, direction: 'outbound' } });
    expect(outbound.every((m) => m.status === 'sent')).toBe(true);
    expect(sentTo(id)).toHaveLength(outbound.length);
  });

  it('hands an emergency message to a counsellor and sends the emergency guidance', async () => {
    const id = nextUser++;
    await post(textUpdate(id, 'cứu em với'));
    await settle(app);
    const conversation = await conversationOf(id);
    expect(conversation?.status).toBe('queued');
    const handoff = await app.database.prisma.handoff.findFirstOrThrow({ where: { conversationId: conversation!.id } });
    expect(handoff.level).toBe('emergency');
    expect(sentTo(id).map((m) => m.text).join('\n')).toMatch(/113/);
    // Neither the message text nor the bot token reaches the logs.
    const logs = app.logLines.join('');
    expect(logs).not.toContain('cứu em với');
    expect(logs).not.toContain(fake.token);
  });

  it('delivers a counsellor reply, split at 4096 characters', async () => {
    const id = nextUser++;
    await post(textUpdate(id, 'xin chào'));
    await settle(app);
    const conversation = (await conversationOf(id))!;
    const long = `${'Chào bạn, mình là tư vấn viên của Tổng đài 111. '.repeat(100)}Bạn an toàn chứ?`;
    expect(long.length).toBeGreaterThan(4096);
    const before = sentTo(id).length;
    await app.database.prisma.message.create({
      data: { conversationId: conversation.id, channel: 'telegram', direction: 'outbound', author: 'counsellor', kind: 'text', text: long, status: 'pending', nextAttemptAt: new Date() },
    });
    await settle(app);
    const pieces = sentTo(id).slice(before);
    expect(pieces).toHaveLength(2);
    expect(pieces.every((p) => p.text.length <= 4096)).toBe(true);
    expect(pieces.map((p) => p.text).join(' ').replace(/\s+/g, ' ')).toBe(long.replace(/\s+/g, ' '));
  });

  it('processes a retried update once', async () => {
    const id = nextUser++;
    const update = textUpdate(id, 'xin chào');
    expect((await post(update)).status).toBe(200);
    expect((await post(update)).status).toBe(200);
    await settle(app);
    const conversation = (await conversationOf(id))!;
    expect(await app.database.prisma.message.count({ where: { conversationId: conversation.id, direction: 'inbound' } })).toBe(1);
    expect(sentTo(id)).toHaveLength(1);
  });

  it('dedupes on update_id: the same message_id in two chats is two messages; the same update_id twice is one', async () => {
    const [a, b] = [nextUser++, nextUser++];
    const messageId = 77; // message ids are per chat in Telegram: two chats may both send message 77
    const fromA = { ...textUpdate(a, 'xin chào'), message: { ...textUpdate(a, 'xin chào').message, message_id: messageId } };
    const fromB = { ...textUpdate(b, 'xin chào'), message: { ...textUpdate(b, 'xin chào').message, message_id: messageId } };
    expect(fromA.update_id).not.toBe(fromB.update_id);
    expect((await post(fromA)).status).toBe(200);
    expect((await post(fromB)).status).toBe(200);
    // The same update delivered twice (Telegram retries until it gets 200).
    expect((await post(fromB)).status).toBe(200);
    await settle(app);
    for (const id of [a, b]) {
      const conversation = await conversationOf(id);
      expect(conversation, `chat ${id} was served`).not.toBeNull();
      expect(await app.database.prisma.message.count({ where: { conversationId: conversation!.id, direction: 'inbound' } })).toBe(1);
      expect(sentTo(id)).toHaveLength(1);
    }
    // And a later message of chat A with a new update_id but A's old message_id is not taken for a repeat.
    const again = { ...textUpdate(a, 'menu'), message: { ...textUpdate(a, 'menu').message, message_id: messageId } };
    expect((await post(again)).status).toBe(200);
    await settle(app);
    expect(await app.database.prisma.message.count({ where: { conversationId: (await conversationOf(a))!.id, direction: 'inbound' } })).toBe(2);
  });

  it('refuses a wrong or missing secret token with 401 and stores nothing; malformed bodies get 400', async () => {
    const id = nextUser++;
    const messages = await app.database.prisma.message.count();
    expect((await post(textUpdate(id, 'xin chào'), 'wrong-secret')).status).toBe(401);
    expect((await post(textUpdate(id, 'xin chào'), null)).status).toBe(401);
    expect((await post('{not json')).status).toBe(400);
    expect((await post({ hello: 'world' })).status).toBe(400);
    expect(await app.database.prisma.message.count()).toBe(messages);
    expect(await conversationOf(id)).toBeNull();
  });

  it('retries 429 (honouring retry_after) and 500 through the outbox until sent, with no duplicate', async () => {
    const id = nextUser++;
    fake.fail429(2, 1);
    fake.fail500(1);
    await post(textUpdate(id, 'xin chào'));
    await settle(app, 30_000);
    expect(sentTo(id)).toHaveLength(1);
    const failedAttempts = fake.server.callsTo(/\/sendMessage$/).filter((c) => c.failed && Number((c.body as { chat_id: number }).chat_id) === id);
    expect(failedAttempts).toHaveLength(3);
    const message = await app.database.prisma.message.findFirstOrThrow({ where: { conversationId: (await conversationOf(id))!.id, direction: 'outbound' } });
    expect(message.status).toBe('sent');
    expect(message.attempts).toBeGreaterThanOrEqual(2);
  });

  it('waits the retry_after Telegram asks for before sending again, then delivers once', async () => {
    const id = nextUser++;
    const RETRY_AFTER = 4; // longer than the outbox's first backoff, so only honouring it waits this long
    fake.fail429(1, RETRY_AFTER);
    await post(textUpdate(id, 'xin chào'));
    await expect.poll(() => sentTo(id).length, { timeout: 30_000 }).toBe(1);
    await settle(app, 30_000);
    const calls = fake.server.callsTo(/\/sendMessage$/).filter((c) => Number((c.body as { chat_id: number }).chat_id) === id);
    expect(calls.map((c) => c.failed)).toEqual([true, false]);
    // The second call came no sooner than Telegram allowed (a lower bound: a slow machine only waits longer).
    expect(calls[1]!.receivedAt - calls[0]!.receivedAt).toBeGreaterThanOrEqual(RETRY_AFTER * 1000 - 10);
    expect(sentTo(id)).toHaveLength(1);
    const message = await app.database.prisma.message.findFirstOrThrow({ where: { conversationId: (await conversationOf(id))!.id, direction: 'outbound' } });
    expect(message.status).toBe('sent');
  });

  it('marks the conversation unreachable when the user blocked the bot (403)', async () => {
    const id = nextUser++;
    fake.block(1);
    await post(textUpdate(id, 'xin chào'));
    await settle(app);
    const conversation = (await conversationOf(id))!;
    expect(conversation.unreachable).toBe(true);
    const message = await app.database.prisma.message.findFirstOrThrow({ where: { conversationId: conversation.id, direction: 'outbound' } });
    expect(message).toMatchObject({ status: 'failed', lastErrorCode: 'DELIVERY_UNREACHABLE' });
  });

  it('passes shared locations and commands through', async () => {
    const id = nextUser++;
    await post({ update_id: nextUpdate++, message: { message_id: 1, date: 0, chat: chat(id), from: user(id), location: { latitude: 21.03, longitude: 105.85 } } });
    await post(textUpdate(id, '/lang en'));
    await settle(app);
    const conversation = (await conversationOf(id))!;
    const inbound = await app.database.prisma.message.findMany({ where: { conversationId: conversation.id, direction: 'inbound' }, orderBy: { seq: 'asc' } });
    expect(inbound.map((m) => m.kind)).toEqual(['location', 'command']);
    expect(inbound[0]!.payload).toMatchObject({ location: { latitude: 21.03, longitude: 105.85 } });
    expect(conversation.locale).toBe('en');
  });
});
