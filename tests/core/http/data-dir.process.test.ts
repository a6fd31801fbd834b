/**
 * One process per embedded data folder (issue 14, item 8) and a clear error for a folder that
 * cannot be written (item 10): real processes as `npm start` runs them.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../../helpers/process.js';

const dirs: string[] = [];
const procs: ServerProcess[] = [];
afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const env = (dataDir: string) => ({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' });

it('refuses a second process on the same DATA_DIR (exit 78, names the pid); a dead holder\'s lock is taken over', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hotline-lock-'));
  dirs.push(dataDir);
  const first = startServer(env(dataDir));
  procs.push(first);
  const url = await first.listening();

  const second = startServer(env(dataDir));
  procs.push(second);
  expect(await second.exited).toBe(78);
  expect(second.err()).toContain(`DATA_DIR is in use by pid ${first.child.pid}`);
  // The first one is unharmed.
  expect((await fetch(`${url}/healthz`)).status).toBe(200);

  // Killed without a chance to clean up: its lock names a dead pid, and the next start takes it over.
  first.child.kill('SIGKILL');
  await first.exited;
  const third = startServer(env(dataDir));
  procs.push(third);
  const url3 = await third.listening();
  expect((await fetch(`${url3}/healthz`)).status).toBe(200);
  third.child.kill('SIGTERM');
  expect(await third.exited).toBe(0);
}, 150_000);

it('names the folder and the cause when DATA_DIR cannot be written', async () => {
  const parent = await mkdtemp(path.join(tmpdir(), 'hotline-ro-'));
  dirs.push(parent);
  await chmod(parent, 0o555);
  const dataDir = path.join(parent, 'data');
  // Root writes anywhere: run the process as an unprivileged user then.
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const proc = startServer({ ...env(dataDir), HOME: '/tmp' }, asNobody);
  procs.push(proc);
  expect(await proc.exited).toBe(78);
  expect(proc.err()).toContain(dataDir);
  expect(proc.err()).toMatch(/permission denied|read-only/);
}, 90_000);
