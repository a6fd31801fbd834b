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
import { encryptJson } from '../../../core/reports/crypto.js';
import { decryptJson } from '../../../core/reports/crypto.js';
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
    // A message to a reporter (core/reports/messages.ts) is sealed and rotated like every message.
    const report = await first.database.prisma.report.create({ data: { referenceCode: 'HT-ROTA-TE22', followUpHash: 'x', category: 'other', referralTargets: [], encryptedPayload: encryptJson(first.keys.encryptionKey, { category: 'other' }, 'HT-ROTA-TE22'), channel: 'test' } });
    await first.database.prisma.reportMessage.create({ data: { reportId: report.id, author: 'staff', text: 'lời nhắn cho người báo tin' } });
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
      const [reportMessage] = await second.database.prisma.$queryRawUnsafe<{ text: string }[]>(`SELECT text FROM "ReportMessage"`);
      expect(reportMessage!.text).toMatch(/^enc:k2:/);
      expect((await second.database.prisma.reportMessage.findFirstOrThrow()).text).toBe('lời nhắn cho người báo tin');
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
      await u.choose('cat.scam_compound');
      await u.text('Bavet');
      await u.choose('no');
      const saved = await u.text(secrets[2]!); // what happened, in the person's words: the report is saved
      const receipt = saved.texts.join('\n');
      codes = [/HT-[A-Z0-9]{4}-[A-Z0-9]{4}/.exec(receipt)?.[0] ?? '', /\b[A-Z0-9]{4}-[A-Z0-9]{4}\b/.exec(receipt.replace(/HT-[A-Z0-9]{4}-[A-Z0-9]{4}/g, ''))?.[0] ?? ''];
      expect(codes[0]).not.toBe('');
      expect(codes[1]).not.toBe('');
      // More details: free text where a question takes it, the first option otherwise, contact with consent.
      let said = await u.choose('report.more');
      for (let step = 0, typed = 0; step < 20 && !said.choices.some((c) => c.id === 'counsellor' && said.choices.length <= 3); step++) {
        const ids = said.choices.map((c) => c.id);
        if (ids.includes('consent.yes')) said = await u.choose('consent.yes');
        else if (typed < 4 && (ids.includes('skip') || ids.every((id) => id.startsWith('nav.') || id === 'more.done'))) said = await u.text([secrets[0], secrets[3], secrets[1], secrets[0]][typed++]!);
        else said = await u.choose(ids.find((id) => !id.startsWith('nav.') && id !== 'more.done' && id !== 'skip') ?? 'more.done');
      }
      const stored = await app.database.prisma.report.findUniqueOrThrow({ where: { referenceCode: codes[0]! } });
      const body = JSON.stringify(decryptJson(app.keys.encryptionKey, stored.encryptedPayload, codes[0]!));
      for (const answer of secrets) expect(body).toContain(answer); // every answer reached the report...
      await app.outbox.sweep();
    } finally {
      await app.close();
    }
    const files = await filesUnder(path.join(dataDir, 'pglite'));
    expect(files.length).toBeGreaterThan(10);
    // The scan sees what is stored in clear: the reference code is (it is no secret), so it is found.
    expect(files.some((f) => f.includes(Buffer.from(codes[0]!, 'utf8')))).toBe(true);
    // ...and none of them, nor the secret code, is anywhere in the files.
    for (const needle of [...secrets, codes[1]!]) {
      const bytes = Buffer.from(needle, 'utf8');
      expect(files.some((f) => f.includes(bytes)), `"${needle}" found in the stopped database`).toBe(false);
    }
  });
});

describe('the secret follow-up code', () => {
  it('is shown once: masked in the stored message once delivered, and masked where the person typed it', async () => {
    const { recordingPort } = await import('../../helpers/ports.js');
    const port = recordingPort('test');
    const app = await createTestApp({ ports: [port] });
    try {
      const u = driver(app, 'code-user');
      await u.text('hello');
      await u.choose('lang.en');
      await u.choose('report');
      await u.choose('cat.scam_compound');
      await u.choose('place.unknown');
      await u.choose('no');
      const saved = await u.text('a recruiter on Facebook');
      const code = /Secret code: ([2-9A-Z]{4}-[2-9A-Z]{4})/.exec(saved.texts.join('\n'))![1]!;
      const reference = /(HT-[2-9A-Z]{4}-[2-9A-Z]{4})/.exec(saved.texts.join('\n'))![1]!;
      await app.outbox.sweep();
      expect(port.sent.some((s) => s.message.text.includes(code))).toBe(true); // the person saw it
      const stored = await app.database.prisma.message.findMany({ where: { conversationId: u.conversationId! } });
      const dump = (rows: { text: string | null; payload: unknown }[]) => JSON.stringify(rows.map((m) => [m.text, m.payload]));
      expect(dump(stored)).not.toContain(code);
      expect(dump(stored)).toContain(reference);

      // Following up: the typed code is checked, then only a masked copy is kept.
      await u.text('menu');
      await u.choose('report');
      await u.choose('report.followUp');
      await u.text(reference);
      const found = await u.text(code);
      expect(found.texts.join('\n')).toContain(reference);
      const after = await app.database.prisma.message.findMany({ where: { conversationId: u.conversationId! } });
      expect(dump(after)).not.toContain(code);
    } finally {
      await app.close();
    }
  });
});
