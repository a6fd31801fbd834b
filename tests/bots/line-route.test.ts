/**
 * LINE's webhook through its real route, signed here from LINE's documented formula:
 * x-line-signature = base64(HMAC-SHA256(channel secret, raw body)).
 */
import { createHmac } from 'node:crypto';
import { lineModule } from '../../bots/line/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startChannel, type Harness } from './route-harness.js';

// ---------------------------------------------------------------- LINE
describe('line webhook', () => {
  const SECRET = 'line-channel-secret-abc';
  let h: Harness;
  beforeAll(async () => {
    h = await startChannel(lineModule, { LINE_CHANNEL_SECRET: SECRET, LINE_CHANNEL_ACCESS_TOKEN: 'tok', LINE_API_BASE_URL: 'http://127.0.0.1:9' });
  });
  afterAll(async () => h?.close());
  afterEach(() => void h.turns.splice(0));
  /** LINE's documented signature, independently: base64 HMAC-SHA256 of the raw body with the channel secret. */
  const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('base64');
  const ev = (id: string, text: string, extra: Record<string, unknown> = {}) => ({ type: 'message', webhookEventId: id, timestamp: Date.now(), source: { type: 'user', userId: 'U1' }, replyToken: `rt-${id}`, message: { type: 'text', id, text }, ...extra });
  const body = (...events: unknown[]) => JSON.stringify({ destination: 'Ubot', events });
  const send = (raw: string, signature?: string) => h.post('/webhooks/line', raw, signature === undefined ? {} : { 'x-line-signature': signature });

  it('accepts a correctly signed delivery and hands its events to the runtime in order', async () => {
    const raw = body(ev('e1', 'một'), ev('e2', 'hai'), ev('e3', 'ba'));
    expect(await send(raw, sign(raw))).toEqual({ status: 200, body: {} });
    expect(h.turns.map((t) => [t.externalMessageId, t.payload.text])).toEqual([
      ['e1', 'một'],
      ['e2', 'hai'],
      ['e3', 'ba'],
    ]);
  });

  it('refuses a missing, empty, forged or other-body signature with 401 and no turn', async () => {
    const raw = body(ev('e4', 'x'));
    for (const signature of [undefined, '', sign(raw, 'another-secret'), sign(`${raw} `), 'bm90IGEgc2lnbmF0dXJl']) {
      expect(await send(raw, signature)).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'bad webhook signature' } } });
    }
    expect(h.turns).toEqual([]);
  });

  it('answers 400 to a signed body that is not a LINE delivery', async () => {
    for (const raw of ['{oops', JSON.stringify({ events: 'none' }), JSON.stringify({ destination: 'U' })]) {
      expect(await send(raw, sign(raw))).toMatchObject({ status: 400, body: { error: { code: 'BAD_INPUT' } } });
    }
    expect((await send(JSON.stringify({ events: 'none' }), sign(JSON.stringify({ events: 'none' })))).body).toEqual({ error: { code: 'BAD_INPUT', message: 'not a LINE webhook body' } });
    expect(h.turns).toEqual([]);
  });

  it('acknowledges old events without processing them, and serves the fresh ones of the same delivery', async () => {
    const raw = body(ev('old', 'stale', { timestamp: Date.now() - 3_600_000 }), ev('fresh', 'new'));
    expect((await send(raw, sign(raw))).status).toBe(200);
    expect(h.turns.map((t) => t.externalMessageId)).toEqual(['fresh']);
    const warn = h.logs().find((l) => l.code === 'EVENT_TOO_OLD');
    expect(warn).toMatchObject({ level: 40, msg: 'line: old event acknowledged, not processed' });
    expect(warn!.ageSeconds).toBeGreaterThanOrEqual(3590);
    expect(warn!.ageSeconds).toBeLessThan(3700);
  });

  it('acknowledges group and room events without a turn', async () => {
    const raw = body(ev('g1', 'hi', { source: { type: 'group', groupId: 'C1', userId: 'U1' } }), ev('r1', 'hi', { source: { type: 'room', roomId: 'R1', userId: 'U1' } }));
    expect(await send(raw, sign(raw))).toEqual({ status: 200, body: {} });
    expect(h.turns).toEqual([]);
  });
});

describe('line module', () => {
  it('is on only with both the channel secret and the access token', async () => {
    const { loadConfig } = await import('../../core/config.js');
    // (Configuration refuses one without the other; the module does not rely on that.)
    const none = loadConfig({ NODE_ENV: 'test' });
    expect(lineModule.enabled(none)).toBe(false);
    expect(lineModule.enabled({ ...none, LINE_CHANNEL_SECRET: 's' })).toBe(false);
    expect(lineModule.enabled({ ...none, LINE_CHANNEL_ACCESS_TOKEN: 't' })).toBe(false);
    expect(lineModule.enabled(loadConfig({ NODE_ENV: 'test', LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't' }))).toBe(true);
  });
});
