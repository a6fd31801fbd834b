/**
 * A fake Zalo OA Open API: consultation messages (/v3.0/oa/message/cs) and the OAuth token refresh
 * (/v4/oa/access_token), answering `{ error, message, data }` like Zalo. The access token can be
 * expired on demand to exercise the refresh.
 */
import { createHash, randomUUID } from 'node:crypto';
import { FakeServer } from './base.js';

export interface ZaloSent {
  recipient: { user_id: string };
  message: { text?: string; attachment?: { type: string; payload: { buttons: { type: string; title: string; payload: string }[] } } };
}

export interface ZaloFake {
  server: FakeServer;
  url: string;
  accessToken(): string;
  /** The current token stops working (error -216), as when it expires. */
  expireToken(): void;
  refreshes(): number;
  sent(): ZaloSent[];
  fail429(times: number): void;
  fail500(times: number): void;
  /** The next sends answer a Zalo API error code (e.g. the interaction window closed). */
  failWithCode(times: number, code: number): void;
  close(): Promise<void>;
}

export async function startZaloFake(options: { accessToken: string; refreshToken: string; appId: string; appSecret: string }): Promise<ZaloFake> {
  let token = options.accessToken;
  let refreshToken = options.refreshToken;
  let refreshes = 0;
  const delivered: ZaloSent[] = [];
  const server = new FakeServer((call) => {
    if (call.path === '/v4/oa/access_token') {
      const form = call.body as Record<string, string>;
      if (call.headers.secret_key !== options.appSecret || form.app_id !== options.appId || form.grant_type !== 'refresh_token' || form.refresh_token !== refreshToken) {
        return { status: 400, body: { error: -14014, error_name: 'Invalid refresh token' } };
      }
      refreshes += 1;
      token = `access-${randomUUID()}`;
      refreshToken = `refresh-${randomUUID()}`;
      return { body: { access_token: token, refresh_token: refreshToken, expires_in: '90000' } };
    }
    if (call.path === '/v3.0/oa/message/cs') {
      if (call.headers.access_token !== token) return { body: { error: -216, message: 'Access token is invalid' } };
      const body = call.body as ZaloSent;
      if (!body?.recipient?.user_id || !body.message) return { body: { error: -201, message: 'Parameters are invalid' } };
      delivered.push(body);
      return { body: { error: 0, message: 'Success', data: { message_id: randomUUID().replace(/-/g, ''), user_id: body.recipient.user_id } } };
    }
    return { status: 404, body: { error: 404, message: 'Not found' } };
  });
  await server.start();
  const cs = /^\/v3\.0\/oa\/message\/cs$/;
  return {
    server,
    url: server.url,
    accessToken: () => token,
    expireToken() {
      token = `access-${randomUUID()}`;
    },
    refreshes: () => refreshes,
    sent: () => [...delivered],
    fail429(times) {
      server.failNext(cs, times, { status: 429, body: { error: -32, message: 'Request limit exceeded' } });
    },
    fail500(times) {
      server.failNext(cs, times, { status: 500, body: { error: -1, message: 'Internal error' } });
    },
    failWithCode(times, code) {
      server.failNext(cs, times, { status: 200, body: { error: code, message: 'User has not interacted with the OA recently' } });
    },
    close: () => server.close(),
  };
}

/**
 * The X-ZEvent-Signature a Zalo OA webhook carries, written here from Zalo's documented formula and
 * not with the app's own function: "mac=" + hex SHA-256 of (app id + raw body + the event's own
 * `timestamp` field + OA secret key).
 */
export function zaloEventSignature(appId: string, rawBody: string, timestamp: string, oaSecretKey: string): string {
  return `mac=${createHash('sha256').update(appId + rawBody + timestamp + oaSecretKey, 'utf8').digest('hex')}`;
}
