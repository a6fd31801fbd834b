/**
 * The built-in Direct Line behind a public HTTPS address (PUBLIC_URL), over real HTTP and a raw
 * WebSocket: stream URLs that point at the public address, the page's language carried by the token
 * into the stored conversation and the names shown, a new or an existing conversation, a stream
 * opened with the Authorization header or from a watermark, typing from the bus, and the streams
 * closed when the server stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { channelModules } from '../../bots/index.js';
import { verifyTokenClaims } from '../../bots/directline/tokens.js';
import { claimHandoff } from '../../core/queue/operations.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { directLineCall } from '../helpers/directline-client.js';

interface Activity {
  id: string;
  type: string;
  from: { id: string; name?: string; role: string };
  text?: string;
}
interface ActivitySet {
  activities: Activity[];
  watermark: string | null;
}

describe('Direct Line behind a public address', () => {
  let app: TestApp;
  let base: string;
  let closed = false;
  beforeAll(async () => {
    app = await createTestApp({ channelModules, env: { PUBLIC_URL: 'https://hotline.example.org/' } });
    base = await app.listen();
  }, 120_000);
  afterAll(async () => {
    if (!closed) await app?.close();
  });

  const call = (method: string, path: string, token?: string, body?: unknown) => directLineCall(base, method, path, token, body);
  const generate = async () => (await call('POST', '/v3/directline/tokens/generate')).body.token as string;
  const post = (id: string, token: string, activity: Record<string, unknown>) => call('POST', `/v3/directline/conversations/${id}/activities`, token, activity);
  /** A raw socket on the local server (the public address is not reachable here), collecting activity sets. */
  const open = async (id: string, query: string, headers: Record<string, string> = {}) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v3/directline/conversations/${id}/stream${query}`, { headers });
    const sets: ActivitySet[] = [];
    ws.on('message', (data) => sets.push(JSON.parse(String(data)) as ActivitySet));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return { ws, sets, all: () => sets.flatMap((s) => s.activities) };
  };

  it('gives stream URLs on the public address (wss), on start and on reconnect', async () => {
    const token = await generate();
    const started = await call('POST', '/v3/directline/conversations', token);
    const id = started.body.conversationId as string;
    expect(started.body.streamUrl).toBe(`wss://hotline.example.org/v3/directline/conversations/${id}/stream?t=${encodeURIComponent(started.body.token as string)}`);
    const again = await call('GET', `/v3/directline/conversations/${id}`, token);
    expect(again.body.streamUrl).toMatch(new RegExp(`^wss://hotline\\.example\\.org/v3/directline/conversations/${id}/stream\\?t=`));
  });

  it('carries the page language in the token into the stored conversation; starting again once written is 200', async () => {
    const token = await generate();
    const started = await call('POST', '/v3/directline/conversations', token, { locale: 'en' });
    expect(started.status).toBe(201);
    const id = started.body.conversationId as string;
    const english = started.body.token as string;
    expect(verifyTokenClaims(app.keys.tokenKey, english, new Date()).locale).toBe('en');
    // A "locale" that is not a language tag is ignored: the token keeps the one it had.
    const odd = await call('POST', '/v3/directline/conversations', english, { locale: 'x'.repeat(36) });
    expect(verifyTokenClaims(app.keys.tokenKey, odd.body.token as string, new Date()).locale).toBe('en');
    const refreshed = await call('POST', '/v3/directline/tokens/refresh', english);
    expect(verifyTokenClaims(app.keys.tokenKey, refreshed.body.token as string, new Date()).locale).toBe('en');
    const reconnected = await call('GET', `/v3/directline/conversations/${id}`, english);
    expect(verifyTokenClaims(app.keys.tokenKey, reconnected.body.token as string, new Date()).locale).toBe('en');

    expect(await post(id, english, { type: 'message', text: 'hello', channelData: { clientActivityID: 'en-1' } })).toEqual({ status: 200, body: { id: 'en-1' } });
    const stored = await app.database.prisma.conversation.findFirstOrThrow({ where: { externalChatId: id } });
    expect(stored.locale).toBe('en');
    expect((await call('POST', '/v3/directline/conversations', english)).status).toBe(200);

    // The counsellor is named in the conversation's language.
    await post(id, english, { type: 'message', value: { choiceId: 'counsellor' }, channelData: { clientActivityID: 'en-2' } });
    const handoff = await app.database.prisma.handoff.findFirstOrThrow({ where: { conversationId: stored.id } });
    const staff = await app.database.prisma.staffUser.create({ data: { email: 'dl-more@111.vn', displayName: 'DL', role: 'counsellor', passwordHash: 'x' } });
    await claimHandoff(app.queue, { handoffId: handoff.id, counsellorId: staff.id });
    await app.runtime.sendCounsellorReply({ conversationId: stored.id, counsellorId: staff.id, text: 'Hello, I am here.' });
    const read = (await call('GET', `/v3/directline/conversations/${id}/activities`, english)).body as unknown as ActivitySet;
    expect(read.activities.find((a) => a.text === 'Hello, I am here.')!.from).toEqual({ id: 'counsellor', name: '111 counsellor', role: 'bot' });
  });

  it('opens a stream with the Authorization header, from a watermark, and shows typing sent over the bus', async () => {
    const token = await generate();
    const id = (await call('POST', '/v3/directline/conversations', token)).body.conversationId as string;
    await post(id, token, { type: 'message', value: { choiceId: 'lang.en' }, channelData: { clientActivityID: 'w-1' } });
    const seen = (await call('GET', `/v3/directline/conversations/${id}/activities`, token)).body as unknown as ActivitySet;
    expect(seen.activities.length).toBeGreaterThan(1);

    const stream = await open(id, `?watermark=${seen.watermark}`, { authorization: `Bearer ${token}` });
    await post(id, token, { type: 'message', text: 'menu', channelData: { clientActivityID: 'w-2' } });
    await expect.poll(() => stream.all().some((a) => a.text === 'menu'), { timeout: 30_000 }).toBe(true);
    // Only what came after the watermark: nothing already read.
    const seenIds = new Set(seen.activities.map((a) => a.id));
    expect(stream.all().filter((a) => seenIds.has(a.id))).toEqual([]);

    const stored = await app.database.prisma.conversation.findFirstOrThrow({ where: { externalChatId: id } });
    app.bus.publish({ type: 'conversation.typing', conversationId: stored.id });
    await expect.poll(() => stream.all().find((a) => a.type === 'typing')?.from, { timeout: 30_000 }).toEqual({ id: 'counsellor', role: 'bot' });
    const before = stream.sets.length;
    // Typing in another channel's conversation reaches nobody here.
    const other = await app.runtime.handleTurn({ channel: 'test', externalUserId: 'not-webchat', externalMessageId: 'nw-1', kind: 'text', payload: { text: 'hi' } });
    app.bus.publish({ type: 'conversation.typing', conversationId: other.conversationId });
    await post(id, token, { type: 'message', text: 'still here', channelData: { clientActivityID: 'w-3' } });
    await expect.poll(() => stream.all().some((a) => a.text === 'still here'), { timeout: 30_000 }).toBe(true);
    expect(stream.sets.slice(before).flatMap((s) => s.activities).filter((a) => a.type === 'typing')).toEqual([]);
    stream.ws.close();
  });

  it('a stream without any token is closed as forbidden', async () => {
    const token = await generate();
    const id = (await call('POST', '/v3/directline/conversations', token)).body.conversationId as string;
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v3/directline/conversations/${id}/stream`);
    const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    expect(code).toBe(4403);
  });

  it('closes open streams when the server stops', async () => {
    const token = await generate();
    const id = (await call('POST', '/v3/directline/conversations', token)).body.conversationId as string;
    const stream = await open(id, `?t=${encodeURIComponent(token)}`);
    await expect.poll(() => stream.sets.length, { timeout: 30_000 }).toBeGreaterThan(0);
    const gone = new Promise<void>((resolve) => stream.ws.on('close', () => resolve()));
    closed = true;
    await app.close();
    await gone;
    expect(stream.ws.readyState).toBe(WebSocket.CLOSED);
  });
});
