/**
 * The device cookie: after a successful login the browser gets a signed, HttpOnly cookie naming
 * the account (by a hash of its email) and an expiry. Nothing is stored. A login from that browser
 * counts its failures against the device, not the account, so someone guessing at an address
 * from elsewhere cannot lock its owner out.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const DEVICE_COOKIE = 'hotline_device';
export const DEVICE_DAYS = 30;

interface DevicePayload {
  /** SHA-256 of the normalised email. */
  a: string;
  /** Random id of this device (its own failure counter). */
  d: string;
  /** Expiry, seconds since the epoch. */
  x: number;
}

export const emailDigest = (email: string) => createHash('sha256').update(email).digest('base64url');
const sign = (key: Buffer, body: string) => createHmac('sha256', key).update(`device:${body}`).digest('base64url');

export function issueDeviceCookie(key: Buffer, email: string, now: Date): string {
  const body = Buffer.from(JSON.stringify({ a: emailDigest(email), d: randomBytes(12).toString('base64url'), x: Math.floor(now.getTime() / 1000) + DEVICE_DAYS * 86400 } satisfies DevicePayload)).toString('base64url');
  return `${body}.${sign(key, body)}`;
}

/** The device id when the cookie is genuine, unexpired and for this email; otherwise null. */
export function deviceFor(key: Buffer, cookie: string | undefined, email: string, now: Date): string | null {
  if (!cookie || cookie.length > 400) return null;
  const [body, mac, extra] = cookie.split('.');
  if (!body || !mac || extra !== undefined) return null;
  const expected = Buffer.from(sign(key, body));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as DevicePayload;
    if (payload.a !== emailDigest(email) || typeof payload.d !== 'string' || typeof payload.x !== 'number' || payload.x * 1000 <= now.getTime()) return null;
    return payload.d;
  } catch {
    return null;
  }
}
