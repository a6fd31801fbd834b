/**
 * The counsellor queue on a real database: escalation inside a turn, ordering, atomic claims,
 * SLA updates exactly once, transfer, close and hand-back (the bot resumes where the user was).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../core/db/client.js';
import type { AppError } from '../../../core/errors.js';
import { claimHandoff, listQueue, transferHandoff } from '../../../core/queue/operations.js';
import { scanSla } from '../../../core/queue/sla.js';
import { getTranscript } from '../../../core/queue/transcript.js';
import { createTestApp, textFrom, type TestApp } from '../../helpers/app.js';
import { recordingPort, type RecordingPort } from '../../helpers/ports.js';
import { driver } from '../../flows/helpers.js';

export function queueSuite(makeDatabase: () => Promise<Database>): void {
  let app: TestApp;
  let port: RecordingPort;
  let clockMs = Date.parse('2026-11-23T08:00:00Z');
  const clock = () => new Date(clockMs);

  beforeEach(async () => {
    clockMs = Date.parse('2026-11-23T08:00:00Z');
    port = recordingPort('test');
    app = await createTestApp({ database: await makeDatabase(), ports: [port], clock, env: { HANDOFF_SLA_SECONDS: '60' } });
  });
  afterEach(async () => {
    await app.close();
  });

  const staff = async (email: string) =>
    (await app.database.prisma.staffUser.create({ data: { email, displayName: email, role: 'counsellor', passwordHash: 'x' } })).id;
  const texts = async (conversationId: string) =>
    (await app.database.prisma.message.findMany({ where: { conversationId, direction: 'outbound' }, orderBy: { seq: 'asc' } })).map((m) => m.text ?? '');
  const escalate = async (user: string, text: string) => {
    await app.runtime.handleTurn(textFrom(user, 'xin chào'));
    const turn = await app.runtime.handleTurn(textFrom(user, text));
    expect(turn.handoffId).toBeTruthy();
    return turn;
  };

  it('an emergency in the middle of a report queues the chat first, answers with the emergency numbers in the same turn and keeps the draft', async () => {
    const u = driver(app, 'mid-report');
    await u.text('hello');
    await u.choose('lang.en');
    await u.choose('report');
    await u.choose('report.new');
    await u.choose('cat.scam_compound');
    await u.choose('prov.ha-noi');
    const said = await u.text('help me please they lock us in');
    expect(said.handoffId).toBeTruthy();
    expect(said.texts.join('\n')).toMatch(/113/);
    expect(said.texts.join('\n')).toMatch(/115/);
    expect(said.texts.join('\n')).toMatch(/number 1 in the queue/);
    const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: said.handoffId! } });
    expect(handoff.priority).toBe(3);
    expect(handoff.level).toBe('emergency');
    const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: u.conversationId! } });
    expect(conversation.status).toBe('queued');
    expect(JSON.stringify(conversation.snapshot)).toContain('scam_compound'); // the draft is still there
    expect(await app.database.prisma.riskEvent.count({ where: { conversationId: u.conversationId! } })).toBe(1);

    // While queued the message is stored for the counsellor and acknowledged (never a dead end).
    const waiting = await u.text('are you there?');
    expect(waiting.texts.join('\n')).toMatch(/passed your message to the counsellor/);
    const transcript = await getTranscript(app.database.prisma, u.conversationId!);
    expect(transcript.filter((m) => m.direction === 'inbound').at(-1)?.text).toBe('are you there?');
  });

  it('orders waiting chats by priority, then by waiting time', async () => {
    const first = await escalate('q-a', '/counsellor'); // user request: priority 1
    clockMs += 1000;
    const second = await escalate('q-b', 'cứu tôi với'); // emergency: priority 3
    clockMs += 1000;
    const third = await escalate('q-c', '/counsellor'); // a later request, same priority
    const queue = await listQueue(app.queue);
    expect(queue.map((q) => q.handoffId)).toEqual([second.handoffId, first.handoffId, third.handoffId]);
    expect(queue[0]!.matches.length).toBeGreaterThan(0);
    expect(queue[0]!.matches[0]!.term?.toLowerCase()).toContain('cứu');
  });

  // On PGlite (one connection) the two claims are serialised: only the PostgreSQL run of this suite
  // proves atomicity (and queue.postgres.test.ts races many counsellors).
  it('lets exactly one of two concurrent claims win, every time', async () => {
    const [alice, bob] = [await staff('alice@111.vn'), await staff('bob@111.vn')];
    for (let round = 0; round < 8; round++) {
      const turn = await escalate(`race-${round}`, 'help me');
      const results = await Promise.allSettled([
        claimHandoff(app.queue, { handoffId: turn.handoffId!, counsellorId: alice }),
        claimHandoff(app.queue, { handoffId: turn.handoffId!, counsellorId: bob }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0]!.reason as AppError).code).toBe('HANDOFF_TAKEN');
      const row = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: turn.handoffId! } });
      expect(row.state).toBe('claimed');
      expect([alice, bob]).toContain(row.counsellorId);
    }
  });

  it('relays: the counsellor reply goes out through the user channel; only the holder may write', async () => {
    const [alice, bob] = [await staff('a2@111.vn'), await staff('b2@111.vn')];
    const turn = await escalate('relay', 'help me');
    await claimHandoff(app.queue, { handoffId: turn.handoffId!, counsellorId: alice });
    await expect(app.runtime.sendCounsellorReply({ conversationId: turn.conversationId, counsellorId: bob, text: 'hi' })).rejects.toMatchObject({ code: 'HANDOFF_NOT_OWNER' });
    const { messageId } = await app.runtime.sendCounsellorReply({ conversationId: turn.conversationId, counsellorId: alice, text: 'Chào bạn, mình là tư vấn viên.' });
    const row = await app.database.prisma.message.findUniqueOrThrow({ where: { id: messageId } });
    expect(row).toMatchObject({ author: 'counsellor', direction: 'outbound', status: 'pending', channel: 'test' });
    await app.outbox.sweep();
    expect(port.sent.map((s) => s.message.text)).toContain('Chào bạn, mình là tư vấn viên.');
    expect(port.sent.find((s) => s.message.text.startsWith('Chào bạn'))!.target.conversationId).toBe(turn.conversationId);
    // The user's answer is stored and not answered by the bot.
    const answer = await app.runtime.handleTurn(textFrom('relay', 'cảm ơn'));
    expect(answer.status).toBe('forwarded');
    expect(answer.outboundIds).toEqual([]);
  });

  it('sends the SLA update exactly once when nobody claims in time', async () => {
    const turn = await escalate('sla', 'help me');
    clockMs += 30_000;
    expect((await scanSla(app.queue)).breached).toEqual([]);
    clockMs += 31_000;
    const events: string[] = [];
    app.bus.subscribe((e) => events.push(e.type));
    const first = await scanSla(app.queue);
    expect(first.breached).toEqual([{ handoffId: turn.handoffId, conversationId: turn.conversationId }]);
    expect(events).toContain('sla.breached');
    clockMs += 60_000;
    expect((await scanSla(app.queue)).breached).toEqual([]);
    const updates = (await texts(turn.conversationId)).filter((t) => t.includes('busy') || t.includes('bận'));
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatch(/113/);
    const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: turn.conversationId } });
    expect(conversation.status).toBe('queued');
    expect((await listQueue(app.queue))[0]!.slaBreached).toBe(true);
  });

  it('transfers back to the waiting queue and to a named counsellor', async () => {
    const [alice, bob] = [await staff('a3@111.vn'), await staff('b3@111.vn')];
    const turn = await escalate('transfer', 'help me');
    await claimHandoff(app.queue, { handoffId: turn.handoffId!, counsellorId: alice });
    await expect(transferHandoff(app.queue, { handoffId: turn.handoffId!, actorId: bob, toCounsellorId: null })).rejects.toMatchObject({ code: 'HANDOFF_NOT_OWNER' });
    await transferHandoff(app.queue, { handoffId: turn.handoffId!, actorId: alice, toCounsellorId: bob });
    expect((await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: turn.handoffId! } })).counsellorId).toBe(bob);
    await transferHandoff(app.queue, { handoffId: turn.handoffId!, actorId: bob, toCounsellorId: null });
    const [item] = await listQueue(app.queue);
    expect(item).toMatchObject({ handoffId: turn.handoffId, state: 'waiting', counsellorId: null });
    const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: turn.conversationId } });
    expect(conversation.status).toBe('queued');
  });

  it('closes with an outcome and a report link; the next message goes to the bot', async () => {
    const alice = await staff('a4@111.vn');
    const turn = await escalate('close', 'help me');
    await claimHandoff(app.queue, { handoffId: turn.handoffId!, counsellorId: alice });
    await expect(app.runtime.returnToBot({ handoffId: turn.handoffId!, actorId: alice, outcome: 'nonsense' })).rejects.toMatchObject({ code: 'BAD_OUTCOME' });
    await expect(app.runtime.returnToBot({ handoffId: turn.handoffId!, actorId: alice, outcome: 'report_filed', reportId: 'HT-XXXX-XXXX' })).rejects.toMatchObject({ code: 'REPORT_NOT_FOUND' });
    const report = await app.database.prisma.report.create({
      data: { referenceCode: 'HT-TEST-0001', followUpHash: 'x', category: 'other', referralTargets: [], encryptedPayload: 'x', channel: 'test' },
    });
    await app.runtime.returnToBot({ handoffId: turn.handoffId!, actorId: alice, outcome: 'report_filed', summary: 'advised, report filed', reportId: 'ht-test-0001' });
    const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: turn.handoffId! } });
    expect(handoff).toMatchObject({ state: 'closed', outcome: 'report_filed', reportId: report.id, summary: 'advised, report filed' });
    await expect(app.runtime.returnToBot({ handoffId: turn.handoffId!, actorId: alice, outcome: 'no_action' })).rejects.toMatchObject({ code: 'HANDOFF_CLOSED' });
    const next = await app.runtime.handleTurn(textFrom('close', 'menu'));
    expect(next.status).toBe('handled');
    expect(next.outboundIds.length).toBeGreaterThan(0);
  });

  it('hands back to the bot, which re-asks the question the user was at', async () => {
    const alice = await staff('a5@111.vn');
    const u = driver(app, 'handback');
    await u.text('hello');
    await u.choose('lang.en');
    await u.choose('report');
    await u.choose('report.new');
    const place = await u.choose('cat.forced_labour'); // now asked where it happened
    const question = place.texts.at(-1)!;
    const said = await u.text('help me');
    await claimHandoff(app.queue, { handoffId: said.handoffId!, counsellorId: alice });
    const back = await app.runtime.returnToBot({ handoffId: said.handoffId!, actorId: alice, outcome: 'handed_back' });
    const resumed = await app.database.prisma.message.findMany({ where: { id: { in: back.outboundIds } }, orderBy: { seq: 'asc' } });
    expect(resumed.map((m) => m.text)).toContain(question);
    const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: u.conversationId! } });
    expect(conversation.status).toBe('bot');
    // The user answers the re-asked question and the report carries on.
    const when = await u.choose('prov.ha-noi');
    expect(when.texts.length).toBeGreaterThan(0);
    expect(when.handoffId).toBeUndefined();
  });
}
