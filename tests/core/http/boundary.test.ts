/**
 * Bad input at the boundary (issue 14, item 6): a NUL character or a lone surrogate is made
 * well-formed before anything is stored, on every channel; malformed but authenticated bodies are a
 * 400 with a stable code, never a 500; `Origin: null` on a console change is a 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../console/auth/passwords.js';
import { ConsoleClient } from '../../console/session.js';
import { startAllChannels, SECRETS, type AllChannels } from '../../helpers/channels.js';

const DIRTY = 'help\u0000 me \ud800 now \udfff end';
const CLEAN = 'help me \ufffd now \ufffd end';

describe('the boundary', () => {
  let all: AllChannels;
  beforeAll(async () => {
    all = await startAllChannels();
  });
  afterAll(async () => {
    await all?.close();
  });

  const storedTexts = async (channel: string) =>
    (await all.app.database.prisma.message.findMany({ where: { channel, direction: 'inbound' }, select: { text: true } })).map((m) => m.text);
  const errorCode = async (res: Response) => ((await res.json()) as { error?: { code?: string } }).error?.code;

  it('stores a message with NUL and lone surrogates, well-formed, on every channel', async () => {
    const now = Date.now();
    const tg = await all.post.telegram(JSON.stringify({ update_id: 77, message: { message_id: 1, date: 0, chat: { id: 9001, type: 'private' }, from: { id: 9001, is_bot: false, first_name: 'A' }, text: DIRTY } }));
    expect(tg.status).toBe(200);
    const line = await all.post.line(JSON.stringify({ destination: 'U', events: [{ type: 'message', webhookEventId: 'ev-nul-1', timestamp: now, source: { type: 'user', userId: 'U-nul' }, message: { type: 'text', id: '1', text: DIRTY } }] }));
    expect(line.status).toBe(200);
    const ts = String(now);
    const zaloBody = JSON.stringify({ app_id: SECRETS.zaloAppId, event_name: 'user_send_text', timestamp: ts, sender: { id: '8400001' }, recipient: { id: 'oa' }, message: { msg_id: 'zalo-nul-1', text: DIRTY } });
    expect((await all.post.zalo(zaloBody, ts)).status).toBe(200);
    const bf = await all.post.botframework(
      JSON.stringify({ type: 'message', id: 'bf-nul-1', text: DIRTY, channelId: 'msteams', serviceUrl: all.serviceUrl(), conversation: { id: 'c-nul' }, from: { id: 'u-nul' }, recipient: { id: `28:${SECRETS.botAppId}` } }),
    );
    expect(bf.status).toBe(200);
    const generated = (await (await all.post.directline('/v3/directline/tokens/generate', '{}')).json()) as { conversationId: string; token: string };
    const dl = await all.post.directline(`/v3/directline/conversations/${generated.conversationId}/activities`, JSON.stringify({ type: 'message', text: DIRTY, channelData: { clientActivityID: 'dl-nul\u0000-1' } }), generated.token);
    expect(dl.status).toBe(200);

    for (const channel of ['telegram', 'line', 'zalo', 'botframework', 'webchat']) {
      expect(await storedTexts(channel), channel).toContain(CLEAN);
    }
  });

  it('answers malformed authenticated Telegram updates and Bot Framework activities with 400 BAD_INPUT', async () => {
    const telegramBodies = [
      { update_id: 1001, message: { chat: null } },
      { update_id: 1002, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, from: 'someone', text: 'x' } },
      { update_id: 1003, callback_query: { id: 'q', from: null, data: 'x' } },
      { update_id: 1004, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, from: { id: 1 }, text: 42 } },
      { update_id: 1005, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, from: { id: 1 }, location: { latitude: 'north' } } },
    ];
    for (const body of telegramBodies) {
      const res = await all.post.telegram(JSON.stringify(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await errorCode(res)).toBe('BAD_INPUT');
    }
    const base = { channelId: 'msteams', serviceUrl: all.serviceUrl(), recipient: { id: `28:${SECRETS.botAppId}` } };
    const activities = [
      { ...base, type: 'message', id: 'm1', text: 'hi', conversation: 5, from: { id: 'u' } },
      { ...base, type: 'message', id: 'm2', text: 'hi', conversation: { id: 'c' }, from: 'me' },
      { ...base, type: 'conversationUpdate', id: 'm3', conversation: { id: 'c' }, from: { id: 'u' }, membersAdded: 'everyone' },
      { ...base, type: 'message', id: 'm4', text: { nested: true }, conversation: { id: 'c' }, from: { id: 'u' } },
      { ...base, type: 'message', id: 'm5', text: 'hi', conversation: { id: 'c' }, from: { id: 'u' }, attachments: [null] },
    ];
    for (const body of activities) {
      const res = await all.post.botframework(JSON.stringify(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await errorCode(res)).toBe('BAD_INPUT');
    }
    expect(await all.app.database.prisma.message.count({ where: { channelMessageId: { in: ['1001', '1002', '1003', '1004', '1005'] } } })).toBe(0);
  });

  it('refuses a console change with Origin: null (403), not a 500', async () => {
    await all.app.database.prisma.staffUser.create({ data: { email: 'origin@111.vn', displayName: 'O', role: 'counsellor', passwordHash: await hashPassword('a-long-enough-password') } });
    const client = new ConsoleClient(all.base);
    expect((await client.login('origin@111.vn', 'a-long-enough-password')).status).toBe(200);
    const res = await client.request('POST', '/console/api/password', { current: 'a-long-enough-password', next: 'another-long-password' }, { headers: { origin: 'null' } });
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe('FORBIDDEN');
    const garbage = await client.request('POST', '/console/api/password', { current: 'a-long-enough-password', next: 'another-long-password' }, { headers: { origin: '::not a url::' } });
    expect(garbage.status).toBe(403);
  });

  it('acknowledges LINE and Zalo events older than 10 minutes without processing them', async () => {
    const old = Date.now() - 11 * 60_000;
    const line = await all.post.line(JSON.stringify({ destination: 'U', events: [{ type: 'message', webhookEventId: 'ev-old-1', timestamp: old, source: { type: 'user', userId: 'U-old' }, message: { type: 'text', id: '1', text: 'replayed line' } }] }));
    expect(line.status).toBe(200);
    const ts = String(old);
    const zaloBody = JSON.stringify({ app_id: SECRETS.zaloAppId, event_name: 'user_send_text', timestamp: ts, sender: { id: '8400002' }, recipient: { id: 'oa' }, message: { msg_id: 'zalo-old-1', text: 'replayed zalo' } });
    expect((await all.post.zalo(zaloBody, ts)).status).toBe(200);
    const texts = async () => (await all.app.database.prisma.message.findMany({ where: { direction: 'inbound' } })).map((m) => m.text);
    expect(await texts()).not.toEqual(expect.arrayContaining(['replayed line']));
    expect(await texts()).not.toEqual(expect.arrayContaining(['replayed zalo']));
    // A fresh one in the same delivery is processed.
    const fresh = await all.post.line(JSON.stringify({ destination: 'U', events: [{ type: 'message', webhookEventId: 'ev-fresh-1', timestamp: Date.now(), source: { type: 'user', userId: 'U-old' }, message: { type: 'text', id: '2', text: 'fresh line' } }] }));
    expect(fresh.status).toBe(200);
    expect((await texts()).filter((t) => t === 'fresh line')).toHaveLength(1);
  });

  it('stores nothing half when a message id comes again from someone else (ids are unique only in their scope)', async () => {
    const update = (user: number) => JSON.stringify({ update_id: 424242, message: { message_id: 1, date: 0, chat: { id: user, type: 'private' }, from: { id: user, is_bot: false, first_name: 'A' }, text: 'hi' } });
    expect((await all.post.telegram(update(31)))).toHaveProperty('status', 200);
    expect((await all.post.telegram(update(32)))).toHaveProperty('status', 200);
    const db = all.app.database.prisma;
    expect(await db.conversation.count({ where: { messages: { none: {} } } })).toBe(0);
    expect(await db.channelIdentity.count({ where: { conversations: { none: {} } } })).toBe(0);
    expect((await db.channelIdentity.findMany({ where: { channel: 'telegram' } })).filter((i) => i.externalUserId === '32')).toHaveLength(0);
  });
});
