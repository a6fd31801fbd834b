/**
 * The real process as `npm start` runs it: starts on a fresh embedded database with no other
 * step, answers /healthz, shuts down cleanly on SIGTERM; refuses bad configuration clearly.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
// The same command as `npm start`: one node process, so SIGTERM reaches our handler directly.
const START = [process.execPath, ['--import', 'tsx', 'server/main.ts']] as const;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function start(env: Record<string, string>) {
  const child = spawn(START[0], [...START[1]], { cwd: ROOT, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

it('starts on a fresh embedded database, serves /healthz, drains and exits 0 on SIGTERM', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hotline-start-'));
  dirs.push(dataDir);
  const proc = start({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
  await expect.poll(() => /is listening/.test(proc.out()), { timeout: 45_000, interval: 200 }).toBe(true);
  const line = proc.out().split('\n').find((l) => l.includes('is listening'))!;
  const { url } = JSON.parse(line) as { url: string };
  const res = await fetch(`${url}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ status: 'ok', database: { kind: 'pglite', migrated: true } });
  proc.child.kill('SIGTERM');
  expect(await proc.exited).toBe(0);
  expect(proc.out()).toContain('shut down cleanly');
}, 90_000);

it('refuses invalid configuration with the variable named and exit code 78', async () => {
  const proc = start({ PORT: 'not-a-port', DATABASE_URL: 'postgresql://127.0.0.1:1/x' });
  expect(await proc.exited).toBe(78);
  expect(proc.err()).toContain('PORT');
  expect(proc.err()).toContain('APP_SECRET: required with DATABASE_URL');
}, 60_000);
