/**
 * Counsellor labels (core/risk/labels.ts) on a real PGlite database: which message an escalation
 * label is about, who may label, how the level follows the verdict, missed risks, one label per
 * message and author, the text kept sealed, and the export as training TSV outside the repository.
 * A scripted detector gives each message a known level, so these tests are about the labels.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../console/auth/passwords.js';
import { exportLabels, labelEscalation, labelMissedRisk } from '../../../core/risk/labels.js';
import { NO_RISK, type RiskAssessment, type RiskDetector, type RiskLevelName } from '../../../core/risk/types.js';
import { choiceFrom, createTestApp, textFrom, type TestApp } from '../../helpers/app.js';

const scripted: RiskDetector = {
  assess(text: string): RiskAssessment {
    const level = /^(elevated|high|emergency)\b/.exec(text)?.[1] as RiskLevelName | undefined;
    return level ? { level, categories: ['trafficking'], matches: [] } : NO_RISK;
  },
};

describe('risk labels', () => {
  let app: TestApp;
  let dir: string;
  let clockMs = Date.parse('2026-12-01T10:00:00Z');
  let lan: string;
  let minh: string;
  beforeAll(async () => {
    app = await createTestApp({ detector: scripted, clock: () => new Date(clockMs) });
    dir = await mkdtemp(path.join(tmpdir(), 'hotline-labels-unit-'));
    const staff = async (email: string) =>
      (await app.database.prisma.staffUser.create({ data: { email, displayName: email, role: 'counsellor', passwordHash: await hashPassword('a-long-enough-password') } })).id;
    lan = await staff('labels-lan@111.vn');
    minh = await staff('labels-minh@111.vn');
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const db = () => app.database.prisma;
  /** A chat escalated by `text` (after the language choice), with earlier messages first. */
  const escalated = async (user: string, before: string[], text: string) => {
    await app.runtime.handleTurn(textFrom(user, 'hello'));
    await app.runtime.handleTurn(choiceFrom(user, 'lang.en'));
    const earlier = [];
    for (const t of before) {
      clockMs += 1000;
      earlier.push(await app.runtime.handleTurn(textFrom(user, t)));
    }
    clockMs += 1000;
    const turn = await app.runtime.handleTurn(textFrom(user, text));
    expect(turn.handoffId).toBeDefined();
    return { turn, earlier, handoffId: turn.handoffId! };
  };

  describe('an escalation, judged by the counsellor holding it', () => {
    it('only the holder or a supervisor may label; an unknown chat is not found', async () => {
      const { handoffId } = await escalated('lab-who', [], 'high: they keep my passport');
      await db().handoff.update({ where: { id: handoffId }, data: { state: 'claimed', counsellorId: lan } });
      await expect(labelEscalation(db(), { handoffId: '00000000-0000-4000-8000-000000000000', actorId: lan, asSupervisor: true, verdict: 'right' })).rejects.toMatchObject({
        code: 'HANDOFF_NOT_FOUND',
        httpStatus: 404,
      });
      await expect(labelEscalation(db(), { handoffId, actorId: minh, asSupervisor: false, verdict: 'right' })).rejects.toMatchObject({ code: 'HANDOFF_NOT_OWNER', httpStatus: 403 });
      expect(await labelEscalation(db(), { handoffId, actorId: lan, asSupervisor: false, verdict: 'right' })).toMatchObject({ level: 'high', detectedLevel: 'high' });
      expect(await labelEscalation(db(), { handoffId, actorId: minh, asSupervisor: true, verdict: 'right' })).toMatchObject({ level: 'high', detectedLevel: 'high' });
      expect(await db().riskLabel.count({ where: { handoffId } })).toBe(2);
    });

    it('a chat the person asked for (no risky message) has nothing to label', async () => {
      await app.runtime.handleTurn(textFrom('lab-asked', 'hello'));
      await app.runtime.handleTurn(choiceFrom('lab-asked', 'lang.en'));
      const asked = await app.runtime.handleTurn(choiceFrom('lab-asked', 'counsellor'));
      await expect(labelEscalation(db(), { handoffId: asked.handoffId!, actorId: lan, asSupervisor: true, verdict: 'right' })).rejects.toMatchObject({
        code: 'NOTHING_TO_LABEL',
        httpStatus: 409,
      });
    });

    it('is about the riskiest message up to the handoff, not a later one nor a flow event', async () => {
      const { turn, earlier, handoffId } = await escalated('lab-which', ['elevated: a job abroad', 'elevated: they want a deposit'], 'high: they keep my passport');
      expect(earlier.map((e) => e.risk.level)).toEqual(['elevated', 'elevated']);
      const handoff = await db().handoff.findUniqueOrThrow({ where: { id: handoffId } });
      // Written after the handoff (beyond its second), or not by a message: neither counts.
      await db().riskEvent.create({ data: { conversationId: turn.conversationId, messageId: earlier[0]!.messageId!, level: 'emergency', categories: [], source: 'rules', createdAt: new Date(handoff.createdAt.getTime() + 5000) } });
      await db().riskEvent.create({ data: { conversationId: turn.conversationId, messageId: null, level: 'emergency', categories: [], source: 'flow', createdAt: handoff.createdAt } });
      const label = await labelEscalation(db(), { handoffId, actorId: lan, asSupervisor: true, verdict: 'right' });
      expect(label).toMatchObject({ level: 'high', detectedLevel: 'high' });
      const row = await db().riskLabel.findUniqueOrThrow({ where: { id: label.id } });
      expect(row).toMatchObject({ messageId: turn.messageId, conversationId: turn.conversationId, handoffId, verdict: 'right', authorId: lan, text: 'high: they keep my passport' });
      // Within a second of the handoff still counts (the event and the handoff are written in one turn).
      await db().riskEvent.create({ data: { conversationId: turn.conversationId, messageId: earlier[1]!.messageId!, level: 'emergency', categories: [], source: 'rules', createdAt: new Date(handoff.createdAt.getTime() + 900) } });
      const again = await labelEscalation(db(), { handoffId, actorId: lan, asSupervisor: true, verdict: 'right' });
      expect(again).toMatchObject({ level: 'emergency', detectedLevel: 'emergency' });
      expect(await db().riskLabel.findUniqueOrThrow({ where: { id: again.id } })).toMatchObject({ messageId: earlier[1]!.messageId, text: 'elevated: they want a deposit' });
    });

    it('the level follows the verdict: one step by default, or the level given if it fits the verdict', async () => {
      const { handoffId } = await escalated('lab-level', [], 'high: they keep my passport');
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

    it('an emergency cannot be "too low" (there is nothing higher); "too high" steps it down to high', async () => {
      const top = await escalated('lab-top', [], 'emergency: help me now');
      await expect(labelEscalation(db(), { handoffId: top.handoffId, actorId: lan, asSupervisor: true, verdict: 'too_low' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
      expect(await labelEscalation(db(), { handoffId: top.handoffId, actorId: lan, asSupervisor: true, verdict: 'too_high' })).toMatchObject({ level: 'high', detectedLevel: 'emergency' });
    });
  });

  describe('a missed risk, marked by a supervisor', () => {
    it('on what the person typed: with the level the detector gave (none when it saw nothing)', async () => {
      await app.runtime.handleTurn(textFrom('lab-missed', 'hello'));
      await app.runtime.handleTurn(choiceFrom('lab-missed', 'lang.en'));
      const quiet = await app.runtime.handleTurn(textFrom('lab-missed', 'my boss keeps all our phones'));
      const seen = await app.runtime.handleTurn(textFrom('lab-missed', 'elevated: the broker asked for money'));
      const missed = await labelMissedRisk(db(), { messageId: quiet.messageId!, actorId: minh, level: 'high' });
      expect(missed).toMatchObject({ level: 'high', detectedLevel: 'none' });
      expect(await db().riskLabel.findUniqueOrThrow({ where: { id: missed.id } })).toMatchObject({ verdict: 'missed', handoffId: null, text: 'my boss keeps all our phones', conversationId: quiet.conversationId });
      expect(await labelMissedRisk(db(), { messageId: seen.messageId!, actorId: minh, level: 'high' })).toMatchObject({ level: 'high', detectedLevel: 'elevated' });
      // The latest event of the message gives the level.
      await db().riskEvent.create({ data: { conversationId: seen.conversationId, messageId: seen.messageId!, level: 'high', categories: [], source: 'rules', createdAt: new Date(clockMs + 60_000) } });
      expect(await labelMissedRisk(db(), { messageId: seen.messageId!, actorId: minh, level: 'emergency' })).toMatchObject({ level: 'emergency', detectedLevel: 'high' });
    });

    it('not on a message that does not exist, that the bot sent, or that has no words', async () => {
      await expect(labelMissedRisk(db(), { messageId: '00000000-0000-4000-8000-000000000000', actorId: minh, level: 'high' })).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND', httpStatus: 404 });
      const first = await app.runtime.handleTurn(textFrom('lab-bad', 'hello'));
      const botSaid = first.outboundIds[0]!;
      await expect(labelMissedRisk(db(), { messageId: botSaid, actorId: minh, level: 'high' })).rejects.toMatchObject({ code: 'BAD_INPUT', httpStatus: 400 });
      const pressed = await app.runtime.handleTurn(choiceFrom('lab-bad', 'lang.en'));
      await expect(labelMissedRisk(db(), { messageId: pressed.messageId!, actorId: minh, level: 'high' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    });
  });

  describe('export', () => {
    it('writes level<TAB>text per message (the latest label wins), one line each, private, and only outside the repository', async () => {
      await expect(exportLabels(db(), path.join(process.cwd(), 'labels.tsv'))).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('outside the repository') });
      await expect(exportLabels(db(), path.join(process.cwd(), 'tests', 'x', 'labels.tsv'))).rejects.toMatchObject({ code: 'BAD_INPUT' });
      await app.runtime.handleTurn(textFrom('lab-export', 'hello'));
      await app.runtime.handleTurn(choiceFrom('lab-export', 'lang.en'));
      const multi = await app.runtime.handleTurn(textFrom('lab-export', 'they took\tour\r\npassports'));
      await labelMissedRisk(db(), { messageId: multi.messageId!, actorId: lan, level: 'elevated' });
      clockMs += 1000;
      await labelMissedRisk(db(), { messageId: multi.messageId!, actorId: minh, level: 'high' });
      const file = path.join(dir, 'labels.tsv');
      const result = await exportLabels(db(), file);
      expect(result.file).toBe(path.resolve(file));
      const text = await readFile(file, 'utf8');
      const [header, ...rest] = text.split('\n');
      expect(header).toMatch(/^# counsellor labels exported \d{4}-\d\d-\d\dT.*keep this file private/);
      const lines = rest.filter(Boolean);
      expect(lines).toHaveLength(result.count);
      expect(lines.every((l) => /^(none|elevated|high|emergency)\t[^\t]+$/.test(l))).toBe(true);
      expect(lines.filter((l) => l.endsWith('they took our passports'))).toEqual(['high\tthey took our passports']);
      expect(text.endsWith('\n')).toBe(true);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });
  });
});
