/**
 * A fake Telegram Bot API server: /bot<token>/<method>, answers in the Bot API's shapes, records
 * calls, serves long polling (getUpdates) from a queue, and fails the next N sends on demand.
 */
import type { Update } from 'grammy/types';
import { FakeServer, type RecordedCall } from './base.js';

export interface TelegramFake {
  server: FakeServer;
  url: string;
  token: string;
  /** Queues an update for getUpdates (update_id assigned when missing). */
  push(update: Omit<Update, 'update_id'> & { update_id?: number }): Update;
  /** sendMessage calls as { chat_id, text, reply_markup }. */
  sent(): { chat_id: number | string; text: string; reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] } }[];
  answeredCallbacks(): string[];
  fail429(times: number, retryAfter?: number): void;
  fail500(times: number): void;
  block(times: number): void;
  /** Holds every sendMessage unanswered until the returned function is called (a platform that hangs). */
  holdSends(): () => void;
  /** sendMessage calls being held right now. */
  held(): number;
  /** The webhook as Telegram keeps it (set by setWebhook, cleared by deleteWebhook), read by getWebhookInfo. */
  webhook(): { url: string; secretToken?: string };
  /** What getWebhookInfo reports about recent deliveries to the webhook (Telegram's own counters). */
  setWebhookState(state: { pendingUpdateCount?: number; lastErrorDate?: number; lastErrorMessage?: string }): void;
  close(): Promise<void>;
}

export async function startTelegramFake(token = '123456:TEST-token'): Promise<TelegramFake> {
  const queue: Update[] = [];
  let nextUpdateId = 1000;
  let nextMessageId = 1;
  const waiters = new Set<() => void>();
  const prefix = `/bot${token}/`;
  let hold: Promise<void> | undefined;
  let holding = 0;
  let webhook: { url: string; secretToken?: string } = { url: '' };
  let webhookState: { pendingUpdateCount?: number; lastErrorDate?: number; lastErrorMessage?: string } = {};

  const result = (value: unknown) => ({ body: { ok: true, result: value } });
  const server = new FakeServer(async (call: RecordedCall) => {
    if (!call.path.startsWith(prefix)) return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
    const method = call.path.slice(prefix.length);
    const params = (typeof call.body === 'object' && call.body ? call.body : {}) as Record<string, unknown>;
    switch (method) {
      case 'getMe':
        return result({ id: 42, is_bot: true, first_name: 'Hotline 111', username: 'hotline111_test_bot', can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'setWebhook':
        webhook = { url: String(params.url ?? ''), ...(typeof params.secret_token === 'string' ? { secretToken: params.secret_token } : {}) };
        webhookState = {};
        return result(true);
      case 'deleteWebhook':
        webhook = { url: '' };
        webhookState = {};
        return result(true);
      case 'getWebhookInfo':
        // As Telegram answers: url "" when no webhook is set (long polling), with its delivery counters otherwise.
        return result({
          url: webhook.url,
          has_custom_certificate: false,
          pending_update_count: webhook.url ? (webhookState.pendingUpdateCount ?? 0) : queue.length,
          ...(webhook.url ? { max_connections: 40, ip_address: '127.0.0.1' } : {}),
          ...(webhook.url && webhookState.lastErrorDate ? { last_error_date: webhookState.lastErrorDate, last_error_message: webhookState.lastErrorMessage ?? 'Connection refused' } : {}),
        });
      case 'answerCallbackQuery':
        return result(true);
      case 'getUpdates': {
        const offset = Number(params.offset ?? 0);
        // Confirmed updates are forgotten, as Telegram does.
        while (queue.length && queue[0]!.update_id < offset) queue.shift();
        const timeout = Math.min(Number(params.timeout ?? 0), 2);
        if (!queue.length && timeout > 0) {
          await new Promise<void>((resolve) => {
            const done = () => {
              waiters.delete(done);
              clearTimeout(timer);
              resolve();
            };
            const timer = setTimeout(done, timeout * 1000);
            waiters.add(done);
          });
        }
        return result(queue.filter((u) => u.update_id >= offset).slice(0, Number(params.limit ?? 100)));
      }
      case 'sendMessage':
        if (hold) {
          holding += 1;
          await hold;
          holding -= 1;
        }
        return result({ message_id: nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: Number(params.chat_id), type: 'private' }, text: params.text });
      default:
        return { status: 404, body: { ok: false, error_code: 404, description: `Not Found: method ${method}` } };
    }
  });
  await server.start();
  const send = /\/sendMessage$/;
  return {
    server,
    url: server.url,
    token,
    push(update) {
      const full = { ...update, update_id: update.update_id ?? nextUpdateId++ } as Update;
      queue.push(full);
      for (const wake of [...waiters]) wake();
      return full;
    },
    sent: () => server.accepted(send).map((c) => c.body as never),
    answeredCallbacks: () => server.callsTo(/\/answerCallbackQuery$/).map((c) => String((c.body as { callback_query_id: string }).callback_query_id)),
    fail429(times, retryAfter = 1) {
      server.failNext(send, times, { status: 429, body: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } } });
    },
    fail500(times) {
      server.failNext(send, times, { status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } });
    },
    block(times) {
      server.failNext(send, times, { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } });
    },
    holdSends() {
      let release!: () => void;
      hold = new Promise<void>((resolve) => (release = resolve));
      return () => {
        hold = undefined;
        release();
      };
    },
    held: () => holding,
    webhook: () => ({ ...webhook }),
    setWebhookState(state) {
      webhookState = { ...state };
    },
    close: () => server.close(),
  };
}

