/**
 * More of data at rest against a real database: the bulk writes that return rows seal too, a
 * JSON-null snapshot is left alone by rotation, and a cleared text stays cleared.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma, type Database, type Db } from '../../../core/db/client.js';
import { encryptAtRest } from '../../../core/privacy/encrypted-client.js';
import { openText, parseDataKeys, sealedKeyId } from '../../../core/privacy/field-crypto.js';
import { rotateDataKeys } from '../../../core/privacy/rotate.js';
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

const conversation = async (data: Partial<Prisma.ConversationUncheckedCreateInput> = {}) => {
  const identity = await db.channelIdentity.create({ data: { channel: 'test', userHash: randomBytes(8).toString('hex') } });
  return db.conversation.create({ data: { identityId: identity.id, channel: 'test', machineId: 'main', machineVersion: 1, ...data } });
};
const message = (conversationId: string, text: string | null): Prisma.MessageUncheckedCreateInput => ({ conversationId, channel: 'test', direction: 'inbound', author: 'user', kind: 'text', status: 'received', text });
const storedTexts = async (conversationId: string) =>
  (await raw.$queryRawUnsafe<{ text: string | null }[]>(`SELECT text FROM "Message" WHERE "conversationId" = $1::uuid ORDER BY seq`, conversationId)).map((r) => r.text);

describe('bulk writes that return rows', () => {
  it('createManyAndReturn and updateManyAndReturn seal the text and return it opened', async () => {
    const c = await conversation();
    const created = await db.message.createManyAndReturn({ data: [message(c.id, 'một'), message(c.id, 'hai')] });
    expect(created.map((m) => m.text).sort()).toEqual(['hai', 'một']);
    expect((await storedTexts(c.id)).every((t) => sealedKeyId(t!) === 'k1')).toBe(true);
    const updated = await db.message.updateManyAndReturn({ where: { conversationId: c.id }, data: { text: 'ba' } });
    expect(updated.map((m) => m.text)).toEqual(['ba', 'ba']);
    const stored = await storedTexts(c.id);
    expect(stored.every((t) => t !== 'ba' && openText(ring, t!) === 'ba')).toBe(true);
  });

  it('a text cleared with {set: null} stays null', async () => {
    const c = await conversation();
    const m = await db.message.create({ data: message(c.id, 'xoá tôi') });
    await db.message.update({ where: { id: m.id }, data: { text: { set: null } } });
    expect(await storedTexts(c.id)).toEqual([null]);
    expect((await db.message.findUniqueOrThrow({ where: { id: m.id } })).text).toBeNull();
  });
});

describe('rotation', () => {
  it('leaves JSON-null and absent snapshots alone', async () => {
    const jsonNull = await conversation({ snapshot: Prisma.JsonNull });
    const none = await conversation();
    const rotated = parseDataKeys(`k2:${randomBytes(32).toString('base64')},k1:${K1}`);
    const result = await rotateDataKeys(raw, rotated);
    expect(result.resealed['Conversation.snapshot'] ?? 0).toBe(0);
    const rows = await raw.$queryRawUnsafe<{ id: string; kind: string | null }[]>(`SELECT id::text AS id, jsonb_typeof(snapshot) AS kind FROM "Conversation" WHERE id IN ($1::uuid, $2::uuid)`, jsonNull.id, none.id);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.kind]))).toEqual({ [jsonNull.id]: 'null', [none.id]: null });
  });
});
