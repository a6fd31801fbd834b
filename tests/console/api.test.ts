/** The console API over real HTTP: auth, sessions, roles, CSRF, login rate limit, audit, reports, dashboard, directory. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../console/auth/passwords.js';
import { createTestApp, textFrom, type TestApp } from '../helpers/app.js';
import { recordingPort } from '../helpers/ports.js';
import { driver } from '../flows/helpers.js';
import { ConsoleClient } from './session.js';

const ADMIN = { email: 'admin@111.vn', password: 'correct-horse-battery-staple' };

describe('console API', () => {
  let app: TestApp;
  let base: string;
  beforeAll(async () => {
    app = await createTestApp({ ports: [recordingPort()], env: { CONSOLE_ADMIN_EMAIL: ADMIN.email, CONSOLE_ADMIN_PASSWORD: ADMIN.password } });
    base = await app.listen();
  }, 120_000);
  afterAll(async () => {
    await app.close();
  });

  const account = async (email: string, role: 'counsellor' | 'supervisor' | 'admin', disabled = false) => {
    await app.database.prisma.staffUser.create({ data: { email, displayName: email, role, disabled, passwordHash: await hashPassword('a-long-enough-password') } });
    const client = new ConsoleClient(base);
    await client.login(email, 'a-long-enough-password');
    return client;
  };

  it('creates the first admin from the environment, with a hashed password and an HttpOnly SameSite=Strict cookie', async () => {
    const admin = await app.database.prisma.staffUser.findUniqueOrThrow({ where: { email: ADMIN.email } });
    expect(admin.role).toBe('admin');
    expect(admin.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    const res = await new ConsoleClient(base).login(ADMIN.email, ADMIN.password);
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toContain(admin.passwordHash);
  });

  it('refuses wrong passwords, unknown accounts and disabled accounts alike, and rate-limits failed logins', async () => {
    const c = new ConsoleClient(base);
    expect((await c.login(ADMIN.email, 'wrong-password-here')).status).toBe(401);
    expect((await c.login('nobody@111.vn', 'wrong-password-here')).status).toBe(401);
    const disabled = await account('disabled@111.vn', 'counsellor', true);
    expect(disabled.cookie).toBe('');
    for (let i = 0; i < 4; i++) await c.login('limit@111.vn', 'wrong-password-here');
    expect((await c.login('limit@111.vn', 'wrong-password-here')).status).toBe(401);
    const limited = await c.login('limit@111.vn', 'wrong-password-here');
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
  });

  it('requires a session, the right role, and a CSRF token on every change', async () => {
    expect((await fetch(`${base}/console/api/queue`)).status).toBe(401);
    const counsellor = await account('c1@111.vn', 'counsellor');
    expect((await counsellor.request('GET', '/console/api/queue')).status).toBe(200);
    // Counsellors may not read reports, the dashboard or manage accounts.
    expect((await counsellor.request('GET', '/console/api/reports')).status).toBe(403);
    expect((await counsellor.request('GET', '/console/api/dashboard')).status).toBe(403);
    expect((await counsellor.request('POST', '/console/api/staff', { email: 'x@111.vn', displayName: 'X', role: 'admin', password: 'a-long-enough-password' })).status).toBe(403);
    // CSRF: a change without the token, or from another origin, is refused.
    const supervisor = await account('s1@111.vn', 'supervisor');
    const entry = await app.database.prisma.serviceEntry.findFirstOrThrow();
    const change = { nameVi: entry.nameVi, nameEn: entry.nameEn, descriptionVi: entry.descriptionVi, descriptionEn: entry.descriptionEn, services: entry.services, groups: entry.groups, provinces: entry.provinces, national: entry.national, phone: '111', website: null, active: true };
    expect((await supervisor.request('PUT', `/console/api/directory/${entry.id}`, change, { csrf: false })).status).toBe(403);
    expect((await supervisor.request('PUT', `/console/api/directory/${entry.id}`, change, { headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await supervisor.request('PUT', `/console/api/directory/${entry.id}`, change)).status).toBe(200);
    expect((await app.database.prisma.serviceEntry.findUniqueOrThrow({ where: { id: entry.id } })).phone).toBe('111');
    const bad = await supervisor.json<{ error: { code: string } }>('PUT', `/console/api/directory/${entry.id}`, { ...change, phone: 'call me<script>' });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'BAD_INPUT' } } });
  });

  it('lets admins create and disable accounts; a disabled account loses its sessions at once', async () => {
    const admin = new ConsoleClient(base);
    await admin.login(ADMIN.email, ADMIN.password);
    const created = await admin.json<{ id: string }>('POST', '/console/api/staff', { email: 'new@111.vn', displayName: 'New', role: 'counsellor', password: 'a-long-enough-password' });
    expect(created.status).toBe(201);
    const user = new ConsoleClient(base);
    await user.login('new@111.vn', 'a-long-enough-password');
    expect((await user.request('GET', '/console/api/queue')).status).toBe(200);
    expect((await admin.request('POST', `/console/api/staff/${created.body.id}/disabled`, { disabled: true })).status).toBe(200);
    expect((await user.request('GET', '/console/api/queue')).status).toBe(401);
    expect((await user.login('new@111.vn', 'a-long-enough-password')).status).toBe(401);
  });

  it('changes a password: the old one stops working', async () => {
    const c = await account('pw@111.vn', 'counsellor');
    expect((await c.request('POST', '/console/api/password', { current: 'wrong-current-pass', next: 'another-long-password' })).status).toBe(403);
    expect((await c.request('POST', '/console/api/password', { current: 'a-long-enough-password', next: 'another-long-password' })).status).toBe(200);
    expect((await new ConsoleClient(base).login('pw@111.vn', 'a-long-enough-password')).status).toBe(401);
    expect((await new ConsoleClient(base).login('pw@111.vn', 'another-long-password')).status).toBe(200);
  });

  it('audits transcript and report reads; supervisors set a status the reporter sees through the follow-up code', async () => {
    // A user files a report through the bot.
    const u = driver(app, 'reporter');
    await u.text('hi');
    await u.choose('lang.en');
    await u.choose('report');
    await u.choose('cat.forced_labour');
    const pick = await u.text('Ha Noi');
    if (pick.choices.some((c) => c.id === 'prov.ha-noi')) await u.choose('prov.ha-noi');
    await u.choose('no');
    const done = await u.choose('report.send');
    // More details after saving, each saved at once.
    await u.choose('report.more');
    await u.choose('when.week');
    await u.choose('count.few');
    await u.choose('age.both');
    await u.choose('gender.mixed');
    await u.text('a broker called Minh');
    await u.choose('via.telegram');
    await u.text('none');
    await u.choose('consent.no');
    const match = done.texts[0]!.match(/(HT-[2-9A-Z]{4}-[2-9A-Z]{4})\n[^\n]*?([2-9A-Z]{4}-[2-9A-Z]{4})/);
    expect(match).not.toBeNull();
    const [, reference, code] = match! as unknown as [string, string, string];
    const report = await app.database.prisma.report.findUniqueOrThrow({ where: { referenceCode: reference } });

    const supervisor = await account('s2@111.vn', 'supervisor');
    const read = await supervisor.json<{ body: { suspects: string } }>('GET', `/console/api/reports/${report.id}`);
    expect(read.body.body.suspects).toBe('a broker called Minh');
    expect(await app.database.prisma.auditLog.count({ where: { action: 'report.read', subjectId: report.id } })).toBe(1);
    const referral = await supervisor.request('GET', `/console/reports/${report.id}/referral?lang=en`);
    expect(await referral.text()).toContain(reference);
    expect((await supervisor.request('POST', `/console/api/reports/${report.id}/status`, { status: 'referred' })).status).toBe(200);

    // The reporter checks with both codes, from another channel.
    const other = driver(app, 'reporter-later', 'other');
    await other.text('hi');
    await other.choose('lang.en');
    await other.choose('report');
    await other.choose('report.followUp');
    await other.text(reference);
    const status = await other.text(code);
    expect(status.texts.join('\n').toLowerCase()).toContain('passed to the police or local authorities');

    // Transcript reads are audited too.
    await app.runtime.handleTurn(textFrom('needs-help', 'hi'));
    const sos = await app.runtime.handleTurn(textFrom('needs-help', 'help me'));
    await supervisor.request('GET', `/console/api/handoffs/${sos.handoffId}`);
    expect(await app.database.prisma.auditLog.count({ where: { action: 'transcript.read', subjectId: sos.conversationId } })).toBe(1);

    // Typing: only the holder; the test channel has no typing indicator, and says so.
    const holder = await account('c9@111.vn', 'counsellor');
    expect((await holder.request('POST', `/console/api/handoffs/${sos.handoffId}/typing`, {})).status).toBe(403);
    expect((await holder.request('POST', `/console/api/handoffs/${sos.handoffId}/claim`, {})).status).toBe(200);
    expect(await holder.json('POST', `/console/api/handoffs/${sos.handoffId}/typing`, {})).toEqual({ status: 200, body: { supported: false } });

    // The holder files a report for the user; only supervisors can read it back.
    const filed = await holder.json<{ referenceCode: string; followUpCode: string; id: string }>('POST', `/console/api/handoffs/${sos.handoffId}/report`, { category: 'scam_compound', province: 'an-giang', evidence: 'told over chat', inDanger: true });
    expect(filed.status).toBe(201);
    expect(filed.body.referenceCode).toMatch(/^HT-/);
    expect((await holder.request('GET', `/console/api/reports/${filed.body.id}`)).status).toBe(403);
    expect((await supervisor.json<{ body: { evidence: string } }>('GET', `/console/api/reports/${filed.body.id}`)).body.body.evidence).toBe('told over chat');
  });

  it('exports dashboard figures as CSV without message text or pseudonyms', async () => {
    const supervisor = await account('s3@111.vn', 'supervisor');
    const figures = await supervisor.json<{ days: unknown[]; escalations: Record<string, number> }>('GET', '/console/api/dashboard');
    expect(figures.status).toBe(200);
    expect(figures.body.days.length).toBeGreaterThan(0);
    const csv = await (await supervisor.request('GET', '/console/api/dashboard.csv')).text();
    expect(csv.split('\n')[0]).toBe('day,channel,contacts,information_or_report,advice,wrapped_information,wrapped_report,wrapped_advice,follow_up_needed,survey_yes,survey_partly,survey_no');
    expect(csv).not.toMatch(/help me|broker|Minh/);
    const hashes = (await app.database.prisma.channelIdentity.findMany({ select: { userHash: true } })).map((i) => i.userHash);
    for (const h of hashes) expect(csv).not.toContain(h);
  });
});
