/**
 * Alerts in real Chromium: an emergency arriving while the console is in the background changes the
 * tab title, raises a browser notification and plays the alert sound; claiming it clears the count;
 * an emergency still unclaimed past its SLA alerts supervisors again (not counsellors); muting stops
 * the sound. Notification and audio are observed (recorded, then passed to the browser), not faked.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../console/auth/passwords.js';
import { createTestApp, textFrom, type TestApp } from '../helpers/app.js';
import { recordingPort } from '../helpers/ports.js';
import { consolePage, launchChromium, logIn, observed, sendToBackground } from './browser.js';

const ARTIFACTS = path.resolve('tests/artifacts');

describe('console alerts in Chromium', () => {
  let app: TestApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    app = await createTestApp({ ports: [recordingPort('test')], env: { HANDOFF_SLA_SECONDS: '5', SLA_SCAN_INTERVAL_MS: '200' } });
    base = await app.listen();
    for (const [email, name, role] of [['lan@111.vn', 'Lan', 'counsellor'], ['hoa@111.vn', 'Hoa', 'supervisor']] as const) {
      await app.database.prisma.staffUser.create({ data: { email, displayName: name, role, passwordHash: await hashPassword('a-long-enough-password') } });
    }
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('serves the alert sound: a short WAV from this server', async () => {
    const res = await fetch(`${base}/console/sounds/alert.wav`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(body.subarray(8, 12).toString('ascii')).toBe('WAVE');
    expect(body.length).toBeLessThan(40_000);
    // The page may load it: the console's policy allows media from itself.
    const page = await fetch(`${base}/console`);
    expect(page.headers.get('content-security-policy')).toContain("media-src 'self'");
  });

  it('an emergency in the background: title count, notification and sound; claimed, the count goes; past the SLA, supervisors are alerted again', async () => {
    const lan = await consolePage(browser, base, { notifications: true });
    await logIn(lan.page, 'lan@111.vn');
    const hoa = await consolePage(browser, base, { notifications: true });
    await logIn(hoa.page, 'hoa@111.vn');
    expect(await lan.page.title()).toBe('Bàn làm việc tư vấn viên 111');
    expect(await lan.page.evaluate(() => Notification.permission)).toBe('granted');
    await sendToBackground(lan.context, lan.page);
    await sendToBackground(hoa.context, hoa.page);

    await app.runtime.handleTurn(textFrom('alert-user', 'xin chào'));
    const sos = await app.runtime.handleTurn(textFrom('alert-user', 'cứu tôi với, họ nhốt tôi'));
    expect(sos.handoffId).toBeTruthy();

    await expect.poll(() => lan.page.title(), { timeout: 30_000 }).toMatch(/^\(1\) /);
    await expect.poll(async () => (await observed(lan.page)).notifications.length, { timeout: 30_000 }).toBe(1);
    const seen = await observed(lan.page);
    expect(seen.notifications[0]!.title).toContain('Khẩn cấp');
    expect(seen.notifications[0]!.body).toContain('Kênh thử');
    // Nothing the person wrote goes into a notification (others may see the screen).
    expect(JSON.stringify(seen.notifications)).not.toContain('nhốt');
    expect(seen.sounds).toEqual([`${base}/console/sounds/alert.wav`]);
    await expect.poll(() => lan.page.locator('#urgent-banner').isVisible(), { timeout: 30_000 }).toBe(true);
    await lan.page.screenshot({ path: path.join(ARTIFACTS, 'console-alert-title.png') });

    // Past the SLA and still unclaimed: the supervisor is alerted again, the counsellor is not.
    await expect.poll(async () => (await observed(hoa.page)).notifications.length, { timeout: 30_000 }).toBe(2);
    const again = await observed(hoa.page);
    expect(again.notifications[1]!.body).toContain('quá hạn');
    expect(again.sounds).toHaveLength(2);
    await expect.poll(() => lan.page.locator(`li[data-handoff="${sos.handoffId}"] .badge`).count(), { timeout: 30_000 }).toBe(1);
    expect((await observed(lan.page)).notifications).toHaveLength(1);

    // Claimed: the count leaves the title on every console.
    await lan.page.bringToFront();
    await lan.page.locator(`li[data-handoff="${sos.handoffId}"] button.claim`).click();
    await expect.poll(() => lan.page.locator('#transcript').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => hoa.page.title(), { timeout: 30_000 }).toBe('Bàn làm việc tư vấn viên 111');
    expect(await lan.page.title()).toBe('Bàn làm việc tư vấn viên 111');
    expect(lan.errors).toEqual([]);
    expect(hoa.errors).toEqual([]);
    await lan.context.close();
    await hoa.context.close();
  }, 120_000);

  it('a high chat alerts too; muted, the console stays silent but still counts and notifies', async () => {
    const lan = await consolePage(browser, base, { notifications: true });
    await logIn(lan.page, 'lan@111.vn');
    await lan.page.locator('#sound-toggle').click();
    expect(await lan.page.locator('#sound-toggle').getAttribute('aria-pressed')).toBe('false');
    const afterToggle = (await observed(lan.page)).sounds.length;
    await sendToBackground(lan.context, lan.page);
    const high = await app.runtime.handleTurn(textFrom('high-user', 'công ty giữ hộ chiếu của em, không cho em về'));
    expect(high.handoffId).toBeTruthy();
    const handoff = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: high.handoffId! } });
    expect(['high', 'emergency']).toContain(handoff.level);
    await expect.poll(() => lan.page.title(), { timeout: 30_000 }).toMatch(/^\(1\) /);
    await expect.poll(async () => (await observed(lan.page)).notifications.length, { timeout: 30_000 }).toBe(1);
    expect((await observed(lan.page)).sounds).toHaveLength(afterToggle);
    expect(lan.errors).toEqual([]);
    await lan.context.close();
  }, 60_000);
});
