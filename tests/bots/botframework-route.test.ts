/**
 * Bot Framework's /api/messages through its real route with real RS256 JWTs from a local
 * OpenID/JWKS endpoint, and the port's delivery to a local Bot Connector fake.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import { botFrameworkModule, useBotFrameworkCredentials } from '../../bots/botframework/index.js';
import { FakeServer } from '../fakes/base.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startChannel, type Harness } from './route-harness.js';

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

  it('answers 500 (not 401) when the turn itself fails, and logs it', async () => {
    h.failNextTurn(Object.assign(new Error('database down'), { code: 'DB_DOWN' }));
    const res = await send(activity({ id: 'act-fail' }), `Bearer ${token()}`);
    expect(res).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL' } } });
    expect(h.logs().find((l) => l.msg === 'botframework turn failed')).toMatchObject({ level: 50, code: 'DB_DOWN' });
    h.failNextTurn(new TypeError('bug'));
    expect((await send(activity({ id: 'act-fail-2' }), `Bearer ${token()}`)).status).toBe(500);
    expect(h.logs().filter((l) => l.msg === 'botframework turn failed').at(-1)).toMatchObject({ code: 'BOTFRAMEWORK_TURN_FAILED', name: 'TypeError' });
  });

  it('is on whenever MICROSOFT_APP_ID is set', async () => {
    const { loadConfig } = await import('../../core/config.js');
    expect(botFrameworkModule.enabled(loadConfig({ NODE_ENV: 'test' }))).toBe(false);
    expect(botFrameworkModule.enabled(loadConfig({ NODE_ENV: 'test', MICROSOFT_APP_ID: APP_ID }))).toBe(true);
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
