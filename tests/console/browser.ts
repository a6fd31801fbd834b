/** Chromium for the console's browser tests: launch, log in, observe alerts, scan the visible text. */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });

/**
 * Records what the page does with Notification and the audio element, then lets the real browser
 * do it: observation only, the product's own calls run unchanged.
 */
export const OBSERVE_ALERTS = `(() => {
  window.__notifications = [];
  window.__sounds = [];
  const Real = window.Notification;
  if (Real) {
    const Recording = function (title, options) {
      window.__notifications.push({ title, body: options && options.body, tag: options && options.tag });
      return new Real(title, options);
    };
    Object.defineProperty(Recording, 'permission', { get: () => Real.permission });
    Recording.requestPermission = (...args) => Real.requestPermission(...args);
    Recording.prototype = Real.prototype;
    window.Notification = Recording;
  }
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    window.__sounds.push(this.currentSrc || this.src);
    return play.call(this);
  };
})();`;

export interface Observed {
  notifications: { title: string; body?: string; tag?: string }[];
  sounds: string[];
}

export const observed = (page: Page): Promise<Observed> =>
  page.evaluate(() => ({ notifications: (window as unknown as { __notifications: Observed['notifications'] }).__notifications, sounds: (window as unknown as { __sounds: string[] }).__sounds }));

export async function consolePage(browser: Browser, base: string, opts: { notifications?: boolean; width?: number; lang?: 'vi' | 'en' } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1200, height: 900 }, ...(opts.notifications ? { permissions: ['notifications'] } : {}) });
  await context.addInitScript(OBSERVE_ALERTS);
  if (opts.lang) await context.addInitScript(`localStorage.setItem('console.lang', '${opts.lang}')`);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/console`);
  return { context, page, errors };
}

export async function logIn(page: Page, email: string, password = 'a-long-enough-password'): Promise<void> {
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.locator('form button[type="submit"]').click();
  await expect.poll(() => page.locator('nav').count(), { timeout: 30_000 }).toBe(1);
}

/**
 * Puts the page in the background as a counsellor's other window would: Playwright keeps every page
 * focused by emulation; without it, bringing another page to the front takes the focus away for real.
 */
export async function sendToBackground(context: BrowserContext, page: Page): Promise<Page> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
  const other = await context.newPage();
  await other.bringToFront();
  await expect.poll(() => page.evaluate(() => document.hasFocus()), { timeout: 30_000 }).toBe(false);
  return other;
}

/** Patterns that must never be in the console's visible text: internal ids, JSON, untranslated keys. */
export const RAW_PATTERNS: [string, RegExp][] = [
  ['a uuid', /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i],
  ['JSON', /[{[]\s*"/],
  ['an underscore id', /\b[A-Za-z]+(?:_[A-Za-z0-9]+)+\b/],
  ['an i18n key', /\b(?:title|login|nav|queue|chat|reports|dashboard|directory|staff|password|errors|totp|security|alerts|risk|details|labelsUi|report|reportFields|channels|common|time|labels|canned|cannedRegisters)\.[a-zA-Z]+/],
  ['an ISO timestamp', /\d{4}-\d{2}-\d{2}T\d{2}:/],
  ['undefined, null or NaN', /\b(?:undefined|null|NaN)\b|\[object Object\]/],
  ['a province slug', /\b(?:an-giang|ha-noi|ho-chi-minh|lai-chau|quang-ninh|lao-cai|dien-bien)\b/],
  ['an empty label', /:\s*$|\(\s*\)/m],
  ['a camelCase field name', /(?<![\p{L}\p{M}])[a-z]+[A-Z][a-z]+[A-Za-z]*(?![\p{L}\p{M}])/u],
];

/** In the Vietnamese console, the English ids of levels, reasons and report answers must not show either. */
export const VI_RAW: [string, RegExp][] = [['an English id', /(?<![\p{L}\p{M}])(?:emergency|elevated|none|high|ongoing|mixed|unknown|received|referred|closed|webchat|counsellor|supervisor|admin)(?![\p{L}\p{M}])/u]];

/**
 * The page's visible text, with stable error codes (shown to admins on purpose, in a code element
 * marked .error-code) left out.
 */
export const visibleText = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const hidden = Array.from(document.querySelectorAll<HTMLElement>('code.error-code'));
    hidden.forEach((el) => (el.style.display = 'none'));
    const text = document.body.innerText;
    hidden.forEach((el) => (el.style.display = ''));
    return text;
  });

export async function expectNoRawIds(page: Page, where: string, lang: 'vi' | 'en' = 'en'): Promise<void> {
  const text = await visibleText(page);
  const found = [...RAW_PATTERNS, ...(lang === 'vi' ? VI_RAW : [])].filter(([, re]) => re.test(text)).map(([name, re]) => `${name}: "${text.match(re)![0]}"`);
  expect(found, `${where}\n${text}`).toEqual([]);
}
