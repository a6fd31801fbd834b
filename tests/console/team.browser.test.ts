/**
 * The console's team side in real Chromium: an admin sets the name users see; a counsellor sets
 * themself available, a chat offered to them rings, notifies and counts down in the bar, they accept
 * it (the person is told the alias, never the account name) or decline the next; the supervisor's
 * team view shows who holds what; and a supervisor writes to an anonymous reporter from the report
 * view, the reporter answers with their codes through the bot, and the answer appears live.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../console/auth/passwords.js';
import { createTestApp, textFrom, type TestApp } from '../helpers/app.js';
import { recordingPort, type RecordingPort } from '../helpers/ports.js';
import { driver } from '../flows/helpers.js';
import { consolePage, expectNoRawIds, launchChromium, logIn, observed, sendToBackground } from './browser.js';

const ARTIFACTS = path.resolve('tests/artifacts');

describe('team, offers and report messages in Chromium', () => {
  let app: TestApp;
  let base: string;
  let browser: Browser;
  let port: RecordingPort;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    port = recordingPort('test');
    app = await createTestApp({ ports: [port, recordingPort('other')], env: { HANDOFF_OFFER_SECONDS: '120' } });
    base = await app.listen();
    for (const [email, name, role] of [['lan@111.vn', 'Nguyễn Thị Lan', 'counsellor'], ['hoa@111.vn', 'Hoa', 'supervisor'], ['ad@111.vn', 'An', 'admin']] as const) {
      await app.database.prisma.staffUser.create({ data: { email, displayName: name, role, passwordHash: await hashPassword('a-long-enough-password') } });
    }
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('alias, availability, an offer accepted and one declined, the team view', async () => {
    // The admin sets the name users see.
    const admin = await consolePage(browser, base);
    await logIn(admin.page, 'ad@111.vn');
    await admin.page.locator('nav button', { hasText: 'Tài khoản' }).click();
    const aliasInput = admin.page.getByLabel('Tên người dùng thấy · Nguyễn Thị Lan', { exact: true });
    await aliasInput.fill('Lan');
    await aliasInput.press('Enter');
    await expect.poll(() => admin.page.locator('#staff-list').innerText(), { timeout: 30_000 }).toContain('Người dùng thấy: Tư vấn viên Lan');
    await expectNoRawIds(admin.page, 'staff with aliases', 'vi');
    await admin.context.close();

    const lan = await consolePage(browser, base, { notifications: true });
    await logIn(lan.page, 'lan@111.vn');
    await expect.poll(() => lan.page.locator('#availability-toggle').innerText(), { timeout: 30_000 }).toBe('Tạm vắng');
    await lan.page.locator('#availability-toggle').click();
    await expect.poll(() => lan.page.locator('#availability-toggle').innerText(), { timeout: 30_000 }).toBe('Sẵn sàng nhận');
    expect((await app.database.prisma.staffUser.findUniqueOrThrow({ where: { email: 'lan@111.vn' } })).availability).toBe('available');
    await sendToBackground(lan.context, lan.page);

    const asked = await app.runtime.handleTurn(textFrom('offer-user', 'cho em gặp tư vấn viên'));
    const chat = await app.runtime.handleTurn(textFrom('offer-user', 'tư vấn viên'));
    const handoffId = asked.handoffId ?? chat.handoffId;
    expect(handoffId).toBeTruthy();
    const offer = lan.page.locator(`#offers .offer[data-handoff="${handoffId}"]`);
    await expect.poll(() => offer.count(), { timeout: 30_000 }).toBe(1);
    expect(await offer.locator('.countdown').innerText()).toMatch(/^còn \d+ giây$/);
    await expect.poll(async () => (await observed(lan.page)).notifications.map((n) => n.title), { timeout: 30_000 }).toContain('Tổng đài 111: một cuộc trò chuyện được chuyển cho bạn');
    expect((await observed(lan.page)).sounds.length).toBeGreaterThan(0);
    await lan.page.screenshot({ path: path.join(ARTIFACTS, 'console-v2-offer.png') });
    await lan.page.bringToFront();
    await offer.locator('button.accept').click();
    await expect.poll(() => lan.page.locator('#reply').count(), { timeout: 30_000 }).toBe(1);
    const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: handoffId! }, include: { counsellor: true } });
    expect(handoff.state).toBe('claimed');
    expect(handoff.counsellor?.email).toBe('lan@111.vn');
    // The person is told the alias, never the account's name.
    const told = port.sent.filter((s) => s.target.conversationId === handoff.conversationId).map((s) => s.message.text).join('\n');
    expect(told).toContain('Lan');
    expect(told).not.toContain('Nguyễn');
    await expect.poll(() => lan.page.locator('#availability .open-count').innerText(), { timeout: 30_000 }).toMatch(/^1\//);

    // The next one is declined: the offer leaves the bar.
    const next = await app.runtime.handleTurn(textFrom('offer-user-2', 'cho em gặp tư vấn viên'));
    const nextId = next.handoffId ?? (await app.runtime.handleTurn(textFrom('offer-user-2', 'tư vấn viên'))).handoffId;
    const second = lan.page.locator(`#offers .offer[data-handoff="${nextId}"]`);
    await expect.poll(() => second.count(), { timeout: 30_000 }).toBe(1);
    await second.locator('button.decline').click();
    await expect.poll(() => second.count(), { timeout: 30_000 }).toBe(0);
    expect((await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: nextId! } })).state).toBe('waiting');

    // The supervisor sees who holds what.
    const hoa = await consolePage(browser, base);
    await logIn(hoa.page, 'hoa@111.vn');
    await hoa.page.locator('nav button', { hasText: 'Đội tư vấn' }).click();
    const row = hoa.page.locator('#team tr', { hasText: 'Nguyễn Thị Lan' });
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    const text = await row.innerText();
    expect(text).toContain('Tư vấn viên Lan');
    expect(text).toContain('Sẵn sàng nhận');
    expect(text).toContain('Không có mức rủi ro');
    await expectNoRawIds(hoa.page, 'team', 'vi');
    await hoa.page.screenshot({ path: path.join(ARTIFACTS, 'console-v2-team.png'), fullPage: true });
    expect(lan.errors).toEqual([]);
    expect(hoa.errors).toEqual([]);
    await lan.context.close();
    await hoa.context.close();
  }, 120_000);

  it('a supervisor writes to an anonymous reporter; the answer, sent with the codes through the bot, appears live', async () => {
    const u = driver(app, 'reporter');
    await u.text('xin chào');
    await u.choose('lang.vi');
    await u.choose('report');
    await u.choose('cat.forced_labour');
    const pick = await u.text('Hà Nội');
    if (pick.choices.some((c) => c.id === 'prov.ha-noi')) await u.choose('prov.ha-noi');
    await u.choose('no');
    const done = await u.choose('report.send');
    const [, reference, code] = done.texts[0]!.match(/(HT-[2-9A-Z]{4}-[2-9A-Z]{4})\n[^\n]*?([2-9A-Z]{4}-[2-9A-Z]{4})/)! as unknown as [string, string, string];

    const hoa = await consolePage(browser, base);
    await logIn(hoa.page, 'hoa@111.vn');
    await hoa.page.locator('nav button', { hasText: 'Tin báo' }).click();
    const row = hoa.page.locator('#reports tr', { hasText: reference });
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    await row.locator('button').click();
    const thread = hoa.page.locator('section.report .report-thread');
    await expect.poll(() => thread.innerText(), { timeout: 30_000 }).toContain('Chưa có tin nhắn.');
    await thread.locator('textarea').fill('Bạn có biết tên công ty tuyển dụng không?');
    await thread.locator('button[type="submit"]').click();
    await expect.poll(() => thread.locator('.thread-msg.staff').count(), { timeout: 30_000 }).toBe(1);
    expect(await thread.locator('.thread-msg.staff .read-state').innerText()).toBe('chưa đọc');

    // The reporter follows up on another channel, reads the question and answers.
    const r = driver(app, 'reporter-elsewhere', 'other');
    await r.text('xin chào');
    await r.choose('lang.vi');
    await r.choose('report');
    await r.choose('report.followUp');
    await r.text(reference);
    const status = await r.text(code);
    expect(status.texts.join('\n')).toContain('Bạn có biết tên công ty tuyển dụng không?');
    await r.choose('follow.message');
    await r.text('Công ty Golden Star, người tuyển tên Minh');

    await expect.poll(() => thread.locator('.thread-msg.reporter').count(), { timeout: 30_000 }).toBe(1);
    expect(await thread.locator('.thread-msg.reporter').innerText()).toContain('Công ty Golden Star, người tuyển tên Minh');
    expect(await thread.locator('.thread-msg.staff .read-state').innerText()).toMatch(/^đã đọc lúc /);
    await expect.poll(() => row.locator('td.awaiting').innerText(), { timeout: 30_000 }).toContain('người báo tin đã trả lời');
    await expectNoRawIds(hoa.page, 'report thread', 'vi');
    await hoa.page.screenshot({ path: path.join(ARTIFACTS, 'console-v2-report-thread.png'), fullPage: true });
    expect(hoa.errors).toEqual([]);
    await hoa.context.close();
  }, 120_000);
});
