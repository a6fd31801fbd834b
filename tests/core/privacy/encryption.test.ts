/**
 * Encryption at rest: what people say is sealed in the database (checked with raw SQL, which sees the
 * stored form), read back as plain text by the product, survives a key rotation (old values readable
 * until re-sealed), and a stopped embedded database holds no report answer in its files.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../core/db/client.js';
import { openText, parseDataKeys, sealText } from '../../../core/privacy/field-crypto.js';
import { keyUsage, rotateDataKeys } from '../../../core/privacy/rotate.js';
import { createTestApp, textFrom } from '../../helpers/app.js';
import { createTestDatabase } from '../../helpers/db.js';
import { driver } from '../../flows/helpers.js';

const SECRET = 'x'.repeat(20) + randomBytes(16).toString('hex');
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('sealed values', () => {
  it('round-trips, carries its key id, and refuses a tampered or unknown-key value', () => {
    const ring = parseDataKeys(`k1:${randomBytes(32).toString('base64')}`);
    const sealed = sealText(ring, 'em bị giữ hộ chiếu', 'aad-1');
    expect(sealed).toMatch(/^enc:k1:/);
    expect(sealed).not.toContain('hộ chiếu');
    expect(openText(ring, sealed, 'aad-1')).toBe('em bị giữ hộ chiếu');
    expect(() => openText(ring, sealed, 'aad-2')).toThrow();
    const flipped = sealed.slice(0, -2) + (sealed.at(-2) === 'A' ? 'B' : 'A') + sealed.at(-1);
    expect(() => openText(ring, flipped, 'aad-1')).toThrow();
    expect(() => openText(parseDataKeys(`k2:${randomBytes(32).toString('base64')}`), sealed, 'aad-1')).toThrow(/no data key "k1"/);
  });

  it('rejects malformed DATA_KEYS with a reason that never shows the key', () => {
    expect(() => parseDataKeys('k1:short')).toThrow(/32 bytes/);
    expect(() => parseDataKeys('nocolon')).toThrow(/id:base64key/);
  });
});

describe('encryption at rest through the product', () => {
  it('stores message text, shared locations, snapshots and platform ids sealed; reads them back in clear', async () => {
    const database = await createTestDatabase();
    const app = await createTestApp({ database, env: { APP_SECRET: SECRET } });
    try {
      const u = driver(app, 'sealed-user');
      await u.text('xin chào');
      await u.choose('lang.vi');
      await u.location(21.03, 105.85);
      await app.runtime.handleTurn(textFrom('sealed-user', 'tên kẻ tuyển dụng là Tuấn Béo'));
      const raw = await database.prisma.$queryRawUnsafe<{ text: string | null; payload: unknown }[]>(`SELECT text, payload FROM "Message"`);
      const texts = raw.map((r) => r.text).filter((t): t is string => t !== null);
      expect(texts.length).toBeGreaterThan(3);
      expect(texts.every((t) => t.startsWith('enc:a1:'))).toBe(true);
      expect(JSON.stringify(raw)).not.toContain('Tuấn Béo');
      expect(JSON.stringify(raw)).not.toContain('105.85');
      const [conversation] = await database.prisma.$queryRawUnsafe<{ snapshot: unknown }[]>(`SELECT snapshot FROM "Conversation"`);
      expect(typeof conversation!.snapshot).toBe('string');
      expect(String(conversation!.snapshot)).toMatch(/^enc:a1:/);
      const [identity] = await database.prisma.$queryRawUnsafe<{ externalUserId: string }[]>(`SELECT "externalUserId" FROM "ChannelIdentity"`);
      expect(identity!.externalUserId).toMatch(/^enc:a1:/);
      // The product sees plain values.
      const messages = await app.database.prisma.message.findMany({ where: { direction: 'inbound' }, orderBy: { seq: 'asc' } });
      expect(messages.map((m) => m.text)).toContain('tên kẻ tuyển dụng là Tuấn Béo');
      expect((messages.find((m) => m.kind === 'location')?.payload as { location?: { longitude: number } }).location?.longitude).toBe(105.85);
      const plainIdentity = await app.database.prisma.channelIdentity.findFirstOrThrow();
      expect(plainIdentity.externalUserId).toBe('sealed-user');
    } finally {
      await app.close();
    }
  });

  it('keys rotate: a new current key seals new values, old ones stay readable, keys:rotate re-seals them all', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hotline-rotate-'));
    dirs.push(dataDir);
    const open = () => openDatabase({ kind: 'pglite', dataDir });
    const first = await createTestApp({ database: await open(), env: { APP_SECRET: SECRET } });
    await first.runtime.handleTurn(textFrom('rot', 'tin nhắn trước khi đổi khoá'));
    await first.close();

    const newKey = `k2:${randomBytes(32).toString('base64')}`;
    const second = await createTestApp({ database: await open(), env: { APP_SECRET: SECRET, DATA_KEYS: newKey } });
    try {
      await second.runtime.handleTurn(textFrom('rot', 'tin nhắn sau khi đổi khoá'));
      const texts = (await second.database.prisma.message.findMany({ where: { direction: 'inbound' }, orderBy: { seq: 'asc' } })).map((m) => m.text);
      expect(texts).toEqual(['tin nhắn trước khi đổi khoá', 'tin nhắn sau khi đổi khoá']);
      const before = await keyUsage(second.database.prisma, second.keys.dataKeys);
      expect(before.a1).toBeGreaterThan(0);
      expect(before.k2).toBeGreaterThan(0);

      const result = await rotateDataKeys(second.database.prisma, second.keys.encryptionKey, { batchSize: 2 });
      expect(Object.values(result.resealed).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      const after = await keyUsage(second.database.prisma, second.keys.dataKeys);
      expect(Object.keys(after)).toEqual(['k2']);
      const [snapshot] = await second.database.prisma.$queryRawUnsafe<{ snapshot: string }[]>(`SELECT snapshot FROM "Conversation"`);
      expect(snapshot!.snapshot).toMatch(/^enc:k2:/);
      // Still readable, now with the new key alone.
      expect((await second.database.prisma.message.findMany({ where: { direction: 'inbound' }, orderBy: { seq: 'asc' } })).map((m) => m.text)).toEqual(texts);
      expect((await rotateDataKeys(second.database.prisma, second.keys.encryptionKey)).resealed).toEqual({});
    } finally {
      await second.close();
    }
  });
});

/** Every file under a folder, read as bytes. */
async function filesUnder(dir: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if ((await stat(full)).size > 0) out.push(await readFile(full));
  }
  return out;
}

describe('a stopped embedded database', () => {
  it('holds no report answer and no follow-up code in any of its files', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hotline-scan-'));
    dirs.push(dataDir);
    const app = await createTestApp({ database: await openDatabase({ kind: 'pglite', dataDir }), secretDir: dataDir });
    const secrets = ['Nguyễn Văn Quắc', '0912 345 678', 'khu Kim Sa ở Bavet', 'ảnh chụp tin nhắn tuyển dụng'];
    let codes: string[] = [];
    try {
      const u = driver(app, 'scan-user');
      await u.text('xin chào');
      await u.choose('lang.vi');
      await u.choose('report');
      let said = await u.choose('report.new');
      // Answer every question: free text where it is asked, otherwise the first option; give contact consent.
      for (let step = 0, typed = 0; step < 30 && !said.texts.some((t) => /HT-[A-Z0-9]{4}-[A-Z0-9]{4}/.test(t)); step++) {
        const ids = said.choices.map((c) => c.id);
        if (ids.includes('summary.submit')) said = await u.choose('summary.submit');
        else if (ids.includes('consent.yes')) said = await u.choose('consent.yes');
        else if (ids.includes('no') && ids.includes('yes')) said = await u.choose('no');
        else if (typed < secrets.length && (ids.includes('skip') || ids.every((id) => id.startsWith('nav.')))) said = await u.text(secrets[typed++]!);
        else said = await u.choose(ids.find((id) => !id.startsWith('nav.') && id !== 'counsellor') ?? ids[0]!);
      }
      const receipt = said.texts.join('\n');
      codes = [/HT-[A-Z0-9]{4}-[A-Z0-9]{4}/.exec(receipt)?.[0] ?? '', /\b[A-Z0-9]{4}-[A-Z0-9]{4}\b(?<!HT-[A-Z0-9]{4}-[A-Z0-9]{4})/.exec(receipt.replace(/HT-[A-Z0-9]{4}-[A-Z0-9]{4}/g, ''))?.[0] ?? ''];
      expect(codes[0]).not.toBe('');
      expect(codes[1]).not.toBe('');
      await app.outbox.sweep();
    } finally {
      await app.close();
    }
    const files = await filesUnder(path.join(dataDir, 'pglite'));
    expect(files.length).toBeGreaterThan(10);
    // The scan sees what is stored in clear: the reference code is (it is no secret), so it is found.
    expect(files.some((f) => f.includes(Buffer.from(codes[0]!, 'utf8')))).toBe(true);
    for (const needle of [...secrets, codes[1]!]) {
      const bytes = Buffer.from(needle, 'utf8');
      expect(files.some((f) => f.includes(bytes)), `"${needle}" found in the stopped database`).toBe(false);
    }
  });
});
