/**
 * Console sessions and route guards against a real database (no HTTP server): sessions expire and
 * end, disabled accounts have none; the guard checks the session, the role, enrolment, and for
 * every mutation the CSRF token and the Origin.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atLeast, makeGuard, sameOrigin, staffOf, type Role } from '../../../console/auth/guard.js';
import { createSession, endSession, SESSION_COOKIE, SESSION_HOURS, sessionFor, type StaffIdentity } from '../../../console/auth/sessions.js';
import type { Database, Db } from '../../../core/db/client.js';
import { createFastTestDatabase } from '../../helpers/cached-db.js';

let database: Database;
let db: Db;
beforeAll(async () => {
  database = await createFastTestDatabase();
  db = database.prisma;
}, 120_000);
afterAll(async () => {
  await database?.close();
});

let n = 0;
const user = (role: Role, extra: { disabled?: boolean } = {}) =>
  db.staffUser.create({ data: { email: `u${n++}@111.vn`, displayName: `User ${n}`, role, passwordHash: 'x', locale: 'en', ...extra } });
const T0 = new Date('2026-05-01T10:00:00Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3600_000);

describe('sessions', () => {
  it('live 12 hours; the database keeps only a digest of the token', async () => {
    expect(SESSION_COOKIE).toBe('hotline_console');
    expect(SESSION_HOURS).toBe(12);
    const u = await user('supervisor');
    const s = await createSession(db, u.id, T0);
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.csrfToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(s.expiresAt).toEqual(hours(12));
    const row = await db.staffSession.findFirstOrThrow({ where: { userId: u.id } });
    expect(row.id).toBe(createHash('sha256').update(s.token).digest('hex'));
    expect(row.id).not.toContain(s.token);
    expect(row).toMatchObject({ csrfToken: s.csrfToken, expiresAt: hours(12), createdAt: T0, enrolOnly: false });

    const me = await sessionFor(db, s.token, hours(1));
    expect(me).toEqual({ id: u.id, email: u.email, displayName: u.displayName, role: 'supervisor', locale: 'en', csrfToken: s.csrfToken, sessionId: row.id, enrolOnly: false });
    expect(await sessionFor(db, s.token, new Date(hours(12).getTime() - 1))).not.toBeNull();
    expect(await sessionFor(db, s.token, hours(12))).toBeNull();
    expect(await sessionFor(db, s.token, hours(13))).toBeNull();
  });

  it('are unique per login, end on logout (that one only), and vanish for disabled accounts', async () => {
    const u = await user('counsellor');
    const a = await createSession(db, u.id, T0);
    const b = await createSession(db, u.id, T0);
    expect(a.token).not.toBe(b.token);
    expect(a.csrfToken).not.toBe(b.csrfToken);
    const sa = (await sessionFor(db, a.token, T0))!;
    await endSession(db, sa.sessionId);
    expect(await sessionFor(db, a.token, T0)).toBeNull();
    expect(await sessionFor(db, b.token, T0)).not.toBeNull();
    await db.staffUser.update({ where: { id: u.id }, data: { disabled: true } });
    expect(await sessionFor(db, b.token, T0)).toBeNull();
  });

  it('refuse a missing, unknown or oversized token, and carry the enrol-only mark', async () => {
    const u = await user('admin');
    expect(await sessionFor(db, undefined, T0)).toBeNull();
    expect(await sessionFor(db, '', T0)).toBeNull();
    expect(await sessionFor(db, 'x'.repeat(43), T0)).toBeNull();
    const s = await createSession(db, u.id, T0, { enrolOnly: true });
    expect((await sessionFor(db, s.token, T0))!.enrolOnly).toBe(true);
    // A token is looked up by its digest: a 101-character one is refused before any lookup.
    const long = 'y'.repeat(101);
    await db.staffSession.create({ data: { id: createHash('sha256').update(long).digest('hex'), userId: u.id, csrfToken: 'c', expiresAt: hours(1) } });
    expect(await sessionFor(db, long, T0)).toBeNull();
    const hundred = 'z'.repeat(100);
    await db.staffSession.create({ data: { id: createHash('sha256').update(hundred).digest('hex'), userId: u.id, csrfToken: 'c', expiresAt: hours(1) } });
    expect(await sessionFor(db, hundred, T0)).not.toBeNull();
  });
});

describe('roles', () => {
  it('rank counsellor < supervisor < admin', () => {
    const who = (role: Role) => ({ role }) as StaffIdentity;
    expect(atLeast(who('counsellor'), 'counsellor')).toBe(true);
    expect(atLeast(who('counsellor'), 'supervisor')).toBe(false);
    expect(atLeast(who('counsellor'), 'admin')).toBe(false);
    expect(atLeast(who('supervisor'), 'counsellor')).toBe(true);
    expect(atLeast(who('supervisor'), 'supervisor')).toBe(true);
    expect(atLeast(who('supervisor'), 'admin')).toBe(false);
    expect(atLeast(who('admin'), 'counsellor')).toBe(true);
    expect(atLeast(who('admin'), 'supervisor')).toBe(true);
    expect(atLeast(who('admin'), 'admin')).toBe(true);
  });
});

describe('same origin', () => {
  it('is the browser Origin naming this host (and port)', () => {
    expect(sameOrigin('https://console.111.vn', 'console.111.vn')).toBe(true);
    expect(sameOrigin('http://127.0.0.1:8080', '127.0.0.1:8080')).toBe(true);
    expect(sameOrigin('http://127.0.0.1:8081', '127.0.0.1:8080')).toBe(false);
    expect(sameOrigin('https://evil.example', 'console.111.vn')).toBe(false);
    expect(sameOrigin('null', 'console.111.vn')).toBe(false);
    expect(sameOrigin('not a url', 'console.111.vn')).toBe(false);
    expect(sameOrigin('https://console.111.vn', undefined)).toBe(false);
    expect(sameOrigin('https://console.111.vn', '')).toBe(false);
  });
});

describe('the route guard', () => {
  const guard = () => makeGuard(db);
  const request = (token: string | undefined, method = 'GET', headers: Record<string, string> = {}) =>
    ({ cookies: token === undefined ? {} : { [SESSION_COOKIE]: token }, method, headers: { host: 'console.111.vn', ...headers } }) as unknown as FastifyRequest;
  const reply = {} as FastifyReply;
  const run = async (role: Role | undefined, req: FastifyRequest, options?: { enrolment?: boolean }) => {
    try {
      await guard()(role, options)(req, reply);
      return 'ok';
    } catch (e) {
      const err = e as { code: string; httpStatus: number; message: string };
      return `${err.httpStatus} ${err.code}: ${err.message}`;
    }
  };
  const login = async (role: Role, enrolOnly = false) => {
    const u = await user(role);
    const s = await createSession(db, u.id, new Date(), { enrolOnly });
    return { ...s, userId: u.id };
  };

  it('needs a live session', async () => {
    expect(await run('counsellor', request(undefined))).toBe('401 UNAUTHORIZED: log in first');
    expect(await run('counsellor', request('not-a-session'))).toBe('401 UNAUTHORIZED: log in first');
    const u = await user('counsellor');
    const expired = await createSession(db, u.id, hours(-13));
    expect(await run('counsellor', request(expired.token))).toBe('401 UNAUTHORIZED: log in first');
    const s = await login('counsellor');
    const req = request(s.token);
    expect(await run(undefined, req)).toBe('ok');
    expect(staffOf(req).id).toBe(s.userId);
    expect(staffOf(req).csrfToken).toBe(s.csrfToken);
  });

  it('staffOf refuses a request that passed no guard', () => {
    expect(() => staffOf(request(undefined))).toThrow('log in first');
  });

  it('checks the role', async () => {
    const c = await login('counsellor');
    const sup = await login('supervisor');
    const admin = await login('admin');
    expect(await run('supervisor', request(c.token))).toBe('403 FORBIDDEN: this needs the supervisor role');
    expect(await run('admin', request(sup.token))).toBe('403 FORBIDDEN: this needs the admin role');
    expect(await run('supervisor', request(sup.token))).toBe('ok');
    expect(await run('admin', request(admin.token))).toBe('ok');
    // The default is counsellor: any role passes.
    expect(await run(undefined, request(c.token))).toBe('ok');
  });

  it('lets an enrol-only session reach only the enrolment routes', async () => {
    const s = await login('admin', true);
    expect(await run('counsellor', request(s.token))).toBe('403 TOTP_ENROLMENT_REQUIRED: set up your authenticator app first');
    expect(await run('counsellor', request(s.token), {})).toMatch(/^403 TOTP_ENROLMENT_REQUIRED/);
    expect(await run('counsellor', request(s.token), { enrolment: true })).toBe('ok');
    expect(await run('counsellor', request(s.token, 'POST', { 'x-csrf-token': s.csrfToken }), { enrolment: true })).toBe('ok');
    const full = await login('admin');
    expect(await run('counsellor', request(full.token), { enrolment: true })).toBe('ok');
  });

  it('needs the session CSRF token on every mutation, and only on mutations', async () => {
    const s = await login('supervisor');
    const other = await login('supervisor');
    for (const method of ['GET', 'HEAD', 'OPTIONS']) expect(await run('counsellor', request(s.token, method)), method).toBe('ok');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(await run('counsellor', request(s.token, method)), method).toBe('403 FORBIDDEN: missing or wrong CSRF token');
      expect(await run('counsellor', request(s.token, method, { 'x-csrf-token': s.csrfToken })), method).toBe('ok');
    }
    expect(await run('counsellor', request(s.token, 'POST', { 'x-csrf-token': other.csrfToken }))).toBe('403 FORBIDDEN: missing or wrong CSRF token');
    expect(await run('counsellor', request(s.token, 'POST', { 'x-csrf-token': 'x' }))).toBe('403 FORBIDDEN: missing or wrong CSRF token');
    expect(await run('counsellor', request(s.token, 'POST', { 'x-csrf-token': '' }))).toBe('403 FORBIDDEN: missing or wrong CSRF token');
    expect(await run('counsellor', request(s.token, 'POST', { 'x-csrf-token': `${s.csrfToken}x` }))).toBe('403 FORBIDDEN: missing or wrong CSRF token');
    const repeated = { cookies: { [SESSION_COOKIE]: s.token }, method: 'POST', headers: { host: 'console.111.vn', 'x-csrf-token': [s.csrfToken, s.csrfToken] } } as unknown as FastifyRequest;
    expect(await run('counsellor', repeated)).toBe('403 FORBIDDEN: missing or wrong CSRF token');
  });

  it('refuses a mutation from another origin, allows same-origin or no Origin', async () => {
    const s = await login('counsellor');
    const post = (origin?: string) => request(s.token, 'POST', { 'x-csrf-token': s.csrfToken, ...(origin !== undefined ? { origin } : {}) });
    expect(await run('counsellor', post('https://evil.example'))).toBe('403 FORBIDDEN: cross-origin request refused');
    expect(await run('counsellor', post('null'))).toBe('403 FORBIDDEN: cross-origin request refused');
    expect(await run('counsellor', post('https://console.111.vn'))).toBe('ok');
    expect(await run('counsellor', post())).toBe('ok');
    // Reads are not checked for Origin.
    expect(await run('counsellor', request(s.token, 'GET', { origin: 'https://evil.example' }))).toBe('ok');
  });
});
