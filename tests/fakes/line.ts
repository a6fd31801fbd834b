/**
 * A fake LINE Messaging API: reply and push endpoints in LINE's shapes. Reply tokens are issued by
 * the fake and work once (a second use answers 400 "Invalid reply token", as LINE does).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { FakeServer } from './base.js';

export interface LineSentMessage {
  via: 'reply' | 'push';
  to?: string;
  replyToken?: string;
  messages: { type: string; text: string; quickReply?: { items: { action: { type: string; label: string; data: string } }[] } }[];
}

export interface LineFake {
  server: FakeServer;
  url: string;
  /** A fresh reply token the fake will accept once. */
  issueReplyToken(): string;
  sent(): LineSentMessage[];
  fail429(times: number): void;
  fail500(times: number): void;
  /** Deliver the next `times` messages but answer 500, as when the response is lost. */
  acceptThenFail(times: number): void;
  /**
   * The webhook endpoint LINE would call, and the channel secret it signs with: the webhook test
   * (POST /v2/bot/channel/webhook/test) really sends a signed empty event list there and reports
   * the answer, as LINE does.
   */
  setWebhook(endpoint: string, channelSecret: string, active?: boolean): void;
  close(): Promise<void>;
}

export async function startLineFake(accessToken: string): Promise<LineFake> {
  const issued = new Set<string>();
  const delivered: LineSentMessage[] = [];
  // LINE remembers accepted retry keys: a repeat gets 409 and is not delivered again.
  const retryKeys = new Set<string>();
  let acceptThenFail = 0;
  let webhook: { endpoint: string; secret: string; active: boolean } | undefined;
  const server = new FakeServer(async (call) => {
    if (call.headers.authorization !== `Bearer ${accessToken}`) return { status: 401, body: { message: 'Authentication failed' } };
    if (call.path === '/v2/bot/channel/webhook/endpoint') {
      if (!webhook) return { status: 404, body: { message: 'Not found' } };
      return { body: { endpoint: webhook.endpoint, active: webhook.active } };
    }
    if (call.path === '/v2/bot/channel/webhook/test') {
      const requested = (call.body as { endpoint?: string } | undefined)?.endpoint;
      const endpoint = requested || webhook?.endpoint;
      if (!endpoint || !webhook) return { status: 400, body: { message: 'The webhook URL is not set' } };
      const payload = JSON.stringify({ destination: 'U0000000000000000000000000000000f', events: [] });
      const timestamp = new Date().toISOString();
      try {
        const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': lineSignature(payload, webhook.secret) }, body: payload, signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        const success = res.status >= 200 && res.status < 300;
        return { body: { success, timestamp, statusCode: res.status, reason: success ? 'OK' : 'ERROR_STATUS_CODE', detail: `${res.status} ${res.statusText}` } };
      } catch {
        return { body: { success: false, timestamp, statusCode: 0, reason: 'COULD_NOT_CONNECT', detail: 'Connection failed' } };
      }
    }
    const body = call.body as { replyToken?: string; to?: string; messages?: unknown[] };
    if (call.path === '/v2/bot/message/reply') {
      if (!body.replyToken || !issued.delete(body.replyToken)) return { status: 400, body: { message: 'Invalid reply token' } };
    } else if (call.path !== '/v2/bot/message/push') {
      return { status: 404, body: { message: 'Not found' } };
    }
    if (!Array.isArray(body.messages) || body.messages.length < 1 || body.messages.length > 5) return { status: 400, body: { message: 'The request body has 1 error(s)' } };
    const retryKey = call.headers['x-line-retry-key'];
    if (typeof retryKey === 'string') {
      if (retryKeys.has(retryKey)) return { status: 409, body: { message: 'The retry key is already accepted' } };
      retryKeys.add(retryKey);
    }
    delivered.push({
      via: call.path.endsWith('/reply') ? 'reply' : 'push',
      ...(body.to ? { to: body.to } : {}),
      ...(body.replyToken ? { replyToken: body.replyToken } : {}),
      messages: body.messages as LineSentMessage['messages'],
    });
    // Delivered, but the answer is lost (a 500 after the fact), so the sender will try again.
    if (acceptThenFail > 0) {
      acceptThenFail -= 1;
      return { status: 500, body: { message: 'Internal server error' } };
    }
    return { body: { sentMessages: body.messages.map(() => ({ id: randomUUID(), quoteToken: randomUUID() })) } };
  });
  await server.start();
  const messages = /^\/v2\/bot\/message\/(reply|push)$/;
  return {
    server,
    url: server.url,
    issueReplyToken() {
      const token = randomUUID().replace(/-/g, '');
      issued.add(token);
      return token;
    },
    sent: () => [...delivered],
    fail429(times) {
      server.failNext(messages, times, { status: 429, body: { message: 'The API rate limit has been exceeded. Try again later.' } });
    },
    acceptThenFail(times) {
      acceptThenFail += times;
    },
    setWebhook(endpoint, channelSecret, active = true) {
      webhook = { endpoint, secret: channelSecret, active };
    },
    fail500(times) {
      server.failNext(messages, times, { status: 500, body: { message: 'Internal server error' } });
    },
    close: () => server.close(),
  };
}

/** Signs a webhook body the way LINE does: base64(HMAC-SHA256(channel secret, body)). */
export function lineSignature(body: string, channelSecret: string): string {
  return createHmac('sha256', channelSecret).update(body).digest('base64');
}
