/**
 * The /chat page end to end in real Chromium (Debian's, driven by playwright-core): Microsoft's Web
 * Chat against the built-in Direct Line. Every request the page makes is recorded and must stay on
 * this machine. Screenshots go to tests/artifacts/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { channelModules } from '../../bots/index.js';

const ARTIFACTS = path.resolve('tests/artifacts');
const EXIT_URL = 'https://neutral.example/weather';

describe('web chat page in Chromium', () => {
  let app: TestApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    app = await createTestApp({ channelModules, env: { QUICK_EXIT_URL: EXIT_URL } });
    base = await app.listen();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function openChat(lang = 'vi'): Promise<{ page: Page; requests: string[] }> {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    // The quick-exit target is answered inside the browser, so nothing leaves the machine.
    await page.route(`${EXIT_URL}**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Weather</title><p>Sunny</p>' }));
    await page.goto(`${base}/chat?lang=${lang}`);
    return { page, requests };
  }

  const bubbles = (page: Page) => page.locator('.webchat__bubble__content').allInnerTexts();
  const lastBotText = async (page: Page) => (await bubbles(page)).join('\n');
  const choices = (page: Page) => page.locator('.webchat__suggested-action').allInnerTexts();
  /** Waits until the offered buttons are non-empty and no longer include `previous`. */
  const nextChoices = async (page: Page, previous: string) => {
    await expect.poll(async () => { const c = await choices(page); return c.length > 0 && !c.includes(previous); }, { timeout: 30_000 }).toBe(true);
    return choices(page);
  };
  const press = async (page: Page, label: string) => page.getByRole('button', { name: label, exact: true }).last().click();

  it('welcomes, walks the FAQ by buttons, hands an emergency to a counsellor with the numbers, and exits quickly', async () => {
    const { page, requests } = await openChat('vi');
    await expect.poll(() => lastBotText(page), { timeout: 30_000 }).toContain('Tổng đài 111');
    // The page is in Vietnamese, so the chat starts there: straight to the menu, no language question.
    await expect.poll(() => page.locator('.webchat__suggested-action').allInnerTexts(), { timeout: 30_000 }).toContain('Quyền của bạn');
    expect(await choices(page)).not.toContain('English');
    await page.screenshot({ path: path.join(ARTIFACTS, 'chat-welcome.png') });

    await press(page, 'Quyền của bạn');
    const topic = (await nextChoices(page, 'Quyền của bạn'))[0]!;
    const before = (await bubbles(page)).length;
    await press(page, topic.trim());
    // The topic lists its questions; the first question's answer names its article of the law.
    const question = (await nextChoices(page, topic))[0]!;
    await press(page, question.trim());
    // Wait for text only that answer has (the rights prompt before it also names the law).
    const faq = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../locales/vi/faq.json'), 'utf8')) as { items: Record<string, { q: string; a: string }> };
    const entry = Object.values(faq.items).find((item) => item.q === question.trim());
    expect(entry, `an FAQ entry for "${question.trim()}"`).toBeDefined();
    await expect.poll(() => lastBotText(page), { timeout: 30_000 }).toContain(entry!.a.split('\n')[0]!.slice(0, 60));
    expect(await lastBotText(page)).toMatch(/Điều \d+|Luật|Nghị định/);
    expect((await bubbles(page)).length).toBeGreaterThan(before);
    await page.screenshot({ path: path.join(ARTIFACTS, 'chat-faq.png') });

    const input = page.locator('input[data-id="webchat-sendbox-input"], textarea[data-id="webchat-sendbox-input"]').first();
    await input.fill('cứu em với, em đang bị nhốt');
    await input.press('Enter');
    await expect.poll(() => lastBotText(page), { timeout: 30_000 }).toMatch(/113/);
    expect(await lastBotText(page)).toMatch(/115/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'chat-emergency.png') });
    const handoff = await app.database.prisma.handoff.findFirst({ where: { level: 'emergency' } });
    expect(handoff?.priority).toBe(3);

    // Everything so far stayed on this machine, and the page set no cookie.
    expect(requests.filter((u) => !u.startsWith(base) && !u.startsWith(base.replace('http', 'ws')))).toEqual([]);
    expect(await page.context().cookies()).toEqual([]);

    await page.keyboard.press('Escape');
    await page.waitForURL(`${EXIT_URL}**`, { timeout: 10_000 });
    expect(await page.title()).toBe('Weather');
    // The chat is gone from this tab's session, and Back does not return to it.
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.context().close();
  }, 120_000);

  /** Every offered button lies inside the 360 x 740 screen, and the button area does not scroll. */
  async function allButtonsVisible(page: Page, shot: string) {
    const boxes = await page.locator('.webchat__suggested-action').evaluateAll((els) => els.map((e) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, text: (e as HTMLElement).innerText }; }));
    expect(boxes.length).toBeGreaterThan(1);
    for (const b of boxes) {
      expect(b.top, b.text).toBeGreaterThanOrEqual(0);
      expect(b.bottom, b.text).toBeLessThanOrEqual(740);
      expect(b.left, b.text).toBeGreaterThanOrEqual(0);
      expect(b.right, b.text).toBeLessThanOrEqual(360);
    }
    const area = await page.locator('.webchat__suggested-actions').first().evaluate((el) => {
      const scrollers = [el, ...Array.from(el.querySelectorAll('*'))].filter((e) => e.scrollHeight > e.clientHeight + 1 && getComputedStyle(e).overflowY !== 'visible');
      return scrollers.length;
    });
    expect(area).toBe(0);
    // The page itself does not scroll either.
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(740);
    await page.screenshot({ path: path.join(ARTIFACTS, shot) });
    return boxes.map((b) => b.text.trim());
  }

  it('at 360 x 740 every button of the menu and of a question is visible without scrolling; typed words are understood', async () => {
    const { page } = await openChat('vi');
    await expect.poll(() => choices(page), { timeout: 30_000 }).toContain('Báo tin (ẩn danh)');
    expect(await allButtonsVisible(page, 'chat-360-menu.png')).toEqual(['Báo tin (ẩn danh)', 'Quyền của bạn', 'Tìm nơi hỗ trợ', 'Kiểm tra lời mời việc làm', 'Nói chuyện với tư vấn viên']);
    // The report's first question: nine kinds of harm, follow-up, back, menu.
    const input = page.locator('input[data-id="webchat-sendbox-input"], textarea[data-id="webchat-sendbox-input"]').first();
    await input.fill('bao tin');
    await input.press('Enter');
    await expect.poll(() => choices(page), { timeout: 30_000 }).toContain('Bị giữ ở trại lừa đảo');
    const report = await allButtonsVisible(page, 'chat-360-report.png');
    expect(report).toHaveLength(12);
    expect(report.slice(-2)).toEqual(['Quay lại', 'Về trang chính']);
    // A yes/no question, reached by typing.
    await input.fill('lua dao');
    await input.press('Enter');
    await expect.poll(() => choices(page), { timeout: 30_000 }).toContain('Ở nước ngoài');
    await input.fill('o cpc');
    await input.press('Enter');
    await expect.poll(() => choices(page), { timeout: 30_000 }).toContain('Campuchia');
    await press(page, 'Campuchia');
    await expect.poll(() => choices(page), { timeout: 30_000 }).toContain('Không chắc');
    expect(await allButtonsVisible(page, 'chat-360-yesno.png')).toEqual(['Có', 'Không', 'Không chắc', 'Quay lại', 'Về trang chính']);
    // Two answers that fit nothing: the choices come back numbered, with a counsellor; a number works.
    await input.fill('hmm');
    await input.press('Enter');
    await expect.poll(async () => (await bubbles(page)).filter((t) => t.includes('Mình chưa hiểu câu trả lời này')).length, { timeout: 30_000 }).toBe(1);
    await input.fill('???');
    await input.press('Enter');
    await expect.poll(() => lastBotText(page), { timeout: 30_000 }).toMatch(/1\.\s*Có\s+2\.\s*Không\s+3\.\s*Không chắc\s+4\.\s*Nói chuyện với tư vấn viên/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'chat-360-numbered.png') });
    await input.fill('khum');
    await input.press('Enter');
    await expect.poll(() => choices(page), { timeout: 30_000 }).toContain('Gửi luôn');
    await page.context().close();
  }, 120_000);

  it('the landing page has the quick exit too (button and Esc) and a tip on hiding the visit', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.route(`${EXIT_URL}**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Weather</title><p>Sunny</p>' }));
    await page.goto(`${base}/?lang=vi`);
    const exit = page.getByRole('button', { name: 'Thoát nhanh' });
    const box = (await exit.boundingBox())!;
    expect(box.y).toBeLessThan(60);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    await page.getByText('Cách giấu lượt vào trang này').click();
    await expect.poll(() => page.locator('details.hide-tip li').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    expect(await page.locator('details.hide-tip').innerText()).toMatch(/ẩn danh/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'landing-360.png'), fullPage: true });
    await page.keyboard.press('Escape');
    await page.waitForURL(`${EXIT_URL}**`, { timeout: 10_000 });
    expect(await page.title()).toBe('Weather');
    await page.goto(`${base}/?lang=en`);
    await page.getByRole('button', { name: 'Quick exit' }).click();
    await page.waitForURL(`${EXIT_URL}**`, { timeout: 10_000 });
    await context.close();
  }, 60_000);

  it('quick exit by the button, at 360 px wide, in English (the chat starts in English)', async () => {
    const { page } = await openChat('en');
    await expect.poll(() => lastBotText(page), { timeout: 30_000 }).toContain('111');
    await expect.poll(() => choices(page), { timeout: 30_000 }).toContain('Your rights');
    expect(await lastBotText(page)).not.toMatch(/choose your language/i);
    expect(await page.getByText('How to hide this visit').count()).toBe(1);
    const exit = page.getByRole('button', { name: 'Quick exit' });
    const box = await exit.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(360);
    expect(box!.height).toBeGreaterThanOrEqual(40);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: path.join(ARTIFACTS, 'chat-360-en.png') });
    await exit.click();
    await page.waitForURL(`${EXIT_URL}**`, { timeout: 10_000 });
    await page.context().close();
  }, 90_000);
});
