/**
 * Counsellor labels (core/risk/labels.ts) on a real PGlite database with the real at-rest sealing:
 * which message an escalation label is about, who may label, how the level follows the verdict,
 * missed risks, one label per message and author, the text kept sealed, and the export as training
 * TSV outside the repository. The chats are written as rows (no runtime), so the tests are about the
 * labels and a run stays short.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Db } from '../../../core/db/client.js';
import { encryptAtRest } from '../../../core/privacy/encrypted-client.js';
import { deriveKeys } from '../../../core/privacy/secrets.js';
import { exportLabels, labelEscalation, labelMissedRisk } from '../../../core/risk/labels.js';
import type { RiskLevelName } from '../../../core/risk/types.js';
import { createTestDatabase } from '../../helpers/db.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');

describe('risk labels', () => {
  let database: Database;
  let sealed: Db;
  let dir: string;
  let lan: string;
  let minh: string;
  let n = 0;
  beforeAll(async () => {
    database = await createTestDatabase();
    sealed = encryptAtRest(database.prisma, deriveKeys(randomBytes(32).toString('base64url')).dataKeys);
    dir = await mkdtemp(path.join(tmpdir(), 'hotline-labels-unit-'));
    const staff = async (email: string) => (await sealed.staffUser.create({ data: { email, displayName: email, role: 'counsellor', passwordHash: 'not-used' } })).id;
    lan = await staff('labels-lan@111.vn');
    minh = await staff('labels-minh@111.vn');
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const db = () => sealed;
  const at = (seconds: number) => new Date(T0 + seconds * 1000);
  const chat = async () => {
    const identity = await db().channelIdentity.create({ data: { channel: 'test', userHash: `labels-${++n}` } });
    const conversation = await db().conversation.create({ data: { identityId: identity.id, channel: 'test', machineId: 'main', machineVersion: 1 } });
    const id = conversation.id;
    return {
      id,
      /** A message the person typed, with the risk event the detector wrote for it (none: no event). */
      says: async (text: string | null, level: RiskLevelName, seconds: number, kind = 'text') => {
        const m = await db().message.create({ data: { conversationId: id, channel: 'test', direction: 'inbound', author: 'user', kind, text, status: 'received', createdAt: at(seconds) } });
        if (level !== 'none') await db().riskEvent.create({ data: { conversationId: id, messageId: m.id, level, categories: ['trafficking'], source: 'rules', createdAt: at(seconds) } });
        return m.id;
      },
      botSays: async (text: string) => (await db().message.create({ data: { conversationId: id, channel: 'test', direction: 'outbound', author: 'bot', kind: 'text', text, status: 'pending' } })).id,
      handoff: async (level: RiskLevelName, seconds: number, holder?: string) =>
        (
          await db().handoff.create({
            data: { conversationId: id, priority: 2, level, categories: [], reason: 'risk', slaDueAt: at(seconds + 120), createdAt: at(seconds), ...(holder ? { state: 'claimed', counsellorId: holder } : {}) },
          })
        ).id,
    };
  };
  /** A chat escalated by `text` at `level` (second 10), with earlier messages first. */
  const escalated = async (before: [string, RiskLevelName][], text: string, level: RiskLevelName, holder?: string) => {
    const c = await chat();
    const earlier = [];
    for (const [i, [t, l]] of before.entries()) earlier.push(await c.says(t, l, i + 1));
    const messageId = await c.says(text, level, 10);
    const handoffId = await c.handoff(level, 10, holder);
    return { conversationId: c.id, messageId, earlier, handoffId, chat: c };
  };

  describe('an escalation, judged by the counsellor holding it', () => {
    it('only the holder or a supervisor may label; an unknown chat is not found', async () => {
      const { handoffId } = await escalated([], 'they keep my passport', 'high', lan);
      await expect(labelEscalation(db(), { handoffId: '00000000-0000-4000-8000-000000000000', actorId: lan, asSupervisor: true, verdict: 'right' })).rejects.toMatchObject({
        code: 'HANDOFF_NOT_FOUND',
        httpStatus: 404,
      });
      await expect(labelEscalation(db(), { handoffId, actorId: minh, asSupervisor: false, verdict: 'right' })).rejects.toMatchObject({ code: 'HANDOFF_NOT_OWNER', httpStatus: 403 });
      expect(await labelEscalation(db(), { handoffId, actorId: lan, asSupervisor: false, verdict: 'right' })).toMatchObject({ level: 'high', detectedLevel: 'high' });
      expect(await labelEscalation(db(), { handoffId, actorId: minh, asSupervisor: true, verdict: 'right' })).toMatchObject({ level: 'high', detectedLevel: 'high' });
      expect(await db().riskLabel.count({ where: { handoffId } })).toBe(2);
      // A chat nobody holds: only a supervisor.
      const waiting = await escalated([], 'they keep my passport', 'high');
      await expect(labelEscalation(db(), { handoffId: waiting.handoffId, actorId: lan, asSupervisor: false, verdict: 'right' })).rejects.toMatchObject({ code: 'HANDOFF_NOT_OWNER' });
    });

    it('a chat the person asked for (no risky message) has nothing to label', async () => {
      const c = await chat();
      await c.says('I want to talk to someone', 'none', 1);
      const handoffId = await c.handoff('none', 2);
      await expect(labelEscalation(db(), { handoffId, actorId: lan, asSupervisor: true, verdict: 'right' })).rejects.toMatchObject({ code: 'NOTHING_TO_LABEL', httpStatus: 409 });
    });

    it('is about the riskiest message up to the handoff, not a later one nor a flow event', async () => {
      const { conversationId, messageId, earlier, handoffId } = await escalated(
        [
          ['a job abroad', 'elevated'],
          ['they want a deposit', 'elevated'],
        ],
        'they keep my passport',
        'high',
      );
      // Written after the handoff (beyond its second), or not by a message: neither counts.
      await db().riskEvent.create({ data: { conversationId, messageId: earlier[0]!, level: 'emergency', categories: [], source: 'rules', createdAt: at(15) } });
      await db().riskEvent.create({ data: { conversationId, messageId: null, level: 'emergency', categories: [], source: 'flow', createdAt: at(10) } });
      // Another chat's events do not count either.
      const other = await escalated([], 'help now', 'emergency');
      expect(other.conversationId).not.toBe(conversationId);
      const label = await labelEscalation(db(), { handoffId, actorId: lan, asSupervisor: true, verdict: 'right' });
      expect(label).toMatchObject({ level: 'high', detectedLevel: 'high' });
      const row = await db().riskLabel.findUniqueOrThrow({ where: { id: label.id } });
      expect(row).toMatchObject({ messageId, conversationId, handoffId, verdict: 'right', authorId: lan, text: 'they keep my passport' });
      // Stored sealed.
      const raw = await database.prisma.$queryRawUnsafe<{ text: string }[]>(`SELECT text FROM "RiskLabel" WHERE id = '${label.id}'`);
      expect(raw[0]!.text).toMatch(/^enc:/);
      // Within a second of the handoff still counts (the event and the handoff are written in one turn).
      await db().riskEvent.create({ data: { conversationId, messageId: earlier[1]!, level: 'emergency', categories: [], source: 'rules', createdAt: at(10.9) } });
      const again = await labelEscalation(db(), { handoffId, actorId: lan, asSupervisor: true, verdict: 'right' });
      expect(again).toMatchObject({ level: 'emergency', detectedLevel: 'emergency' });
      expect(await db().riskLabel.findUniqueOrThrow({ where: { id: again.id } })).toMatchObject({ messageId: earlier[1], text: 'they want a deposit' });
    });

    it('the riskiest wins over the latest: an elevated message after the high one is not the one', async () => {
      const c = await chat();
      const high = await c.says('they keep my passport', 'high', 1);
      await c.says('they want a deposit', 'elevated', 2);
      const handoffId = await c.handoff('high', 3);
      const label = await labelEscalation(db(), { handoffId, actorId: lan, asSupervisor: true, verdict: 'right' });
      expect(await db().riskLabel.findUniqueOrThrow({ where: { id: label.id } })).toMatchObject({ messageId: high, level: 'high' });
    });

    it('the level follows the verdict: one step by default, or the level given if it fits the verdict', async () => {
      const { handoffId } = await escalated([], 'they keep my passport', 'high');
      const label = (verdict: 'right' | 'too_high' | 'too_low', level?: RiskLevelName) =>
        labelEscalation(db(), { handoffId, actorId: lan, asSupervisor: true, verdict, ...(level ? { level } : {}) });
      expect(await label('too_high')).toMatchObject({ level: 'elevated', detectedLevel: 'high' });
      expect(await label('too_low')).toMatchObject({ level: 'emergency', detectedLevel: 'high' });
      expect(await label('too_high', 'none')).toMatchObject({ level: 'none' });
      expect((await db().riskLabel.findMany({ where: { handoffId } }))[0]).toMatchObject({ verdict: 'too_high', level: 'none' });
      expect(await label('right', 'none')).toMatchObject({ level: 'high' }); // "right" keeps what was detected
      await expect(label('too_high', 'high')).rejects.toMatchObject({ code: 'BAD_INPUT', httpStatus: 400, message: expect.stringContaining('lower') });
      await expect(label('too_high', 'emergency')).rejects.toMatchObject({ code: 'BAD_INPUT' });
      await expect(label('too_low', 'high')).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('higher') });
      await expect(label('too_low', 'elevated')).rejects.toMatchObject({ code: 'BAD_INPUT' });
      // One label per message and author: the latest judgement replaces the earlier one.
      const rows = await db().riskLabel.findMany({ where: { handoffId } });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ verdict: 'right', level: 'high', detectedLevel: 'high' });
    });

    it('an emergency cannot be "too low" (there is nothing higher); "too high" steps it down to high; elevated "too high" is none', async () => {
      const top = await escalated([], 'help me now', 'emergency');
      await expect(labelEscalation(db(), { handoffId: top.handoffId, actorId: lan, asSupervisor: true, verdict: 'too_low' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
      expect(await labelEscalation(db(), { handoffId: top.handoffId, actorId: lan, asSupervisor: true, verdict: 'too_high' })).toMatchObject({ level: 'high', detectedLevel: 'emergency' });
      const low = await escalated([], 'a job abroad', 'elevated');
      expect(await labelEscalation(db(), { handoffId: low.handoffId, actorId: lan, asSupervisor: true, verdict: 'too_high' })).toMatchObject({ level: 'none', detectedLevel: 'elevated' });
    });
  });

  describe('a missed risk, marked by a supervisor', () => {
    it('on what the person typed: with the level the detector gave (none when it saw nothing)', async () => {
      const c = await chat();
      const quiet = await c.says('my boss keeps all our phones', 'none', 1);
      const seen = await c.says('the broker asked for money', 'elevated', 2);
      const missed = await labelMissedRisk(db(), { messageId: quiet, actorId: minh, level: 'high' });
      expect(missed).toMatchObject({ level: 'high', detectedLevel: 'none' });
      expect(await db().riskLabel.findUniqueOrThrow({ where: { id: missed.id } })).toMatchObject({ verdict: 'missed', handoffId: null, text: 'my boss keeps all our phones', conversationId: c.id, authorId: minh });
      expect(await labelMissedRisk(db(), { messageId: seen, actorId: minh, level: 'high' })).toMatchObject({ level: 'high', detectedLevel: 'elevated' });
      // The latest event of the message gives the level.
      await db().riskEvent.create({ data: { conversationId: c.id, messageId: seen, level: 'high', categories: [], source: 'rules', createdAt: at(60) } });
      expect(await labelMissedRisk(db(), { messageId: seen, actorId: minh, level: 'emergency' })).toMatchObject({ level: 'emergency', detectedLevel: 'high' });
    });

    it('not on a message that does not exist, that the bot sent or the system wrote, or that has no words', async () => {
      await expect(labelMissedRisk(db(), { messageId: '00000000-0000-4000-8000-000000000000', actorId: minh, level: 'high' })).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND', httpStatus: 404 });
      const c = await chat();
      await expect(labelMissedRisk(db(), { messageId: await c.botSays('Welcome'), actorId: minh, level: 'high' })).rejects.toMatchObject({ code: 'BAD_INPUT', httpStatus: 400 });
      const system = await db().message.create({ data: { conversationId: c.id, channel: 'test', direction: 'inbound', author: 'system', kind: 'text', text: 'note', status: 'received' } });
      await expect(labelMissedRisk(db(), { messageId: system.id, actorId: minh, level: 'high' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
      await expect(labelMissedRisk(db(), { messageId: await c.says(null, 'none', 3, 'choice'), actorId: minh, level: 'high' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
      await expect(labelMissedRisk(db(), { messageId: await c.says('', 'none', 4), actorId: minh, level: 'high' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
      expect(await db().riskLabel.count({ where: { conversationId: c.id } })).toBe(0);
    });
  });

  describe('export', () => {
    it('writes level<TAB>text per message (the latest label wins), one line each, private, and only outside the repository', async () => {
      await expect(exportLabels(db(), path.join(process.cwd(), 'labels.tsv'))).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('outside the repository') });
      await expect(exportLabels(db(), path.join(process.cwd(), 'tests', 'x', 'labels.tsv'))).rejects.toMatchObject({ code: 'BAD_INPUT' });
      const c = await chat();
      const multi = await c.says('they took\tour\r\npassports ', 'none', 1);
      await labelMissedRisk(db(), { messageId: multi, actorId: lan, level: 'elevated' });
      await labelMissedRisk(db(), { messageId: multi, actorId: minh, level: 'high' });
      const file = path.join(dir, 'labels.tsv');
      const result = await exportLabels(db(), file);
      expect(result.file).toBe(path.resolve(file));
      const text = await readFile(file, 'utf8');
      const [header, ...rest] = text.split('\n');
      expect(header).toMatch(/^# counsellor labels exported \d{4}-\d\d-\d\dT.*keep this file private/);
      const lines = rest.filter(Boolean);
      expect(lines).toHaveLength(result.count);
      expect(result.count).toBe(await db().riskLabel.groupBy({ by: ['messageId'] }).then((g) => g.length));
      expect(lines.every((l) => /^(none|elevated|high|emergency)\t[^\t]+$/.test(l))).toBe(true);
      expect(lines.filter((l) => l.includes('they took our passports'))).toEqual(['high\tthey took our passports']);
      expect(text.endsWith('\n')).toBe(true);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });

    it('with no labels: the header alone', async () => {
      const empty = await createTestDatabase();
      try {
        const file = path.join(dir, 'none.tsv');
        expect(await exportLabels(empty.prisma, file)).toEqual({ count: 0, file });
        const text = await readFile(file, 'utf8');
        expect(text.split('\n')).toHaveLength(2);
        expect(text.startsWith('# counsellor labels exported')).toBe(true);
        expect(text.endsWith('\n')).toBe(true);
      } finally {
        await empty.close();
      }
    });
  });
});
