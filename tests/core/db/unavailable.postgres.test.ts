/**
 * PostgreSQL going away (issue 14, item 10): requests answer 503 DATABASE_UNAVAILABLE (not 500)
 * while it is down and work again when it is back; start-up waits for an unreachable database
 * with backoff for a bounded time instead of exiting at once. The database is reached through a
 * local TCP relay the test can cut.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../core/db/client.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { postgresSuiteMode, TEST_DATABASE_URL } from '../../helpers/db.js';
import { startServer, type ServerProcess } from '../../helpers/process.js';

const mode = postgresSuiteMode();

/** A TCP relay to the real server that can be stopped (dropping every connection) and started again on the same port. */
class Relay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async start(port = this.port): Promise<number> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => this.sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe.skipIf(mode === 'skip')('PostgreSQL unreachable', () => {
  it.runIf(mode === 'fail')('needs TEST_DATABASE_URL in CI', () => {
    throw new Error('TEST_DATABASE_URL is not set');
  });
  if (mode !== 'run') return;

  const name = `hotline_down_${randomBytes(5).toString('hex')}`;
  const target = new URL(TEST_DATABASE_URL!);
  const relay = new Relay({ host: target.hostname, port: Number(target.port || 5432) });
  const urlVia = (port: number) => {
    const url = new URL(TEST_DATABASE_URL!);
    url.host = `127.0.0.1:${port}`;
    url.pathname = `/${name}`;
    return url.toString();
  };
  const procs: ServerProcess[] = [];
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
  });
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await relay.stop();
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('answers 503 DATABASE_UNAVAILABLE while the database is down, and recovers when it is back', async () => {
    const port = await relay.start();
    const database = await openDatabase({ kind: 'postgres', url: urlVia(port) });
    let app: TestApp | undefined;
    try {
      app = await createTestApp({ database, env: { APP_SECRET: 'x'.repeat(40) } });
      const base = await app.listen();
      const login = () => fetch(`${base}/console/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@111.vn', password: 'whatever-password' }) });
      expect((await login()).status).toBe(401);
      await relay.stop();
      const down = await login();
      expect(down.status).toBe(503);
      expect(((await down.json()) as { error: { code: string } }).error.code).toBe('DATABASE_UNAVAILABLE');
      expect((await fetch(`${base}/healthz`)).status).toBe(503);
      await relay.start(port);
      await expect.poll(async () => (await login()).status, { timeout: 30_000, interval: 250 }).toBe(401);
    } finally {
      await app?.close();
      await relay.stop();
    }
  }, 60_000);

  it('start-up waits for an unreachable database (with backoff), then starts', async () => {
    const port = await freePort();
    const proc = startServer({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: urlVia(port), APP_SECRET: 'y'.repeat(40), DATABASE_CONNECT_TIMEOUT_SECONDS: '60' });
    procs.push(proc);
    await expect.poll(() => proc.out(), { timeout: 45_000, interval: 200 }).toContain('database not reachable yet; retrying');
    expect(proc.child.exitCode).toBeNull();
    await relay.start(port);
    const url = await proc.listening(60_000);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    await relay.stop();
  }, 120_000);

  it('gives up after DATABASE_CONNECT_TIMEOUT_SECONDS, naming the database it could not reach', async () => {
    const port = await freePort();
    const proc = startServer({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: urlVia(port), APP_SECRET: 'z'.repeat(40), DATABASE_CONNECT_TIMEOUT_SECONDS: '2' });
    procs.push(proc);
    const code = await proc.exited;
    expect(code).not.toBe(0);
    expect(proc.err() + proc.out()).toContain(`127.0.0.1:${port} is not reachable`);
  }, 60_000);
});
