/**
 * Telegram's webhook through its real route: the X-Telegram-Bot-Api-Secret-Token must equal the
 * configured secret; webhook registration at PUBLIC_URL; long polling against the Bot API fake.
 */
import { telegramModule } from '../../bots/telegram/index.js';
import { startTelegramFake, type TelegramFake } from '../fakes/telegram.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startChannel, type Harness } from './route-harness.js';

// ---------------------------------------------------------------- Telegram (webhook mode)
describe('telegram webhook', () => {
  const SECRET = 'tg-secret_0123456789';
  let fake: TelegramFake;
  let h: Harness;
  beforeAll(async () => {
    fake = await startTelegramFake();
    h = await startChannel(telegramModule, { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: SECRET, PUBLIC_URL: 'https://hotline.example.org/base/' });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });
  afterEach(() => void h.turns.splice(0));
  const update = (id: number, text = 'xin chào') => JSON.stringify({ update_id: id, message: { message_id: 1, date: 1, chat: { id: 42, type: 'private' }, from: { id: 42, is_bot: false, first_name: 'A' }, text } });
  const send = (body: string, secret?: string) => h.post('/webhooks/telegram', body, secret === undefined ? {} : { 'x-telegram-bot-api-secret-token': secret });

  it('accepts an update carrying the configured secret token and hands it to the runtime', async () => {
    expect(await send(update(1), SECRET)).toEqual({ status: 200, body: { ok: true } });
    expect(h.turns).toEqual([expect.objectContaining({ channel: 'telegram', externalUserId: '42', externalMessageId: '1', kind: 'text', payload: { text: 'xin chào' } })]);
  });

  it('refuses a missing, wrong, truncated or extended secret token with 401 and no turn', async () => {
    for (const secret of [undefined, '', 'tg-secret_0123456780', SECRET.slice(0, -1), `${SECRET}x`, SECRET.toUpperCase()]) {
      const res = await send(update(2), secret);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'bad secret token' } });
    }
    expect(h.turns).toEqual([]);
  });

  it('answers 400 to a body that is not an update, after the secret', async () => {
    expect(await send('{not json', SECRET)).toMatchObject({ status: 400, body: { error: { code: 'BAD_INPUT' } } });
    expect(await send(JSON.stringify({ update_id: 'one' }), SECRET)).toEqual({ status: 400, body: { error: { code: 'BAD_INPUT', message: 'not a Telegram update' } } });
    expect((await send('{not json')).status).toBe(401);
    expect(h.turns).toEqual([]);
  });

  it('acknowledges group messages without a turn, and answers a button press after its turn', async () => {
    const group = JSON.stringify({ update_id: 3, message: { message_id: 1, date: 1, chat: { id: -5, type: 'group' }, from: { id: 42, is_bot: false, first_name: 'A' }, text: 'hi' } });
    expect(await send(group, SECRET)).toEqual({ status: 200, body: { ok: true } });
    expect(h.turns).toEqual([]);
    const press = JSON.stringify({ update_id: 4, callback_query: { id: 'cbq-77', from: { id: 42, is_bot: false, first_name: 'A' }, chat_instance: 'c', data: 'flow.report', message: { message_id: 9, date: 1, chat: { id: 42, type: 'private' } } } });
    expect((await send(press, SECRET)).status).toBe(200);
    expect(h.turns).toEqual([expect.objectContaining({ kind: 'choice', payload: { choiceId: 'flow.report' } })]);
    expect(fake.answeredCallbacks()).toContain('cbq-77');
    // A press that is not a turn (a group's) still stops the spinner.
    const groupPress = JSON.stringify({ update_id: 5, callback_query: { id: 'cbq-78', from: { id: 42, is_bot: false, first_name: 'A' }, chat_instance: 'c', data: 'x', message: { message_id: 9, date: 1, chat: { id: -5, type: 'group' } } } });
    expect((await send(groupPress, SECRET)).status).toBe(200);
    expect(fake.answeredCallbacks()).toContain('cbq-78');
    expect(fake.answeredCallbacks()).toHaveLength(2);
  });

  it('registers the webhook at PUBLIC_URL with the secret token, for messages and button presses only', async () => {
    await h.handle.afterListen!();
    expect(fake.webhook()).toEqual({ url: 'https://hotline.example.org/webhooks/telegram', secretToken: SECRET });
    const call = fake.server.callsTo(/\/setWebhook$/).at(-1)!;
    expect(call.body).toMatchObject({ allowed_updates: ['message', 'callback_query'], secret_token: SECRET });
    expect(h.logs().some((l) => l.msg === 'telegram webhook registered' && l.url === 'https://hotline.example.org/webhooks/telegram')).toBe(true);
  });
});

describe('telegram webhook without PUBLIC_URL, and long polling', () => {
  let fake: TelegramFake;
  beforeAll(async () => {
    fake = await startTelegramFake();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('does not register a webhook it has no URL for, and says so', async () => {
    const h = await startChannel(telegramModule, { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: 'abc' });
    try {
      await h.handle.afterListen!();
      expect(fake.server.callsTo(/\/setWebhook$/)).toEqual([]);
      expect(h.logs().some((l) => l.level === 40 && /without PUBLIC_URL/.test(String(l.msg)))).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('polls updates (no webhook route), skips malformed ones, and stops', async () => {
    const h = await startChannel(telegramModule, { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url });
    try {
      expect((await h.post('/webhooks/telegram', '{}', { 'x-telegram-bot-api-secret-token': 'x' })).status).toBe(404);
      await h.handle.afterListen!();
      fake.push({ message: { message_id: 1, date: 1, chat: { id: 42, type: 'private' }, from: { id: 42, is_bot: false, first_name: 'A' }, text: 'polled' } } as never);
      await expect.poll(() => h.turns.map((t) => t.payload.text), { timeout: 30_000 }).toEqual(['polled']);
      fake.push({ message: { message_id: 2, date: 1, chat: { id: 42, type: 'x'.repeat(40) }, from: { id: 42, is_bot: false, first_name: 'A' }, text: 'bad' } } as never);
      fake.push({ callback_query: { id: 'cbq-poll', from: { id: 42, is_bot: false, first_name: 'A' }, chat_instance: 'c', data: 'go' } } as never);
      await expect.poll(() => h.turns.length, { timeout: 30_000 }).toBe(2);
      expect(h.turns[1]).toMatchObject({ kind: 'choice', payload: { choiceId: 'go' } });
      await expect.poll(() => fake.answeredCallbacks(), { timeout: 30_000 }).toContain('cbq-poll');
      const skipped = h.logs().find((l) => l.msg === 'telegram: malformed update skipped');
      expect(skipped).toMatchObject({ code: 'BAD_INPUT', level: 40 });
      expect(typeof skipped!.updateId).toBe('number');
      expect(h.logs().some((l) => l.msg === 'telegram long polling started')).toBe(true);
    } finally {
      await h.close();
    }
  });
});


describe('telegram module', () => {
  it('is on only with a bot token', async () => {
    const { loadConfig } = await import('../../core/config.js');
    expect(telegramModule.enabled(loadConfig({ NODE_ENV: 'test' }))).toBe(false);
    expect(telegramModule.enabled(loadConfig({ NODE_ENV: 'test', TELEGRAM_BOT_TOKEN: '1:abc' }))).toBe(true);
  });

  it('logs a polled update whose turn failed (with its code) and keeps polling', async () => {
    const fake = await startTelegramFake();
    const h = await startChannel(telegramModule, { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url });
    try {
      await h.handle.afterListen!();
      const { AppError } = await import('../../core/errors.js');
      h.failNextTurn(new AppError('CAS_CONFLICT', 'busy', 409));
      const first = fake.push({ message: { message_id: 1, date: 1, chat: { id: 42, type: 'private' }, from: { id: 42, is_bot: false, first_name: 'A' }, text: 'lost' } } as never);
      fake.push({ message: { message_id: 2, date: 1, chat: { id: 42, type: 'private' }, from: { id: 42, is_bot: false, first_name: 'A' }, text: 'after' } } as never);
      await expect.poll(() => h.turns.map((t) => t.payload.text), { timeout: 30_000 }).toEqual(['after']);
      expect(h.logs().find((l) => l.msg === 'telegram update failed')).toMatchObject({ level: 50, code: 'CAS_CONFLICT', updateId: first.update_id });
    } finally {
      await h.close();
      await fake.close();
    }
  });
});
