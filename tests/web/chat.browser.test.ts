/**
 * The /chat page end to end in real Chromium (Debian's, driven by playwright-core): Microsoft's Web
 * Chat against the built-in Direct Line. Every request the page makes is recorded and must stay on
 * this machine. Screenshots go to tests/artifacts/.
 */
import { mkdirSync } from 'node:fs';
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
    await expect.poll(async () => { const c = await choices(page); return c.length > 0 && !c.includes(previous); }, { timeout: 15_000 }).toBe(true);
    return choices(page);
  };
  const press = async (page: Page, label: string) => page.getByRole('button', { name: label, exact: true }).last().click();

  it('welcomes, walks the FAQ by buttons, hands an emergency to a counsellor with the numbers, and exits quickly', async () => {
    const { page, requests } = await openChat('vi');
    await expect.poll(() => lastBotText(page), { timeout: 30_000 }).toContain('Tổng đài 111');
    await page.screenshot({ path: path.join(ARTIFACTS, 'chat-welcome.png') });

    await press(page, 'Tiếng Việt');
    await expect.poll(() => page.locator('.webchat__suggested-action').allInnerTexts(), { timeout: 15_000 }).toContain('Quyền của bạn');
    // The welcome shown before anything was stored is not shown again once the conversation is stored.
    expect((await bubbles(page)).filter((t) => t.includes('Tổng đài 111'))).toHaveLength(1);
    await press(page, 'Quyền của bạn');
    const topic = (await nextChoices(page, 'Quyền của bạn'))[0]!;
    const before = (await bubbles(page)).length;
    await press(page, topic.trim());
    // The topic lists its questions; the first question's answer names its article of the law.
    const question = (await nextChoices(page, topic))[0]!;
    await press(page, question.trim());
    await expect.poll(() => lastBotText(page), { timeout: 15_000 }).toMatch(/Điều \d+|Luật|Nghị định/);
    expect((await bubbles(page)).length).toBeGreaterThan(before);
    await page.screenshot({ path: path.join(ARTIFACTS, 'chat-faq.png') });

    const input = page.locator('input[data-id="webchat-sendbox-input"], textarea[data-id="webchat-sendbox-input"]').first();
    await input.fill('cứu em với, em đang bị nhốt');
    await input.press('Enter');
    await expect.poll(() => lastBotText(page), { timeout: 15_000 }).toMatch(/113/);
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

  it('quick exit by the button, at 360 px wide, in English', async () => {
    const { page } = await openChat('en');
    await expect.poll(() => lastBotText(page), { timeout: 30_000 }).toContain('111');
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
