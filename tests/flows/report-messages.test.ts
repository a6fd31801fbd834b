/**
 * The reporter's side of two-way report messages, through handleTurn only: the hotline's messages
 * shown at follow-up (a neutral alias when none is set, at most a few at a time, each once), and
 * the reporter's answer stored with the report, sealed at rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOWN_PER_FOLLOW_UP, writeToReporter } from '../../core/reports/messages.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { driver } from './helpers.js';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

describe('report messages at follow-up', () => {
  it('shows the hotline\'s unread messages a few at a time, each once, and takes the reporter\'s answer', async () => {
    const u = driver(app, 'rep');
    await u.text('hello');
    await u.choose('lang.en');
    await u.choose('report');
    await u.choose('cat.forced_labour');
    const pick = await u.text('Ha Noi');
    if (pick.choices.some((c) => c.id === 'prov.ha-noi')) await u.choose('prov.ha-noi');
    await u.choose('no');
    const done = await u.choose('report.send');
    const [, reference, code] = done.texts[0]!.match(/(HT-[2-9A-Z]{4}-[2-9A-Z]{4})\n[^\n]*?([2-9A-Z]{4}-[2-9A-Z]{4})/)! as unknown as [string, string, string];
    const report = await app.database.prisma.report.findUniqueOrThrow({ where: { referenceCode: reference } });
    const staff = await app.database.prisma.staffUser.create({ data: { email: 'x@111.vn', displayName: 'Nguyễn Thị Real', role: 'supervisor', passwordHash: 'x' } });
    const start = Date.now();
    for (let i = 1; i <= SHOWN_PER_FOLLOW_UP + 2; i++) {
      await writeToReporter(app.database.prisma, { reportId: report.id, staffId: staff.id, text: `question number ${i}`, now: new Date(start + i * 1000) });
    }

    const follow = async (user: string) => {
      const d = driver(app, user, 'line');
      await d.text('hi');
      await d.choose('lang.en');
      await d.choose('report');
      await d.choose('report.followUp');
      await d.text(reference);
      return { d, said: await d.text(code) };
    };
    const first = await follow('rep-later');
    const text = first.said.texts.join('\n');
    expect(text).toContain(`Hotline 111 has new messages for you about this report (${SHOWN_PER_FOLLOW_UP + 2})`);
    expect(text).toContain('Counsellor 111');
    expect(text).not.toContain('Real');
    for (let i = 1; i <= SHOWN_PER_FOLLOW_UP; i++) expect(text).toContain(`question number ${i}\n`.trim());
    expect(text).not.toContain(`question number ${SHOWN_PER_FOLLOW_UP + 1}`);
    expect(text).toContain('There are 2 more messages');
    expect(first.said.choices.map((c) => c.id)).toEqual(expect.arrayContaining(['follow.add', 'follow.message']));

    // The answer, typed after "Write to the counsellor"; going back from the question returns to the options.
    await first.d.choose('follow.message');
    const back = await first.d.choose('nav.back');
    expect(back.choices.map((c) => c.id)).toContain('follow.message');
    await first.d.choose('follow.message');
    const ack = await first.d.text('The recruiter is called Minh');
    expect(ack.texts.join('\n')).toContain('Your message has gone to the counsellor');
    const answers = await app.database.prisma.reportMessage.findMany({ where: { reportId: report.id, author: 'reporter' } });
    expect(answers.map((a) => [a.text, a.channel, a.staffId])).toEqual([['The recruiter is called Minh', 'line', null]]);
    const [raw] = await app.database.prisma.$queryRaw<{ text: string }[]>`SELECT text FROM "ReportMessage" WHERE author = 'reporter'`;
    expect(raw!.text).not.toContain('Minh');

    // Next time: the two left, then nothing new.
    const second = await follow('rep-again');
    expect(second.said.texts.join('\n')).toContain(`question number ${SHOWN_PER_FOLLOW_UP + 2}`);
    expect(second.said.texts.join('\n')).not.toContain('question number 1\n');
    const third = await follow('rep-third');
    expect(third.said.texts.join('\n')).not.toContain('new messages');
  });
});
