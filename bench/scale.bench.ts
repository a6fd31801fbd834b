/**
 * End to end through the Telegram webhook (real app processes, a fake Bot API) on PGlite, and on
 * PostgreSQL with 1 and 2 instances: throughput at saturation, latency (webhook 200 and reply at the
 * platform) at fixed offered loads of 25% and 50% of saturation; escalation latency to a console
 * WebSocket on the same and on the other instance; resident memory with 10,000 conversations.
 * Baselines in the same run: a bare Fastify JSON route, and single-row INSERT commits (through `pg`
 * at the same concurrency on PostgreSQL; sequential on PGlite, which has one connection).
 * PostgreSQL parts run when BENCH_DATABASE_URL is set or a local server answers (see support/databases.ts);
 * each run creates and drops its own database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import WebSocket from 'ws';
import type { BenchResult } from './run.js';
import { benchPostgresUrl } from './support/databases.js';
import { bareRouteLoad, calibrateReplies, webhookLoad, WEBHOOK_SECRET, type LoadResult } from './support/load.js';
import { seedConversations } from './support/seed.js';
import { round, summary, waitFor } from './support/stats.js';
import { startTelegramFake, type TelegramFake } from '../tests/fakes/telegram.js';
import { createScratchDatabase, startInstance, type Instance } from '../tests/helpers/instances.js';
import { ConsoleClient } from '../tests/console/session.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SATURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const FIXED_SECONDS = Number(process.env.BENCH_FIXED_SECONDS ?? 5);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 10_000);
const ESCALATIONS = Number(process.env.BENCH_ESCALATIONS ?? 20);
/** BENCH_CPU_PROF=dir: each app process writes V8 CPU profiles under dir/<instance> (node --cpu-prof); see support/profile-summary.ts. */
const CPU_PROF = process.env.BENCH_CPU_PROF;
const APP_SECRET = 'bench-app-secret-shared-by-instances-0123456789';
const ADMIN = { email: 'bench@hotline.test', password: 'bench-console-password' };

let nextChatId = 1_000_000;
const chatIds = (n: number) => {
  const first = nextChatId;
  nextChatId += n;
  return first;
};

function env(fake: TelegramFake, database: Record<string, string>): Record<string, string> {
  return {
    ...database,
    APP_SECRET,
    LOG_LEVEL: 'info', // the default: request logs are part of the cost
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.url,
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    CONSOLE_ADMIN_EMAIL: ADMIN.email,
    CONSOLE_ADMIN_PASSWORD: ADMIN.password,
    WEBCHAT_ENABLED: 'false',
  };
}

const start = (name: string, vars: Record<string, string>) =>
  startInstance(name, vars, CPU_PROF ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${path.join(CPU_PROF, name)}`] } : {});

function loadExtra(r: LoadResult): Record<string, number> {
  return {
    acceptedPerSecond: round(r.acceptedPerSecond),
    requests: r.requests,
    errors: r.errors,
    webhookP50ms: r.webhookMs.p50,
    webhookP95ms: r.webhookMs.p95,
    webhookP99ms: r.webhookMs.p99,
    replyP50ms: r.replyMs.p50,
    replyP95ms: r.replyMs.p95,
    replyP99ms: r.replyMs.p99,
    undelivered: r.undelivered,
    drainSeconds: round(r.drainSeconds),
  };
}

/** Saturation, then 25% and 50% of it, against `urls`. */
async function throughput(label: string, urls: string[], fake: TelegramFake, repliesPerStep: number[], baseline: { name: string; value: number }): Promise<{ results: BenchResult[]; saturation: LoadResult }> {
  const results: BenchResult[] = [];
  const saturation = await webhookLoad({ urls, fake, connections: CONNECTIONS, seconds: SATURATION_SECONDS, firstChatId: chatIds(100_000), repliesPerStep });
  results.push({
    name: `webhook e2e, ${label}, saturation`,
    unit: 'msg/s',
    value: saturation.deliveredPerSecond,
    baseline,
    ratio: saturation.deliveredPerSecond / baseline.value,
    notes: `${CONNECTIONS} connections, ${SATURATION_SECONDS} s; value = messages whose reply reached the fake Bot API per second`,
    extra: loadExtra(saturation),
  });
  for (const share of [0.25, 0.5]) {
    const rate = Math.max(1, saturation.deliveredPerSecond * share);
    const fixed = await webhookLoad({ urls, fake, connections: CONNECTIONS, seconds: FIXED_SECONDS, rate, firstChatId: chatIds(100_000), repliesPerStep });
    results.push({
      name: `webhook e2e, ${label}, ${share * 100}% of saturation: reply p99`,
      unit: 'ms',
      value: fixed.replyMs.p99,
      baseline: { name: 'reply p50 at the same load', value: fixed.replyMs.p50 },
      ratio: fixed.replyMs.p99 / fixed.replyMs.p50,
      notes: `offered ${round(rate)} msg/s for ${FIXED_SECONDS} s${share === 0.5 ? ' (target p99 ≤ 250 ms)' : ''}`,
      extra: { offeredPerSecond: round(rate), deliveredPerSecond: round(fixed.deliveredPerSecond), ...loadExtra(fixed) },
    });
  }
  return { results, saturation };
}

/** Single-row INSERT commits through `pg`, `connections` at a time, for `seconds`. */
async function insertCommits(url: string, connections: number, seconds: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: connections });
  try {
    await pool.query('CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL DEFAULT now())');
    let n = 0;
    const end = performance.now() + seconds * 1000;
    const begin = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < end) {
          await pool.query('INSERT INTO bench_insert (body) VALUES ($1)', ['xin chào']);
          n += 1;
        }
      }),
    );
    return n / ((performance.now() - begin) / 1000);
  } finally {
    await pool.end();
  }
}

/** Single-row INSERTs into an in-memory PGlite, one at a time (PGlite serves one connection). */
async function pgliteInserts(seconds: number): Promise<number> {
  const db = new PGlite();
  try {
    await db.exec('CREATE TABLE bench_insert (id bigserial PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL DEFAULT now())');
    let n = 0;
    const begin = performance.now();
    const end = begin + seconds * 1000;
    while (performance.now() < end) {
      await db.query('INSERT INTO bench_insert (body) VALUES ($1)', ['xin chào']);
      n += 1;
    }
    return n / ((performance.now() - begin) / 1000);
  } finally {
    await db.close();
  }
}

/** A signed-in console WebSocket on `instance`, collecting handoff.created arrival times. */
async function consoleSocket(instance: Instance): Promise<{ created: number[]; close(): void }> {
  const client = new ConsoleClient(instance.url);
  const res = await client.login(ADMIN.email, ADMIN.password);
  if (res.status !== 200) throw new Error(`console login on ${instance.name}: ${res.status}`);
  const ws = new WebSocket(`${instance.url.replace('http', 'ws')}/console/ws`, { headers: { cookie: client.cookie } });
  const created: number[] = [];
  let hello = false;
  ws.on('message', (data) => {
    const event = JSON.parse(String(data)) as { type: string };
    if (event.type === 'hello') hello = true;
    if (event.type === 'handoff.created') created.push(performance.now());
  });
  await waitFor(() => hello, 20_000);
  return { created, close: () => ws.close() };
}

/** Emergencies into `target` one at a time: time to handoff.created on each console socket. */
async function escalations(target: Instance, sockets: Record<string, Awaited<ReturnType<typeof consoleSocket>>>, count: number) {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(sockets).map((k) => [k, []]));
  const webhook: number[] = [];
  const first = chatIds(count);
  for (let i = 0; i < count; i++) {
    const before = Object.fromEntries(Object.entries(sockets).map(([k, s]) => [k, s.created.length]));
    const sent = performance.now();
    const res = await fetch(`${target.url}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
      body: JSON.stringify({ update_id: first + i, message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: first + i, type: 'private' }, from: { id: first + i, is_bot: false, first_name: 'E' }, text: 'cứu em với, em đang bị nhốt' } }),
    });
    webhook.push(performance.now() - sent);
    if (res.status !== 200) throw new Error(`escalation webhook: ${res.status}`);
    await waitFor(() => Object.entries(sockets).every(([k, s]) => s.created.length > before[k]!), 20_000, 5);
    for (const [k, s] of Object.entries(sockets)) if (s.created.length > before[k]!) times[k]!.push(s.created[before[k]!]! - sent);
  }
  return { times, webhook };
}

export default async function bench(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const fake = await startTelegramFake();
  const pgUrl = await benchPostgresUrl();
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    // Baseline: the bare HTTP stack at the same concurrency.
    const bare = await startInstance('bare', {}, { script: 'bench/support/bare-server.ts' });
    const bareRoute = await bareRouteLoad(bare.url, CONNECTIONS, 4).finally(() => bare.stop());
    results.push({ name: 'bare Fastify JSON route (baseline)', unit: 'req/s', value: bareRoute.perSecond, baseline: { name: 'itself', value: bareRoute.perSecond }, ratio: 1, notes: `${CONNECTIONS} connections, 4 s`, extra: { p99ms: bareRoute.p99 } });

    // --- PGlite: one instance on a file database holding 10,000 conversations.
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hotline-bench-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    await seedConversations({ kind: 'pglite', dataDir }, CONVERSATIONS, APP_SECRET);
    const lite = await start('pglite', env(fake, { DATA_DIR: dataDir }));
    cleanup.push(() => lite.stop());
    const liteFresh = lite.rssMb();
    const liteCalibration = await calibrateReplies(lite.url, fake, chatIds(1));
    const liteInserts = await pgliteInserts(3);
    const lt = await throughput('PGlite, 1 instance', [lite.url], fake, liteCalibration, { name: 'PGlite single-row INSERT, sequential', value: liteInserts });
    results.push(...lt.results);
    const liteRss = lite.rssMb();
    results.push({
      name: 'RSS, PGlite, 10,000 conversations',
      unit: 'MB',
      value: liteRss,
      baseline: { name: 'same process before load', value: liteFresh },
      ratio: liteRss / liteFresh,
      notes: `${CONVERSATIONS} conversations in the database + every turn of the load above in this process (target ≤ 300 MB)`,
    });
    await lite.stop();

    if (!pgUrl) {
      results.push({ name: 'PostgreSQL parts skipped', unit: '', value: 0, baseline: { name: 'none', value: 1 }, ratio: 0, notes: 'set BENCH_DATABASE_URL or run PostgreSQL on 127.0.0.1:5432' });
      return results;
    }

    // --- PostgreSQL: a fresh database holding 10,000 conversations; one instance, then two.
    const scratch = await createScratchDatabase(pgUrl, 'hotline_bench');
    cleanup.push(() => scratch.drop());
    await seedConversations({ kind: 'postgres', url: scratch.url }, CONVERSATIONS, APP_SECRET);
    const a = await start('pg-A', env(fake, { DATABASE_URL: scratch.url }));
    cleanup.push(() => a.stop());
    const aFresh = a.rssMb();
    const calibration = await calibrateReplies(a.url, fake, chatIds(1));
    const inserts = await insertCommits(scratch.url, CONNECTIONS, 4);
    const one = await throughput('PostgreSQL, 1 instance', [a.url], fake, calibration, { name: `pg single-row INSERT commits, ${CONNECTIONS} at a time`, value: inserts });
    results.push(...one.results);
    results[results.length - 3]!.notes += ' (target ratio ≥ 0.10, aim 0.25)';

    const b = await start('pg-B', env(fake, { DATABASE_URL: scratch.url }));
    cleanup.push(() => b.stop());
    const two = await webhookLoad({ urls: [a.url, b.url], fake, connections: CONNECTIONS, seconds: SATURATION_SECONDS, firstChatId: chatIds(100_000), repliesPerStep: calibration });
    results.push({
      name: 'webhook e2e, PostgreSQL, 2 instances, saturation',
      unit: 'msg/s',
      value: two.deliveredPerSecond,
      baseline: { name: '1 instance, same run', value: one.saturation.deliveredPerSecond },
      ratio: two.deliveredPerSecond / one.saturation.deliveredPerSecond,
      notes: `${CONNECTIONS} connections split between A and B (target ratio ≥ 1.0); both processes share this machine's 2 cores`,
      extra: { ...loadExtra(two), insertCommitsPerSecond: round(inserts), ratioToInserts: round(two.deliveredPerSecond / inserts, 3) },
    });

    // Escalation: emergencies into A; consoles on A (same instance) and B (cross instance).
    const sockets = { same: await consoleSocket(a), cross: await consoleSocket(b) };
    const esc = await escalations(a, sockets, ESCALATIONS);
    Object.values(sockets).forEach((s) => s.close());
    const same = summary(esc.times.same!);
    const cross = summary(esc.times.cross!);
    const hook = summary(esc.webhook);
    results.push({
      name: 'escalation → console event, same instance, p99',
      unit: 'ms',
      value: same.p99,
      baseline: { name: 'webhook 200 of the same emergencies, p99', value: hook.p99 },
      ratio: same.p99 / hook.p99,
      notes: `${ESCALATIONS} emergencies in, one at a time, on an idle pair`,
      extra: { p50: same.p50, p95: same.p95, p99: same.p99, n: same.n, webhookP50: hook.p50 },
    });
    results.push({
      name: 'escalation → console event, cross instance (LISTEN/NOTIFY), p99',
      unit: 'ms',
      value: cross.p99,
      baseline: { name: 'same instance p99', value: same.p99 },
      ratio: cross.p99 / same.p99,
      notes: 'target p99 ≤ 250 ms',
      extra: { p50: cross.p50, p95: cross.p95, p99: cross.p99, n: cross.n },
    });

    const aRss = a.rssMb();
    results.push({
      name: 'RSS, PostgreSQL, 10,000 conversations',
      unit: 'MB',
      value: aRss,
      baseline: { name: 'same process before load', value: aFresh },
      ratio: aRss / aFresh,
      notes: `${CONVERSATIONS} conversations in the database + every turn above in this process (target ≤ 300 MB)`,
      extra: { instanceB: round(b.rssMb()) },
    });
    return results;
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => {});
    await fake.close();
  }
}
