/**
 * Closing a chat over real HTTP: the structured wrap-up (required, validated, stored, audited), the
 * user's closing message by the counsellor's alias with the emergency numbers again, the
 * one-question survey answered by button or by typing, its answers and the wrap-ups on the
 * dashboard and in the CSV; counsellor replies name the alias, never the account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../console/auth/passwords.js';
import { createTestApp, textFrom, choiceFrom, type TestApp } from '../helpers/app.js';
import { recordingPort } from '../helpers/ports.js';
import { ConsoleClient } from './session.js';

const WRAP = { contactType: 'report', referrals: ['police', 'shelter'], followUpNeeded: true };

describe('wrap-up and survey', () => {
  let app: TestApp;
  let base: string;
  const port = recordingPort();
  beforeAll(async () => {
    app = await createTestApp({ ports: [port] });
    base = await app.listen();
  }, 120_000);
  afterAll(async () => {
    await app.close();
  });

  const account = async (email: string, role: 'counsellor' | 'supervisor', alias?: string) => {
    const user = await app.database.prisma.staffUser.create({ data: { email, displayName: `Nguyễn Văn ${email}`, role, passwordHash: await hashPassword('a-long-enough-password'), ...(alias ? { alias } : {}) } });
    const client = new ConsoleClient(base);
    await client.login(email, 'a-long-enough-password');
    return Object.assign(client, { id: user.id });
  };
  /** A Vietnamese user who asked for help; the counsellor holds the chat. */
  const heldChat = async (user: string, counsellor: ConsoleClient) => {
    await app.runtime.handleTurn(textFrom(user, 'xin chào'));
    await app.runtime.handleTurn(choiceFrom(user, 'lang.vi'));
    const turn = await app.runtime.handleTurn(choiceFrom(user, 'counsellor'));
    expect(turn.handoffId).toBeDefined();
    expect((await counsellor.request('POST', `/console/api/handoffs/${turn.handoffId}/claim`, {})).status).toBe(200);
    return { handoffId: turn.handoffId!, conversationId: turn.conversationId };
  };
  const outbound = (ids: string[]) => app.database.prisma.message.findMany({ where: { id: { in: ids } }, orderBy: { seq: 'asc' } });
  const lastOutbound = async (conversationId: string, n: number) =>
    (await app.database.prisma.message.findMany({ where: { conversationId, direction: 'outbound' }, orderBy: { seq: 'desc' }, take: n })).reverse();

  it('needs a valid wrap-up to close; tells the user by alias, with the numbers and the survey; records the answer once', async () => {
    const lan = await account('lan@111.vn', 'counsellor', 'Lan');
    const chat = await heldChat('u1', lan);

    // Counsellor replies carry the alias to the channel, and the stored text stays as written.
    expect((await lan.request('POST', `/console/api/handoffs/${chat.handoffId}/reply`, { text: 'Chào bạn, mình là Lan.' })).status).toBe(200);
    await until(() => port.sent.some((s) => s.message.author === 'counsellor'));
    const delivered = port.sent.find((s) => s.message.author === 'counsellor')!.message;
    expect(delivered).toMatchObject({ text: 'Tư vấn viên Lan: Chào bạn, mình là Lan.', sender: 'Tư vấn viên Lan' });
    expect(JSON.stringify(port.sent)).not.toContain('lan@111.vn');
    expect(JSON.stringify(port.sent)).not.toContain('Nguyễn Văn');
    const [stored] = await app.database.prisma.message.findMany({ where: { conversationId: chat.conversationId, author: 'counsellor' } });
    expect(stored!.text).toBe('Chào bạn, mình là Lan.');

    // The wrap-up is required and checked.
    const close = (body: unknown) => lan.json<{ error?: { code: string } }>('POST', `/console/api/handoffs/${chat.handoffId}/close`, body);
    expect((await close({ outcome: 'advice_given' })).body.error!.code).toBe('BAD_INPUT');
    expect((await close({ outcome: 'advice_given', wrapUp: { ...WRAP, contactType: 'gossip' } })).body.error!.code).toBe('BAD_INPUT');
    expect((await close({ outcome: 'advice_given', wrapUp: { ...WRAP, referrals: ['police', 'police'] } })).body.error!.code).toBe('BAD_INPUT');
    expect((await close({ outcome: 'advice_given', wrapUp: { ...WRAP, followUpNeeded: 'yes' } })).body.error!.code).toBe('BAD_INPUT');
    expect(await close({ outcome: 'referred_police', wrapUp: WRAP })).toEqual({ status: 200, body: { ok: true } });

    const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: chat.handoffId } });
    expect(handoff).toMatchObject({ state: 'closed', outcome: 'referred_police', contactType: 'report', referrals: ['police', 'shelter'], followUpNeeded: true, surveyAnswer: null });
    expect(handoff.surveyAskedAt).not.toBeNull();
    const audit = await app.database.prisma.auditLog.findFirstOrThrow({ where: { action: 'handoff.close', subjectId: chat.handoffId } });
    expect(audit.detail).toMatchObject({ contactType: 'report', referrals: 'police,shelter', followUpNeeded: true, survey: true });

    // The user: the counsellor (by alias) ended the chat, the numbers again, then the one question with its answers.
    const [closing, question] = await lastOutbound(chat.conversationId, 2);
    expect(closing!.text).toContain('Tư vấn viên Lan đã kết thúc cuộc trò chuyện');
    expect(closing!.text).toContain('113');
    expect(closing!.text).toContain('111');
    expect(question!.text).toBe('Cuộc trò chuyện có giúp được bạn không?');
    expect((question!.payload as { choices: { id: string }[] }).choices.map((c) => c.id)).toEqual(['survey.yes', 'survey.partly', 'survey.no']);

    // The answer is taken before the flow sees it, thanked, and the assistant carries on (the menu).
    const answered = await app.runtime.handleTurn(choiceFrom('u1', 'survey.partly'));
    const said = await outbound(answered.outboundIds);
    expect(said[0]!.text).toContain('Cảm ơn bạn đã trả lời');
    expect(said.some((m) => ((m.payload as { choices?: { id: string }[] } | null)?.choices ?? []).some((c) => c.id === 'report'))).toBe(true);
    expect((await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: chat.handoffId } })).surveyAnswer).toBe('partly');
    // A second press changes nothing.
    await app.runtime.handleTurn(choiceFrom('u1', 'survey.yes'));
    expect((await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: chat.handoffId } })).surveyAnswer).toBe('partly');

    // The closed chat shows its wrap-up and survey answer to the holder.
    const detail = await lan.json<{ handoff: { wrapUp: unknown; survey: string | null } }>('GET', `/console/api/handoffs/${chat.handoffId}`);
    expect(detail.body.handoff).toMatchObject({ wrapUp: { contactType: 'report', referrals: ['police', 'shelter'], followUpNeeded: true }, survey: 'partly' });
  });

  it('takes a typed answer (its number), skips the survey when asked to or when the phone is watched', async () => {
    const c = await account('c2@111.vn', 'counsellor');
    const typed = await heldChat('u2', c);
    await c.request('POST', `/console/api/handoffs/${typed.handoffId}/close`, { outcome: 'advice_given', wrapUp: { contactType: 'advice', referrals: [], followUpNeeded: false } });
    const [closing] = await lastOutbound(typed.conversationId, 2);
    // No alias set: a neutral one, never the account's name.
    expect(closing!.text).toContain('Tư vấn viên 111 đã kết thúc');
    expect(closing!.text).not.toContain('Nguyễn Văn');
    const turn = await app.runtime.handleTurn(textFrom('u2', '3'));
    expect((await outbound(turn.outboundIds))[0]!.text).toContain('Cảm ơn bạn đã nói thật');
    expect((await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: typed.handoffId } })).surveyAnswer).toBe('no');

    const skipped = await heldChat('u3', c);
    await c.request('POST', `/console/api/handoffs/${skipped.handoffId}/close`, { outcome: 'no_action', wrapUp: { contactType: 'information', referrals: [], followUpNeeded: false }, survey: false });
    expect((await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: skipped.handoffId } })).surveyAskedAt).toBeNull();
    const last = await lastOutbound(skipped.conversationId, 3);
    expect(last.map((m) => m.text).join('\n')).not.toContain('Cuộc trò chuyện có giúp được bạn không?');
    expect(last.map((m) => m.text).join('\n')).toContain('đã kết thúc');

    const watched = await heldChat('u4', c);
    await app.database.prisma.handoff.update({ where: { id: watched.handoffId }, data: { categories: ['phone_watched'] } });
    await c.request('POST', `/console/api/handoffs/${watched.handoffId}/close`, { outcome: 'advice_given', wrapUp: { contactType: 'advice', referrals: ['legal_aid'], followUpNeeded: false } });
    expect((await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: watched.handoffId } })).surveyAskedAt).toBeNull();
  });

  it('shows the wrap-ups and the survey answers on the dashboard and in the CSV', async () => {
    const supervisor = await account('s@111.vn', 'supervisor');
    const figures = await supervisor.json<{ wrapUp: { closed: number; contactTypes: Record<string, number>; referrals: Record<string, number>; followUpNeeded: number }; survey: { asked: number; answered: number; answers: Record<string, number> } }>(
      'GET',
      '/console/api/dashboard',
    );
    expect(figures.body.wrapUp).toEqual({
      closed: 4,
      contactTypes: { information: 1, report: 1, advice: 2 },
      referrals: { police: 1, border_guard: 0, social_services: 0, shelter: 1, legal_aid: 1, health: 0, other: 0 },
      followUpNeeded: 1,
    });
    expect(figures.body.survey).toEqual({ asked: 2, answered: 2, answers: { yes: 0, partly: 1, no: 1 } });
    const csv = (await (await supervisor.request('GET', '/console/api/dashboard.csv')).text()).trim().split('\n');
    const header = csv[0]!.split(',');
    const rows = csv.slice(1).map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i]!, v])));
    const sum = (column: string) => rows.reduce((n, r) => n + Number(r[column] ?? 0), 0);
    expect([sum('wrapped_information'), sum('wrapped_report'), sum('wrapped_advice'), sum('follow_up_needed')]).toEqual([1, 1, 2, 1]);
    expect([sum('survey_yes'), sum('survey_partly'), sum('survey_no')]).toEqual([0, 1, 1]);
  });
});

async function until(ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!ok()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
