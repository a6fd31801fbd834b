/**
 * The console's views in real Chromium, with real data made through the product: every view in vi
 * and en shows no internal id, JSON or untranslated key; the chat view shows the risk context (level
 * and why, matched words, the waiting-room flag, the report draft, the person's earlier chat with a
 * counsellor, notes); a model-only escalation says so; canned replies are searchable, shown whole,
 * and follow the chosen register; the holder and a supervisor label risk from the chat view.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../console/auth/passwords.js';
import { DeliveryError } from '../../core/errors.js';
import { enqueueHandoff } from '../../core/queue/handoffs.js';
import { submitReport } from '../../core/reports/service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { recordingPort, type RecordingPort } from '../helpers/ports.js';
import { driver } from '../flows/helpers.js';
import { consolePage, expectNoRawIds, launchChromium, logIn } from './browser.js';
import { ConsoleClient } from './session.js';

const ARTIFACTS = path.resolve('tests/artifacts');

describe('console views in Chromium', () => {
  let app: TestApp;
  let base: string;
  let browser: Browser;
  let port: RecordingPort;
  const ids = { emergency: '', modelOnly: '', connect: '', report: '' };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    port = recordingPort('test');
    app = await createTestApp({ ports: [port] });
    base = await app.listen();
    for (const [email, name, role] of [['lan@111.vn', 'Nguyễn Thị Lan', 'counsellor'], ['hoa@111.vn', 'Hoa', 'supervisor'], ['ad@111.vn', 'An', 'admin']] as const) {
      await app.database.prisma.staffUser.create({ data: { email, displayName: name, role, passwordHash: await hashPassword('a-long-enough-password') } });
    }
    const lan = new ConsoleClient(base);
    await lan.login('lan@111.vn', 'a-long-enough-password');
    // What users see of Lan: the alias an admin set, never her account name.
    const admin = new ConsoleClient(base);
    await admin.login('ad@111.vn', 'a-long-enough-password');
    const lanId = (await app.database.prisma.staffUser.findUniqueOrThrow({ where: { email: 'lan@111.vn' } })).id;
    expect((await admin.request('PUT', `/console/api/staff/${lanId}/alias`, { alias: 'Lan' })).status).toBe(200);

    // A person who talked with a counsellor before: an emergency, claimed and closed with an outcome.
    const u = driver(app, 'ctx-user');
    await u.text('xin chào');
    await u.choose('lang.vi');
    const first = await u.text('cứu tôi với, họ nhốt tôi');
    expect((await lan.request('POST', `/console/api/handoffs/${first.handoffId}/claim`, {})).status).toBe(200);
    const closed = await lan.request('POST', `/console/api/handoffs/${first.handoffId}/close`, {
      outcome: 'referred_police',
      summary: 'Đã báo công an An Giang, hẹn gọi lại.',
      wrapUp: { contactType: 'advice', referrals: ['police'], followUpNeeded: true },
    });
    expect(closed.status).toBe(200);
    await u.choose('survey.partly');
    // Back later: starts a report, then writes an emergency; in the waiting room, says their phone is watched.
    await u.text('menu');
    await u.choose('report');
    await u.choose('cat.scam_compound');
    await u.text('An Giang');
    const again = await u.text('họ đánh tôi, cứu tôi với');
    ids.emergency = again.handoffId!;
    expect(ids.emergency).toBeTruthy();
    let said = again;
    if (said.choices.some((c) => c.id === 'where.vn')) said = await u.choose('where.vn');
    expect(said.choices.map((c) => c.id)).toContain('safe.watched');
    await u.choose('safe.watched');

    // Someone the statistical model alone escalated (the runtime stores source "model").
    const m = driver(app, 'model-user');
    await m.text('xin chào');
    await m.choose('lang.vi');
    await m.text('chị ơi có người hứa đưa em đi làm xa lương cao');
    const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: m.conversationId! } });
    const message = await app.database.prisma.message.findFirstOrThrow({ where: { conversationId: conversation.id, author: 'user' }, orderBy: { seq: 'desc' } });
    expect(message.text).toContain('lương cao');
    await app.database.prisma.$transaction(async (tx) => {
      await tx.riskEvent.create({ data: { conversationId: conversation.id, messageId: message.id, level: 'high', categories: ['recruitment'], matches: [], source: 'model', modelScores: { elevated: 0.97, high: 0.81, emergency: 0.12 } } });
      ids.modelOnly = (await enqueueHandoff(tx, { conversationId: conversation.id, level: 'high', categories: ['recruitment'], reason: 'risk', slaSeconds: 600 })).handoffId;
    });

    // Someone the directory's "connect me" button sent, for legal aid in An Giang.
    const c = driver(app, 'connect-user');
    await c.text('xin chào');
    await c.choose('lang.vi');
    await c.choose('help');
    await c.choose('need.legal_aid');
    await c.text('An Giang');
    ids.connect = (await c.choose('help.connect')).handoffId!;
    expect(ids.connect).toBeTruthy();

    // A report with every kind of field, and a reply the platform refused (for channel health).
    const report = await app.database.prisma.$transaction((tx) =>
      submitReport(tx, app.keys.encryptionKey, {
        draft: { category: 'forced_marriage', province: 'abroad', country: 'CN', when: 'ongoing', peopleCount: 'one', peopleAge: 'child', peopleGender: 'mixed', contactMethod: 'facebook', suspects: 'Một người tên Tâm', evidence: 'Tin nhắn hẹn gặp ở biên giới', inDanger: true },
        channel: 'test',
        conversationId: null,
        now: new Date(),
      }),
    );
    ids.report = report.id;
    port.failNext.push(new DeliveryError('DELIVERY_UNREACHABLE', 'blocked'));
    await driver(app, 'blocked-user').text('xin chào');
    await app.outbox.sweep();
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** Opens a view from the bar and waits for what shows it is drawn. */
  async function open(page: Page, name: RegExp, ready: string) {
    await page.locator('nav button', { hasText: name }).first().click();
    await expect.poll(() => page.locator(ready).count(), { timeout: 30_000 }).toBeGreaterThan(0);
  }

  for (const lang of ['vi', 'en'] as const) {
    it(`walks every view in ${lang}: no internal id, JSON or untranslated key`, async () => {
      const { context, page, errors } = await consolePage(browser, base, { lang });
      await expectNoRawIds(page, 'login', lang);
      await logIn(page, 'ad@111.vn');
      const en = lang === 'en';
      await expect.poll(() => page.locator(`li[data-handoff="${ids.connect}"]`).count(), { timeout: 30_000 }).toBe(1);
      await expectNoRawIds(page, 'queue', lang);
      await page.screenshot({ path: path.join(ARTIFACTS, `console-v2-queue-${lang}.png`), fullPage: true });

      for (const id of [ids.emergency, ids.modelOnly, ids.connect]) {
        await page.locator(`li[data-handoff="${id}"] button.preview`).click();
        await expect.poll(() => page.locator('#context #chat-level').count(), { timeout: 30_000 }).toBe(1);
        await expect.poll(() => page.locator('#transcript > li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
        await expectNoRawIds(page, `chat ${id}`, lang);
        await page.locator('main.chat > button').first().click();
        await expect.poll(() => page.locator(`li[data-handoff="${id}"]`).count(), { timeout: 30_000 }).toBe(1);
      }

      await open(page, en ? /^Reports$/ : /^Tin báo$/, '#reports');
      await page.locator('#reports tbody tr button').first().click();
      await expect.poll(() => page.locator('section.report').count(), { timeout: 30_000 }).toBe(1);
      const reportText = await page.locator('section.report').innerText();
      expect(reportText).toContain(en ? 'It is still happening' : 'Vẫn đang diễn ra');
      expect(reportText).toContain(en ? 'China' : 'Trung Quốc');
      expect(reportText).toContain(en ? 'Mixed or other' : 'Cả nam và nữ, hoặc khác');
      await expectNoRawIds(page, 'reports', lang);
      await page.screenshot({ path: path.join(ARTIFACTS, `console-v2-report-${lang}.png`), fullPage: true });
      // The printable referral summary for the authority, in words too.
      const referral = await context.newPage();
      await referral.goto(`${base}/console/reports/${ids.report}/referral?lang=${lang}`);
      const printed = await referral.locator('body').innerText();
      expect(printed).toContain(en ? 'Forced marriage, sold as a bride' : 'Ép cưới, bán làm vợ');
      expect(printed).toContain(en ? 'Border guard' : 'Bộ đội biên phòng');
      await expectNoRawIds(referral, 'referral summary', lang);
      await referral.close();

      await open(page, en ? /^Dashboard$/ : /^Thống kê$/, '#daily');
      expect(await page.locator('#daily thead th').allInnerTexts()).toEqual(
        en
          ? ['Day', 'Channel', 'Contacts', 'Information/report', 'Advice', 'Closed: information', 'Closed: report', 'Closed: advice', 'Follow-up needed', 'Survey: yes', 'Survey: partly', 'Survey: no']
          : ['Ngày', 'Kênh', 'Lượt liên hệ', 'Thông tin/tin báo', 'Tư vấn', 'Kết thúc: thông tin', 'Kết thúc: tin báo', 'Kết thúc: tư vấn', 'Cần theo dõi', 'Khảo sát: có', 'Khảo sát: một phần', 'Khảo sát: không'],
      );
      // The wrap-up and the survey, in words.
      expect(await page.locator('#contact-types').innerText()).toContain(en ? 'Advice' : 'Tư vấn');
      expect(await page.locator('#referrals').innerText()).toContain(en ? 'Police' : 'Công an');
      expect(await page.locator('#survey').innerText()).toContain(en ? 'Partly' : 'Một phần');
      expect(await page.locator('#outcomes').innerText()).toContain(en ? 'Referred to police' : 'Chuyển công an');
      expect(await page.locator('#escalations').innerText()).toContain(en ? 'Emergency' : 'Khẩn cấp');
      await expectNoRawIds(page, 'dashboard', lang);
      await page.screenshot({ path: path.join(ARTIFACTS, `console-v2-dashboard-${lang}.png`), fullPage: true });

      await open(page, en ? /^Service directory$/ : /^Danh bạ dịch vụ$/, '.directory summary');
      await page.locator('.directory summary').first().click();
      await expect.poll(() => page.locator('.directory form.entry').count(), { timeout: 30_000 }).toBe(1);
      await expectNoRawIds(page, 'directory', lang);

      await open(page, en ? /^Team$/ : /^Đội tư vấn$/, '#team tbody tr');
      await expectNoRawIds(page, 'team', lang);
      await open(page, en ? /^Accounts$/ : /^Tài khoản$/, '#staff-list tbody tr');
      await expectNoRawIds(page, 'staff', lang);
      await open(page, en ? /^Channels$/ : /^Kênh kết nối$/, '#channels section');
      expect(await page.locator('section[data-channel="test"]').innerText()).toContain(en ? 'The person can no longer be reached' : 'Không còn liên lạc được');
      await expectNoRawIds(page, 'channels', lang);
      await page.screenshot({ path: path.join(ARTIFACTS, `console-v2-channels-${lang}.png`), fullPage: true });
      await open(page, en ? /^Change password$/ : /^Đổi mật khẩu$/, '#current');
      await expectNoRawIds(page, 'password', lang);
      await open(page, en ? /^Two-step login$/ : /^Đăng nhập hai bước$/, '#totp-secret');
      await expectNoRawIds(page, 'two-step login', lang);
      expect(errors).toEqual([]);
      await context.close();
    }, 120_000);
  }

  it('the chat view shows the risk context; canned replies search, preview whole and follow the register; labels from the chat', async () => {
    const { context, page, errors } = await consolePage(browser, base, { width: 1280 });
    await logIn(page, 'lan@111.vn');
    // In the queue: the phone flag, what the directory asked for, the model-only warning.
    const connect = page.locator(`li[data-handoff="${ids.connect}"]`);
    await expect.poll(() => connect.count(), { timeout: 30_000 }).toBe(1);
    expect(await connect.innerText()).toContain('Người dùng xin gặp tư vấn viên');
    expect(await connect.locator('.details').innerText()).toBe('Người dùng nhờ kết nối: cần Trợ giúp pháp lý · ở An Giang');
    expect(await page.locator(`li[data-handoff="${ids.emergency}"] .flag`).innerText()).toContain('Điện thoại của người này có thể bị kiểm tra');
    expect(await page.locator(`li[data-handoff="${ids.modelOnly}"] .why.model-only`).innerText()).toContain('Chỉ mô hình thống kê nâng mức');

    await page.locator(`li[data-handoff="${ids.emergency}"] button.claim`).click();
    await expect.poll(() => page.locator('#reply').count(), { timeout: 30_000 }).toBe(1);
    const risk = page.locator('#risk-context');
    expect(await page.locator('#chat-level').innerText()).toBe('Khẩn cấp');
    // Rules found it (the statistical model may agree): said in words either way.
    expect(await risk.innerText()).toMatch(/Nâng mức bởi: (các quy tắc từ khoá \(khớp từ\)|quy tắc từ khoá và mô hình thống kê)/);
    expect((await risk.locator('mark').allInnerTexts()).join(' ')).toContain('cứu tôi');
    expect(await risk.locator('.flag').innerText()).toContain('nhắn ngắn');
    const facts = await page.locator('#context .facts').innerText();
    for (const words of ['Kênh thử', 'Tiếng Việt', 'Đang ở', 'Thời gian chờ', 'Nguyễn Thị Lan']) expect(facts).toContain(words);
    const draft = await page.locator('#draft').innerText();
    expect(draft).toContain('Bị giữ ở trại lừa đảo');
    expect(draft).toContain('An Giang');
    const earlier = await page.locator('#earlier').innerText();
    expect(earlier).toContain('Chuyển công an');
    expect(earlier).toContain('Đã báo công an An Giang, hẹn gọi lại.');
    // No empty bubbles: every message says something; the person's choices are in words.
    const bubbles = await page.locator('#transcript > li .text').allInnerTexts();
    expect(bubbles.length).toBeGreaterThan(3);
    expect(bubbles.every((b) => b.trim().length > 0)).toBe(true);
    expect(bubbles.some((b) => b.startsWith('Chọn: '))).toBe(true);
    // The user message that escalated carries its reading.
    expect(await page.locator('#transcript li.msg.user .risk-badge').first().innerText()).toContain('Khẩn cấp');

    // Notes, with their author.
    await page.locator('#note').fill('Người dùng nói có 3 người cùng phòng.');
    await page.locator('#notes button[type="submit"]').click();
    await expect.poll(() => page.locator('#notes').innerText(), { timeout: 30_000 }).toContain('Người dùng nói có 3 người cùng phòng.');
    expect(await page.locator('#notes').innerText()).toContain('Nguyễn Thị Lan ·');

    // Canned replies: typed without accents, the whole text shown, the register changes the pronouns.
    await page.locator('#canned-search').fill('giu ma');
    await expect.poll(() => page.locator('#canned-list button.canned').count(), { timeout: 30_000 }).toBe(1);
    const preview = await page.locator('#canned-list button.canned .preview-text').innerText();
    expect(preview.length).toBeGreaterThan(80);
    expect(preview).toMatch(/^Bạn nhớ cất mã tin báo/);
    await page.locator('#canned-register').selectOption('em_chi');
    await page.locator('#canned-search').fill('loi chao');
    await expect.poll(() => page.locator('#canned-list .preview-text').first().innerText(), { timeout: 30_000 }).toBe('Chào em, chị là tư vấn viên Lan của Tổng đài 111. Em đang ở đâu, có an toàn không?');
    await page.locator('#canned-list button.canned').first().click();
    expect(await page.locator('#reply').inputValue()).toBe('Chào em, chị là tư vấn viên Lan của Tổng đài 111. Em đang ở đâu, có an toàn không?');
    await page.locator('#send').click();
    // Sent named by her alias, never her account's name.
    await expect.poll(() => port.sent.map((s) => s.message.text), { timeout: 30_000 }).toContain('Tư vấn viên Lan: Chào em, chị là tư vấn viên Lan của Tổng đài 111. Em đang ở đâu, có an toàn không?');
    expect(port.sent.map((s) => s.message.text).join('\n')).not.toContain('Nguyễn');

    // A reply the platform refuses for good is marked in the transcript, in words.
    port.failNext.push(new DeliveryError('DELIVERY_UNREACHABLE', 'blocked'));
    await page.locator('#reply').fill('Em còn ở đó không?');
    await page.locator('#send').click();
    await expect.poll(() => page.locator('#transcript li.msg.counsellor .badge').allInnerTexts(), { timeout: 30_000 }).toContain('Chưa gửi được · Không còn liên lạc được với người dùng (đã chặn)');

    // The holder judges the escalation from the chat view.
    await page.locator('#label-too-high').click();
    await expect.poll(() => page.locator('#label-status').innerText(), { timeout: 30_000 }).toContain('Quá cao');
    const label = await app.database.prisma.riskLabel.findFirstOrThrow({ where: { handoffId: ids.emergency } });
    expect(label).toMatchObject({ verdict: 'too_high', level: 'high', detectedLevel: 'emergency' });
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-v2-chat-context.png'), fullPage: true });

    // Closing with the wrap-up: the phone may be watched, so no survey is offered.
    expect(await page.locator('#survey').isChecked()).toBe(false);
    await page.locator('#close-form button[type="submit"]').click();
    // The type of contact is required: the browser holds the form until one is chosen.
    expect(await page.locator('#contact-type-information').evaluate((el) => (el as HTMLInputElement).validity.valueMissing)).toBe(true);
    expect((await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: ids.emergency } })).state).toBe('claimed');
    await page.locator('label[for="contact-type-report"]').click();
    await page.locator('label[for="referral-police"]').click();
    await page.locator('label[for="referral-shelter"]').click();
    await page.locator('#follow-up').check();
    await page.locator('#outcome').selectOption('referred_police');
    await page.locator('#close-form button[type="submit"]').click();
    await expect.poll(async () => (await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: ids.emergency } })).state, { timeout: 30_000 }).toBe('closed');
    const closedChat = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: ids.emergency } });
    expect(closedChat).toMatchObject({ outcome: 'referred_police', contactType: 'report', followUpNeeded: true, surveyAskedAt: null });
    expect([...closedChat.referrals].sort()).toEqual(['police', 'shelter']);
    expect(errors).toEqual([]);
    await context.close();

    // A supervisor marks a missed risk on a message of the model-only chat.
    const sup = await consolePage(browser, base);
    await logIn(sup.page, 'hoa@111.vn');
    await expect.poll(() => sup.page.locator(`li[data-handoff="${ids.modelOnly}"] button.preview`).count(), { timeout: 30_000 }).toBe(1);
    await sup.page.locator(`li[data-handoff="${ids.modelOnly}"] button.preview`).click();
    await expect.poll(() => sup.page.locator('#transcript li.msg.user details.missed').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await sup.page.locator('#risk-context .why.model-only').innerText()).toContain('Chỉ mô hình thống kê nâng mức');
    const target = sup.page.locator('#transcript li.msg.user', { hasText: 'lương cao' });
    await target.locator('details.missed summary').click();
    await target.locator('details.missed select').selectOption('emergency');
    await target.locator('details.missed button[type="submit"]').click();
    await expect.poll(() => target.locator('details.missed .hint').innerText(), { timeout: 30_000 }).toContain('Khẩn cấp');
    expect(await app.database.prisma.riskLabel.count({ where: { verdict: 'missed', level: 'emergency' } })).toBe(1);
    await sup.page.screenshot({ path: path.join(ARTIFACTS, 'console-v2-model-only.png'), fullPage: true });
    expect(sup.errors).toEqual([]);
    await sup.context.close();
  }, 120_000);
});
