/** server/shutdown.ts: the deadline and a second signal end a shutdown that does not finish. */
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from '../../core/logging.js';
import { exitOnSignals } from '../../server/shutdown.js';

function harness(close: () => Promise<void>, graceMs = 60_000) {
  const exits: number[] = [];
  const calls: string[] = [];
  const lines: string[] = [];
  const logger = createLogger('info', new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
  const output = {
    close: async (ms: number) => void calls.push(`close ${ms}`),
    abandon: () => void calls.push('abandon'),
  };
  const { stop } = exitOnSignals({ close, logger, output, graceMs, logFlushMs: 5, exit: (code) => void exits.push(code), signals: [] });
  return { stop, exits, calls, lines };
}

const never = () => new Promise<void>(() => {});

it('exits 0 after a clean close, giving the last log lines a bounded wait', async () => {
  const h = harness(async () => {});
  h.stop('SIGTERM');
  await expect.poll(() => h.exits, { timeout: 30_000 }).toEqual([0]);
  expect(h.calls).toEqual(['close 5']);
  expect(h.lines.join('')).toContain('shut down cleanly');
});

it('a second signal exits at once while the first is still draining', async () => {
  const h = harness(never);
  h.stop('SIGTERM');
  await new Promise((resolve) => setImmediate(resolve));
  expect(h.exits).toEqual([]);
  h.stop('SIGTERM');
  expect(h.exits).toEqual([143]);
  expect(h.calls).toEqual(['abandon']);
  h.stop('SIGINT'); // later signals change nothing
  expect(h.exits).toEqual([143]);
});

it('the deadline exits 1 when draining never ends', async () => {
  const h = harness(never, 30);
  h.stop('SIGINT');
  await expect.poll(() => h.exits, { timeout: 30_000 }).toEqual([1]);
  expect(h.calls).toEqual(['abandon']);
  expect(h.lines.join('')).toContain('shutdown took too long');
});

it('an error while closing still exits, with code 1', async () => {
  const h = harness(() => Promise.reject(new Error('database gone')));
  h.stop('SIGTERM');
  await expect.poll(() => h.exits, { timeout: 30_000 }).toEqual([1]);
  expect(h.lines.join('')).toContain('error during shutdown');
});
