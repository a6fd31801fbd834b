/**
 * Zalo OA's webhook through its real route, signed here from the documented formula:
 * X-ZEvent-Signature = "mac=" + hex(SHA-256(appId + raw body + event timestamp + OA secret key)).
 */
import { createHash } from 'node:crypto';
import { zaloModule } from '../../bots/zalo/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startChannel, type Harness } from './route-harness.js';

// ---------------------------------------------------------------- Zalo
describe('zalo webhook', () => {
  const APP_ID = '1234567890123456789';
  const OA_SECRET = 'oa-secret-key-xyz';
  let h: Harness;
  beforeAll(async () => {
    h = await startChannel(zaloModule, { ZALO_APP_ID: APP_ID, ZALO_OA_SECRET_KEY: OA_SECRET, ZALO_ACCESS_TOKEN: 'access', ZALO_API_BASE_URL: 'http://127.0.0.1:9', ZALO_OAUTH_BASE_URL: 'http://127.0.0.1:9' });
  });
  afterAll(async () => h?.close());
  afterEach(() => void h.turns.splice(0));
  /** Zalo OA's documented mac, independently: "mac=" + hex SHA-256 of appId + raw body + the event's timestamp + OA secret key. */
  const mac = (raw: string, timestamp: string, secret = OA_SECRET) => `mac=${createHash('sha256').update(`${APP_ID}${raw}${timestamp}${secret}`).digest('hex')}`;
  const event = (timestamp: string | number, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ app_id: APP_ID, event_name: 'user_send_text', timestamp, sender: { id: '2468' }, recipient: { id: 'oa' }, message: { msg_id: `m-${timestamp}`, text: 'xin chào' }, ...extra });
  const send = (raw: string, signature?: string) => h.post('/webhooks/zalo', raw, signature === undefined ? {} : { 'x-zevent-signature': signature });

  it('accepts an event with the documented mac (string or number timestamp) and hands it to the runtime', async () => {
    const ts = String(Date.now());
    const raw = event(ts);
    expect(await send(raw, mac(raw, ts))).toEqual({ status: 200, body: { ok: true } });
    const numeric = event(Number(ts) + 1);
    expect((await send(numeric, mac(numeric, String(Number(ts) + 1)))).status).toBe(200);
    expect(h.turns.map((t) => [t.externalUserId, t.externalMessageId, t.kind, t.payload.text])).toEqual([
      ['2468', `m-${ts}`, 'text', 'xin chào'],
      ['2468', `m-${Number(ts) + 1}`, 'text', 'xin chào'],
    ]);
  });

  it('refuses a missing or forged mac, or one made for another timestamp, with 401 and no turn', async () => {
    const ts = String(Date.now());
    const raw = event(ts);
    for (const signature of [undefined, '', mac(raw, ts, 'wrong'), mac(raw, String(Number(ts) + 1)), mac(raw.replace('xin chào', 'tạm biệt'), ts)]) {
      expect(await send(raw, signature)).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'bad webhook signature' } } });
    }
    expect(h.turns).toEqual([]);
  });

  it('answers 400 to a body that is not a Zalo event', async () => {
    expect(await send('{bad', 'mac=00')).toMatchObject({ status: 400, body: { error: { code: 'BAD_INPUT' } } });
    for (const raw of [JSON.stringify({ event_name: 'x' }), JSON.stringify({ event_name: 'x', timestamp: true }), 'null']) {
      expect(await send(raw, 'mac=00')).toEqual({ status: 400, body: { error: { code: 'BAD_INPUT', message: 'not a Zalo event' } } });
    }
    const ts = String(Date.now());
    const noName = JSON.stringify({ timestamp: ts, sender: { id: '1' } });
    expect(await send(noName, mac(noName, ts))).toEqual({ status: 400, body: { error: { code: 'BAD_INPUT', message: 'not a Zalo event' } } });
    expect(h.turns).toEqual([]);
  });

  it('acknowledges an old event without processing it, and events that are not turns', async () => {
    const ts = String(Date.now() - 3_600_000);
    const raw = event(ts);
    expect(await send(raw, mac(raw, ts))).toEqual({ status: 200, body: { ok: true } });
    expect(h.turns).toEqual([]);
    const warn = h.logs().find((l) => l.code === 'EVENT_TOO_OLD');
    expect(warn).toMatchObject({ level: 40, msg: 'zalo: old event acknowledged, not processed' });
    expect(warn!.ageSeconds).toBeGreaterThanOrEqual(3590);
    expect(warn!.ageSeconds).toBeLessThan(3700);
    const now = String(Date.now());
    const oa = event(now, { event_name: 'oa_send_text' });
    expect(await send(oa, mac(oa, now))).toEqual({ status: 200, body: { ok: true } });
    expect(h.turns).toEqual([]);
  });
});


describe('zalo module', () => {
  it('is on only with the OA secret key, the app id and an access token', async () => {
    const { loadConfig } = await import('../../core/config.js');
    const all = { NODE_ENV: 'test', ZALO_OA_SECRET_KEY: 'k', ZALO_APP_ID: '1', ZALO_ACCESS_TOKEN: 'a' };
    expect(zaloModule.enabled(loadConfig(all))).toBe(true);
    // (Configuration refuses a partial set; the module does not rely on that.)
    for (const missing of ['ZALO_OA_SECRET_KEY', 'ZALO_APP_ID', 'ZALO_ACCESS_TOKEN']) expect(zaloModule.enabled({ ...loadConfig(all), [missing]: undefined })).toBe(false);
  });

  it('warns at start when the access token cannot be refreshed, and not when it can', async () => {
    const base = { ZALO_APP_ID: '1', ZALO_OA_SECRET_KEY: 'k', ZALO_ACCESS_TOKEN: 'a', ZALO_API_BASE_URL: 'http://127.0.0.1:9', ZALO_OAUTH_BASE_URL: 'http://127.0.0.1:9' };
    const warned = (h: Harness) => h.logs().some((l) => l.level === 40 && /cannot be refreshed/.test(String(l.msg)));
    const without = await startChannel(zaloModule, { ...base, ZALO_REFRESH_TOKEN: 'r' });
    const withBoth = await startChannel(zaloModule, { ...base, ZALO_REFRESH_TOKEN: 'r', ZALO_APP_SECRET: 'app-secret' });
    try {
      expect(warned(without)).toBe(true);
      expect(warned(withBoth)).toBe(false);
    } finally {
      await without.close();
      await withBoth.close();
    }
  });
});
