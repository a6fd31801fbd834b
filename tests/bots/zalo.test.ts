/**
 * Zalo OA adapter against a fake Open API, through the real app: signed events (X-ZEvent-Signature),
 * the flow by buttons, emergency handoff, counsellor reply, dedupe, bad signature, 429/500 retried,
 * access-token refresh, and the interaction window reported instead of silently dropped.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zaloModule } from '../../bots/zalo/index.js';
import type { BusEvent } from '../../core/events/bus.js';
import { conversationOfUser, createTestApp, type TestApp } from '../helpers/app.js';
import { startZaloFake, zaloEventSignature, type ZaloFake } from '../fakes/zalo.js';
import { settle, walkByButtons } from './walk.js';

const APP_ID = '1234567890123456789';
const OA_SECRET = 'oa-secret-key';
const APP_SECRET = 'app-secret';
let fake: ZaloFake;
let app: TestApp;
let base: string;
let nextUser = 1;
const busEvents: BusEvent[] = [];

beforeAll(async () => {
  fake = await startZaloFake({ accessToken: 'access-0', refreshToken: 'refresh-0', appId: APP_ID, appSecret: APP_SECRET });
  app = await createTestApp({
    channelModules: [zaloModule],
    env: {
      ZALO_APP_ID: APP_ID,
      ZALO_OA_SECRET_KEY: OA_SECRET,
      ZALO_ACCESS_TOKEN: 'access-0',
      ZALO_REFRESH_TOKEN: 'refresh-0',
      ZALO_APP_SECRET: APP_SECRET,
      ZALO_API_BASE_URL: fake.url,
      ZALO_OAUTH_BASE_URL: fake.url,
    },
  });
  app.bus.subscribe((e) => busEvents.push(e));
  base = await app.listen();
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
});

const newUser = () => `84${String(nextUser++).padStart(16, '0')}`;

function textEvent(userId: string, text: string, msgId = randomUUID().replace(/-/g, '')) {
  return { app_id: APP_ID, user_id_by_app: `app-${userId}`, event_name: 'user_send_text', timestamp: String(Date.now()), sender: { id: userId }, recipient: { id: 'oa-1' }, message: { msg_id: msgId, text } };
}

async function post(event: unknown, signature?: string): Promise<Response> {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  const timestamp = typeof event === 'object' && event ? String((event as { timestamp: string }).timestamp) : '';
  return fetch(`${base}/webhooks/zalo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-zevent-signature': signature ?? zaloEventSignature(APP_ID, body, timestamp, OA_SECRET) },
    body,
  });
}

const sentTo = (userId: string) => fake.sent().filter((s) => s.recipient.user_id === userId);
const conversationOf = (userId: string) => conversationOfUser(app, 'zalo', userId);
const counsellorReply = async (conversationId: string, text: string) => {
  const message = await app.database.prisma.message.create({
    data: { conversationId, channel: 'zalo', direction: 'outbound', author: 'counsellor', kind: 'text', text, status: 'pending', nextAttemptAt: new Date() },
  });
  await settle(app);
  return app.database.prisma.message.findUniqueOrThrow({ where: { id: message.id } });
};

describe('zalo', () => {
  it('files a full report by consultation-message buttons (typing a number where a question has more than 5 choices; every question, the codes shown and the report stored), then reaches a counsellor', async () => {
    const userId = newUser();
    expect((await post({ app_id: APP_ID, event_name: 'follow', timestamp: String(Date.now()), oa_id: 'oa-1', follower: { id: userId }, source: 'oa_profile' })).status).toBe(200);
    await settle(app);
    const last = () => {
      const message = sentTo(userId).at(-1)!.message;
      const buttons = message.attachment?.payload.buttons ?? [];
      expect(buttons.length).toBeLessThanOrEqual(5);
      for (const b of buttons) expect(b.type).toBe('oa.query.hide');
      return { text: message.text ?? '', choiceIds: buttons.map((b) => b.payload.replace(/^choice:/, '')) };
    };
    const walked = await walkByButtons({
      app,
      // A hidden-query button comes back as a text event carrying the button's payload.
      press: async (id) => void expect((await post(textEvent(userId, `choice:${id}`))).status).toBe(200),
      type: async (t) => void (await post(textEvent(userId, t))),
      last,
      transcript: () => JSON.stringify(sentTo(userId)),
      conversationStatus: async () => (await conversationOf(userId))?.status,
    });
    expect(walked.reference).toMatch(/^HT-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    expect(walked.followUpCode).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    // Questions with more than five choices have no buttons on Zalo: answered by typing a number.
    expect(walked.typed).toContain('1');
    const conversation = (await conversationOf(userId))!;
    expect(conversation.status).toBe('queued');
    const outbound = await app.database.prisma.message.count({ where: { conversationId: conversation.id, direction: 'outbound', status: 'sent' } });
    expect(sentTo(userId)).toHaveLength(outbound);
  });

  it('hands an emergency message to a counsellor', async () => {
    const userId = newUser();
    await post(textEvent(userId, 'cứu em với'));
    await settle(app);
    const conversation = (await conversationOf(userId))!;
    expect(conversation.status).toBe('queued');
    expect((await app.database.prisma.handoff.findFirstOrThrow({ where: { conversationId: conversation.id } })).level).toBe('emergency');
    expect(sentTo(userId).map((s) => s.message.text).join('\n')).toMatch(/113/);
  });

  it('delivers a counsellor reply, refreshing an expired access token once', async () => {
    const userId = newUser();
    await post(textEvent(userId, 'xin chào'));
    await settle(app);
    const conversation = (await conversationOf(userId))!;
    fake.expireToken();
    const refreshes = fake.refreshes();
    const message = await counsellorReply(conversation.id, 'Chào bạn, mình là tư vấn viên.');
    expect(message.status).toBe('sent');
    expect(fake.refreshes()).toBe(refreshes + 1);
    expect(sentTo(userId).at(-1)!.message.text).toBe('Chào bạn, mình là tư vấn viên.');
  });

  it('reports a counsellor reply outside the interaction window instead of dropping it', async () => {
    const userId = newUser();
    await post(textEvent(userId, 'xin chào'));
    await settle(app);
    const conversation = (await conversationOf(userId))!;
    await app.database.prisma.message.updateMany({ where: { conversationId: conversation.id, direction: 'inbound' }, data: { createdAt: new Date(Date.now() - 8 * 24 * 3600_000) } });
    const before = sentTo(userId).length;
    const message = await counsellorReply(conversation.id, 'Bạn còn đó không?');
    expect(message).toMatchObject({ status: 'failed', lastErrorCode: 'DELIVERY_REJECTED' });
    expect(sentTo(userId)).toHaveLength(before);
    expect(busEvents).toContainEqual(expect.objectContaining({ type: 'delivery.rejected', conversationId: conversation.id, channel: 'zalo', author: 'counsellor' }));
    // Zalo's own refusal (the platform's window or follow rules) is reported the same way.
    await post(textEvent(userId, 'mình đây'));
    await settle(app);
    fake.failWithCode(1, -230);
    const refused = await counsellorReply(conversation.id, 'Cảm ơn bạn.');
    expect(refused).toMatchObject({ status: 'failed', lastErrorCode: 'DELIVERY_REJECTED' });
  });

  it('processes a retried event (same msg_id) once', async () => {
    const userId = newUser();
    const event = textEvent(userId, 'xin chào');
    await post(event);
    await post(event);
    await settle(app);
    const conversation = (await conversationOf(userId))!;
    expect(await app.database.prisma.message.count({ where: { conversationId: conversation.id, direction: 'inbound' } })).toBe(1);
    expect(sentTo(userId)).toHaveLength(1);
  });

  it('refuses a bad signature with 401 and stores nothing; malformed bodies get 400', async () => {
    const userId = newUser();
    const before = await app.database.prisma.message.count();
    const event = textEvent(userId, 'xin chào');
    expect((await post(event, zaloEventSignature(APP_ID, JSON.stringify(event), event.timestamp, 'wrong-key'))).status).toBe(401);
    expect((await post(event, 'mac=00')).status).toBe(401);
    expect((await post(event, '')).status).toBe(401);
    expect((await post('{nope')).status).toBe(400);
    expect(await app.database.prisma.message.count()).toBe(before);
    expect(await conversationOf(userId)).toBeNull();
  });

  it('retries 429 and 500 through the outbox until sent, with no duplicate', async () => {
    const userId = newUser();
    fake.fail429(1);
    fake.fail500(1);
    await post(textEvent(userId, 'xin chào'));
    await settle(app, 30_000);
    expect(sentTo(userId)).toHaveLength(1);
    expect(fake.server.calls.filter((c) => c.failed && (c.body as { recipient?: { user_id: string } }).recipient?.user_id === userId)).toHaveLength(2);
  });

  it('passes shared locations through', async () => {
    const userId = newUser();
    await post({
      app_id: APP_ID,
      event_name: 'user_send_location',
      timestamp: String(Date.now()),
      sender: { id: userId },
      recipient: { id: 'oa-1' },
      message: { msg_id: randomUUID(), text: '', attachments: [{ type: 'location', payload: { coordinates: { latitude: '16.05', longitude: '108.2' } } }] },
    });
    const conversation = (await conversationOf(userId))!;
    const inbound = await app.database.prisma.message.findFirstOrThrow({ where: { conversationId: conversation.id, direction: 'inbound' } });
    expect(inbound.payload).toMatchObject({ location: { latitude: 16.05, longitude: 108.2 } });
  });
});

describe('zalo erase', () => {
  it('confirms /delete in the fresh conversation (no inbound there yet) through Zalo', async () => {
    const userId = newUser();
    await post(textEvent(userId, 'xin chào'));
    await post(textEvent(userId, '/delete'));
    await settle(app);
    await post(textEvent(userId, 'choice:delete.yes'));
    await settle(app);
    const conversation = (await conversationOf(userId))!;
    const [confirmation] = await app.database.prisma.message.findMany({ where: { conversationId: conversation.id } });
    expect(confirmation).toMatchObject({ direction: 'outbound', status: 'sent' });
    expect(sentTo(userId).at(-1)!.message.text).toBe(confirmation!.text);
  });
});
