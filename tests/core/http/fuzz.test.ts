/**
 * Fuzzing every webhook and Direct Line route with valid signatures or tokens (issue 14): random
 * JSON, valid bodies with fields replaced by anything, strings with NUL and lone surrogates, and
 * bodies that are not JSON at all. Every answer is 2xx or 4xx, the app stays up, and nothing is
 * half stored. fast-check prints the seed and path of a failure; FUZZ_SEED=<seed> replays it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAllChannels, SECRETS, type AllChannels } from '../../helpers/channels.js';

/** Structured runs per route (each may be a whole turn), and cheap garbage runs per route. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const GARBAGE_RUNS = Number(process.env.FUZZ_GARBAGE_RUNS ?? 400);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const params = { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) };

const oddChar = fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\u202e', '\ufeff', '\ufffd', '😀', '\n', '"', '\\', '<', 'é');
const plainChar = fc.constantFrom(...'abc xyz 0123 help me'.split(''));
const nasty = fc.string({ unit: fc.oneof({ weight: 1, arbitrary: oddChar }, { weight: 4, arbitrary: plainChar }, { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }), maxLength: 80 });
const anything: fc.Arbitrary<unknown> = fc.oneof(
  nasty,
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(nasty, { maxLength: 3 }),
  fc.dictionary(nasty, nasty, { maxKeys: 3 }),
  fc.string({ minLength: 300, maxLength: 12_000 }),
);
/** A valid value most of the time, anything at all otherwise (or left out). */
const maybe = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: anything });
const text = fc.oneof(nasty, fc.constantFrom('hi', 'help me, they took my passport', '/start', '/lang en', '1', 'English'));
const stamp = (t: unknown) => (typeof t === 'string' || typeof t === 'number' ? String(t) : '');
/** Bodies that are not what the route takes at all: any JSON value, any text, JSON with odd strings. */
const garbage = fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), anything.map((v) => JSON.stringify(v) ?? 'undefined'));
const garbageParams = { numRuns: GARBAGE_RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) };
const rawOrJson = (structured: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 6, arbitrary: structured.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );

describe('fuzzing webhooks and Direct Line with valid credentials', () => {
  let all: AllChannels;
  const statuses = new Map<string, Map<number, number>>();
  const record = (route: string, status: number) => {
    const m = statuses.get(route) ?? new Map<number, number>();
    m.set(status, (m.get(status) ?? 0) + 1);
    statuses.set(route, m);
  };
  beforeAll(async () => {
    all = await startAllChannels({ WEBHOOK_RATE_LIMIT_PER_MINUTE: '100000', WEBCHAT_RATE_LIMIT_PER_MINUTE: '100000' });
  });
  afterAll(async () => {
    // The spread of answers, to see the fuzz reached past validation.
    for (const [route, m] of statuses) console.log(`fuzz ${route}: ${[...m].map(([s, n]) => `${s}×${n}`).join(' ')}`);
    await all?.close();
  });

  const ok = (route: string) => async (res: Response) => {
    record(route, res.status);
    const body = await res.text();
    if (res.status >= 500 || res.status < 200) throw new Error(`${route} answered ${res.status}: ${body.slice(0, 300)}`);
  };

  it('Telegram webhook', async () => {
    const chat = fc.record({ id: maybe(fc.integer({ min: 1, max: 2 ** 40 })), type: maybe(fc.constantFrom('private', 'group', 'channel')) });
    const from = fc.record({ id: maybe(fc.integer({ min: 1, max: 2 ** 40 })), is_bot: fc.boolean(), first_name: nasty, language_code: maybe(fc.constantFrom('vi', 'en', 'fr')) }, { requiredKeys: ['id', 'is_bot'] });
    const message = fc.record(
      { message_id: maybe(fc.nat()), date: fc.nat(), chat: maybe(chat), from: maybe(from), text: maybe(text), caption: maybe(text), location: maybe(fc.record({ latitude: fc.double({ min: -90, max: 90, noNaN: true }), longitude: fc.double({ min: -180, max: 180, noNaN: true }) })), photo: maybe(fc.constant([{ file_id: 'x' }])) },
      { requiredKeys: ['chat', 'from', 'message_id'] },
    );
    const callback = fc.record({ id: maybe(nasty), from: maybe(from), data: maybe(fc.oneof(nasty, fc.constantFrom('lang.en', 'report', 'help'))), message: maybe(fc.record({ chat: maybe(chat) })) }, { requiredKeys: ['id', 'from'] });
    const update = fc.record({ update_id: maybe(fc.integer({ min: 1, max: 2 ** 31 })), message: maybe(message), callback_query: maybe(callback) }, { requiredKeys: ['update_id'] });
    await fc.assert(fc.asyncProperty(rawOrJson(update), async (raw) => ok('telegram')(await all.post.telegram(raw))), params);
    await fc.assert(fc.asyncProperty(garbage, async (raw) => ok('telegram garbage')(await all.post.telegram(raw))), garbageParams);
  });

  it('LINE webhook', async () => {
    const event = fc.record(
      {
        type: maybe(fc.constantFrom('message', 'postback', 'follow', 'unfollow')),
        webhookEventId: maybe(fc.uuid()),
        timestamp: maybe(fc.constant(Date.now())),
        source: maybe(fc.record({ type: maybe(fc.constantFrom('user', 'group')), userId: maybe(fc.constantFrom('Ua1', 'Ub2', 'Uc3')) })),
        replyToken: maybe(fc.constant('r')),
        message: maybe(fc.record({ type: maybe(fc.constantFrom('text', 'location', 'sticker')), id: fc.constant('1'), text: maybe(text), latitude: maybe(fc.double({ min: -90, max: 90, noNaN: true })), longitude: maybe(fc.double({ min: -180, max: 180, noNaN: true })) }, { requiredKeys: ['type'] })),
        postback: maybe(fc.record({ data: maybe(fc.oneof(nasty, fc.constantFrom('lang.en', 'report'))) })),
      },
      { requiredKeys: ['type', 'webhookEventId', 'timestamp', 'source'] },
    );
    const body = fc.record({ destination: maybe(fc.constant('Ubot')), events: maybe(fc.array(event, { maxLength: 3 })) }, { requiredKeys: ['events'] });
    await fc.assert(fc.asyncProperty(rawOrJson(body), async (raw) => ok('line')(await all.post.line(raw))), params);
    await fc.assert(fc.asyncProperty(garbage, async (raw) => ok('line garbage')(await all.post.line(raw))), garbageParams);
  });

  it('Zalo webhook', async () => {
    const sender = fc.record({ id: maybe(fc.constantFrom('8401', '8402', 8403)) });
    const event = fc.record(
      {
        app_id: maybe(fc.constant(SECRETS.zaloAppId)),
        event_name: maybe(fc.constantFrom('user_send_text', 'user_send_location', 'user_send_image', 'follow', 'user_received_message')),
        timestamp: fc.oneof(fc.constant(String(Date.now())), fc.constant(Date.now()), anything),
        sender: maybe(sender),
        follower: maybe(sender),
        recipient: maybe(fc.record({ id: fc.constant('oa') })),
        message: maybe(
          fc.record(
            { msg_id: maybe(fc.uuid()), text: maybe(fc.oneof(text, text.map((t) => `choice:${t}`))), attachments: maybe(fc.array(fc.record({ type: maybe(fc.constantFrom('location', 'image')), payload: maybe(fc.record({ coordinates: maybe(fc.record({ latitude: maybe(fc.oneof(fc.double(), fc.constant('10.5'))), longitude: maybe(fc.double()) })) })) }), { maxLength: 2 })) },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: ['timestamp', 'event_name', 'sender', 'message'] },
    );
    const signedBody = fc.oneof(
      { weight: 6, arbitrary: event.map((e) => ({ raw: JSON.stringify(e), timestamp: stamp((e as { timestamp?: unknown }).timestamp) })) },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((raw) => ({ raw, timestamp: '' })) },
    );
    await fc.assert(fc.asyncProperty(signedBody, async ({ raw, timestamp }) => ok('zalo')(await all.post.zalo(raw, timestamp))), params);
    // Garbage with a valid signature over its own "timestamp" field when it has one.
    const signedGarbage = garbage.map((raw) => {
      let timestamp = '';
      try {
        timestamp = stamp((JSON.parse(raw) as { timestamp?: unknown } | null)?.timestamp);
      } catch {
        // not JSON
      }
      return { raw, timestamp };
    });
    await fc.assert(fc.asyncProperty(signedGarbage, async ({ raw, timestamp }) => ok('zalo garbage')(await all.post.zalo(raw, timestamp))), garbageParams);
  });

  it('Bot Framework /api/messages', async () => {
    const account = fc.record({ id: maybe(fc.constantFrom('u-1', 'u-2', '29:abc')), name: maybe(nasty), aadObjectId: maybe(fc.uuid()) }, { requiredKeys: ['id'] });
    const activity = fc.record(
      {
        type: maybe(fc.constantFrom('message', 'conversationUpdate', 'typing', 'invoke', 'event')),
        id: maybe(fc.uuid()),
        channelId: maybe(fc.constantFrom('msteams', 'webchat', 'facebook')),
        serviceUrl: fc.oneof({ weight: 6, arbitrary: fc.constant('SERVICE') }, { weight: 1, arbitrary: anything }),
        from: maybe(account),
        recipient: maybe(fc.record({ id: fc.constant(`28:${SECRETS.botAppId}`) })),
        conversation: maybe(fc.record({ id: maybe(fc.constantFrom('c-1', 'c-2', `a:${'x'.repeat(300)}`)), tenantId: maybe(fc.uuid()) }, { requiredKeys: ['id'] })),
        text: maybe(text),
        locale: maybe(fc.constantFrom('vi-VN', 'en-US')),
        value: maybe(fc.record({ choiceId: maybe(fc.constantFrom('lang.en', 'report')) })),
        membersAdded: maybe(fc.array(account, { maxLength: 2 })),
        attachments: maybe(fc.array(fc.record({ contentType: maybe(fc.constantFrom('image/png', 'application/pdf')) }), { maxLength: 2 })),
        channelData: maybe(fc.record({ tenant: maybe(fc.record({ id: maybe(fc.uuid()) })) })),
      },
      { requiredKeys: ['serviceUrl', 'type', 'id', 'channelId', 'from', 'recipient', 'conversation'] },
    );
    const raw = rawOrJson(activity).map((r) => r.replace('"SERVICE"', JSON.stringify(all.serviceUrl())));
    await fc.assert(fc.asyncProperty(raw, async (body) => ok('botframework')(await all.post.botframework(body))), params);
    await fc.assert(fc.asyncProperty(garbage, async (body) => ok('botframework garbage')(await all.post.botframework(body))), garbageParams);
  });

  it('Direct Line: start, post activities, refresh, resume', async () => {
    const generated = (await (await all.post.directline('/v3/directline/tokens/generate', '{}')).json()) as { conversationId: string; token: string };
    const { conversationId, token } = generated;
    const activity = fc.record(
      {
        type: maybe(fc.constantFrom('message', 'typing', 'event')),
        text: maybe(text),
        locale: maybe(fc.constantFrom('vi-VN', 'en-US')),
        value: maybe(fc.record({ choiceId: maybe(fc.constantFrom('lang.en', 'report', 'lang.vi')) })),
        channelData: maybe(fc.record({ clientActivityID: maybe(fc.oneof(fc.uuid(), nasty)) })),
      },
      { requiredKeys: ['type'] },
    );
    const routes = fc.oneof(
      { weight: 6, arbitrary: rawOrJson(activity).map((raw) => ({ path: `/v3/directline/conversations/${conversationId}/activities`, raw })) },
      { weight: 1, arbitrary: rawOrJson(fc.record({ locale: maybe(fc.constantFrom('vi', 'en')) }, { requiredKeys: [] })).map((raw) => ({ path: '/v3/directline/conversations', raw })) },
      { weight: 1, arbitrary: rawOrJson(anything).map((raw) => ({ path: '/v3/directline/tokens/refresh', raw })) },
      { weight: 1, arbitrary: rawOrJson(fc.record({ code: maybe(nasty) })).map((raw) => ({ path: '/chat/resume', raw })) },
    );
    await fc.assert(fc.asyncProperty(routes, async ({ path, raw }) => ok(`directline ${path.replace(conversationId, ':id')}`)(await all.post.directline(path, raw, token))), params);
    const anyPath = fc.constantFrom(`/v3/directline/conversations/${conversationId}/activities`, '/v3/directline/conversations', '/v3/directline/tokens/refresh', '/chat/resume', '/chat/resume-code');
    await fc.assert(fc.asyncProperty(anyPath, garbage, async (path, raw) => ok('directline garbage')(await all.post.directline(path, raw, token))), garbageParams);
  });

  it('stays up and stores nothing half: every identity has a conversation, every conversation a message, no NUL anywhere', async () => {
    expect((await fetch(`${all.base}/healthz`)).status).toBe(200);
    const db = all.app.database.prisma;
    expect(await db.channelIdentity.count({ where: { conversations: { none: {} } } })).toBe(0);
    expect(await db.conversation.count({ where: { messages: { none: {} } } })).toBe(0);
    // The fuzz reached storage on every channel (valid bodies were processed, not only refused).
    for (const channel of ['telegram', 'line', 'zalo', 'botframework', 'webchat']) {
      expect(await db.message.count({ where: { channel, direction: 'inbound' } }), channel).toBeGreaterThan(0);
    }
    // A turn is stored whole: every user message that was answered has its answer pending or sent with it.
    const unanswered = await db.conversation.count({ where: { status: 'bot', messages: { some: { direction: 'inbound' } }, AND: { messages: { none: { direction: 'outbound' } } } } });
    expect(unanswered).toBe(0);
    // And the app still answers a real message end to end.
    const res = await all.post.telegram(JSON.stringify({ update_id: 2 ** 31 + 5, message: { message_id: 1, date: 0, chat: { id: 777, type: 'private' }, from: { id: 777, is_bot: false, first_name: 'A' }, text: 'hi' } }));
    expect(res.status).toBe(200);
  });
});
