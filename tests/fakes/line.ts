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
  close(): Promise<void>;
}

export async function startLineFake(accessToken: string): Promise<LineFake> {
  const issued = new Set<string>();
  const delivered: LineSentMessage[] = [];
  // LINE remembers accepted retry keys: a repeat gets 409 and is not delivered again.
  const retryKeys = new Set<string>();
  let acceptThenFail = 0;
  const server = new FakeServer((call) => {
    if (call.headers.authorization !== `Bearer ${accessToken}`) return { status: 401, body: { message: 'Authentication failed' } };
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
