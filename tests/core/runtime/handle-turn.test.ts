/**
 * handleTurn, sendCounsellorReply and returnToBot on one real PGlite database (one app for the file):
 * input checks, what is reported after a turn (metrics hook, outbox wake-up, bus events), duplicates,
 * typed button labels, risk while answering a question, the counsellor's reply and the hand-back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../../core/events/bus.js';
import { claimHandoff } from '../../../core/queue/operations.js';
import type { InboundMessage } from '../../../core/messages/types.js';
import { Runtime, type RuntimeOptions, type TurnResult } from '../../../core/runtime/handle-turn.js';
import { defaultDetector } from '../../../core/risk/index.js';
import { NO_RISK, type RiskAssessment, type RiskDetector, type RiskLevelName } from '../../../core/risk/types.js';
import { hashPassword } from '../../../console/auth/passwords.js';
import { choiceFrom, conversationOfUser, createTestApp, textFrom, type TestApp } from '../../helpers/app.js';
import { driver } from '../../flows/helpers.js';

/** Gives the level a message starts with ("high: ..."), so a test controls the risk exactly. */
const scripted: RiskDetector = {
  assess(text: string): RiskAssessment {
    const level = /^(elevated|high|emergency)\b/.exec(text)?.[1] as RiskLevelName | undefined;
    return level ? { level, categories: ['trafficking'], matches: [], source: 'rules' } : NO_RISK;
  },
};

describe('handleTurn', () => {
  let app: TestApp;
  const published: BusEvent[] = [];
  beforeAll(async () => {
    app = await createTestApp();
    app.bus.subscribe((event) => void published.push(event));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  /** A second runtime over the same database, with hooks the test records. */
  const runtimeWith = (extra: Partial<RuntimeOptions>) => {
    const turns: [string, string][] = [];
    const woken: string[] = [];
    const runtime = new Runtime({
      db: app.database.prisma,
      pseudonymKey: app.keys.pseudonymKey,
      dataKeys: app.keys.dataKeys,
      detector: defaultDetector,
      bus: app.bus,
      riskHandoffLevel: 'high',
      slaSeconds: 120,
      defaultLocale: 'vi',
      onTurn: (channel, status, seconds) => {
        expect(seconds).toBeGreaterThanOrEqual(0);
        turns.push([channel, status]);
      },
      onOutbound: (id) => woken.push(id),
      ...extra,
    });
    return { runtime, turns, woken };
  };
  const outbound = async (conversationId: string) =>
    (await app.database.prisma.message.findMany({ where: { conversationId, direction: 'outbound' }, orderBy: { seq: 'asc' } })).map((m) => m.text ?? '');
  const staff = async (email: string, role: 'counsellor' | 'supervisor' = 'counsellor') =>
    (await app.database.prisma.staffUser.create({ data: { email, displayName: email, role, passwordHash: await hashPassword('a-long-enough-password') } })).id;

  describe('input', () => {
    it('refuses a malformed message with the fields at fault, and stores nothing', async () => {
      const before = await app.database.prisma.message.count();
      const bad = { channel: 'test', externalUserId: 'bad-1', externalMessageId: '', kind: 'text', payload: { text: 'hi' } } as InboundMessage;
      await expect(app.runtime.handleTurn(bad)).rejects.toMatchObject({ code: 'BAD_INPUT', httpStatus: 400, message: expect.stringContaining('externalMessageId') });
      const badKind = { channel: 'test', externalUserId: 'bad-1', externalMessageId: 'x1', kind: 'sticker', payload: {} } as unknown as InboundMessage;
      await expect(app.runtime.handleTurn(badKind)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('kind') });
      const farAway = { channel: 'test', externalUserId: 'bad-1', externalMessageId: 'x2', kind: 'location', payload: { location: { latitude: 91, longitude: 0 } } } as InboundMessage;
      await expect(app.runtime.handleTurn(farAway)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('payload.location.latitude') });
      const long = textFrom('bad-1', 'a'.repeat(10_001));
      await expect(app.runtime.handleTurn(long)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('payload.text') });
      expect(await app.database.prisma.message.count()).toBe(before);
    });

    it('takes every kind of message, and keeps its payload but never its text in the payload', async () => {
      const u = 'kinds-1';
      await app.runtime.handleTurn(textFrom(u, 'xin chào'));
      const kinds: InboundMessage[] = [
        { channel: 'test', externalUserId: u, externalMessageId: 'k-choice', kind: 'choice', payload: { choiceId: 'lang.vi' } },
        { channel: 'test', externalUserId: u, externalMessageId: 'k-cmd', kind: 'command', payload: { command: 'menu', commandArgs: '', text: '/menu' } },
        { channel: 'test', externalUserId: u, externalMessageId: 'k-loc', kind: 'location', payload: { location: { latitude: 10.5, longitude: 105.1 } } },
        { channel: 'test', externalUserId: u, externalMessageId: 'k-att', kind: 'attachment', payload: { attachmentType: 'image' } },
      ];
      for (const m of kinds) expect((await app.runtime.handleTurn(m)).status).toBe('handled');
      const rows = await app.database.prisma.message.findMany({ where: { channelMessageId: { in: kinds.map((k) => k.externalMessageId) } } });
      const payloadOf = (id: string) => rows.find((r) => r.channelMessageId === id)!.payload;
      expect(payloadOf('k-choice')).toEqual({ choiceId: 'lang.vi' });
      expect(payloadOf('k-cmd')).toEqual({ command: 'menu' });
      expect(payloadOf('k-loc')).toEqual({ location: { latitude: 10.5, longitude: 105.1 } });
      expect(payloadOf('k-att')).toEqual({ attachmentType: 'image' });
      const first = (await app.database.prisma.message.findMany({ where: { direction: 'inbound', conversation: { channel: 'test' } } })).find((m) => m.text === 'xin chào');
      expect(first?.payload).toEqual({});
    });

    it('a language hint sets the conversation language and is what the detector is given', async () => {
      const seen: (string | undefined)[] = [];
      const detector: RiskDetector = { assess: (text, locale) => (seen.push(locale), defaultDetector.assess(text, locale)) };
      const { runtime } = runtimeWith({ detector });
      const hinted = await runtime.handleTurn({ ...textFrom('hint-1', 'hello'), localeHint: 'en-GB' });
      await runtime.handleTurn(textFrom('hint-2', 'xin chào'));
      expect(seen).toEqual(['en', 'vi']);
      expect((await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: hinted.conversationId } })).locale).toBe('en');
      // A message without text is not assessed at all.
      await runtime.handleTurn(choiceFrom('hint-2', 'lang.vi'));
      expect(seen).toHaveLength(2);
    });
  });

  describe('after a turn', () => {
    it('reports the channel and status of each turn, wakes the outbox for new replies and publishes after commit', async () => {
      const { runtime, turns, woken } = runtimeWith({});
      published.length = 0;
      const first = await runtime.handleTurn(textFrom('hooks-1', 'hello', 'web'));
      expect(turns).toEqual([['web', 'handled']]);
      expect(woken).toEqual([first.conversationId]);
      expect(first.outboundIds).toHaveLength(1);
      expect(published).toEqual([
        { type: 'conversation.message', conversationId: first.conversationId, messageId: first.messageId, direction: 'inbound' },
        { type: 'conversation.message', conversationId: first.conversationId, messageId: first.outboundIds[0], direction: 'outbound' },
      ]);
      // A duplicate: counted as such, nothing to deliver, nothing published.
      published.length = 0;
      const again = await runtime.handleTurn({ ...textFrom('hooks-1', 'hello', 'web'), externalMessageId: (await app.database.prisma.message.findUniqueOrThrow({ where: { id: first.messageId! } })).channelMessageId! });
      expect(again).toEqual({ status: 'duplicate', conversationId: first.conversationId, outboundIds: [], risk: NO_RISK });
      expect(turns.at(-1)).toEqual(['web', 'duplicate']);
      expect(woken).toHaveLength(1);
      expect(published).toEqual([]);
    });

    it('a failing turn is reported as an error and rejects', async () => {
      const detector: RiskDetector = {
        assess: () => {
          throw new Error('detector broke');
        },
      };
      const { runtime, turns, woken } = runtimeWith({ detector });
      await expect(runtime.handleTurn(textFrom('fail-1', 'hello'))).rejects.toThrow('detector broke');
      expect(turns).toEqual([['test', 'error']]);
      expect(woken).toEqual([]);
      expect(runtime.inFlightCount).toBe(0);
    });

    it('drain waits for the turns in flight, then refuses new ones', async () => {
      const { runtime } = runtimeWith({});
      const pending = runtime.handleTurn(textFrom('drain-1', 'hello'));
      expect(runtime.inFlightCount).toBe(1);
      let settled = false;
      void pending.then(() => (settled = true));
      await runtime.drain();
      expect(settled).toBe(true);
      expect((await pending).status).toBe('handled');
      await expect.poll(() => runtime.inFlightCount).toBe(0);
      await expect(runtime.handleTurn(textFrom('drain-1', 'again'))).rejects.toMatchObject({ code: 'SHUTTING_DOWN', httpStatus: 503, message: expect.stringContaining('shutting down') });
    });

    it('the same message id from another person on the channel is a duplicate of the first, and leaves no empty conversation', async () => {
      const first = await app.runtime.handleTurn(textFrom('dup-a', 'hello', 'test', 'shared-id-1'));
      const other = await app.runtime.handleTurn(textFrom('dup-b', 'hello', 'test', 'shared-id-1'));
      expect(other).toEqual({ status: 'duplicate', conversationId: first.conversationId, outboundIds: [], risk: NO_RISK });
      expect(await conversationOfUser(app, 'test', 'dup-b')).toBeNull();
    });

    it('two first messages of a new person at once: both handled, in one conversation', async () => {
      const [a, b] = await Promise.all([app.runtime.handleTurn(textFrom('race-1', 'hello')), app.runtime.handleTurn(textFrom('race-1', 'hi'))]);
      expect([a.status, b.status]).toEqual(['handled', 'handled']);
      expect(a.conversationId).toBe(b.conversationId);
      expect(await app.database.prisma.conversation.count({ where: { id: a.conversationId } })).toBe(1);
      expect(await app.database.prisma.message.count({ where: { conversationId: a.conversationId, direction: 'inbound' } })).toBe(2);
    });

    it('the reply address and handle of the message travel with the replies, and a new address replaces the old', async () => {
      const handle = { value: 'reply-token-1', expiresAt: '2030-01-01T00:00:00.000Z' };
      const first = await app.runtime.handleTurn({ ...textFrom('ref-1', 'hello'), channelRef: { chatId: '42', thread: 'a' }, replyHandle: handle });
      const stored = () => app.database.prisma.conversation.findUniqueOrThrow({ where: { id: first.conversationId } });
      expect(JSON.parse((await stored()).channelRef!)).toEqual({ chatId: '42', thread: 'a' });
      const reply = await app.database.prisma.message.findUniqueOrThrow({ where: { id: first.outboundIds[0]! } });
      expect(reply.payload).toMatchObject({ replyHandle: handle });
      await app.runtime.handleTurn({ ...choiceFrom('ref-1', 'lang.vi'), channelRef: { chatId: '43' } });
      expect(JSON.parse((await stored()).channelRef!)).toEqual({ chatId: '43' });
      const plain = await app.runtime.handleTurn(textFrom('ref-1', 'menu'));
      expect(JSON.parse((await stored()).channelRef!)).toEqual({ chatId: '43' });
      const later = await app.database.prisma.message.findUniqueOrThrow({ where: { id: plain.outboundIds[0]! } });
      expect((later.payload as { replyHandle?: unknown }).replyHandle).toBeUndefined();
    });

    it('where the person says they are is kept on the conversation; a vaguer "abroad" keeps the country', async () => {
      const u = driver(app, 'where-1');
      await u.text('chào');
      await u.choose('lang.vi');
      await u.text('em đang ở Campuchia');
      const whereabouts = async () => (await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: u.conversationId! } })).whereabouts;
      expect(await whereabouts()).toBe('abroad:KH');
      await u.text('em ở nước ngoài');
      expect(await whereabouts()).toBe('abroad:KH');
      await u.choose('lang.vi');
      expect(await whereabouts()).toBe('abroad:KH');
    });

    it('a new chat id of the same person is remembered', async () => {
      const first = await app.runtime.handleTurn({ ...textFrom('chat-1', 'hello'), externalChatId: 'chat-A' });
      await app.runtime.handleTurn({ ...choiceFrom('chat-1', 'lang.vi'), externalChatId: 'chat-B' });
      expect((await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: first.conversationId } })).externalChatId).toBe('chat-B');
      await app.runtime.handleTurn(textFrom('chat-1', 'menu'));
      expect((await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: first.conversationId } })).externalChatId).toBe('chat-B');
    });
  });

  describe('first contact', () => {
    it('typed words get only the welcome; /start with a language also chooses it; a button is applied', async () => {
      const typed = await app.runtime.handleTurn(textFrom('fresh-1', 'hello there'));
      expect(typed.outboundIds).toHaveLength(1);
      const started = await app.runtime.handleTurn(textFrom('fresh-2', '/start en'));
      const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: started.conversationId } });
      expect(conversation.locale).toBe('en');
      expect((await outbound(started.conversationId)).join('\n')).toMatch(/How can we help/);
      const bare = await app.runtime.handleTurn(textFrom('fresh-3', '/start'));
      expect(bare.outboundIds).toHaveLength(1);
      const pressed = await app.runtime.handleTurn(choiceFrom('fresh-4', 'lang.en'));
      expect((await outbound(pressed.conversationId)).join('\n')).toMatch(/How can we help/);
      const located = await app.runtime.handleTurn({ channel: 'test', externalUserId: 'fresh-5', externalMessageId: 'fresh-5-loc', kind: 'location', payload: { location: { latitude: 21, longitude: 105.8 } } });
      expect(located.outboundIds).toHaveLength(1);
      const attached = await app.runtime.handleTurn({ channel: 'test', externalUserId: 'fresh-6', externalMessageId: 'fresh-6-att', kind: 'attachment', payload: { attachmentType: 'image' } });
      expect(attached.outboundIds).toHaveLength(1);
      const menu = await app.runtime.handleTurn(textFrom('fresh-7', '/menu'));
      expect(menu.outboundIds.length).toBeGreaterThan(1);
    });
  });

  describe('risk', () => {
    it('the label of a button the bot offered, typed, is a button press, not a risk message', async () => {
      const u = driver(app, 'label-1');
      await u.text('chào');
      await u.choose('lang.vi');
      await u.choose('report');
      const pressed = await app.runtime.handleTurn(textFrom('label-1', 'Ép cưới, bán làm vợ'));
      expect(pressed.risk.level).toBe('none');
      expect(pressed.handoffId).toBeUndefined();
      expect(await app.database.prisma.riskEvent.count({ where: { conversationId: pressed.conversationId } })).toBe(0);
      // The same words when no such button is offered are a risk message.
      const v = driver(app, 'label-2');
      await v.text('chào');
      await v.choose('lang.vi');
      const said = await app.runtime.handleTurn(textFrom('label-2', 'Ép cưới, bán làm vợ'));
      expect(said.risk.level).not.toBe('none');
      expect(await app.database.prisma.riskEvent.count({ where: { conversationId: said.conversationId } })).toBeGreaterThan(0);
    });

    it('danger typed as the answer to a report question: the answer is kept and a counsellor comes', async () => {
      const u = driver(app, 'answer-1');
      await u.text('chào');
      await u.choose('lang.vi');
      await u.choose('report');
      const result = await app.runtime.handleTurn(textFrom('answer-1', 'cứu em với, em đang bị nhốt'));
      expect(result.risk.level).toBe('emergency');
      expect(result.handoffId).toBeDefined();
      const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: result.conversationId } });
      expect(conversation.status).toBe('queued');
      const snapshot = conversation.snapshot as { context: { draft?: { details?: string } } };
      expect(snapshot.context.draft?.details).toContain('đang bị nhốt');
      expect((await outbound(result.conversationId)).join('\n')).toContain('113');
    });

    it('danger outside a question escalates at once and records the risk event', async () => {
      const u = driver(app, 'esc-1');
      await u.text('chào');
      await u.choose('lang.vi');
      const result = await app.runtime.handleTurn(textFrom('esc-1', 'cứu em với, em đang bị nhốt'));
      expect(result.status).toBe('handled');
      expect(result.handoffId).toBeDefined();
      const events = await app.database.prisma.riskEvent.findMany({ where: { conversationId: result.conversationId } });
      expect(events.map((e) => [e.level, e.messageId])).toEqual([['emergency', result.messageId]]);
      // While queued, a plain message is forwarded and stored, and no new risk event is written.
      const forwarded = await app.runtime.handleTurn(textFrom('esc-1', 'vâng ạ'));
      expect(forwarded.status).toBe('forwarded');
      expect(forwarded.conversationId).toBe(result.conversationId);
      expect(await app.database.prisma.riskEvent.count({ where: { conversationId: result.conversationId } })).toBe(1);
    });

    it('a remembered risk is not recorded again and does not bring a counsellor back on its own', async () => {
      const { runtime } = runtimeWith({ detector: scripted });
      await runtime.handleTurn(textFrom('mem-1', 'hello'));
      await runtime.handleTurn(choiceFrom('mem-1', 'lang.en'));
      const high = await runtime.handleTurn(textFrom('mem-1', 'high: they keep my passport'));
      expect(high.handoffId).toBeDefined();
      await runtime.returnToBot({ handoffId: high.handoffId!, actorId: high.handoffId!, asSupervisor: true, outcome: 'handed_back' });
      const later = await runtime.handleTurn(textFrom('mem-1', 'ok thanks'));
      expect(later.risk).toMatchObject({ level: 'elevated', source: 'memory' });
      expect(later.handoffId).toBeUndefined();
      expect(later.status).toBe('handled');
      const events = await app.database.prisma.riskEvent.findMany({ where: { conversationId: high.conversationId } });
      expect(events.map((e) => e.level)).toEqual(['high']);
    });

    it('a message that is below the handoff level is recorded but the bot carries on', async () => {
      const { runtime } = runtimeWith({ riskHandoffLevel: 'emergency' });
      await runtime.handleTurn(textFrom('below-1', 'chào'));
      await runtime.handleTurn(choiceFrom('below-1', 'lang.vi'));
      const result = await runtime.handleTurn(textFrom('below-1', 'công ty giữ hộ chiếu của em, không cho về'));
      expect(result.risk.level).toBe('high');
      expect(result.handoffId).toBeUndefined();
      expect(result.outboundIds.length).toBeGreaterThan(0);
      expect(await app.database.prisma.riskEvent.count({ where: { conversationId: result.conversationId, level: 'high' } })).toBe(1);
    });
  });

  describe('the counsellor', () => {
    const queuedChat = async (user: string) => {
      const u = driver(app, user);
      await u.text('chào');
      await u.choose('lang.vi');
      const said = await u.choose('counsellor');
      return { conversationId: u.conversationId!, handoffId: said.handoffId! };
    };

    it('replies only when holding the chat, through the outbox, as the counsellor', async () => {
      const lan = await staff('reply-lan@111.vn');
      const minh = await staff('reply-minh@111.vn');
      const { conversationId, handoffId } = await queuedChat('reply-1');
      await expect(app.runtime.sendCounsellorReply({ conversationId, counsellorId: lan, text: '   ' })).rejects.toMatchObject({ code: 'BAD_INPUT', httpStatus: 400 });
      await expect(app.runtime.sendCounsellorReply({ conversationId, counsellorId: lan, text: 'x'.repeat(4001) })).rejects.toMatchObject({ code: 'BAD_INPUT' });
      await expect(app.runtime.sendCounsellorReply({ conversationId, counsellorId: lan, text: 'chào em' })).rejects.toMatchObject({ code: 'HANDOFF_NOT_OWNER', httpStatus: 403 });
      await claimHandoff(app.queue, { handoffId, counsellorId: lan });
      await expect(app.runtime.sendCounsellorReply({ conversationId, counsellorId: minh, text: 'chào em' })).rejects.toMatchObject({ code: 'HANDOFF_NOT_OWNER' });
      // 4000 characters is the most a reply may have.
      const longest = await app.runtime.sendCounsellorReply({ conversationId, counsellorId: lan, text: 'y'.repeat(4000) });
      expect((await app.database.prisma.message.findUniqueOrThrow({ where: { id: longest.messageId } })).text).toHaveLength(4000);
      const replyAt = new Date('2030-05-05T05:05:05Z');
      const { runtime, woken } = runtimeWith({ clock: () => replyAt });
      published.length = 0;
      const { messageId } = await runtime.sendCounsellorReply({ conversationId, counsellorId: lan, text: '  chào em, chị là Lan  ', sender: 'Lan' });
      const row = await app.database.prisma.message.findUniqueOrThrow({ where: { id: messageId } });
      expect(row).toMatchObject({ conversationId, direction: 'outbound', author: 'counsellor', text: 'chào em, chị là Lan', status: 'pending' });
      expect(row.payload).toMatchObject({ sender: 'Lan' });
      expect(row.createdAt).toEqual(replyAt);
      expect((await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } })).lastActivityAt).toEqual(replyAt);
      expect(woken).toEqual([conversationId]);
      expect(published).toEqual([{ type: 'conversation.message', conversationId, messageId, direction: 'outbound' }]);
      // The user's messages now go to the counsellor: forwarded, the bot stays quiet.
      const forwarded = await app.runtime.handleTurn(textFrom('reply-1', 'dạ em chào chị'));
      expect(forwarded).toMatchObject({ status: 'forwarded', outboundIds: [] });
      const none = await queuedChat('reply-2');
      await app.runtime.returnToBot({ handoffId: none.handoffId, actorId: lan, asSupervisor: true, outcome: 'no_action' });
      await expect(app.runtime.sendCounsellorReply({ conversationId: none.conversationId, counsellorId: lan, text: 'hi' })).rejects.toMatchObject({ code: 'HANDOFF_NOT_FOUND', httpStatus: 404 });
    });

    it('hands the chat back: only the holder or a supervisor, once, with a known outcome and report', async () => {
      const lan = await staff('back-lan@111.vn');
      const minh = await staff('back-minh@111.vn');
      const { conversationId, handoffId } = await queuedChat('back-1');
      await claimHandoff(app.queue, { handoffId, counsellorId: lan });
      await expect(app.runtime.returnToBot({ handoffId, actorId: lan, outcome: 'solved' })).rejects.toMatchObject({ code: 'BAD_OUTCOME', httpStatus: 400 });
      await expect(app.runtime.returnToBot({ handoffId, actorId: lan, outcome: 'no_action', summary: 'x'.repeat(4001) })).rejects.toMatchObject({ code: 'BAD_INPUT' });
      await expect(app.runtime.returnToBot({ handoffId: '00000000-0000-4000-8000-000000000000', actorId: lan, outcome: 'no_action' })).rejects.toMatchObject({ code: 'HANDOFF_NOT_FOUND', httpStatus: 404 });
      await expect(app.runtime.returnToBot({ handoffId, actorId: minh, outcome: 'no_action' })).rejects.toMatchObject({ code: 'HANDOFF_NOT_OWNER', httpStatus: 403 });
      await expect(app.runtime.returnToBot({ handoffId, actorId: lan, outcome: 'report_filed', reportId: 'HT-NOPE-NOPE' })).rejects.toMatchObject({ code: 'REPORT_NOT_FOUND' });
      await expect(app.runtime.returnToBot({ handoffId, actorId: lan, outcome: 'report_filed', reportId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'REPORT_NOT_FOUND' });
      const { runtime, woken } = runtimeWith({});
      const back = await runtime.returnToBot({ handoffId, actorId: lan, outcome: 'handed_back', summary: '  asked about rights  ' });
      expect(back.conversationId).toBe(conversationId);
      expect(woken).toEqual([conversationId]);
      const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: handoffId } });
      expect(handoff).toMatchObject({ state: 'closed', outcome: 'handed_back', summary: 'asked about rights', reportId: null });
      const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } });
      expect(conversation.status).toBe('bot');
      const texts = await outbound(conversationId);
      expect(texts.slice(-back.outboundIds.length).join('\n')).toMatch(/trợ lý|tự động|quay lại/i);
      await expect(app.runtime.returnToBot({ handoffId, actorId: lan, outcome: 'no_action' })).rejects.toMatchObject({ code: 'HANDOFF_CLOSED', httpStatus: 409 });
    });

    it('a supervisor closes a chat they do not hold, linked to a report by its code typed loosely; an empty summary is none', async () => {
      const lan = await staff('close-lan@111.vn');
      const sup = await staff('close-sup@111.vn', 'supervisor');
      const { conversationId, handoffId } = await queuedChat('close-1');
      await claimHandoff(app.queue, { handoffId, counsellorId: lan });
      const report = await app.database.prisma.report.findFirst({ select: { id: true, referenceCode: true } });
      if (!report) {
        const r = driver(app, 'close-reporter');
        await r.text('chào');
        await r.choose('lang.vi');
        await r.choose('report');
        await r.text('hàng xóm nhà em đi làm xa rồi mất tích');
        await r.text('Nghệ An');
        await r.text('ko');
        await r.choose('report.send');
      }
      const filed = report ?? (await app.database.prisma.report.findFirstOrThrow({ select: { id: true, referenceCode: true } }));
      const closed = await app.runtime.returnToBot({ handoffId, actorId: sup, asSupervisor: true, outcome: 'report_filed', summary: '   ', reportId: ` ${filed.referenceCode.toLowerCase()} ` });
      expect(closed.conversationId).toBe(conversationId);
      const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: handoffId } });
      expect(handoff).toMatchObject({ state: 'closed', outcome: 'report_filed', summary: null, reportId: filed.id });
      // By its id, too.
      const other = await queuedChat('close-2');
      await app.runtime.returnToBot({ handoffId: other.handoffId, actorId: sup, asSupervisor: true, outcome: 'report_filed', reportId: filed.id });
      expect((await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: other.handoffId } })).reportId).toBe(filed.id);
    });
  });

  describe('closing a chat', () => {
    it('with an outcome: the wrap-up is kept, the closing words and the survey are sent, and the assistant waits for the answer', async () => {
      const lan = await staff('survey-lan@111.vn');
      const u = driver(app, 'survey-1');
      await u.text('hi');
      await u.choose('lang.en');
      const queued = await u.choose('counsellor');
      await claimHandoff(app.queue, { handoffId: queued.handoffId!, counsellorId: lan });
      published.length = 0;
      const closed = await app.runtime.returnToBot({ handoffId: queued.handoffId!, actorId: lan, outcome: 'advice_given', wrapUp: { contactType: 'advice', referrals: ['police'], followUpNeeded: true } });
      expect(published).toContainEqual({ type: 'handoff.updated', handoffId: queued.handoffId, conversationId: u.conversationId });
      const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: queued.handoffId! } });
      expect(handoff).toMatchObject({ state: 'closed', outcome: 'advice_given', contactType: 'advice', referrals: ['police'], followUpNeeded: true });
      expect(handoff.surveyAskedAt).not.toBeNull();
      const rows = await app.database.prisma.message.findMany({ where: { id: { in: closed.outboundIds } }, orderBy: { seq: 'asc' } });
      expect(rows).toHaveLength(2);
      expect((rows[1]!.payload as { choices: { id: string }[] }).choices.every((c) => c.id.startsWith('survey.'))).toBe(true);
      expect(rows.some((r) => /How can we help/.test(r.text ?? ''))).toBe(false);
    });

    it('without the survey: the closing words, then the assistant carries on where the person was', async () => {
      const lan = await staff('nosurvey-lan@111.vn');
      const u = driver(app, 'survey-2');
      await u.text('hi');
      await u.choose('lang.en');
      const queued = await u.choose('counsellor');
      await claimHandoff(app.queue, { handoffId: queued.handoffId!, counsellorId: lan });
      const closed = await app.runtime.returnToBot({ handoffId: queued.handoffId!, actorId: lan, outcome: 'no_action', survey: false });
      const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: queued.handoffId! } });
      expect(handoff.surveyAskedAt).toBeNull();
      const rows = await app.database.prisma.message.findMany({ where: { id: { in: closed.outboundIds } }, orderBy: { seq: 'asc' } });
      expect(rows.length).toBeGreaterThan(1);
      expect(rows.some((r) => (r.payload as { choices?: { id: string }[] } | null)?.choices?.some((c) => c.id.startsWith('survey.')))).toBe(false);
      expect(rows.at(-1)!.text).toMatch(/How can we help/);
    });
  });

  describe('erasure', () => {
    it('/delete then yes: the conversation goes, a fresh one says so on the same channel address', async () => {
      const first = await app.runtime.handleTurn({ ...textFrom('erase-1', 'hello'), externalChatId: 'erase-chat', channelRef: { chatId: 'e1' } });
      await app.database.prisma.resumeCode.create({ data: { id: 'resume-erase-1', conversationId: 'erase-chat', expiresAt: new Date('2030-01-01T00:00:00Z') } });
      await app.database.prisma.resumeCode.create({ data: { id: 'resume-other-1', conversationId: 'other-chat', expiresAt: new Date('2030-01-01T00:00:00Z') } });
      await app.runtime.handleTurn(choiceFrom('erase-1', 'lang.en'));
      await app.runtime.handleTurn(textFrom('erase-1', '/delete'));
      const erased: TurnResult = await app.runtime.handleTurn(choiceFrom('erase-1', 'delete.yes'));
      expect(erased.conversationId).not.toBe(first.conversationId);
      expect(erased.status).toBe('handled');
      expect(await app.database.prisma.conversation.findUnique({ where: { id: first.conversationId } })).toBeNull();
      expect(await outbound(erased.conversationId)).toEqual(['The conversation has been erased. You can start again at any time.']);
      const fresh = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: erased.conversationId } });
      expect(fresh).toMatchObject({ channel: 'test', externalChatId: null, locale: 'en' });
      expect(JSON.parse(fresh.channelRef!)).toEqual({ chatId: 'e1' }); // the reply address survives, so "erased" reaches the person
      expect(erased.outboundIds).toHaveLength(1);
      expect(await app.database.prisma.resumeCode.findMany({ where: { id: { in: ['resume-erase-1', 'resume-other-1'] } } })).toEqual([expect.objectContaining({ id: 'resume-other-1' })]);
      // Erasing again with a new address given: the fresh conversation takes the new one.
      await app.runtime.handleTurn(textFrom('erase-1', '/delete'));
      const again = await app.runtime.handleTurn({ ...choiceFrom('erase-1', 'delete.yes'), channelRef: { chatId: 'e2' }, externalChatId: 'erase-chat-2' });
      const second = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: again.conversationId } });
      expect(JSON.parse(second.channelRef!)).toEqual({ chatId: 'e2' });
      expect(second.externalChatId).toBe('erase-chat-2');
    });
  });
});
