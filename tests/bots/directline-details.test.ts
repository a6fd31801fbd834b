/**
 * The details of the built-in Direct Line that Web Chat and the person rely on, over real HTTP and
 * raw WebSockets: who each message is signed by, activities acknowledged but not acted on, the page
 * language (from the token or the posted activity, up to 35 characters), several sockets on one
 * conversation, the typing set, and the exact refusals. The secret code masked once read, and what
 * reaches a socket from another instance: tests/bots/directline-scope.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { channelModules } from '../../bots/index.js';
import { verifyTokenClaims } from '../../bots/directline/tokens.js';
import { claimHandoff } from '../../core/queue/operations.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { directLineVisitor, type DlActivitySet as ActivitySet } from '../helpers/directline-visitor.js';

describe('Direct Line details', () => {
  let app: TestApp;
  let dl: ReturnType<typeof directLineVisitor>;
  beforeAll(async () => {
    app = await createTestApp({ channelModules });
    dl = directLineVisitor(app, await app.listen());
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  /** A conversation started from a page with no language set (the token carries none). */
  const start = async () => {
    const token = (await dl.call('POST', '/v3/directline/tokens/generate')).body.token as string;
    const started = await dl.call('POST', '/v3/directline/conversations', token);
    return { conversationId: started.body.conversationId as string, token, streamUrl: started.body.streamUrl as string };
  };

  /** A counsellor takes the web chat `id` over (claims its handoff); `reply` writes as them. */
  const takeOver = async (id: string, email: string) => {
    const conversation = await app.database.prisma.conversation.findFirstOrThrow({ where: { externalChatId: id, channel: 'webchat' } });
    const handoff = await app.database.prisma.handoff.findFirstOrThrow({ where: { conversationId: conversation.id } });
    const staff = await app.database.prisma.staffUser.create({ data: { email, displayName: email.split('@')[0]!, role: 'counsellor', passwordHash: 'x' } });
    await claimHandoff(app.queue, { handoffId: handoff.id, counsellorId: staff.id });
    return { reply: (text: string) => app.runtime.sendCounsellorReply({ conversationId: conversation.id, counsellorId: staff.id, text }) };
  };

  it('names who speaks: the bot and the queue as 111, the counsellor by the Vietnamese title', async () => {
    const { conversationId, token, streamUrl } = await dl.startIn('vi');
    await dl.postText(conversationId, token, 'cho mình nói chuyện với tư vấn viên', 'n-1');
    const counsellor = await takeOver(conversationId, 'dl-names@111.vn');
    await counsellor.reply('Chào bạn, mình nghe đây.');
    // A conversation in English written later does not change how this one names its counsellor.
    const later = await dl.startIn('en');
    await dl.postText(later.conversationId, later.token, 'hello', 'n-en');
    const all = (await dl.activities(conversationId, token)).activities;
    const fromBot = all.filter((a) => a.from.role === 'bot');
    expect(fromBot.filter((a) => a.from.id === 'counsellor').map((a) => [a.text, a.from])).toEqual([['Chào bạn, mình nghe đây.', { id: 'counsellor', name: 'Tư vấn viên 111', role: 'bot' }]]);
    // The welcome, the answers and the queue's own notices ("you are number 1") are all signed 111.
    const hotline = fromBot.filter((a) => a.from.id !== 'counsellor');
    expect(hotline.some((a) => /vị trí số 1/.test(a.text ?? ''))).toBe(true);
    expect(new Set(hotline.map((a) => JSON.stringify(a.from)))).toEqual(new Set([JSON.stringify({ id: 'hotline-111', name: '111', role: 'bot' })]));

    // While the counsellor holds the chat the bot stays quiet: what the person writes is still echoed on their stream at once.
    const stream = await dl.openStream(streamUrl);
    await expect.poll(() => stream.all().some((a) => a.text === 'Chào bạn, mình nghe đây.'), { timeout: 30_000 }).toBe(true);
    await dl.postText(conversationId, token, 'bạn ơi, mình ở đây', 'n-2');
    await expect.poll(() => stream.all().some((a) => a.from.role === 'user' && a.text === 'bạn ơi, mình ở đây'), { timeout: 30_000 }).toBe(true);
    stream.ws.close();
  });

  it('acknowledges activities it does not act on (typing, an empty message) and stores nothing for them', async () => {
    const { conversationId, token } = await start();
    const typing = await dl.call('POST', `/v3/directline/conversations/${conversationId}/activities`, token, { type: 'typing', channelData: { clientActivityID: 'typing-1' } });
    expect(typing).toEqual({ status: 200, body: { id: 'typing-1' } });
    expect(await dl.postText(conversationId, token, '   ', 'blank-1')).toEqual({ status: 200, body: { id: 'blank-1' } });
    expect(await app.database.prisma.conversation.count({ where: { externalChatId: conversationId } })).toBe(0);
    expect((await dl.activities(conversationId, token)).watermark).toBe('w'); // still only the welcome
  });

  it('takes the language from the posted activity when the token has none', async () => {
    const { conversationId, token } = await start();
    await dl.call('POST', `/v3/directline/conversations/${conversationId}/activities`, token, { type: 'message', text: 'hello', locale: 'en', channelData: { clientActivityID: 'loc-1' } });
    const stored = await app.database.prisma.conversation.findFirstOrThrow({ where: { externalChatId: conversationId } });
    expect(stored.locale).toBe('en');
    // The stored language names the counsellor, though the token (and so the page) carries none.
    await dl.call('POST', `/v3/directline/conversations/${conversationId}/activities`, token, { type: 'message', value: { choiceId: 'counsellor' }, channelData: { clientActivityID: 'loc-2' } });
    await (await takeOver(conversationId, 'dl-locale@111.vn')).reply('Hi, I am here.');
    const read = (await dl.activities(conversationId, token)).activities.find((a) => a.text === 'Hi, I am here.');
    expect(read?.from).toEqual({ id: 'counsellor', name: '111 counsellor', role: 'bot' });
    // With no stream open there is nobody to wake, and every reply still counts as delivered (nothing failed, nothing left).
    const outbound = () => app.database.prisma.message.groupBy({ by: ['status'], where: { conversationId: stored.id, direction: 'outbound' }, _count: true });
    await expect.poll(async () => (await outbound()).map((g) => g.status), { timeout: 30_000 }).toEqual(['sent']);
  });

  it('keeps a page language of up to 35 characters in the token, and ignores one that is not text', async () => {
    const token = (await dl.call('POST', '/v3/directline/tokens/generate')).body.token as string;
    const longest = 'en-' + 'x'.repeat(32);
    const kept = await dl.call('POST', '/v3/directline/conversations', token, { locale: longest });
    expect(verifyTokenClaims(app.keys.tokenKey, kept.body.token as string, new Date()).locale).toBe(longest);
    const list = await dl.call('POST', '/v3/directline/conversations', token, { locale: ['en'] });
    expect(verifyTokenClaims(app.keys.tokenKey, list.body.token as string, new Date())).toEqual({ conversationId: kept.body.conversationId });
  });

  it('streams to every open socket of a conversation; one closing leaves the other receiving; the welcome in the page language', async () => {
    const { conversationId: id, token, streamUrl } = await dl.startIn('en');
    const one = await dl.openStream(streamUrl);
    const two = await dl.openStream(streamUrl);
    for (const s of [one, two]) await expect.poll(() => s.all().some((a) => /How can we help you\?/.test(a.text ?? '')), { timeout: 30_000 }).toBe(true);

    await dl.postText(id, token, 'hello there', 'two-1');
    for (const s of [one, two]) await expect.poll(() => s.all().some((a) => a.text === 'hello there'), { timeout: 30_000 }).toBe(true);
    const closed = new Promise((resolve) => one.ws.once('close', resolve));
    one.ws.close();
    await closed;
    await dl.postText(id, token, 'still me', 'two-2');
    await expect.poll(() => two.all().some((a) => a.text === 'still me'), { timeout: 30_000 }).toBe(true);
    // Every set sent carries something new (a wake-up with nothing new sends nothing), in order.
    expect(two.sets.every((s) => s.activities.length > 0)).toBe(true);

    // Typing: one activity of the conversation, with the watermark the socket already has; typing in
    // another channel's conversation that happens to have the same chat id shows nothing here.
    const watermark = two.sets.at(-1)!.watermark;
    const lookalike = await app.runtime.handleTurn({ channel: 'test', externalUserId: `lookalike-${id}`, externalChatId: id, externalMessageId: 'look-1', kind: 'text', payload: { text: 'hi' } });
    app.bus.publish({ type: 'conversation.typing', conversationId: lookalike.conversationId });
    const stored = await app.database.prisma.conversation.findFirstOrThrow({ where: { externalChatId: id, channel: 'webchat' } });
    app.bus.publish({ type: 'conversation.typing', conversationId: stored.id });
    const isTyping = (s: ActivitySet) => s.activities[0]?.type === 'typing';
    await expect.poll(() => two.sets.some(isTyping), { timeout: 30_000 }).toBe(true);
    const at = two.sets.findIndex(isTyping);
    const typing = two.sets[at]!;
    expect(typing.watermark).toBe(two.sets[at - 1]!.watermark);
    expect(BigInt(typing.watermark!) >= BigInt(watermark!)).toBe(true);
    expect(typing.activities).toHaveLength(1);
    expect(typing.activities[0]).toMatchObject({ channelId: 'directline', conversation: { id }, from: { id: 'counsellor', role: 'bot' } });
    expect(typing.activities[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(Date.parse(typing.activities[0]!.timestamp) - Date.now())).toBeLessThan(10 * 60_000);
    await dl.postText(id, token, 'after typing', 'two-3');
    await expect.poll(() => two.all().some((a) => a.text === 'after typing'), { timeout: 30_000 }).toBe(true);
    expect(two.sets.filter(isTyping)).toHaveLength(1);
    two.ws.close();
  });

  it('refuses a bad activity and a stream for another conversation, each with its exact reason', async () => {
    const a = await start();
    const b = await start();
    const bad = await dl.call('POST', `/v3/directline/conversations/${a.conversationId}/activities`, a.token, { text: 'no type' });
    expect(bad).toEqual({ status: 400, body: { error: { code: 'BAD_INPUT', message: 'not a Bot Framework activity' } } });
    const url = new URL(a.streamUrl);
    url.pathname = `/v3/directline/conversations/${b.conversationId}/stream`;
    const ws = new WebSocket(url.toString());
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    expect(closed).toEqual({ code: 4403, reason: 'forbidden' });
  });
});
