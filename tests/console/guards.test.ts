/**
 * The console's guards against the ways they were once broken on purpose and no test noticed:
 * a wrong (not only a missing) CSRF token, an expired session (API and live socket), a live socket
 * with no session, and a counsellor filing a report for a chat another counsellor holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hashPassword } from '../../console/auth/passwords.js';
import { SESSION_RECHECK_MS } from '../../console/live.js';
import { createTestApp, textFrom, type TestApp } from '../helpers/app.js';
import { recordingPort } from '../helpers/ports.js';
import { ConsoleClient } from './session.js';

const PASSWORD = 'a-long-enough-password';

describe('console guards', () => {
  let app: TestApp;
  let base: string;
  beforeAll(async () => {
    app = await createTestApp({ ports: [recordingPort()] });
    base = await app.listen();
  });
  afterAll(async () => {
    await app.close();
  });

  const account = async (email: string, role: 'counsellor' | 'supervisor' | 'admin') => {
    await app.database.prisma.staffUser.create({ data: { email, displayName: email, role, passwordHash: await hashPassword(PASSWORD) } });
    const client = new ConsoleClient(base);
    expect((await client.login(email, PASSWORD)).status).toBe(200);
    return client;
  };
  const wsUrl = () => `${base.replace('http', 'ws')}/console/ws`;
  /** Opens the live socket; rejects with "HTTP <status>" when the upgrade is refused. */
  const openSocket = (cookie: string | undefined) =>
    new Promise<{ ws: WebSocket; messages: { type: string }[]; closeCode(): number | undefined }>((resolve, reject) => {
      const ws = new WebSocket(wsUrl(), { headers: { ...(cookie ? { cookie } : {}), origin: base } });
      const messages: { type: string }[] = [];
      let closeCode: number | undefined;
      ws.on('message', (data) => messages.push(JSON.parse(String(data)) as { type: string }));
      ws.on('close', (code) => (closeCode = code));
      ws.on('open', () => resolve({ ws, messages, closeCode: () => closeCode }));
      ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.on('error', reject);
    });
  const expire = async (client: ConsoleClient) => {
    // Every session of the client's account ends a minute ago.
    const me = await client.json<{ id: string }>('GET', '/console/api/me');
    expect(me.status).toBe(200);
    await app.database.prisma.staffSession.updateMany({ where: { userId: me.body.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
  };

  it('refuses a change with a wrong CSRF token, not only a missing one', async () => {
    const a = await account('csrf-a@111.vn', 'counsellor');
    const b = await account('csrf-b@111.vn', 'counsellor');
    expect(a.csrf.length).toBeGreaterThan(10);
    const wrongSameLength = a.csrf.replace(/^./, (c) => (c === 'x' ? 'y' : 'x'));
    for (const token of ['x', 'not-the-token', wrongSameLength, b.csrf]) {
      const res = await a.request('PUT', '/console/api/me/availability', { status: 'away' }, { csrf: false, headers: { 'x-csrf-token': token } });
      expect(res.status, `token ${token}`).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/CSRF/);
    }
    // The session's own token is accepted (the route itself works).
    expect((await a.request('PUT', '/console/api/me/availability', { status: 'away' })).status).toBe(200);
  });

  it('refuses the live socket to a client without a session', async () => {
    await expect(openSocket(undefined)).rejects.toThrow('HTTP 401');
    await expect(openSocket('hotline_console=forged-session-token')).rejects.toThrow('HTTP 401');
  });

  it('an expired session opens neither the API nor the live socket, and an open socket is closed', async () => {
    const c = await account('expiring@111.vn', 'counsellor');
    expect((await c.request('GET', '/console/api/queue')).status).toBe(200);
    const live = await openSocket(c.cookie);
    await expect.poll(() => live.messages.map((m) => m.type), { timeout: 30_000 }).toContain('hello');
    await expire(c);
    expect((await c.request('GET', '/console/api/queue')).status).toBe(401);
    expect((await c.request('PUT', '/console/api/me/availability', { status: 'away' })).status).toBe(401);
    await expect(openSocket(c.cookie)).rejects.toThrow('HTTP 401');
    // The socket opened before the expiry is closed by the periodic re-check.
    await expect.poll(() => live.closeCode(), { timeout: SESSION_RECHECK_MS * 3 }).toBe(4401);
  }, SESSION_RECHECK_MS * 3 + 60_000);

  it('a counsellor may not file a report for a chat another counsellor holds', async () => {
    const holder = await account('holder@111.vn', 'counsellor');
    const other = await account('other@111.vn', 'counsellor');
    await app.runtime.handleTurn(textFrom('report-for-me', 'hi'));
    const sos = await app.runtime.handleTurn(textFrom('report-for-me', 'help me'));
    expect(sos.handoffId).toBeTruthy();
    expect((await holder.request('POST', `/console/api/handoffs/${sos.handoffId}/claim`, {})).status).toBe(200);
    const before = await app.database.prisma.report.count();
    const draft = { category: 'scam_compound', province: 'an-giang', evidence: 'told over chat', inDanger: false };
    const refused = await other.json<{ error: { code: string } }>('POST', `/console/api/handoffs/${sos.handoffId}/report`, draft);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'HANDOFF_NOT_OWNER' } } });
    expect(await app.database.prisma.report.count()).toBe(before);
    // The holder may.
    const filed = await holder.json<{ referenceCode: string }>('POST', `/console/api/handoffs/${sos.handoffId}/report`, draft);
    expect(filed.status).toBe(201);
    expect(await app.database.prisma.report.count({ where: { referenceCode: filed.body.referenceCode, conversationId: sos.conversationId } })).toBe(1);
  });
});
