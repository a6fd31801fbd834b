/**
 * Route guards for the console API: a valid session (cookie), a role, and for every mutation a CSRF
 * token header matching the session's plus a same-origin check when the browser sends an Origin.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../core/db/client.js';
import { AppError } from '../../core/errors.js';
import { safeEqual } from '../../core/security/constant-time.js';
import { SESSION_COOKIE, sessionFor, type StaffIdentity } from './sessions.js';

export type Role = StaffIdentity['role'];
const RANK: Record<Role, number> = { counsellor: 1, supervisor: 2, admin: 3 };

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffIdentity;
  }
}

export function atLeast(staff: StaffIdentity, role: Role): boolean {
  return RANK[staff.role] >= RANK[role];
}

export function makeGuard(db: Db) {
  /** `enrolment`: the route is open to a session that must first enrol a second factor (me, logout, TOTP set-up). */
  return (role: Role = 'counsellor', options: { enrolment?: boolean } = {}) =>
    async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
      const staff = await sessionFor(db, request.cookies[SESSION_COOKIE], new Date());
      if (!staff) throw new AppError('UNAUTHORIZED', 'log in first', 401);
      if (staff.enrolOnly && !options.enrolment) throw new AppError('TOTP_ENROLMENT_REQUIRED', 'set up your authenticator app first', 403);
      if (!atLeast(staff, role)) throw new AppError('FORBIDDEN', `this needs the ${role} role`, 403);
      if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
        const token = request.headers['x-csrf-token'];
        if (typeof token !== 'string' || !safeEqual(token, staff.csrfToken)) throw new AppError('FORBIDDEN', 'missing or wrong CSRF token', 403);
        const origin = request.headers.origin;
        if (origin !== undefined && !sameOrigin(origin, request.headers.host)) throw new AppError('FORBIDDEN', 'cross-origin request refused', 403);
      }
      request.staff = staff;
    };
}

/** True when the browser's Origin names this host. `Origin: null` (sandboxed frames, file pages) and unparsable values are not. */
export function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function staffOf(request: FastifyRequest): StaffIdentity {
  if (!request.staff) throw new AppError('UNAUTHORIZED', 'log in first', 401);
  return request.staff;
}
