/**
 * `npm start` with TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT pointing at the fake Bot API: the real
 * process long-polls the fake's getUpdates queue and runs a whole conversation, then shuts down cleanly.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startTelegramFake, type TelegramFake } from '../fakes/telegram.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
// The same command as `npm start`: one node process, so SIGTERM reaches our handler directly.
const START = [process.execPath, ['--import', 'tsx', 'server/main.ts']] as const;
let fake: TelegramFake | undefined;
let dataDir: string | undefined;
afterAll(async () => {
  await fake?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('runs a whole conversation over long polling in the real process', async () => {
  fake = await startTelegramFake();
  dataDir = await mkdtemp(path.join(tmpdir(), 'hotline-telegram-'));
  const child = spawn(START[0], [...START[1]], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await expect.poll(() => /long polling started/.test(out), { timeout: 60_000, interval: 200 }).toBe(true);
    const { url } = JSON.parse(out.split('\n').find((l) => l.includes('is listening'))!) as { url: string };
    expect(((await (await fetch(`${url}/healthz`)).json()) as { channels: Record<string, boolean> }).channels).toMatchObject({ telegram: true, line: false, zalo: false });

    const from = { id: 777, is_bot: false, first_name: 'A', language_code: 'vi' };
    const chat = { id: 777, type: 'private' as const, first_name: 'A' };
    const lastSent = () => fake!.sent().at(-1);
    const buttonsOfLast = () => lastSent()?.reply_markup?.inline_keyboard.flat().map((b) => b.callback_data) ?? [];
    const press = (data: string) => fake!.push({ callback_query: { id: `cb-${data}`, from, chat_instance: 'ci', data, message: { message_id: 1, date: 0, chat, text: 'x' } } } as never);

    fake.push({ message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat, from, text: '/start' } } as never);
    await expect.poll(buttonsOfLast, { timeout: 30_000, interval: 100 }).toContain('lang.vi');
    press('lang.vi');
    await expect.poll(buttonsOfLast, { timeout: 30_000, interval: 100 }).toContain('counsellor');
    press('counsellor');
    // The place in the queue, then the waiting room's buttons.
    await expect.poll(buttonsOfLast, { timeout: 30_000, interval: 100 }).toContain('wait.cancel');
    expect(fake.sent().map((m) => m.text).join('\n')).toMatch(/hàng chờ/);
    expect(fake.answeredCallbacks()).toEqual(expect.arrayContaining(['cb-lang.vi', 'cb-counsellor']));
    expect(fake.sent().every((m) => Number(m.chat_id) === 777)).toBe(true);
    expect(fake.sent()).toHaveLength(4);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(out).toContain('shut down cleanly');
  // Polling confirmed every update it handled (the last getUpdates offset is past them all).
  const offsets = fake.server.callsTo(/\/getUpdates$/).map((c) => Number((c.body as { offset?: number }).offset ?? 0));
  expect(Math.max(...offsets)).toBeGreaterThan(1002);
}, 120_000);
