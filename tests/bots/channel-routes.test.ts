/**
 * Each webhook's verification through its real route (Fastify inject on the app's own HTTP server
 * with its error format), with signatures computed here from the platforms' documented formulas:
 *   Telegram  X-Telegram-Bot-Api-Secret-Token equal to the configured secret
 *   LINE      x-line-signature = base64(HMAC-SHA256(channel secret, raw body))
 *   Zalo OA   X-ZEvent-Signature = "mac=" + hex(SHA256(appId + raw body + event timestamp + OA secret key))
 *   Bot Framework  RS256 JWT from the channel's OpenID/JWKS (a local one), audience = app id
 * The runtime behind the route only records the turns it is handed: a refused request hands none.
 */
import { createHash, createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Writable } from 'node:stream';
import jwt from 'jsonwebtoken';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { botFrameworkModule, useBotFrameworkCredentials } from '../../bots/botframework/index.js';
import { lineModule } from '../../bots/line/index.js';
import { telegramModule } from '../../bots/telegram/index.js';
import { zaloModule } from '../../bots/zalo/index.js';
import type { ChannelHandle, ChannelModule } from '../../core/channels.js';
import { loadConfig } from '../../core/config.js';
import type { Db } from '../../core/db/client.js';
import { InMemoryEventBus } from '../../core/events/bus.js';
import { buildHttpServer } from '../../core/http/server.js';
import { createLogger } from '../../core/logging.js';
import type { InboundMessage } from '../../core/messages/types.js';
import type { Runtime } from '../../core/runtime/handle-turn.js';
import { FakeServer } from '../fakes/base.js';
import { startTelegramFake, type TelegramFake } from '../fakes/telegram.js';

interface Harness {
  server: FastifyInstance;
  handle: ChannelHandle;
  turns: InboundMessage[];
  logs: () => Record<string, unknown>[];
  post(path: string, body: string, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

async function startChannel(module: ChannelModule, env: Record<string, string>): Promise<Harness> {
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', WEBHOOK_RATE_LIMIT_PER_MINUTE: '1000000', ...env });
  expect(module.enabled(config)).toBe(true);
  const lines: string[] = [];
  const logger = createLogger('info', new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
  const server = buildHttpServer(logger);
  const turns: InboundMessage[] = [];
  const runtime = { handleTurn: async (m: InboundMessage) => void turns.push(m) } as unknown as Runtime;
  const handle = await module.start({ config, runtime, db: {} as Db, bus: new InMemoryEventBus(), logger, server, tokenKey: Buffer.alloc(32, 7), channels: () => ({}), welcome: () => [] });
  await server.ready();
  return {
    server,
    handle,
    turns,
    logs: () => lines.flatMap((l) => l.split('\n')).filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
    async post(path, body, headers = {}) {
      const res = await server.inject({ method: 'POST', url: path, payload: body, headers: { 'content-type': 'application/json', ...headers } });
      return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as unknown) : '' };
    },
    async close() {
      await handle.stop?.();
      await server.close();
    },
  };
}

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

// ---------------------------------------------------------------- LINE
describe('line webhook', () => {
  const SECRET = 'line-channel-secret-abc';
  let h: Harness;
  beforeAll(async () => {
    h = await startChannel(lineModule, { LINE_CHANNEL_SECRET: SECRET, LINE_CHANNEL_ACCESS_TOKEN: 'tok', LINE_API_BASE_URL: 'http://127.0.0.1:9' });
  });
  afterAll(async () => h?.close());
  afterEach(() => void h.turns.splice(0));
  /** LINE's documented signature, independently: base64 HMAC-SHA256 of the raw body with the channel secret. */
  const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('base64');
  const ev = (id: string, text: string, extra: Record<string, unknown> = {}) => ({ type: 'message', webhookEventId: id, timestamp: Date.now(), source: { type: 'user', userId: 'U1' }, replyToken: `rt-${id}`, message: { type: 'text', id, text }, ...extra });
  const body = (...events: unknown[]) => JSON.stringify({ destination: 'Ubot', events });
  const send = (raw: string, signature?: string) => h.post('/webhooks/line', raw, signature === undefined ? {} : { 'x-line-signature': signature });

  it('accepts a correctly signed delivery and hands its events to the runtime in order', async () => {
    const raw = body(ev('e1', 'một'), ev('e2', 'hai'), ev('e3', 'ba'));
    expect(await send(raw, sign(raw))).toEqual({ status: 200, body: {} });
    expect(h.turns.map((t) => [t.externalMessageId, t.payload.text])).toEqual([
      ['e1', 'một'],
      ['e2', 'hai'],
      ['e3', 'ba'],
    ]);
  });

  it('refuses a missing, empty, forged or other-body signature with 401 and no turn', async () => {
    const raw = body(ev('e4', 'x'));
    for (const signature of [undefined, '', sign(raw, 'another-secret'), sign(`${raw} `), 'bm90IGEgc2lnbmF0dXJl']) {
      expect(await send(raw, signature)).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'bad webhook signature' } } });
    }
    expect(h.turns).toEqual([]);
  });

  it('answers 400 to a signed body that is not a LINE delivery', async () => {
    for (const raw of ['{oops', JSON.stringify({ events: 'none' }), JSON.stringify({ destination: 'U' })]) {
      expect(await send(raw, sign(raw))).toMatchObject({ status: 400, body: { error: { code: 'BAD_INPUT' } } });
    }
    expect((await send(JSON.stringify({ events: 'none' }), sign(JSON.stringify({ events: 'none' })))).body).toEqual({ error: { code: 'BAD_INPUT', message: 'not a LINE webhook body' } });
    expect(h.turns).toEqual([]);
  });

  it('acknowledges old events without processing them, and serves the fresh ones of the same delivery', async () => {
    const raw = body(ev('old', 'stale', { timestamp: Date.now() - 3_600_000 }), ev('fresh', 'new'));
    expect((await send(raw, sign(raw))).status).toBe(200);
    expect(h.turns.map((t) => t.externalMessageId)).toEqual(['fresh']);
    const warn = h.logs().find((l) => l.code === 'EVENT_TOO_OLD');
    expect(warn).toMatchObject({ level: 40, msg: 'line: old event acknowledged, not processed' });
    expect(warn!.ageSeconds).toBeGreaterThanOrEqual(3590);
    expect(warn!.ageSeconds).toBeLessThan(3700);
  });

  it('acknowledges group and room events without a turn', async () => {
    const raw = body(ev('g1', 'hi', { source: { type: 'group', groupId: 'C1', userId: 'U1' } }), ev('r1', 'hi', { source: { type: 'room', roomId: 'R1', userId: 'U1' } }));
    expect(await send(raw, sign(raw))).toEqual({ status: 200, body: {} });
    expect(h.turns).toEqual([]);
  });
});

// ---------------------------------------------------------------- Zalo
describe('zalo webhook', () => {
  const APP_ID = '1234567890123456789';
  const OA_SECRET = 'oa-secret-key-xyz';
  let h: Harness;
  beforeAll(async () => {
    h = await startChannel(zaloModule, { ZALO_APP_ID: APP_ID, ZALO_OA_SECRET_KEY: OA_SECRET, ZALO_ACCESS_TOKEN: 'access', ZALO_API_BASE_URL: 'http://127.0.0.1:9', ZALO_OAUTH_BASE_URL: 'http://127.0.0.1:9' });
  });
  afterAll(async () => h?.close());
  afterEach(() => void h.turns.splice(0));
  /** Zalo OA's documented mac, independently: "mac=" + hex SHA-256 of appId + raw body + the event's timestamp + OA secret key. */
  const mac = (raw: string, timestamp: string, secret = OA_SECRET) => `mac=${createHash('sha256').update(`${APP_ID}${raw}${timestamp}${secret}`).digest('hex')}`;
  const event = (timestamp: string | number, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ app_id: APP_ID, event_name: 'user_send_text', timestamp, sender: { id: '2468' }, recipient: { id: 'oa' }, message: { msg_id: `m-${timestamp}`, text: 'xin chào' }, ...extra });
  const send = (raw: string, signature?: string) => h.post('/webhooks/zalo', raw, signature === undefined ? {} : { 'x-zevent-signature': signature });

  it('accepts an event with the documented mac (string or number timestamp) and hands it to the runtime', async () => {
    const ts = String(Date.now());
    const raw = event(ts);
    expect(await send(raw, mac(raw, ts))).toEqual({ status: 200, body: { ok: true } });
    const numeric = event(Number(ts) + 1);
    expect((await send(numeric, mac(numeric, String(Number(ts) + 1)))).status).toBe(200);
    expect(h.turns.map((t) => [t.externalUserId, t.externalMessageId, t.kind, t.payload.text])).toEqual([
      ['2468', `m-${ts}`, 'text', 'xin chào'],
      ['2468', `m-${Number(ts) + 1}`, 'text', 'xin chào'],
    ]);
  });

  it('refuses a missing or forged mac, or one made for another timestamp, with 401 and no turn', async () => {
    const ts = String(Date.now());
    const raw = event(ts);
    for (const signature of [undefined, '', mac(raw, ts, 'wrong'), mac(raw, String(Number(ts) + 1)), mac(raw.replace('xin chào', 'tạm biệt'), ts)]) {
      expect(await send(raw, signature)).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'bad webhook signature' } } });
    }
    expect(h.turns).toEqual([]);
  });

  it('answers 400 to a body that is not a Zalo event', async () => {
    expect(await send('{bad', 'mac=00')).toMatchObject({ status: 400, body: { error: { code: 'BAD_INPUT' } } });
    for (const raw of [JSON.stringify({ event_name: 'x' }), JSON.stringify({ event_name: 'x', timestamp: true }), 'null']) {
      expect(await send(raw, 'mac=00')).toEqual({ status: 400, body: { error: { code: 'BAD_INPUT', message: 'not a Zalo event' } } });
    }
    const ts = String(Date.now());
    const noName = JSON.stringify({ timestamp: ts, sender: { id: '1' } });
    expect(await send(noName, mac(noName, ts))).toEqual({ status: 400, body: { error: { code: 'BAD_INPUT', message: 'not a Zalo event' } } });
    expect(h.turns).toEqual([]);
  });

  it('acknowledges an old event without processing it, and events that are not turns', async () => {
    const ts = String(Date.now() - 3_600_000);
    const raw = event(ts);
    expect(await send(raw, mac(raw, ts))).toEqual({ status: 200, body: { ok: true } });
    expect(h.turns).toEqual([]);
    const warn = h.logs().find((l) => l.code === 'EVENT_TOO_OLD');
    expect(warn).toMatchObject({ level: 40, msg: 'zalo: old event acknowledged, not processed' });
    expect(warn!.ageSeconds).toBeGreaterThanOrEqual(3590);
    expect(warn!.ageSeconds).toBeLessThan(3700);
    const now = String(Date.now());
    const oa = event(now, { event_name: 'oa_send_text' });
    expect(await send(oa, mac(oa, now))).toEqual({ status: 200, body: { ok: true } });
    expect(h.turns).toEqual([]);
  });
});

// ---------------------------------------------------------------- Bot Framework
describe('bot framework /api/messages', () => {
  const APP_ID = '00000000-1111-2222-3333-444444444444';
  const ISSUER = 'https://api.botframework.test';
  const KID = 'k1';
  let fake: FakeServer;
  let privateKey: KeyObject;
  let h: Harness;
  let connector: (path: string) => { status: number; body: unknown } = () => ({ status: 200, body: { id: 'sent-1' } });
  beforeAll(async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    privateKey = pair.privateKey;
    const jwk = pair.publicKey.export({ format: 'jwk' });
    fake = await new FakeServer((call) => {
      if (call.path === '/openid') return { body: { issuer: ISSUER, jwks_uri: `${fake.url}/jwks`, id_token_signing_alg_values_supported: ['RS256'] } };
      if (call.path === '/jwks') return { body: { keys: [{ ...jwk, kid: KID, kty: 'RSA', use: 'sig' }] } };
      if (call.path.startsWith('/connector/')) return connector(call.path);
      return { status: 404, body: {} };
    }).start();
    useBotFrameworkCredentials({
      isValidAppId: async (id: string) => id === APP_ID,
      isAuthenticationDisabled: async () => false,
      createCredentials: async () => ({ signRequest: async (resource: { headers: { set(n: string, v: string): void } }) => (resource.headers.set('authorization', 'Bearer connector-token'), resource) }),
    } as unknown as ServiceClientCredentialsFactory);
    h = await startChannel(botFrameworkModule, {
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_PASSWORD: 'pw',
      MICROSOFT_APP_TYPE: 'SingleTenant',
      MICROSOFT_APP_TENANT_ID: 'tenant',
      BOTFRAMEWORK_OPENID_METADATA_URL: `${fake.url}/openid`,
      BOTFRAMEWORK_TOKEN_ISSUER: ISSUER,
      BOTFRAMEWORK_LOGIN_URL: `${fake.url}/login`,
      BOTFRAMEWORK_OAUTH_SCOPE: 'https://api.botframework.test',
    });
  });
  afterAll(async () => {
    useBotFrameworkCredentials(undefined);
    await h?.close();
    await fake?.close();
  });
  afterEach(() => void h.turns.splice(0));
  const serviceUrl = () => `${fake.url}/connector/`;
  const token = (options: jwt.SignOptions = {}, key: KeyObject = privateKey) =>
    jwt.sign({ serviceurl: serviceUrl() }, key, { algorithm: 'RS256', keyid: KID, issuer: ISSUER, audience: APP_ID, expiresIn: 300, ...options });
  const activity = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({ type: 'message', id: 'act-1', channelId: 'msteams', serviceUrl: serviceUrl(), from: { id: '29:user' }, recipient: { id: '28:bot' }, conversation: { id: 'conv-1', conversationType: 'personal' }, text: 'hello', ...extra });
  const send = (raw: string, auth?: string) => h.post('/api/messages', raw, auth === undefined ? {} : { authorization: auth });

  it('accepts a message with a valid channel token and hands it to the runtime', async () => {
    const res = await send(activity(), `Bearer ${token()}`);
    expect(res.status).toBe(200);
    expect(h.turns).toEqual([expect.objectContaining({ channel: 'botframework', externalUserId: 'msteams:29:user', kind: 'text', payload: { text: 'hello' } })]);
    expect(h.turns[0]!.channelRef).toMatchObject({ conversationId: 'conv-1', userId: '29:user', botId: '28:bot', serviceUrl: serviceUrl() });
  });

  it('refuses a missing, forged, expired or wrongly addressed token with 401 and no turn', async () => {
    expect(await send(activity())).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'the Bot Framework token is missing' } } });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    for (const auth of [`Bearer ${token({}, other)}`, `Bearer ${token({ expiresIn: -600 })}`, `Bearer ${token({ audience: 'someone-else' })}`, `Bearer ${token({ issuer: 'https://evil.test' })}`, 'Bearer not-a-jwt']) {
      expect(await send(activity(), auth)).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'the Bot Framework token is invalid' } } });
    }
    expect(h.turns).toEqual([]);
  });

  it('answers 400 to a body that is not an activity, before checking the token', async () => {
    expect(await send(JSON.stringify({ type: 'message' }), `Bearer ${token()}`)).toEqual({ status: 400, body: { error: { code: 'BAD_INPUT', message: 'not a Bot Framework activity' } } });
    expect(h.turns).toEqual([]);
  });

  it('acknowledges invokes it does not implement with 200 and an empty body', async () => {
    const res = await send(activity({ type: 'invoke', name: 'adaptiveCard/action', value: {} }), `Bearer ${token()}`);
    expect(res).toEqual({ status: 200, body: '' });
    expect(h.turns).toEqual([]);
  });

  it('sends replies to the stored reference and classifies the connector refusals', async () => {
    const port = h.handle.port!;
    const ref = { channelId: 'msteams', serviceUrl: serviceUrl(), conversationId: 'conv-1', userId: '29:user', botId: '28:bot' };
    const target = { conversationId: 'c', channelRef: ref } as never;
    connector = () => ({ status: 200, body: { id: 'sent-42' } });
    expect(await port.send(target, { author: 'bot', text: 'hi' })).toEqual({ channelMessageId: 'sent-42' });
    const sent = fake.callsTo(/\/connector\/v3\/conversations\/conv-1\/activities/).at(-1)!;
    expect(sent.body).toMatchObject({ type: 'message', text: 'hi' });
    connector = () => ({ status: 200, body: {} });
    expect(await port.send(target, { author: 'bot', text: 'hi' })).toBeUndefined();
    for (const [status, code] of [
      [403, 'DELIVERY_UNREACHABLE'],
      [404, 'DELIVERY_UNREACHABLE'],
      [400, 'DELIVERY_REJECTED'],
      [429, 'DELIVERY_RETRYABLE'],
      [500, 'DELIVERY_RETRYABLE'],
    ] as const) {
      connector = () => ({ status, body: { error: { code: 'x', message: 'no' } } });
      await expect(port.send(target, { author: 'bot', text: 'hi' })).rejects.toMatchObject({ code });
    }
    await expect(port.send({ conversationId: 'c', channelRef: null } as never, { author: 'bot', text: 'hi' })).rejects.toMatchObject({ code: 'DELIVERY_UNREACHABLE' });
    connector = () => ({ status: 200, body: { id: 't' } });
    const before = fake.calls.length;
    await port.typing!({ conversationId: 'c', channelRef: null } as never);
    expect(fake.calls.length).toBe(before);
    await port.typing!(target);
    expect(fake.calls.at(-1)!.body).toMatchObject({ type: 'typing' });
  });
});
