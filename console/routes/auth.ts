/** Log in and out, who am I, password change, and (admins) staff accounts. */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ReportKeys } from '../../core/reports/crypto.js';
import type { Db } from '../../core/db/client.js';
import { AppError } from '../../core/errors.js';
import type { EventBus } from '../../core/events/bus.js';
import { clearAttempts, countAttempt } from '../../core/reports/rate-limit.js';
import { deviceFor, DEVICE_COOKIE, DEVICE_DAYS, issueDeviceCookie } from '../auth/device.js';
import { checkTotp, hashRecoveryCode, newRecoveryCodes, newTotpSecret, openTotpSecret, sealTotpSecret, totpUri } from '../auth/totp.js';
import { audit } from '../audit.js';
import { DUMMY_HASH, hashPassword, PASSWORD_RULE, verifyPassword } from '../auth/passwords.js';
import { createSession, endSession, SESSION_COOKIE, SESSION_HOURS } from '../auth/sessions.js';
import { staffOf, type makeGuard } from '../auth/guard.js';

/** Login attempts allowed per account (or per known device) per 15 minutes; service-wide attempts per minute before logins slow down. */
export const LOGIN_LIMITS = { account: { max: 5, seconds: 900 }, service: { max: 100, seconds: 60 } };
/** The longest a login is slowed while the service-wide signal is up. */
export const MAX_LOGIN_DELAY_MS = 10_000;

const loginBody = z.object({
  email: z.string().trim().toLowerCase().email().max(200),
  password: z.string().min(1).max(PASSWORD_RULE.max),
  /** A 6-digit authenticator code, or a recovery code. */
  code: z.string().trim().min(1).max(40).optional(),
});
const passwordBody = z.object({ current: z.string().min(1).max(PASSWORD_RULE.max), next: z.string().min(PASSWORD_RULE.min).max(PASSWORD_RULE.max) });
const staffBody = z.object({
  email: z.string().trim().toLowerCase().email().max(200),
  displayName: z.string().trim().min(1).max(100),
  role: z.enum(['counsellor', 'supervisor', 'admin']),
  password: z.string().min(PASSWORD_RULE.min).max(PASSWORD_RULE.max),
  locale: z.enum(['vi', 'en']).default('vi'),
});
const ROLES = ['counsellor', 'supervisor', 'admin'] as const;

const accountKey = (email: string) => `login:${createHash('sha256').update(email).digest('base64url')}`;
const deviceKey = (device: string) => `login:device:${device}`;
const SERVICE_KEY = 'login:service';

/**
 * How long a login waits once service-wide attempts pass `max` in the window: doubling every quarter
 * of `max` more attempts, from 100 ms up to MAX_LOGIN_DELAY_MS. Logins are slowed, never refused.
 */
export function loginDelayMs(attempts: number, max: number): number {
  if (attempts <= max) return 0;
  const steps = Math.floor((attempts - max - 1) / Math.max(1, Math.floor(max / 4)));
  return Math.min(MAX_LOGIN_DELAY_MS, 100 * 2 ** Math.min(steps, 10));
}

export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('BAD_INPUT', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), 400);
  return parsed.data;
}

export interface AuthDeps {
  db: Db;
  guard: ReturnType<typeof makeGuard>;
  secureCookies: boolean;
  /** Signs device cookies. */
  tokenKey: Buffer;
  /** Seals TOTP secrets. */
  encryptionKey: ReportKeys;
  bus: EventBus;
  /** Service-wide login attempts per minute before logins slow down and supervisors are alerted. */
  alertPerMinute: number;
  logger?: FastifyBaseLogger;
}

export async function totpRequiredFor(db: Db, role: (typeof ROLES)[number]): Promise<boolean> {
  return (await db.rolePolicy.findUnique({ where: { role } }))?.totpRequired ?? false;
}

export function authRoutes(server: FastifyInstance, deps: AuthDeps): void {
  const { db, guard } = deps;
  const service = { max: deps.alertPerMinute, seconds: LOGIN_LIMITS.service.seconds };
  const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, secure: deps.secureCookies, path: '/console' };

  server.post('/console/api/login', async (request, reply) => {
    const { email, password, code } = parse(loginBody, request.body);
    const now = new Date();
    // Counted BEFORE anything is verified (one atomic statement), so parallel guesses cannot all be
    // evaluated. A browser that logged in to this account before counts against its own device.
    const device = deviceFor(deps.tokenKey, request.cookies[DEVICE_COOKIE], email, now);
    const limitKey = device ? deviceKey(device) : accountKey(email);
    if ((await countAttempt(db, limitKey, LOGIN_LIMITS.account, now)) > LOGIN_LIMITS.account.max) {
      throw new AppError('RATE_LIMITED', 'too many failed logins; wait 15 minutes', 429);
    }
    const serviceAttempts = await countAttempt(db, SERVICE_KEY, service, now);
    if (serviceAttempts > service.max) {
      if (serviceAttempts === service.max + 1) {
        deps.logger?.warn({ code: 'LOGIN_PRESSURE', attempts: serviceAttempts }, 'console: many logins service-wide; slowing logins down');
        deps.bus.publish({ type: 'security.login_pressure', attempts: serviceAttempts, windowSeconds: service.seconds });
        await audit(db, { actorId: null, action: 'login.pressure', subjectType: 'staff', detail: { attempts: serviceAttempts, windowSeconds: service.seconds } });
      }
      await sleep(loginDelayMs(serviceAttempts, service.max));
    }
    const user = await db.staffUser.findUnique({ where: { email } });
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || user.disabled) {
      // Same answer for an unknown email, a wrong password and a disabled account.
      throw new AppError('UNAUTHORIZED', 'wrong email or password, or the account is disabled', 401);
    }
    if (user.totpEnabledAt && user.totpSecret) {
      if (!code) throw new AppError('TOTP_REQUIRED', 'enter the 6-digit code from your authenticator app, or a recovery code', 401);
      if (/^\d{6}$/.test(code)) {
        const step = await checkTotp(openTotpSecret(deps.encryptionKey, user.id, user.totpSecret), code, user.totpLastStep);
        if (step === null) throw new AppError('TOTP_INVALID', 'the code is wrong or was already used', 401);
        // Only one login may use a step (compare-and-set against a concurrent one with the same code).
        const { count } = await db.staffUser.updateMany({ where: { id: user.id, totpLastStep: user.totpLastStep }, data: { totpLastStep: step } });
        if (count !== 1) throw new AppError('TOTP_INVALID', 'the code is wrong or was already used', 401);
      } else {
        const hash = hashRecoveryCode(code);
        if (!user.recoveryCodeHashes.includes(hash)) throw new AppError('TOTP_INVALID', 'the code is wrong or was already used', 401);
        const remaining = user.recoveryCodeHashes.filter((h) => h !== hash);
        const { count } = await db.staffUser.updateMany({ where: { id: user.id, recoveryCodeHashes: { has: hash } }, data: { recoveryCodeHashes: remaining } });
        if (count !== 1) throw new AppError('TOTP_INVALID', 'the code is wrong or was already used', 401);
        await audit(db, { actorId: user.id, action: 'login.recovery_code', subjectType: 'staff', subjectId: user.id, detail: { remaining: remaining.length } });
      }
    }
    await clearAttempts(db, limitKey);
    const enrolOnly = !user.totpEnabledAt && (await totpRequiredFor(db, user.role));
    const session = await createSession(db, user.id, now, { enrolOnly });
    await db.staffUser.update({ where: { id: user.id }, data: { lastLoginAt: now } });
    await audit(db, { actorId: user.id, action: 'login', subjectType: 'staff', subjectId: user.id });
    reply.setCookie(SESSION_COOKIE, session.token, { ...cookieOptions, maxAge: SESSION_HOURS * 3600 });
    reply.setCookie(DEVICE_COOKIE, issueDeviceCookie(deps.tokenKey, email, now), { ...cookieOptions, path: '/console/api/login', maxAge: DEVICE_DAYS * 86400 });
    return { id: user.id, email: user.email, displayName: user.displayName, role: user.role, locale: user.locale, csrfToken: session.csrfToken, totpEnabled: !!user.totpEnabledAt, mustEnrolTotp: enrolOnly };
  });

  // ---- the second factor: enrolment, recovery, and what admins require ----
  server.post('/console/api/totp/setup', { preHandler: guard('counsellor', { enrolment: true }) }, async (request) => {
    const staff = staffOf(request);
    const user = await db.staffUser.findUniqueOrThrow({ where: { id: staff.id } });
    if (user.totpEnabledAt) throw new AppError('CONFLICT', 'the authenticator is already set up; an admin can reset it', 409);
    const secret = newTotpSecret();
    await db.staffUser.update({ where: { id: staff.id }, data: { totpSecret: sealTotpSecret(deps.encryptionKey, staff.id, secret), totpLastStep: null } });
    return { secret, uri: totpUri(secret, user.email) };
  });

  server.post('/console/api/totp/enable', { preHandler: guard('counsellor', { enrolment: true }) }, async (request) => {
    const staff = staffOf(request);
    const { code } = parse(z.object({ code: z.string().trim().regex(/^\d{6}$/, 'six digits') }), request.body);
    const user = await db.staffUser.findUniqueOrThrow({ where: { id: staff.id } });
    if (user.totpEnabledAt) throw new AppError('CONFLICT', 'the authenticator is already set up', 409);
    if (!user.totpSecret) throw new AppError('BAD_INPUT', 'start the set-up first', 400);
    const step = await checkTotp(openTotpSecret(deps.encryptionKey, user.id, user.totpSecret), code, null);
    if (step === null) throw new AppError('TOTP_INVALID', 'the code is wrong; check the time on your phone', 400);
    const recovery = newRecoveryCodes();
    await db.$transaction(async (tx) => {
      await tx.staffUser.update({ where: { id: user.id }, data: { totpEnabledAt: new Date(), totpLastStep: step, recoveryCodeHashes: recovery.hashes } });
      await tx.staffSession.updateMany({ where: { userId: user.id }, data: { enrolOnly: false } });
      await audit(tx, { actorId: user.id, action: 'totp.enable', subjectType: 'staff', subjectId: user.id });
    });
    // Shown once: only their hashes are kept.
    return { recoveryCodes: recovery.codes };
  });

  server.post<{ Params: { id: string } }>('/console/api/staff/:id/totp/reset', { preHandler: guard('admin') }, async (request) => {
    const staff = staffOf(request);
    const { id } = parse(z.object({ id: z.string().uuid() }), request.params);
    const user = await db.staffUser.findUnique({ where: { id } });
    if (!user) throw new AppError('NOT_FOUND', 'no such account', 404);
    await db.$transaction(async (tx) => {
      await tx.staffUser.update({ where: { id }, data: { totpSecret: null, totpEnabledAt: null, totpLastStep: null, recoveryCodeHashes: [] } });
      await tx.staffSession.deleteMany({ where: { userId: id } });
      await audit(tx, { actorId: staff.id, action: 'totp.reset', subjectType: 'staff', subjectId: id });
    });
    deps.bus.publish({ type: 'staff.sessions_ended', userId: id });
    return { ok: true };
  });

  server.get('/console/api/policy', { preHandler: guard('admin') }, async () => {
    const rows = await db.rolePolicy.findMany();
    return { totpRequired: Object.fromEntries(ROLES.map((role) => [role, rows.find((r) => r.role === role)?.totpRequired ?? false])) };
  });

  server.put('/console/api/policy/totp', { preHandler: guard('admin') }, async (request) => {
    const staff = staffOf(request);
    const { role, required } = parse(z.object({ role: z.enum(ROLES), required: z.boolean() }), request.body);
    await db.rolePolicy.upsert({ where: { role }, create: { role, totpRequired: required }, update: { totpRequired: required } });
    await audit(db, { actorId: staff.id, action: 'policy.totp', subjectType: 'staff', detail: { role, required } });
    return { role, required };
  });

  server.post('/console/api/logout', { preHandler: guard('counsellor', { enrolment: true }) }, async (request, reply) => {
    const staff = staffOf(request);
    await endSession(db, staff.sessionId);
    deps.bus.publish({ type: 'staff.sessions_ended', userId: staff.id, sessionId: staff.sessionId });
    reply.clearCookie(SESSION_COOKIE, { path: '/console' });
    return { ok: true };
  });

  server.get('/console/api/me', { preHandler: guard('counsellor', { enrolment: true }) }, async (request) => {
    const { id, email, displayName, role, locale, csrfToken, enrolOnly } = staffOf(request);
    const user = await db.staffUser.findUniqueOrThrow({ where: { id }, select: { totpEnabledAt: true, alias: true } });
    return { id, email, displayName, role, locale, csrfToken, totpEnabled: !!user.totpEnabledAt, mustEnrolTotp: enrolOnly, alias: user.alias };
  });

  server.post('/console/api/password', { preHandler: guard() }, async (request) => {
    const staff = staffOf(request);
    const { current, next } = parse(passwordBody, request.body);
    const user = await db.staffUser.findUniqueOrThrow({ where: { id: staff.id } });
    if (!(await verifyPassword(current, user.passwordHash))) throw new AppError('FORBIDDEN', 'the current password is wrong', 403);
    await db.staffUser.update({ where: { id: staff.id }, data: { passwordHash: await hashPassword(next) } });
    // Every other session of this account ends.
    await db.staffSession.deleteMany({ where: { userId: staff.id, id: { not: staff.sessionId } } });
    deps.bus.publish({ type: 'staff.sessions_ended', userId: staff.id, exceptSessionId: staff.sessionId });
    await audit(db, { actorId: staff.id, action: 'password.change', subjectType: 'staff', subjectId: staff.id });
    return { ok: true };
  });

  server.get('/console/api/staff', { preHandler: guard('counsellor') }, async () =>
    db.staffUser.findMany({ orderBy: { email: 'asc' }, select: { id: true, email: true, displayName: true, role: true, disabled: true, lastLoginAt: true, totpEnabledAt: true, alias: true } }),
  );

  server.post('/console/api/staff', { preHandler: guard('admin') }, async (request, reply) => {
    const staff = staffOf(request);
    const input = parse(staffBody, request.body);
    if (await db.staffUser.findUnique({ where: { email: input.email } })) throw new AppError('CONFLICT', 'an account with this email exists', 409);
    const user = await db.staffUser.create({
      data: { email: input.email, displayName: input.displayName, role: input.role, locale: input.locale, passwordHash: await hashPassword(input.password) },
      select: { id: true, email: true, displayName: true, role: true, disabled: true },
    });
    await audit(db, { actorId: staff.id, action: 'staff.create', subjectType: 'staff', subjectId: user.id, detail: { role: input.role } });
    return reply.status(201).send(user);
  });

  server.post<{ Params: { id: string }; Body: { disabled?: unknown } }>('/console/api/staff/:id/disabled', { preHandler: guard('admin') }, async (request) => {
    const staff = staffOf(request);
    const { disabled } = parse(z.object({ disabled: z.boolean() }), request.body);
    if (request.params.id === staff.id) throw new AppError('BAD_INPUT', 'you cannot disable your own account', 400);
    const user = await db.staffUser.findUnique({ where: { id: request.params.id } });
    if (!user) throw new AppError('NOT_FOUND', 'no such account', 404);
    await db.staffUser.update({ where: { id: user.id }, data: { disabled } });
    if (disabled) {
      await db.staffSession.deleteMany({ where: { userId: user.id } });
      deps.bus.publish({ type: 'staff.sessions_ended', userId: user.id });
    }
    await audit(db, { actorId: staff.id, action: disabled ? 'staff.disable' : 'staff.enable', subjectType: 'staff', subjectId: user.id });
    return { id: user.id, disabled };
  });
}

/** The first admin from CONSOLE_ADMIN_EMAIL + CONSOLE_ADMIN_PASSWORD (created once; never overwritten). */
export async function bootstrapAdmin(db: Db, email: string | undefined, password: string | undefined): Promise<boolean> {
  if (!email || !password) return false;
  const normalized = email.trim().toLowerCase();
  if (await db.staffUser.findUnique({ where: { email: normalized } })) return false;
  // Instances starting together on one database race here: the loser finds the account made.
  const { count } = await db.staffUser.createMany({
    data: [{ email: normalized, displayName: 'Admin', role: 'admin', passwordHash: await hashPassword(password) }],
    skipDuplicates: true,
  });
  return count === 1;
}
