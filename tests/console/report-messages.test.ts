/**
 * Two-way anonymous report messages: a supervisor (or the counsellor of a linked chat) writes to the
 * reporter through the console API; the reporter reads it at follow-up with their codes from
 * another channel and answers there; the console reads the answer. Sealed at rest, every step audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hashPassword } from '../../console/auth/passwords.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { recordingPort } from '../helpers/ports.js';
import { driver } from '../flows/helpers.js';
import { ConsoleClient } from './session.js';

describe('report messages, both ways', () => {
  let app: TestApp;
  let base: string;
  beforeAll(async () => {
    app = await createTestApp({ ports: [recordingPort(), recordingPort('other')] });
    base = await app.listen();
  }, 120_000);
  afterAll(async () => {
    await app.close();
  });

  const account = async (email: string, role: 'counsellor' | 'supervisor', alias?: string) => {
    const user = await app.database.prisma.staffUser.create({ data: { email, displayName: `Real ${email}`, role, passwordHash: await hashPassword('a-long-enough-password'), ...(alias ? { alias } : {}) } });
    const client = new ConsoleClient(base);
    await client.login(email, 'a-long-enough-password');
    return Object.assign(client, { id: user.id });
  };

  /** Files a report through the bot (in Vietnamese) and returns its codes. */
  const fileReport = async (user: string) => {
    const u = driver(app, user);
    await u.text('xin chào');
    await u.choose('lang.vi');
    await u.choose('report');
    await u.choose('cat.scam_compound');
    const pick = await u.text('Hà Nội');
    if (pick.choices.some((c) => c.id === 'prov.ha-noi')) await u.choose('prov.ha-noi');
    await u.choose('no');
    const done = await u.choose('report.send');
    const match = done.texts[0]!.match(/(HT-[2-9A-Z]{4}-[2-9A-Z]{4})\n[^\n]*?([2-9A-Z]{4}-[2-9A-Z]{4})/);
    expect(match).not.toBeNull();
    const [, reference, code] = match! as unknown as [string, string, string];
    return { reference, code, report: await app.database.prisma.report.findUniqueOrThrow({ where: { referenceCode: reference } }), conversationId: u.conversationId! };
  };

  const followUp = async (user: string, channel: string, reference: string, code: string) => {
    const d = driver(app, user, channel);
    await d.text('xin chào');
    await d.choose('lang.vi');
    await d.choose('report');
    await d.choose('report.followUp');
    await d.text(reference);
    return { d, status: await d.text(code) };
  };

  it('a supervisor writes, the reporter reads it from another channel and answers, the console reads the answer', async () => {
    const { reference, code, report } = await fileReport('reporter-1');
    const supervisor = await account('sup@111.vn', 'supervisor', 'Hoa');
    const live: { type: string; reportId?: string; author?: string }[] = [];
    const ws = new WebSocket(`${base.replace('http', 'ws')}/console/ws`, { headers: { cookie: supervisor.cookie, origin: base } });
    ws.on('message', (data) => live.push(JSON.parse(String(data)) as (typeof live)[number]));
    await new Promise((resolve) => ws.once('open', resolve));

    // Bad input and unknown reports get stable codes.
    expect((await supervisor.json<{ error: { code: string } }>('POST', `/console/api/reports/${report.id}/messages`, { text: '   ' })).body.error.code).toBe('BAD_INPUT');
    expect((await supervisor.json<{ error: { code: string } }>('POST', `/console/api/reports/${report.id}/messages`, { text: 'x'.repeat(2001) })).body.error.code).toBe('BAD_INPUT');
    expect((await supervisor.json<{ error: { code: string } }>('POST', '/console/api/reports/00000000-0000-4000-8000-000000000000/messages', { text: 'hi' })).status).toBe(404);
    expect((await supervisor.json<{ error: { code: string } }>('GET', '/console/api/reports/not-a-uuid/messages')).body.error.code).toBe('BAD_INPUT');

    const question = 'Bạn có biết tên công ty tuyển dụng không?';
    const sent = await supervisor.json<{ id: string; createdAt: string }>('POST', `/console/api/reports/${report.id}/messages`, { text: question });
    expect(sent.status).toBe(201);
    // Sealed at rest: the stored text is not the message.
    const [raw] = await app.database.prisma.$queryRaw<{ text: string }[]>`SELECT text FROM "ReportMessage" WHERE id = ${sent.body.id}::uuid`;
    expect(raw!.text).not.toContain('công ty');
    expect(raw!.text).toMatch(/^enc:/);
    await expectEvent(live, (e) => e.type === 'report.message' && e.reportId === report.id && e.author === 'staff');

    // The reporter follows up from another channel: sees the status, then the hotline's message with its alias.
    const { d, status } = await followUp('reporter-1-elsewhere', 'other', reference, code);
    const shown = status.texts.join('\n');
    expect(shown).toContain(reference);
    expect(shown).toContain('Tổng đài 111 có tin nhắn mới cho bạn');
    expect(shown).toContain('Tư vấn viên Hoa');
    expect(shown).toContain(question);
    expect(shown).not.toContain('sup@111.vn');
    expect(shown).not.toContain('Real ');
    expect(status.choices.map((c) => c.id)).toContain('follow.message');
    // It is read now: the console sees when.
    const thread = await supervisor.json<{ messages: { author: string; text: string; alias: string | null; readAt: string | null }[] }>('GET', `/console/api/reports/${report.id}/messages`);
    expect(thread.body.messages).toEqual([expect.objectContaining({ author: 'staff', text: question, alias: 'Tư vấn viên Hoa', readAt: expect.any(String) })]);

    // The reporter answers.
    const asked = await d.choose('follow.message');
    expect(asked.texts.join('\n')).toContain('Bạn gõ lời nhắn');
    const answer = 'Công ty tên là Golden Star, người tuyển tên Minh';
    const ack = await d.text(answer);
    expect(ack.texts.join('\n')).toContain('Đã gửi lời nhắn cho tư vấn viên');
    await expectEvent(live, (e) => e.type === 'report.message' && e.reportId === report.id && e.author === 'reporter');
    const after = await supervisor.json<{ messages: { author: string; text: string; channel: string | null }[] }>('GET', `/console/api/reports/${report.id}/messages`);
    expect(after.body.messages.map((m) => [m.author, m.text, m.channel])).toEqual([
      ['staff', question, null],
      ['reporter', answer, 'other'],
    ]);
    const list = await supervisor.json<{ id: string; messages: { total: number; fromReporter: number; awaitingAnswer: boolean } }[]>('GET', '/console/api/reports');
    expect(list.body.find((r) => r.id === report.id)!.messages).toMatchObject({ total: 2, fromReporter: 1, awaitingAnswer: true });

    // A second follow-up shows no message again (already read).
    const again = await followUp('reporter-1-third', 'test', reference, code);
    expect(again.status.texts.join('\n')).not.toContain(question);

    // Audited: reads and writes, never the text.
    expect(await app.database.prisma.auditLog.count({ where: { action: 'report.message.create', subjectId: report.id } })).toBe(1);
    expect(await app.database.prisma.auditLog.count({ where: { action: 'report.messages.read', subjectId: report.id } })).toBe(2);
    const details = JSON.stringify(await app.database.prisma.auditLog.findMany({ where: { subjectId: report.id } }));
    expect(details).not.toContain('Golden Star');
    expect(details).not.toContain('công ty');
    ws.close();
  });

  it('a counsellor reaches only the reporter of a report linked to a chat they hold or held', async () => {
    const { report, conversationId } = await fileReport('reporter-2');
    const holder = await account('holder@111.vn', 'counsellor');
    const other = await account('other@111.vn', 'counsellor');
    expect((await holder.json<{ error: { code: string } }>('GET', `/console/api/reports/${report.id}/messages`)).body.error.code).toBe('FORBIDDEN');
    // The reporter asks for a counsellor in the same conversation; the holder claims it.
    const u = driver(app, 'reporter-2');
    const asked = await u.choose('counsellor');
    const handoffId = asked.handoffId ?? (await app.database.prisma.handoff.findFirstOrThrow({ where: { conversationId } })).id;
    expect((await holder.request('POST', `/console/api/handoffs/${handoffId}/claim`, {})).status).toBe(200);
    expect((await holder.json('POST', `/console/api/reports/${report.id}/messages`, { text: 'Mình sẽ hỏi thêm ở đây nhé.' })).status).toBe(201);
    expect((await holder.json('GET', `/console/api/reports/${report.id}/messages`)).status).toBe(200);
    expect((await other.json('POST', `/console/api/reports/${report.id}/messages`, { text: 'hi' })).status).toBe(403);
    expect((await other.json('GET', `/console/api/reports/${report.id}/messages`)).status).toBe(403);
  });
});

async function expectEvent<T>(list: T[], match: (e: T) => boolean): Promise<void> {
  const started = Date.now();
  while (!list.some(match)) {
    if (Date.now() - started > 30_000) throw new Error(`event not received; got ${JSON.stringify(list)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
