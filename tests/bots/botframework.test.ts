/**
 * POST /api/messages through botbuilder's CloudAdapter with real JWTs: a local OpenID/JWKS
 * endpoint publishes a locally generated RSA key, activities are signed with it, and replies go to
 * a local fake of the Bot Connector API (with a token from a fake login endpoint, over HTTP).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botFrameworkModule, useBotFrameworkCredentials } from '../../bots/botframework/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { FakeServer } from '../fakes/base.js';

const APP_ID = '00000000-1111-2222-3333-444444444444';
const ISSUER = 'https://api.botframework.test';
const KID = 'test-key-1';

describe('Bot Framework /api/messages', () => {
  let app: TestApp;
  let base: string;
  let fake: FakeServer;
  let privateKey: KeyObject;
  let connectorToken = '';

  beforeAll(async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    privateKey = pair.privateKey;
    const jwk = pair.publicKey.export({ format: 'jwk' });
    fake = await new FakeServer((call) => {
      if (call.path === '/openid') return { body: { issuer: ISSUER, jwks_uri: `${fake.url}/jwks`, id_token_signing_alg_values_supported: ['RS256'] } };
      if (call.path === '/jwks') return { body: { keys: [{ ...jwk, kid: KID, kty: 'RSA', use: 'sig' }] } };
      if (call.path === '/login/token') return { body: { token_type: 'Bearer', expires_in: 3600, access_token: 'connector-token-1' } };
      if (call.path.startsWith('/connector/v3/conversations/')) return { status: 200, body: { id: `sent-${fake.calls.length}` } };
      return { status: 404, body: { error: 'no route' } };
    }).start();

    // Outbound calls get their token from the fake login endpoint over HTTP (production uses botbuilder's MSAL).
    const credentials: ServiceClientCredentialsFactory = {
      isValidAppId: async (id: string) => id === APP_ID,
      isAuthenticationDisabled: async () => false,
      createCredentials: async () => ({
        signRequest: async (resource: { headers: { set(name: string, value: string): void } }) => {
          const res = await fetch(`${fake.url}/login/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: APP_ID }) });
          connectorToken = ((await res.json()) as { access_token: string }).access_token;
          resource.headers.set('authorization', `Bearer ${connectorToken}`);
          return resource;
        },
      }),
    } as unknown as ServiceClientCredentialsFactory;
    useBotFrameworkCredentials(credentials);

    app = await createTestApp({
      channelModules: [botFrameworkModule],
      env: {
        MICROSOFT_APP_ID: APP_ID,
        MICROSOFT_APP_PASSWORD: 'test-password',
        MICROSOFT_APP_TYPE: 'SingleTenant',
        MICROSOFT_APP_TENANT_ID: 'test-tenant',
        BOTFRAMEWORK_OPENID_METADATA_URL: `${fake.url}/openid`,
        BOTFRAMEWORK_TOKEN_ISSUER: ISSUER,
        BOTFRAMEWORK_LOGIN_URL: `${fake.url}/login`,
        BOTFRAMEWORK_OAUTH_SCOPE: 'https://api.botframework.test',
      },
    });
    base = await app.listen();
  }, 120_000);
  afterAll(async () => {
    useBotFrameworkCredentials(undefined);
    await app?.close();
    await fake?.close();
  });

  const serviceUrl = () => `${fake.url}/connector/`;
  const activity = (extra: Record<string, unknown>) => ({
    channelId: 'msteams',
    serviceUrl: serviceUrl(),
    conversation: { id: 'conv-1' },
    from: { id: 'user-1', name: 'U' },
    recipient: { id: `28:${APP_ID}`, name: 'hotline' },
    ...extra,
  });
  const sign = (claims: Record<string, unknown> = {}) =>
    jwt.sign({ serviceurl: serviceUrl(), ...claims }, privateKey, { algorithm: 'RS256', keyid: KID, issuer: ISSUER, audience: APP_ID, expiresIn: 300 });
  const post = (body: unknown, token?: string) =>
    fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const sentToConnector = () => fake.accepted(/^\/connector\/v3\/conversations\//).map((c) => c.body as { text?: string; suggestedActions?: { actions: { title: string }[] } });

  it('refuses activities without a valid JWT and stores nothing', async () => {
    expect((await post(activity({ type: 'message', id: 'a0', text: 'hi' }))).status).toBe(401);
    const forged = jwt.sign({ serviceurl: serviceUrl() }, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, { algorithm: 'RS256', keyid: KID, issuer: ISSUER, audience: APP_ID });
    expect((await post(activity({ type: 'message', id: 'a1', text: 'hi' }), forged)).status).toBe(401);
    const wrongAudience = jwt.sign({ serviceurl: serviceUrl() }, privateKey, { algorithm: 'RS256', keyid: KID, issuer: ISSUER, audience: 'someone-else' });
    expect((await post(activity({ type: 'message', id: 'a2', text: 'hi' }), wrongAudience)).status).toBe(401);
    expect(await app.database.prisma.message.count()).toBe(0);
  });

  it('welcomes a member who joins, renders choices as suggested actions, and answers a typed choice', async () => {
    const join = await post(activity({ type: 'conversationUpdate', id: 'cu-1', membersAdded: [{ id: 'user-1' }] }), sign());
    expect(join.status).toBe(200);
    await app.outbox.sweep();
    await expect.poll(() => sentToConnector().length, { timeout: 30_000 }).toBe(1);
    const welcome = sentToConnector()[0]!;
    expect(welcome.text).toContain('111');
    expect(welcome.suggestedActions?.actions.map((a) => a.title)).toEqual(['Tiếng Việt', 'English']);
    const call = fake.accepted(/^\/connector\/v3\/conversations\//)[0]!;
    expect(call.path).toMatch(/^\/connector\/v3\/conversations\/conv-1\/activities/);
    expect(call.headers.authorization).toBe('Bearer connector-token-1');

    // Pressing a suggested action sends its label as text: the runtime resolves it as the choice.
    expect((await post(activity({ type: 'message', id: 'm-1', text: 'English' }), sign())).status).toBe(200);
    await app.outbox.sweep();
    await expect.poll(() => sentToConnector().length, { timeout: 30_000 }).toBe(2);
    expect(sentToConnector()[1]!.suggestedActions?.actions.map((a) => a.title)).toContain('Talk to a counsellor');
    // A redelivered activity changes nothing.
    expect((await post(activity({ type: 'message', id: 'm-1', text: 'English' }), sign())).status).toBe(200);
    expect(await app.database.prisma.message.count({ where: { direction: 'inbound' } })).toBe(2);
  });

  it('hands an emergency to the queue and answers with the emergency numbers', async () => {
    expect((await post(activity({ type: 'message', id: 'm-2', text: 'help me, they took my passport and locked me in' }), sign())).status).toBe(200);
    const handoff = await app.database.prisma.handoff.findFirstOrThrow({ where: { conversation: { channel: 'botframework' } } });
    expect(handoff.priority).toBe(3);
    await app.outbox.sweep();
    await expect.poll(() => sentToConnector().some((a) => /113/.test(a.text ?? '')), { timeout: 30_000 }).toBe(true);
  });

  it('serves Microsoft Teams (long references) and keeps only a minimal reference: no names, no Azure AD ids', async () => {
    // A Teams personal chat: long conversation id, tenant, AAD object id, display name, rich channelData.
    const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const conversationId = `a:1${'Zq9-Xr_4Lm'.repeat(14)}`;
    const teams = {
      channelId: 'msteams',
      serviceUrl: serviceUrl(),
      id: '1700000000001',
      type: 'message',
      text: 'help me, they took my passport',
      locale: 'en-US',
      from: { id: `29:1${'AbCdEfGhIj'.repeat(12)}`, name: 'Nguyen Van A', aadObjectId: '6b4c9f0e-1d2a-4f3b-9c8d-7e6f5a4b3c2d' },
      recipient: { id: `28:${APP_ID}`, name: 'hotline' },
      conversation: { id: conversationId, conversationType: 'personal', tenantId: tenant },
      channelData: { tenant: { id: tenant }, eventType: 'x'.repeat(40), team: { id: '19:team', name: 'Some Team' } },
      entities: [{ type: 'clientInfo', locale: 'en-US', country: 'VN', platform: 'Windows', timezone: 'Asia/Ho_Chi_Minh' }],
    };
    // The whole botbuilder reference of this activity is longer than the old 256-character cap.
    expect(JSON.stringify({ activityId: teams.id, user: teams.from, bot: teams.recipient, conversation: teams.conversation, channelId: teams.channelId, locale: teams.locale, serviceUrl: teams.serviceUrl }).length).toBeGreaterThan(460);
    const sentBefore = sentToConnector().length;
    expect((await post(teams, sign())).status).toBe(200);
    const withText = (await app.database.prisma.message.findMany({ where: { channel: 'botframework', direction: 'inbound' } })).find((m) => m.text === teams.text)!;
    const stored = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: withText.conversationId } });
    expect(stored.channelRef).toBeTruthy();
    for (const secret of ['Nguyen Van A', '6b4c9f0e-1d2a-4f3b-9c8d-7e6f5a4b3c2d', 'Some Team', 'clientInfo']) {
      expect(JSON.stringify(stored)).not.toContain(secret);
      const identities = await app.database.prisma.channelIdentity.findMany();
      expect(JSON.stringify(identities)).not.toContain(secret);
    }
    expect(stored.externalChatId ?? '').not.toContain(conversationId);
    // The reply reaches the Teams conversation through the stored reference.
    await app.outbox.sweep();
    // Earlier chats (conv-1 is waiting for a counsellor) may still be sent to meanwhile, so look for
    // this conversation among the calls made since, not at the last call.
    const toTeamsChat = () =>
      fake.accepted(/^\/connector\/v3\/conversations\//).slice(sentBefore).filter((c) => decodeURIComponent(c.path).includes(conversationId));
    await expect.poll(() => toTeamsChat().length, { timeout: 30_000 }).toBeGreaterThan(0);
  });

  it('scopes dedupe to the conversation: two users\' activities with the same id are both stored', async () => {
    const before = await app.database.prisma.message.count({ where: { direction: 'inbound', channel: 'botframework' } });
    const a = activity({ type: 'message', id: 'same-id-1', text: 'hello from A', conversation: { id: 'conv-A' }, from: { id: 'user-A' } });
    const b = activity({ type: 'message', id: 'same-id-1', text: 'hello from B', conversation: { id: 'conv-B' }, from: { id: 'user-B' } });
    expect((await post(a, sign())).status).toBe(200);
    expect((await post(b, sign())).status).toBe(200);
    // The same activity again in its own conversation is still a duplicate.
    expect((await post(a, sign())).status).toBe(200);
    const texts = (await app.database.prisma.message.findMany({ where: { direction: 'inbound', channel: 'botframework' }, select: { text: true } })).map((m) => m.text);
    expect(texts).toContain('hello from A');
    expect(texts).toContain('hello from B');
    expect(await app.database.prisma.message.count({ where: { direction: 'inbound', channel: 'botframework' } })).toBe(before + 2);
  });
});
