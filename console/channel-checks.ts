/**
 * "Check" for the channel health view: ask the platform itself whether its webhook reaches us.
 * Telegram: getWebhookInfo (through grammY), read against the mode this server runs in. LINE: the
 * webhook endpoint test (LINE sends a signed empty event list to our webhook and reports the
 * answer), with the endpoint LINE has on file. Answers carry stable codes; no token is ever shown.
 */
import { Api, GrammyError, HttpError } from 'grammy';
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import type { Config } from '../core/config.js';

export const CHECKABLE = ['telegram', 'line'] as const;
export type CheckableChannel = (typeof CHECKABLE)[number];

export interface ChannelCheck {
  channel: CheckableChannel;
  /** ok; or what is wrong, as a stable code the console puts in words. */
  verdict: 'ok' | 'not_configured' | 'webhook_missing' | 'webhook_elsewhere' | 'webhook_errors' | 'webhook_set_while_polling' | 'webhook_failed' | 'webhook_inactive' | 'unauthorized' | 'unreachable' | 'platform_error';
  checkedAt: Date;
  /** What the platform said, in its own terms (URLs, counts, its error text), for the admin. */
  telegram?: { mode: 'polling' | 'webhook'; url: string | null; expectedUrl: string | null; pendingUpdates: number; lastErrorAt: Date | null; lastErrorMessage: string | null };
  line?: { endpoint: string | null; active: boolean | null; success: boolean | null; statusCode: number | null; reason: string | null; detail: string | null };
  /** The HTTP status of a refused request, when the platform refused it. */
  status?: number;
}

const TIMEOUT_MS = 10_000;
/** A webhook error older than this is history, not a present problem. */
const RECENT_ERROR_MS = 15 * 60_000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS)))]).finally(() => clearTimeout(timer));
}

function failed(channel: CheckableChannel, err: unknown, now: Date): ChannelCheck {
  const status = err instanceof GrammyError ? err.error_code : err instanceof HTTPFetchError ? err.status : undefined;
  const verdict = status === 401 || status === 403 || status === 404 ? 'unauthorized' : status ? 'platform_error' : err instanceof HttpError || (err instanceof Error && /timeout|fetch failed|ECONNREFUSED|ENOTFOUND/i.test(err.message + String((err as { cause?: unknown }).cause ?? ''))) ? 'unreachable' : 'platform_error';
  return { channel, verdict, checkedAt: now, ...(status ? { status } : {}) };
}

export async function checkTelegram(config: Pick<Config, 'TELEGRAM_BOT_TOKEN' | 'TELEGRAM_API_ROOT' | 'TELEGRAM_MODE' | 'PUBLIC_URL'>, now = new Date()): Promise<ChannelCheck> {
  if (!config.TELEGRAM_BOT_TOKEN) return { channel: 'telegram', verdict: 'not_configured', checkedAt: now };
  const mode = config.TELEGRAM_MODE ?? 'polling';
  const expectedUrl = mode === 'webhook' && config.PUBLIC_URL ? new URL('/webhooks/telegram', config.PUBLIC_URL).toString() : null;
  try {
    const api = new Api(config.TELEGRAM_BOT_TOKEN, { apiRoot: config.TELEGRAM_API_ROOT, timeoutSeconds: TIMEOUT_MS / 1000 });
    const info = await withTimeout(api.getWebhookInfo());
    const lastErrorAt = info.last_error_date ? new Date(info.last_error_date * 1000) : null;
    const url = info.url || null;
    let verdict: ChannelCheck['verdict'] = 'ok';
    if (mode === 'polling' && url) verdict = 'webhook_set_while_polling';
    else if (mode === 'webhook' && !url) verdict = 'webhook_missing';
    else if (mode === 'webhook' && expectedUrl && url !== expectedUrl) verdict = 'webhook_elsewhere';
    else if (mode === 'webhook' && lastErrorAt && now.getTime() - lastErrorAt.getTime() < RECENT_ERROR_MS) verdict = 'webhook_errors';
    return {
      channel: 'telegram',
      verdict,
      checkedAt: now,
      telegram: { mode, url, expectedUrl, pendingUpdates: info.pending_update_count, lastErrorAt, lastErrorMessage: info.last_error_message ?? null },
    };
  } catch (err) {
    return failed('telegram', err, now);
  }
}

export async function checkLine(config: Pick<Config, 'LINE_CHANNEL_ACCESS_TOKEN' | 'LINE_API_BASE_URL'>, now = new Date()): Promise<ChannelCheck> {
  if (!config.LINE_CHANNEL_ACCESS_TOKEN) return { channel: 'line', verdict: 'not_configured', checkedAt: now };
  const client = new messagingApi.MessagingApiClient({ channelAccessToken: config.LINE_CHANNEL_ACCESS_TOKEN, baseURL: config.LINE_API_BASE_URL });
  try {
    const endpoint = await withTimeout(client.getWebhookEndpoint()).catch((err: unknown) => {
      // No endpoint on file is an answer, not a failure.
      if (err instanceof HTTPFetchError && err.status === 404) return null;
      throw err;
    });
    if (!endpoint?.endpoint) return { channel: 'line', verdict: 'webhook_missing', checkedAt: now, line: { endpoint: null, active: null, success: null, statusCode: null, reason: null, detail: null } };
    const test = await withTimeout(client.testWebhookEndpoint({}));
    const verdict: ChannelCheck['verdict'] = !test.success ? 'webhook_failed' : endpoint.active === false ? 'webhook_inactive' : 'ok';
    return {
      channel: 'line',
      verdict,
      checkedAt: now,
      line: { endpoint: endpoint.endpoint, active: endpoint.active, success: test.success ?? null, statusCode: test.statusCode ?? null, reason: test.reason ?? null, detail: test.detail ?? null },
    };
  } catch (err) {
    return failed('line', err, now);
  }
}

export function checkChannel(channel: CheckableChannel, config: Config): Promise<ChannelCheck> {
  return channel === 'telegram' ? checkTelegram(config) : checkLine(config);
}
