/**
 * The built-in Direct Line over real HTTP and a raw WebSocket client: every endpoint Web Chat uses,
 * watermark semantics, token refresh, expiry and scoping (a token for A never opens B).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { channelModules } from '../../bots/index.js';
import { issueToken } from '../../bots/directline/tokens.js';
import { claimHandoff } from '../../core/queue/operations.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { directLineCall } from '../helpers/directline-client.js';

interface Activity {
  id: string;
  type: string;
  from: { role: string };
  text?: string;
  suggestedActions?: { actions: { title: string; value: { choiceId: string } }[] };
  channelData?: { clientActivityID?: string };
}
interface ActivitySet {
  activities: Activity[];
  watermark: string | null;
}

describe('Direct Line 3.0', () => {
  let app: TestApp;
  let base: string;
  beforeAll(async () => {
    app = await createTestApp({ channelModules });
    base = await app.listen();
  });
  afterAll(async () => {
    await app.close();
  });

  const call = (method: string, path: string, token?: string, body?: unknown) => directLineCall(base, method, path, token, body);
  const start = async () => {
    const generated = await call('POST', '/v3/directline/tokens/generate');
    const token = generated.body.token as string;
    const started = await call('POST', '/v3/directline/conversations', token);
    return { conversationId: started.body.conversationId as string, token, started };
  };
  const activities = async (id: string, token: string, watermark?: string | null) =>
    (await call('GET', `/v3/directline/conversations/${id}/activities${watermark ? `?watermark=${watermark}` : ''}`, token)).body as unknown as ActivitySet;

  it('starts a conversation with the welcome, and answers a posted choice in order', async () => {
    const { conversationId, token, started } = await start();
    expect(started.status).toBe(201);
    expect(started.body.streamUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v3\/directline\/conversations\/dl-.+\/stream\?t=/);
    // Starting again is idempotent: one welcome, and nothing is stored before the user writes.
    expect((await call('POST', '/v3/directline/conversations', token)).status).toBe(201);
    const first = await activities(conversationId, token);
    expect(first.activities).toHaveLength(1);
    expect(first.watermark).toBe('w');
    expect(await app.database.prisma.conversation.count({ where: { externalChatId: conversationId } })).toBe(0);
    expect(first.activities[0]!.from.role).toBe('bot');
    const english = first.activities[0]!.suggestedActions!.actions.find((a) => a.value.choiceId === 'lang.en')!;
    expect(english.title).toBe('English');

    const posted = await call('POST', `/v3/directline/conversations/${conversationId}/activities`, token, {
      type: 'message',
      value: english.value,
      channelData: { clientActivityID: 'client-1' },
    });
    expect(posted).toEqual({ status: 200, body: { id: 'client-1' } });
    const next = await activities(conversationId, token, first.watermark);
    // The user's own message is echoed first (with its clientActivityID and the button's label), then the menu.
    expect(next.activities[0]).toMatchObject({ from: { role: 'user' }, text: 'English', channelData: { clientActivityID: 'client-1' } });
    expect(next.activities.slice(1).some((a) => a.suggestedActions?.actions.some((x) => x.value.choiceId === 'report'))).toBe(true);
    expect(next.watermark).toMatch(/^\d+$/);
    // A client with no watermark (a reload, a resumed tab) reads the stored conversation: the welcome once, then the rest.
    const whole = await activities(conversationId, token);
    expect(whole.activities.filter((a) => a.from.role === 'bot' && a.suggestedActions?.actions.some((x) => x.value.choiceId === 'lang.en'))).toHaveLength(1);
    expect(whole.activities.slice(1).map((a) => a.id)).toEqual(next.activities.map((a) => a.id));
    // Nothing new after the latest watermark; the same watermark twice gives the same answer.
    expect((await activities(conversationId, token, next.watermark)).activities).toEqual([]);
    expect((await activities(conversationId, token, first.watermark)).activities.map((a) => a.id)).toEqual(next.activities.map((a) => a.id));
    // A retried post (same clientActivityID) is stored once.
    await call('POST', `/v3/directline/conversations/${conversationId}/activities`, token, { type: 'message', value: english.value, channelData: { clientActivityID: 'client-1' } });
    expect((await activities(conversationId, token, next.watermark)).activities).toEqual([]);
  });

  it('refuses other conversations, forged and expired tokens, and bad activities', async () => {
    const a = await start();
    const b = await start();
    const forbidden = await call('GET', `/v3/directline/conversations/${b.conversationId}/activities`, a.token);
    expect(forbidden).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'this token is for another conversation' } } });
    expect((await call('POST', `/v3/directline/conversations/${b.conversationId}/activities`, a.token, { type: 'message', text: 'hi' })).status).toBe(403);
    expect((await call('GET', `/v3/directline/conversations/${b.conversationId}`, a.token)).status).toBe(403);
    expect((await call('GET', `/v3/directline/conversations/${a.conversationId}/activities`)).status).toBe(403);
    const [body, mac] = a.token.split('.');
    expect((await call('GET', `/v3/directline/conversations/${a.conversationId}/activities`, `${body}.${mac!.slice(0, -2)}xx`)).status).toBe(403);
    const expired = issueToken(app.keys.tokenKey, a.conversationId, new Date(Date.now() - 31 * 60_000)).token;
    expect((await call('GET', `/v3/directline/conversations/${a.conversationId}/activities`, expired)).status).toBe(403);
    const bad = await call('POST', `/v3/directline/conversations/${a.conversationId}/activities`, a.token, { text: 'no type' });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'BAD_INPUT' } } });
  });

  it('refreshes a token for the same conversation and reconnects with a fresh stream URL', async () => {
    const { conversationId, token } = await start();
    const refreshed = await call('POST', '/v3/directline/tokens/refresh', token);
    expect(refreshed.body.conversationId).toBe(conversationId);
    expect(refreshed.body.expires_in).toBe(1800);
    const reconnect = await call('GET', `/v3/directline/conversations/${conversationId}`, refreshed.body.token as string);
    expect(reconnect.status).toBe(200);
    expect(reconnect.body.streamUrl).toContain(`/conversations/${conversationId}/stream`);
  });

  it('streams activity sets over the WebSocket: the backlog after the watermark, then live bot and counsellor replies', async () => {
    const { conversationId, token, started } = await start();
    const ws = new WebSocket(started.body.streamUrl as string);
    const sets: ActivitySet[] = [];
    ws.on('message', (data) => sets.push(JSON.parse(String(data)) as ActivitySet));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await expect.poll(() => sets.length, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(sets[0]!.activities[0]!.from.role).toBe('bot'); // the welcome

    await call('POST', `/v3/directline/conversations/${conversationId}/activities`, token, { type: 'message', text: 'help me, they locked us in', channelData: { clientActivityID: 'sos-1' } });
    await expect.poll(() => sets.flatMap((s) => s.activities).some((a) => /113/.test(a.text ?? '')), { timeout: 30_000 }).toBe(true);
    const all = sets.flatMap((s) => s.activities);
    expect(all.findIndex((a) => a.channelData?.clientActivityID === 'sos-1')).toBeLessThan(all.findIndex((a) => /113/.test(a.text ?? '')));
    // Watermarks only grow.
    const marks = sets.filter((s) => s.watermark !== 'w').map((s) => BigInt(s.watermark!));
    expect([...marks].sort((x, y) => (x < y ? -1 : 1))).toEqual(marks);

    // A counsellor takes the chat and replies: it arrives live through the outbox.
    const staff = await app.database.prisma.staffUser.create({ data: { email: 'dl@111.vn', displayName: 'DL', role: 'counsellor', passwordHash: 'x' } });
    const handoff = await app.database.prisma.handoff.findFirstOrThrow({ where: { state: 'waiting' }, orderBy: { createdAt: 'desc' } });
    await claimHandoff(app.queue, { handoffId: handoff.id, counsellorId: staff.id });
    await app.runtime.sendCounsellorReply({ conversationId: handoff.conversationId, counsellorId: staff.id, text: 'Mình là tư vấn viên, bạn đang ở đâu?' });
    await expect.poll(() => sets.flatMap((s) => s.activities).some((a) => a.text === 'Mình là tư vấn viên, bạn đang ở đâu?'), { timeout: 30_000 }).toBe(true);
    // While the counsellor writes, Web Chat is told (a typing activity; nothing stored).
    await app.ports.get('webchat')!.typing!({ conversationId: handoff.conversationId, externalUserId: conversationId, externalChatId: conversationId });
    await expect.poll(() => sets.flatMap((s) => s.activities).some((a) => a.type === 'typing'), { timeout: 30_000 }).toBe(true);
    ws.close();
  });

  it('closes a stream opened with another conversation’s token', async () => {
    const a = await start();
    const b = await start();
    const url = new URL(a.started.body.streamUrl as string);
    url.pathname = `/v3/directline/conversations/${b.conversationId}/stream`;
    const ws = new WebSocket(url.toString());
    const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    expect(code).toBe(4403);
  });

  it('gives a resume code that reopens the conversation, and refuses wrong codes', async () => {
    const { conversationId, token } = await start();
    // Nothing to resume before the user has written.
    expect((await call('POST', '/chat/resume-code', token)).status).toBe(409);
    await call('POST', `/v3/directline/conversations/${conversationId}/activities`, token, { type: 'message', text: 'hi', channelData: { clientActivityID: 'hi-1' } });
    const issued = await call('POST', '/chat/resume-code', token);
    expect(issued.body.code).toMatch(/^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/);
    const resumed = await call('POST', '/chat/resume', undefined, { code: (issued.body.code as string).toLowerCase() });
    expect(resumed.body.conversationId).toBe(conversationId);
    expect((await activities(conversationId, resumed.body.token as string)).activities.length).toBeGreaterThan(0);
    expect((await call('POST', '/chat/resume', undefined, { code: 'AAAAA-AAAAA' })).status).toBe(404);
    expect((await call('POST', '/chat/resume', undefined, { nope: 1 })).status).toBe(400);
    expect(await app.database.prisma.resumeCode.count({ where: { id: issued.body.code as string } })).toBe(0); // stored hashed
    // Erasing the conversation (/delete, then yes) takes its resume codes with it.
    await call('POST', `/v3/directline/conversations/${conversationId}/activities`, token, { type: 'message', text: '/delete', channelData: { clientActivityID: 'del-1' } });
    await call('POST', `/v3/directline/conversations/${conversationId}/activities`, token, { type: 'message', value: { choiceId: 'delete.yes' }, channelData: { clientActivityID: 'del-2' } });
    expect((await call('POST', '/chat/resume', undefined, { code: issued.body.code })).status).toBe(404);
  });

  it('serves the landing page and /chat with a strict policy and no cookies', async () => {
    const landing = await fetch(`${base}/?lang=en`);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain('href="/chat?lang=en"');
    const chat = await fetch(`${base}/chat`);
    expect(chat.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(chat.headers.get('set-cookie')).toBeNull();
    const html = await chat.text();
    expect(html).toContain('<script src="/chat/webchat.js"></script>');
    expect(html).not.toMatch(/https?:\/\/(?!www\.google\.com)/); // no third-party resources (the quick-exit target is data)
    const bundle = await fetch(`${base}/chat/webchat.js`);
    expect(bundle.status).toBe(200);
    expect(Number(bundle.headers.get('content-length') ?? (await bundle.arrayBuffer()).byteLength)).toBeGreaterThan(100_000);
  });

  it('scopes dedupe to the conversation: the same clientActivityID in two conversations is stored twice, echoed as sent', async () => {
    const one = await start();
    const two = await start();
    for (const c of [one, two]) {
      const posted = await call('POST', `/v3/directline/conversations/${c.conversationId}/activities`, c.token, { type: 'message', text: `hello from ${c.conversationId}`, channelData: { clientActivityID: 'shared-client-id' } });
      expect(posted).toEqual({ status: 200, body: { id: 'shared-client-id' } });
    }
    for (const c of [one, two]) {
      const echoed = (await activities(c.conversationId, c.token)).activities.find((a) => a.from.role === 'user');
      expect(echoed).toMatchObject({ text: `hello from ${c.conversationId}`, channelData: { clientActivityID: 'shared-client-id' } });
    }
  });
});
