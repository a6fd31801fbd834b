/**
 * Channel health in the console (issue 18 item 5): admins see each channel's state, and "check"
 * asks the platform itself, here the local fakes over real HTTP: Telegram's getWebhookInfo, LINE's
 * webhook endpoint test (the fake really sends a signed empty event list to our LINE webhook).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from 'grammy';
import { hashPassword } from '../../console/auth/passwords.js';
import { checkLine, checkTelegram, type ChannelCheck } from '../../console/channel-checks.js';
import { startAllChannels, SECRETS, type AllChannels } from '../helpers/channels.js';
import { startTelegramFake } from '../fakes/telegram.js';
import { startLineFake } from '../fakes/line.js';
import { ConsoleClient } from './session.js';

describe('channel health and platform checks', () => {
  let all: AllChannels;
  let admin: ConsoleClient;
  let counsellor: ConsoleClient;
  beforeAll(async () => {
    all = await startAllChannels();
    for (const [email, role] of [['admin@111.vn', 'admin'], ['lan@111.vn', 'counsellor']] as const) {
      await all.app.database.prisma.staffUser.create({ data: { email, displayName: email, role, passwordHash: await hashPassword('a-long-enough-password') } });
    }
    admin = new ConsoleClient(all.base);
    await admin.login('admin@111.vn', 'a-long-enough-password');
    counsellor = new ConsoleClient(all.base);
    await counsellor.login('lan@111.vn', 'a-long-enough-password');
  }, 120_000);
  afterAll(async () => {
    await all?.close();
  });

  const check = async (channel: string) => {
    const res = await admin.json<ChannelCheck>('POST', `/console/api/channels/${channel}/check`, {});
    expect(res.status).toBe(200);
    return res.body;
  };

  it('lists every channel with its state, for admins only', async () => {
    expect((await counsellor.request('GET', '/console/api/channels')).status).toBe(403);
    expect((await counsellor.request('POST', '/console/api/channels/telegram/check', {})).status).toBe(403);
    const res = await admin.json<{ channel: string; configured: boolean; checkable: boolean; pendingOutbound: number }[]>('GET', '/console/api/channels');
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.map((c) => [c.channel, c]));
    for (const name of ['telegram', 'line', 'zalo']) expect(byName[name]?.configured).toBe(true);
    expect(byName.telegram!.checkable).toBe(true);
    expect(byName.line!.checkable).toBe(true);
    expect(byName.zalo!.checkable).toBe(false);
    expect((await admin.request('POST', '/console/api/channels/zalo/check', {})).status).toBe(400);
  });

  it('Telegram: no webhook set, then ours, then recent delivery errors, as getWebhookInfo tells', async () => {
    // Webhook mode without PUBLIC_URL: nothing registered yet.
    expect((await check('telegram')).verdict).toBe('webhook_missing');
    await new Api(all.telegram.token, { apiRoot: all.telegram.url }).setWebhook(`${all.base}/webhooks/telegram`, { secret_token: SECRETS.telegram });
    const ok = await check('telegram');
    expect(ok.verdict).toBe('ok');
    expect(ok.telegram).toEqual(expect.objectContaining({ mode: 'webhook', url: `${all.base}/webhooks/telegram`, pendingUpdates: 0, lastErrorAt: null }));
    all.telegram.setWebhookState({ pendingUpdateCount: 7, lastErrorDate: Math.floor(Date.now() / 1000) - 30, lastErrorMessage: 'Wrong response from the webhook: 502 Bad Gateway' });
    const failing = await check('telegram');
    expect(failing.verdict).toBe('webhook_errors');
    expect(failing.telegram).toEqual(expect.objectContaining({ pendingUpdates: 7, lastErrorMessage: 'Wrong response from the webhook: 502 Bad Gateway' }));
    expect(await all.app.database.prisma.auditLog.count({ where: { action: 'channel.check' } })).toBe(3);
  });

  it('LINE: the webhook test reaches our signed webhook, or says why not', async () => {
    expect((await check('line')).verdict).toBe('webhook_missing');
    all.line.setWebhook(`${all.base}/webhooks/line`, SECRETS.line);
    const ok = await check('line');
    expect(ok.verdict).toBe('ok');
    expect(ok.line).toEqual(expect.objectContaining({ endpoint: `${all.base}/webhooks/line`, active: true, success: true, statusCode: 200 }));
    // A webhook that does not accept LINE's signature (the channel secret differs): the test fails, with our answer.
    all.line.setWebhook(`${all.base}/webhooks/line`, 'another-secret');
    const refused = await check('line');
    expect(refused.verdict).toBe('webhook_failed');
    expect(refused.line?.success).toBe(false);
    expect(refused.line?.statusCode).toBeGreaterThanOrEqual(400);
    all.line.setWebhook(`${all.base}/webhooks/line`, SECRETS.line, false);
    expect((await check('line')).verdict).toBe('webhook_inactive');
  });

  it('a token the platform refuses, a platform out of reach, a webhook left over in polling mode', async () => {
    const telegram = await startTelegramFake('999:other-token');
    const line = await startLineFake('right-token');
    try {
      expect((await checkTelegram({ TELEGRAM_BOT_TOKEN: '123:wrong', TELEGRAM_API_ROOT: telegram.url, TELEGRAM_MODE: 'polling', PUBLIC_URL: undefined })).verdict).toBe('unauthorized');
      await new Api(telegram.token, { apiRoot: telegram.url }).setWebhook('https://old.example/webhooks/telegram');
      expect((await checkTelegram({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url, TELEGRAM_MODE: 'polling', PUBLIC_URL: undefined })).verdict).toBe('webhook_set_while_polling');
      const elsewhere = await checkTelegram({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url, TELEGRAM_MODE: 'webhook', PUBLIC_URL: 'https://hotline.example' });
      expect(elsewhere.verdict).toBe('webhook_elsewhere');
      expect(elsewhere.telegram?.expectedUrl).toBe('https://hotline.example/webhooks/telegram');
      expect((await checkLine({ LINE_CHANNEL_ACCESS_TOKEN: 'wrong-token', LINE_API_BASE_URL: line.url })).verdict).toBe('unauthorized');
    } finally {
      await telegram.close();
      await line.close();
    }
    // Nothing listens there any more.
    expect((await checkTelegram({ TELEGRAM_BOT_TOKEN: '1:x', TELEGRAM_API_ROOT: telegram.url, TELEGRAM_MODE: 'polling', PUBLIC_URL: undefined })).verdict).toBe('unreachable');
    expect((await checkLine({ LINE_CHANNEL_ACCESS_TOKEN: 'x', LINE_API_BASE_URL: line.url })).verdict).toBe('unreachable');
  });
});
