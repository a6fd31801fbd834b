/**
 * The console end to end in real Chromium: an emergency arrives through handleTurn, appears in the
 * queue without reload, a counsellor claims and replies (the reply reaches the user's channel), a
 * second counsellor's claim is refused, and hand-back returns the chat to the bot.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../console/auth/passwords.js';
import { submitReport } from '../../core/reports/service.js';
import { createTestApp, textFrom, type TestApp } from '../helpers/app.js';
import { recordingPort, type RecordingPort } from '../helpers/ports.js';

const ARTIFACTS = path.resolve('tests/artifacts');

describe('console in Chromium', () => {
  let app: TestApp;
  let base: string;
  let browser: Browser;
  let port: RecordingPort;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    port = recordingPort('test');
    app = await createTestApp({ ports: [port] });
    base = await app.listen();
    for (const [email, name, role] of [['lan@111.vn', 'Lan', 'counsellor'], ['minh@111.vn', 'Minh', 'counsellor'], ['hoa@111.vn', 'Hoa', 'supervisor']] as const) {
      await app.database.prisma.staffUser.create({ data: { email, displayName: name, role, passwordHash: await hashPassword('a-long-enough-password') } });
    }
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function login(email: string, opts: { live?: boolean; width?: number } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: opts.width ?? 1000, height: 800 } });
    const page = await context.newPage();
    // Without the live socket this page keeps what it loaded (used to click a stale claim button).
    if (opts.live === false) await page.routeWebSocket(/\/console\/ws/, () => {});
    await page.goto(`${base}/console`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Mật khẩu').fill('a-long-enough-password');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Hàng chờ' }).count(), { timeout: 30_000 }).toBe(1);
    return page;
  }

  it('claims, replies, refuses a second claim and hands back to the bot', async () => {
    const lan = await login('lan@111.vn', { width: 375 });
    await lan.screenshot({ path: path.join(ARTIFACTS, 'console-empty.png') });

    await app.runtime.handleTurn(textFrom('web-user', 'xin chào'));
    const sos = await app.runtime.handleTurn(textFrom('web-user', 'cứu tôi với, họ nhốt tôi'));
    expect(sos.handoffId).toBeTruthy();

    // Live: the chat appears without a reload, with the matched words highlighted.
    await expect.poll(() => lan.locator(`li[data-handoff="${sos.handoffId}"]`).count(), { timeout: 30_000 }).toBe(1);
    expect((await lan.locator(`li[data-handoff="${sos.handoffId}"] mark`).allInnerTexts()).join(' ').toLowerCase()).toContain('cứu tôi');
    expect(await lan.locator(`li[data-handoff="${sos.handoffId}"]`).getAttribute('class')).toContain('level-emergency');
    await lan.screenshot({ path: path.join(ARTIFACTS, 'console-queue-phone.png') });

    const minh = await login('minh@111.vn', { live: false });
    await expect.poll(() => minh.locator(`li[data-handoff="${sos.handoffId}"] button.claim`).count(), { timeout: 30_000 }).toBe(1);

    await lan.locator(`li[data-handoff="${sos.handoffId}"] button.claim`).click();
    await expect.poll(() => lan.locator('#transcript li').count(), { timeout: 30_000 }).toBeGreaterThan(2);
    expect(await lan.locator('#transcript').innerText()).toContain('cứu tôi với, họ nhốt tôi');

    // The second counsellor's claim is refused, and says so.
    await minh.locator(`li[data-handoff="${sos.handoffId}"] button.claim`).click();
    await expect.poll(() => minh.locator('#flash').innerText(), { timeout: 30_000 }).toContain('Một tư vấn viên khác đã nhận');
    await minh.screenshot({ path: path.join(ARTIFACTS, 'console-claim-refused.png') });
    const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: sos.handoffId! }, include: { counsellor: true } });
    expect(handoff.counsellor?.displayName).toBe('Lan');

    // The reply goes to the user's own channel through the outbox.
    await lan.locator('#reply').fill('Chào bạn, mình là Lan từ Tổng đài 111. Bạn đang ở đâu?');
    await lan.locator('#send').click();
    // Named by the counsellor's alias (none set: the neutral one), never the account's name.
    await expect.poll(() => port.sent.map((s) => s.message.text), { timeout: 30_000 }).toContain('Tư vấn viên 111: Chào bạn, mình là Lan từ Tổng đài 111. Bạn đang ở đâu?');
    const sent = port.sent.find((s) => s.message.text.startsWith('Tư vấn viên 111: Chào bạn, mình là Lan'))!;
    expect(sent.message.author).toBe('counsellor');
    expect(sent.target.conversationId).toBe(sos.conversationId);

    // The user's answer appears live in the chat view.
    await app.runtime.handleTurn(textFrom('web-user', 'em ở Campuchia'));
    await expect.poll(() => lan.locator('#transcript').innerText(), { timeout: 30_000 }).toContain('em ở Campuchia');
    await lan.screenshot({ path: path.join(ARTIFACTS, 'console-chat.png'), fullPage: true });

    // A report filed for the user from the chat view: the codes are shown to read out.
    await lan.getByText('Lập tin báo thay người dùng', { exact: true }).first().click();
    await lan.locator('#report-category').selectOption('scam_compound');
    await lan.locator('#report-province').selectOption('an-giang');
    await lan.locator('#report-form button[type="submit"]').click();
    await expect.poll(() => lan.locator('#flash').innerText(), { timeout: 30_000 }).toMatch(/HT-[2-9A-Z]{4}-[2-9A-Z]{4}/);
    expect(await lan.locator('#report-reference').inputValue()).toMatch(/^HT-/);

    // Hand back: the bot answers the next message again.
    await lan.locator('#hand-back').click();
    await expect.poll(() => lan.getByRole('heading', { name: 'Hàng chờ' }).count(), { timeout: 30_000 }).toBe(1);
    const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: sos.conversationId } });
    expect(conversation.status).toBe('bot');
    const next = await app.runtime.handleTurn(textFrom('web-user', 'menu'));
    expect(next.status).toBe('handled');
    expect(next.outboundIds.length).toBeGreaterThan(0);
    await lan.context().close();
    await minh.context().close();
  }, 120_000);

  it('a supervisor, by keyboard only, reads a report, marks it referred and opens the dashboard in English', async () => {
    const report = await app.database.prisma.$transaction((tx) =>
      submitReport(tx, app.keys.encryptionKey, { draft: { category: 'scam_compound', province: 'an-giang', suspects: 'Recruiter "Tuan" on Facebook' }, channel: 'test', conversationId: null, now: new Date() }),
    );
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/console`);
    // Keyboard: Tab into the form, type, Enter submits.
    await page.getByLabel('Email').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type('hoa@111.vn');
    await page.keyboard.press('Tab');
    await page.keyboard.type('a-long-enough-password');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('heading', { name: 'Hàng chờ' }).count(), { timeout: 30_000 }).toBe(1);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Reports' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('cell', { name: report.referenceCode }).count(), { timeout: 30_000 }).toBe(1);
    await page.getByRole('row', { name: new RegExp(report.referenceCode) }).getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.locator('section.report').innerText(), { timeout: 30_000 }).toContain('Recruiter "Tuan" on Facebook');
    await page.locator('section.report select').selectOption('referred');
    await page.getByRole('button', { name: 'Update' }).click();
    await expect.poll(async () => (await app.database.prisma.report.findUniqueOrThrow({ where: { id: report.id } })).status, { timeout: 30_000 }).toBe('referred');
    expect(await app.database.prisma.auditLog.count({ where: { action: 'report.read', subjectId: report.id } })).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-report.png'), fullPage: true });
    await page.getByRole('button', { name: 'Dashboard' }).click();
    await expect.poll(() => page.locator('#figures').innerText(), { timeout: 30_000 }).toContain('Contacts');
    expect(await page.locator('#csv').getAttribute('href')).toMatch(/^\/console\/api\/dashboard\.csv\?from=\d{4}-\d{2}-\d{2}&to=/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-dashboard.png'), fullPage: true });
    // Directory admin: edit an entry's phone number.
    const entry = await app.database.prisma.serviceEntry.findFirstOrThrow({ where: { active: true }, orderBy: { nameVi: 'asc' } });
    await page.getByRole('button', { name: 'Service directory' }).click();
    await page.getByText(entry.nameEn, { exact: true }).first().click();
    const phone = page.getByLabel(`Phone · ${entry.nameVi}`, { exact: true });
    await phone.fill('0243 111 111');
    await phone.press('Enter');
    await expect.poll(async () => (await app.database.prisma.serviceEntry.findUniqueOrThrow({ where: { id: entry.id } })).phone, { timeout: 30_000 }).toBe('0243 111 111');
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
