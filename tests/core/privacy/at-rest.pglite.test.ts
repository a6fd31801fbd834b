/**
 * Data at rest against a real (in-memory) PGlite, no HTTP app: the encrypting database client
 * (what is sealed on every kind of write, what reads give back, filters on sealed fields refused),
 * retention windows, and key rotation of every sealed column.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Prisma, type Database, type Db } from '../../../core/db/client.js';
import { encryptAtRest, openPayloadValue, sealPayloadValue } from '../../../core/privacy/encrypted-client.js';
import { isSealed, openText, parseDataKeys, sealText, sealedKeyId } from '../../../core/privacy/field-crypto.js';
import { applyRetention, EMPTY_CONVERSATION_HOURS } from '../../../core/privacy/retention.js';
import { keyUsage, rotateDataKeys } from '../../../core/privacy/rotate.js';
import { decryptJson, encryptJson } from '../../../core/reports/crypto.js';
import { createFastTestDatabase } from '../../helpers/cached-db.js';

const K1 = randomBytes(32).toString('base64');
const ring = parseDataKeys(`k1:${K1}`);
let database: Database;
let raw: Db;
let db: Db;
beforeAll(async () => {
  database = await createFastTestDatabase();
  raw = database.prisma;
  db = encryptAtRest(raw, ring);
}, 120_000);
afterAll(async () => {
  await database?.close();
});

async function wipe() {
  await raw.$executeRawUnsafe(`TRUNCATE "Report", "ReportAddition", "ReportMessage", "Conversation", "Message", "Handoff", "CaseNote", "RiskLabel", "ChannelIdentity", "StaffUser", "ResumeCode", "RateLimit" CASCADE`);
}

let n = 0;
async function conversation(data: Partial<Prisma.ConversationUncheckedCreateInput> = {}) {
  const identity = await db.channelIdentity.create({ data: { channel: 'test', userHash: `u${n++}`, externalUserId: `ext-${n}` } });
  return db.conversation.create({ data: { identityId: identity.id, channel: 'test', machineId: 'main', machineVersion: 1, ...data } });
}
const message = (conversationId: string, data: Partial<Prisma.MessageUncheckedCreateInput> = {}): Prisma.MessageUncheckedCreateInput => ({
  conversationId,
  channel: 'test',
  direction: 'inbound',
  author: 'user',
  kind: 'text',
  status: 'received',
  ...data,
});
const rawText = async (id: string) => (await raw.$queryRawUnsafe<{ text: string | null; payload: unknown }[]>(`SELECT text, payload FROM "Message" WHERE id = $1::uuid`, id))[0]!;

describe('the encrypting client', () => {
  beforeEach(wipe);

  it('seals message text on create, createMany, update (plain and {set}), updateMany and upsert; reads give it back', async () => {
    const c = await conversation();
    const m = await db.message.create({ data: message(c.id, { text: 'created' }) });
    expect((await rawText(m.id)).text).toMatch(/^enc:k1:/);
    expect(m.text).toBe('created');

    await db.message.createMany({ data: [message(c.id, { text: 'many-1' }), message(c.id, { text: 'many-2' })] });
    await db.message.update({ where: { id: m.id }, data: { text: 'updated' } });
    expect((await rawText(m.id)).text).toMatch(/^enc:k1:/);
    expect((await db.message.findUniqueOrThrow({ where: { id: m.id } })).text).toBe('updated');
    await db.message.update({ where: { id: m.id }, data: { text: { set: 'set form' } } });
    expect(openText(ring, (await rawText(m.id)).text!)).toBe('set form');
    await db.message.updateMany({ where: { id: m.id }, data: { text: 'update many' } });
    expect(openText(ring, (await rawText(m.id)).text!)).toBe('update many');
    const id = randomUUIDLike();
    await db.message.upsert({ where: { id }, create: { ...message(c.id, { text: 'upsert create' }), id }, update: { text: 'upsert update' } });
    expect(openText(ring, (await rawText(id)).text!)).toBe('upsert create');
    await db.message.upsert({ where: { id }, create: { ...message(c.id, { text: 'never' }), id }, update: { text: 'upsert update' } });
    expect(openText(ring, (await rawText(id)).text!)).toBe('upsert update');

    const all = await raw.$queryRawUnsafe<{ text: string }[]>(`SELECT text FROM "Message"`);
    expect(all).toHaveLength(4);
    expect(all.every((r) => r.text.startsWith('enc:k1:'))).toBe(true);
    const texts = (await db.message.findMany({ where: { conversationId: c.id } })).map((r) => r.text).sort();
    expect(texts).toEqual(['many-1', 'many-2', 'update many', 'upsert update']);
    // Nested reads are opened too.
    const nested = await db.conversation.findUniqueOrThrow({ where: { id: c.id }, include: { messages: true, identity: true } });
    expect(nested.messages.map((r) => r.text).sort()).toEqual(texts);
    expect(nested.identity.externalUserId).toMatch(/^ext-/);
  });

  it('does not seal a value twice, keeps null text null, and leaves legacy clear text readable', async () => {
    const c = await conversation();
    const already = sealText(ring, 'sealed by the caller');
    const m = await db.message.create({ data: message(c.id, { text: already }) });
    expect((await rawText(m.id)).text).toBe(already);
    expect(m.text).toBe('sealed by the caller');
    const none = await db.message.create({ data: message(c.id, { text: null, kind: 'command' }) });
    expect((await rawText(none.id)).text).toBeNull();
    expect(none.text).toBeNull();
    await raw.message.update({ where: { id: none.id }, data: { text: 'legacy clear' } });
    expect((await db.message.findUniqueOrThrow({ where: { id: none.id } })).text).toBe('legacy clear');
  });

  it('seals a shared location, cards and masked copies inside the payload, and nothing else', async () => {
    const c = await conversation();
    const payload = { location: { latitude: 21.03, longitude: 105.85 }, cards: [{ code: 'ABCD-EFGH' }], maskedText: 'x', maskedCards: [], choice: 'lang.vi' };
    const m = await db.message.create({ data: message(c.id, { kind: 'location', payload }) });
    const stored = (await rawText(m.id)).payload as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual(['choice', 'sealed']);
    expect(stored.choice).toBe('lang.vi');
    expect(JSON.stringify(stored)).not.toContain('105.85');
    expect(JSON.stringify(stored)).not.toContain('ABCD-EFGH');
    expect(m.payload).toEqual(payload);
    expect((await db.message.findUniqueOrThrow({ where: { id: m.id } })).payload).toEqual(payload);

    const plain = await db.message.create({ data: message(c.id, { kind: 'choice', payload: { choice: 'report' } }) });
    expect((await rawText(plain.id)).payload).toEqual({ choice: 'report' });
    const nothing = await db.message.create({ data: message(c.id, { kind: 'choice', payload: Prisma.DbNull }) });
    expect((await rawText(nothing.id)).payload).toBeNull();
    await db.message.update({ where: { id: plain.id }, data: { payload: { location: { latitude: 1, longitude: 2 } } } });
    expect(Object.keys((await rawText(plain.id)).payload as object)).toEqual(['sealed']);
  });

  it('payload helpers for raw SQL: only objects with secret keys change, and open back', () => {
    expect(sealPayloadValue(ring, null)).toBeNull();
    expect(sealPayloadValue(ring, 'text')).toBe('text');
    const list = [{ location: 1 }];
    expect(sealPayloadValue(ring, list)).toBe(list);
    expect(sealPayloadValue(ring, Prisma.JsonNull)).toBe(Prisma.JsonNull);
    expect(sealPayloadValue(ring, Prisma.DbNull)).toBe(Prisma.DbNull);
    expect(sealPayloadValue(ring, Prisma.AnyNull)).toBe(Prisma.AnyNull);
    const plain = { choice: 'x' };
    expect(sealPayloadValue(ring, plain)).toBe(plain);
    for (const k of ['location', 'cards', 'maskedText', 'maskedCards']) {
      const sealed = sealPayloadValue(ring, { [k]: 'secret', keep: 1 }) as Record<string, unknown>;
      expect(Object.keys(sealed).sort()).toEqual(['keep', 'sealed']);
      expect(isSealed(sealed.sealed)).toBe(true);
      expect(openPayloadValue(ring, sealed)).toEqual({ keep: 1, [k]: 'secret' });
    }
    expect(openPayloadValue(ring, null)).toBeNull();
    expect(openPayloadValue(ring, plain)).toBe(plain);
    const notSealed = { sealed: 'clear' };
    expect(openPayloadValue(ring, notSealed)).toBe(notSealed);
  });

  it('seals snapshots (as one sealed JSON string), channel references, platform ids, notes, summaries, labels and report messages', async () => {
    const c = await conversation({ snapshot: { state: 'report', draft: { details: 'Tuấn Béo' } }, channelRef: '{"conversation":"c-1"}' });
    const [row] = await raw.$queryRawUnsafe<{ snapshot: unknown; channelRef: string; externalUserId: string }[]>(
      `SELECT c.snapshot, c."channelRef", i."externalUserId" FROM "Conversation" c JOIN "ChannelIdentity" i ON i.id = c."identityId" WHERE c.id = $1::uuid`,
      c.id,
    );
    expect(typeof row!.snapshot).toBe('string');
    expect(sealedKeyId(row!.snapshot as string)).toBe('k1');
    expect(sealedKeyId(row!.channelRef)).toBe('k1');
    expect(sealedKeyId(row!.externalUserId)).toBe('k1');
    const back = await db.conversation.findUniqueOrThrow({ where: { id: c.id } });
    expect(back.snapshot).toEqual({ state: 'report', draft: { details: 'Tuấn Béo' } });
    expect(back.channelRef).toBe('{"conversation":"c-1"}');
    // A snapshot written already sealed, or cleared, is stored as it is.
    const sealedSnapshot = sealText(ring, JSON.stringify({ s: 1 }));
    await db.conversation.update({ where: { id: c.id }, data: { snapshot: sealedSnapshot } });
    expect((await db.conversation.findUniqueOrThrow({ where: { id: c.id } })).snapshot).toEqual({ s: 1 });
    await db.conversation.update({ where: { id: c.id }, data: { snapshot: Prisma.DbNull, channelRef: null } });
    const cleared = await db.conversation.findUniqueOrThrow({ where: { id: c.id } });
    expect(cleared.snapshot).toBeNull();
    expect(cleared.channelRef).toBeNull();
    await raw.conversation.update({ where: { id: c.id }, data: { snapshot: { legacy: true } } });
    expect((await db.conversation.findUniqueOrThrow({ where: { id: c.id } })).snapshot).toEqual({ legacy: true });

    const staff = await raw.staffUser.create({ data: { email: `s${n++}@x.vn`, displayName: 'S', role: 'counsellor', passwordHash: 'x' } });
    const handoff = await db.handoff.create({ data: { conversationId: c.id, summary: 'người báo bị giữ', priority: 1, level: 'high', categories: [], reason: 'risk', slaDueAt: new Date() } });
    await db.caseNote.create({ data: { handoffId: handoff.id, authorId: staff.id, text: 'ghi chú nội bộ' } });
    const m = await db.message.create({ data: message(c.id, { text: 'hi' }) });
    await db.riskLabel.create({ data: { conversationId: c.id, messageId: m.id, verdict: 'correct', level: 'high', detectedLevel: 'high', text: 'nhãn', authorId: staff.id } as never });
    const report = await raw.report.create({ data: { referenceCode: 'HT-AAAA-BBBB', followUpHash: 'x', category: 'other', referralTargets: [], encryptedPayload: 'x', channel: 'test' } });
    await db.reportMessage.create({ data: { reportId: report.id, author: 'staff', text: 'lời nhắn' } });
    for (const [table, column] of [['Handoff', 'summary'], ['CaseNote', 'text'], ['RiskLabel', 'text'], ['ReportMessage', 'text']] as const) {
      const [r] = await raw.$queryRawUnsafe<{ v: string }[]>(`SELECT "${column}" AS v FROM "${table}"`);
      expect(sealedKeyId(r!.v), `${table}.${column}`).toBe('k1');
    }
    expect((await db.handoff.findFirstOrThrow()).summary).toBe('người báo bị giữ');
    expect((await db.caseNote.findFirstOrThrow()).text).toBe('ghi chú nội bộ');
    expect((await db.riskLabel.findFirstOrThrow()).text).toBe('nhãn');
    expect((await db.reportMessage.findFirstOrThrow()).text).toBe('lời nhắn');
    await db.handoff.update({ where: { id: handoff.id }, data: { summary: null } });
    expect((await db.handoff.findFirstOrThrow()).summary).toBeNull();
  });

  it('refuses to filter on a sealed field, wherever it is in the where clause', async () => {
    const c = await conversation();
    await db.message.create({ data: message(c.id, { text: 'hello' }) });
    await expect(db.message.findMany({ where: { text: 'hello' } })).rejects.toThrow('"text" is stored sealed and cannot be filtered on');
    await expect(db.message.findMany({ where: { OR: [{ kind: 'x' }, { text: 'hello' }] } })).rejects.toThrow(/"text" is stored sealed/);
    await expect(db.conversation.findMany({ where: { messages: { some: { text: { contains: 'he' } } } } })).rejects.toThrow(/"text" is stored sealed/);
    await expect(db.channelIdentity.findFirst({ where: { externalUserId: 'ext-1' } })).rejects.toThrow(/"externalUserId"/);
    await expect(db.conversation.findFirst({ where: { channelRef: { not: null } } })).rejects.toThrow(/"channelRef"/);
    await expect(db.conversation.findFirst({ where: { snapshot: { equals: Prisma.DbNull } } })).rejects.toThrow(/"snapshot"/);
    await expect(db.handoff.findFirst({ where: { summary: 'x' } })).rejects.toThrow(/"summary"/);
    await expect(db.message.updateMany({ where: { text: 'hello' }, data: { kind: 'x' } })).rejects.toThrow(/"text"/);
    await expect(db.message.deleteMany({ where: { AND: [{ text: 'hello' }] } })).rejects.toThrow(/"text"/);
    // Filters on other fields work (null values and dates included).
    expect(await db.message.count({ where: { conversationId: c.id, kind: 'text', channelMessageId: null, createdAt: { lt: new Date('2100-01-01') } } })).toBe(1);
    expect(await db.message.count({ where: { OR: [{ kind: 'text' }, { kind: 'x' }] } })).toBe(1);
  });
});

function randomUUIDLike(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

describe('retention', () => {
  beforeEach(wipe);
  const DAY = 24 * 3600_000;
  const now = new Date('2026-06-01T00:00:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const withContent = async (status: 'bot' | 'queued' | 'counsellor' | 'closed', lastActivityAt: Date) => {
    const c = await conversation({ status, lastActivityAt });
    await db.message.create({ data: message(c.id, { text: 'em cần giúp' }) });
    return c.id;
  };

  it('erases bot and closed conversations past the limit, keeps queued, counsellor-held and recent ones', async () => {
    const oldBot = await withContent('bot', ago(31 * DAY));
    const oldClosed = await withContent('closed', ago(30 * DAY + 1));
    const oldQueued = await withContent('queued', ago(90 * DAY));
    const oldHeld = await withContent('counsellor', ago(90 * DAY));
    const recent = await withContent('bot', ago(30 * DAY - 60_000));
    const atLimit = await withContent('closed', ago(30 * DAY));
    const result = await applyRetention(db, 30, now);
    expect(result.conversations).toBe(2);
    const left = (await db.conversation.findMany({ select: { id: true } })).map((c) => c.id).sort();
    expect(left).toEqual([oldQueued, oldHeld, recent, atLimit].sort());
    expect(left).not.toContain(oldBot);
    expect(left).not.toContain(oldClosed);
    expect(await db.message.count()).toBe(4);
    // Their identities (with the raw platform id) went too; the others stay.
    expect(result.identities).toBe(2);
    expect(await db.channelIdentity.count()).toBe(4);
  });

  it(`erases conversations without anything the user said after ${EMPTY_CONVERSATION_HOURS} hours`, async () => {
    expect(EMPTY_CONVERSATION_HOURS).toBe(24);
    const empty = await conversation({ status: 'bot', lastActivityAt: ago(25 * 3600_000) });
    const onlyCommand = await conversation({ status: 'closed', lastActivityAt: ago(25 * 3600_000) });
    await db.message.create({ data: message(onlyCommand.id, { kind: 'command', text: '/start' }) });
    const onlyBot = await conversation({ status: 'bot', lastActivityAt: ago(25 * 3600_000) });
    await db.message.create({ data: message(onlyBot.id, { direction: 'outbound', author: 'bot', status: 'sent', text: 'xin chào' }) });
    const youngEmpty = await conversation({ status: 'bot', lastActivityAt: ago(23 * 3600_000) });
    const queuedEmpty = await conversation({ status: 'queued', lastActivityAt: ago(48 * 3600_000) });
    const spoke = await withContent('bot', ago(48 * 3600_000));
    const result = await applyRetention(db, 30, now);
    expect(result.conversations).toBe(3);
    const left = (await db.conversation.findMany({ select: { id: true } })).map((c) => c.id).sort();
    expect(left).toEqual([youngEmpty.id, queuedEmpty.id, spoke].sort());
    expect(left).not.toContain(empty.id);
  });

  it('keeps submitted reports (unlinked), drops expired resume codes only', async () => {
    const old = await withContent('closed', ago(40 * DAY));
    const report = await raw.report.create({ data: { referenceCode: 'HT-CCCC-DDDD', followUpHash: 'x', category: 'other', referralTargets: [], encryptedPayload: 'x', channel: 'test', conversationId: old } });
    await raw.resumeCode.createMany({ data: [{ id: 'expired', conversationId: 'c', expiresAt: ago(1) }, { id: 'live', conversationId: 'c', expiresAt: new Date(now.getTime() + 1) }, { id: 'now', conversationId: 'c', expiresAt: now }] });
    await applyRetention(db, 30, now);
    expect(await db.conversation.count()).toBe(0);
    const kept = await raw.report.findUniqueOrThrow({ where: { id: report.id } });
    expect(kept.conversationId).toBeNull();
    expect((await raw.resumeCode.findMany({ orderBy: { id: 'asc' } })).map((r) => r.id)).toEqual(['live', 'now']);
  });

  it('defaults to the current time', async () => {
    const c = await conversation({ status: 'bot', lastActivityAt: new Date(Date.now() - 2 * DAY) });
    await db.message.create({ data: message(c.id, { text: 'x' }) });
    expect((await applyRetention(db, 1)).conversations).toBe(1);
  });
});

describe('key rotation', () => {
  beforeEach(wipe);
  const K2 = randomBytes(32).toString('base64');
  const rotated = parseDataKeys(`k2:${K2},k1:${K1}`);
  const legacyKey = randomBytes(32);
  const keys = { ...rotated, legacy: legacyKey };
  /** A report body in the pre-keyring format ("v1.<iv>.<tag>.<body>" under the legacy report key). */
  const legacyBody = (value: unknown, aad: string) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', legacyKey, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  };

  it('re-seals every sealed column, snapshot, payload and report body with the current key, in batches', async () => {
    // Written under k1 (and some legacy forms), before k2 became current.
    const convs = [];
    for (let i = 0; i < 3; i++) {
      const c = await conversation({ snapshot: { step: i }, channelRef: `{"c":"${i}"}` });
      await db.message.create({ data: message(c.id, { text: `m${i}`, payload: { location: { latitude: i, longitude: i } } }) });
      convs.push(c);
    }
    await raw.message.create({ data: message(convs[0]!.id, { text: 'legacy clear text' }) });
    await raw.conversation.update({ where: { id: convs[1]!.id }, data: { snapshot: { legacy: 'clear snapshot' } } });
    const r1 = await raw.report.create({ data: { referenceCode: 'HT-EEEE-FFFF', followUpHash: 'x', category: 'other', referralTargets: [], encryptedPayload: legacyBody({ details: 'old body' }, 'HT-EEEE-FFFF'), channel: 'test' } });
    const r2 = await raw.report.create({ data: { referenceCode: 'HT-GGGG-HHHH', followUpHash: 'x', category: 'other', referralTargets: [], encryptedPayload: encryptJson(keys, { details: 'k1 body' }, 'HT-GGGG-HHHH'), channel: 'test' } });
    // (encryptJson above used k2 already: re-write it under k1.)
    await raw.report.update({ where: { id: r2.id }, data: { encryptedPayload: encryptJson(ring, { details: 'k1 body' }, 'HT-GGGG-HHHH') } });
    await raw.reportAddition.create({ data: { reportId: r1.id, encryptedPayload: encryptJson(ring, { text: 'addition' }, 'HT-EEEE-FFFF'), channel: 'test' } });
    const staff = await raw.staffUser.create({ data: { email: 'totp@x.vn', displayName: 'T', role: 'admin', passwordHash: 'x' } });
    await raw.staffUser.update({ where: { id: staff.id }, data: { totpSecret: encryptJson(ring, 'JBSWY3DPEHPK3PXP', `totp:${staff.id}`) } });

    const before = await keyUsage(raw, rotated);
    expect(before).toEqual({ k1: 3 /* identities */ + 3 /* channel refs */ + 3 /* texts */ + 1 /* report */ + 1 /* addition */ + 1 /* totp */, clear: 1, v1: 1 });

    const batches: [string, number][] = [];
    const result = await rotateDataKeys(raw, keys, { batchSize: 2, onBatch: (where, count) => batches.push([where, count]) });
    expect(result.skipped).toBe(0);
    expect(result.resealed).toEqual({
      'Message.text': 4,
      'ChannelIdentity.externalUserId': 3,
      'Conversation.channelRef': 3,
      'Report.encryptedPayload': 2,
      'ReportAddition.encryptedPayload': 1,
      'StaffUser.totpSecret': 1,
      'Conversation.snapshot': 3,
      'Message.payload': 3,
    });
    // Batches of two: no batch reports more than two, empty ones are not reported.
    expect(batches.every(([, count]) => count > 0 && count <= 2)).toBe(true);
    expect(batches.filter(([w]) => w === 'Message.text').map(([, c]) => c)).toEqual([2, 2]);
    expect(await keyUsage(raw, rotated)).toEqual({ k2: 14 });

    // Everything reads back the same, now with k2 alone.
    const onlyK2 = parseDataKeys(`k2:${K2}`);
    const after = encryptAtRest(raw, onlyK2);
    expect((await after.message.findMany()).map((m) => m.text).sort()).toEqual(['legacy clear text', 'm0', 'm1', 'm2']);
    expect((await after.message.findMany()).map((m) => m.payload).filter(Boolean)).toHaveLength(3);
    expect((await after.conversation.findMany()).map((c) => c.snapshot)).toEqual(expect.arrayContaining([{ step: 0 }, { legacy: 'clear snapshot' }, { step: 2 }]));
    expect((await after.conversation.findMany()).map((c) => c.channelRef).sort()).toEqual(['{"c":"0"}', '{"c":"1"}', '{"c":"2"}']);
    const reports = await raw.report.findMany({ orderBy: { referenceCode: 'asc' } });
    expect(reports.map((r) => decryptJson(onlyK2, r.encryptedPayload, r.referenceCode))).toEqual([{ details: 'old body' }, { details: 'k1 body' }]);
    const addition = await raw.reportAddition.findFirstOrThrow();
    expect(decryptJson(onlyK2, addition.encryptedPayload, 'HT-EEEE-FFFF')).toEqual({ text: 'addition' });
    const user = await raw.staffUser.findUniqueOrThrow({ where: { id: staff.id } });
    expect(decryptJson(onlyK2, user.totpSecret!, `totp:${staff.id}`)).toBe('JBSWY3DPEHPK3PXP');
    const [payload] = await raw.$queryRawUnsafe<{ s: string }[]>(`SELECT payload->>'sealed' AS s FROM "Message" WHERE payload IS NOT NULL LIMIT 1`);
    expect(sealedKeyId(payload!.s)).toBe('k2');

    // A second run finds nothing to do.
    const again = await rotateDataKeys(raw, keys);
    expect(again).toEqual({ resealed: {}, skipped: 0 });
  });

  it('a report body bound to another reference cannot be rotated into this one', async () => {
    await raw.report.create({ data: { referenceCode: 'HT-JJJJ-KKKK', followUpHash: 'x', category: 'other', referralTargets: [], encryptedPayload: encryptJson(ring, { moved: true }, 'HT-MMMM-NNNN'), channel: 'test' } });
    await expect(rotateDataKeys(raw, keys)).rejects.toThrow();
  });
});
