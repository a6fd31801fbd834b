/**
 * LINE through @line/bot-sdk: POST /webhooks/line, x-line-signature validated on the raw body
 * (401 and nothing stored otherwise). LINE_API_BASE_URL points the client at any API (tests: a fake).
 */
import { messagingApi, validateSignature } from '@line/bot-sdk';
import type { ChannelModule } from '../../core/channels.js';
import { routeLimits } from '../../core/http/limits.js';
import { badInput, parseJson, registerRawWebhook, tooOld, unauthorized } from '../shared/webhook.js';
import { linePort } from './port.js';
import { LINE, lineWebhookBody, translateEvent } from './translate.js';

export const LINE_WEBHOOK_PATH = '/webhooks/line';

export const lineModule: ChannelModule = {
  name: LINE,
  enabled: (config) => Boolean(config.LINE_CHANNEL_SECRET && config.LINE_CHANNEL_ACCESS_TOKEN),
  async start(ctx) {
    const { config } = ctx;
    const secret = config.LINE_CHANNEL_SECRET!;
    const client = new messagingApi.MessagingApiClient({ channelAccessToken: config.LINE_CHANNEL_ACCESS_TOKEN!, baseURL: config.LINE_API_BASE_URL });

    await registerRawWebhook(ctx.server, LINE_WEBHOOK_PATH, routeLimits(ctx.config).webhook, async (request, reply, raw) => {
      const signature = request.headers['x-line-signature'];
      if (typeof signature !== 'string' || !signature || !validateSignature(raw, secret, signature)) throw unauthorized();
      const parsed = lineWebhookBody.safeParse(parseJson(raw));
      if (!parsed.success) throw badInput('not a LINE webhook body');
      const now = new Date();
      // Events of one delivery are applied in order (one person's events must not race).
      for (const event of parsed.data.events) {
        if (tooOld(event.timestamp, config.WEBHOOK_EVENT_MAX_AGE_SECONDS, now.getTime())) {
          ctx.logger.warn({ code: 'EVENT_TOO_OLD', ageSeconds: Math.round((now.getTime() - event.timestamp) / 1000) }, 'line: old event acknowledged, not processed');
          continue;
        }
        const inbound = translateEvent(event, now);
        if (inbound) await ctx.runtime.handleTurn(inbound);
      }
      return reply.status(200).send({});
    });

    return { port: linePort(client) };
  },
};
