/**
 * Console authentication building blocks without a database: staff passwords (scrypt), the signed
 * device cookie, the TOTP second factor (time window, replay) and recovery codes.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { generate } from 'otplib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEVICE_COOKIE, DEVICE_DAYS, deviceFor, emailDigest, issueDeviceCookie } from '../../../console/auth/device.js';
import { DUMMY_HASH, hashPassword, PASSWORD_RULE, verifyPassword } from '../../../console/auth/passwords.js';
import { checkTotp, hashRecoveryCode, newRecoveryCodes, newTotpSecret, openTotpSecret, RECOVERY_CODE_COUNT, sealTotpSecret, TOTP_ISSUER, totpUri } from '../../../console/auth/totp.js';
import { parseDataKeys, sealedKeyId } from '../../../core/privacy/field-crypto.js';

describe('staff passwords', () => {
  it('are stored as a salted scrypt hash that verifies the password and refuses others', async () => {
    expect(PASSWORD_RULE).toEqual({ min: 12, max: 200 });
    const stored = await hashPassword('a-long-enough-password');
    const parts = stored.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64')).toHaveLength(32);
    expect(stored).not.toContain('a-long-enough-password');
    expect(await hashPassword('a-long-enough-password')).not.toBe(stored);
    expect(await verifyPassword('a-long-enough-password', stored)).toBe(true);
    expect(await verifyPassword('a-long-enough-passwork', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('compare Unicode the same however it was typed (NFC)', async () => {
    const composed = 'mật khẩu rất dài'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const stored = await hashPassword(decomposed);
    expect(await verifyPassword(composed, stored)).toBe(true);
  });

  it('refuse a malformed or foreign stored hash, and the dummy hash matches nothing', async () => {
    const stored = await hashPassword('a-long-enough-password');
    const parts = stored.split('$');
    for (let i = 0; i < 6; i++) {
      const broken = parts.map((p, j) => (j === i ? '' : p)).join('$');
      expect(await verifyPassword('a-long-enough-password', broken), `part ${i} empty`).toBe(false);
    }
    expect(await verifyPassword('a-long-enough-password', ['bcrypt', ...parts.slice(1)].join('$'))).toBe(false);
    expect(await verifyPassword('a-long-enough-password', parts.slice(0, 5).join('$'))).toBe(false);
    // A truncated key does not verify.
    expect(await verifyPassword('a-long-enough-password', [...parts.slice(0, 5), Buffer.from(parts[5]!, 'base64').subarray(0, 16).toString('base64')].join('$'))).toBe(false);
    // The stored parameters are the ones used.
    const [, , r, p, salt, hash] = parts;
    expect(await verifyPassword('a-long-enough-password', ['scrypt', '16384', r, p, salt, hash].join('$'))).toBe(false);
    expect(await verifyPassword('', DUMMY_HASH)).toBe(false);
    expect(await verifyPassword('a-long-enough-password', DUMMY_HASH)).toBe(false);
  });
});

describe('the device cookie', () => {
  const key = randomBytes(32);
  const now = new Date('2026-05-01T10:00:00Z');
  const days = (n: number) => new Date(now.getTime() + n * 86400_000);

  it('names a random device for one account, for 30 days', () => {
    expect(DEVICE_COOKIE).toBe('hotline_device');
    expect(DEVICE_DAYS).toBe(30);
    const cookie = issueDeviceCookie(key, 'lan@111.vn', now);
    expect(cookie).not.toContain('lan@111.vn');
    const device = deviceFor(key, cookie, 'lan@111.vn', now);
    expect(device).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(deviceFor(key, issueDeviceCookie(key, 'lan@111.vn', now), 'lan@111.vn', now)).not.toBe(device);
    expect(deviceFor(key, cookie, 'lan@111.vn', new Date(days(30).getTime() - 1000))).toBe(device);
    expect(deviceFor(key, cookie, 'lan@111.vn', days(30))).toBeNull();
    expect(deviceFor(key, cookie, 'other@111.vn', now)).toBeNull();
    expect(deviceFor(randomBytes(32), cookie, 'lan@111.vn', now)).toBeNull();
  });

  it('refuses a missing, oversized, forged or malformed cookie', () => {
    const cookie = issueDeviceCookie(key, 'lan@111.vn', now);
    const [body, mac] = cookie.split('.');
    expect(deviceFor(key, undefined, 'lan@111.vn', now)).toBeNull();
    expect(deviceFor(key, '', 'lan@111.vn', now)).toBeNull();
    expect(deviceFor(key, `${cookie}.extra`, 'lan@111.vn', now)).toBeNull();
    expect(deviceFor(key, `${body}.`, 'lan@111.vn', now)).toBeNull();
    expect(deviceFor(key, `.${mac}`, 'lan@111.vn', now)).toBeNull();
    expect(deviceFor(key, body, 'lan@111.vn', now)).toBeNull();
    expect(deviceFor(key, `${body}.${mac!.slice(0, -1)}`, 'lan@111.vn', now)).toBeNull();
    expect(deviceFor(key, `${body}.${mac!.slice(0, -1)}${mac!.endsWith('A') ? 'B' : 'A'}`, 'lan@111.vn', now)).toBeNull();
    // A body changed to live longer no longer matches its signature.
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as { a: string; d: string; x: number };
    expect(payload.a).toBe(emailDigest('lan@111.vn'));
    expect(payload.x).toBe(Math.floor(now.getTime() / 1000) + 30 * 86400);
    const longer = Buffer.from(JSON.stringify({ ...payload, x: payload.x + 86400 * 365 })).toString('base64url');
    expect(deviceFor(key, `${longer}.${mac}`, 'lan@111.vn', days(31))).toBeNull();
    // Signed but not a device payload (only someone with the key could make these): still refused.
    const signed = (value: string) => `${value}.${createHmac('sha256', key).update(`device:${value}`).digest('base64url')}`;
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    expect(deviceFor(key, signed(b64(payload)), 'lan@111.vn', now)).toBe(payload.d);
    expect(deviceFor(key, signed(Buffer.from('not json').toString('base64url')), 'lan@111.vn', now)).toBeNull();
    expect(deviceFor(key, signed(b64({ ...payload, d: 5 })), 'lan@111.vn', now)).toBeNull();
    expect(deviceFor(key, signed(b64({ ...payload, x: String(payload.x) })), 'lan@111.vn', now)).toBeNull();
    expect(deviceFor(key, signed(b64({ ...payload, x: Math.floor(now.getTime() / 1000) })), 'lan@111.vn', now)).toBeNull();
    expect(deviceFor(key, signed(b64({ ...payload, x: Math.floor(now.getTime() / 1000) + 1 })), 'lan@111.vn', now)).toBe(payload.d);
    // Oversized cookies are not even parsed.
    const big = signed(b64({ ...payload, pad: 'p'.repeat(300) }));
    expect(big.length).toBeGreaterThan(400);
    expect(deviceFor(key, big, 'lan@111.vn', now)).toBeNull();
    let pad = 0;
    while (signed(b64({ ...payload, pad: 'p'.repeat(pad + 1) })).length <= 400) pad++;
    const fits = signed(b64({ ...payload, pad: 'p'.repeat(pad) }));
    expect(fits.length).toBeGreaterThan(396);
    expect(deviceFor(key, fits, 'lan@111.vn', now)).toBe(payload.d);
  });

  it('digests the email (SHA-256, base64url) so the cookie never shows it', () => {
    expect(emailDigest('lan@111.vn')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(emailDigest('lan@111.vn')).toBe(emailDigest('lan@111.vn'));
    expect(emailDigest('lan@111.vn')).not.toBe(emailDigest('lan2@111.vn'));
  });
});

describe('the TOTP second factor', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  /** Seconds since the epoch, in the middle of a 30-second step. */
  const T = 1_780_000_005;
  const at = (epoch: number) => vi.useFakeTimers({ now: epoch * 1000, toFake: ['Date'] });

  it('accepts the current code and one step of drift either way, returning the matched step', async () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]+=*$/);
    expect(newTotpSecret()).not.toBe(secret);
    at(T);
    const step = Math.floor(T / 30);
    expect(await checkTotp(secret, await generate({ secret, epoch: T }), null)).toBe(step);
    expect(await checkTotp(secret, await generate({ secret, epoch: T - 30 }), null)).toBe(step - 1);
    expect(await checkTotp(secret, await generate({ secret, epoch: T + 30 }), null)).toBe(step + 1);
    expect(await checkTotp(secret, await generate({ secret, epoch: T - 60 }), null)).toBeNull();
    expect(await checkTotp(secret, await generate({ secret, epoch: T + 60 }), null)).toBeNull();
    expect(await checkTotp(newTotpSecret(), await generate({ secret, epoch: T }), null)).toBeNull();
  });

  it('refuses a step already used (replay) and anything that is not six digits', async () => {
    const secret = newTotpSecret();
    at(T);
    const step = Math.floor(T / 30);
    const code = await generate({ secret, epoch: T });
    expect(await checkTotp(secret, code, step)).toBeNull();
    expect(await checkTotp(secret, code, step - 1)).toBe(step);
    expect(await checkTotp(secret, await generate({ secret, epoch: T + 30 }), step)).toBe(step + 1);
    expect(await checkTotp(secret, ` ${code}`, null)).toBeNull();
    expect(await checkTotp(secret, `${code}0`, null)).toBeNull();
    expect(await checkTotp(secret, code.slice(1), null)).toBeNull();
    expect(await checkTotp(secret, `x${code}`, null)).toBeNull();
    expect(await checkTotp(secret, `${code}x`, null)).toBeNull();
    expect(await checkTotp(secret, 'abcdef', null)).toBeNull();
  });

  it('secrets are sealed under the data keyring, bound to the account', () => {
    const ring = parseDataKeys(`k1:${randomBytes(32).toString('base64')}`);
    const secret = newTotpSecret();
    const sealed = sealTotpSecret(ring, 'user-1', secret);
    expect(sealedKeyId(sealed)).toBe('k1');
    expect(sealed).not.toContain(secret);
    expect(openTotpSecret(ring, 'user-1', sealed)).toBe(secret);
    expect(() => openTotpSecret(ring, 'user-2', sealed)).toThrow();
  });

  it('the enrolment URI names the issuer and the account', () => {
    expect(TOTP_ISSUER).toBe('Hotline 111');
    const uri = totpUri('JBSWY3DPEHPK3PXP', 'lan@111.vn');
    expect(uri.startsWith('otpauth://totp/')).toBe(true);
    expect(uri).toContain('secret=JBSWY3DPEHPK3PXP');
    expect(decodeURIComponent(uri)).toContain('Hotline 111');
    expect(decodeURIComponent(uri)).toContain('lan@111.vn');
  });

  it('recovery codes: ten random 16-character codes, kept only as hashes, typed loosely', () => {
    expect(RECOVERY_CODE_COUNT).toBe(10);
    const { codes, hashes } = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    expect(hashes).toEqual(codes.map(hashRecoveryCode));
    for (const h of hashes) expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(hashes).size).toBe(10);
    const code = codes[0]!;
    expect(hashRecoveryCode(code.toLowerCase())).toBe(hashes[0]);
    expect(hashRecoveryCode(code.replaceAll('-', ' '))).toBe(hashes[0]);
    expect(hashRecoveryCode(` ${code.replaceAll('-', '')} `)).toBe(hashes[0]);
    expect(hashRecoveryCode(codes[1]!)).not.toBe(hashes[0]);
    expect(newRecoveryCodes().codes).not.toEqual(codes);
    // All of the alphabet turns up across many codes.
    const seen = new Set(Array.from({ length: 20 }, () => newRecoveryCodes().codes.join('')).join('').replaceAll('-', ''));
    expect(seen.size).toBe(31);
  });
});
