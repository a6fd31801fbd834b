/** The HTTP server over real sockets: /healthz, /metrics, error format. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';

describe('HTTP server', () => {
  let app: TestApp;
  let base: string;
  beforeAll(async () => {
    app = await createTestApp();
    base = await app.listen();
  });
  afterAll(async () => {
    await app.close();
  });

  it('GET /healthz answers 200 with the database status', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ok', database: { kind: 'pglite', status: 'ok', migrated: true } });
  });

  it('GET /metrics serves Prometheus text', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('hotline_turns_total');
  });

  it('unknown routes answer a coded 404', async () => {
    const missing = await fetch(`${base}/no-such-page`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('NOT_FOUND');
  });

  it('healthz reports 503 when the database is gone', async () => {
    const other = await createTestApp();
    const url = await other.listen();
    await other.outbox.stop();
    await other.database.close();
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(503);
    expect((await res.json()).database.status).toBe('unavailable');
    await other.server.close();
  });
});
