/**
 * LINE adapter against a fake Messaging API, through the real app: signed webhooks, the flow by
 * quick-reply postbacks, reply token once then push, emergency handoff, counsellor reply, dedupe,
 * bad signature, and delivery through 429/500.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineModule } from '../../bots/line/index.js';
import { enqueueOutbound } from '../../core/outbox/enqueue.js';
import { conversationOfUser, createTestApp, type TestApp } from '../helpers/app.js';
import { lineSignature, startLineFake, type LineFake } from '../fakes/line.js';
import { settle, walkByButtons } from './walk.js';

const SECRET = 'line-channel-secret';
const TOKEN = 'line-access-token';
let fake: LineFake;
let app: TestApp;
let base: string;
let nextUser = 1;

beforeAll(async () => {
  fake = await startLineFake(TOKEN);
  app = await createTestApp({ channelModules: [lineModule], env: { LINE_CHANNEL_SECRET: SECRET, LINE_CHANNEL_ACCESS_TOKEN: TOKEN, LINE_API_BASE_URL: fake.url } });
  base = await app.listen();
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
});

const newUser = () => `U${String(nextUser++).padStart(32, '0')}`;

function event(userId: string, body: Record<string, unknown>, id: string = randomUUID()) {
  return { webhookEventId: id, timestamp: Date.now(), mode: 'active', source: { type: 'user', userId }, replyToken: fake.issueReplyToken(), deliveryContext: { isRedelivery: false }, ...body };
}
const text = (userId: string, t: string, id?: string) => event(userId, { type: 'message', message: { type: 'text', id: '1', text: t } }, id);
const postback = (userId: string, data: string) => event(userId, { type: 'postback', postback: { data } });

async function post(events: unknown[] | string, signature?: string): Promise<Response> {
  const body = typeof events === 'string' ? events : JSON.stringify({ destination: 'Ubot', events });
  return fetch(`${base}/webhooks/line`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signature ?? lineSignature(body, SECRET) }, body });
}

const sentTo = (userId: string, replyTokens: Set<string>) => fake.sent().filter((s) => s.to === userId || (s.replyToken && replyTokens.has(s.replyToken)));
const conversationOf = (userId: string) => conversationOfUser(app, 'line', userId);

describe('line', () => {
  it('files a full report by quick-reply postbacks (every question, the codes shown and the report stored), then reaches a counsellor, replying with each fresh token once', async () => {
    const userId = newUser();
    const tokens = new Set<string>();
    const send = async (e: ReturnType<typeof event>) => {
      tokens.add(e.replyToken);
      expect((await post([e])).status).toBe(200);
    };
    await send(event(userId, { type: 'follow', follow: { isUnblocked: false } }));
    await settle(app);
    const last = () => {
      const messages = sentTo(userId, tokens).flatMap((s) => s.messages);
      const message = messages.at(-1)!;
      const items = message.quickReply?.items ?? [];
      expect(items.length).toBeLessThanOrEqual(13);
      for (const item of items) expect(Array.from(item.action.label).length).toBeLessThanOrEqual(20);
      return { text: message.text, choiceIds: items.map((i) => i.action.data) };
    };
    const walked = await walkByButtons({
      app,
      press: (id) => send(postback(userId, id)),
      type: (t) => send(text(userId, t)),
      last,
      transcript: () => JSON.stringify(sentTo(userId, tokens)),
      conversationStatus: async () => (await conversationOf(userId))?.status,
    });
    expect(walked.reference).toMatch(/^HT-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    expect(walked.followUpCode).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    const conversation = (await conversationOf(userId))!;
    expect(conversation.status).toBe('queued');
    const deliveries = sentTo(userId, tokens);
    // Turns with one answer used the reply token; a turn's second message (the token is spent) was pushed.
    expect(deliveries.filter((d) => d.via === 'reply').length).toBeGreaterThan(0);
    const usedTokens = deliveries.filter((d) => d.via === 'reply').map((d) => d.replyToken);
    expect(new Set(usedTokens).size).toBe(usedTokens.length);
    expect(deliveries.every((d) => d.messages.length <= 5)).toBe(true);
    const outbound = await app.database.prisma.message.count({ where: { conversationId: conversation.id, direction: 'outbound', status: 'sent' } });
    expect(deliveries.flatMap((d) => d.messages)).toHaveLength(outbound);
  });

  it('hands an emergency message to a counsellor', async () => {
    const userId = newUser();
    const e = text(userId, 'cứu em với');
    await post([e]);
    await settle(app);
    // Several messages in one turn: the first takes the reply token, the rest are pushed (a token works once).
    const deliveries = fake.sent().filter((s) => s.to === userId || s.replyToken === e.replyToken);
    expect(deliveries[0]!.via).toBe('reply');
    expect(deliveries.slice(1).every((d) => d.via === 'push')).toBe(true);
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    expect(deliveries[0]!.messages[0]!.text).toMatch(/113/);
    const conversation = (await conversationOf(userId))!;
    expect(conversation.status).toBe('queued');
    expect((await app.database.prisma.handoff.findFirstOrThrow({ where: { conversationId: conversation.id } })).level).toBe('emergency');
  });

  it('pushes a counsellor reply (the reply token is long spent)', async () => {
    const userId = newUser();
    await post([text(userId, 'xin chào')]);
    await settle(app);
    const conversation = (await conversationOf(userId))!;
    await app.database.prisma.message.create({
      data: { conversationId: conversation.id, channel: 'line', direction: 'outbound', author: 'counsellor', kind: 'text', text: 'Chào bạn, mình là tư vấn viên.', status: 'pending', nextAttemptAt: new Date() },
    });
    await settle(app);
    const pushed = fake.sent().filter((s) => s.to === userId && s.via === 'push');
    expect(pushed.map((p) => p.messages[0]!.text)).toContain('Chào bạn, mình là tư vấn viên.');
  });

  it('processes a redelivered event (same webhookEventId) once', async () => {
    const userId = newUser();
    const id = randomUUID();
    await post([text(userId, 'xin chào', id)]);
    await post([{ ...text(userId, 'xin chào', id), deliveryContext: { isRedelivery: true } }]);
    await settle(app);
    const conversation = (await conversationOf(userId))!;
    expect(await app.database.prisma.message.count({ where: { conversationId: conversation.id, direction: 'inbound' } })).toBe(1);
    expect(await app.database.prisma.message.count({ where: { conversationId: conversation.id, direction: 'outbound' } })).toBe(1);
  });

  it('refuses a bad signature with 401 and stores nothing; malformed bodies get 400', async () => {
    const userId = newUser();
    const before = await app.database.prisma.message.count();
    expect((await post([text(userId, 'xin chào')], lineSignature('other body', SECRET))).status).toBe(401);
    expect((await post([text(userId, 'xin chào')], '')).status).toBe(401);
    const broken = '{"events": [';
    expect((await post(broken, lineSignature(broken, SECRET))).status).toBe(400);
    const wrongShape = JSON.stringify({ events: [{ type: 'message' }] });
    expect((await post(wrongShape, lineSignature(wrongShape, SECRET))).status).toBe(400);
    expect(await app.database.prisma.message.count()).toBe(before);
    expect(await conversationOf(userId)).toBeNull();
    // LINE's "Verify" button sends an empty event list.
    expect((await post([])).status).toBe(200);
  });

  it('retries 429 and 500 through the outbox until sent, with no duplicate', async () => {
    const userId = newUser();
    const e = text(userId, 'xin chào');
    fake.fail429(1);
    fake.fail500(1);
    await post([e]);
    await settle(app, 30_000);
    const delivered = fake.sent().filter((s) => s.to === userId || s.replyToken === e.replyToken);
    expect(delivered).toHaveLength(1);
    const failed = fake.server.calls.filter((c) => c.failed);
    expect(failed.length).toBeGreaterThanOrEqual(2);
  });

  it('a push whose answer was lost is retried with the same retry key and delivered once', async () => {
    const userId = newUser();
    await post([text(userId, 'xin chào')]);
    await settle(app, 30_000);
    const conversation = (await conversationOf(userId))!;
    // A system message has no reply token: it goes by push.
    const [id] = await app.database.prisma.$transaction((tx) =>
      enqueueOutbound(tx, { conversationId: conversation.id, channel: 'line', messages: [{ text: 'push test', author: 'system' }], now: new Date() }),
    );
    fake.acceptThenFail(1);
    app.outbox.kick();
    await expect.poll(async () => (await app.database.prisma.message.findUniqueOrThrow({ where: { id: id! } })).status, { timeout: 30_000 }).toBe('sent');
    const pushes = fake.server.calls.filter((c) => c.path === '/v2/bot/message/push' && JSON.stringify(c.body).includes('push test'));
    expect(pushes.length).toBeGreaterThanOrEqual(2);
    expect(new Set(pushes.map((c) => c.headers['x-line-retry-key']))).toEqual(new Set([id]));
    expect(fake.sent().filter((s) => JSON.stringify(s.messages).includes('push test'))).toHaveLength(1);
  });

  it('passes locations through', async () => {
    const userId = newUser();
    await post([event(userId, { type: 'message', message: { type: 'location', id: '2', latitude: 10.77, longitude: 106.7, address: 'x' } })]);
    const conversation = (await conversationOf(userId))!;
    const inbound = await app.database.prisma.message.findFirstOrThrow({ where: { conversationId: conversation.id, direction: 'inbound' } });
    expect(inbound.kind).toBe('location');
    expect(inbound.payload).toMatchObject({ location: { latitude: 10.77, longitude: 106.7 } });
  });
});

describe('line groups and rooms', () => {
  it('serves no group or room event: nothing stored, nothing sent, even from a known user id', async () => {
    const userId = newUser();
    const before = await app.database.prisma.message.count();
    const sentBefore = fake.sent().length;
    const inGroup = { ...text(userId, 'cứu em với'), source: { type: 'group', groupId: `C${'1'.repeat(32)}`, userId } };
    const inRoom = { ...postback(userId, 'report'), source: { type: 'room', roomId: `R${'2'.repeat(32)}`, userId } };
    const joined = { ...event(userId, { type: 'follow', follow: { isUnblocked: false } }), source: { type: 'group', groupId: `C${'3'.repeat(32)}`, userId } };
    expect((await post([inGroup, inRoom, joined])).status).toBe(200);
    await settle(app);
    expect(await app.database.prisma.message.count()).toBe(before);
    expect(await conversationOf(userId)).toBeNull();
    expect(fake.sent().slice(sentBefore).filter((s) => s.to === userId || s.replyToken === inGroup.replyToken || s.replyToken === inRoom.replyToken)).toEqual([]);
    // The same user one-to-one is served (the test would prove nothing otherwise).
    expect((await post([text(userId, 'xin chào')])).status).toBe(200);
    await settle(app);
    expect(await conversationOf(userId)).not.toBeNull();
  });
});
