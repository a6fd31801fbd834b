/** The real server process as `npm start` runs it (node --import tsx server/main.ts), for process-level tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  out(): string;
  err(): string;
  /** Resolves with the base URL once the server logs that it is listening. */
  listening(timeoutMs?: number): Promise<string>;
}

export function startServer(env: Record<string, string>, options: { uid?: number; gid?: number } = {}): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    out: () => stdout,
    err: () => stderr,
    async listening(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = stdout.split('\n').find((l) => l.includes('is listening'));
        if (line) return (JSON.parse(line) as { url: string }).url;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start (exit ${child.exitCode}):\n${stderr.slice(-2000)}\n${stdout.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
