/**
 * Zalo Official Account: POST /webhooks/zalo with the X-ZEvent-Signature checked (401 and nothing
 * stored otherwise); replies as consultation messages through a small fetch client. ZALO_API_BASE_URL
 * and ZALO_OAUTH_BASE_URL point it at any server (tests: a fake).
 */
import type { ChannelModule } from '../../core/channels.js';
import { routeLimits } from '../../core/http/limits.js';
import { badInput, parseJson, registerRawWebhook, tooOld, unauthorized } from '../shared/webhook.js';
import { ZaloClient } from './client.js';
import { zaloPort } from './port.js';
import { translateEvent, verifyZaloSignature, ZALO, zaloEvent } from './translate.js';

export const ZALO_WEBHOOK_PATH = '/webhooks/zalo';

export const zaloModule: ChannelModule = {
  name: ZALO,
  enabled: (config) => Boolean(config.ZALO_OA_SECRET_KEY && config.ZALO_APP_ID && config.ZALO_ACCESS_TOKEN),
  async start(ctx) {
    const { config, logger } = ctx;
    const appId = config.ZALO_APP_ID!;
    const secretKey = config.ZALO_OA_SECRET_KEY!;
    const client = new ZaloClient({
      apiBaseUrl: config.ZALO_API_BASE_URL,
      oauthBaseUrl: config.ZALO_OAUTH_BASE_URL,
      accessToken: config.ZALO_ACCESS_TOKEN!,
      appId,
      ...(config.ZALO_APP_SECRET ? { appSecret: config.ZALO_APP_SECRET } : {}),
      ...(config.ZALO_REFRESH_TOKEN ? { refreshToken: config.ZALO_REFRESH_TOKEN } : {}),
      onTokenRefreshed: () => logger.info('zalo access token refreshed (update ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN before the next restart)'),
    });
    if (!client.canRefresh) logger.warn('zalo: ZALO_REFRESH_TOKEN and ZALO_APP_SECRET are not both set; the access token cannot be refreshed');

    await registerRawWebhook(ctx.server, ZALO_WEBHOOK_PATH, routeLimits(ctx.config).webhook, async (request, reply, raw) => {
      const body = parseJson(raw);
      const timestamp = (body as { timestamp?: unknown } | null)?.timestamp;
      if (typeof timestamp !== 'string' && typeof timestamp !== 'number') throw badInput('not a Zalo event');
      const header = request.headers['x-zevent-signature'];
      if (!verifyZaloSignature(typeof header === 'string' ? header : undefined, appId, raw, String(timestamp), secretKey)) throw unauthorized();
      const parsed = zaloEvent.safeParse(body);
      if (!parsed.success) throw badInput('not a Zalo event');
      const sentAt = Number(parsed.data.timestamp);
      if (tooOld(sentAt, config.WEBHOOK_EVENT_MAX_AGE_SECONDS)) {
        logger.warn({ code: 'EVENT_TOO_OLD', ageSeconds: Math.round((Date.now() - sentAt) / 1000) }, 'zalo: old event acknowledged, not processed');
        return reply.status(200).send({ ok: true });
      }
      const inbound = translateEvent(parsed.data, raw);
      if (inbound) await ctx.runtime.handleTurn(inbound);
      return reply.status(200).send({ ok: true });
    });

    return { port: zaloPort({ client, db: ctx.db, bus: ctx.bus, logger }) };
  },
};
