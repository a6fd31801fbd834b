/**
 * The real app with every channel on, each against its local fake, and a signed (or token-bearing)
 * POST for each webhook and Direct Line route: what boundary, fuzz and abuse tests send through.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import { channelModules } from '../../bots/index.js';
import { useBotFrameworkCredentials } from '../../bots/botframework/index.js';
import { FakeServer } from '../fakes/base.js';
import { lineSignature, startLineFake, type LineFake } from '../fakes/line.js';
import { startTelegramFake, type TelegramFake } from '../fakes/telegram.js';
import { startZaloFake, zaloEventSignature, type ZaloFake } from '../fakes/zalo.js';
import { createTestApp, type TestApp } from './app.js';

export const SECRETS = {
  telegram: 'tg-webhook-secret_1',
  line: 'line-channel-secret',
  lineToken: 'line-access-token',
  zaloAppId: '1234567890123456789',
  zaloOaSecret: 'oa-secret-key',
  botAppId: '00000000-1111-2222-3333-444444444444',
};
const ISSUER = 'https://api.botframework.test';
const KID = 'test-key-1';

export interface AllChannels {
  app: TestApp;
  base: string;
  telegram: TelegramFake;
  line: LineFake;
  zalo: ZaloFake;
  botConnector: FakeServer;
  /** Signed POSTs of a raw body (any string) to each webhook. */
  post: {
    telegram(raw: string): Promise<Response>;
    line(raw: string): Promise<Response>;
    /** Zalo signs appId + body + the body's own timestamp field (taken from `timestamp`). */
    zalo(raw: string, timestamp: string): Promise<Response>;
    botframework(raw: string): Promise<Response>;
    /** POST to a Direct Line path with a Bearer token. */
    directline(path: string, raw: string, token?: string): Promise<Response>;
  };
  serviceUrl(): string;
  close(): Promise<void>;
}

export async function startAllChannels(env: Record<string, string> = {}): Promise<AllChannels> {
  const telegram = await startTelegramFake();
  const line = await startLineFake(SECRETS.lineToken);
  const zalo = await startZaloFake({ accessToken: 'access-0', refreshToken: 'refresh-0', appId: SECRETS.zaloAppId, appSecret: 'app-secret' });
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKey: KeyObject = pair.privateKey;
  const jwk = pair.publicKey.export({ format: 'jwk' });
  const botConnector: FakeServer = await new FakeServer((call) => {
    if (call.path === '/openid') return { body: { issuer: ISSUER, jwks_uri: `${botConnector.url}/jwks`, id_token_signing_alg_values_supported: ['RS256'] } };
    if (call.path === '/jwks') return { body: { keys: [{ ...jwk, kid: KID, kty: 'RSA', use: 'sig' }] } };
    if (call.path.startsWith('/connector/v3/conversations/')) return { status: 200, body: { id: `sent-${botConnector.calls.length}` } };
    return { status: 404, body: { error: 'no route' } };
  }).start();
  useBotFrameworkCredentials({
    isValidAppId: async (id: string) => id === SECRETS.botAppId,
    isAuthenticationDisabled: async () => false,
    createCredentials: async () => ({ signRequest: async (resource: { headers: { set(n: string, v: string): void } }) => (resource.headers.set('authorization', 'Bearer connector-token'), resource) }),
  } as unknown as ServiceClientCredentialsFactory);

  const app = await createTestApp({
    channelModules,
    env: {
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: SECRETS.telegram,
      LINE_CHANNEL_SECRET: SECRETS.line,
      LINE_CHANNEL_ACCESS_TOKEN: SECRETS.lineToken,
      LINE_API_BASE_URL: line.url,
      ZALO_APP_ID: SECRETS.zaloAppId,
      ZALO_OA_SECRET_KEY: SECRETS.zaloOaSecret,
      ZALO_ACCESS_TOKEN: 'access-0',
      ZALO_REFRESH_TOKEN: 'refresh-0',
      ZALO_APP_SECRET: 'app-secret',
      ZALO_API_BASE_URL: zalo.url,
      ZALO_OAUTH_BASE_URL: zalo.url,
      MICROSOFT_APP_ID: SECRETS.botAppId,
      MICROSOFT_APP_PASSWORD: 'test-password',
      MICROSOFT_APP_TYPE: 'SingleTenant',
      MICROSOFT_APP_TENANT_ID: 'test-tenant',
      BOTFRAMEWORK_OPENID_METADATA_URL: `${botConnector.url}/openid`,
      BOTFRAMEWORK_TOKEN_ISSUER: ISSUER,
      BOTFRAMEWORK_LOGIN_URL: `${botConnector.url}/login`,
      BOTFRAMEWORK_OAUTH_SCOPE: 'https://api.botframework.test',
      ...env,
    },
  });
  const base = await app.listen();
  const serviceUrl = () => `${botConnector.url}/connector/`;
  const json = { 'content-type': 'application/json' };
  const send = (path: string, raw: string, headers: Record<string, string>) => fetch(`${base}${path}`, { method: 'POST', headers: { ...json, ...headers }, body: raw });
  return {
    app,
    base,
    telegram,
    line,
    zalo,
    botConnector,
    serviceUrl,
    post: {
      telegram: (raw) => send('/webhooks/telegram', raw, { 'x-telegram-bot-api-secret-token': SECRETS.telegram }),
      line: (raw) => send('/webhooks/line', raw, { 'x-line-signature': lineSignature(raw, SECRETS.line) }),
      zalo: (raw, timestamp) => send('/webhooks/zalo', raw, { 'x-zevent-signature': zaloEventSignature(SECRETS.zaloAppId, raw, timestamp, SECRETS.zaloOaSecret) }),
      botframework: (raw) =>
        send('/api/messages', raw, {
          authorization: `Bearer ${jwt.sign({ serviceurl: serviceUrl() }, privateKey, { algorithm: 'RS256', keyid: KID, issuer: ISSUER, audience: SECRETS.botAppId, expiresIn: 300 })}`,
        }),
      directline: (path, raw, token) => send(path, raw, token ? { authorization: `Bearer ${token}` } : {}),
    },
    async close() {
      useBotFrameworkCredentials(undefined);
      await app.close();
      await Promise.all([telegram.close(), line.close(), zalo.close(), botConnector.close()]);
    },
  };
}
