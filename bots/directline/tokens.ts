/**
 * Direct Line tokens: short-lived, scoped to one conversation, signed with the app's token key
 * (HMAC-SHA256 over the payload; node:crypto). Nothing is stored; a token for conversation A never
 * opens conversation B.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../core/errors.js';

export const TOKEN_SECONDS = 30 * 60;

interface Payload {
  /** Direct Line conversation id. */
  c: string;
  /** Expiry, seconds since the epoch. */
  x: number;
  /** The language the page asked for (the welcome's, before anything is stored). */
  l?: string;
}

export interface TokenClaims {
  conversationId: string;
  locale?: string;
}

const sign = (key: Buffer, body: string) => createHmac('sha256', key).update(`directline:${body}`).digest('base64url');

export function newConversationId(): string {
  return `dl-${randomBytes(18).toString('base64url')}`;
}

export function issueToken(key: Buffer, conversationId: string, now: Date, locale?: string): { token: string; expires_in: number } {
  const payload: Payload = { c: conversationId, x: Math.floor(now.getTime() / 1000) + TOKEN_SECONDS, ...(locale ? { l: locale.slice(0, 35) } : {}) };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return { token: `${body}.${sign(key, body)}`, expires_in: TOKEN_SECONDS };
}

/** The conversation a valid, unexpired token opens; 403 otherwise. */
export function verifyToken(key: Buffer, token: string | undefined, now: Date): string {
  return verifyTokenClaims(key, token, now).conversationId;
}

/** The conversation (and page language) of a valid, unexpired token; 403 otherwise. */
export function verifyTokenClaims(key: Buffer, token: string | undefined, now: Date): TokenClaims {
  const refuse = () => new AppError('FORBIDDEN', 'missing, invalid or expired token', 403);
  if (!token) throw refuse();
  const [body, mac, extra] = token.split('.');
  if (!body || !mac || extra !== undefined) throw refuse();
  const expected = Buffer.from(sign(key, body));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw refuse();
  let payload: Payload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
  } catch {
    throw refuse();
  }
  if (typeof payload.c !== 'string' || typeof payload.x !== 'number' || payload.x * 1000 <= now.getTime()) throw refuse();
  return { conversationId: payload.c, ...(typeof payload.l === 'string' ? { locale: payload.l } : {}) };
}

export function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}
