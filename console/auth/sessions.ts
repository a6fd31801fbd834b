/**
 * Console sessions: a random token in an HttpOnly, SameSite=Strict cookie; the database keeps only
 * its SHA-256 (StaffSession.id) with a CSRF token and an expiry. Disabled accounts have no sessions.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../core/db/client.js';

export const SESSION_COOKIE = 'hotline_console';
export const SESSION_HOURS = 12;

export interface StaffIdentity {
  id: string;
  email: string;
  displayName: string;
  role: 'counsellor' | 'supervisor' | 'admin';
  locale: string;
  csrfToken: string;
  sessionId: string;
  /** The role requires a second factor this account has not enrolled: the session may only enrol. */
  enrolOnly: boolean;
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createSession(db: Db, userId: string, now: Date, options: { enrolOnly?: boolean } = {}): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
  await db.staffSession.create({ data: { id: digest(token), userId, csrfToken, expiresAt, createdAt: now, enrolOnly: options.enrolOnly ?? false } });
  return { token, csrfToken, expiresAt };
}

export async function sessionFor(db: Db, token: string | undefined, now: Date): Promise<StaffIdentity | null> {
  if (!token || token.length > 100) return null;
  const session = await db.staffSession.findUnique({ where: { id: digest(token) }, include: { user: true } });
  if (!session || session.expiresAt <= now || session.user.disabled) return null;
  const { user } = session;
  return { id: user.id, email: user.email, displayName: user.displayName, role: user.role, locale: user.locale, csrfToken: session.csrfToken, sessionId: session.id, enrolOnly: session.enrolOnly };
}

export async function endSession(db: Db, sessionId: string): Promise<void> {
  await db.staffSession.deleteMany({ where: { id: sessionId } });
}
