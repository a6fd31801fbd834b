/**
 * Report building blocks without a database: the codes people read aloud and type (alphabet,
 * format, normalisation, the secret code's hash), report body crypto (sealed, bound to the
 * reference, wrong key fails, rotation, legacy bodies), and the referral suggestion.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, hashFollowUpCode, newFollowUpCode, newReferenceCode, normalizeFollowUpCode, normalizeReference, verifyFollowUpCode } from '../../../core/reports/codes.js';
import { decryptJson, encryptJson } from '../../../core/reports/crypto.js';
import { REPORT_CATEGORIES, routeReport } from '../../../core/reports/routing.js';
import { parseDataKeys, sealedKeyId } from '../../../core/privacy/field-crypto.js';

describe('report codes', () => {
  it('use an alphabet people can read aloud: no 0/O, 1/I/L look-alikes', () => {
    expect(CODE_ALPHABET).toBe('23456789ABCDEFGHJKMNPQRSTUVWXYZ');
    for (const c of '01OIL') expect(CODE_ALPHABET).not.toContain(c);
  });

  it('reference "HT-XXXX-XXXX" and secret "XXXX-XXXX" from that alphabet, random each time', () => {
    const refs = new Set<string>();
    const secrets = new Set<string>();
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const ref = newReferenceCode();
      const secret = newFollowUpCode();
      expect(ref).toMatch(/^HT-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
      expect(secret).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
      refs.add(ref);
      secrets.add(secret);
      for (const c of (ref.slice(3) + secret).replaceAll('-', '')) seen.add(c);
    }
    expect(refs.size).toBe(200);
    expect(secrets.size).toBe(200);
    // Every character of the alphabet turns up (not just the first few).
    expect(seen.size).toBe(CODE_ALPHABET.length);
  });

  it('typed references are normalised: case, spaces, dashes, dots, with or without "HT"', () => {
    expect(normalizeReference('HT-7K4M-Q9PX')).toBe('HT-7K4M-Q9PX');
    expect(normalizeReference('ht 7k4m q9px')).toBe('HT-7K4M-Q9PX');
    expect(normalizeReference('7K4M.Q9PX')).toBe('HT-7K4M-Q9PX');
    expect(normalizeReference(' h t - 7 k 4 m - q 9 p x ')).toBe('HT-7K4M-Q9PX');
    expect(normalizeReference('HTHT7K4MQ9')).toBe('HT-HT7K-4MQ9');
  });

  it('references of the wrong length or with look-alike characters are refused', () => {
    expect(normalizeReference('HT-7K4M-Q9P')).toBeUndefined();
    expect(normalizeReference('HT-7K4M-Q9PXX')).toBeUndefined();
    expect(normalizeReference('HT-7K4M-Q9P0')).toBeUndefined();
    expect(normalizeReference('HT-7K4M-Q9PI')).toBeUndefined();
    expect(normalizeReference('HT-7K4M-Q9PL')).toBeUndefined();
    expect(normalizeReference('')).toBeUndefined();
    expect(normalizeReference('hello there')).toBeUndefined();
  });

  it('typed secret codes are normalised the same way and checked against the alphabet', () => {
    expect(normalizeFollowUpCode('ab2c-d3ef')).toBe('AB2C-D3EF');
    expect(normalizeFollowUpCode(' ab2c d3ef ')).toBe('AB2C-D3EF');
    expect(normalizeFollowUpCode('AB2C.D3EF')).toBe('AB2C-D3EF');
    expect(normalizeFollowUpCode('AB2C-D3E')).toBeUndefined();
    expect(normalizeFollowUpCode('AB2C-D3EFG')).toBeUndefined();
    expect(normalizeFollowUpCode('AB2C-D3E0')).toBeUndefined();
    expect(normalizeFollowUpCode('AB2C-D3E1')).toBeUndefined();
    // "HT" is not stripped from a secret code.
    expect(normalizeFollowUpCode('HT-AB2C-D3EF')).toBeUndefined();
  });

  it('the secret code is kept only as a salted scrypt hash that verifies it and nothing else', async () => {
    const code = newFollowUpCode();
    const stored = await hashFollowUpCode(code);
    const parts = stored.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(parts[4]!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64url')).toHaveLength(32);
    expect(stored).not.toContain(code);
    expect(await hashFollowUpCode(code)).not.toBe(stored); // salted
    expect(await verifyFollowUpCode(code, stored)).toBe(true);
    const other = code.startsWith('2') ? `3${code.slice(1)}` : `2${code.slice(1)}`;
    expect(await verifyFollowUpCode(other, stored)).toBe(false);
    expect(await verifyFollowUpCode('', stored)).toBe(false);
  });

  it('no report (null hash) never verifies, not even the dummy hash\'s own input', async () => {
    expect(await verifyFollowUpCode('', null)).toBe(false);
    expect(await verifyFollowUpCode('AAAA-AAAA', null)).toBe(false);
    // A stored hash with a truncated key is refused.
    const stored = await hashFollowUpCode('AAAA-AAAA');
    expect(await verifyFollowUpCode('AAAA-AAAA', stored.slice(0, -4))).toBe(false);
    expect(await verifyFollowUpCode('AAAA-AAAA', 'garbage')).toBe(false);
  });
});

describe('report bodies', () => {
  const k1 = randomBytes(32).toString('base64');
  const ring = parseDataKeys(`k1:${k1}`);
  const body = { category: 'scam_compound', details: 'khu Kim Sa ở Bavet', contact: null };

  it('are sealed under the current key, bound to their reference', () => {
    const sealed = encryptJson(ring, body, 'HT-AAAA-BBBB');
    expect(sealedKeyId(sealed)).toBe('k1');
    expect(sealed).not.toContain('Bavet');
    expect(decryptJson(ring, sealed, 'HT-AAAA-BBBB')).toEqual(body);
    expect(() => decryptJson(ring, sealed, 'HT-CCCC-DDDD')).toThrow();
  });

  it('do not open with a wrong key', () => {
    const sealed = encryptJson(ring, body, 'HT-AAAA-BBBB');
    expect(() => decryptJson(parseDataKeys(`k1:${randomBytes(32).toString('base64')}`), sealed, 'HT-AAAA-BBBB')).toThrow();
    expect(() => decryptJson(parseDataKeys(`k2:${randomBytes(32).toString('base64')}`), sealed, 'HT-AAAA-BBBB')).toThrow(/no data key "k1"/);
  });

  it('stay readable after rotation to a new current key', () => {
    const sealed = encryptJson(ring, body, 'HT-AAAA-BBBB');
    const rotated = parseDataKeys(`k2:${randomBytes(32).toString('base64')},k1:${k1}`);
    expect(decryptJson(rotated, sealed, 'HT-AAAA-BBBB')).toEqual(body);
    expect(sealedKeyId(encryptJson(rotated, body, 'HT-AAAA-BBBB'))).toBe('k2');
  });

  describe('written before the keyring ("v1." under the legacy report key)', () => {
    const legacy = randomBytes(32);
    const v1 = (value: unknown, aad: string, key = legacy) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    };

    it('open with the legacy key and their reference only', () => {
      const keys = { ...ring, legacy };
      const stored = v1(body, 'HT-AAAA-BBBB');
      expect(decryptJson(keys, stored, 'HT-AAAA-BBBB')).toEqual(body);
      expect(() => decryptJson(keys, stored, 'HT-CCCC-DDDD')).toThrow();
      expect(() => decryptJson({ ...ring, legacy: randomBytes(32) }, stored, 'HT-AAAA-BBBB')).toThrow();
      expect(() => decryptJson(ring, stored, 'HT-AAAA-BBBB')).toThrow('unknown ciphertext format');
      const [, iv, tag, data] = stored.split('.');
      expect(() => decryptJson(keys, `v2.${iv}.${tag}.${data}`, 'HT-AAAA-BBBB')).toThrow('unknown ciphertext format');
      expect(() => decryptJson(keys, `v1..${tag}.${data}`, 'HT-AAAA-BBBB')).toThrow('unknown ciphertext format');
      expect(() => decryptJson(keys, `v1.${iv}..${data}`, 'HT-AAAA-BBBB')).toThrow('unknown ciphertext format');
      expect(() => decryptJson(keys, `v1.${iv}.${tag}`, 'HT-AAAA-BBBB')).toThrow('unknown ciphertext format');
      expect(() => decryptJson(keys, 'plain text', 'HT-AAAA-BBBB')).toThrow('unknown ciphertext format');
    });

    it('an empty legacy body still opens ("" is a body)', () => {
      const keys = { ...ring, legacy };
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', legacy, iv);
      cipher.setAAD(Buffer.from('HT-AAAA-BBBB', 'utf8'));
      cipher.update('', 'utf8');
      cipher.final();
      const stored = ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ''].join('.');
      // Empty plain text is not JSON: the point is it reaches the cipher rather than "unknown format".
      expect(() => decryptJson(keys, stored, 'HT-AAAA-BBBB')).toThrow(SyntaxError);
    });
  });
});

describe('referral suggestion', () => {
  it('always suggests police; local authority except for a job offer away from the border', () => {
    for (const category of REPORT_CATEGORIES) expect(routeReport({ category, province: 'ha-noi' })).toContain('police');
    expect(routeReport({ category: 'other', province: 'ha-noi' })).toEqual(['police', 'local_authority']);
    expect(routeReport({ category: 'other' })).toEqual(['police', 'local_authority']);
    expect(routeReport({ category: 'job_offer', province: 'ha-noi' })).toEqual(['police']);
    expect(routeReport({ category: 'job_offer', province: null })).toEqual(['police']);
    expect(routeReport({ category: 'job_offer', province: 'lang-son' })).toEqual(['police', 'border_guard', 'local_authority']);
    expect(routeReport({ category: 'job_offer', province: 'abroad' })).toEqual(['police', 'border_guard', 'local_authority']);
  });

  it('adds the Border Guard abroad, and in border provinces for cross-border categories, missing people and job offers', () => {
    expect(routeReport({ category: 'other', province: 'abroad' })).toEqual(['police', 'border_guard', 'local_authority']);
    expect(routeReport({ category: 'scam_compound', province: 'lang-son' })).toEqual(['police', 'border_guard', 'local_authority', 'social_services']);
    expect(routeReport({ category: 'forced_marriage', province: 'lai-chau' })).toContain('border_guard');
    expect(routeReport({ category: 'organ_fetus', province: 'lai-chau' })).toContain('border_guard');
    expect(routeReport({ category: 'missing_person', province: 'lai-chau' })).toEqual(['police', 'border_guard', 'local_authority']);
    expect(routeReport({ category: 'other', province: 'lang-son' })).toEqual(['police', 'local_authority']);
    expect(routeReport({ category: 'sexual_exploitation', province: 'lang-son' })).toEqual(['police', 'local_authority', 'social_services']);
    expect(routeReport({ category: 'scam_compound', province: 'ha-noi' })).toEqual(['police', 'local_authority', 'social_services']);
    expect(routeReport({ category: 'scam_compound', province: 'no-such-province' })).toEqual(['police', 'local_authority', 'social_services']);
  });

  it('adds the Coast Guard in coastal provinces for forced labour and missing people', () => {
    expect(routeReport({ category: 'forced_labour', province: 'hai-phong' })).toEqual(['police', 'coast_guard', 'local_authority', 'social_services']);
    expect(routeReport({ category: 'missing_person', province: 'hai-phong' })).toEqual(['police', 'coast_guard', 'local_authority']);
    expect(routeReport({ category: 'missing_person', province: 'quang-ninh' })).toEqual(['police', 'border_guard', 'coast_guard', 'local_authority']);
    expect(routeReport({ category: 'scam_compound', province: 'hai-phong' })).not.toContain('coast_guard');
    expect(routeReport({ category: 'forced_labour', province: 'ha-noi' })).not.toContain('coast_guard');
    expect(routeReport({ category: 'forced_labour', province: 'abroad' })).toEqual(['police', 'border_guard', 'local_authority', 'social_services']);
  });

  it('adds social services for victims needing care, and whenever children are involved', () => {
    for (const category of ['sexual_exploitation', 'forced_marriage', 'child_at_risk', 'organ_fetus', 'forced_labour', 'scam_compound']) {
      expect(routeReport({ category, province: 'ha-noi' }), category).toContain('social_services');
    }
    for (const category of ['missing_person', 'job_offer', 'other']) {
      expect(routeReport({ category, province: 'ha-noi' }), category).not.toContain('social_services');
      expect(routeReport({ category, province: 'ha-noi', minors: true }), category).toContain('social_services');
    }
    expect(routeReport({ category: 'other', province: 'ha-noi', minors: false })).toEqual(['police', 'local_authority']);
  });
});
