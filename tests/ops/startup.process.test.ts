/**
 * The real `npm start` process: its first output says where everything is and how to create the
 * first console admin; SIGTERM ends it even when nobody reads its output any more.
 */
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { StartupSummary } from '../../server/startup-summary.js';
import { logLines, removeTempDirs, startServer, tempDir, type ServerProcess } from './run.js';

afterAll(removeTempDirs);

async function listening(proc: ServerProcess): Promise<string> {
  await expect.poll(() => /is listening/.test(proc.out()) || proc.hasExited(), { timeout: 60_000, interval: 200 }).toBe(true);
  expect(proc.hasExited(), proc.err()).toBe(false);
  const line = logLines(proc.out()).find((l) => l.msg === 'hotline-111 is listening')!;
  return line.url as string;
}

it('says where the web chat, console, health check and data are, which channels are off and why, and how to create the first admin', async () => {
  const dataDir = await tempDir('summary');
  // (A partial Zalo configuration is refused at start-up with the missing variables named: tests/core/config.test.ts.)
  const proc = startServer({ DATA_DIR: dataDir });
  try {
    const url = await listening(proc);
    await expect.poll(() => logLines(proc.out()).some((l) => l.msg === 'start-up summary'), { timeout: 30_000, interval: 100 }).toBe(true);
    const { summary } = logLines(proc.out()).find((l) => l.msg === 'start-up summary') as { summary: StartupSummary };

    expect(summary.urls).toMatchObject({ home: `${url}/`, chat: `${url}/chat`, console: `${url}/console`, healthz: `${url}/healthz`, metrics: `${url}/metrics`, public: null });
    for (const link of [summary.urls.chat!, summary.urls.console, summary.urls.healthz]) expect((await fetch(link)).status, link).toBe(200);
    expect(summary.database).toEqual({ kind: 'pglite', dataDir: path.resolve(dataDir), path: path.join(path.resolve(dataDir), 'pglite') });
    expect(summary.appSecret).toEqual({ from: 'file', path: path.join(path.resolve(dataDir), 'app-secret') });

    const channel = (name: string) => summary.channels.find((c) => c.name === name)!;
    expect(channel('webchat')).toMatchObject({ on: true, missing: [] });
    expect(channel('telegram')).toMatchObject({ on: false, missing: ['TELEGRAM_BOT_TOKEN'] });
    expect(channel('line')).toMatchObject({ on: false, missing: ['LINE_CHANNEL_SECRET', 'LINE_CHANNEL_ACCESS_TOKEN'] });
    expect(channel('zalo')).toMatchObject({ on: false, missing: ['ZALO_OA_SECRET_KEY', 'ZALO_APP_ID', 'ZALO_ACCESS_TOKEN'] });
    expect(channel('zalo').detail).toBe('set ZALO_OA_SECRET_KEY, ZALO_APP_ID, ZALO_ACCESS_TOKEN');
    expect(channel('botframework')).toMatchObject({ on: false });

    expect(summary.consoleAdmins.active).toBe(0);
    expect(summary.consoleAdmins.hint).toContain(`DATA_DIR=${path.resolve(dataDir)} npm run admin -- create-user you@example.org admin`);
    expect(summary.consoleAdmins.hint).toContain('CONSOLE_ADMIN_EMAIL and CONSOLE_ADMIN_PASSWORD');
    expect(summary.consoleAdmins.hint).toContain('stop the server');
    // Nothing secret in the output: the generated app secret never appears.
    const { readFile } = await import('node:fs/promises');
    const secret = (await readFile(path.join(dataDir, 'app-secret'), 'utf8')).trim();
    expect(proc.out()).not.toContain(secret);
  } finally {
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }
}, 120_000);

it('with CONSOLE_ADMIN_* set, counts the admin and gives no hint', async () => {
  const dataDir = await tempDir('summary-admin');
  const proc = startServer({ DATA_DIR: dataDir, CONSOLE_ADMIN_EMAIL: 'boss@example.org', CONSOLE_ADMIN_PASSWORD: 'a long enough password' });
  try {
    await listening(proc);
    await expect.poll(() => logLines(proc.out()).some((l) => l.msg === 'start-up summary'), { timeout: 30_000, interval: 100 }).toBe(true);
    const { summary } = logLines(proc.out()).find((l) => l.msg === 'start-up summary') as { summary: StartupSummary };
    expect(summary.consoleAdmins).toEqual({ active: 1, hint: null });
    expect(proc.out()).not.toContain('a long enough password');
  } finally {
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }
}, 120_000);

it('exits on SIGTERM after the reader of its output has gone away', async () => {
  const dataDir = await tempDir('closed-stdout');
  const proc = startServer({ DATA_DIR: dataDir });
  const url = await listening(proc);
  proc.child.stdout.destroy(); // the log shipper or terminal died
  // The server goes on working and logging (each request is logged) into the closed pipe.
  for (let i = 0; i < 20; i++) expect((await fetch(`${url}/healthz`)).status).toBe(200);
  proc.child.kill('SIGTERM');
  await expect.poll(() => proc.hasExited(), { timeout: 60_000, interval: 200 }).toBe(true);
  expect(await proc.exited).toBe(0);
}, 120_000);

it('exits on SIGTERM while the reader of its output is alive but has stopped reading', async () => {
  const dataDir = await tempDir('stalled-stdout');
  const proc = startServer({ DATA_DIR: dataDir });
  const url = await listening(proc);
  proc.child.stdout.removeAllListeners('data');
  proc.child.stdout.pause(); // a stuck log shipper: the pipe fills up and stays full
  // Each request writes two log lines (~400 bytes): 3000 of them are far more than a pipe holds.
  for (let round = 0; round < 60; round++) {
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${url}/healthz`).then((r) => r.status)));
    expect(answers.every((s) => s === 200)).toBe(true);
  }
  proc.child.kill('SIGTERM');
  await expect.poll(() => proc.hasExited(), { timeout: 60_000, interval: 200 }).toBe(true);
  expect(await proc.exited).toBe(0);
}, 180_000);
