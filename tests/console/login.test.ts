/**
 * Login that cannot be used to lock staff out (issue 14, item 2): attempts are counted atomically
 * before verifying; the service-wide signal slows logins down and alerts supervisors instead of
 * refusing; a device cookie from a recent login skips the account lock; a TOTP second factor that
 * admins require per role, with enrolment, recovery codes and login with the code. Also the live
 * socket: Origin checked on upgrade, dropped when its session ends.
 */
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hashPassword } from '../../console/auth/passwords.js';
import { loginDelayMs, MAX_LOGIN_DELAY_MS } from '../../console/routes/auth.js';
import type { BusEvent } from '../../core/events/bus.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ConsoleClient } from './session.js';

const PASSWORD = 'a-long-enough-password';
const ALERT_AT = 12;

describe('console login', () => {
  let app: TestApp;
  let base: string;
  const events: BusEvent[] = [];
  beforeAll(async () => {
    app = await createTestApp({ env: { LOGIN_ALERT_PER_MINUTE: String(ALERT_AT) } });
    app.bus.subscribe((e) => events.push(e));
    base = await app.listen();
  });
  afterAll(async () => {
    await app.close();
  });
  const account = async (email: string, role: 'counsellor' | 'supervisor' | 'admin') => {
    const user = await app.database.prisma.staffUser.create({ data: { email, displayName: email, role, passwordHash: await hashPassword(PASSWORD) } });
    return user;
  };
  const clearService = () => app.database.prisma.rateLimit.deleteMany({ where: { key: 'login:service' } });

  // PGlite serialises these; attempts.postgres.test.ts races them on PostgreSQL.
  it('counts attempts atomically: of 40 parallel wrong guesses on one account, at most 5 are evaluated', async () => {
    await account('race@111.vn', 'counsellor');
    const results = await Promise.all(Array.from({ length: 40 }, () => new ConsoleClient(base).login('race@111.vn', 'wrong-password-guess')));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(35);
    // Now locked: even the right password waits out the window (from a browser that never logged in here).
    expect((await new ConsoleClient(base).login('race@111.vn', PASSWORD)).status).toBe(429);
    await clearService();
  });

  it('a device that logged in before skips the account lock someone else caused', async () => {
    await account('owner@111.vn', 'counsellor');
    const owner = new ConsoleClient(base);
    expect((await owner.login('owner@111.vn', PASSWORD)).status).toBe(200);
    expect(owner.device).toMatch(/^hotline_device=/);
    // Someone elsewhere guesses at the address until the account is locked.
    for (let i = 0; i < 6; i++) await new ConsoleClient(base).login('owner@111.vn', 'wrong-password-guess');
    expect((await new ConsoleClient(base).login('owner@111.vn', PASSWORD)).status).toBe(429);
    // The owner's browser still gets in; a forged device cookie does not.
    expect((await owner.login('owner@111.vn', PASSWORD)).status).toBe(200);
    const forged = new ConsoleClient(base);
    forged.device = owner.device.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await forged.login('owner@111.vn', PASSWORD)).status).toBe(429);
    await clearService();
  });

  it('when logins flood in from everywhere, slows them down instead of refusing, and alerts supervisors', async () => {
    await clearService();
    await account('admin2@111.vn', 'admin');
    const supervisor = await account('watch@111.vn', 'supervisor');
    void supervisor;
    const watcher = new ConsoleClient(base);
    expect((await watcher.login('watch@111.vn', PASSWORD)).status).toBe(200);
    const ws = new WebSocket(`${base.replace('http', 'ws')}/console/ws`, { headers: { cookie: watcher.cookie, origin: base } });
    const received: { type: string }[] = [];
    ws.on('message', (data) => received.push(JSON.parse(String(data)) as { type: string }));
    await expect.poll(() => received.some((m) => m.type === 'hello'), { timeout: 30_000 }).toBe(true);

    // Failed logins on random addresses pass the service-wide threshold...
    const flood = await Promise.all(Array.from({ length: ALERT_AT + 4 }, (_, i) => new ConsoleClient(base).login(`nobody${i}@111.vn`, 'wrong-password-guess')));
    expect(flood.every((r) => r.status === 401)).toBe(true);
    // ...and the admin's correct password still works (slowed, not refused).
    expect((await new ConsoleClient(base).login('admin2@111.vn', PASSWORD)).status).toBe(200);
    expect(events.filter((e) => e.type === 'security.login_pressure')).toHaveLength(1);
    await expect.poll(() => received.some((m) => m.type === 'security.login_pressure'), { timeout: 30_000 }).toBe(true);
    expect(await app.database.prisma.auditLog.count({ where: { action: 'login.pressure' } })).toBe(1);
    ws.close();
    await clearService();
  });

  it('grows the delay with the pressure, up to a cap', () => {
    expect(loginDelayMs(100, 100)).toBe(0);
    const delays = [101, 126, 151, 176, 201, 400, 5000].map((n) => loginDelayMs(n, 100));
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(delays[0]!).toBeGreaterThan(0);
    expect(delays.at(-1)).toBe(MAX_LOGIN_DELAY_MS);
  });

  it('TOTP: an admin requires it for a role; the counsellor enrols, gets recovery codes, and logs in with a code', async () => {
    await account('boss@111.vn', 'admin');
    const user = await account('totp@111.vn', 'counsellor');
    const admin = new ConsoleClient(base);
    expect((await admin.login('boss@111.vn', PASSWORD)).status).toBe(200);
    expect((await admin.request('PUT', '/console/api/policy/totp', { role: 'counsellor', required: true })).status).toBe(200);
    expect(await admin.json('GET', '/console/api/policy')).toEqual({ status: 200, body: { totpRequired: { counsellor: true, supervisor: false, admin: false } } });

    // First login: a session that may only enrol.
    const c = new ConsoleClient(base);
    const first = await c.login('totp@111.vn', PASSWORD);
    expect(first.status).toBe(200);
    expect(((await first.json()) as { mustEnrolTotp: boolean }).mustEnrolTotp).toBe(true);
    expect(await c.json('GET', '/console/api/queue')).toMatchObject({ status: 403, body: { error: { code: 'TOTP_ENROLMENT_REQUIRED' } } });
    const setup = await c.json<{ secret: string; uri: string }>('POST', '/console/api/totp/setup', {});
    expect(setup.status).toBe(200);
    expect(setup.body.uri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    const stored = await app.database.prisma.staffUser.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.totpSecret).not.toContain(setup.body.secret);
    expect((await c.json('POST', '/console/api/totp/enable', { code: '000000' })).status).toBe(400);
    const enabled = await c.json<{ recoveryCodes: string[] }>('POST', '/console/api/totp/enable', { code: await generate({ secret: setup.body.secret }) });
    expect(enabled.status).toBe(200);
    expect(enabled.body.recoveryCodes).toHaveLength(10);
    const after = await app.database.prisma.staffUser.findUniqueOrThrow({ where: { id: user.id } });
    for (const code of enabled.body.recoveryCodes) expect(JSON.stringify(after)).not.toContain(code);
    expect((await c.request('GET', '/console/api/queue')).status).toBe(200);

    // Later logins need the code: missing, wrong, right, and the same code twice.
    const later = new ConsoleClient(base);
    expect(await (await later.login('totp@111.vn', PASSWORD)).json()).toMatchObject({ error: { code: 'TOTP_REQUIRED' } });
    expect(await (await later.login('totp@111.vn', PASSWORD, '123456')).json()).toMatchObject({ error: { code: 'TOTP_INVALID' } });
    const next = await generate({ secret: setup.body.secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    expect((await later.login('totp@111.vn', PASSWORD, next)).status).toBe(200);
    expect((await later.request('GET', '/console/api/queue')).status).toBe(200);
    expect((await new ConsoleClient(base).login('totp@111.vn', PASSWORD, next)).status).toBe(401);

    // A recovery code works once.
    const recovery = enabled.body.recoveryCodes[0]!;
    expect((await new ConsoleClient(base).login('totp@111.vn', PASSWORD, recovery.toLowerCase())).status).toBe(200);
    expect((await new ConsoleClient(base).login('totp@111.vn', PASSWORD, recovery)).status).toBe(401);
    expect((await app.database.prisma.staffUser.findUniqueOrThrow({ where: { id: user.id } })).recoveryCodeHashes).toHaveLength(9);

    // An admin resets a lost authenticator: the next login enrols again.
    expect((await admin.request('POST', `/console/api/staff/${user.id}/totp/reset`, {})).status).toBe(200);
    expect((await later.request('GET', '/console/api/queue')).status).toBe(401);
    const again = await new ConsoleClient(base).login('totp@111.vn', PASSWORD);
    expect(((await again.json()) as { mustEnrolTotp: boolean }).mustEnrolTotp).toBe(true);
    await clearService();
  });

  it('live socket: refuses another site\'s Origin, and closes when the session is logged out or the account disabled', async () => {
    await account('live@111.vn', 'supervisor');
    await account('live-admin@111.vn', 'admin');
    const c = new ConsoleClient(base);
    expect((await c.login('live@111.vn', PASSWORD)).status).toBe(200);
    const url = `${base.replace('http', 'ws')}/console/ws`;
    const open = (origin: string, cookie = c.cookie) =>
      new Promise<{ ws: WebSocket; closed: Promise<number> }>((resolve, reject) => {
        const ws = new WebSocket(url, { headers: { cookie, origin } });
        const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
        ws.on('open', () => resolve({ ws, closed }));
        ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        ws.on('error', reject);
      });
    await expect(open('https://evil.example')).rejects.toThrow('HTTP 403');
    await expect(open(base, 'hotline_console=forged')).rejects.toThrow('HTTP 401');

    const first = await open(base);
    expect((await c.request('POST', '/console/api/logout', {})).status).toBe(200);
    expect(await first.closed).toBe(4401);

    expect((await c.login('live@111.vn', PASSWORD)).status).toBe(200);
    const second = await open(base);
    const admin = new ConsoleClient(base);
    expect((await admin.login('live-admin@111.vn', PASSWORD)).status).toBe(200);
    const id = (await app.database.prisma.staffUser.findUniqueOrThrow({ where: { email: 'live@111.vn' } })).id;
    expect((await admin.request('POST', `/console/api/staff/${id}/disabled`, { disabled: true })).status).toBe(200);
    expect(await second.closed).toBe(4401);
  });
});
