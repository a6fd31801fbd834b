/**
 * The lesser findings (issue 14, item 10) seen over HTTP: security headers from one place (HSTS
 * behind an https PUBLIC_URL, no-store on the console API, frame-ancestors 'none', the console's
 * connect-src limited to itself, the web chat's strict policy and no referrer), /metrics behind a
 * token, and Direct Line conversation ids kept out of request logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directLineModule } from '../../../bots/directline/index.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

const METRICS_TOKEN = 'scraper-token-0123456789';

describe('security headers, metrics and logs', () => {
  let app: TestApp;
  let base: string;
  beforeAll(async () => {
    // Debug level: the access lines (one per request) are logged, and checked below.
    app = await createTestApp({ channelModules: [directLineModule], env: { PUBLIC_URL: 'https://hotline.example.org', METRICS_TOKEN, LOG_LEVEL: 'debug' } });
    base = await app.listen();
  });
  afterAll(async () => {
    await app.close();
  });

  const csp = (res: Response) => Object.fromEntries((res.headers.get('content-security-policy') ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));

  it('console: one strict policy, connections to itself only, never framed, HSTS behind https', async () => {
    const page = await fetch(`${base}/console`);
    const policy = csp(page);
    expect(policy['connect-src']).toEqual(["'self'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(page.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const api = await fetch(`${base}/console/api/me`);
    expect(api.status).toBe(401);
    expect(api.headers.get('cache-control')).toBe('no-store');
    expect(csp(api)['default-src']).toEqual(["'none'"]);
  });

  it('web chat pages keep their own strict policy and no referrer', async () => {
    const chat = await fetch(`${base}/chat`);
    const policy = csp(chat);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['connect-src']).toEqual(["'self'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(chat.headers.get('referrer-policy')).toBe('no-referrer');
    expect(chat.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${base}/chat/app.js`)).headers.get('cache-control')).toMatch(/max-age/);
  });

  it('no HSTS when the public address is plain http', async () => {
    const plain = await createTestApp({ env: { PUBLIC_URL: 'http://192.168.1.10:3000' } });
    const url = await plain.listen();
    try {
      expect((await fetch(`${url}/console`)).headers.get('strict-transport-security')).toBeNull();
    } finally {
      await plain.close();
    }
  });

  it('/metrics needs the scraper token when METRICS_TOKEN is set, and is refused in production without one', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('hotline_');
    const prod = await createTestApp({ env: { NODE_ENV: 'production' } });
    const url = await prod.listen();
    try {
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
    } finally {
      await prod.close();
    }
    // Development and test configurations keep it open for a local scraper.
    const dev = await createTestApp();
    const devUrl = await dev.listen();
    try {
      expect((await fetch(`${devUrl}/metrics`)).status).toBe(200);
    } finally {
      await dev.close();
    }
  });

  it('keeps Direct Line conversation ids (and tokens) out of request logs', async () => {
    const generated = (await (await fetch(`${base}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { conversationId: string; token: string };
    const headers = { authorization: `Bearer ${generated.token}`, 'content-type': 'application/json' };
    await fetch(`${base}/v3/directline/conversations/${generated.conversationId}/activities`, { method: 'POST', headers, body: JSON.stringify({ type: 'message', text: 'hi', channelData: { clientActivityID: 'log-1' } }) });
    await fetch(`${base}/v3/directline/conversations/${generated.conversationId}/activities?watermark=w`, { headers });
    const logs = app.logLines.join('\n');
    expect(logs).toContain('/v3/directline/conversations/:id/activities');
    expect(logs).not.toContain(generated.conversationId);
    expect(logs).not.toContain(generated.token);
  });
});
