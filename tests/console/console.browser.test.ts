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
    for (const [email, name] of [['lan@111.vn', 'Lan'], ['minh@111.vn', 'Minh']]) {
      await app.database.prisma.staffUser.create({ data: { email: email!, displayName: name!, role: 'counsellor', passwordHash: await hashPassword('a-long-enough-password') } });
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
    await expect.poll(() => page.getByRole('heading', { name: 'Hàng chờ' }).count(), { timeout: 10_000 }).toBe(1);
    return page;
  }

  it('claims, replies, refuses a second claim and hands back to the bot', async () => {
    const lan = await login('lan@111.vn', { width: 375 });
    await lan.screenshot({ path: path.join(ARTIFACTS, 'console-empty.png') });

    await app.runtime.handleTurn(textFrom('web-user', 'xin chào'));
    const sos = await app.runtime.handleTurn(textFrom('web-user', 'cứu tôi với, họ nhốt tôi'));
    expect(sos.handoffId).toBeTruthy();

    // Live: the chat appears without a reload, with the matched words highlighted.
    await expect.poll(() => lan.locator(`li[data-handoff="${sos.handoffId}"]`).count(), { timeout: 10_000 }).toBe(1);
    expect((await lan.locator(`li[data-handoff="${sos.handoffId}"] mark`).allInnerTexts()).join(' ').toLowerCase()).toContain('cứu tôi');
    expect(await lan.locator(`li[data-handoff="${sos.handoffId}"]`).getAttribute('class')).toContain('level-emergency');
    await lan.screenshot({ path: path.join(ARTIFACTS, 'console-queue-phone.png') });

    const minh = await login('minh@111.vn', { live: false });
    await expect.poll(() => minh.locator(`li[data-handoff="${sos.handoffId}"] button.claim`).count(), { timeout: 10_000 }).toBe(1);

    await lan.locator(`li[data-handoff="${sos.handoffId}"] button.claim`).click();
    await expect.poll(() => lan.locator('#transcript li').count(), { timeout: 10_000 }).toBeGreaterThan(2);
    expect(await lan.locator('#transcript').innerText()).toContain('cứu tôi với, họ nhốt tôi');

    // The second counsellor's claim is refused, and says so.
    await minh.locator(`li[data-handoff="${sos.handoffId}"] button.claim`).click();
    await expect.poll(() => minh.locator('#flash').innerText(), { timeout: 10_000 }).toContain('Một tư vấn viên khác đã nhận');
    await minh.screenshot({ path: path.join(ARTIFACTS, 'console-claim-refused.png') });
    const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: sos.handoffId! }, include: { counsellor: true } });
    expect(handoff.counsellor?.displayName).toBe('Lan');

    // The reply goes to the user's own channel through the outbox.
    await lan.locator('#reply').fill('Chào bạn, mình là Lan từ Tổng đài 111. Bạn đang ở đâu?');
    await lan.locator('#send').click();
    await expect.poll(() => port.sent.map((s) => s.message.text), { timeout: 10_000 }).toContain('Chào bạn, mình là Lan từ Tổng đài 111. Bạn đang ở đâu?');
    const sent = port.sent.find((s) => s.message.text.startsWith('Chào bạn, mình là Lan'))!;
    expect(sent.message.author).toBe('counsellor');
    expect(sent.target.conversationId).toBe(sos.conversationId);

    // The user's answer appears live in the chat view.
    await app.runtime.handleTurn(textFrom('web-user', 'em ở Campuchia'));
    await expect.poll(() => lan.locator('#transcript').innerText(), { timeout: 10_000 }).toContain('em ở Campuchia');
    await lan.screenshot({ path: path.join(ARTIFACTS, 'console-chat.png'), fullPage: true });

    // Hand back: the bot answers the next message again.
    await lan.locator('#hand-back').click();
    await expect.poll(() => lan.getByRole('heading', { name: 'Hàng chờ' }).count(), { timeout: 10_000 }).toBe(1);
    const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: sos.conversationId } });
    expect(conversation.status).toBe('bot');
    const next = await app.runtime.handleTurn(textFrom('web-user', 'menu'));
    expect(next.status).toBe('handled');
    expect(next.outboundIds.length).toBeGreaterThan(0);
    await lan.context().close();
    await minh.context().close();
  }, 120_000);
});
