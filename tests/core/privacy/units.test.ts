/**
 * Privacy building blocks, called directly (no HTTP app): the data keyring (DATA_KEYS parsing,
 * key ids, tamper detection, rotation of single values), channel reply addresses, pseudonyms,
 * the application secret and the keys derived from it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { channelRefUpdate, openChannelRef, sealChannelRef } from '../../../core/privacy/channel-ref.js';
import { DataKeysError, isSealed, keyringFor, openJson, openText, parseDataKeys, resealIfStale, sealJson, sealText, sealedKeyId } from '../../../core/privacy/field-crypto.js';
import { startRetentionLoop } from '../../../core/privacy/retention.js';
import { pseudonymFor } from '../../../core/privacy/pseudonym.js';
import { deriveKeys, resolveAppSecret } from '../../../core/privacy/secrets.js';

const key = () => randomBytes(32).toString('base64');
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('DATA_KEYS', () => {
  it('takes several keys, the first one current, ignoring blanks and spaces around entries', () => {
    const k1 = key();
    const k2 = key();
    const ring = parseDataKeys(` k2:${k2} , ,k1:${k1},`);
    expect(ring.currentId).toBe('k2');
    expect([...ring.keys.keys()]).toEqual(['k2', 'k1']);
    expect(ring.keys.get('k1')!.equals(Buffer.from(k1, 'base64'))).toBe(true);
    expect(ring.keys.get('k2')!.equals(Buffer.from(k2, 'base64'))).toBe(true);
  });

  it('accepts ids of letters, digits, _ and - up to 16 characters', () => {
    expect(parseDataKeys(`A_b-9:${key()}`).currentId).toBe('A_b-9');
    expect(parseDataKeys(`${'x'.repeat(16)}:${key()}`).currentId).toBe('x'.repeat(16));
  });

  it.each([
    ['no colon', 'nocolon', /id:base64key/],
    ['empty id', `:${'A'.repeat(44)}`, /id:base64key/],
    ['id with a dot', `k.1:${'A'.repeat(44)}`, /id:base64key/],
    ['id with a space inside', `k 1:${'A'.repeat(44)}`, /id:base64key/],
    ['id too long', `${'x'.repeat(17)}:${'A'.repeat(44)}`, /id:base64key/],
    ['short key', 'k1:c2hvcnQ=', /"k1" must be 32 bytes/],
    ['long key', `k1:${randomBytes(33).toString('base64')}`, /"k1" must be 32 bytes/],
    ['nothing', ' , ', /no key given/],
    ['empty', '', /no key given/],
  ])('refuses %s with a DataKeysError', (_name, spec, reason) => {
    let error: unknown;
    try {
      parseDataKeys(spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataKeysError);
    expect((error as DataKeysError).code).toBe('DATA_KEYS_INVALID');
    expect((error as Error).message).toMatch(reason);
  });

  it('refuses a key id given twice, and never shows a key in the reason', () => {
    const secret = key();
    expect(() => parseDataKeys(`k1:${secret},k1:${key()}`)).toThrow(/"k1" appears twice/);
    try {
      parseDataKeys(`k1:${secret.slice(0, 20)}`);
    } catch (e) {
      expect((e as Error).message).not.toContain(secret.slice(0, 20));
    }
  });
});

describe('the keyring of a deployment', () => {
  it('without DATA_KEYS: one key "a1" derived from the app secret (same secret, same key)', () => {
    const a = keyringFor('secret-one-long-enough');
    expect(a.currentId).toBe('a1');
    expect([...a.keys.keys()]).toEqual(['a1']);
    expect(a.keys.get('a1')!.length).toBe(32);
    expect(keyringFor('secret-one-long-enough').keys.get('a1')!.equals(a.keys.get('a1')!)).toBe(true);
    expect(keyringFor('secret-two-long-enough').keys.get('a1')!.equals(a.keys.get('a1')!)).toBe(false);
    // A value sealed by one instance opens on another with the same secret, not with another secret.
    const sealed = sealText(a, 'hello');
    expect(openText(keyringFor('secret-one-long-enough'), sealed)).toBe('hello');
    expect(() => openText(keyringFor('secret-two-long-enough'), sealed)).toThrow();
  });

  it('with DATA_KEYS: its first key is current and values sealed before it stay readable', () => {
    const before = keyringFor('the-app-secret-value');
    const old = sealText(before, 'sealed before DATA_KEYS');
    const ring = keyringFor('the-app-secret-value', `k2:${key()}`);
    expect(ring.currentId).toBe('k2');
    expect([...ring.keys.keys()].sort()).toEqual(['a1', 'k2']);
    expect(openText(ring, old)).toBe('sealed before DATA_KEYS');
    expect(sealedKeyId(sealText(ring, 'new'))).toBe('k2');
  });

  it('an explicit "a1" entry in DATA_KEYS replaces the derived key', () => {
    const a1 = key();
    const ring = keyringFor('the-app-secret-value', `a1:${a1}`);
    expect(ring.keys.size).toBe(1);
    expect(ring.keys.get('a1')!.equals(Buffer.from(a1, 'base64'))).toBe(true);
  });
});

describe('sealed values', () => {
  const ring = parseDataKeys(`k1:${key()}`);

  it('are recognised by their prefix, with the key id that sealed them', () => {
    expect(isSealed('enc:k1:abc')).toBe(true);
    expect(isSealed('plain text')).toBe(false);
    expect(isSealed('ENC:k1:abc')).toBe(false);
    expect(isSealed(42)).toBe(false);
    expect(isSealed(null)).toBe(false);
    expect(sealedKeyId('enc:k1:a.b.c')).toBe('k1');
    expect(sealedKeyId('enc:long-id_2:a.b.c')).toBe('long-id_2');
    expect(sealedKeyId('plain:k1:x')).toBeUndefined();
    expect(sealedKeyId('enc:')).toBeUndefined();
    expect(sealedKeyId('enc:nocolon')).toBeUndefined();
  });

  it('differ each time the same text is sealed (random IV), and both open', () => {
    const a = sealText(ring, 'same');
    const b = sealText(ring, 'same');
    expect(a).not.toBe(b);
    expect(openText(ring, a)).toBe('same');
    expect(openText(ring, b)).toBe('same');
    expect(a).toMatch(/^enc:k1:[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
  });

  it('round-trip empty text and JSON', () => {
    expect(openText(ring, sealText(ring, ''))).toBe('');
    const value = { a: 1, b: ['x', null], c: 'tiếng Việt' };
    const sealed = sealJson(ring, value, 'ref');
    expect(sealed).not.toContain('tiếng');
    expect(openJson(ring, sealed, 'ref')).toEqual(value);
    expect(() => openJson(ring, sealed, 'other')).toThrow();
    expect(() => openJson(ring, sealed)).toThrow();
  });

  it('bound to an AAD do not open without it, and unbound ones do not open with one', () => {
    const bound = sealText(ring, 'bound', 'HT-AAAA-BBBB');
    expect(openText(ring, bound, 'HT-AAAA-BBBB')).toBe('bound');
    expect(() => openText(ring, bound)).toThrow();
    const unbound = sealText(ring, 'unbound');
    expect(() => openText(ring, unbound, 'HT-AAAA-BBBB')).toThrow();
  });

  it('refuse tampering with the IV, the tag or the body', () => {
    const sealed = sealText(ring, 'do not change me');
    const [head, tag, body] = sealed.split('.');
    const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
    expect(() => openText(ring, `${flip(head!, 10)}.${tag}.${body}`)).toThrow();
    expect(() => openText(ring, `${head}.${flip(tag!, 3)}.${body}`)).toThrow();
    expect(() => openText(ring, `${head}.${tag}.${flip(body!, 1)}`)).toThrow();
  });

  it('name the missing key, or the broken format, when they cannot be opened', () => {
    const other = parseDataKeys(`k9:${key()}`);
    expect(() => openText(other, sealText(ring, 'x'))).toThrow(DataKeysError);
    expect(() => openText(other, sealText(ring, 'x'))).toThrow('no data key "k1" to open a stored value');
    expect(() => openText(ring, 'enc:k1:onlyone')).toThrow('not in the sealed format');
    expect(() => openText(ring, 'enc:k1:iv.tag')).toThrow('not in the sealed format');
    expect(() => openText(ring, 'enc:k1:.tag.body')).toThrow('not in the sealed format');
    expect(() => openText(ring, 'enc:k1:iv..body')).toThrow('not in the sealed format');
  });

  it('legacy clear text is read as it is', () => {
    expect(openText(ring, 'written before encryption')).toBe('written before encryption');
    expect(openText(ring, 'written before', 'with-aad')).toBe('written before');
  });

  it('are re-sealed with the current key only when stale (other key, or clear text)', () => {
    const k1 = key();
    const old = parseDataKeys(`k1:${k1}`);
    const rotated = parseDataKeys(`k2:${key()},k1:${k1}`);
    const stale = sealText(old, 'rotate me', 'aad');
    const fresh = resealIfStale(rotated, stale, 'aad');
    expect(fresh).toBeDefined();
    expect(sealedKeyId(fresh!)).toBe('k2');
    expect(openText(rotated, fresh!, 'aad')).toBe('rotate me');
    expect(() => openText(rotated, fresh!)).toThrow(); // still bound to its AAD
    expect(resealIfStale(rotated, fresh!, 'aad')).toBeUndefined();
    const fromClear = resealIfStale(rotated, 'legacy clear');
    expect(sealedKeyId(fromClear!)).toBe('k2');
    expect(openText(rotated, fromClear!)).toBe('legacy clear');
  });
});

describe('channel reply addresses', () => {
  it('are stored as JSON with sorted keys, and read back', () => {
    const stored = sealChannelRef({ serviceUrl: 'https://x', conversation: 'c1', bot: 'b', a: '1' });
    expect(stored).toBe('{"a":"1","bot":"b","conversation":"c1","serviceUrl":"https://x"}');
    expect(openChannelRef(stored)).toEqual({ a: '1', bot: 'b', conversation: 'c1', serviceUrl: 'https://x' });
    expect(sealChannelRef({ b: '2', a: '1' })).toBe(sealChannelRef({ a: '1', b: '2' }));
    expect(sealChannelRef({ a: '1', a2: '2', B: '3' })).toBe('{"B":"3","a":"1","a2":"2"}');
  });

  it('that are missing, unreadable or not a small flat record read as none', () => {
    expect(openChannelRef(null)).toBeNull();
    expect(openChannelRef(undefined)).toBeNull();
    expect(openChannelRef('')).toBeNull();
    expect(openChannelRef('{not json')).toBeNull();
    expect(openChannelRef('{"a":1}')).toBeNull();
    expect(openChannelRef(JSON.stringify({ a: 'x'.repeat(2049) }))).toBeNull();
    expect(openChannelRef(JSON.stringify({ a: 'x'.repeat(2048) }))).toEqual({ a: 'x'.repeat(2048) });
    expect(openChannelRef(JSON.stringify({ ['k'.repeat(65)]: 'v' }))).toBeNull();
    const many = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'])));
    expect(openChannelRef(many(16))).not.toBeNull();
    expect(openChannelRef(many(17))).toBeNull();
  });

  it('are written again only when a turn brings a different one', () => {
    const stored = sealChannelRef({ a: '1', b: '2' });
    expect(channelRefUpdate(stored, undefined)).toBeUndefined();
    expect(channelRefUpdate(stored, { b: '2', a: '1' })).toBeUndefined();
    expect(channelRefUpdate(stored, { a: '1', b: '3' })).toBe(sealChannelRef({ a: '1', b: '3' }));
    expect(channelRefUpdate(stored, { a: '1' })).toBe(sealChannelRef({ a: '1' }));
    expect(channelRefUpdate(stored, { a: '1', b: '2', c: '3' })).toBe(sealChannelRef({ a: '1', b: '2', c: '3' }));
    expect(channelRefUpdate(null, { a: '1' })).toBe('{"a":"1"}');
    expect(channelRefUpdate('garbage', { a: '1' })).toBe('{"a":"1"}');
  });
});

describe('pseudonyms', () => {
  it('are stable per secret, channel and user, and reveal neither', () => {
    const k = randomBytes(32);
    const p = pseudonymFor(k, 'telegram', '12345');
    expect(p).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p).not.toContain('12345');
    expect(pseudonymFor(Buffer.from(k), 'telegram', '12345')).toBe(p);
    expect(pseudonymFor(randomBytes(32), 'telegram', '12345')).not.toBe(p);
    expect(pseudonymFor(k, 'zalo', '12345')).not.toBe(p);
    expect(pseudonymFor(k, 'telegram', '12346')).not.toBe(p);
    expect(pseudonymFor(k, 'telegram1', '2345')).not.toBe(p);
  });
});

describe('the application secret', () => {
  it('derives distinct keys per purpose, the same on every instance', () => {
    const a = deriveKeys('one-secret-for-all-instances');
    const b = deriveKeys('one-secret-for-all-instances');
    const c = deriveKeys('another-secret-entirely');
    const all = [a.pseudonymKey, a.tokenKey, a.encryptionKey.legacy!, a.dataKeys.keys.get('a1')!].map((x) => x.toString('hex'));
    expect(new Set(all).size).toBe(4);
    for (const x of [a.pseudonymKey, a.tokenKey, a.encryptionKey.legacy!]) expect(x.length).toBe(32);
    expect(b.pseudonymKey.equals(a.pseudonymKey)).toBe(true);
    expect(b.tokenKey.equals(a.tokenKey)).toBe(true);
    expect(b.encryptionKey.legacy!.equals(a.encryptionKey.legacy!)).toBe(true);
    expect(c.pseudonymKey.equals(a.pseudonymKey)).toBe(false);
    expect(c.tokenKey.equals(a.tokenKey)).toBe(false);
    expect(c.encryptionKey.legacy!.equals(a.encryptionKey.legacy!)).toBe(false);
    // Report bodies are sealed under the data keyring.
    expect(a.encryptionKey.currentId).toBe('a1');
    expect(a.encryptionKey.keys.get('a1')!.equals(a.dataKeys.keys.get('a1')!)).toBe(true);
    const withKeys = deriveKeys('one-secret-for-all-instances', `k5:${key()}`);
    expect(withKeys.dataKeys.currentId).toBe('k5');
    expect(withKeys.encryptionKey.currentId).toBe('k5');
  });

  it('is APP_SECRET when given', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hotline-secret-'));
    dirs.push(dir);
    expect(resolveAppSecret({ appSecret: 'given-secret', dataDir: dir })).toBe('given-secret');
    expect(resolveAppSecret({ appSecret: 'given-secret', dataDir: null })).toBe('given-secret');
  });

  it('without a data dir is random', () => {
    const a = resolveAppSecret({ dataDir: null });
    expect(a.length).toBeGreaterThanOrEqual(43);
    expect(resolveAppSecret({ dataDir: null })).not.toBe(a);
  });

  it('on the embedded database is generated once into DATA_DIR/app-secret (owner-only) and kept across starts', async () => {
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'hotline-secret-')), 'nested', 'data');
    dirs.push(path.dirname(path.dirname(dir)));
    const first = resolveAppSecret({ dataDir: dir });
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = path.join(dir, 'app-secret');
    expect(await readFile(file, 'utf8')).toBe(`${first}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(resolveAppSecret({ dataDir: dir })).toBe(first);
    expect(resolveAppSecret({ appSecret: '', dataDir: dir })).toBe(first);
    await writeFile(file, '  operator-written-secret \n');
    expect(resolveAppSecret({ dataDir: dir })).toBe('operator-written-secret');
  });
});

describe('the retention loop', () => {
  it('runs 5 s after start, then every interval, survives a failed run, and stops', async () => {
    vi.useFakeTimers();
    try {
      let runs = 0;
      const run = vi.fn(async () => {
        runs++;
        if (runs === 2) throw new Error('database down');
      });
      const stop = startRetentionLoop(run, 60_000);
      await vi.advanceTimersByTimeAsync(4_999);
      expect(run).toHaveBeenCalledTimes(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(run).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(59_999);
      expect(run).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(run).toHaveBeenCalledTimes(2);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(run).toHaveBeenCalledTimes(3);
      stop();
      await vi.advanceTimersByTimeAsync(600_000);
      expect(run).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('runs hourly by default, and a stop during a run schedules nothing more', async () => {
    vi.useFakeTimers();
    try {
      let release: () => void = () => {};
      const run = vi.fn(() => new Promise<void>((resolve) => (release = resolve)));
      const stop = startRetentionLoop(run);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(run).toHaveBeenCalledTimes(1);
      release();
      await vi.advanceTimersByTimeAsync(3_599_999);
      expect(run).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(run).toHaveBeenCalledTimes(2);
      stop();
      release();
      await vi.advanceTimersByTimeAsync(10 * 3_600_000);
      expect(run).toHaveBeenCalledTimes(2);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

