/**
 * The runtime's guarantees, run against any real database (PGlite here, PostgreSQL in the
 * PostgreSQL suite): dedupe, ordered concurrent turns, the counsellor gate, crash-safe outbox.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../core/db/client.js';
import { DeliveryError } from '../../../core/errors.js';
import { createTestApp, choiceFrom, textFrom, type TestApp } from '../../helpers/app.js';
import { recordingPort, type RecordingPort } from '../../helpers/ports.js';

export function runtimeSuite(makeDatabase: () => Promise<Database>): void {
  let app: TestApp;
  let port: RecordingPort;

  beforeEach(async () => {
    port = recordingPort('test');
    app = await createTestApp({ database: await makeDatabase(), ports: [port] });
  });
  afterEach(async () => {
    await app.close();
  });

  const inboundCount = () => app.database.prisma.message.count({ where: { direction: 'inbound' } });
  const outboundTexts = async (conversationId: string) =>
    (await app.database.prisma.message.findMany({ where: { conversationId, direction: 'outbound' }, orderBy: { seq: 'asc' } })).map((m) => m.text);

  describe('dedupe', () => {
    it('stores a retried webhook once and answers it once', async () => {
      const first = await app.runtime.handleTurn(textFrom('u1', 'xin chào', 'test', 'update-42'));
      const again = await app.runtime.handleTurn(textFrom('u1', 'xin chào', 'test', 'update-42'));
      expect(first.status).toBe('handled');
      expect(first.outboundIds.length).toBe(1);
      expect(again.status).toBe('duplicate');
      expect(again.outboundIds).toEqual([]);
      expect(await inboundCount()).toBe(1);
      expect(await app.database.prisma.message.count({ where: { direction: 'outbound' } })).toBe(1);
    });

    it('treats the same message id on another channel as a different message', async () => {
      await app.runtime.handleTurn(textFrom('u1', 'hi', 'test', 'same-id'));
      await app.runtime.handleTurn(textFrom('u1', 'hi', 'other', 'same-id'));
      expect(await inboundCount()).toBe(2);
    });
  });

  describe('conversation state', () => {
    it('walks welcome → language → menu → counsellor and keeps the language', async () => {
      const welcome = await app.runtime.handleTurn(textFrom('u2', 'hello'));
      expect(await outboundTexts(welcome.conversationId)).toHaveLength(1);
      await app.runtime.handleTurn(choiceFrom('u2', 'lang.en'));
      const menu = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: welcome.conversationId } });
      expect(menu.locale).toBe('en');
      expect(menu.offeredChoices).toEqual([
        { id: 'report', label: 'Report (anonymously)' },
        { id: 'rights', label: 'Your rights' },
        { id: 'help', label: 'Find support' },
        { id: 'signs', label: 'Check a job offer' },
        { id: 'counsellor', label: 'Talk to a counsellor' },
      ]);
      // Typing the number of a choice works on every channel.
      const queued = await app.runtime.handleTurn(textFrom('u2', '5'));
      expect(queued.handoffId).toBeDefined();
      const texts = await outboundTexts(welcome.conversationId);
      expect(texts.join('\n')).toMatch(/number 1 in the queue/);
      expect(texts.at(-1)).toMatch(/While you wait/);
      const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: welcome.conversationId } });
      expect(conversation.status).toBe('queued');
    });

    // On PGlite the turns are serialised by its single connection; the PostgreSQL run is the real race.
    it('applies two concurrent turns of one person in order, losing neither', async () => {
      await app.runtime.handleTurn(textFrom('u3', 'hi'));
      const [a, b] = await Promise.all([
        app.runtime.handleTurn(choiceFrom('u3', 'lang.vi', 'test', 'c-a')),
        app.runtime.handleTurn(textFrom('u3', '/lang en', 'test', 'c-b')),
      ]);
      expect(a.status).toBe('handled');
      expect(b.status).toBe('handled');
      const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: a.conversationId } });
      // Both turns persisted: the version moved once per turn (first contact, then two turns).
      expect(conversation.version).toBe(3);
      expect(await inboundCount()).toBe(3);
      // Whichever ran second saw the first one's state (the order between the two is up to the lock):
      // lang.vi first → menu, then /lang en → menu again in English; /lang en first → menu, then the
      // language button is no longer offered there. Either way the chat is at the menu, and each
      // turn was answered from the state the other left.
      const texts = await outboundTexts(a.conversationId);
      const menuPrompts = texts.filter((t) => /Mình có thể giúp gì|How can we help/.test(t ?? ''));
      expect(menuPrompts.length).toBeGreaterThanOrEqual(1);
      expect(texts.length).toBeGreaterThanOrEqual(3); // welcome + an answer to each turn
      expect(a.outboundIds.length + b.outboundIds.length).toBe(texts.length - 1);
    });

    it('many concurrent turns from different people all land', async () => {
      const turns = await Promise.all(Array.from({ length: 12 }, (_, i) => app.runtime.handleTurn(textFrom(`many-${i}`, 'hello'))));
      expect(new Set(turns.map((t) => t.conversationId)).size).toBe(12);
      expect(await inboundCount()).toBe(12);
    });
  });

  describe('counsellor gate', () => {
    it('stores messages while queued for the counsellor; the waiting room acknowledges them, the flow does not run', async () => {
      await app.runtime.handleTurn(textFrom('u4', 'hi'));
      await app.runtime.handleTurn(choiceFrom('u4', 'lang.vi'));
      const queued = await app.runtime.handleTurn(choiceFrom('u4', 'counsellor'));
      const snapshotBefore = (await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: queued.conversationId } })).snapshot;
      const forwarded = await app.runtime.handleTurn(textFrom('u4', 'em đang chờ'));
      expect(forwarded.status).toBe('forwarded');
      expect(forwarded.conversationId).toBe(queued.conversationId);
      const texts = await outboundTexts(queued.conversationId);
      expect(texts.at(-1)).toMatch(/chuyển lời bạn cho tư vấn viên/);
      const after = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: queued.conversationId } });
      expect(after.snapshot).toEqual(snapshotBefore); // the main flow did not take the message
      expect(after.status).toBe('queued');
      expect(await inboundCount()).toBe(4);
    });

    it('an emergency phrase hands the chat to the queue at once with the emergency numbers', async () => {
      await app.runtime.handleTurn(textFrom('u5', 'hi'));
      await app.runtime.handleTurn(choiceFrom('u5', 'lang.vi'));
      const result = await app.runtime.handleTurn(textFrom('u5', 'cứu em với'));
      expect(result.risk.level).toBe('emergency');
      const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: result.handoffId! } });
      expect(handoff.priority).toBe(3);
      expect(handoff.state).toBe('waiting');
      const texts = await outboundTexts(result.conversationId);
      expect(texts.some((t) => t?.includes('113') && t.includes('115'))).toBe(true);
      const event = await app.database.prisma.riskEvent.findFirstOrThrow({ where: { conversationId: result.conversationId } });
      expect(event.level).toBe('emergency');
    });
  });

  describe('outbox', () => {
    it('delivers pending messages in order and marks them sent', async () => {
      const turn = await app.runtime.handleTurn(textFrom('u6', 'hello'));
      await app.runtime.handleTurn(choiceFrom('u6', 'lang.en'));
      await app.outbox.sweep();
      expect(port.sent.map((s) => s.message.text.slice(0, 20))).toEqual([
        (await outboundTexts(turn.conversationId))[0]!.slice(0, 20),
        'How can we help you?',
      ]);
      expect(port.sent[1]!.message.choices).toHaveLength(5);
      expect(port.sent[0]!.target.externalUserId).toBe('u6');
      expect(await app.database.prisma.message.count({ where: { status: 'pending' } })).toBe(0);
      expect(await app.outbox.sweep()).toBe(0);
    });

    it('retries a failed send with backoff and never overtakes it with a later message', async () => {
      let now = new Date('2026-01-01T00:00:00Z');
      await app.close();
      port = recordingPort('test');
      app = await createTestApp({ database: await makeDatabase(), ports: [port], clock: () => now });
      await app.runtime.handleTurn(textFrom('u7', 'hello'));
      await app.runtime.handleTurn(choiceFrom('u7', 'lang.en'));
      port.failNext.push(new DeliveryError('DELIVERY_RETRYABLE', '500 from platform'), new DeliveryError('DELIVERY_RETRYABLE', '429', 5_000));
      expect(await app.outbox.sweep()).toBe(0);
      const first = await app.database.prisma.message.findFirstOrThrow({ where: { direction: 'outbound' }, orderBy: { seq: 'asc' } });
      expect(first.status).toBe('pending');
      expect(first.attempts).toBe(1);
      expect(first.lastErrorCode).toBe('DELIVERY_RETRYABLE');
      expect(first.nextAttemptAt!.getTime() - now.getTime()).toBe(1_000);
      now = new Date(now.getTime() + 1_000);
      expect(await app.outbox.sweep()).toBe(0); // second failure asks to wait 5 s (Retry-After beats the 2 s backoff)
      const again = await app.database.prisma.message.findUniqueOrThrow({ where: { id: first.id } });
      expect(again.nextAttemptAt!.getTime() - now.getTime()).toBe(5_000);
      now = new Date(now.getTime() + 5_000);
      expect(await app.outbox.sweep()).toBe(2);
      expect(port.sent.map((s) => s.message.text.startsWith('How can we help'))).toEqual([false, true]);
      expect(port.attempts).toBe(4);
    });

    it('marks a conversation unreachable when the platform refuses for good', async () => {
      const turn = await app.runtime.handleTurn(textFrom('u8', 'hello'));
      port.failNext.push(new DeliveryError('DELIVERY_UNREACHABLE', 'bot was blocked by the user'));
      await app.outbox.sweep();
      const message = await app.database.prisma.message.findFirstOrThrow({ where: { conversationId: turn.conversationId, direction: 'outbound' } });
      expect(message.status).toBe('failed');
      const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: turn.conversationId } });
      expect(conversation.unreachable).toBe(true);
    });
  });

  describe('privacy', () => {
    it('keeps only a pseudonym for lookups and never logs message text', async () => {
      await app.runtime.handleTurn(textFrom('secret-user-77', 'my very private words'));
      const identity = await app.database.prisma.channelIdentity.findFirstOrThrow();
      expect(identity.userHash).not.toContain('secret-user-77');
      expect(identity.userHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await app.outbox.sweep();
      expect(app.logLines.join('\n')).not.toContain('my very private words');
    });

    it('erases the conversation when the user confirms /delete', async () => {
      const first = await app.runtime.handleTurn(textFrom('u9', 'hello'));
      await app.runtime.handleTurn(choiceFrom('u9', 'lang.en'));
      await app.runtime.handleTurn(textFrom('u9', '/delete'));
      const erased = await app.runtime.handleTurn(choiceFrom('u9', 'delete.yes'));
      expect(erased.conversationId).not.toBe(first.conversationId);
      expect(await app.database.prisma.conversation.findUnique({ where: { id: first.conversationId } })).toBeNull();
      expect(await app.database.prisma.message.count({ where: { conversationId: first.conversationId } })).toBe(0);
      expect(await outboundTexts(erased.conversationId)).toEqual(['The conversation has been erased. You can start again at any time.']);
    });
  });
}
