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

  it('by buttons in English: saved after the essentials (5 taps from the menu), codes in a card; more details after saving', async () => {
    const u = driver(app, 'rep-en');
    await u.text('hello');
    await u.choose('lang.en');
    const first = await u.choose('report'); // 1
    expect(first.texts.at(-1)).toMatch(/police or local authorities/);
    expect(ids(first)).toEqual(expect.arrayContaining(['cat.scam_compound', 'report.followUp']));
    await u.choose('cat.scam_compound'); // 2
    const pick = await u.text('DN'); // ambiguous: Da Nang or Dong Nai
    expect(ids(pick)).toEqual(expect.arrayContaining(['prov.da-nang', 'prov.dong-nai']));
    const danger = await u.choose('prov.dong-nai'); // 3
    expect(danger.texts.at(-1)).toMatch(/in danger right now/);
    await u.choose('no'); // 4
    const done = await u.text('recruiter "Anh Long" on Telegram'); // 5: saved
    const match = done.texts[0]!.match(/Reference: (HT-[2-9A-Z]{4}-[2-9A-Z]{4})\nSecret code: ([2-9A-Z]{4}-[2-9A-Z]{4})/);
    expect(match).not.toBeNull();
    reference = match![1]!;
    code = match![2]!;
    expect(reference.slice(3) + code).not.toMatch(/[01OIL]/);
    // The codes also come as a card of their own, nothing else in it.
    const saved = await app.database.prisma.message.findFirstOrThrow({ where: { conversationId: u.conversationId!, text: done.texts[0]! } });
    expect((saved.payload as { cards: { body: string }[] }).cards[0]!.body).toBe(`Reference: ${reference}\nSecret code: ${code}`);
    expect(ids(done)).toEqual(['report.more', 'counsellor', 'nav.menu']);
    const row = await app.database.prisma.report.findUniqueOrThrow({ where: { referenceCode: reference } });
    expect(row.category).toBe('scam_compound');
    expect(row.province).toBe('dong-nai');
    expect(row.referralTargets).toEqual(['police', 'border_guard', 'local_authority', 'social_services']);
    expect(row.encryptedPayload).not.toContain('Anh Long');
    expect(row.followUpHash).not.toContain(code);
    expect(decryptJson<{ details: string }>(app.keys.encryptionKey, row.encryptedPayload, reference).details).toContain('Anh Long');

    // More details, each saved at once; "That's all" at any point.
    const when = await u.choose('report.more');
    expect(ids(when)).toEqual(expect.arrayContaining(['when.week', 'skip', 'more.done']));
    await u.choose('when.week');
    await u.choose('count.few');
    await u.choose('age.both');
    await u.choose('skip'); // gender
    await u.text('Anh Long, Telegram @longvieclam');
    await u.choose('via.telegram');
    await u.text('screenshots of the chat');
    await u.choose('consent.yes');
    const thanks = await u.text('0900 000 000 after 6pm');
    expect(thanks.texts[0]).toMatch(/added that to your report/);
    const updated = await app.database.prisma.report.findUniqueOrThrow({ where: { referenceCode: reference } });
    const body = decryptJson<Record<string, unknown>>(app.keys.encryptionKey, updated.encryptedPayload, reference);
    expect(body).toMatchObject({ when: 'week', peopleCount: 'few', peopleAge: 'both', suspects: 'Anh Long, Telegram @longvieclam', contactMethod: 'telegram', evidence: 'screenshots of the chat', contactConsent: true, contact: '0900 000 000 after 6pm' });
    expect(body.peopleGender).toBeUndefined();
  });

  it('stops adding details at "That\'s all" and keeps what was given', async () => {
    const u = driver(app, 'rep-more-done');
    await u.text('hello');
    await u.choose('lang.en');
    await u.choose('report');
    await u.choose('cat.missing_person');
    await u.choose('place.unknown');
    await u.choose('unsure');
    const done = await u.choose('report.send');
    const ref = done.texts[0]!.match(/Reference: (HT-[2-9A-Z-]+)/)![1]!;
    await u.choose('report.more');
    await u.choose('when.ongoing');
    const end = await u.choose('more.done');
    expect(ids(end)).toEqual(['counsellor', 'nav.menu']);
    const row = await app.database.prisma.report.findUniqueOrThrow({ where: { referenceCode: ref } });
    expect(row.province).toBeNull();
    expect(decryptJson<Record<string, unknown>>(app.keys.encryptionKey, row.encryptedPayload, ref)).toMatchObject({ category: 'missing_person', when: 'ongoing', inDanger: false });
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
    // Natural words, the date as dd/mm/yyyy, and what happens next.
    expect(status.texts[0]).toContain('đã được chuyển cho công an hoặc chính quyền địa phương');
    expect(status.texts[0]).toMatch(/gửi ngày \d{2}\/\d{2}\/\d{4}\./);
    expect(status.texts[0]).toMatch(/bổ sung ở đây/);
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
    await u.text('bao tin'); // a keyword at the menu
    const where = await u.text('ep cuoi, ban lam vo'); // the words of a button: a choice, not a risk phrase
    expect(where.texts[0]).toMatch(/ở đâu/);
    const danger = await u.text('o ha giang');
    expect(danger.texts[0]).toMatch(/nguy hiểm ngay bây giờ/);
    const queued = await u.text('uk');
    expect(queued.handoffId).toBeDefined();
    const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: queued.handoffId! } });
    expect(handoff.priority).toBe(3);
    expect(queued.texts.join('\n')).toContain('113');
    const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: u.conversationId! } });
    const snapshot = conversation.snapshot as { context: { draft: { category: string; province: string; inDanger: boolean } } };
    expect(snapshot.context.draft).toMatchObject({ category: 'forced_marriage', province: 'tuyen-quang', inDanger: true });
  });

  it('typed words at the first question become the report\'s details', async () => {
    const u = driver(app, 'rep-words');
    await u.text('chao');
    await u.choose('lang.vi');
    await u.choose('report');
    await u.text('hàng xóm nhà em đi làm xa rồi mất tích');
    await u.text('Nghệ An');
    await u.text('ko');
    const saved = await u.choose('report.send');
    const ref = saved.texts[0]!.match(/Mã tin báo: (HT-[2-9A-Z-]+)/)![1]!;
    const row = await app.database.prisma.report.findUniqueOrThrow({ where: { referenceCode: ref } });
    expect(row.category).toBe('missing_person'); // "mất tích" is a keyword of that choice
    expect(row.province).toBe('nghe-an');
  });

  it('back and menu work from inside the report, and the draft is offered again where it stopped', async () => {
    const u = driver(app, 'rep-back');
    await u.text('hi');
    await u.choose('lang.en');
    await u.choose('report');
    await u.choose('cat.other');
    const back = await u.text('back');
    expect(ids(back)).toContain('cat.other');
    await u.choose('cat.missing_person');
    const menu = await u.text('menu');
    expect(ids(menu)).toContain('signs');
    const again = await u.choose('report');
    expect(ids(again)).toContain('draft.continue');
    const where = await u.choose('draft.continue');
    expect(where.texts.at(-1)).toMatch(/Where did it happen/);
    // "never mind" leaves; the draft is still there
    expect(ids(await u.text('never mind'))).toContain('signs');
    const restart = await u.choose('report');
    expect(ids(restart)).toContain('draft.restart');
    expect(ids(await u.choose('draft.restart'))).toContain('cat.other');
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

  it('vi: compensation and child victims are answered, through the flow', async () => {
    const u = driver(app, 'faq-new');
    await u.text('chao');
    await u.choose('lang.vi');
    await u.text('quyền lợi');
    const money = await u.text('em có được bồi thường không');
    expect(money.texts[0]).toMatch(/^Có thể\. Bạn có quyền đòi .* bồi thường/);
    expect(money.texts[0]).toContain('(Điều 37, Luật Phòng, chống mua bán người 2024)');
    const child = await u.text('trẻ em bị mua bán được hỗ trợ gì');
    expect(child.texts[0]).toMatch(/dưới 18 tuổi bị mua bán là nạn nhân, và được nhận mọi chế độ hỗ trợ/);
    expect(child.texts[0]).toContain('học nghề');
    const abroad = await u.text('đang ở nước ngoài gọi ai');
    expect(abroad.texts[0]).toContain('+84 981 84 84 84');
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
  /** The cards of the last directory message the conversation got. */
  const lastCards = async (conversationId: string) => {
    const rows = await app.database.prisma.message.findMany({ where: { conversationId, direction: 'outbound' }, orderBy: { seq: 'desc' } });
    const withCards = rows.find((r) => (r.payload as { cards?: unknown[] } | null)?.cards?.length);
    return ((withCards?.payload as { cards?: { title: string; body: string; choiceId?: string; action?: string }[] } | null)?.cards ?? []);
  };

  it('en: by need and typed old province name; 111 with its checked contact first', async () => {
    const u = driver(app, 'help-en');
    await u.text('hi');
    await u.choose('lang.en');
    await u.choose('help');
    await u.choose('need.legal_aid');
    const results = await u.text('Binh Duong');
    expect(results.texts[0]).toMatch(/Ho Chi Minh City/);
    expect(results.texts[0]).toMatch(/111 hotline\n[^\n]+\n☎ 111 · 24\/7\n\(Checked: Decree 162\/2025/);
    expect(ids(results)[0]).toBe('help.connect');
  });

  it('every result of every need gives a way to act, and bodies that give no direct service are never listed', async () => {
    const u = driver(app, 'help-all');
    await u.text('hi');
    await u.choose('lang.vi');
    const notForReferral = new Set((await app.database.prisma.serviceEntry.findMany({ where: { referral: false } })).map((e) => e.nameVi));
    expect([...notForReferral]).toEqual(expect.arrayContaining(['Bộ Công an', 'Toà án nhân dân tối cao', 'Đại sứ quán Anh', 'Ban Chỉ đạo 138/CP']));
    let seen = 0;
    for (const need of ['shelter', 'legal_aid', 'health', 'psychological', 'vocational', 'reintegration', 'hotline']) {
      await u.text('menu');
      await u.choose('help');
      await u.choose(`need.${need}`);
      let said = await u.choose('where.all');
      for (;;) {
        for (const card of await lastCards(u.conversationId!)) {
          seen++;
          expect(notForReferral.has(card.title), card.title).toBe(false);
          const checked = /\(Đã kiểm tra: .+, ngày \d{2}\/\d{2}\/\d{4}\)/.test(card.body);
          // Either a checked contact, or the button that has a counsellor connect the person.
          expect(checked || (card.choiceId?.startsWith('connect.') && card.action === 'Tư vấn viên 111 kết nối giúp bạn'), card.title).toBe(true);
          if (!checked) expect(card.body).not.toMatch(/☎/);
        }
        if (!ids(said).includes('help.more')) break;
        said = await u.choose('help.more');
      }
    }
    expect(seen).toBeGreaterThan(10);
  });

  it('the connect button on a result opens a handoff for a counsellor', async () => {
    const u = driver(app, 'help-connect');
    await u.text('hi');
    await u.choose('lang.vi');
    await u.choose('help');
    await u.choose('need.shelter');
    await u.text('An Giang');
    const card = (await lastCards(u.conversationId!)).find((c) => c.choiceId);
    expect(card).toBeDefined();
    const queued = await u.choose(card!.choiceId!);
    expect(queued.handoffId).toBeDefined();
    const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: queued.handoffId! } });
    expect(handoff.state).toBe('waiting');
  });

  it('someone abroad gets the citizen-protection line that works from abroad, not 111 or 113', async () => {
    const u = driver(app, 'help-abroad');
    await u.text('hi');
    await u.choose('lang.vi');
    await u.text('tìm chỗ giúp');
    await u.choose('need.hotline');
    const results = await u.text('e đang ở nước ngoài');
    expect(results.texts[0]).toContain('+84 981 84 84 84');
    expect(results.texts[0]).toContain('+95 966 088 8998');
    expect(results.texts[0]).not.toMatch(/☎ 11[13]\b/);
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
    expect(await app.database.prisma.serviceEntry.count()).toBeGreaterThanOrEqual(43);
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

describe('typed answers', () => {
  it('a sentence asking for a counsellor at the menu hands off', async () => {
    const u = driver(app, 'typed-counsellor');
    await u.text('chao');
    await u.choose('lang.vi');
    const said = await u.text('tôi muốn nói chuyện với tư vấn viên');
    expect(said.handoffId).toBeDefined();
  });

  it('teen-speak at yes/no questions; after two misses the choices are numbered and a counsellor offered', async () => {
    const u = driver(app, 'typed-teen');
    await u.text('chao');
    await u.choose('lang.vi');
    await u.text('kiem tra loi moi viec lam');
    await u.text('bat dau');
    expect((await u.text('khum')).texts.at(-1)).toMatch(/\(2\/10\)/);
    expect((await u.text('uk')).texts.at(-1)).toMatch(/\(3\/10\)/);
    const first = await u.text('hmm để em nghĩ');
    expect(first.texts[0]).not.toMatch(/gõ số/);
    expect(first.texts.at(-1)).toMatch(/\(3\/10\)/);
    expect(ids(first)).not.toContain('counsellor');
    const second = await u.text('???');
    expect(second.texts.at(-1)).toMatch(/gõ số/);
    expect(second.texts.at(-1)).toMatch(/\n1\. Có\n2\. Không\n3\. Không chắc\n4\. Nói chuyện với tư vấn viên\n5\. Quay lại\n6\. Về trang chính$/);
    expect(ids(second)).toEqual(['yes', 'no', 'unsure', 'counsellor', 'nav.back', 'nav.menu']);
    expect((await u.text('3')).texts.at(-1)).toMatch(/\(4\/10\)/);
  });
});

describe('starting in a known language', () => {
  it('"/start en" (the web page\'s language) skips the language question', async () => {
    const said = await app.runtime.handleTurn({ channel: 'test', externalUserId: 'start-en', externalMessageId: 'start-en-1', kind: 'command', payload: { command: 'start', commandArgs: 'en' } });
    const rows = await app.database.prisma.message.findMany({ where: { id: { in: said.outboundIds } }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.text)).toEqual([expect.stringMatching(/^Hi! This is the 111 hotline/), expect.stringMatching(/^How can we help you\?/)]);
    expect((rows[1]!.payload as { choices: { id: string }[] }).choices.map((c) => c.id)).toContain('report');
    expect(rows.some((r) => /choose your language/i.test(r.text ?? ''))).toBe(false);
    expect((await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: said.conversationId } })).locale).toBe('en');
  });

  it('a plain "/start" still asks for the language', async () => {
    const said = await app.runtime.handleTurn({ channel: 'test', externalUserId: 'start-plain', externalMessageId: 'start-plain-1', kind: 'command', payload: { command: 'start' } });
    const rows = await app.database.prisma.message.findMany({ where: { id: { in: said.outboundIds } }, orderBy: { seq: 'asc' } });
    expect((rows.at(-1)!.payload as { choices: { id: string }[] }).choices.map((c) => c.id)).toEqual(['lang.vi', 'lang.en']);
  });
});
