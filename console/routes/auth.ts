/** Log in and out, who am I, password change, and (admins) staff accounts. */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../core/db/client.js';
import { AppError } from '../../core/errors.js';
import { hit, isLimited } from '../../core/reports/rate-limit.js';
import { audit } from '../audit.js';
import { DUMMY_HASH, hashPassword, PASSWORD_RULE, verifyPassword } from '../auth/passwords.js';
import { createSession, endSession, SESSION_COOKIE, SESSION_HOURS } from '../auth/sessions.js';
import { staffOf, type makeGuard } from '../auth/guard.js';

/** Failed logins allowed per account per 15 minutes, and service-wide per minute. */
export const LOGIN_LIMITS = { account: { max: 5, seconds: 900 }, service: { max: 100, seconds: 60 } };

const loginBody = z.object({ email: z.string().trim().toLowerCase().email().max(200), password: z.string().min(1).max(PASSWORD_RULE.max) });
const passwordBody = z.object({ current: z.string().min(1).max(PASSWORD_RULE.max), next: z.string().min(PASSWORD_RULE.min).max(PASSWORD_RULE.max) });
const staffBody = z.object({
  email: z.string().trim().toLowerCase().email().max(200),
  displayName: z.string().trim().min(1).max(100),
  role: z.enum(['counsellor', 'supervisor', 'admin']),
  password: z.string().min(PASSWORD_RULE.min).max(PASSWORD_RULE.max),
  locale: z.enum(['vi', 'en']).default('vi'),
});

const accountKey = (email: string) => `login:${createHash('sha256').update(email).digest('base64url')}`;

export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('BAD_INPUT', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), 400);
  return parsed.data;
}

export function authRoutes(server: FastifyInstance, deps: { db: Db; guard: ReturnType<typeof makeGuard>; secureCookies: boolean }): void {
  const { db, guard } = deps;

  server.post('/console/api/login', async (request, reply) => {
    const { email, password } = parse(loginBody, request.body);
    const now = new Date();
    const limited = await db.$transaction(async (tx) => (await isLimited(tx, accountKey(email), LOGIN_LIMITS.account, now)) || (await isLimited(tx, 'login:service', LOGIN_LIMITS.service, now)));
    if (limited) throw new AppError('RATE_LIMITED', 'too many failed logins; wait 15 minutes', 429);
    const user = await db.staffUser.findUnique({ where: { email } });
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || user.disabled) {
      await db.$transaction(async (tx) => {
        await hit(tx, accountKey(email), LOGIN_LIMITS.account, now);
        await hit(tx, 'login:service', LOGIN_LIMITS.service, now);
      });
      // Same answer for an unknown email, a wrong password and a disabled account.
      throw new AppError('UNAUTHORIZED', 'wrong email or password, or the account is disabled', 401);
    }
    const session = await createSession(db, user.id, now);
    await db.staffUser.update({ where: { id: user.id }, data: { lastLoginAt: now } });
    await audit(db, { actorId: user.id, action: 'login', subjectType: 'staff', subjectId: user.id });
    reply.setCookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'strict', secure: deps.secureCookies, path: '/console', maxAge: SESSION_HOURS * 3600 });
    return { id: user.id, email: user.email, displayName: user.displayName, role: user.role, locale: user.locale, csrfToken: session.csrfToken };
  });

  server.post('/console/api/logout', { preHandler: guard() }, async (request, reply) => {
    await endSession(db, staffOf(request).sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: '/console' });
    return { ok: true };
  });

  server.get('/console/api/me', { preHandler: guard() }, async (request) => {
    const { id, email, displayName, role, locale, csrfToken } = staffOf(request);
    return { id, email, displayName, role, locale, csrfToken };
  });

  server.post('/console/api/password', { preHandler: guard() }, async (request) => {
    const staff = staffOf(request);
    const { current, next } = parse(passwordBody, request.body);
    const user = await db.staffUser.findUniqueOrThrow({ where: { id: staff.id } });
    if (!(await verifyPassword(current, user.passwordHash))) throw new AppError('FORBIDDEN', 'the current password is wrong', 403);
    await db.staffUser.update({ where: { id: staff.id }, data: { passwordHash: await hashPassword(next) } });
    // Every other session of this account ends.
    await db.staffSession.deleteMany({ where: { userId: staff.id, id: { not: staff.sessionId } } });
    await audit(db, { actorId: staff.id, action: 'password.change', subjectType: 'staff', subjectId: staff.id });
    return { ok: true };
  });

  server.get('/console/api/staff', { preHandler: guard('counsellor') }, async () =>
    db.staffUser.findMany({ orderBy: { email: 'asc' }, select: { id: true, email: true, displayName: true, role: true, disabled: true, lastLoginAt: true } }),
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
    if (disabled) await db.staffSession.deleteMany({ where: { userId: user.id } });
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
