/**
 * Real app processes as `npm start` runs them (node --import tsx server/main.ts), for the
 * two-instance tests and the benchmarks: a fresh database on a PostgreSQL server, processes started
 * and stopped (gracefully or with SIGKILL), their base URL read from the "is listening" log line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  out(): string;
  /** Resident memory of the process now, in MB (Linux /proc). */
  rssMb(): number;
  /** SIGTERM and wait (graceful); SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

/** Starts one app process and resolves once it listens. */
export async function startInstance(name: string, env: Record<string, string>, opts: { timeoutMs?: number; nodeArgs?: string[]; script?: string } = {}): Promise<Instance> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', opts.script ?? 'server/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in time:\n${out.slice(-3000)}`)), opts.timeoutMs ?? 90_000);
    const check = () => {
      const line = out.split('\n').find((l) => l.includes('is listening'));
      if (line) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening:\n${out.slice(-3000)}`));
    });
  });
  const instance: Instance = {
    name,
    url,
    child,
    exited,
    out: () => out,
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    rssMb() {
      return rssMbOf(child.pid);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  return instance;
}

/** A new, empty database on the server at `serverUrl`; `drop()` removes it (and its connections). */
export async function createScratchDatabase(serverUrl: string, prefix = 'hotline_scale'): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** VmRSS of a process in MB, from /proc (NaN where there is no /proc). */
export function rssMbOf(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}
