/**
 * Webhook load through autocannon: Telegram updates from many users to one or more instances, at
 * saturation (closed loop, N connections) or at a fixed offered rate, with two latencies per message:
 *  - webhook: request sent → 200 (the turn committed);
 *  - reply: request sent → the fake Bot API received the bot's answer (end to end).
 * Users send 3 messages each ("xin chào", then two menu answers), interleaved so one user's messages
 * never run at the same time: a third of the turns are first contacts, as in a campaign.
 */
import autocannon from 'autocannon';
import type { TelegramFake } from '../../tests/fakes/telegram.js';
import { summary, waitFor } from './stats.js';

export const WEBHOOK_SECRET = 'bench-webhook-secret';
const SCRIPT = ['xin chào', '1', '3'];

export interface LoadResult {
  /** Webhook requests answered 200 per second over the run. */
  acceptedPerSecond: number;
  /** Messages whose reply reached the platform, per second, from the start to the last reply. */
  deliveredPerSecond: number;
  requests: number;
  errors: number;
  webhookMs: { p50: number; p95: number; p99: number; n: number };
  replyMs: { p50: number; p95: number; p99: number; n: number };
  /** Replies still missing when the wait ended. */
  undelivered: number;
  /** From the end of the load to the last reply. */
  drainSeconds: number;
}

interface Sent {
  chatId: number;
  at: number;
  /** Answered 200: the turn committed, so a reply is owed. */
  ok: boolean;
}

/** Builds Telegram updates for a range of users; remembers when each was sent. */
export class UpdateSource {
  private n = 0;
  readonly sent: Sent[] = [];

  constructor(private readonly firstChatId: number, private readonly window: number) {}

  /** The next update's body; `index` is its place in `sent`. */
  next(): { body: string; index: number } {
    const n = this.n++;
    const block = Math.floor(n / (SCRIPT.length * this.window));
    const inBlock = n % (SCRIPT.length * this.window);
    const chatId = this.firstChatId + block * this.window + (inBlock % this.window);
    const step = Math.floor(inBlock / this.window);
    this.sent.push({ chatId, at: performance.now(), ok: false });
    const body = JSON.stringify({
      update_id: this.firstChatId + n,
      message: { message_id: n + 1, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: 'B' }, text: SCRIPT[step] },
    });
    return { body, index: n };
  }
}

/** Runs webhook load against `urls` (connections split between them); waits for replies; measures. */
export async function webhookLoad(opts: {
  urls: string[];
  fake: TelegramFake;
  connections: number;
  seconds: number;
  /** Offered requests per second over all urls; omitted = as fast as answered (saturation). */
  rate?: number;
  firstChatId: number;
  /** sendMessage calls each script step produces (see calibrateReplies). */
  repliesPerStep: number[];
  drainTimeoutMs?: number;
}): Promise<LoadResult> {
  const source = new UpdateSource(opts.firstChatId, Math.max(64, opts.connections * 4));
  const webhookTimes: number[] = [];
  const start = performance.now();
  const perUrl = Math.max(1, Math.floor(opts.connections / opts.urls.length));
  const runs = opts.urls.map((url) => {
    const instance = autocannon({
      url,
      connections: perUrl,
      duration: opts.seconds,
      timeout: 60,
      ...(opts.rate ? { overallRate: Math.max(1, Math.round(opts.rate / opts.urls.length)) } : {}),
      requests: [
        {
          method: 'POST',
          path: '/webhooks/telegram',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
          setupRequest: (request, context) => {
            const { body, index } = source.next();
            context.index = index;
            return { ...request, body };
          },
          onResponse: (status, _body, context) => {
            if (status === 200) source.sent[context.index as number]!.ok = true;
          },
        },
      ],
    });
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status === 200) webhookTimes.push(ms);
    });
    return instance;
  });
  const results = await Promise.all(runs);
  const loadEnd = performance.now();
  const ok = results.reduce((n, r) => n + r['2xx'], 0);
  const errors = results.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0);

  // Replies: user u's k-th message is answered by its chat's sendMessage number sum(repliesPerStep[0..k-1]).
  // Owed replies are those of messages answered 200 (a request cut off when the run ended is not counted).
  const firstReplyIndex = SCRIPT.map((_, k) => opts.repliesPerStep.slice(0, k).reduce((a, b) => a + b, 0));
  const stepOf = new Map<number, number>();
  const numbered = source.sent.map((s) => {
    const k = stepOf.get(s.chatId) ?? 0;
    stepOf.set(s.chatId, k + 1);
    return { ...s, step: k };
  });
  const expected = numbered.filter((s) => s.ok);
  const steps = expected.map((s) => s.step);
  const replyOf = () => {
    const byChat = new Map<number, number[]>();
    for (const call of opts.fake.server.accepted(/\/sendMessage$/)) {
      const chatId = Number((call.body as { chat_id: number | string }).chat_id);
      if (chatId < opts.firstChatId) continue;
      const list = byChat.get(chatId) ?? [];
      list.push(call.at ?? Number.POSITIVE_INFINITY);
      byChat.set(chatId, list);
    }
    return expected.map((s, i) => byChat.get(s.chatId)?.[firstReplyIndex[steps[i]!]!]);
  };
  await waitFor(() => replyOf().every((at) => at !== undefined), opts.drainTimeoutMs ?? 60_000, 200);
  const replies = replyOf();
  const delivered = replies.filter((at): at is number => at !== undefined);
  const lastReply = delivered.length ? Math.max(...delivered) : loadEnd;
  return {
    acceptedPerSecond: ok / ((loadEnd - start) / 1000),
    deliveredPerSecond: delivered.length / ((lastReply - start) / 1000),
    requests: ok,
    errors,
    webhookMs: summary(webhookTimes),
    replyMs: summary(expected.flatMap((s, i) => (replies[i] !== undefined ? [replies[i]! - s.at] : []))),
    undelivered: replies.length - delivered.length,
    drainSeconds: Math.max(0, (lastReply - loadEnd) / 1000),
  };
}

/** Saturation of a bare JSON route (the HTTP stack's ceiling on this machine) at the same concurrency. */
export async function bareRouteLoad(url: string, connections: number, seconds: number): Promise<{ perSecond: number; p99: number }> {
  const source = new UpdateSource(1, 64);
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [{ method: 'POST', path: '/webhooks/telegram', headers: { 'content-type': 'application/json' }, setupRequest: (r) => ({ ...r, body: source.next().body }) }],
  });
  return { perSecond: result['2xx'] / result.duration, p99: result.latency.p99 };
}

/** Sends one user's script through `url` step by step and counts the replies each step produces. */
export async function calibrateReplies(url: string, fake: TelegramFake, chatId: number): Promise<number[]> {
  const count = () => fake.sent().filter((m) => Number(m.chat_id) === chatId).length;
  const counts: number[] = [];
  for (const [step, text] of SCRIPT.entries()) {
    const before = count();
    const res = await fetch(`${url}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
      body: JSON.stringify({ update_id: chatId * 10 + step, message: { message_id: step + 1, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: 'C' }, text } }),
    });
    if (res.status !== 200) throw new Error(`calibration: webhook answered ${res.status}`);
    await waitFor(() => count() > before, 20_000);
    // Settled: no new reply for 500 ms.
    let seen = count();
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      if (count() === seen) break;
      seen = count();
    }
    counts.push(seen - before);
  }
  return counts;
}
