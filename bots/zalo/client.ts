/**
 * A small typed client for the Zalo Official Account Open API over fetch (there is no maintained
 * SDK): consultation ("cs") messages, and access-token refresh through the OAuth endpoint when the
 * token expires. Responses carry `error` (0 = success) and `message`.
 */
import { z } from 'zod';
import { DeliveryError } from '../../core/errors.js';

export interface ZaloButton {
  title: string;
  payload: string;
  type: 'oa.query.hide' | 'oa.query.show';
}

export interface ZaloCsMessage {
  text?: string;
  attachment?: { type: 'template'; payload: { template_type?: 'button'; buttons: ZaloButton[] } };
}

export interface ZaloClientOptions {
  apiBaseUrl: string;
  oauthBaseUrl: string;
  accessToken: string;
  appId?: string;
  appSecret?: string;
  refreshToken?: string;
  fetch?: typeof fetch;
  onTokenRefreshed?: (tokens: { accessToken: string; refreshToken: string }) => void;
}

/** Zalo error codes meaning the access token is invalid or expired (refresh and try again). */
export const TOKEN_ERRORS = new Set([-216, -124, -201]);
/** Zalo error codes meaning the user cannot be messaged now (outside the interaction window, not following, blocked). */
export const WINDOW_ERRORS = new Set([-213, -230, -232]);

export class ZaloApiError extends Error {
  constructor(
    readonly zaloCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ZaloApiError';
  }
}

const apiResponse = z.object({ error: z.number(), message: z.string().optional(), data: z.unknown().optional() }).loose();
const tokenResponse = z.object({ access_token: z.string().min(1), refresh_token: z.string().min(1), expires_in: z.union([z.string(), z.number()]).optional() }).loose();

export class ZaloClient {
  private accessToken: string;
  private refreshToken: string | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ZaloClientOptions) {
    this.accessToken = options.accessToken;
    this.refreshToken = options.refreshToken;
    this.fetch = options.fetch ?? fetch;
  }

  get canRefresh(): boolean {
    return Boolean(this.refreshToken && this.options.appId && this.options.appSecret);
  }

  /** Sends a consultation message; returns Zalo's message id. Refreshes the token once if it expired. */
  async sendCs(userId: string, message: ZaloCsMessage): Promise<string | undefined> {
    const body = { recipient: { user_id: userId }, message };
    try {
      return await this.postMessage(body);
    } catch (err) {
      if (err instanceof ZaloApiError && TOKEN_ERRORS.has(err.zaloCode) && this.canRefresh) {
        await this.refresh();
        return this.postMessage(body);
      }
      throw err;
    }
  }

  private async postMessage(body: unknown): Promise<string | undefined> {
    const token = this.accessToken;
    let res: Response;
    try {
      res = await this.fetch(new URL('/v3.0/oa/message/cs', this.options.apiBaseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', access_token: token },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      throw new DeliveryError('DELIVERY_RETRYABLE', 'zalo unreachable');
    }
    if (res.status === 429 || res.status >= 500) {
      const after = Number(res.headers.get('retry-after'));
      throw new DeliveryError('DELIVERY_RETRYABLE', `zalo http ${res.status}`, Number.isFinite(after) && after > 0 ? after * 1000 : undefined);
    }
    const parsed = apiResponse.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new DeliveryError('DELIVERY_RETRYABLE', `zalo http ${res.status}: unexpected response`);
    if (parsed.data.error !== 0) throw new ZaloApiError(parsed.data.error, `zalo error ${parsed.data.error}`);
    const data = parsed.data.data as { message_id?: unknown } | undefined;
    return typeof data?.message_id === 'string' ? data.message_id : undefined;
  }

  /** Exchanges the refresh token for a new access token (and a new refresh token: they are single-use). */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const res = await this.fetch(new URL('/v4/oa/access_token', this.options.oauthBaseUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: this.options.appSecret! },
          body: new URLSearchParams({ app_id: this.options.appId!, grant_type: 'refresh_token', refresh_token: this.refreshToken! }).toString(),
          signal: AbortSignal.timeout(15_000),
        });
        const parsed = tokenResponse.safeParse(await res.json().catch(() => null));
        if (!res.ok || !parsed.success) throw new DeliveryError('DELIVERY_RETRYABLE', `zalo token refresh failed (http ${res.status})`);
        this.accessToken = parsed.data.access_token;
        this.refreshToken = parsed.data.refresh_token;
        this.options.onTokenRefreshed?.({ accessToken: this.accessToken, refreshToken: this.refreshToken });
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}
