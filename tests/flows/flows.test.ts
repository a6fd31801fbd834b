/** Each flow end to end through handleTurn on a real PGlite, by buttons and by typed text, in vi and en. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptJson } from '../../core/reports/crypto.js';
import { FOLLOW_UP_LIMITS } from '../../core/reports/service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { driver } from './helpers.js';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

const ids = (said: { choices: { id: string }[] }) => said.choices.map((c) => c.id);

describe('report', () => {
  let reference = '';
  let code = '';

  it('by buttons in English: submit gives readable codes, stores encrypted, routes by province and category', async () => {
    const u = driver(app, 'rep-en');
    await u.text('hello');
    await u.choose('lang.en');
    expect(ids(await u.choose('report'))).toContain('report.new');
    await u.choose('report.new');
    await u.choose('cat.scam_compound');
    const pick = await u.text('DN'); // ambiguous: Da Nang or Dong Nai
    expect(ids(pick)).toEqual(expect.arrayContaining(['prov.da-nang', 'prov.dong-nai']));
    await u.choose('prov.dong-nai');
    await u.choose('when.week');
    await u.choose('count.few');
    await u.choose('age.both');
    await u.choose('gender.mixed');
    await u.text('recruiter "Anh Long" on Telegram');
    await u.choose('via.telegram');
    await u.text('screenshots of the chat');
    await u.choose('no');
    await u.choose('consent.yes');
    const summary = await u.text('0900 000 000 after 6pm');
    expect(summary.texts[0]).toContain('Dong Nai');
    expect(summary.texts[0]).toContain('0900 000 000');
    // Edit one field: back to the summary afterwards.
    await u.choose('summary.edit');
    await u.choose('edit.when');
    const edited = await u.choose('when.ongoing');
    expect(edited.texts[0]).toContain('It is still happening');
    const done = await u.choose('summary.submit');
    const match = done.texts[0]!.match(/Reference: (HT-[2-9A-Z]{4}-[2-9A-Z]{4})\nSecret code: ([2-9A-Z]{4}-[2-9A-Z]{4})/);
    expect(match).not.toBeNull();
    reference = match![1]!;
    code = match![2]!;
    expect(reference.slice(3) + code).not.toMatch(/[01OIL]/);
    const row = await app.database.prisma.report.findUniqueOrThrow({ where: { referenceCode: reference } });
    expect(row.category).toBe('scam_compound');
    expect(row.province).toBe('dong-nai');
    expect(row.referralTargets).toEqual(['police', 'border_guard', 'local_authority', 'social_services']);
    expect(row.encryptedPayload).not.toContain('Anh Long');
    expect(row.followUpHash).not.toContain(code);
    const body = decryptJson<{ suspects: string; contact: string }>(app.keys.encryptionKey, row.encryptedPayload, reference);
    expect(body.suspects).toContain('Anh Long');
    expect(body.contact).toContain('0900');
  });

  it('follow-up from a different channel shows the status and takes additions', async () => {
    await app.database.prisma.report.update({ where: { referenceCode: reference }, data: { status: 'referred' } });
    const other = driver(app, 'someone-else', 'zalo');
    await other.text('xin chao');
    await other.choose('lang.vi');
    await other.choose('report');
    await other.choose('report.followUp');
    await other.text(reference.toLowerCase().replace(/-/g, ' '));
    const status = await other.text(code.replace('-', ''));
    expect(status.texts[0]).toContain(reference);
    expect(status.texts[0]).toContain('đã chuyển tới cơ quan có thẩm quyền');
    await other.choose('follow.add');
    const added = await other.text('Họ đã chuyển sang nhóm Telegram khác');
    expect(added.texts[0]).toContain('Đã thêm');
    expect(await app.database.prisma.reportAddition.count()).toBe(1);
  });

  it('refuses a wrong code the same way as an unknown reference, then rate-limits', async () => {
    const u = driver(app, 'guesser', 'line');
    await u.text('hi');
    await u.choose('lang.en');
    await u.choose('report');
    await u.choose('report.followUp');
    await u.text(reference);
    const wrong = await u.text('2222-2222');
    await u.text('HT-2222-3333');
    const unknown = await u.text('2222-2222');
    expect(wrong.texts[0]).toBe(unknown.texts[0]);
    expect(wrong.texts[0]).toMatch(/not right/);
    for (let i = 2; i < FOLLOW_UP_LIMITS.user.max; i++) {
      await u.text(reference);
      await u.text('3333-3333');
    }
    await u.choose('report.followUp');
    await u.text(reference);
    const limited = await u.text(code); // even the right code is refused while limited
    expect(limited.texts[0]).toMatch(/Too many wrong tries/);
  });

  it('by typed text in Vietnamese without diacritics; "someone in danger" hands off and keeps the draft', async () => {
    const u = driver(app, 'rep-vi');
    await u.text('chao');
    await u.text('tieng viet');
    await u.text('1'); // report
    await u.text('bao tin moi');
    await u.text('ep ket hon, ban lam vo'); // the words of a button: a choice, not a risk phrase
    const when = await u.text('o ha giang');
    expect(when.texts[0]).toMatch(/khi nào/);
    await u.text('hom qua');
    await u.text('1');
    await u.text('duoi 18 tuoi');
    await u.text('nu');
    await u.text('bo qua');
    await u.text('zalo');
    await u.text('bo qua');
    const danger = await u.text('co');
    expect(danger.handoffId).toBeDefined();
    const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: danger.handoffId! } });
    expect(handoff.priority).toBe(3);
    expect(danger.texts.join('\n')).toContain('113');
    const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: u.conversationId! } });
    const snapshot = conversation.snapshot as { context: { draft: { category: string; province: string; inDanger: boolean } } };
    expect(snapshot.context.draft).toMatchObject({ category: 'forced_marriage', province: 'tuyen-quang', inDanger: true });
  });

  it('back and menu work from inside the report, and the draft is offered again', async () => {
    const u = driver(app, 'rep-back');
    await u.text('hi');
    await u.choose('lang.en');
    await u.choose('report');
    await u.choose('report.new');
    await u.choose('cat.other');
    const back = await u.text('back');
    expect(ids(back)).toContain('cat.other');
    await u.choose('cat.missing_person');
    const menu = await u.text('menu');
    expect(ids(menu)).toContain('signs');
    const again = await u.choose('report');
    expect(ids(again)).toContain('draft.continue');
    const summary = await u.choose('draft.continue');
    expect(summary.texts[0]).toContain('Missing person');
    const cancelled = await u.choose('summary.cancel');
    expect(cancelled.texts[0]).toMatch(/cancelled/);
    expect(ids(await u.choose('report'))).toContain('report.new');
  });
});

describe('rights FAQ', () => {
  it('vi: typed question without diacritics finds the answer naming its article; nonsense offers a counsellor', async () => {
    const u = driver(app, 'faq-vi');
    await u.text('chao');
    await u.choose('lang.vi');
    await u.text('2');
    const answer = await u.text('tro giup phap ly mien phi');
    expect(answer.texts[0]).toContain('Điều 37');
    const none = await u.text('zzzz qqqq');
    expect(ids(none)).toContain('counsellor');
  });

  it('en: browse by topic by buttons', async () => {
    const u = driver(app, 'faq-en');
    await u.text('hi');
    await u.choose('lang.en');
    await u.choose('rights');
    const topic = await u.choose('topic.privacy');
    expect(ids(topic)).toContain('faq.privacy');
    const answer = await u.choose('faq.privacy');
    expect(answer.texts[0]).toContain('Article 3(10)');
    const back = await u.choose('nav.back');
    expect(ids(back)).toContain('faq.privacy');
  });
});

describe('find help', () => {
  it('en: by need and typed old province name, with pagination', async () => {
    const u = driver(app, 'help-en');
    await u.text('hi');
    await u.choose('lang.en');
    await u.choose('help');
    await u.choose('need.legal_aid');
    const results = await u.text('Binh Duong');
    expect(results.texts[0]).toMatch(/Ho Chi Minh City/);
    expect(results.texts[0]).toContain('111');
    expect(ids(results)).toContain('help.more');
    const more = await u.choose('help.more');
    expect(more.texts[0]).toMatch(/5–/);
  });

  it('vi: by group and a shared location (nearest province); ended projects are not listed', async () => {
    const u = driver(app, 'help-vi');
    await u.text('chao');
    await u.choose('lang.vi');
    await u.choose('help');
    await u.text('tim theo nhom nguoi');
    await u.text('phu nu');
    const results = await u.location(10.03, 105.77); // Can Tho
    expect(results.texts[0]).toContain('Cần Thơ');
    expect(results.texts[0]).not.toContain('JICA');
    expect(await app.database.prisma.serviceEntry.count()).toBeGreaterThanOrEqual(39);
  });
});

describe('spot the signs', () => {
  it('en by buttons: a strong sign gives a high-risk summary and an offer to report', async () => {
    const u = driver(app, 'signs-en');
    await u.text('hi');
    await u.choose('lang.en');
    await u.choose('signs');
    await u.choose('signs.start');
    let last = await u.choose('yes');
    for (let i = 1; i < 10; i++) last = await u.choose(i === 8 ? 'yes' : 'no');
    expect(last.texts[0]).toMatch(/2 worrying signs/);
    expect(ids(last)).toEqual(expect.arrayContaining(['signs.report', 'counsellor']));
    const report = await u.choose('signs.report');
    expect(report.texts[0]).toMatch(/Where did it happen/);
  });

  it('vi by typed text: all "khong" gives the low-risk advice', async () => {
    const u = driver(app, 'signs-vi');
    await u.text('chao');
    await u.choose('lang.vi');
    await u.text('4');
    await u.text('bat dau');
    let last = await u.text('khong');
    for (let i = 1; i < 10; i++) last = await u.text('2');
    expect(last.texts[0]).toMatch(/Chưa thấy dấu hiệu rõ ràng/);
  });
});
