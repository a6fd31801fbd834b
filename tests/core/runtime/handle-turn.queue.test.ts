/**
 * handleTurn while a chat is with the queue, and the exact answers of the counsellor operations, on
 * one real PGlite database (one app for the file). The risk of each message is scripted
 * ("emergency[confinement]: ...") so a test controls it exactly:
 * - a waiting chat: plain words get the waiting room, new risk raises the handoff, a first
 *   emergency brings the guidance at once, "back to the assistant" lets the flow answer;
 * - a chat a counsellor holds: the bot stays quiet, new risk still raises the handoff;
 * - the error codes and messages of sendCounsellorReply and returnToBot, a report found by id or
 *   by code only when the whole input is one, the events and wake-ups after each operation;
 * - a runtime without hooks works; the duration given to onTurn is the turn's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../../core/events/bus.js';
import type { InboundMessage } from '../../../core/messages/types.js';
import { claimHandoff } from '../../../core/queue/operations.js';
import { CLOSE_OUTCOMES } from '../../../core/queue/outcomes.js';
import { Runtime, type RuntimeOptions } from '../../../core/runtime/handle-turn.js';
import { NO_RISK, type RiskAssessment, type RiskDetector, type RiskLevelName } from '../../../core/risk/types.js';
import { emergencyGuidance } from '../../../core/safety/guidance.js';
import { hashPassword } from '../../../console/auth/passwords.js';
import { choiceFrom, createTestApp, textFrom, type TestApp } from '../../helpers/app.js';
import { readFileSync } from 'node:fs';

const en = (file: string, key: string) => (JSON.parse(readFileSync(new URL(`../../../locales/en/${file}.json`, import.meta.url), 'utf8')) as Record<string, string>)[key]!;

/** "high: ..." is high risk about trafficking; "emergency[confinement]: ..." names the category. */
const scripted: RiskDetector = {
  assess(text: string): RiskAssessment {
    const m = /^(elevated|high|emergency)(?:\[(\w+)\])?:/.exec(text);
    return m ? { level: m[1] as RiskLevelName, categories: [m[2] ?? 'trafficking'], matches: [], source: 'rules' } : NO_RISK;
  },
};

describe('handleTurn with the queue, and the counsellor operations', () => {
  let app: TestApp;
  let runtime: Runtime;
  const published: BusEvent[] = [];
  const woken: string[] = [];
  beforeAll(async () => {
    app = await createTestApp();
    app.bus.subscribe((event) => void published.push(event));
    runtime = new Runtime(options({ onOutbound: (id) => woken.push(id) }));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  const options = (extra: Partial<RuntimeOptions>): RuntimeOptions => ({
    db: app.database.prisma,
    pseudonymKey: app.keys.pseudonymKey,
    dataKeys: app.keys.dataKeys,
    detector: scripted,
    bus: app.bus,
    riskHandoffLevel: 'high',
    slaSeconds: 120,
    defaultLocale: 'en',
    ...extra,
  });
  const texts = async (ids: string[]) =>
    (await app.database.prisma.message.findMany({ where: { id: { in: ids } }, orderBy: { seq: 'asc' } })).map((m) => m.text ?? '');
  const handoffOf = (conversationId: string) => app.database.prisma.handoff.findFirstOrThrow({ where: { conversationId }, orderBy: { createdAt: 'desc' } });
  const staff = async (email: string, role: 'counsellor' | 'supervisor' = 'counsellor') =>
    (await app.database.prisma.staffUser.create({ data: { email, displayName: email, role, passwordHash: await hashPassword('a-long-enough-password') } })).id;
  /** A person in English, queued by a high-risk message. */
  const queued = async (user: string) => {
    await runtime.handleTurn(textFrom(user, 'hi'));
    await runtime.handleTurn(choiceFrom(user, 'lang.en'));
    const escalated = await runtime.handleTurn(textFrom(user, 'high: they keep my passport'));
    expect(escalated.handoffId).toBeTruthy();
    return { conversationId: escalated.conversationId, handoffId: escalated.handoffId! };
  };

  describe('a chat waiting for a counsellor', () => {
    it('plain words get the waiting room and change nothing; new risk raises the handoff; the first emergency brings the guidance', async () => {
      const { conversationId, handoffId } = await queued('wait-1');
      expect(await handoffOf(conversationId)).toMatchObject({ id: handoffId, priority: 2, level: 'high', reason: 'risk', categories: ['trafficking'] });

      const plain = await runtime.handleTurn(textFrom('wait-1', 'are you there?'));
      expect(plain).toMatchObject({ status: 'forwarded', conversationId });
      expect(plain.outboundIds.length).toBeGreaterThan(0);
      expect(await handoffOf(conversationId)).toMatchObject({ priority: 2, level: 'high', categories: ['trafficking'] });

      // Elevated: no higher priority, but what it is about is added for the counsellor.
      const elevated = await runtime.handleTurn(textFrom('wait-1', 'elevated[debt_bondage]: i owe them'));
      expect(elevated.status).toBe('forwarded');
      expect((await handoffOf(conversationId)).categories.sort()).toEqual(['debt_bondage', 'trafficking']);
      expect(await app.database.prisma.riskEvent.count({ where: { conversationId, level: 'elevated' } })).toBe(1);

      published.length = 0;
      const emergency = await runtime.handleTurn(textFrom('wait-1', 'emergency[confinement]: they locked the door'));
      expect(emergency.status).toBe('forwarded');
      expect(await handoffOf(conversationId)).toMatchObject({ priority: 3, level: 'emergency' });
      expect(published).toContainEqual({ type: 'handoff.updated', handoffId, conversationId });
      const said = await texts(emergency.outboundIds);
      const guidance = emergencyGuidance('en', undefined, { confined: true }).map((m) => m.text);
      expect(guidance).toHaveLength(2);
      expect(said.slice(0, 2)).toEqual(guidance);
      // Then the waiting room: where are you (not known yet).
      expect(said.length).toBeGreaterThan(2);

      // A second emergency adds no second guidance.
      const again = await runtime.handleTurn(textFrom('wait-1', 'emergency[confinement]: still locked'));
      expect(await texts(again.outboundIds)).not.toContain(guidance[0]);
    });

    it('an emergency about something else than being held: the guidance without the advice for someone confined', async () => {
      const { conversationId } = await queued('wait-2');
      const emergency = await runtime.handleTurn(textFrom('wait-2', 'emergency[threat]: they said they will kill me'));
      const said = await texts(emergency.outboundIds);
      expect(said[0]).toBe(emergencyGuidance('en', undefined, { confined: false })[0]!.text);
      expect(said).not.toContain(en('safety', 'confinedAdvice'));
      expect((await handoffOf(conversationId)).priority).toBe(3);
    });

    it('"back to the assistant" while waiting: the assistant answers the next message, and the chat stays in the queue', async () => {
      const { conversationId, handoffId } = await queued('wait-3');
      const inRoom = await runtime.handleTurn(textFrom('wait-3', 'hello?'));
      const roomTexts = await texts(inRoom.outboundIds);
      await runtime.handleTurn(choiceFrom('wait-3', 'wait.assistant'));
      const menu = await runtime.handleTurn(textFrom('wait-3', 'menu'));
      expect(menu.status).toBe('forwarded');
      const row = await app.database.prisma.message.findFirstOrThrow({ where: { id: { in: menu.outboundIds } }, orderBy: { seq: 'desc' } });
      expect((row.payload as { choices?: { id: string }[] }).choices?.map((c) => c.id)).toContain('report');
      expect(await texts(menu.outboundIds)).not.toEqual(roomTexts);
      expect(await handoffOf(conversationId)).toMatchObject({ id: handoffId, state: 'waiting' });
    });
  });

  describe('a chat a counsellor holds', () => {
    it('the bot stays quiet; new risk still raises the handoff, remembered risk does not', async () => {
      const lan = await staff('held-lan@111.vn');
      const { conversationId, handoffId } = await queued('held-1');
      await claimHandoff(app.queue, { handoffId, counsellorId: lan });
      const plain = await runtime.handleTurn(textFrom('held-1', 'thank you'));
      expect(plain).toMatchObject({ status: 'forwarded', outboundIds: [] });
      expect((await handoffOf(conversationId)).priority).toBe(2);
      const emergency = await runtime.handleTurn(textFrom('held-1', 'emergency[pursuit]: they are following me'));
      expect(emergency).toMatchObject({ status: 'forwarded', outboundIds: [] });
      expect(await handoffOf(conversationId)).toMatchObject({ priority: 3, level: 'emergency', state: 'claimed' });
      expect((await handoffOf(conversationId)).categories).toContain('pursuit');
      expect(await app.database.prisma.riskEvent.count({ where: { conversationId, level: 'emergency' } })).toBe(1);
    });
  });

  describe('escalation', () => {
    it('records the handoff reason as risk, for danger typed as an answer and outside one', async () => {
      const outside = await queued('reason-1');
      expect((await handoffOf(outside.conversationId)).reason).toBe('risk');
      await runtime.handleTurn(textFrom('reason-2', 'hi'));
      await runtime.handleTurn(choiceFrom('reason-2', 'lang.en'));
      await runtime.handleTurn(choiceFrom('reason-2', 'report'));
      const answered = await runtime.handleTurn(textFrom('reason-2', 'high: my cousin was sold across the border'));
      expect(answered.handoffId).toBeTruthy();
      expect((await handoffOf(answered.conversationId)).reason).toBe('risk');
    });

    it('first contact by a photo or a location gets only the welcome', async () => {
      for (const [user, message] of [
        ['first-att', { kind: 'attachment', payload: { attachmentType: 'image' } }],
        ['first-loc', { kind: 'location', payload: { location: { latitude: 10.7, longitude: 106.6 } } }],
      ] as const) {
        const result = await runtime.handleTurn({ channel: 'test', externalUserId: user, externalMessageId: `${user}-1`, ...message } as InboundMessage);
        const rows = await app.database.prisma.message.findMany({ where: { id: { in: result.outboundIds } } });
        expect(rows.map((r) => (r.payload as { choices?: { id: string }[] }).choices?.map((c) => c.id))).toEqual([['lang.vi', 'lang.en']]);
      }
    });
  });

  describe('counsellor operations: codes and messages', () => {
    it('sendCounsellorReply says what is wrong, and wakes the outbox after a reply', async () => {
      const lan = await staff('ops-lan@111.vn');
      const bot = await runtime.handleTurn(textFrom('ops-0', 'hi'));
      await expect(runtime.sendCounsellorReply({ conversationId: bot.conversationId, counsellorId: lan, text: 'hi' })).rejects.toMatchObject({
        code: 'HANDOFF_NOT_FOUND',
        message: 'this chat is not with a counsellor',
      });
      const { conversationId, handoffId } = await queued('ops-1');
      await expect(runtime.sendCounsellorReply({ conversationId, counsellorId: lan, text: ' ' })).rejects.toMatchObject({ code: 'BAD_INPUT', message: 'a reply needs 1 to 4000 characters' });
      await expect(runtime.sendCounsellorReply({ conversationId, counsellorId: lan, text: 'hi' })).rejects.toMatchObject({ code: 'HANDOFF_NOT_OWNER', message: 'claim the chat before replying' });
      await claimHandoff(app.queue, { handoffId, counsellorId: lan });
      woken.length = 0;
      await runtime.sendCounsellorReply({ conversationId, counsellorId: lan, text: 'hello, I am Lan' });
      expect(woken).toEqual([conversationId]);
    });

    it('returnToBot says what is wrong, finds a report only by a whole id or code, and the hand-back says the assistant is back', async () => {
      const lan = await staff('rb-lan@111.vn');
      const minh = await staff('rb-minh@111.vn');
      // A report to link to (filed through the app's runtime, which has the report effects).
      await app.runtime.handleTurn(textFrom('rb-reporter', 'hi'));
      await app.runtime.handleTurn(choiceFrom('rb-reporter', 'lang.vi'));
      await app.runtime.handleTurn(choiceFrom('rb-reporter', 'report'));
      for (const answer of ['hàng xóm nhà em đi làm xa rồi mất tích', 'Nghệ An', 'ko']) await app.runtime.handleTurn(textFrom('rb-reporter', answer));
      await app.runtime.handleTurn(choiceFrom('rb-reporter', 'report.send'));
      const report = await app.database.prisma.report.findFirstOrThrow({ select: { id: true, referenceCode: true } });

      const { conversationId, handoffId } = await queued('rb-1');
      await claimHandoff(app.queue, { handoffId, counsellorId: lan });
      await expect(runtime.returnToBot({ handoffId, actorId: lan, outcome: 'solved' })).rejects.toMatchObject({
        code: 'BAD_OUTCOME',
        message: `outcome must be one of ${CLOSE_OUTCOMES.join(', ')}`,
      });
      await expect(runtime.returnToBot({ handoffId, actorId: lan, outcome: 'no_action', summary: 's'.repeat(4001) })).rejects.toMatchObject({
        code: 'BAD_INPUT',
        message: 'the summary is limited to 4000 characters',
      });
      await expect(runtime.returnToBot({ handoffId: '00000000-0000-4000-8000-000000000000', actorId: lan, outcome: 'no_action' })).rejects.toMatchObject({
        code: 'HANDOFF_NOT_FOUND',
        message: 'no such chat in the queue',
      });
      await expect(runtime.returnToBot({ handoffId, actorId: minh, outcome: 'no_action' })).rejects.toMatchObject({
        code: 'HANDOFF_NOT_OWNER',
        message: 'only the counsellor holding this chat can do that',
      });
      // Something around an id or a code is neither: not found (never another report, never a database error).
      for (const reportId of [`x${report.id}`, `${report.id}x`, `${report.referenceCode}-X`, 'HT-NOPE-NOPE']) {
        await expect(runtime.returnToBot({ handoffId, actorId: lan, outcome: 'report_filed', reportId })).rejects.toMatchObject({
          code: 'REPORT_NOT_FOUND',
          message: 'no report with that reference',
        });
      }

      published.length = 0;
      woken.length = 0;
      const back = await runtime.returnToBot({ handoffId, actorId: lan, outcome: 'handed_back', summary: 's'.repeat(4000) });
      expect((await handoffOf(conversationId)).summary).toHaveLength(4000);
      const said = await texts(back.outboundIds);
      expect(said[0]).toBe(en('queue', 'returnedToBot'));
      expect(woken).toEqual([conversationId]);
      for (const messageId of back.outboundIds) expect(published).toContainEqual({ type: 'conversation.message', conversationId, messageId, direction: 'outbound' });
      await expect(runtime.returnToBot({ handoffId, actorId: lan, outcome: 'no_action' })).rejects.toMatchObject({ code: 'HANDOFF_CLOSED', message: 'this chat was already closed' });

      // Linked by the whole code, and by the whole id.
      const second = await queued('rb-2');
      await runtime.returnToBot({ handoffId: second.handoffId, actorId: lan, asSupervisor: true, outcome: 'report_filed', reportId: report.referenceCode });
      expect((await handoffOf(second.conversationId)).reportId).toBe(report.id);
      const third = await queued('rb-3');
      await runtime.returnToBot({ handoffId: third.handoffId, actorId: lan, asSupervisor: true, outcome: 'report_filed', reportId: report.id.toUpperCase() });
      expect((await handoffOf(third.conversationId)).reportId).toBe(report.id);
    });

    it('a malformed message is refused with the fields at fault named', async () => {
      await expect(runtime.handleTurn({ channel: 'test', externalUserId: 'bad', externalMessageId: '', kind: 'text', payload: {} } as InboundMessage)).rejects.toMatchObject({
        code: 'BAD_INPUT',
        message: 'invalid inbound message: externalMessageId',
      });
    });

    it('erasure publishes the message that says so', async () => {
      await runtime.handleTurn(textFrom('erase-q', 'hi'));
      await runtime.handleTurn(choiceFrom('erase-q', 'lang.en'));
      await runtime.handleTurn(textFrom('erase-q', '/delete'));
      published.length = 0;
      const erased = await runtime.handleTurn(choiceFrom('erase-q', 'delete.yes'));
      expect(erased.outboundIds).toHaveLength(1);
      expect(published).toContainEqual({ type: 'conversation.message', conversationId: erased.conversationId, messageId: erased.outboundIds[0], direction: 'outbound' });
    });
  });

  describe('hooks', () => {
    it('a runtime without hooks takes turns, replies and hands back', async () => {
      const bare = new Runtime(options({}));
      const lan = await staff('bare-lan@111.vn');
      await bare.handleTurn(textFrom('bare-1', 'hi'));
      await bare.handleTurn(choiceFrom('bare-1', 'lang.en'));
      const escalated = await bare.handleTurn(textFrom('bare-1', 'high: they keep my passport'));
      await claimHandoff(app.queue, { handoffId: escalated.handoffId!, counsellorId: lan });
      await bare.sendCounsellorReply({ conversationId: escalated.conversationId, counsellorId: lan, text: 'hello' });
      const back = await bare.returnToBot({ handoffId: escalated.handoffId!, actorId: lan, outcome: 'handed_back' });
      expect(back.outboundIds.length).toBeGreaterThan(0);
      const failing = new Runtime(options({ detector: { assess: () => { throw new Error('detector down'); } } }));
      await expect(failing.handleTurn(textFrom('bare-2', 'hi'))).rejects.toThrow('detector down');
    });

    it('onTurn gets the turn\'s own duration in seconds, for handled and failed turns', async () => {
      const seen: [string, number][] = [];
      const onTurn: RuntimeOptions['onTurn'] = (_channel, status, seconds) => void seen.push([status, seconds]);
      const timed = new Runtime(options({ onTurn }));
      const failing = new Runtime(options({ onTurn, detector: { assess: () => { throw new Error('detector down'); } } }));
      const t0 = performance.now();
      await timed.handleTurn(textFrom('timed-1', 'hi'));
      await failing.handleTurn(textFrom('timed-1', 'hello')).catch(() => {});
      const outside = (performance.now() - t0) / 1000;
      expect(seen.map(([status]) => status)).toEqual(['handled', 'error']);
      for (const [, seconds] of seen) {
        expect(seconds).toBeGreaterThanOrEqual(0);
        expect(seconds).toBeLessThanOrEqual(outside);
      }
    });
  });
});
